"""Every word people read is marked for translation, and pt-BR translates every message.

The checks walk the code the way pybabel does: templates through Jinja's own
lexer and parser, Python through its AST, forms through their fields. A new
English string that is not marked fails here, naming the file and line.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from jinja2 import nodes
from wtforms.fields.core import UnboundField

import app as app_package
from app.services.errors import ServiceError

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "app" / "templates"
TRANSLATIONS = ROOT / "app" / "translations"
# pybabel's own keywords (gettext, ngettext, pgettext…) and the lazy ones babel.cfg adds.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
TRANSLATED_LOCALES = ("pt_BR",)

# Names and symbols that read the same in every language.
UNTRANSLATED_WORDS = {"Marquee", "TMDB", "IMDb", "Letterboxd", "UTC", "CSV", "JSON", "ID", "URL"}
# Attributes a person sees or hears.
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
PLACEHOLDER = "\x00"
# Blocks whose content is a value for machines (Open Graph types), not words.
MACHINE_BLOCKS = {"og_type"}
# An attribute written out by a macro (` lang="…"`): markup, not text.
ATTRIBUTE = re.compile(r'\s*[\w-]+="[^"]*"\s*')
# A string literal in a template that reads as English prose: "Show more",
# "Rated", "Start typing a name." (CSS classes and endpoints are lower case).
PROSE = re.compile(r"[A-Z][a-z]+(?:[ ,.:;!?'’()-]+[A-Za-z][a-z’']*)*[.!?:]?")


def shown(path: Path) -> str:
    """The path as the report shows it: from the project root when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def template_paths() -> list[Path]:
    """Every template: pages, macros and mails."""
    return sorted(path for path in TEMPLATES.rglob("*") if path.suffix in (".jinja2", ".txt"))


def has_words(text: str) -> bool:
    """True when text holds a word (two letters or more) that is not a name."""
    words = re.findall(r"[^\W\d_]{2,}", text.replace(PLACEHOLDER, " "))
    return any(word not in UNTRANSLATED_WORDS for word in words)


def skeleton(app: Flask, source: str) -> list[tuple[int, str]]:
    """The template's literal text outside {% trans %}, with each {{ … }} as PLACEHOLDER."""
    pieces: list[tuple[int, str]] = []
    in_trans = 0
    blocks: list[str] = []  # the {% block %}s open here, innermost last
    tokens = [token for token in app.jinja_env.lex(source) if token[1] != "whitespace"]
    for index, (line, kind, value) in enumerate(tokens):
        opens_tag = kind == "name" and index and tokens[index - 1][1] == "block_begin"
        if opens_tag and value == "trans":
            in_trans += 1
        elif opens_tag and value == "endtrans":
            in_trans -= 1
        elif opens_tag and value == "block":
            blocks.append(tokens[index + 1][2])
        elif opens_tag and value == "endblock" and blocks:
            blocks.pop()
        if in_trans or MACHINE_BLOCKS & set(blocks):
            continue
        if kind == "data":
            pieces.append((line, value))
        elif kind == "variable_begin":
            pieces.append((line, PLACEHOLDER))
    return pieces


class VisibleText(HTMLParser):
    """Collects text nodes and visible attribute values, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value" and dict(attrs).get("type") in ("submit", "button")
            )
            if visible and value:
                self.found.append((self.getpos()[0], value))

    def handle_data(self, data: str) -> None:
        self.found.append((self.getpos()[0], data))


def unmarked_text(app: Flask, path: Path) -> list[str]:
    """'file:line: text' for each piece of literal text in a template that is not marked."""
    source = path.read_text(encoding="utf-8")
    pieces = skeleton(app, source)
    name = shown(path)
    if path.suffix == ".txt":
        candidates = [(line, text) for line, text in pieces]
    else:
        # Feed the literal text as one document, so tags split over Jinja blocks still parse;
        # lines are counted in the skeleton, close to the template's own.
        document = "".join(text for _, text in pieces)
        parser = VisibleText()
        parser.feed(document)
        parser.close()
        offsets = _line_map(pieces)
        candidates = [(offsets.get(line, line), text) for line, text in parser.found]
    return [
        f"{name}:{line}: {text.strip()!r}"
        for line, text in candidates
        if has_words(text) and not ATTRIBUTE.fullmatch(text)
    ]


def _line_map(pieces: list[tuple[int, str]]) -> dict[int, int]:
    """Skeleton line number → template line number."""
    mapping: dict[int, int] = {}
    skeleton_line = 1
    for template_line, text in pieces:
        for offset in range(text.count("\n") + 1):
            mapping.setdefault(skeleton_line + offset, template_line + offset)
        skeleton_line += text.count("\n")
    return mapping


def unmarked_literals(app: Flask, path: Path) -> list[str]:
    """String literals in a template's expressions that read as prose but skip the translator."""
    tree = app.jinja_env.parse(path.read_text(encoding="utf-8"))
    translated: set[int] = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in KEYWORDS:
            translated.update(id(const) for const in call.find_all(nodes.Const))
    # Values compared or looked up are data ('Released', a department's key), not words shown.
    for pair in tree.find_all(nodes.Pair):
        translated.add(id(pair.key))
    for compare in tree.find_all(nodes.Compare):
        translated.update(id(const) for const in compare.find_all(nodes.Const))
    name = shown(path)
    return [
        f"{name}:{const.lineno}: {const.value!r}"
        for const in tree.find_all(nodes.Const)
        if isinstance(const.value, str)
        and id(const) not in translated
        and PROSE.fullmatch(const.value.strip())
        and has_words(const.value)
    ]


def test_every_template_text_is_marked(app: Flask) -> None:
    unmarked = [line for path in template_paths() for line in unmarked_text(app, path)]
    assert unmarked == [], "Wrap these in _() or {% trans %}:\n" + "\n".join(unmarked)


def test_every_template_literal_that_reads_as_prose_is_marked(app: Flask) -> None:
    unmarked = [line for path in template_paths() for line in unmarked_literals(app, path)]
    assert unmarked == [], "Wrap these in _():\n" + "\n".join(unmarked)


def test_the_checks_find_unmarked_text(app: Flask, tmp_path: Path) -> None:
    page = tmp_path / "page.jinja2"
    page.write_text(
        "<h1>{{ _('Movies') }}</h1>\n<p title=\"Rated\">{% trans %}Fine{% endtrans %}</p>\n"
        "{% set labels = [('a', 'Show more')] %}<img alt=\"\"><span>·</span> <b>TMDB</b>\n"
        "<p>Not marked</p>\n"
        "{% block meta %}{% block og_type %}video.movie{% endblock %}<p>After</p>{% endblock %}\n"
        "{% if status != 'Released' %}{{ {'Rumored': _('Rumored')}[status] }}{% endif %}\n",
        encoding="utf-8",
    )
    found = [line.split(": ", 1)[1] for line in unmarked_text(app, page)]
    literals = [line.split(": ", 1)[1] for line in unmarked_literals(app, page)]
    assert found == ["'Rated'", "'Not marked'", "'After'"]
    assert literals == ["'Show more'"]


def _python_files() -> list[Path]:
    return sorted((ROOT / "app").rglob("*.py"))


def _service_error_names() -> set[str]:
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    names: set[str] = set()
    pending = [ServiceError]
    while pending:
        error = pending.pop()
        names.add(error.__name__)
        pending.extend(error.__subclasses__())
    return names


def _is_plain_text(node: ast.expr | None) -> bool:
    """A literal or f-string that holds words: text no translator sees."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return has_words(node.value)
    if isinstance(node, ast.JoinedStr):
        return has_words(
            "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        )
    return False


def test_flashes_aborts_and_refusals_are_marked() -> None:
    refusals = _service_error_names() | {"abort"}
    unmarked = []
    for path in _python_files():
        if "cli" in path.relative_to(ROOT / "app").parts:
            continue  # operators' commands speak English
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            texts = node.args[:1] if name == "flash" else []
            if name in refusals:
                texts = node.args[1:2] if name == "abort" else node.args[:1]
                texts += [word.value for word in node.keywords if word.arg == "description"]
            for text in texts:
                if _is_plain_text(text):
                    unmarked.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}()")
    assert unmarked == [], "Pass these through gettext:\n" + "\n".join(unmarked)


def _forms() -> list[type[FlaskForm]]:
    import app.forms

    found = []
    for module in pkgutil.iter_modules(app.forms.__path__, "app.forms."):
        loaded = importlib.import_module(module.name)
        found.extend(
            value
            for value in vars(loaded).values()
            if isinstance(value, type) and issubclass(value, FlaskForm) and value is not FlaskForm
        )
    return found


def _field_texts(field: UnboundField) -> list[object]:
    texts = [field.args[0]] if field.args else []
    texts += [field.kwargs.get(key) for key in ("label", "description")]
    for validator in field.kwargs.get("validators") or []:
        texts.append(getattr(validator, "message", None))
    for choice in field.kwargs.get("choices") or []:
        if isinstance(choice, tuple):
            texts.append(choice[1])
    render = field.kwargs.get("render_kw") or {}
    texts += [render.get(key) for key in VISIBLE_ATTRIBUTES]
    return texts


def test_form_labels_hints_choices_and_messages_are_lazy_translations() -> None:
    unmarked = []
    for form in _forms():
        for name, field in vars(form).items():
            if not isinstance(field, UnboundField):
                continue
            for text in _field_texts(field):
                if isinstance(text, str) and has_words(text):
                    unmarked.append(f"{form.__module__}.{form.__name__}.{name}: {text!r}")
    assert unmarked == [], "Use lazy_gettext for these:\n" + "\n".join(unmarked)
    assert any(isinstance(text, LazyString) for form in _forms() for text in _texts_of(form))


def _texts_of(form: type[FlaskForm]) -> list[object]:
    return [
        text
        for field in vars(form).values()
        if isinstance(field, UnboundField)
        for text in _field_texts(field)
    ]


def extracted_messages() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) → (msgid, msgid_plural) of every message pybabel extracts (babel.cfg)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else message[0]
        found[(_context, key)] = (message,) if isinstance(message, str) else tuple(message)
    return found


@pytest.fixture(scope="module")
def messages() -> dict[tuple[str | None, str], tuple[str, ...]]:
    return extracted_messages()


@pytest.mark.parametrize("locale", TRANSLATED_LOCALES)
def test_every_message_is_translated(locale: str, messages: dict) -> None:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    missing = []
    for context, msgid in messages:
        entry = catalog.get(msgid, context=context)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else None
        if entry is None or entry.fuzzy or not ((strings and all(strings)) or entry.string):
            missing.append(msgid)
        elif isinstance(entry.id, tuple) and len(entry.string) != catalog.num_plurals:
            missing.append(f"{msgid} (needs {catalog.num_plurals} plural forms)")
    assert len(messages) > 500
    assert missing == [], f"{len(missing)} messages lack a {locale} translation:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("locale", TRANSLATED_LOCALES)
def test_translations_keep_every_placeholder(locale: str) -> None:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    problems = [
        f"{message.id!r}: {'; '.join(str(error) for error in errors)}"
        for message, errors in catalog.check()
    ]
    assert problems == []
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"
