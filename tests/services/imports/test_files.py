"""Reading an upload: one CSV or a zip of them, capped, refused when unsafe, read as UTF-8."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import UTC, datetime

import pytest

from app.services.imports import files
from app.services.imports.files import ImportFileError
from tests.exports import EXPORT_NAME, csv_text, zipped

MAX_BYTES = 50 * 1024 * 1024
RATINGS = csv_text(
    ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
    [
        ["2023-01-02", "The Godfather", "1972", "https://boxd.it/2bcg", "4.5"],
        ["2023-01-03", "Amélie", "2001", "https://boxd.it/2b0A", "3"],
    ],
)
WATCHLIST = csv_text(
    ["Date", "Name", "Year", "Letterboxd URI"],
    [["2023-02-11", "Heat", "1995", "https://boxd.it/2aHi"]],
)
# What macOS's Archive Utility adds to a zip: an AppleDouble file per entry, and Finder's notes.
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\xff\xfe\x00\x00"


def read(filename: str, content: bytes, *, max_bytes: int = MAX_BYTES) -> files.Upload:
    return files.read(filename, content, max_bytes=max_bytes)


def zip_of(entries: dict[str, bytes], *, times: dict[str, tuple] | None = None) -> bytes:
    """A zip holding these entries as they are, each with its timestamp when given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            stamp = (times or {}).get(name, (2024, 5, 1, 12, 30, 0))
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def password_protected(content: bytes) -> bytes:
    """The zip as `zip -e` marks its entries: bit 0 of the general-purpose flags set."""
    data = bytearray(content)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flags_at] |= 0x01
            start = data.find(signature, start + 4)
    return bytes(data)


def zeros_zip(name: str, megabytes: int) -> bytes:
    """One entry of `megabytes` MiB of zeros: about a thousand times smaller zipped."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as entry,
    ):
        for _ in range(megabytes):
            entry.write(bytes(1024 * 1024))
    return buffer.getvalue()


def test_a_plain_csv_is_one_file_of_rows():
    upload = read("ratings.csv", RATINGS.encode())

    assert [file.name for file in upload.files] == ["ratings.csv"]
    assert upload.files[0].rows == [
        ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
        ["2023-01-02", "The Godfather", "1972", "https://boxd.it/2bcg", "4.5"],
        ["2023-01-03", "Amélie", "2001", "https://boxd.it/2b0A", "3"],
    ]
    assert upload.exported_at is None


def test_a_csv_uploaded_from_a_windows_path_keeps_only_its_name():
    upload = read("C:\\Users\\ana\\Downloads\\ratings.csv", RATINGS.encode())

    assert upload.files[0].name == "ratings.csv"


def test_a_byte_order_mark_is_dropped_from_the_first_column():
    content = b"\xef\xbb\xbf" + b"Const,Your Rating,Title\r\ntt0068646,10,The Godfather\r\n"

    upload = read("ratings.csv", content)

    assert upload.files[0].rows == [
        ["Const", "Your Rating", "Title"],
        ["tt0068646", "10", "The Godfather"],
    ]


def test_text_that_is_not_utf8_is_refused_naming_the_line():
    # Saved by Excel on Windows: Windows-1252, so "é" is one byte no UTF-8 text has.
    content = "Name,Year\nHeat,1995\nAmélie,2001\n".encode("cp1252")

    with pytest.raises(ImportFileError) as refused:
        read("ratings.csv", content)

    assert refused.value.message == (
        "ratings.csv is not UTF-8 text (an unreadable byte on line 3): "
        "export it again, or save it as UTF-8."
    )


def test_text_that_is_not_utf8_after_a_byte_order_mark_names_the_right_line():
    # Saved as "UTF-8 with BOM", then a line pasted in from a Windows-1252 file.
    content = b"\xef\xbb\xbf" + "Name,Year\nHeat,1995\nÇa commence aujourd'hui,1999\n".encode(
        "cp1252"
    )

    with pytest.raises(ImportFileError) as refused:
        read("ratings.csv", content)

    assert "an unreadable byte on line 3" in refused.value.message


def test_text_that_is_not_utf8_inside_a_zip_names_its_entry():
    content = zipped(
        {"ratings.csv": RATINGS, "diary.csv": "Name,Year\nAmélie,2001\n".encode("cp1252")},
        folder=f"{EXPORT_NAME}/",
    )

    with pytest.raises(ImportFileError) as refused:
        read(f"{EXPORT_NAME}.zip", content)

    assert refused.value.message.startswith("diary.csv is not UTF-8 text (an unreadable byte on")


def test_a_zip_with_one_top_folder_has_it_stripped_from_the_names():
    folder = f"{EXPORT_NAME}/"
    content = zip_of(
        {
            folder: b"",
            f"{folder}ratings.csv": RATINGS.encode(),
            f"{folder}watchlist.csv": WATCHLIST.encode(),
            f"{folder}lists/": b"",
            f"{folder}lists/noir-favourites.csv": b"Position,Name,Year\n1,Double Indemnity,1944\n",
            f"{folder}likes/films.csv": WATCHLIST.encode(),
        }
    )

    upload = read(f"{EXPORT_NAME}.zip", content)

    assert [file.name for file in upload.files] == [
        "ratings.csv",
        "watchlist.csv",
        "lists/noir-favourites.csv",
        "likes/films.csv",
    ]


def test_a_zip_without_a_top_folder_keeps_its_names():
    content = zipped({"ratings.csv": RATINGS, "lists/noir.csv": "Position,Name,Year\n"})

    upload = read("export.zip", content)

    assert [file.name for file in upload.files] == ["ratings.csv", "lists/noir.csv"]


def test_what_macos_adds_to_a_zip_is_ignored():
    folder = f"{EXPORT_NAME}/"
    content = zip_of(
        {
            f"{folder}ratings.csv": RATINGS.encode(),
            f"{folder}.DS_Store": b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00",
            f"__MACOSX/{folder}._ratings.csv": APPLE_DOUBLE,
            f"__MACOSX/{folder}._watchlist.csv": APPLE_DOUBLE,
            f"{folder}watchlist.csv": WATCHLIST.encode(),
        }
    )

    upload = read(f"{EXPORT_NAME}.zip", content)

    assert [file.name for file in upload.files] == ["ratings.csv", "watchlist.csv"]


def test_names_with_dots_that_are_not_a_parent_folder_are_read():
    content = zipped({"ratings.csv": RATINGS, "lists/wait...what.csv": "Position,Name,Year\n"})

    upload = read("export.zip", content)

    assert [file.name for file in upload.files] == ["ratings.csv", "lists/wait...what.csv"]


@pytest.mark.parametrize(
    "name",
    [
        "../ratings.csv",
        f"{EXPORT_NAME}/../../ratings.csv",
        "..\\..\\ratings.csv",
        "/etc/cron.d/ratings.csv",
        "C:\\Users\\ana\\ratings.csv",
        "C:/Windows/ratings.csv",
        "\\\\fileserver\\share\\ratings.csv",
    ],
)
def test_an_entry_outside_the_export_refuses_the_whole_zip(name):
    content = zipped({"watchlist.csv": WATCHLIST, name: RATINGS})

    with pytest.raises(ImportFileError) as refused:
        read("export.zip", content)

    assert refused.value.message == (
        f"That zip holds a file with an unsafe path ({name}): it was not read."
    )


def test_a_zip_of_too_many_entries_is_refused():
    content = zipped({f"lists/list-{number}.csv": "Position,Name\n" for number in range(2001)})

    with pytest.raises(ImportFileError) as refused:
        read("export.zip", content)

    assert refused.value.message == (
        "That zip holds 2,001 files: an export has a few dozen at most."
    )


def test_a_zip_with_a_password_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("ratings.csv", RATINGS)
    content = password_protected(buffer.getvalue())

    with pytest.raises(ImportFileError) as refused:
        read("export.zip", content)

    assert refused.value.message == "That zip is encrypted: export it again without a password."


def test_a_zip_bomb_stops_at_the_cap_without_expanding():
    content = zeros_zip("ratings.csv", 64)  # 64 MiB of zeros in about 64 KB
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as refused:
            read("export.zip", content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(content) < 100 * 1024
    assert refused.value.message == (
        "That zip expands to far more than an export could hold: it was not read."
    )
    assert peak < 20 * 1024 * 1024


def test_the_cap_counts_every_entry_of_the_zip_together():
    # Each entry alone stays under the cap; together they pass it.
    line = "2023-01-02,Heat,1995,https://boxd.it/2aHi,4\n"
    entries = {f"diary-{number}.csv": line * 50_000 for number in range(10)}
    content = zipped(entries)

    with pytest.raises(ImportFileError) as refused:
        read("export.zip", content)

    assert refused.value.message.startswith("That zip expands to far more than an export")


def test_a_file_over_the_largest_import_is_refused():
    content = ("2023-01-02,Heat,1995,https://boxd.it/2aHi,4\n" * 40_000).encode()

    with pytest.raises(ImportFileError) as refused:
        read("ratings.csv", content, max_bytes=1024 * 1024)

    assert refused.value.message == "That file is 1.7 MB: the largest import is 1.0 MB."


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFileError) as refused:
        read("ratings.csv", b"")

    assert refused.value.message == "That file is empty: choose the export you downloaded."


def test_a_zip_cut_short_in_the_download_is_refused_as_damaged():
    content = zipped({"ratings.csv": RATINGS, "watchlist.csv": WATCHLIST})

    with pytest.raises(ImportFileError) as refused:
        read("export.zip", content[: len(content) // 2])

    assert refused.value.message == "That zip is damaged: download the export again."


def test_a_zip_with_corrupted_bytes_in_an_entry_is_refused_as_unreadable():
    rows = [[f"2023-01-{day % 28 + 1:02d}", f"Film {day}", "1999", "", "4"] for day in range(300)]
    content = bytearray(
        zipped({"ratings.csv": csv_text(["Date", "Name", "Year", "URI", "R"], rows)})
    )
    # A flipped bit inside the compressed data, as a bad disk or a broken copy leaves it.
    content[content.index(b"ratings.csv") + len("ratings.csv") + 50] ^= 0xFF

    with pytest.raises(ImportFileError) as refused:
        read("export.zip", bytes(content))

    assert refused.value.message.startswith("ratings.csv in that zip cannot be read (")


def test_a_zip_holding_no_csv_is_refused():
    content = zipped({"profile.json": "{}", "avatar.jpg": b"\xff\xd8\xff\xe0"})

    with pytest.raises(ImportFileError) as refused:
        read("export.zip", content)

    assert refused.value.message.startswith("That zip holds no CSV files")


def test_the_export_time_is_read_from_a_letterboxd_name():
    content = zip_of(
        {"ratings.csv": RATINGS.encode()}, times={"ratings.csv": (2024, 4, 30, 9, 0, 0)}
    )

    upload = read("letterboxd-ana-2024-05-01-12-30-utc.zip", content)

    assert upload.exported_at == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def test_the_export_time_is_else_the_newest_entry_timestamp():
    content = zip_of(
        {"ratings.csv": RATINGS.encode(), "watchlist.csv": WATCHLIST.encode()},
        times={"ratings.csv": (2024, 3, 10, 7, 15, 0), "watchlist.csv": (2024, 3, 9, 18, 4, 0)},
    )

    upload = read("my-letterboxd-backup.zip", content)

    assert upload.exported_at == datetime(2024, 3, 10, 7, 15, tzinfo=UTC)


def test_an_impossible_date_in_the_name_falls_back_to_the_entries():
    content = zip_of(
        {"ratings.csv": RATINGS.encode()}, times={"ratings.csv": (2024, 3, 9, 18, 4, 0)}
    )

    upload = read("letterboxd-ana-2024-13-41-12-30-utc.zip", content)

    assert upload.exported_at == datetime(2024, 3, 9, 18, 4, tzinfo=UTC)


def test_an_entry_packed_with_a_method_python_cannot_unpack_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("ratings.csv", "Name,Year,Rating\nHeat,1995,4\n")
    content = bytearray(buffer.getvalue())
    # Mark the entry Deflate64 (method 9) in its local header and in the directory.
    content[8:10] = (9).to_bytes(2, "little")
    directory = content.index(b"PK\x01\x02")
    content[directory + 10 : directory + 12] = (9).to_bytes(2, "little")

    with pytest.raises(ImportFileError) as refused:
        read("export.zip", bytes(content))

    assert "is packed in a way Marquee does not read" in refused.value.message
