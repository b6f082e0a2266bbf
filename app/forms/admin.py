"""Admin forms: finding members and changing their role, filtering jobs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models import JobStatus, Role
from .validators import BabelMeta

ROLE_CHOICES = [
    SelectChoice(Role.member.value, _l("Member")),
    SelectChoice(Role.editor.value, _l("Editor")),
    SelectChoice(Role.admin.value, _l("Admin")),
]
JOB_STATUS_LABELS = {
    JobStatus.queued: _l("Queued"),
    JobStatus.running: _l("Running"),
    JobStatus.finished: _l("Finished"),
    JobStatus.failed: _l("Failed"),
    JobStatus.cancelled: _l("Cancelled"),
}


class MemberSearchForm(Form):
    """The members list's search box and role filter, read from the query string."""

    Meta = BabelMeta
    q = StringField(_l("Username or email starts with"), validators=[Optional(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("Any role")), *ROLE_CHOICES],
        validators=[Optional()],
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

    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    submit = SubmitField(_l("Save"))


class JobFilterForm(Form):
    """The jobs list's status filter, read from the query string."""

    Meta = BabelMeta
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("Any status")),
            *(SelectChoice(status.value, JOB_STATUS_LABELS[status]) for status in JobStatus),
        ],
        validators=[Optional()],
    )

    def status_filter(self) -> JobStatus | None:
        """The chosen status, or None for any (an unknown value counts as any)."""
        names = {status.value for status in JobStatus}
        return JobStatus(self.status.data) if self.status.data in names else None
