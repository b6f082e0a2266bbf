"""What the API reads and answers, as marshmallow schemas: the OpenAPI document is made from them.

Answers are dumped from the same models and service results the pages show;
texts are in the reader's language (`?language=` or Accept-Language) where
the catalog has them, and say which language they are in.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from ..infra.images import tmdb_image_url
from ..models import ImportSource, JobStatus
from ..services import api_tokens, catalog, diary, people, reviews
from ..services.paging import PAGE_SIZES
from ..services.search import MAX_QUERY_LENGTH

MAX_PER_PAGE = max(PAGE_SIZES)
MAX_ID = 2**31 - 1
# A NUL byte is never meaningful text, and PostgreSQL text cannot hold one.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error=_l("Text may not hold a NUL character."))


class Schema(ma.Schema):
    """Answers list every field, null when unknown; requests refuse fields they do not know."""

    error_messages = {  # noqa: RUF012 (marshmallow's own mapping)
        "unknown": _l("Unknown field."),
        "type": _l("Send a JSON object."),
    }

    class Meta:
        unknown = ma.RAISE


# ---- what requests are checked with, its messages in the reader's language -----


class Checked:
    """Messages every request field may give, translated (marshmallow's are English)."""

    default_error_messages = {  # noqa: RUF012 (marshmallow's own mapping)
        "required": _l("This is required."),
        "null": _l("This may not be null."),
        "validator_failed": _l("This value is not valid."),
    }


class Integer(Checked, fields.Integer):
    default_error_messages = {  # noqa: RUF012
        "invalid": _l("Not a whole number."),
        "too_large": _l("This number is too large."),
    }


class Float(Checked, fields.Float):
    default_error_messages = {  # noqa: RUF012
        "invalid": _l("Not a number."),
        "too_large": _l("This number is too large."),
        "special": _l("Not a number."),
    }


class String(Checked, fields.String):
    default_error_messages = {  # noqa: RUF012
        "invalid": _l("Not text."),
        "invalid_utf8": _l("Not valid text."),
    }


class Date(Checked, fields.Date):
    default_error_messages = {  # noqa: RUF012
        "invalid": _l("Not a date: use YYYY-MM-DD."),
        "format": _l("Not a date: use YYYY-MM-DD."),
    }


class List(Checked, fields.List):
    default_error_messages = {"invalid": _l("Not a list.")}  # noqa: RUF012


def between(low: float, high: float) -> validate.Range:
    """From `low` to `high`, both included."""
    return validate.Range(low, high, error=_l("Use a number from {min} to {max}."))


def length(low: int | None = None, high: int | None = None) -> validate.Length:
    """At least `low` and at most `high` characters."""
    if low is None:
        return validate.Length(max=high, error=_l("Use at most {max} characters."))
    return validate.Length(low, high, error=_l("Use {min} to {max} characters."))


def one_of(choices: list[Any] | tuple[Any, ...]) -> validate.OneOf:
    """One of the choices, which the message lists."""
    return validate.OneOf(list(choices), error=_l("Use one of: {choices}."))


def _page_url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def computed(function: Any, *, kind: str = "string", nullable: bool = False, **metadata: Any):
    """A dumped-only value a function makes from the object, with its JSON type documented."""
    return fields.Function(
        function,
        required=not nullable,
        allow_none=nullable,
        # apispec adds "null" to the type itself for allow_none.
        metadata={"type": kind, **metadata},
    )


def image_url(attribute: str, size: str):
    """The URL of a TMDB image at a size, or null when there is none."""
    return computed(
        lambda item: tmdb_image_url(getattr(item, attribute), size), nullable=True, format="uri"
    )


class Text(String):
    """A string the database can store: no NUL, no lone surrogate (invalid in UTF-8)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("invalid_utf8") from None
        return text


class StrictBoolean(Checked, fields.Boolean):
    """A JSON true or false, nothing that merely looks like one (0, "yes")."""

    default_error_messages = {"invalid": _l("Use true or false.")}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class StrictInteger(Integer):
    """A JSON integer (2.0 is one, as JSON Schema says): not a string of digits or a boolean."""

    def _validated(self, value: Any) -> int:
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not whole:
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class OptionalText(fields.Nested):
    """A LocalText as {text, language}, or null when the text is empty."""

    def _serialize(self, nested_obj: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(nested_obj, attr, obj, **kwargs) if nested_obj else None


# ---- the catalog -------------------------------------------------------------


class LocalTextSchema(Schema):
    text = fields.String(required=True)
    language = fields.String(required=True, metadata={"description": "BCP 47 language tag"})


class GenreSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(attribute="local_name", required=True)


class GenreCountSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(attribute="local_name", required=True)
    movies = fields.Integer(attribute="count", required=True)


class MovieSummarySchema(Schema):
    """A movie as lists show it."""

    id = fields.Integer(required=True)
    tmdb_id = fields.Integer(allow_none=True)
    imdb_id = fields.String(allow_none=True)
    title = fields.String(
        attribute="local_title",
        required=True,
        metadata={"description": "In the reader's language where known"},
    )
    original_title = fields.String(allow_none=True)
    original_language = fields.String(allow_none=True)
    release_date = fields.Date(allow_none=True)
    year = fields.Integer(allow_none=True)
    runtime = fields.Integer(allow_none=True, metadata={"description": "Minutes"})
    popularity = fields.Float(required=True)
    vote_average = fields.Float(required=True, metadata={"description": "TMDB's, 0–10"})
    vote_count = fields.Integer(required=True)
    review_count = fields.Integer(required=True, metadata={"description": "Members' ratings"})
    review_average = fields.Float(allow_none=True, metadata={"description": "Members', 1–10"})
    poster_url = image_url("poster_path", "w342")
    url = computed(
        lambda movie: _page_url("movies.detail", movie_id=movie.id, slug=movie.slug),
        format="uri",
        description="The movie's page on the site",
    )


class PersonSummarySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    known_for_department = fields.String(allow_none=True)
    popularity = fields.Float(required=True)
    profile_url = image_url("profile_path", "w185")
    url = computed(
        lambda person: _page_url("people.detail", person_id=person.id, slug=person.slug),
        format="uri",
        description="The person's page on the site",
    )


class CastCreditSchema(Schema):
    person = fields.Nested(PersonSummarySchema, required=True)
    character = fields.String(allow_none=True)
    order = fields.Integer(attribute="cast_order", allow_none=True)


class CrewCreditSchema(Schema):
    person = fields.Nested(PersonSummarySchema, required=True)
    department = fields.String(allow_none=True)
    job = fields.String(allow_none=True)


class MemberFiguresSchema(Schema):
    """What members make of a movie."""

    count = fields.Integer(required=True)
    average = fields.Float(allow_none=True)
    recommend_share = fields.Float(allow_none=True, metadata={"description": "0–1"})
    distribution = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Ratings 1–10 and how many members gave each"},
    )


class MovieDetailSchema(MovieSummarySchema):
    """One movie with its genres, credits, members' figures and similar movies."""

    overview = OptionalText(LocalTextSchema, attribute="local_overview", allow_none=True)
    tagline = OptionalText(LocalTextSchema, attribute="local_tagline", allow_none=True)
    status = fields.String(allow_none=True)
    certification = fields.String(allow_none=True)
    budget = fields.Integer(allow_none=True)
    revenue = fields.Integer(allow_none=True)
    homepage = fields.String(allow_none=True)
    trailer_youtube_key = fields.String(attribute="trailer_key", allow_none=True)
    backdrop_url = image_url("backdrop_path", "w1280")
    genres = fields.List(fields.Nested(GenreSchema), required=True)
    cast = fields.List(fields.Nested(CastCreditSchema), required=True)
    crew = fields.List(fields.Nested(CrewCreditSchema), required=True)
    members = fields.Nested(MemberFiguresSchema, required=True)
    similar = fields.List(fields.Nested(MovieSummarySchema), required=True)


class FilmographyMovieSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(attribute="local_title", required=True)
    release_date = fields.Date(allow_none=True)
    year = fields.Integer(allow_none=True)
    vote_average = fields.Float(required=True)
    poster_url = image_url("poster_path", "w342")


class FilmographyCreditSchema(Schema):
    movie = fields.Nested(FilmographyMovieSchema, required=True)
    character = fields.String(allow_none=True)
    job = fields.String(allow_none=True)


class PersonDetailSchema(PersonSummarySchema):
    """One person and every credit of theirs, newest first."""

    tmdb_id = fields.Integer(allow_none=True)
    imdb_id = fields.String(allow_none=True)
    biography = OptionalText(LocalTextSchema, attribute="local_biography", allow_none=True)
    birthday = fields.Date(allow_none=True)
    deathday = fields.Date(allow_none=True)
    age = computed(people.age, kind="integer", nullable=True)
    place_of_birth = fields.String(allow_none=True)
    acting = fields.List(fields.Nested(FilmographyCreditSchema), required=True)
    crew = fields.List(fields.Nested(FilmographyCreditSchema), required=True)
    known_for = fields.List(fields.Nested(FilmographyMovieSchema), required=True)


class SearchResultsSchema(Schema):
    query = fields.String(required=True)
    movies = fields.List(fields.Nested(MovieSummarySchema), required=True)
    people = fields.List(fields.Nested(PersonSummarySchema), required=True)


class SuggestionSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["movie", "person"]))
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    subtitle = fields.String(required=True)
    url = fields.String(required=True)
    image = fields.String(allow_none=True)


class SuggestionsSchema(Schema):
    query = fields.String(required=True)
    results = fields.List(fields.Nested(SuggestionSchema), required=True)


class ReviewSchema(Schema):
    """A member's rating of a movie, with their review when they wrote one."""

    id = fields.Integer(required=True)
    movie_id = fields.Integer(required=True)
    author = computed(lambda review: review.user.username, description="The member's username")
    rating = fields.Integer(required=True, metadata={"description": "1–10"})
    body = fields.String(allow_none=True)
    contains_spoilers = fields.Boolean(required=True)
    recommends = fields.Boolean(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


# ---- requests ----------------------------------------------------------------


class PageArgs(Schema):
    page = Integer(load_default=1, validate=between(1, MAX_ID))
    per_page = Integer(load_default=24, validate=between(1, MAX_PER_PAGE))


class MovieListArgs(PageArgs):
    """The filters and sorts of /movies/, strictly: a value the API cannot use is a 422."""

    genre = List(
        Text(validate=[length(1, 80), NO_NUL]),
        load_default=list,
        metadata={"description": "Genre slugs; a movie must have every one (unknown: none match)"},
    )
    decade = Integer(
        validate=one_of(range(1890, 2030, 10)),
        metadata={"description": "A decade's first year (1990); year_from and year_to win"},
    )
    year_from = Integer(validate=between(1870, 2100))
    year_to = Integer(validate=between(1870, 2100))
    min_rating = Float(validate=between(0, 10), allow_nan=False)
    min_community = Float(validate=between(1, 10), allow_nan=False)
    runtime_min = Integer(validate=between(0, 1000))
    runtime_max = Integer(validate=between(0, 1000))
    language = String(
        validate=validate.Regexp(
            r"^[a-z]{2,3}$", error=_l("Use a language code such as en or ja.")
        ),
        metadata={"description": "Original language, an ISO 639 code such as ja"},
    )
    sort = String(load_default="popularity", validate=one_of(tuple(catalog.SORTS)))
    order = String(validate=one_of(["asc", "desc"]))


class PeopleListArgs(PageArgs):
    q = Text(validate=[length(1, MAX_QUERY_LENGTH), NO_NUL])
    department = String(validate=one_of(people.DEPARTMENTS))


class SearchArgs(Schema):
    q = Text(required=True, validate=[length(1, MAX_QUERY_LENGTH), NO_NUL])


class SuggestArgs(SearchArgs):
    kind = String(validate=one_of(["movie", "person"]))


class ReviewArgs(Schema):
    """A rating, and optionally the review that goes with it."""

    rating = StrictInteger(required=True, validate=between(1, 10))
    body = Text(
        allow_none=True,
        load_default=None,
        validate=[length(high=reviews.MAX_BODY_LENGTH), NO_NUL],
    )
    contains_spoilers = StrictBoolean(load_default=False)
    recommends = StrictBoolean(allow_none=True, load_default=None)


class DiaryArgs(Schema):
    movie_id = StrictInteger(required=True, validate=between(1, MAX_ID))
    watched_on = Date(required=True, metadata={"description": "The day, YYYY-MM-DD"})


class DiaryListArgs(PageArgs):
    year = Integer(validate=between(diary.EARLIEST_DAY.year, 9999))


# ---- members -----------------------------------------------------------------


class TokenInfoSchema(Schema):
    name = fields.String(required=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(api_tokens.SCOPES)), required=True)
    expires_at = fields.AwareDateTime(allow_none=True)


class MeSchema(Schema):
    """The member a token belongs to, what the token may do, and how much they keep here."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    locale = fields.String(allow_none=True)
    member_since = fields.AwareDateTime(required=True)
    profile_url = fields.String(required=True)
    token = fields.Nested(TokenInfoSchema, required=True)
    ratings = fields.Integer(required=True)
    watchlist = fields.Integer(required=True)
    diary_entries = fields.Integer(required=True)


class WatchlistEntrySchema(Schema):
    added_at = fields.AwareDateTime(required=True)
    movie = fields.Nested(MovieSummarySchema, required=True)


class DiaryEntrySchema(Schema):
    id = fields.Integer(required=True)
    watched_on = fields.Date(required=True)
    rating = fields.Integer(allow_none=True)
    rewatch = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    movie = fields.Nested(MovieSummarySchema, required=True)


class JobSchema(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    status = fields.Enum(JobStatus, by_value=True, required=True)
    done = fields.Integer(required=True)
    total = fields.Integer(allow_none=True)
    message = fields.String(allow_none=True)
    result = fields.List(fields.String(), allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)


class ImportSchema(Schema):
    id = fields.Integer(required=True)
    source = fields.Enum(ImportSource, by_value=True, allow_none=True)
    filename = fields.String(required=True)
    size = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    error = fields.String(allow_none=True)
    rows = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Rows by status (saved, review, failed, …)"},
    )
    job = fields.Nested(JobSchema, allow_none=True)
    url = fields.String(required=True, metadata={"description": "The import's page on the site"})


class ImportUploadArgs(Schema):
    export = Upload(required=True, metadata={"description": "The export's zip or CSV"})


# ---- pages of results ---------------------------------------------------------


class PageMetaSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


def page_of(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A schema for one page of `item`s with its position (the Link header has the rest)."""
    return type(name, (PageMetaSchema,), {"items": fields.List(fields.Nested(item), required=True)})


MoviePageSchema = page_of(MovieSummarySchema, "MoviePageSchema")
PersonPageSchema = page_of(PersonSummarySchema, "PersonPageSchema")
ReviewPageSchema = page_of(ReviewSchema, "ReviewPageSchema")
WatchlistPageSchema = page_of(WatchlistEntrySchema, "WatchlistPageSchema")
DiaryPageSchema = page_of(DiaryEntrySchema, "DiaryPageSchema")
ImportPageSchema = page_of(ImportSchema, "ImportPageSchema")
JobPageSchema = page_of(JobSchema, "JobPageSchema")
