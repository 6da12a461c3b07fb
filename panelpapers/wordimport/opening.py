"""The safety checks a Word file passes before any XML in it is read: its size, that it is a zip
holding a Word document (not an encrypted or legacy compound file), and that unpacking it stays
within bounds (a zip bomb is refused before it is inflated)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from panelpapers.zip_limits import WORD_DOCUMENT, zip_directory_problem

MAX_FILE_BYTES = 50 * 1024 * 1024
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
DOCUMENT_PART = "word/document.xml"


class Unreadable(Exception):
    """The file cannot be imported; the message is one line saying why and what to do."""


def open_word_file(path: Path) -> zipfile.ZipFile:
    """The DOCX as an open zip, once it has passed every check."""
    where = str(path)
    if not path.is_file():
        raise Unreadable(f"{where}: no such file; give the path of a .docx file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Unreadable(
            f"{where}: the file is {size / 1024 / 1024:.0f} MB, over the 50 MB import limit; "
            "save a copy without its largest pictures and import that"
        )
    with path.open("rb") as file:
        start = file.read(8)
    if start == OLE_SIGNATURE:
        raise Unreadable(
            f"{where}: an encrypted (password-protected) or old-format .doc file, not a DOCX; "
            "remove the password or save it as .docx in Word, then import that"
        )
    if not start.startswith(ZIP_SIGNATURE):
        raise Unreadable(f"{where}: not a DOCX (a Word document is a zip file); save it as .docx and import that")
    try:
        archive = zipfile.ZipFile(path)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise Unreadable(f"{where}: the DOCX is corrupt ({err}); open and save it again in Word") from None
    refused = zip_directory_problem(entries, WORD_DOCUMENT)
    if refused is not None:
        archive.close()
        raise Unreadable(f"{where}: {refused}")
    if DOCUMENT_PART not in archive.namelist():
        archive.close()
        raise Unreadable(f"{where}: a zip file without {DOCUMENT_PART}, so not a DOCX; save it as .docx")
    try:
        bad = archive.testzip()
    except Exception as err:  # zlib and zipfile raise several kinds for damaged data
        bad = f"{type(err).__name__}: {err}"
    if bad is not None:
        archive.close()
        raise Unreadable(f"{where}: the DOCX is corrupt (damaged entry {bad}); open and save it again in Word")
    return archive

