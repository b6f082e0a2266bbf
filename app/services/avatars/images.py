"""Uploaded images: checked, then redrawn as square WebP images at the avatar sizes.

An upload is recognised by its content, refused past a byte and a pixel limit
before any pixel is decoded, and then redrawn from its first frame: nothing of
the original file (metadata, extra frames, trailing data) reaches the disk.
"""

from __future__ import annotations

import contextlib
import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..errors import ServiceError
from ..numbers import format_decimal

LARGE, SMALL = 256, 64
SIZES = (LARGE, SMALL)
WEBP_QUALITY = 85
# Pillow's names for what it detects; a JPEG with several pictures (phones) is "MPO".
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_ACCEPTED_FORMATS = frozenset({*_OPEN_FORMATS, "MPO"})
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_WITH_ALPHA = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_HIGH_DEPTH = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})

NOT_AN_IMAGE = _l("That file is not a JPEG, PNG, WebP or GIF image.")
DAMAGED = _l("That image is damaged or incomplete.")


# Also a ValueError, as it was before ServiceError existed: callers may still catch that.
class AvatarError(ServiceError, ValueError):
    """An avatar upload was refused; the message is safe to show."""

    def __init__(self, message: str, *, field: str | None = "avatar") -> None:
        super().__init__(message, field=field)


def process(data: bytes, *, max_bytes: int, max_pixels: int) -> dict[int, bytes]:
    """Check an uploaded image and return it as square WebP images, by size in pixels."""
    if not data:
        raise AvatarError(str(NOT_AN_IMAGE))
    if len(data) > max_bytes:
        raise AvatarError(_("That image is larger than %(size)s.", size=_megabytes(max_bytes)))
    too_large = AvatarError(
        _("That image is too large (at most %(pixels)s pixels).", pixels=format_decimal(max_pixels))
    )
    try:
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)  # the header only
    except UnidentifiedImageError:
        raise AvatarError(str(NOT_AN_IMAGE)) from None
    # Pillow's own bomb guard may fire first (an error past twice its limit, a
    # warning past it); the warning is raised only where warnings are errors,
    # since changing the filter here would change it for every thread.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    # Pillow reports bad input with many exception types (OSError, SyntaxError,
    # struct.error, IndexError, …); any of them means a bad file.
    except Exception as error:
        raise AvatarError(str(DAMAGED)) from error
    with image:
        width, height = image.size
        if image.format not in _ACCEPTED_FORMATS:
            raise AvatarError(str(NOT_AN_IMAGE))
        if width * height > max_pixels:
            raise too_large
        try:
            square = _decode_square(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_large from None
        except Exception as error:
            raise AvatarError(str(DAMAGED)) from error
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
        return _("%(size)s KB", size=count // 1024)
    # Rounded as Python rounds the float, then written with the locale's decimal sign.
    return _("%(size)s MB", size=format_decimal(round(count / mebibyte, 1), format="0.#"))
