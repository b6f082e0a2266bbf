"""Model answers reduced to plain prose: the shapes models really answer in."""

from __future__ import annotations

import pytest

from seeder.describe.base import ProviderError
from seeder.describe.normalize import plain_prose

GODFATHER = "The Godfather is a 1972 crime film directed by Francis Ford Coppola."
FAMILY = "It follows the Corleone family."


def case(answer: str, expected: str, *, subject: str = "The Godfather", name: str):
    """One row of the table: an answer, its subject and the prose it must become."""
    return pytest.param(answer, subject, expected, id=name)


@pytest.mark.parametrize(
    ("answer", "subject", "expected"),
    [
        case(GODFATHER, GODFATHER, name="plain-answer-unchanged"),
        case(f"{GODFATHER}\n\n{FAMILY}", f"{GODFATHER}\n\n{FAMILY}", name="paragraphs-kept"),
        case(f"## Description\n\n{GODFATHER}", GODFATHER, name="atx-heading"),
        case(f"# The Godfather (1972)\n{GODFATHER}", GODFATHER, name="title-heading-with-year"),
        case(f"The Godfather\n=============\n\n{GODFATHER}", GODFATHER, name="setext-title"),
        case(f"Description\n-----------\n{GODFATHER}", GODFATHER, name="setext-label"),
        case(f"Description: {GODFATHER}", GODFATHER, name="label-colon"),
        case(f"**Biography:** {GODFATHER}", GODFATHER, name="bold-label"),
        case(f"**Description**\n\n{GODFATHER}", GODFATHER, name="bold-label-own-line"),
        case(
            "Overview - the film follows the Corleone family.",
            "The film follows the Corleone family.",
            name="label-dash-then-capital",
        ),
        case(f"Description (60 words): {GODFATHER}", GODFATHER, name="label-with-count"),
        case(f"The Godfather:\n{GODFATHER}", GODFATHER, name="subject-as-label"),
        case(f"**The Godfather**\n{GODFATHER}", GODFATHER, name="subject-bold-own-line"),
        case(f"Title: The Godfather\nDescription: {GODFATHER}", GODFATHER, name="title-and-label"),
        case(f"**{GODFATHER}**", GODFATHER, name="bold-whole-answer"),
        case(
            f"*{GODFATHER}\n\n{FAMILY}*", f"{GODFATHER}\n\n{FAMILY}", name="italic-two-paragraphs"
        ),
        case(
            "**The Godfather** is a 1972 *crime* film by __Francis Ford Coppola__, "
            "with _Al Pacino_.",
            "The Godfather is a 1972 crime film by Francis Ford Coppola, with Al Pacino.",
            name="emphasis-inside-a-sentence",
        ),
        case(
            "`The Godfather` is a 1972 ***crime*** film.",
            "The Godfather is a 1972 crime film.",
            name="inline-code-and-bold-italic",
        ),
        case(f"```text\n{GODFATHER}\n```", GODFATHER, name="code-fence"),
        case(f'```\n"{GODFATHER}"\n```', GODFATHER, name="quoted-inside-a-fence"),
        case(f'"{GODFATHER}"', GODFATHER, name="straight-quotes"),
        case(f"“{GODFATHER}”", GODFATHER, name="curly-quotes"),
        case(f"«{GODFATHER}»", GODFATHER, name="guillemets"),
        case(
            "'The Godfather is Coppola's 1972 crime film.'",
            "The Godfather is Coppola's 1972 crime film.",
            name="single-quotes-around-an-apostrophe",
        ),
        case(f'"{GODFATHER.removesuffix(".")}".', GODFATHER, name="full-stop-outside-quotes"),
        case(
            '"The Godfather" is a film about "family".',
            '"The Godfather" is a film about "family".',
            name="quotes-inside-kept",
        ),
        case(f"> {GODFATHER}\n> {FAMILY}", f"{GODFATHER} {FAMILY}", name="blockquote"),
        case(
            "- The Godfather is a 1972 crime film.\n- It follows the Corleone family\n"
            "- its story spans ten years",
            "The Godfather is a 1972 crime film. It follows the Corleone family. "
            "Its story spans ten years.",
            name="bullets-become-sentences",
        ),
        case(
            "1. The Godfather is a crime film.\n2) Marlon Brando plays Vito Corleone.",
            "The Godfather is a crime film. Marlon Brando plays Vito Corleone.",
            name="numbered-items-become-sentences",
        ),
        case(
            "• **Early life:** Brando was born in Omaha in 1924.\n"
            "• **Career:** He studied acting in New York",
            "Brando was born in Omaha in 1924. He studied acting in New York.",
            subject="Marlon Brando",
            name="labelled-items-become-sentences",
        ),
        case(
            f"{GODFATHER}\n\nKey facts:\n- Year: 1972\n- Director: Francis Ford Coppola",
            GODFATHER,
            name="fact-list-dropped-with-its-lead-in",
        ),
        case(
            f"**Genre:** Crime, Drama\n**Runtime:** 175 minutes\n\n{GODFATHER}",
            GODFATHER,
            name="bold-fact-lines-dropped",
        ),
        case(
            f"Sure! Here is a short description of The Godfather:\n\n{GODFATHER}",
            GODFATHER,
            name="preamble-line",
        ),
        case(f"Certainly, here's a description: {GODFATHER}", GODFATHER, name="preamble-same-line"),
        case(
            f"Here is a short description of The Godfather.\n\n{GODFATHER}",
            GODFATHER,
            name="preamble-without-colon",
        ),
        case(f"Of course! {GODFATHER}", GODFATHER, name="interjection"),
        case(
            f"I'd be happy to help! Here's a biography:\n{GODFATHER}",
            GODFATHER,
            name="happy-to-help",
        ),
        case(f"{GODFATHER}\n\nI hope this helps!", GODFATHER, name="sign-off-paragraph"),
        case(
            f"{GODFATHER} Let me know if you'd like any changes.",
            GODFATHER,
            name="sign-off-sentence",
        ),
        case(f"{GODFATHER}\n\n(Word count: 85)", GODFATHER, name="word-count"),
        case(f"{GODFATHER} Of course!", GODFATHER, name="closing-interjection"),
        case(
            f"Note: I used only the facts given.\n\n{GODFATHER}\n\n---\n\n"
            "*Note: this text avoids spoilers.* Feel free to ask for a shorter version! 😊",
            GODFATHER,
            name="notes-rule-and-feel-free",
        ),
        case(
            f"<think>The facts say 1972.\nKeep it short.</think>\n\n{GODFATHER}",
            GODFATHER,
            name="think",
        ),
        case(
            f"Okay, the user wants a text.\n</think>\n{GODFATHER}",
            GODFATHER,
            name="think-close-only",
        ),
        case(
            "The Godfather is a [1972](https://example.org/1972) crime film by "
            "[Francis Ford Coppola](https://en.wikipedia.org/wiki/Francis_Ford_Coppola_(director)).",
            "The Godfather is a 1972 crime film by Francis Ford Coppola.",
            name="markdown-links",
        ),
        case(
            f"<p>{GODFATHER}<br>{FAMILY}</p>\n<p>It is a <b>classic</b> &amp; a landmark.</p>",
            f"{GODFATHER} {FAMILY}\n\nIt is a classic & a landmark.",
            name="html-tags-and-entities",
        ),
        case(
            "Sure! Here's a short description of The Godfather:\n\n## The Godfather (1972)\n\n"
            "**The Godfather** is a *1972* crime film directed by `Francis Ford Coppola`.\n\n"
            "**Cast:** Marlon Brando, Al Pacino\n**Runtime:** 175 minutes\n\n"
            "---\nI hope this helps! Let me know if you need any changes.",
            GODFATHER,
            name="everything-at-once",
        ),
        case(
            "<think>Portuguese, then.</think>\nClaro! Aqui está uma descrição curta:\n\n"
            "**Descrição:** O Poderoso Chefão é um filme policial de 1972.",
            "O Poderoso Chefão é um filme policial de 1972.",
            subject="O Poderoso Chefão",
            name="portuguese-chatter",
        ),
        case(
            "O Poderoso Chefão é um filme policial de 1972, dirigido por Francis Ford Coppola. "
            "A história acompanha a família Corleone.",
            "O Poderoso Chefão é um filme policial de 1972, dirigido por Francis Ford Coppola. "
            "A história acompanha a família Corleone.",
            subject="O Poderoso Chefão",
            name="portuguese-unchanged",
        ),
        case(
            "『七人の侍』は1954年の日本映画。監督は黒澤明。",
            "『七人の侍』は1954年の日本映画。監督は黒澤明。",
            subject="七人の侍",
            name="japanese-unchanged",
        ),
        case(
            "## 概要\n\n「七人の侍は1954年の日本映画です。」",
            "七人の侍は1954年の日本映画です。",
            subject="七人の侍",
            name="japanese-heading-and-brackets",
        ),
        case(f"{GODFATHER}\n---\nI hope this helps!", GODFATHER, name="sentence-above-a-dash-line"),
        case(
            "**M*A*S*H** is a 1970 war comedy directed by Robert Altman.",
            "M*A*S*H is a 1970 war comedy directed by Robert Altman.",
            subject="M*A*S*H",
            name="bold-title-with-asterisks",
        ),
        case(f"    {GODFATHER}\n    {FAMILY}", f"{GODFATHER} {FAMILY}", name="indented-lines"),
        case(
            f"```markdown\n## The Godfather\n\n**{GODFATHER.removesuffix('.')}**.\n```",
            GODFATHER,
            name="markdown-inside-a-fence",
        ),
        case(
            f"**Cast:**\n- Marlon Brando\n- Al Pacino\n{GODFATHER}",
            GODFATHER,
            name="text-right-after-a-fact-list",
        ),
        case(
            f"- {GODFATHER}\n  - {FAMILY}",
            f"{GODFATHER} {FAMILY}",
            name="nested-items-become-sentences",
        ),
        case(
            f"{GODFATHER}\n\n| Year | Director |\n|---|---|\n| 1972 | Coppola |",
            GODFATHER,
            name="table-dropped",
        ),
        case(
            "The Godfather is a 1972 crime film by [Francis Ford Coppola][1].[^1]\n\n"
            "[1]: https://example.org/coppola\n[^1]: Source: the catalog.",
            "The Godfather is a 1972 crime film by Francis Ford Coppola.",
            name="reference-link-and-footnote",
        ),
        case(
            "<h2>Early life</h2>\n<p>Brando was born in Omaha in 1924.</p>",
            "Brando was born in Omaha in 1924.",
            subject="Marlon Brando",
            name="html-heading",
        ),
        case(
            "The Godfather is a 1972 \\*crime\\* film.",
            "The Godfather is a 1972 *crime* film.",
            name="escaped-asterisks-kept",
        ),
    ],
)
def test_an_answer_becomes_plain_prose(answer, subject, expected):
    assert plain_prose(answer, subject=subject) == expected


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        pytest.param("Sure! Here you go:", "no text once", id="only-a-preamble"),
        pytest.param("## Description\n\n**The Godfather**", "no text once", id="only-headings"),
        pytest.param("I hope this helps!", "no text once", id="only-a-sign-off"),
        pytest.param(
            "- Year: 1972\n- Director: Francis Ford Coppola\n- Runtime: 175 minutes",
            "list of short facts",
            id="key-value-list",
        ),
        pytest.param(
            "Here are the key facts:\n\n* Crime\n* Drama\n* Francis Ford Coppola",
            "list of short facts",
            id="list-of-words",
        ),
        pytest.param(
            "- The Godfather is a 1972 crime film.\n- Marlon Brando, Al Pacino and James Caan",
            "list of short facts",
            id="list-with-one-item-only-names",
        ),
        pytest.param(
            "| Year | Director |\n|---|---|\n| 1972 | Francis Ford Coppola |",
            "list of short facts",
            id="table",
        ),
        pytest.param("<think>The user wants a description of", "reasoning", id="cut-off-thinking"),
        pytest.param("<think>Done.</think>", "reasoning", id="only-reasoning"),
        pytest.param("  \n ", "empty", id="blank"),
    ],
)
def test_an_answer_with_no_prose_left_is_refused(answer, reason):
    with pytest.raises(ProviderError, match=reason):
        plain_prose(answer, subject="The Godfather")


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Dr. Strangelove", "Dr. Strangelove is a 1964 satire directed by Stanley Kubrick."),
        ("The Godfather", "The film's one rule is simple: never go against the family."),
        ("Heat", "Heat is a 1995 film; its director's cut runs 170 minutes."),
        ("Heat", "The crew named the file heat_final_cut_v2 and the scene snake_case_take_3."),
        ("M*A*S*H", "M*A*S*H is a 1970 war comedy directed by Robert Altman."),
        ("Sure Thing!", "Sure Thing! is a 1985 romantic comedy."),
        ("Great Expectations", "Great Expectations is a 1946 drama by David Lean."),
        ("Star Wars: Episode IV", "Star Wars: Episode IV is a 1977 space opera by George Lucas."),
        ("Ada Lead", "Ada Lead is known for acting work. In this catalog: First Light (1999)."),
        ("Editor", "Editor is a film crew job in the editing department, with 3 credits."),
        ("#Alive", "#Alive is a 2020 horror film set in Seoul."),
        ("(500) Days of Summer", "(500) Days of Summer is a romance film from 2009."),
        ("[REC]", "[REC] is a 2007 horror film. Thanks to its success, sequels followed."),
        ("Heat", "Heat is a crime film. Its heist involves 120 characters."),
        ("Heat", "Heat has a score by Elliot Goldenthal; 2 + 2 * 3 is not in it."),
        ("Heat", "1995. That is the year Heat came out, with Pacino and De Niro."),
        ("Heat", "Heat runs 170 minutes. 1995 was the year it came out."),
    ],
)
def test_plain_prose_survives_unchanged(subject, text):
    assert plain_prose(text, subject=subject) == text


def test_the_subject_is_optional():
    assert plain_prose(f"## Description\n\nSure! {GODFATHER}") == GODFATHER
