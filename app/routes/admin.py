"""Admin pages: members and their roles."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..forms.admin import MemberSearchForm, RoleForm
from ..infra.db import db
from ..models import Role
from ..services import accounts, roles
from .helpers import list_args, or_404, page_number, refused

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    """Every admin page: sign in first, then only admins get past (403 for the rest)."""
    roles.require(current_user, Role.admin)


@bp.get("/users")
def users():
    """Members, searched by username or email and filtered by role, with their roles."""
    form = MemberSearchForm(request.args)
    members = roles.search_members(form.text(), role=form.role_filter(), page=page_number())
    return render_template(
        "admin/users.jinja2", form=form, members=members, role_form=RoleForm(), args=list_args()
    )


@bp.post("/users/<id:user_id>/role")
def set_role(user_id: int):
    """Give one member a new role, then back to the list as it was."""
    member = or_404(accounts.get(user_id))
    form = RoleForm()
    if form.validate_on_submit():
        try:
            if roles.set_role(user=member, role=Role(form.role.data), by=current_user):
                flash(f"{member.username} is now {form.role.data}.", "success")
            db.session.commit()
        except roles.RoleError as error:
            refused(error)
    else:
        flash("Choose one of the roles.", "error")
    return redirect(url_for(".users", **_kept_query()))


def _kept_query() -> dict[str, str]:
    """The list's search, filter and page, sent back with the form."""
    kept = {"q": request.form.get("q"), "role": request.form.get("role_filter")}
    kept["page"] = request.form.get("page")
    return {name: value for name, value in kept.items() if value}
