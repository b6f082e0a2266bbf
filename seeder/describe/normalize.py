"""Model answers as plain prose: markdown, chatter and reasoning taken out before a text is stored.

Many models, local ones most of all, answer in markdown (`## Description`,
`**bold**`, lists, code fences) and wrap the text in pleasantries ("Sure!
Here is…", "I hope this helps!"). Pages show plain paragraphs, so every answer
is reduced to its prose here, before the length and sentence rules of
`run.checked()`. What cannot be read as prose is refused like an empty answer:
an answer that was only a preamble, only reasoning, or a list of short facts.

Markdown is parsed by markdown-it-py (CommonMark); the rules for chatter, labels
and facts are this module's own and work on the lines it renders as text.

Lists become sentences only when every item reads as one (a few words with
lowercase words among them, as a sentence has); a list with any item that is
only a name, a number or a `Key: value` fact is dropped whole, with its
lead-in line, because half a fact list turned into prose reads like notes.
A table is read as a list of its cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby, takewhile

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from .base import ProviderError

__all__ = ["plain_prose"]

# Stands in for the subject's name while chatter is matched, so a title such as
# "Sure Thing!" or "Star Wars: Episode IV" is never taken for a preamble or a label.
_SUBJECT = "\ue000"
# Stands in for `*` inside a word while parsing: CommonMark reads M*A*S*H as M<em>A</em>S*H.
_STAR = "\ue001"
# Marks where emphasis opened or closed in a rendered line, for the bold-line rules.
_EMPHASIS = "\ue002"

# Indented code is off: in an answer, indented lines are prose indented by mistake.
_MARKDOWN = (
    MarkdownIt("commonmark", {"html": True}).enable(["strikethrough", "table"]).disable("code")
)
_LISTS = ("bullet_list", "ordered_list", "table")

_REASONING_TAGS = "think|thinking|reasoning|reflection"
_REASONING = re.compile(rf"<({_REASONING_TAGS})>.*?</\1\s*>", re.I | re.S)
_REASONING_OPEN = re.compile(rf"<(?:{_REASONING_TAGS})>", re.I)
_REASONING_CLOSE = re.compile(rf"</(?:{_REASONING_TAGS})\s*>", re.I)

_INTRAWORD_STAR = re.compile(r"(?<=\w)\*(?=\w)")
_YEAR_START = re.compile(r"^(\s*\d{4,})(?=[.)])", re.M)  # "1984. It was…" is not item 1984
_BULLET = re.compile(r"^(\s*)[•·‣▪◦●](?=\s)", re.M)  # not CommonMark's, but models use them

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^<>]*>(.*?)</h\1\s*>", re.I | re.S)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)
_HTML_ITEM = re.compile(r"<li\b[^<>]*>", re.I)
_HTML_BLOCK = re.compile(
    r"</?(?:p|div|section|article|blockquote|ul|ol|li|pre|table|tr|hr)\b[^<>]*>", re.I
)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<[!?][^<>]*>")

_STRAY_MARKUP = re.compile(r"\*{2,}|(?<!\w)_{2,}|_{2,}(?!\w)|`+")
# Link and note syntax the parser leaves as text: a definition it could not read, a note
# reference ([^1]) and a reference link with no definition ([text][1]).
_DEFINITION = re.compile(r"\[[^\]\n]+\]:\s*\S")
_LEFTOVER_LINK = re.compile(r"\[\^[^\]\n]+\]|\[([^\]\n]+)\]\[[^\]\n]*\]")
_BOLD_LINE = re.compile(rf"{_EMPHASIS}+([^{_EMPHASIS}]+){_EMPHASIS}+\s*[:：]?\s*")
_BOLD_LABEL = re.compile(
    rf"{_EMPHASIS}+([^{_EMPHASIS}\n]{{1,60}}?)(?:[:：]\s*{_EMPHASIS}+|{_EMPHASIS}+\s*[:：])\s*"
)
_META_LINE = re.compile(
    r"^[\s*_(\[]*(?:note|n\.\s?b\.|disclaimer|(?:word|character|char)s?\s+count|length)"
    r"(?!\w)[*_\s]*[:：]",
    re.I,
)
_FACT_LINE = re.compile(r"^([^\W\d_][^:：*_\n]{0,39}?)\s*[:：]\s*\S")
_ITEM_LABEL = re.compile(r"^([^:：\n]{1,40}?)\s*[:：]\s+(?=\S)")

_ENDS_SENTENCE = re.compile(r"[.!?…。！？][\"”’'»)\]]*$")
_SENTENCE_BOUNDARY = re.compile(r"(?:[.!?…]+[\"”’'»)\]]*\s+|[。！？]+\s*)(?=\S)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")
# Words that join names in a cast list ("Brando, Pacino and Caan"); they do not make a sentence.
_CONNECTORS = frozenset(
    {"and", "or", "&", "of"}  # English
    | {"de", "da", "do", "dos", "das", "di", "del", "du", "la", "le", "e", "y", "et"}  # Romance
    | {"van", "von", "der", "den", "und"}  # Dutch and German
)

_INTERJECTION = re.compile(
    r"^(?:sure(?: thing)?|certainly|of course|absolutely|okay|ok|alright|all right|great|gladly|"
    r"no problem|yes|definitely|with pleasure|happy to help|you got it|claro|com certeza|"
    r"por supuesto|bien sûr|natürlich|gerne)(?:\s*[!.,:;]+|\s+[-–—]+)\s*",
    re.I,
)
_HELPFUL = re.compile(
    r"^(?:i(?:'|’)d be (?:happy|glad|delighted) to|i(?:'|’)m (?:happy|glad) to|"
    r"i can help with that|great question)[^.!?:\n]*[.!?:]+\s*",
    re.I,
)
_HERE_IS = (
    r"(?:so,?\s+|and\s+)?(?:here(?:'|’)s|here is|here are|here you go|here it is|below is|"
    r"below are|below you(?:'|’)ll find|the following is|aqui está|aqui estão|segue|"
    r"aquí está|aquí tienes|voici|hier ist)\b"
)
_HERE_IS_LEAD_IN = re.compile(rf"^{_HERE_IS}[^\n.!?]{{0,200}}?(?:[:：]|\.{{3}}|…)\s*", re.I)
_HERE_YOU_GO = re.compile(r"^here (?:you go|you are|it is)\s*[!.]+\s*", re.I)
_HERE_IS_META = re.compile(
    rf"^{_HERE_IS}[^.!?\n]{{0,120}}?\b(?:description|biography|bio|overview|summary|synopsis|"
    r"paragraph|text|version|explanation|entry|blurb)\b[^.!?\n]{0,120}?[.!]\s*",
    re.I,
)
_LABEL_WORDS = (
    r"description|biography|bio|overview|summary|synopsis|plot(?: summary)?|logline|answer|"
    r"response|text|paragraph|entry|explanation|definition|profile|blurb|descrição|descricao|"
    r"biografia|sinopse|resumo|descripción|biografía|sinopsis|resumen|biographie|résumé|"
    r"beschreibung|biografie|zusammenfassung|概要|あらすじ|説明|紹介|简介|描述|介绍"
)
_LABEL_QUALIFIERS = (
    r"short|brief|neutral|final|movie|film|genre|job|crew job|person|catalog|catalogue|"
    r"reference|plain|curta|breve|kurze?"
)
_LABEL = re.compile(
    rf"^(?:(?:a|the)\s+)?(?:(?:{_LABEL_QUALIFIERS})\s+){{0,2}}(?:{_LABEL_WORDS})"
    r"(?:\s+(?:of|for|about|do|da|de|del|von|du)\s+[^:：\n]{1,80}?)?(?:\s*\([^)\n]{0,40}\))?"
    r"\s*(?:[:：]|\s[-–—]+\s|$)\s*",
    re.I,
)
_SUBJECT_LABEL = re.compile(
    rf"^(?:(?:subject|title|name)\s*[:：]\s*)?[\"“]?{_SUBJECT}[\"”]?(?:\s*\(\d{{4}}\))?"
    r"\s*(?:[:：]\s*|$)",
    re.I,
)
_SIGN_OFF = re.compile(
    r"^[\s(\[*_]*(?:i hope (?:this|that|it)\b|hope (?:this|that|it) helps|"
    r"(?:please |just )?let me know\b|feel free\b|(?:please )?don(?:'|’)t hesitate\b|"
    r"if you(?:'|’)d like\b|if you would like\b|if you (?:need|want) (?:me|any|a|more|changes)\b|"
    r"would you like\b|do you want\b|shall i\b|should i\b|want me to\b|is there anything\b|"
    r"anything else\b|i can (?:also )?(?:make|adjust|expand|shorten|lengthen|provide|write|"
    r"revise|tailor|rewrite|change|add)\b|i(?:(?:'|’)ve| have) (?:kept|written|used|avoided|"
    r"made|included|focused|stuck|tried|limited|followed|omitted|left)\b|"
    r"this (?:description|text|biography|bio|paragraph|summary|overview|version|answer|response|"
    r"entry) (?:is|was|has|stays|avoids|contains|uses|keeps|fits|should|comes|does|includes|"
    r"omits)\b|note\s*[:：]|note that\b|n\.\s?b\.|disclaimer\s*[:：]|enjoy\b[^.!?]{0,30}[.!]|"
    r"happy (?:watching|viewing|reading)\b|thank you\b|thanks(?: again)?\s*[!.]|cheers\s*[!.]|"
    r"best regards\b)",
    re.I,
)
_COUNT = re.compile(
    r"[\s(\[*_]*(?:(?:word|character|char)s?\s+count\s*[:：]?\s*~?\d+"
    r"(?:\s+(?:words|characters|chars))?|~?\d+\s+(?:words|characters|chars))[\s)\]*_.]*",
    re.I,
)
_QUOTES = {
    '"': '"',
    "“": "”",
    "„": "“",
    "«": "»",
    "»": "«",
    "'": "'",
    "‘": "’",
    "「": "」",
    "『": "』",
}


@dataclass
class _Prose:
    """An answer's prose lines as its blocks are read, a blank line between paragraphs."""

    subject: str | None
    lines: list[str] = field(default_factory=list)
    dropped_list: bool = False  # to say why an answer that became empty is refused

    def read(self, nodes: list[SyntaxTreeNode]) -> None:
        # Lists side by side are one list: "1." then "2)" starts a new one in CommonMark.
        for is_list, group in groupby(nodes, key=lambda node: node.type in _LISTS):
            if is_list:
                inlines = [
                    node for block in group for node in block.walk() if node.type == "inline"
                ]
                self.add_list([_plain(" ".join(_lines(inline))) for inline in inlines])
            else:
                for node in group:
                    self.read_block(node)

    def read_block(self, node: SyntaxTreeNode) -> None:
        if node.type in ("paragraph", "heading"):
            lines = _lines(node.children[0])
            if node.type == "heading":
                # A setext underline makes the lines above a heading: only a last line
                # that reads as a title is one; the rest, or a sentence, stays prose.
                title = lines.pop()
                if node.markup not in ("=", "-"):  # an ATX heading ("## …") is all heading
                    lines = []
                elif not _looks_like_heading(_plain(title)):
                    lines.append(title)
            self.add_paragraph(lines)
        elif node.type == "fence":  # often the whole answer, as ```markdown
            self.read(_parsed(node.content))
        elif node.type == "html_block":
            self.read(_parsed(_html_as_markdown(node.content)))
        elif node.type == "blockquote":
            self.read(node.children)
        self.lines.append("")

    def add_paragraph(self, lines: list[str]) -> None:
        """A paragraph's lines without headings in disguise, titles, notes and fact lines."""
        index = 0
        while index < len(lines):
            facts = list(takewhile(lambda line: self.is_fact_line(_plain(line)), lines[index:]))
            if len(facts) >= 2:
                self.add_list([_plain(line) for line in facts])
                index += len(facts)
                continue
            line, plain = lines[index], _plain(lines[index])
            index += 1
            if (
                _META_LINE.match(plain)
                or _is_bold_heading(line)
                or _is_title(plain, self.subject)
                or not any(char.isalnum() for char in plain)
            ):
                self.lines.append("")
            else:
                self.lines.append(_without_bold_label(line))

    def add_list(self, items: list[str]) -> None:
        """The items as sentences, or nothing if one of them is not a sentence."""
        sentences = [_item_sentence(item) for item in items]
        _drop_lead_in(self.lines)
        if all(sentences):
            self.lines += ["", _joined(sentences), ""]
        else:
            self.dropped_list = True
            self.lines.append("")

    def is_fact_line(self, line: str) -> bool:
        """A `Key: value` line; not a label that opens the text ("Description: …") nor a title."""
        match = _FACT_LINE.match(line)
        return (
            bool(match)
            and len(match[1].split()) <= 4
            and not _META_LINE.match(line)
            and not _LABEL.match(line.strip())
            and not _is_title(line, self.subject)
        )


def plain_prose(answer: str, *, subject: str | None = None) -> str:
    """The answer's prose without markdown, chatter or reasoning; ProviderError if none is left."""
    text = answer.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    if not text.strip():
        raise ProviderError("the answer was empty")
    text = _without_reasoning(text)
    if not text.strip():
        raise ProviderError("the answer was only the model's reasoning (<think>), with no text")
    text = _BULLET.sub(r"\1-", _YEAR_START.sub(r"\1\\", _INTRAWORD_STAR.sub(_STAR, text)))
    prose = _Prose(subject)
    prose.read(_parsed(text))
    paragraphs = [" ".join(block.split()) for block in "\n".join(prose.lines).split("\n\n")]
    paragraphs = _without_chatter([paragraph for paragraph in paragraphs if paragraph], subject)
    if paragraphs:
        return "\n\n".join(paragraphs)
    if prose.dropped_list:
        raise ProviderError("the answer was a list of short facts, not prose")
    raise ProviderError("the answer had no text once its markdown and chatter were taken out")


def _without_reasoning(text: str) -> str:
    closes = list(_REASONING_CLOSE.finditer(text))
    if closes:
        # Only up to the last closing tag: an opening tag after it can find no match to scan for.
        last = closes[-1].end()
        text = _REASONING.sub("", text[:last]) + text[last:]
        orphans = list(_REASONING_CLOSE.finditer(text))
        if orphans:
            # Some servers put the opening tag in the chat template: only the closing one arrives.
            text = text[orphans[-1].end() :]
    opened = _REASONING_OPEN.search(text)
    return text[: opened.start()] if opened else text  # cut off while still thinking


def _parsed(text: str) -> list[SyntaxTreeNode]:
    """The block tree, with an unindented line after a list item read as a new paragraph.

    CommonMark lets such a line continue the item ("lazily"); models mean the text after a list.
    """
    lines = text.split("\n")
    in_items = 0
    for token in _MARKDOWN.parse(text):
        in_items += {"list_item_open": 1, "list_item_close": -1}.get(token.type, 0)
        if in_items and token.type == "inline" and token.map:
            lazy = [i for i in range(*token.map)[1:] if not lines[i][:1].isspace()]
            if lazy:
                lines[lazy[0]] = "\n" + lines[lazy[0]]
    return SyntaxTreeNode(_MARKDOWN.parse("\n".join(lines))).children


def _html_as_markdown(html: str) -> str:
    """An HTML block as the markdown it stands for: headings, items and paragraphs kept apart."""
    text = _HTML_COMMENT.sub("", html)
    text = _HTML_HEADING.sub(lambda match: "\n\n# " + " ".join(match[2].split()) + "\n\n", text)
    text = _HTML_ITEM.sub("\n- ", _HTML_BREAK.sub("\n", text))
    return _HTML_TAG.sub("", _HTML_BLOCK.sub("\n\n", text))


def _lines(inline: SyntaxTreeNode) -> list[str]:
    """The lines of an inline node as text, with _EMPHASIS where emphasis opened or closed."""
    text = "".join(_rendered(child) for child in inline.children)
    lines = [line.replace(_STAR, "*").strip() for line in text.split("\n")]
    return [
        "" if _DEFINITION.match(line) else _LEFTOVER_LINK.sub(lambda link: link[1] or "", line)
        for line in lines
    ]


def _rendered(node: SyntaxTreeNode) -> str:
    if node.type == "text":
        return _STRAY_MARKUP.sub("", node.content)
    if node.type == "code_inline":
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return "\n"
    if node.type == "html_inline":
        return "\n" if _HTML_BREAK.match(node.content) or _HTML_BLOCK.match(node.content) else ""
    if node.type == "image":
        return ""
    inner = "".join(_rendered(child) for child in node.children)
    return f"{_EMPHASIS}{inner}{_EMPHASIS}" if node.type in ("em", "strong") else inner


def _plain(line: str) -> str:
    return line.replace(_EMPHASIS, "")


def _drop_lead_in(kept: list[str]) -> None:
    """Drop the clause that introduced a list ("Key facts:"), keeping the sentences before it."""
    while kept and not kept[-1].strip():
        kept.pop()
    if not kept or not kept[-1].rstrip(" *_").endswith((":", "：")):
        return
    ends = [match.end() for match in _SENTENCE_BOUNDARY.finditer(kept[-1])]
    if ends:
        kept[-1] = kept[-1][: ends[-1]].rstrip()
    else:
        kept.pop()


def _item_sentence(item: str) -> str | None:
    """A list item as a sentence, or None if it is only a name, a number or a fact."""
    text = item.strip()
    label = _ITEM_LABEL.match(text)
    if label and len(label[1].split()) <= 4:
        text = text[label.end() :]
    text = text.strip().rstrip(",;").strip()
    if not _reads_as_sentence(text):
        return None
    text = text[:1].upper() + text[1:]
    if _ENDS_SENTENCE.search(text):
        return text
    return text + ("。" if _is_cjk(text) else ".")


def _reads_as_sentence(text: str) -> bool:
    if _is_cjk(text):
        return len(text) >= 8 and (bool(_ENDS_SENTENCE.search(text)) or len(text) >= 20)
    words = text.split()
    lowercase = sum(
        1
        for word in words
        if word.lstrip("\"'“‘(«")[:1].islower() and word.strip(",.;:").lower() not in _CONNECTORS
    )
    if _ENDS_SENTENCE.search(text):
        return len(words) >= 3 and lowercase >= 1
    return len(words) >= 4 and lowercase >= 2


def _is_cjk(text: str) -> bool:
    letters = [char for char in text if not char.isspace()]
    return bool(letters) and len(_CJK.findall(text)) * 2 >= len(letters)


def _joined(sentences: list[str]) -> str:
    return ("" if all(_is_cjk(s) for s in sentences) else " ").join(sentences)


def _looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    return (
        bool(stripped)
        and len(stripped.split()) <= 10
        and not _ENDS_SENTENCE.search(stripped)
        and not stripped.endswith((",", ";"))
    )


def _is_bold_heading(line: str) -> bool:
    """A short line all in bold or italics with no sentence end: a heading in disguise."""
    match = _BOLD_LINE.fullmatch(line)
    return bool(match) and _looks_like_heading(match[1].rstrip(":："))


def _is_title(line: str, subject: str | None) -> bool:
    """A line that is only a label ("Description:") or the subject's name, as a title."""
    bare = line.strip().strip("*_").strip()
    if not bare:
        return False
    label = _LABEL.match(bare)
    if label and label.end() == len(bare):
        return True
    return bool(subject) and bool(_SUBJECT_LABEL.fullmatch(bare.replace(subject, _SUBJECT)))


def _without_bold_label(line: str) -> str:
    """`**Biography:** text` as its text; a bold `**Year:** 1972` fact line is dropped."""
    match = _BOLD_LABEL.match(line)
    if not match or len(match[1].split()) > 5:
        return _plain(line)
    rest = _plain(line[match.end() :])
    if not (_reads_as_sentence(rest) or _ENDS_SENTENCE.search(rest)):
        return ""
    return rest[:1].upper() + rest[1:]


def _without_chatter(paragraphs: list[str], subject: str | None) -> list[str]:
    """Without preambles, labels, sign-offs and whole-answer wrappers, until none is left."""
    if subject:
        name = re.compile(rf"(?<!\w){re.escape(subject)}(?!\w)")
        paragraphs = [name.sub(_SUBJECT, paragraph) for paragraph in paragraphs]
    for _ in range(10):
        before = paragraphs
        paragraphs = _unwrapped(paragraphs)
        if paragraphs:
            paragraphs = [_without_preamble(paragraphs[0]), *paragraphs[1:]]
        if paragraphs:
            paragraphs = [*paragraphs[:-1], _without_sign_off(paragraphs[-1])]
        paragraphs = [paragraph for paragraph in paragraphs if paragraph]
        if paragraphs == before:
            break
    if subject:
        paragraphs = [paragraph.replace(_SUBJECT, subject) for paragraph in paragraphs]
    return paragraphs


def _unwrapped(paragraphs: list[str]) -> list[str]:
    """Without emphasis or quotes around the whole answer."""
    if not paragraphs:
        return paragraphs
    text = "\n\n".join(paragraphs)
    marker = re.match(r"\*{1,3}|_{1,3}", text)
    if marker and text.endswith(marker[0]) and len(text) > 2 * len(marker[0]):
        inner = text[len(marker[0]) : -len(marker[0])]
        if marker[0][0] not in inner:
            text = inner
    text = _unquoted(text)
    return [paragraph.strip() for paragraph in text.split("\n\n")]


def _unquoted(text: str) -> str:
    close = _QUOTES.get(text[:1])
    if close is None or len(text) < 3:
        return text
    opening, body, tail = text[0], text[1:], ""
    if body.endswith(close):
        inner = body[: -len(close)]
    elif len(body) > 1 and body[-2] == close and body[-1] in ".!?。":
        inner, tail = body[:-2], body[-1]  # "…". with the full stop outside
    else:
        return text
    if opening == close == "'":
        if re.search(r"(?<!\w)'", inner):  # an apostrophe is fine, an inner quote is not
            return text
    elif opening in inner:
        return text
    inner = inner.strip()
    return inner if not tail or _ENDS_SENTENCE.search(inner) else inner + tail


def _without_preamble(paragraph: str) -> str:
    """The paragraph without opening chatter ("Sure! Here is…:") or a label ("Biography:")."""
    text = paragraph
    for _ in range(10):
        before = text
        for pattern in (
            _INTERJECTION,
            _HELPFUL,
            _HERE_IS_LEAD_IN,
            _HERE_YOU_GO,
            _HERE_IS_META,
            _LABEL,
            _SUBJECT_LABEL,
        ):
            match = pattern.match(text)
            if match:
                text = text[match.end() :].lstrip()
        if text == before:
            break
    if text != paragraph and text[:1].islower():
        text = text[0].upper() + text[1:]
    return text


def _without_sign_off(paragraph: str) -> str:
    """The paragraph without closing chatter, a sentence at a time from the end."""
    text = paragraph
    starts = [0, *(match.end() for match in _SENTENCE_BOUNDARY.finditer(text))]
    while starts:
        start = starts.pop()
        last = text[start:]
        interjection = _INTERJECTION.match(last)
        if not (
            _SIGN_OFF.match(last)
            or _COUNT.fullmatch(last)
            or (interjection and interjection.end() == len(last))
            or not any(char.isalnum() for char in last)  # a closing emoji or a stray mark
        ):
            break
        text = text[:start].rstrip()
    return text
