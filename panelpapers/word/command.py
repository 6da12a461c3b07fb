"""`panelpapers absorb REVIEWED.docx [--apply] [--markdown R.md]`: a reviewed paper's tracked changes
and comments, one line each at their source. Exit status 0: nothing to absorb, 1: changes or
comments (or a file that cannot be absorbed), 2: an unexpected failure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_NOTHING, EXIT_FOUND, EXIT_TROUBLE = 0, 1, 2


def add_parser(commands: Any) -> None:
    absorb = commands.add_parser(
        "absorb",
        help="report a reviewed DOCX's tracked changes and comments at their source; --apply writes them",
        description="Read the tracked changes and comments of a paper's DOCX that reviewers marked up in Word "
        "or LibreOffice, and print each at the content file and line it belongs to. Exit status 0: nothing "
        "to absorb, 1: changes or comments (or a file that cannot be read), 2: trouble.",
    )
    absorb.add_argument("docx", type=Path, help="the reviewed DOCX, as built by panelpapers and marked up")
    absorb.add_argument("--apply", action="store_true", help="write the reviewers' text into the content's YAML")
    absorb.add_argument("--markdown", type=Path, help="write a review checklist of every change and comment here")


def run(args: argparse.Namespace) -> int:
    from panelpapers.errors import ContentError
    from panelpapers.project import default_folders, load_project
    from panelpapers.word.absorb import Absorber, load_current
    from panelpapers.word.apply import apply_edits, checklist
    from panelpapers.word.reading import ReviewedFileError, read_reviewed

    path: Path = args.docx
    name = f"panelpapers absorb: {path}"
    try:
        reviewed = read_reviewed(path)
    except (ReviewedFileError, OSError) as err:
        print(f"{name}: {err}", file=sys.stderr)
        return EXIT_FOUND
    if not reviewed.anchors or not reviewed.paper:
        print(f"{name}: has no panelpapers anchors (built by another tool, or its anchors were removed); "
              "nothing can be traced to the content: build the paper again and send that copy", file=sys.stderr)
        return EXIT_FOUND
    content, _ = default_folders()
    folder = content / reviewed.paper
    if "/" not in reviewed.paper or not (folder / "paper.yaml").is_file():
        print(f"{name}: is the paper {reviewed.paper}, which is not in {content}; run absorb in the project "
              "the paper was built from", file=sys.stderr)
        return EXIT_FOUND
    try:
        current = load_current(folder, load_project(folder).house)
    except ContentError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"{name}: the content has problems; fix them before absorbing", file=sys.stderr)
        return EXIT_FOUND
    findings = Absorber(reviewed, current).run()
    for finding in findings:
        print(finding)
    if args.markdown:
        args.markdown.write_text(checklist(reviewed.paper, findings), encoding="utf-8")
    if args.apply:
        applied, problems = apply_edits([f.edit for f in findings if f.edit is not None])
        for line in problems:
            print(line, file=sys.stderr)
        reported = sum(1 for f in findings if f.kind != "change")  # a passage's change lines share its edit
        print(f"panelpapers absorb: {applied} edit{'s' if applied != 1 else ''} written; "
              f"{reported} line{'s' if reported != 1 else ''} reported only", file=sys.stderr)
    return EXIT_FOUND if findings else EXIT_NOTHING
