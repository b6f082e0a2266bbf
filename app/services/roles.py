"""Who may do what: members, editors and admins, and how an admin changes a member's role."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..infra.db import db
from ..models import Role, User
from .errors import ForbiddenError, ServiceError
from .paging import Page, clamp

NEEDED = {
    Role.editor: _l("Only editors can change the catalog."),
    Role.admin: _l("Only admins can do that."),
}


class RoleError(ServiceError):
    """A role change was refused."""


class NotAllowedError(ForbiddenError):
    """The member's role does not allow the operation."""


def require(user: User | None, role: Role) -> User:
    """The user, if signed in with at least `role`; else NotAllowedError."""
    if user is None or not user.is_authenticated or user.role.rank < role.rank:
        needed = NEEDED.get(role)
        raise NotAllowedError(str(needed) if needed is not None else _("You may not do that."))
    return user


def parse(name: str) -> Role:
    """The role called `name` (member, editor, admin), or a RoleError listing them."""
    try:
        return Role(name.strip().lower())
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise RoleError(
            _(
                "There is no role called %(name)s: use one of %(names)s.",
                name=repr(name),
                names=names,
            )
        ) from None


def set_role(*, user: User, role: Role, by: User | None = None) -> bool:
    """Give `user` the role; False when they had it already. `by` is the admin asking (None: CLI).

    The last admin cannot stop being one: somebody must be able to give roles.
    """
    if by is not None:
        require(by, Role.admin)
    if user.role is role:
        return False
    if user.role is Role.admin and _admin_count() <= 1:
        raise RoleError(
            _(
                "%(username)s is the only admin: make someone else admin first.",
                username=user.username,
            )
        )
    user.role = role
    db.session.flush()
    return True


def _admin_count() -> int:
    return db.session.scalar(select(func.count()).where(User.role == Role.admin)) or 0


def search_members(
    query: str = "", *, role: Role | None = None, page: int = 1, per_page: int = 50
) -> Page[User]:
    """Members whose username or email starts with `query` (all when empty), by username."""
    conditions = []
    text = query.strip().casefold()
    if text:
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(User.username_key.like(pattern, escape="\\"), User.email.like(pattern, escape="\\"))
        )
    if role is not None:
        conditions.append(User.role == role)
    total = db.session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
    page = clamp(page, total=total, per_page=per_page)
    users = db.session.scalars(
        select(User)
        .where(*conditions)
        .order_by(User.username_key)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(items=list(users), page=page, per_page=per_page, total=total)
