"""Which folders of a meeting are papers, by their names and files alone: cheap enough for the build
cache's fingerprint, which must not pay for importing the loaders."""

from __future__ import annotations

import re
from pathlib import Path

PAPER_FILE = "paper.yaml"
_PAPER_NUMBER = re.compile(r"[0-9]+-")  # how a paper folder's name starts: 02-risk-management


def paper_folders(meeting_folder: Path) -> list[Path]:
    return sorted(p.parent for p in meeting_folder.glob(f"*/{PAPER_FILE}"))


def stray_folders(meeting_folder: Path) -> list[Path]:
    """Folders of a meeting that look like papers but lack paper.yaml, so would be left out unseen:
    named as papers are (a number, a hyphen) or holding YAML. A hidden folder is an editor's or a
    tool's, and a folder of other files (pictures, notes) is not taken for a paper."""
    return sorted(
        folder
        for folder in meeting_folder.iterdir()
        if folder.is_dir()
        and not folder.name.startswith(".")
        and not (folder / PAPER_FILE).is_file()
        and (_PAPER_NUMBER.match(folder.name) is not None or any(folder.glob("*.y*ml")))
    )
