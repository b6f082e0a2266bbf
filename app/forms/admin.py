"""Admin forms: finding members and changing their role, filtering jobs."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models import JobStatus, Role

ROLE_CHOICES = [
    SelectChoice(Role.member.value, "Member"),
    SelectChoice(Role.editor.value, "Editor"),
    SelectChoice(Role.admin.value, "Admin"),
]


class MemberSearchForm(Form):
    """The members list's search box and role filter, read from the query string."""

    q = StringField("Username or email starts with", validators=[Optional(), Length(max=254)])
    role = SelectField(
        "Role", choices=[SelectChoice("", "Any role"), *ROLE_CHOICES], validators=[Optional()]
    )

    def role_filter(self) -> Role | None:
        """The chosen role, or None for any (an unknown value counts as any)."""
        names = {role.value for role in Role}
        return Role(self.role.data) if self.role.data in names else None

    def text(self) -> str:
        """The search text, at most 254 characters."""
        return (self.q.data or "")[:254]


class RoleForm(FlaskForm):
    """One member's new role."""

    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    submit = SubmitField("Save")


class JobFilterForm(Form):
    """The jobs list's status filter, read from the query string."""

    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Any status"),
            *(SelectChoice(status.value, status.value.capitalize()) for status in JobStatus),
        ],
        validators=[Optional()],
    )

    def status_filter(self) -> JobStatus | None:
        """The chosen status, or None for any (an unknown value counts as any)."""
        names = {status.value for status in JobStatus}
        return JobStatus(self.status.data) if self.status.data in names else None
