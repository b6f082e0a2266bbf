"""SQLAlchemy models, one module per aggregate."""

from .api_token import ApiToken
from .credit import Credit, CreditKind
from .diary import DiaryEntry
from .edit import Edit, EditAction, EditChange, EntityType, FieldLock, Redirect, Tombstone
from .genre import Genre
from .imports import ROW_STATUS_LABELS, Import, ImportRow, ImportSource, RowKind, RowStatus
from .job import Job, JobStatus
from .keyword import Keyword, movie_keywords
from .localized import LocalText
from .movie import Movie, movie_genres
from .movie_list import ListVisibility, MovieList, MovieListEntry
from .person import Gender, Person
from .review import Review
from .revision import Revision
from .search import LocalSortTitle, SearchEntry
from .seen import SeenMovie
from .sync import SyncKind, SyncRun, SyncStatus
from .text import GeneratedText, TextSource
from .user import BackupCode, LoginSession, Role, User
from .watchlist import WatchlistEntry

__all__ = [
    "ROW_STATUS_LABELS",
    "ApiToken",
    "BackupCode",
    "Credit",
    "CreditKind",
    "DiaryEntry",
    "Edit",
    "EditAction",
    "EditChange",
    "EntityType",
    "FieldLock",
    "Gender",
    "GeneratedText",
    "Genre",
    "Import",
    "ImportRow",
    "ImportSource",
    "Job",
    "JobStatus",
    "Keyword",
    "ListVisibility",
    "LocalSortTitle",
    "LocalText",
    "LoginSession",
    "Movie",
    "MovieList",
    "MovieListEntry",
    "Person",
    "Redirect",
    "Review",
    "Revision",
    "Role",
    "RowKind",
    "RowStatus",
    "SearchEntry",
    "SeenMovie",
    "SyncKind",
    "SyncRun",
    "SyncStatus",
    "TextSource",
    "Tombstone",
    "User",
    "WatchlistEntry",
    "movie_genres",
    "movie_keywords",
]
