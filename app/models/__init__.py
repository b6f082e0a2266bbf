"""SQLAlchemy models, one module per aggregate."""

from .credit import Credit, CreditKind
from .diary import DiaryEntry
from .edit import Edit, EditAction, EditChange, EntityType, FieldLock, Redirect, Tombstone
from .genre import Genre
from .job import Job, JobStatus
from .keyword import Keyword, movie_keywords
from .movie import Movie, movie_genres
from .person import Gender, Person
from .review import Review
from .revision import Revision
from .search import SearchEntry
from .sync import SyncKind, SyncRun, SyncStatus
from .text import GeneratedText, TextSource
from .user import BackupCode, LoginSession, Role, User
from .watchlist import WatchlistEntry

__all__ = [
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
    "Job",
    "JobStatus",
    "Keyword",
    "LoginSession",
    "Movie",
    "Person",
    "Redirect",
    "Review",
    "Revision",
    "Role",
    "SearchEntry",
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
