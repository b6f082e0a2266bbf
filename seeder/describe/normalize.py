"""Model answers as plain prose: markdown, chatter and reasoning taken out before a text is stored.

Many models, local ones most of all, answer in markdown (`## Description`,
`**bold**`, lists, code fences) and wrap the text in pleasantries ("Sure!
Here is…", "I hope this helps!"). Pages show plain paragraphs, so every answer
is reduced to its prose here, before the length and sentence rules of
`run.checked()`. What cannot be read as prose is refused like an empty answer:
an answer that was only a preamble, only reasoning, or a list of short facts.

Lists become sentences only when every item reads as one (a few words with
lowercase words among them, as a sentence has); a list with any item that is
only a name, a number or a `Key: value` fact is dropped whole, with its
lead-in line, because half a fact list turned into prose reads like notes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .base import ProviderError

__all__ = ["plain_prose"]

# Stands in for the subject's name while chatter is matched, so a title such as
# "Sure Thing!" or "Star Wars: Episode IV" is never taken for a preamble or a label.
_SUBJECT = "\ue000"

_REASONING_TAGS = "think|thinking|reasoning|reflection"
_REASONING = re.compile(rf"<({_REASONING_TAGS})>.*?</\1\s*>", re.I | re.S)
_REASONING_OPEN = re.compile(rf"<(?:{_REASONING_TAGS})>", re.I)
_REASONING_CLOSE = re.compile(rf"</(?:{_REASONING_TAGS})\s*>", re.I)

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>", re.I)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^<>]*>(.*?)</h\1\s*>", re.I | re.S)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)
_HTML_ITEM = re.compile(r"<li\b[^<>]*>", re.I)
_HTML_BLOCK = re.compile(
    r"</?(?:p|div|section|article|blockquote|ul|ol|li|pre|table|tr|hr)\b[^<>]*>", re.I
)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});")

_FENCE_LINE = re.compile(r"^\s*(?:`{3,}|~{3,})[^`\n]*$", re.M)
_QUOTE_MARKER = re.compile(r"^\s*(?:>\s?)+")
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_UNDERLINE = re.compile(r"^\s*(?:=+|-+)\s*$")
_RULE = re.compile(r"^\s*(?:(?:\*\s*){3,}|(?:_\s*){3,}|(?:-\s*){3,}|(?:=\s*){3,})$")
_LINK_DEFINITION = re.compile(r"^\s*\[[^\]\n]+\]:\s*\S+")
_ITEM = re.compile(r"^(\s*)(?:[-*+•·‣▪◦●]|\d{1,3}[.)])\s+(\S.*)$")
_META_LINE = re.compile(
    r"^[\s*_(\[]*(?:note|n\.\s?b\.|disclaimer|(?:word|character|char)s?\s+count|length)"
    r"(?!\w)[*_\s]*[:：]",
    re.I,
)
_EMPHASIZED_LINE = re.compile(r"^\s*(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1\s*[:：]?\s*$")
_EMPHASIZED_LABEL = re.compile(r"^\s*(\*\*|__)(?=\S)([^*_\n]{1,60}?)(?:[:：]\s*\1|\1\s*[:：])\s*")
_FACT_LINE = re.compile(r"^\s*(?:\*\*|__)?([^\W\d_][^:：*_\n]{0,39}?)(?:\*\*|__)?\s*[:：]\s*\S")
_ITEM_LABEL = re.compile(r"^([^:：\n]{1,40}?)\s*[:：]\s+(?=\S)")

_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
_REFERENCE_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_FOOTNOTE = re.compile(r"\[\^[^\]\n]+\]")
_CODE = re.compile(r"(`+)\s?(.+?)\s?\1")
# Spans are bounded (a long paragraph at most) so a stray marker costs linear time, not quadratic.
_SPAN = r"(.{1,600}?)"
_STRONG_EMPHASIS = re.compile(rf"(?<![\w*])\*{{3}}(?=\S){_SPAN}(?<=\S)\*{{3}}(?![\w*])")
_STRONG = re.compile(rf"(?<!\*)\*\*(?=\S){_SPAN}(?<=\S)\*\*(?!\*)")
_STRONG_UNDERSCORE = re.compile(rf"(?<![\w_])__(?=\S){_SPAN}(?<=\S)__(?![\w_])")
# No emphasis inside a word: M*A*S*H and snake_case stay as they are.
_EMPHASIS = re.compile(rf"(?<![\w*\\])\*(?=[^\s*]){_SPAN}(?<=[^\s*\\])\*(?![\w*])")
_EMPHASIS_UNDERSCORE = re.compile(rf"(?<![\w_\\])_(?=[^\s_]){_SPAN}(?<=[^\s_\\])_(?![\w_])")
_STRIKE = re.compile(rf"~~(?=\S){_SPAN}(?<=\S)~~")
_STRAY_MARKUP = re.compile(r"\*{2,}|(?<!\w)_{2,}|_{2,}(?!\w)|`+")
_ESCAPE = re.compile(r"\\([\\`*_#\[\]()>~.!-])")

_ENDS_SENTENCE = re.compile(r"[.!?…。！？][\"”’'»)\]]*$")
_SENTENCE_BOUNDARY = re.compile(r"(?:[.!?…]+[\"”’'»)\]]*\s+|[。！？]+\s*)(?=\S)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")
# Words that join names in a cast list ("Brando, Pacino and Caan"); they do not make a sentence.
_CONNECTORS = frozenset(
    {"and", "or", "&", "of", "de", "da", "do", "dos", "das", "van", "von", "der", "den", "di",
     "del", "du", "la", "le", "e", "y", "et", "und"}
)  # fmt: skip

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
class _Findings:
    """What was taken out, to say why an answer that became empty is refused."""

    reasoning_only: bool = False
    dropped_list: bool = False


def plain_prose(answer: str, *, subject: str | None = None) -> str:
    """The answer's prose without markdown, chatter or reasoning; ProviderError if none is left."""
    findings = _Findings()
    text = answer.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    if not text.strip():
        raise ProviderError("the answer was empty")
    text = _without_reasoning(text)
    findings.reasoning_only = not text.strip()
    text = _without_fences(_without_html(text))
    lines = _prose_lines(text.split("\n"), subject, findings)
    paragraphs = [" ".join(_inline(" ".join(block)).split()) for block in _paragraphs(lines)]
    paragraphs = _without_chatter([p for p in paragraphs if p], subject)
    if paragraphs:
        return "\n\n".join(paragraphs)
    if findings.reasoning_only:
        raise ProviderError("the answer was only the model's reasoning (<think>), with no text")
    if findings.dropped_list:
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


def _without_html(text: str) -> str:
    text = _HTML_COMMENT.sub("", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_HEADING.sub(lambda match: f"\n\n# {match[2]}\n\n", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_ITEM.sub("\n- ", text)
    text = _HTML_BLOCK.sub("\n\n", text)
    text = _HTML_TAG.sub("", text)
    return _ENTITY.sub(lambda match: html.unescape(match[0]), text)


def _without_fences(text: str) -> str:
    return _FENCE_LINE.sub("", text)


def _prose_lines(raw: list[str], subject: str | None, findings: _Findings) -> list[str]:
    """The lines that carry prose; a blank line wherever a dropped line separated paragraphs."""
    lines = [_QUOTE_MARKER.sub("", line).rstrip() for line in raw]
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _UNDERLINE.match(line) or _RULE.match(line):
            if _UNDERLINE.match(line) and kept and _looks_like_heading(kept[-1]):
                kept.pop()  # a setext heading: the line above the underline is its text
            kept.append("")
            index += 1
            continue
        items, index_after = _list_at(lines, index, subject)
        if items:
            _drop_lead_in(kept)
            sentences = [_item_sentence(item) for item in items]
            written = [sentence for sentence in sentences if sentence]
            if len(written) == len(sentences):
                kept += ["", _joined(written), ""]
            else:
                findings.dropped_list = True
                kept.append("")
            index = index_after
            continue
        index += 1
        if (
            _LINK_DEFINITION.match(line)
            or _ATX_HEADING.match(line)
            or _META_LINE.match(line)
            or _is_pseudo_heading(line)
            or _is_title(line, subject)
        ):
            kept.append("")
            continue
        kept.append(_without_emphasized_label(line))
    return kept


def _list_at(lines: list[str], index: int, subject: str | None) -> tuple[list[str], int]:
    """The items of a list starting at `index` (bulleted, numbered or `Key: value` lines)."""
    if _ITEM.match(lines[index]):
        return _bulleted(lines, index)
    facts: list[str] = []
    while index < len(lines) and _is_fact_line(lines[index], subject):
        facts.append(lines[index].strip())
        index += 1
    return (facts, index) if len(facts) >= 2 else ([], index)


def _bulleted(lines: list[str], index: int) -> tuple[list[str], int]:
    items: list[str] = []
    while index < len(lines):
        line = lines[index]
        item = _ITEM.match(line)
        if item and not _RULE.match(line):
            items.append(item[2])
            index += 1
        elif not line.strip():
            following = next((i for i in range(index, len(lines)) if lines[i].strip()), None)
            if following is None or not _ITEM.match(lines[following]):
                break
            index = following
        elif line[:1].isspace():
            items[-1] += " " + line.strip()
            index += 1
        else:
            break
    return items, index


def _is_fact_line(line: str, subject: str | None) -> bool:
    """A `Key: value` line; not a label that opens the text ("Description: …") nor a title."""
    match = _FACT_LINE.match(line)
    return (
        bool(match)
        and len(match[1].split()) <= 4
        and not _META_LINE.match(line)
        and not _LABEL.match(_inline(line).strip())
        and not _is_title(line, subject)
    )


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
    text = _inline(item).strip()
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


def _is_pseudo_heading(line: str) -> bool:
    """A short line all in bold or italics with no sentence end: a heading in disguise."""
    match = _EMPHASIZED_LINE.match(line)
    return bool(match) and _looks_like_heading(match[2].rstrip(":："))


def _is_title(line: str, subject: str | None) -> bool:
    """A line that is only a label ("Description:") or the subject's name, as a title."""
    bare = _inline(line).strip().strip("*_").strip()
    if not bare:
        return False
    label = _LABEL.match(bare)
    if label and label.end() == len(bare):
        return True
    return bool(subject) and bool(_SUBJECT_LABEL.fullmatch(bare.replace(subject, _SUBJECT)))


def _without_emphasized_label(line: str) -> str:
    """`**Biography:** text` as its text; a bold `**Year:** 1972` fact line is dropped."""
    match = _EMPHASIZED_LABEL.match(line)
    if not match or len(match[2].split()) > 5:
        return line
    rest = line[match.end() :]
    plain = _inline(rest).strip()
    if not (_reads_as_sentence(plain) or _ENDS_SENTENCE.search(plain)):
        return ""
    return rest[:1].upper() + rest[1:]


def _paragraphs(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _inline(text: str) -> str:
    """Text without inline markdown: images, links, code, emphasis and escapes."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE_LINK.sub(r"\1", text)
    text = _FOOTNOTE.sub("", text)
    text = _CODE.sub(r"\2", text)
    for pattern in (
        _STRONG_EMPHASIS,
        _STRONG,
        _STRONG_UNDERSCORE,
        _EMPHASIS,
        _EMPHASIS_UNDERSCORE,
        _STRIKE,
    ):
        text = pattern.sub(r"\1", text)
    text = _STRAY_MARKUP.sub("", text)
    return _ESCAPE.sub(r"\1", text)


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
