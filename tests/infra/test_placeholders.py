"""Designed placeholders: well-formed, escaped, laid out to fit, readable on every background."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from app.infra import placeholders
from app.infra.placeholders import (
    AA_CONTRAST,
    DEPARTMENT_COLOURS,
    GENRE_COLOURS,
    HEIGHT,
    TEXT_WIDTH,
    TITLE_SIZES,
    WIDTH,
    contrast_ratio,
    credit,
    department_background,
    fit,
    genre_background,
    gradient_samples,
    movie_poster,
    person_portrait,
    text_width,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LONG_TITLE = (
    "The Extraordinarily Long and Winding Tale of a Projectionist Who Kept the Last "
    "Cinema in Town Open Through Every Winter!"
)


def parse(svg: str) -> ET.Element:
    """The document, parsed as any XML reader would (it raises on malformed markup)."""
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def lines(root: ET.Element, weight: str) -> list[ET.Element]:
    """The <text> lines of one weight: 700 the title or name, 600 the year or department."""
    return [text for text in root.iter(f"{SVG}text") if text.get("font-weight") == weight]


def title_of(root: ET.Element) -> str:
    return root.find(f"{SVG}title").text or ""


def assert_fits_the_frame(root: ET.Element) -> None:
    """Every line, by the width estimate, inside the text column; every baseline in the frame."""
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size"))
        spacing = float(text.get("letter-spacing", 0))
        assert text_width(text.text, size, spacing=spacing) <= TEXT_WIDTH + 0.01, text.text
        assert size <= float(text.get("y")) <= HEIGHT - 20, text.text


def test_a_poster_is_a_self_contained_accessible_svg():
    drawn = movie_poster(
        title="Alien", year=1979, directors=["Ridley Scott"], genres=["science-fiction", "horror"]
    )
    root = parse(drawn.svg)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    assert root[0].tag == f"{SVG}title", "the accessible name comes first"
    assert title_of(root) == "Alien"
    assert [text.text for text in lines(root, "700")] == ["Alien"]
    assert [text.text for text in lines(root, "600")] == ["1979"]
    assert [text.text for text in lines(root, "500")] == ["Ridley Scott"]
    for external in ("href", "<style", "@import", "url(http"):
        assert external not in drawn.svg
    assert "sans-serif" in root.find(f"{SVG}g[@font-family]").get("font-family")
    assert_fits_the_frame(root)


@pytest.mark.parametrize(
    "title",
    [
        'Tom & Jerry <script>alert("x")</script>',
        'Fish & Chips\'s "Best" <Film>',
        "]]><!-- --><![CDATA[ &amp; &#0;",
        "Nul\x00 bell\x07 and a lone surrogate \ud800 here\ufffe",
    ],
)
def test_hostile_titles_are_escaped_and_the_document_stays_well_formed(title):
    drawn = movie_poster(title=title, year=2001, directors=["A <B> & 'C'"], genres=["music"])
    root = parse(drawn.svg)

    readable = placeholders.xml_text(title)
    assert title_of(root) == ET.fromstring(f"<t>{readable}</t>").text  # noqa: S314
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in drawn.svg

    def letters(text: str) -> str:
        return "".join(text.split()).replace("-", "")

    assert letters("".join(text.text for text in lines(root, "700"))) == letters(title_of(root))
    assert [text.text for text in lines(root, "500")] == ["A <B> & 'C'"]


def test_a_long_title_wraps_into_lines_that_each_fit():
    title = LONG_TITLE
    assert len(title) == 120
    root = parse(movie_poster(title=title, year=2024, directors=["Someone"]).svg)

    title_lines = [text.text for text in lines(root, "700")]
    assert len(title_lines) > 3
    assert " ".join(title_lines) == title, "wrapped at spaces, nothing lost"
    assert_fits_the_frame(root)


def test_a_single_forty_letter_word_is_broken_into_fitting_pieces():
    word = "Supercalifragilisticexpialidociousnesses"
    assert len(word) == 40
    root = parse(movie_poster(title=word, year=None).svg)

    pieces = [text.text for text in lines(root, "700")]
    assert len(pieces) > 1
    assert "".join(piece.removesuffix("-") for piece in pieces) == word
    assert all(piece.endswith("-") for piece in pieces[:-1])
    assert_fits_the_frame(root)


def test_whole_words_are_kept_at_a_smaller_size_rather_than_broken():
    fitted = fit("Casablanca", sizes=TITLE_SIZES, height=200)
    assert fitted.lines == ("Casablanca",)
    assert fitted.size < TITLE_SIZES[0]


def test_a_short_title_gets_the_largest_size():
    assert fit("Up", sizes=TITLE_SIZES, height=200).size == TITLE_SIZES[0]


def test_a_title_too_long_for_any_size_ends_in_an_ellipsis():
    title = " ".join(["Interminable"] * 60)
    fitted = fit(title, sizes=TITLE_SIZES, height=200)

    assert fitted.size == TITLE_SIZES[-1]
    assert fitted.lines[-1].endswith("…")
    assert fitted.height <= 200
    assert all(text_width(line, fitted.size) <= TEXT_WIDTH for line in fitted.lines)


@pytest.mark.parametrize(
    ("title", "language", "direction"),
    [
        ("七人の侍", "ja", None),
        ("千と千尋の神隠し", "ja", None),
        ("東京物語の世界 東京大学東京大学東京大学", "ja", None),  # kanji-only lines too
        ("기생충", "ko", None),
        ("헤어질 결심", "ko", None),
        ("طعم الكرز", None, "rtl"),
        ("ואלס עם באשיר", None, "rtl"),
        ("Броненосец «Потёмкин»", None, None),
        ("पाथेर पांचाली", None, None),
    ],
)
def test_other_scripts_are_laid_out_and_marked(title, language, direction):
    root = parse(movie_poster(title=title, year=1954, directors=["黒澤明"], genres=["drama"]).svg)

    title_lines = lines(root, "700")
    assert "".join(text.text for text in title_lines).replace(" ", "") == title.replace(" ", "")
    assert {text.get(XML_LANG) for text in title_lines} == {language}
    assert {text.get("direction") for text in title_lines} == {direction}
    assert_fits_the_frame(root)


def test_full_width_characters_count_as_two_narrow_ones():
    assert text_width("侍", 10) == pytest.approx(2 * text_width("n", 10), rel=0.4)
    assert text_width("侍侍侍侍", 10) > text_width("abcd", 10)
    assert text_width("é", 10) == text_width("e\u0301", 10), "a combining accent takes no room"


def test_cjk_breaks_between_characters_but_not_before_closing_punctuation():
    wrapped, broken = wrap("あいうえおかきくけこ、さしすせそ。", size=40)
    assert broken == 0
    assert len(wrapped) > 1
    assert not any(line.startswith(("、", "。")) for line in wrapped)
    assert "".join(wrapped) == "あいうえおかきくけこ、さしすせそ。"


def test_without_a_year_or_a_director_only_the_title_is_drawn():
    root = parse(movie_poster(title="Heat", year=None, directors=[]).svg)

    assert lines(root, "600") == []
    assert lines(root, "500") == []
    assert [text.text for text in lines(root, "700")] == ["Heat"]
    assert len(root.findall(f"{SVG}g/{SVG}rect")) == 0, "no rule under the title"


@pytest.mark.parametrize(("year", "directors"), [(1999, []), (None, ["Agnès Varda"])])
def test_a_year_or_a_director_alone_is_drawn_under_a_rule(year, directors):
    root = parse(movie_poster(title="Cléo", year=year, directors=directors).svg)

    drawn = [text.text for text in lines(root, "600") + lines(root, "500")]
    assert drawn == ([str(year)] if year else directors)
    assert len(root.findall(f"{SVG}g/{SVG}rect")) == 1


def test_two_directors_share_a_line_or_take_one_each_and_more_are_summed_up():
    assert credit(["Lana", "Lilly"]).lines == ("Lana & Lilly",)
    assert credit(["Jean-Pierre Jeunet", "Marc Caro"]).lines == (
        "Jean-Pierre Jeunet &",
        "Marc Caro",
    )
    assert credit(["A", "B", "C"]).lines == ("A, B & others",)
    assert credit(["Same", "Same"]).lines == ("Same",)
    assert credit([]).lines == ()


def test_directors_too_long_for_two_lines_are_wrapped_and_cut():
    long_names = credit(["Apichatpong Weerasethakul", "Bartholomew Montgomery-Smythe"])
    assert len(long_names.lines) == 2
    assert long_names.lines[-1].endswith("…")
    assert all(text_width(line, long_names.size) <= TEXT_WIDTH for line in long_names.lines)
    assert credit(["Apichatpong Weerasethakul"]).lines == ("Apichatpong", "Weerasethakul")


def test_a_person_without_a_photo_gets_their_name_and_department():
    drawn = person_portrait(name="Apichatpong Weerasethakul", department="Directing")
    root = parse(drawn.svg)

    assert title_of(root) == "Apichatpong Weerasethakul"
    assert [text.text for text in lines(root, "700")] == ["Apichatpong", "Weerasethakul"]
    assert [text.text for text in lines(root, "600")] == ["DIRECTING"]
    assert_fits_the_frame(root)
    assert person_portrait(name="Somebody", department=None).svg.count("<text") == 1


def test_the_palette_follows_the_genres():
    horror = genre_background(["horror"], seed="x")
    assert horror.stops != genre_background(["science-fiction"], seed="x").stops
    both = genre_background(["drama", "horror", "science-fiction"], seed="x")
    assert both.stops == genre_background(["science-fiction", "horror"], seed="x").stops, (
        "the most telling two genres, in the palette's order, whatever the film's order"
    )
    assert (
        genre_background(["unknown-genre"], seed="A").stops == genre_background([], seed="A").stops
    )
    assert genre_background([], seed="A").stops != genre_background([], seed="B").stops
    kin = {genre_background(["crime", "drama"], seed=title).stops for title in ("Heat", "Ran")}
    assert len(kin) == 2, "two films of the same genres differ a little"
    assert genre_background(["animation"], seed="x").ink == placeholders.DARK_INK, "a bright one"
    assert horror.ink == placeholders.LIGHT_INK


def lowest(ink: str, stops: tuple[str, str]) -> float:
    """The ink's contrast where the background is worst for it, finer than the code samples."""
    return min(contrast_ratio(ink, colour) for colour in gradient_samples(stops, 101))


# Titles whose nudges span the range: the hue and lightness each film's colours are moved by.
SEEDS = ["Heat", "Ran", "M", "Alien", "七人の侍", "", *(f"Film {number}" for number in range(12))]


@pytest.mark.parametrize("genre", list(GENRE_COLOURS))
def test_text_reaches_aa_contrast_on_every_genre_background(genre):
    for seed in SEEDS:
        background = genre_background([genre], seed=seed)
        assert lowest(background.ink, background.stops) >= AA_CONTRAST, seed


def test_text_reaches_aa_contrast_on_every_two_genre_gradient():
    worst = min(
        (lowest(background.ink, background.stops), pair, seed)
        for pair in itertools.combinations(GENRE_COLOURS, 2)
        for seed in SEEDS[:6]
        for background in [genre_background(pair, seed=seed)]
    )
    assert worst[0] >= AA_CONTRAST, worst


@pytest.mark.parametrize("department", [*DEPARTMENT_COLOURS, None, "Unheard Of"])
def test_text_reaches_aa_contrast_on_every_department_and_neutral(department):
    for seed in ("Al Pacino", "Zoë", "七人の侍", "", "x" * 50):
        background = department_background(department, seed=seed)
        assert lowest(background.ink, background.stops) >= AA_CONTRAST, (department, seed)
        neutral = genre_background([], seed=seed)
        assert lowest(neutral.ink, neutral.stops) >= AA_CONTRAST, seed


def test_the_contrast_ratio_is_wcag_s():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#123456", "#123456") == 1


def test_the_digest_changes_with_what_is_drawn_from_the_card():
    digest = placeholders.movie_digest
    assert digest("Alien", 1979) == digest("Alien", 1979)
    assert digest("Alien", 1979) != digest("Aliens", 1979) != digest("Alien", 1986)
    assert movie_poster(title="Alien", year=1979).digest == digest("Alien", 1979)
    person = placeholders.person_digest
    assert person("Sigourney Weaver", "Acting") != person("Sigourney Weaver", "Production")
    assert person_portrait(name="Al", department=None).digest == person("Al", None)
