"""Avatars: a member's uploaded picture, or a generated one with their initials.

`images` checks uploads and re-encodes them, `storage` keeps the files under
the media folder, `svg` draws the generated picture; the operations here give
a member a picture or take it away.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask import current_app

from ...infra.db import db
from ...models import User
from .. import revisions
from .images import DAMAGED, LARGE, NOT_AN_IMAGE, SIZES, SMALL, AvatarError, process
from .storage import is_valid_stem, path_for, remove, store
from .svg import PLACEHOLDER_COLOURS, initials, placeholder_colour, placeholder_svg

__all__ = [
    "DAMAGED",
    "LARGE",
    "NOT_AN_IMAGE",
    "PLACEHOLDER_COLOURS",
    "SIZES",
    "SMALL",
    "AvatarError",
    "clear",
    "initials",
    "is_valid_stem",
    "path_for",
    "placeholder_colour",
    "placeholder_svg",
    "process",
    "remove",
    "replace",
    "store",
]


def replace(user: User, upload: BinaryIO, *, folder: Path) -> str | None:
    """Give the user the uploaded picture; returns the old avatar's stem to remove after commit.

    Only AVATAR_MAX_BYTES (plus one, to tell a larger file) are read from the upload.
    """
    config = current_app.config
    limit = config["AVATAR_MAX_BYTES"]
    images = process(
        upload.read(limit + 1), max_bytes=limit, max_pixels=config["AVATAR_MAX_PIXELS"]
    )
    old, user.avatar = user.avatar, store(folder, images)
    revisions.bump()  # reviews on movie pages show it
    db.session.flush()
    return old


def clear(user: User) -> str | None:
    """Go back to the generated picture; returns the old stem to remove after commit."""
    old, user.avatar = user.avatar, None
    revisions.bump()
    db.session.flush()
    return old
