"""The offline writer in Brazilian Portuguese: the same facts, said as Portuguese says them.

Facts arrive as the English writer gets them, but with titles and genre names
already in Portuguese (subjects.py asks for them in the text's language).
Sentences avoid gendered adjectives about people ("conhecido/conhecida"),
since the catalog does not always know a person's gender.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from .offline import SOURCE_CREDITS, join_names

LOCALE = "pt_BR"

# TMDB's departments, with the article Portuguese needs after "ligado a".
DEPARTMENTS = {
    "Acting": "à atuação",
    "Directing": "à direção",
    "Writing": "ao roteiro",
    "Production": "à produção",
    "Sound": "ao som",
    "Camera": "à fotografia",
    "Editing": "à montagem",
    "Art": "à direção de arte",
    "Costume & Make-Up": "ao figurino e à maquiagem",
    "Visual Effects": "aos efeitos visuais",
    "Crew": "à equipe técnica",
    "Lighting": "à iluminação",
    "Creator": "à criação",
}
# The same departments as the name of a department ("no departamento de …").
DEPARTMENT_NAMES = {
    "Acting": "atuação",
    "Directing": "direção",
    "Writing": "roteiro",
    "Production": "produção",
    "Sound": "som",
    "Camera": "fotografia",
    "Editing": "montagem",
    "Art": "arte",
    "Costume & Make-Up": "figurino e maquiagem",
    "Visual Effects": "efeitos visuais",
    "Crew": "equipe técnica",
    "Lighting": "iluminação",
    "Creator": "criação",
}
TV_MOVIE = frozenset({"Cinema TV", "TV Movie"})


def _join(items: list[str]) -> str:
    return join_names(items, "e")


def _date(value: str) -> str:
    """An ISO date as 26 de julho de 1928 (the first of a month as 1º, as Brazil writes it)."""
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return value
    day = "1º" if parsed.day == 1 else str(parsed.day)
    return f"{day} de " + format_date(parsed, "MMMM 'de' y", locale=LOCALE)


def _count(number: int) -> str:
    return format_decimal(number, locale=LOCALE)


def movie(title: str, facts: dict[str, Any]) -> str:
    """'O Poderoso Chefão é um filme de drama e crime lançado em 1972. …'"""
    genres = list(facts.get("Genres") or [])
    kind = "um filme para a TV" if TV_MOVIE & set(genres) else "um filme"
    words = [genre.lower() for genre in genres if genre not in TV_MOVIE]
    if words:
        kind += f" de {_join(words)}"
    year = facts.get("Year")
    sentences = [f"{title} é {kind}" + (f" lançado em {year}." if year else ".")]
    if facts.get("Original title"):
        sentences.append(f"O título original é {facts['Original title']}.")
    if facts.get("Directed by"):
        sentences.append(f"A direção é de {_join(facts['Directed by'])}.")
    if facts.get("Starring"):
        verb = "está" if len(facts["Starring"]) == 1 else "estão"
        sentences.append(f"No elenco {verb} {_join(facts['Starring'])}.")
    if facts.get("Runtime"):
        sentences.append(f"Tem {facts['Runtime']} de duração.")
    return " ".join(sentences)


def person(name: str, facts: dict[str, Any]) -> str:
    """'No cinema, o trabalho de Al Pacino está ligado sobretudo à atuação. Nasceu em …'"""
    department = DEPARTMENTS.get(facts.get("Known for") or "")
    sentences = [
        f"No cinema, o trabalho de {name} está ligado sobretudo {department}."
        if department
        else f"{name} tem créditos neste catálogo."
    ]
    born, place = facts.get("Born"), facts.get("Place of birth")
    if born and place:
        sentences.append(f"Nasceu em {_date(born)}, em {place}.")
    elif born:
        sentences.append(f"Nasceu em {_date(born)}.")
    elif place:
        sentences.append(f"Nasceu em {place}.")
    if facts.get("Died"):
        sentences.append(f"Morreu em {_date(facts['Died'])}.")
    if facts.get("Films in this catalog"):
        sentences.append(f"Neste catálogo: {_join(facts['Films in this catalog'])}.")
    return " ".join(sentences)


def genre(name: str, facts: dict[str, Any]) -> str:
    """'Drama é um gênero de cinema com 12 filmes neste catálogo. …'"""
    count = facts.get("Movies in this catalog") or 0
    if not count:
        return f"{name} é um gênero de cinema; este catálogo ainda não tem filmes dele."
    noun = "filme" if count == 1 else "filmes"
    sentences = [f"{name} é um gênero de cinema com {_count(count)} {noun} neste catálogo."]
    if facts.get("Best known"):
        sentences.append(f"Entre os mais conhecidos estão {_join(facts['Best known'])}.")
    return " ".join(sentences)


def job(name: str, facts: dict[str, Any]) -> str:
    """'Director of Photography é uma função da equipe de um filme, no departamento de …'"""
    department = DEPARTMENT_NAMES.get(facts.get("Department") or "")
    count = facts.get("Credits in this catalog") or 0
    noun = "crédito" if count == 1 else "créditos"
    where = f", no departamento de {department}" if department else ""
    what = (
        "um crédito pelo material de origem"
        if name in SOURCE_CREDITS
        else "uma função da equipe de um filme"
    )
    return f"{name} é {what}{where}, com {_count(count)} {noun} neste catálogo."


COMPOSERS = {"movie": movie, "person": person, "genre": genre, "job": job}
