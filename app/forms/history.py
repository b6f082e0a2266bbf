"""The filters of /changes, read from the query string."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..models import EntityType
from ..services import accounts
from ..services.edits.history import ChangeFilters
from .validators import BabelMeta

KIND_CHOICES = [
    SelectChoice("", _l("Everything")),
    SelectChoice("movie", _l("Movies")),
    SelectChoice("person", _l("People")),
    SelectChoice("genre", _l("Genres")),
    SelectChoice("job", _l("Crew jobs")),
]


KINDS = {"", *(kind.value for kind in EntityType)}


class ChangesFilterForm(Form):
    """Kind of entity, editor's username, first day: each ignored with a notice when wrong."""

    Meta = BabelMeta
    entity = SelectField(_l("Show"), choices=KIND_CHOICES, validators=[Optional()])
    editor = StringField(_l("Editor"), validators=[Optional(), Length(max=40)])
    since = DateField(_l("Since"), validators=[Optional()])

    def filters(self) -> tuple[ChangeFilters | None, list[str]]:
        """The filters and what was ignored; None when the editor named does not exist."""
        self.validate()
        notices = []
        kind = (self.entity.data or "").strip()
        if kind not in KINDS:
            kind = ""
            notices.append(_("Showing every kind of change: that kind is not one we list."))
        since = self.since.data if not self.since.errors else None
        if self.since.errors:
            notices.append(_("Showing changes of every day: use a date such as 2026-12-01."))
        editor = None
        name = (self.editor.data or "").strip()[:40]
        if name:
            editor = accounts.get_by_username(name)
            if editor is None:
                return None, [*notices, _("No member is called %(name)s.", name=name)]
        entity_type = EntityType(kind) if kind else None
        return ChangeFilters(entity_type=entity_type, editor=editor, since=since), notices

    def kept_args(self) -> dict[str, str]:
        """The filters as query arguments for the pager."""
        kept = {
            "entity": self.entity.data if self.entity.data in KINDS else "",
            "editor": (self.editor.data or "").strip(),
            "since": self.since.data.isoformat() if isinstance(self.since.data, date) else "",
        }
        return {name: value for name, value in kept.items() if value}
