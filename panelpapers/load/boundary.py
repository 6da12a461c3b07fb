"""The one rule every reader of content follows: a file is read only if it lies inside the content
project, after following links. A link inside a paper folder to a file elsewhere in the project is
read as that file; a link to anything outside the project (`/etc/…`, another checkout, a network
share) is refused with one line naming the link and where it points, never with the file's text.

The project is found from the path as written, links not followed (the folder holding
panelpapers.yaml, as project.py finds it). Content outside any project is bounded by the folder that
holds its meeting (or its lone paper) folder."""

from __future__ import annotations

import os
from pathlib import Path

from panelpapers.errors import Location, Problem

HOUSE_STYLE_FILE = "panelpapers.yaml"
CONTENT_MARKERS = ("meeting.yaml", "paper.yaml")


def boundary(path: Path) -> Path | None:
    """The folder `path` may not leave: its project's root, found without following links."""
    highest: Path | None = None
    for folder in Path(os.path.abspath(path)).parents:
        if (folder / HOUSE_STYLE_FILE).is_file():
            return folder
        if any((folder / marker).is_file() for marker in CONTENT_MARKERS):
            highest = folder
    return highest.parent if highest is not None else None


def outside_project(path: Path) -> Problem | None:
    """Why `path` may not be read, or None: it, or a folder on the way to it, is a link that leads out
    of the project. Reported at that link, so every file read through one linked folder gives the
    same one line."""
    written = Path(os.path.abspath(path))
    try:
        if path.resolve() == written:
            return None  # no link on the way: it lies where it is written
        root = boundary(path)
        if root is None:
            return None
        inside = root.resolve()
        for step in [*reversed(written.parents), written]:
            if step.is_relative_to(root) and step != root and not step.resolve().is_relative_to(inside):
                return Problem(Location(_as_given(path, step)), _message(step.resolve()))
    except (OSError, RuntimeError):  # a loop of links
        return Problem(Location(path), "a link that cannot be followed (a loop of links); replace it with the file")
    return None


def _as_given(path: Path, step: Path) -> Path:
    """`step` named as `path` was (relative stays relative)."""
    if path.is_absolute():
        return step
    return Path(os.path.relpath(step))


def _message(real: Path) -> str:
    what = "folder" if real.is_dir() else "file"
    return f"a link to a {what} outside the project ({real}); copy the {what} into the project instead"
