"""Avatars: uploads checked and re-encoded as square WebP, stored files, generated placeholders.

An upload is recognised by its content, refused past a byte and a pixel limit
before any pixel is decoded, and then redrawn from its first frame: nothing of
the original file (metadata, extra frames, trailing data) reaches the disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import os
import re
import secrets
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..infra.db import db
from ..infra.files import sync_directory
from ..models import User
from . import revisions

LARGE, SMALL = 256, 64
SIZES = (LARGE, SMALL)
AVATARS_DIR = "avatars"
WEBP_QUALITY = 85
# Pillow's names for what it detects; a JPEG with several pictures (phones) is "MPO".
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_ACCEPTED_FORMATS = frozenset({*_OPEN_FORMATS, "MPO"})
_STEM = re.compile(r"[0-9a-f]{32}")
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_WITH_ALPHA = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_HIGH_DEPTH = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
# Dark enough that white initials on them reach a contrast of at least 4.5:1 (WCAG AA).
PLACEHOLDER_COLOURS = (
    "#B71C1C",
    "#880E4F",
    "#4A148C",
    "#311B92",
    "#1A237E",
    "#0D47A1",
    "#01579B",
    "#006064",
    "#004D40",
    "#1B5E20",
    "#33691E",
    "#BF360C",
    "#3E2723",
    "#37474F",
)
# Characters XML 1.0 allows; anything else makes the document invalid even when escaped.
_NOT_XML_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

NOT_AN_IMAGE = "That file is not a JPEG, PNG, WebP or GIF image."
DAMAGED = "That image is damaged or incomplete."


class AvatarError(ValueError):
    """An avatar upload was refused; the message is safe to show."""


def process(data: bytes, *, max_bytes: int, max_pixels: int) -> dict[int, bytes]:
    """Check an uploaded image and return it as square WebP images, by size in pixels."""
    if not data:
        raise AvatarError(NOT_AN_IMAGE)
    if len(data) > max_bytes:
        raise AvatarError(f"That image is larger than {_megabytes(max_bytes)}.")
    too_large = AvatarError(f"That image is too large (at most {max_pixels:,} pixels).")
    try:
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)  # the header only
    except UnidentifiedImageError:
        raise AvatarError(NOT_AN_IMAGE) from None
    # Pillow's own bomb guard may fire first (an error past twice its limit, a
    # warning past it); the warning is raised only where warnings are errors,
    # since changing the filter here would change it for every thread.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    # Pillow reports bad input with many exception types (OSError, SyntaxError,
    # struct.error, IndexError, …); any of them means a bad file.
    except Exception as error:
        raise AvatarError(DAMAGED) from error
    with image:
        width, height = image.size
        if image.format not in _ACCEPTED_FORMATS:
            raise AvatarError(NOT_AN_IMAGE)
        if width * height > max_pixels:
            raise too_large
        try:
            square = _decode_square(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_large from None
        except Exception as error:
            raise AvatarError(DAMAGED) from error
    # The small size is drawn from the large one: one pass over the full-size pixels.
    large = _resized(_to_srgb(square), LARGE)
    return {LARGE: _encode(large), SMALL: _encode(_resized(large, SMALL))}


def _decode_square(image: Image.Image) -> Image.Image:
    """The first frame, upright, centre-cropped to a square."""
    if image.format in ("JPEG", "MPO"):
        # Let the JPEG decoder scale down by up to 8 while both sides stay >= 256.
        image.draft(None, (LARGE, LARGE))
    image.load()
    ImageOps.exif_transpose(image, in_place=True)  # a copy would double the memory held
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return image.crop((left, top, left + side, top + side))


def _to_srgb(image: Image.Image) -> Image.Image:
    """An RGB image, or RGBA if it has any transparency, in sRGB colours."""
    if image.mode in _HIGH_DEPTH:
        # Pillow's plain conversion clips 16-bit values at 255 instead of scaling them.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    has_alpha = image.mode in _WITH_ALPHA or "transparency" in image.info
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK"):
        # A broken or mismatched profile is ignored: the colours stay as decoded.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            image = ImageCms.profileToProfile(
                image,
                io.BytesIO(profile),
                _SRGB,
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
    target = "RGBA" if has_alpha else "RGB"
    if image.mode != target:
        image = image.convert(target)
    if image.mode == "RGBA" and image.getextrema()[3] == (255, 255):
        image = image.convert("RGB")
    return image


def _resized(square: Image.Image, size: int) -> Image.Image:
    return square.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image) -> bytes:
    image.info.clear()  # no EXIF, XMP, ICC profile or comment from the upload
    output = io.BytesIO()
    image.save(output, "WEBP", quality=WEBP_QUALITY, method=4)
    return output.getvalue()


def _megabytes(count: int) -> str:
    mebibyte = 1024 * 1024
    if count < mebibyte:
        return f"{count // 1024} KB"
    return f"{count / mebibyte:.1f}".removesuffix(".0") + " MB"


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


def store(media_dir: Path, images: Mapping[int, bytes]) -> str:
    """Write an avatar's images under a new random stem; return the stem."""
    if set(images) != set(SIZES):
        raise ValueError(f"avatar images must be exactly the sizes {SIZES}, not {sorted(images)}")
    directory = media_dir / AVATARS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    stem = secrets.token_hex(16)
    written: list[Path] = []
    try:
        for size in SIZES:
            path = _path(media_dir, stem, size)
            _write_atomically(path, images[size])
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    sync_directory(directory)
    return stem


def _write_atomically(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    # O_EXCL: never follow or reuse something already at that name.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove(media_dir: Path, stem: str | None) -> None:
    """Delete an avatar's files; a missing file, None or an invalid stem is nothing to do."""
    if not is_valid_stem(stem):
        return
    for size in SIZES:
        _path(media_dir, stem, size).unlink(missing_ok=True)


def path_for(media_dir: Path, stem: str, size: int) -> Path | None:
    """The file of an avatar at a size, or None for an invalid stem or size or a missing file."""
    if not is_valid_stem(stem) or type(size) is not int or size not in SIZES:
        return None
    path = _path(media_dir, stem, size)
    return path if path.is_file() else None


def is_valid_stem(stem: object) -> bool:
    """Whether a value has the shape of a stem `store` makes (32 lowercase hex digits)."""
    return isinstance(stem, str) and _STEM.fullmatch(stem) is not None


def _path(media_dir: Path, stem: str, size: int) -> Path:
    return media_dir / AVATARS_DIR / f"{stem}-{size}.webp"


def initials(name: str) -> str:
    """One or two capital letters for a name: first and last word, or one for a single word."""
    name = unicodedata.normalize("NFC", name)
    words = _words(name)
    if not words:
        first = _first_character(name.strip())
        return _capital(first) if first else "?"
    letters = [_first_character(words[0])]
    if len(words) > 1:
        letters.append(_first_character(words[-1]))
    return "".join(_capital(letter) for letter in letters)


def _words(text: str) -> list[str]:
    """Runs of letters and digits, with their combining marks (the vowel signs of many scripts)."""
    words: list[str] = []
    current = ""
    for character in text:
        if character.isalnum() or (current and unicodedata.category(character)[0] == "M"):
            current += character
        elif current:
            words.append(current)
            current = ""
    return [*words, current] if current else words


def _first_character(text: str) -> str:
    """The first character with the combining marks that belong to it."""
    end = 1
    while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Mc", "Me"):
        end += 1
    return text[:end]


def _capital(letter: str) -> str:
    # Some capitals are longer than their letter ("ß" gives "SS"): keep the letter then.
    upper = letter.upper()
    return upper if len(upper) == len(letter) else letter


def placeholder_colour(name: str) -> str:
    """The background colour of a name's placeholder; the same name always gets the same."""
    key = unicodedata.normalize("NFC", name).strip().casefold()
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    return PLACEHOLDER_COLOURS[int.from_bytes(digest[:4], "big") % len(PLACEHOLDER_COLOURS)]


def placeholder_svg(name: str, size: int = 256) -> str:
    """A standalone SVG avatar: the name's initials in white on a colour drawn from the name."""
    if type(size) is not int or size <= 0:
        raise ValueError(f"size must be a positive integer, not {size!r}")
    label = _xml_text(name.strip()) or "Avatar"
    letters = _xml_text(initials(name))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{label}">'
        f'<rect width="100" height="100" fill="{placeholder_colour(name)}"/>'
        '<text x="50" y="50" dy=".35em" text-anchor="middle" fill="#FFFFFF" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="42" font-weight="600">{letters}</text>'
        "</svg>"
    )


def _xml_text(text: str) -> str:
    """Text escaped for XML content and attributes, without characters XML forbids."""
    return html.escape(_NOT_XML_CHARACTER.sub("", text), quote=True)
