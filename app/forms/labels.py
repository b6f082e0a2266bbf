"""Choice labels more than one form shows, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# TMDB's department names (services.people.DEPARTMENTS) stay the choices' values.
DEPARTMENT_LABELS = {
    "Acting": _l("Acting"),
    "Directing": _l("Directing"),
    "Writing": _l("Writing"),
    "Production": _l("Production"),
    "Sound": _l("Sound"),
    "Camera": _l("Camera"),
    "Editing": _l("Editing"),
    "Art": _l("Art"),
    "Costume & Make-Up": _l("Costume & Make-Up"),
    "Visual Effects": _l("Visual Effects"),
    "Crew": _l("Crew"),
    "Lighting": _l("Lighting"),
}


def department_label(name: str) -> str:
    """A department's label; a name not listed here shows as it is."""
    return DEPARTMENT_LABELS.get(name, name)
