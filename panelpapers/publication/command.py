"""`panelpapers publish MEETING [--as-of DATE]`: builds the meeting, then publishes its variants as the
meeting's next version under published/<meeting>/ (versions.py)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from panelpapers.errors import ContentError, Location, Problem


def add_parser(commands: Any, add_as_of: Any, positive: Any) -> None:
    publish = commands.add_parser(
        "publish",
        help="build a meeting and publish it as its next version under published/<meeting>/",
        description="Builds MEETING, then freezes its public and restricted variants as published/<meeting>/v1 "
        "(then v2, v3 … after corrections, each with a change note), and lists every version in "
        "published/<meeting>/index.json and index.html. A published version is never written again.",
    )
    publish.add_argument("meeting", type=Path, help="the meeting's content folder")
    publish.add_argument("--out", type=Path, help="build folder (default: the content project's build/)")
    publish.add_argument(
        "--published", type=Path, help="where versions go (default: the content project's published/)"
    )
    publish.add_argument(
        "-j", "--jobs", type=positive, metavar="N", help="render in N worker processes (default: one per core)"
    )
    add_as_of(publish)


def run(args: argparse.Namespace, summary: Any, progress: Any, tool: str) -> int:
    from panelpapers.build import build
    from panelpapers.load.content import MEETING_FILE
    from panelpapers.project import CORRECTIONS_ENV, default_folders, project_of
    from panelpapers.publication.versions import PUBLISHED_FOLDER, publish_meeting

    _, build_folder = default_folders()
    out_dir: Path = args.out or build_folder
    published: Path = args.published or build_folder.parent / PUBLISHED_FOLDER
    meeting: Path = args.meeting
    if not (meeting / MEETING_FILE).is_file():
        raise ContentError([Problem(Location(meeting), f"expected a meeting folder, with {MEETING_FILE}; give one")])
    house = project_of([meeting]).house

    def build_with(corrections: dict[str, str]) -> None:
        # Through the environment, as --as-of: the build's processes and its cache keys read it (project.py).
        os.environ[CORRECTIONS_ENV] = json.dumps(corrections, sort_keys=True, ensure_ascii=False)
        build([meeting], out_dir, progress=progress, jobs=args.jobs)

    result = publish_meeting(meeting, out_dir, published, args.as_of, house, tool, build_with)
    publication = result.publication
    summary(f"panelpapers: published {result.folder / publication.folder}: {publication.note}")
    return 0
