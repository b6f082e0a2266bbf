"""Avatars: uploads re-encoded as square WebP, stored files, generated placeholders."""

import io
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from app.infra.placeholders import relative_luminance
from app.services import avatars
from app.services.avatars import AvatarError

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000
RED, GREEN, BLUE = (255, 0, 0), (0, 160, 0), (0, 0, 255)
SECRET = "Secret-Ana-Marker"


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    """An image as the bytes of a file in a format."""
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def process(data: bytes, **limits) -> dict[int, bytes]:
    """avatars.process with the app's default limits."""
    return avatars.process(
        data,
        max_bytes=limits.get("max_bytes", MAX_BYTES),
        max_pixels=limits.get("max_pixels", MAX_PIXELS),
    )


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close_to(pixel: tuple, expected: tuple, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares a size its (empty) pixel data does not hold."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def animated(image_format: str) -> bytes:
    frames = [Image.new("RGB", (80, 80), colour) for colour in (RED, BLUE, GREEN)]
    return encode(
        frames[0], image_format, save_all=True, append_images=frames[1:], duration=100, loop=0
    )


def palette_with_transparency() -> bytes:
    image = Image.new("P", (80, 80), 1)
    image.putpalette([0, 0, 0, *RED])
    image.paste(0, (0, 0, 80, 20))
    return encode(image, "PNG", transparency=0)


def rgba_with_transparent_top() -> bytes:
    image = Image.new("RGBA", (80, 80), (*RED, 255))
    image.paste((0, 0, 0, 0), (0, 0, 80, 20))
    return encode(image, "PNG")


ACCEPTED = {
    "jpeg": lambda: encode(Image.new("RGB", (120, 90), RED), "JPEG"),
    "png with alpha": rgba_with_transparent_top,
    "webp": lambda: encode(Image.new("RGB", (90, 120), RED), "WEBP"),
    "animated webp": lambda: animated("WEBP"),
    "animated gif": lambda: animated("GIF"),
    "cmyk jpeg": lambda: encode(Image.new("CMYK", (80, 80), (0, 255, 255, 0)), "JPEG"),
    "palette png": palette_with_transparency,
    "grey-and-alpha png": lambda: encode(Image.new("LA", (80, 80), (76, 255)), "PNG"),
    "1-bit png": lambda: encode(Image.new("1", (80, 80), 1), "PNG"),
    "multi-picture jpeg": lambda: encode(
        Image.new("RGB", (80, 80), RED),
        "MPO",
        save_all=True,
        append_images=[Image.new("RGB", (80, 80), BLUE)],
    ),
    "larger than the output": lambda: encode(Image.new("RGB", (1200, 900), RED), "JPEG"),
}


@pytest.mark.parametrize("make", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_each_accepted_format_gives_square_webp_at_both_sizes(make):
    images = process(make())

    assert set(images) == {256, 64}
    for size, data in images.items():
        assert data.startswith(b"RIFF")
        assert data[8:12] == b"WEBP"
        image = opened(data)
        assert image.format == "WEBP"
        assert image.size == (size, size)


@pytest.mark.parametrize("name", ["jpeg", "cmyk jpeg", "webp", "multi-picture jpeg"])
def test_colours_survive(name):
    image = opened(process(ACCEPTED[name]())[256])

    assert close_to(image.convert("RGB").getpixel((128, 128)), RED)


@pytest.mark.parametrize("image_format", ["GIF", "WEBP"])
def test_an_animation_keeps_only_its_first_frame(image_format):
    image = opened(process(animated(image_format))[256])

    assert getattr(image, "n_frames", 1) == 1
    assert close_to(image.convert("RGB").getpixel((128, 128)), RED)


@pytest.mark.parametrize("make", [rgba_with_transparent_top, palette_with_transparency])
def test_transparency_is_kept(make):
    image = opened(process(make())[256])

    assert image.mode == "RGBA"
    assert image.getpixel((128, 10))[3] == 0
    assert close_to(image.getpixel((128, 200)), (*RED, 255))


def test_an_opaque_image_has_no_alpha_channel():
    opaque = encode(Image.new("RGBA", (80, 80), (*RED, 255)), "PNG")

    assert opened(process(opaque)[256]).mode == "RGB"


def test_sixteen_bit_grey_is_scaled_not_clipped():
    grey = encode(Image.new("I;16", (80, 80), 40_000), "PNG")

    pixel = opened(process(grey)[256]).convert("L").getpixel((128, 128))

    assert abs(pixel - 40_000 // 256) <= 3


@pytest.mark.parametrize("size", [(300, 100), (100, 300)], ids=["wide", "tall"])
def test_a_non_square_image_is_centre_cropped(size):
    width, height = size
    image = Image.new("RGB", size, RED)
    if width > height:
        image.paste(GREEN, (0, 0, 100, 100))
        image.paste(BLUE, (200, 0, 300, 100))
    else:
        image.paste(GREEN, (0, 0, 100, 100))
        image.paste(BLUE, (0, 200, 100, 300))

    for size_in_pixels, data in process(encode(image, "PNG")).items():
        square = opened(data).convert("RGB")
        last = size_in_pixels - 1
        for corner in [(0, 0), (last, 0), (0, last), (last, last), (last // 2, last // 2)]:
            assert close_to(square.getpixel(corner), RED), (size_in_pixels, corner)


def exif_with_orientation(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Artist] = SECRET
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
    }
    return exif


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_the_exif_orientation_is_applied_then_all_exif_dropped(image_format):
    # Stored with red on top; orientation 6 means "turn 90° clockwise to display".
    stored = Image.new("RGB", (200, 200), BLUE)
    stored.paste(RED, (0, 0, 200, 100))
    upload = encode(stored, image_format, exif=exif_with_orientation(6))
    original = Image.open(io.BytesIO(upload)).getexif()
    assert original[ExifTags.Base.Artist] == SECRET
    assert original.get_ifd(ExifTags.IFD.GPSInfo)

    for data in process(upload).values():
        image = opened(data)
        last = image.width - 1
        assert close_to(image.convert("RGB").getpixel((last - 5, last // 2)), RED)
        assert close_to(image.convert("RGB").getpixel((5, last // 2)), BLUE)
        assert not image.getexif()
        assert "exif" not in image.info
        assert SECRET.encode() not in data


def test_no_metadata_of_any_kind_reaches_the_output():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    text = PngInfo()
    text.add_text("Comment", SECRET)
    text.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SECRET}</x:xmpmeta>")
    uploads = [
        encode(
            Image.new("RGB", (80, 80), RED),
            "JPEG",
            exif=exif_with_orientation(1),
            icc_profile=profile,
            comment=SECRET,
            xmp=f"<x:xmpmeta>{SECRET}</x:xmpmeta>".encode(),
        ),
        encode(Image.new("RGB", (80, 80), RED), "PNG", pnginfo=text, icc_profile=profile),
    ]

    for upload in uploads:
        for data in process(upload).values():
            image = opened(data)
            assert SECRET.encode() not in data
            assert not image.getexif()
            assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)


def test_a_broken_colour_profile_is_ignored():
    upload = encode(Image.new("RGB", (80, 80), RED), "JPEG", icc_profile=b"not a profile" * 10)

    image = opened(process(upload)[256])

    assert close_to(image.convert("RGB").getpixel((128, 128)), RED)


def truncated(image_format: str) -> bytes:
    data = encode(Image.effect_noise((200, 200), 60).convert("RGB"), image_format)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (truncated("JPEG"), "That image is damaged or incomplete."),
        (truncated("PNG"), "That image is damaged or incomplete."),
        (b"", "That file is not a JPEG, PNG, WebP or GIF image."),
        (b"Just some text in a file named x.png\n", "not a JPEG, PNG, WebP or GIF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a JPEG, PNG, WebP or GIF"),
        (encode(Image.new("RGB", (80, 80), RED), "BMP"), "not a JPEG, PNG, WebP or GIF"),
        (encode(Image.new("RGB", (80, 80), RED), "TIFF"), "not a JPEG, PNG, WebP or GIF"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a JPEG, PNG, WebP or GIF"),
        (b"\xff\xd8" + b"\x00" * (3 * 1024 * 1024), "That image is larger than 2 MB."),
    ],
    ids=[
        "truncated jpeg",
        "truncated png",
        "empty",
        "text",
        "png signature only",
        "bmp",
        "tiff",
        "svg",
        "3 MB",
    ],
)
def test_bad_uploads_are_refused_with_a_message(data, message):
    with pytest.raises(AvatarError, match=re.escape(message)):
        process(data)


@pytest.mark.parametrize(
    ("width", "height"),
    [(20_000, 20_000), (10_000, 10_000), (6_000, 5_000)],
    ids=["past Pillow's error", "past Pillow's warning", "past ours only"],
)
def test_too_many_pixels_are_refused_before_any_decoding(width, height):
    # The pixel data is empty, so decoding would say "damaged" instead.
    header = png_header_claiming(width, height)
    pillow_limit = Image.MAX_IMAGE_PIXELS

    with pytest.raises(AvatarError, match=re.escape("too large (at most 25,000,000 pixels)")):
        process(header)

    assert pillow_limit == Image.MAX_IMAGE_PIXELS


def test_pillows_bomb_warning_where_it_is_only_a_warning():
    # In production the warning is logged, not raised: our own check still refuses.
    with (
        pytest.warns(Image.DecompressionBombWarning),
        pytest.raises(AvatarError, match="too large"),
    ):
        process(png_header_claiming(10_000, 10_000))


def test_a_small_file_over_the_pixel_limit_is_refused():
    data = encode(Image.new("RGB", (100, 100), RED), "PNG")

    with pytest.raises(AvatarError, match=re.escape("at most 5,000 pixels")):
        process(data, max_pixels=5_000)
    assert set(process(data, max_pixels=10_000)) == {256, 64}


@pytest.mark.parametrize(
    ("max_bytes", "shown"),
    [(1024 * 1024, "1 MB"), (1536 * 1024, "1.5 MB"), (500 * 1024, "500 KB")],
)
def test_the_byte_limit_is_shown_in_the_message(max_bytes, shown):
    with pytest.raises(AvatarError, match=f"larger than {re.escape(shown)}\\.$"):
        process(b"\x00" * (max_bytes + 1), max_bytes=max_bytes)


def test_avatar_error_is_a_value_error():
    assert issubclass(AvatarError, ValueError)


@pytest.fixture
def images() -> dict[int, bytes]:
    return process(encode(Image.new("RGB", (80, 80), RED), "PNG"))


def test_store_writes_both_sizes_under_a_random_stem(tmp_path: Path, images):
    media = tmp_path / "media"

    stem = avatars.store(media, images)
    other = avatars.store(media, images)

    assert re.fullmatch(r"[0-9a-f]{32}", stem)
    assert other != stem
    assert (media / "avatars" / f"{stem}-256.webp").read_bytes() == images[256]
    assert (media / "avatars" / f"{stem}-64.webp").read_bytes() == images[64]
    assert sorted(path.name for path in (media / "avatars").iterdir()) == sorted(
        f"{name}-{size}.webp" for name in (stem, other) for size in (256, 64)
    )


def test_store_refuses_other_sizes(tmp_path: Path, images):
    with pytest.raises(ValueError, match="sizes"):
        avatars.store(tmp_path, {256: images[256]})
    with pytest.raises(ValueError, match="sizes"):
        avatars.store(tmp_path, {**images, 128: b"x"})


def test_path_for_finds_a_stored_avatar(tmp_path: Path, images):
    stem = avatars.store(tmp_path, images)

    assert avatars.path_for(tmp_path, stem, 256) == tmp_path / "avatars" / f"{stem}-256.webp"
    assert avatars.path_for(tmp_path, stem, 64) == tmp_path / "avatars" / f"{stem}-64.webp"
    assert avatars.path_for(tmp_path, "0" * 32, 256) is None


@pytest.mark.parametrize(
    "stem",
    [
        "../avatars/STEM",
        "STEM/../STEM",
        "..",
        "",
        "STEM_UPPER",
        "STEM\n",
        "/etc/passwd",
        "STEM-256.webp",
        "%2e%2e%2fSTEM",
        "STEM\x00",
        None,
    ],
)
def test_path_for_refuses_a_stem_store_would_not_make(tmp_path: Path, images, stem):
    real = avatars.store(tmp_path, images)
    if stem == "STEM_UPPER":
        stem = real.upper()
    elif stem is not None:
        stem = stem.replace("STEM", real)

    assert avatars.path_for(tmp_path, stem, 256) is None


@pytest.mark.parametrize("size", [128, 0, -256, "256", 256.0, True])
def test_path_for_refuses_other_sizes(tmp_path: Path, images, size):
    stem = avatars.store(tmp_path, images)

    assert avatars.path_for(tmp_path, stem, size) is None


def test_remove_deletes_both_files_and_tolerates_missing_ones(tmp_path: Path, images):
    stem = avatars.store(tmp_path, images)
    kept = avatars.store(tmp_path, images)
    (tmp_path / "avatars" / f"{stem}-64.webp").unlink()

    avatars.remove(tmp_path, stem)
    avatars.remove(tmp_path, stem)
    avatars.remove(tmp_path, None)

    assert avatars.path_for(tmp_path, stem, 256) is None
    assert avatars.path_for(tmp_path, kept, 256) is not None


def test_remove_never_leaves_the_avatars_folder(tmp_path: Path):
    (tmp_path / "avatars").mkdir()
    outside = tmp_path / "victim-256.webp"
    outside.write_bytes(b"keep me")

    avatars.remove(tmp_path, "../victim")

    assert outside.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ana Smith", "AS"),
        ("ana", "A"),
        ("jean-luc picard", "JP"),
        ("Ana Maria de la Cruz", "AC"),
        ("ana_smith", "AS"),
        ("  Élodie   Durand ", "ÉD"),
        ("E\u0301lodie", "É"),  # written with a combining accent
        ("山田 太郎", "山太"),
        ("किरण", "कि"),
        ("ßtefan", "ß"),
        ("🎬", "🎬"),
        ("", "?"),
        ("   ", "?"),
    ],
)
def test_initials(name, expected):
    assert avatars.initials(name) == expected


SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)


def test_placeholder_is_a_labelled_svg_image():
    root = parse(avatars.placeholder_svg("Ana Smith", size=64))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Ana Smith"
    assert (root.get("width"), root.get("height")) == ("64", "64")
    assert root.find(f"{SVG}text").text == "AS"
    assert root.find(f"{SVG}rect").get("fill") == avatars.placeholder_colour("Ana Smith")


def test_placeholder_escapes_the_name():
    name = "<script>alert(\"x\")</script> & 'Co'"

    svg = avatars.placeholder_svg(name)

    assert "<script>" not in svg
    assert "& " not in svg
    assert "&amp;" in svg
    assert parse(svg).get("aria-label") == name


def test_placeholder_drops_characters_xml_cannot_hold():
    root = parse(avatars.placeholder_svg("\x00Ana\x1b \ud800Smith\ufffe"))

    assert root.get("aria-label") == "Ana Smith"


def test_placeholder_is_deterministic_and_does_not_use_the_process_hash():
    assert avatars.placeholder_svg("Ana Smith") == avatars.placeholder_svg("Ana Smith")
    # Pinned: a per-process hash would pick another colour on most runs.
    assert avatars.placeholder_colour("Ana Smith") == "#1A237E"
    assert avatars.placeholder_colour(" ana smith ") == avatars.placeholder_colour("Ana Smith")
    colours = {avatars.placeholder_colour(f"user {number}") for number in range(60)}
    assert len(colours) >= len(avatars.PLACEHOLDER_COLOURS) // 2


@pytest.mark.parametrize("colour", avatars.PLACEHOLDER_COLOURS)
def test_white_initials_are_readable_on_every_colour(colour):
    assert 1.05 / (relative_luminance(colour) + 0.05) >= 4.5


def test_placeholder_refuses_a_bad_size():
    with pytest.raises(ValueError, match="positive integer"):
        avatars.placeholder_svg("Ana", size=0)
