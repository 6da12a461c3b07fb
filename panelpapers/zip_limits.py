"""The one check every zip we read passes before any part of it is unpacked. A workbook (XLSX) and a
Word document (DOCX) are zips of XML parts, and a file of a few kilobytes can declare gigabytes (a
"zip bomb"): its directory is judged first, by part count, total unpacked size and how far one part
grows. Python's zipfile holds every part to its declared size, so the declaration cannot lie."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

GROWTH_JUDGED_FROM = 1_000_000  # bytes unpacked; a small part may pack very tightly and do no harm


@dataclass(frozen=True)
class ZipLimits:
    kind: str  # what the file is, as the message names it
    max_parts: int
    max_unpacked: int  # bytes of all parts together
    max_growth: int  # how many times larger one part may unpack than it is packed
    remedy: str  # what the author does about a refused file


# A spreadsheet program's XML packs 5 to 20 times smaller, not hundreds.
WORKBOOK = ZipLimits("workbook", 1_000, 50_000_000, 100, "save it again from a spreadsheet program, or as CSV")
WORD_DOCUMENT = ZipLimits("Word document", 5_000, 200_000_000, 200, "open it in Word and save it again")


def zip_directory_problem(entries: list[zipfile.ZipInfo], limits: ZipLimits) -> str | None:
    """Why a zip with these directory entries is not unpacked, or None when it is within `limits`."""
    if len(entries) > limits.max_parts:
        return (
            f"{limits.kind} holds {len(entries):,} parts; the limit is {limits.max_parts:,} (a zip bomb?); "
            f"{limits.remedy}"
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_unpacked:
        return (
            f"{limits.kind} unpacks to {unpacked:,} bytes; the limit is {limits.max_unpacked:,} (a zip bomb?); "
            f"{limits.remedy}"
        )
    for entry in entries:
        growth = entry.file_size // max(entry.compress_size, 1)
        if entry.file_size > GROWTH_JUDGED_FROM and growth > limits.max_growth:
            return (
                f"{limits.kind} part {entry.filename} unpacks {growth:,} times larger than it is packed; the "
                f"limit is {limits.max_growth} (a zip bomb?); {limits.remedy}"
            )
    return None
