"""`panelpapers diff OLD NEW` and `panelpapers diff --rev REV [PATH …]`. Exit status as diff's:
0 nothing changed, 1 something changed, 2 trouble (unreadable input, a revision that will not build,
a Markdown summary of papers marked above OFFICIAL asked for without `--variant restricted`).

Build folders are compared in their public variant unless `--variant restricted` is given, so the
summary CI posts as a pull-request comment cannot carry restricted text by default."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from panelpapers.errors import ContentError
from panelpapers.house import DEFAULT_HOUSE, House
from panelpapers.manifest import MANIFEST_FILE

EXIT_SAME, EXIT_CHANGED, EXIT_TROUBLE = 0, 1, 2
DEFAULT_VARIANT = "public"
RESTRICTED_VARIANT = "restricted"


def add_parser(commands: Any) -> None:
    diff = commands.add_parser(
        "diff",
        help="show what changed between two drafts: paragraphs, recommendations, table cells, charts",
        description="Compare two rendered PDFs or packs, two build folders, or (with --rev) the content "
        "at a git revision with the working tree. Exit status 0: no changes, 1: changes, 2: trouble.",
    )
    diff.add_argument(
        "sides", nargs="*", type=Path, help="OLD NEW (PDFs or build folders); with --rev: content folders"
    )
    diff.add_argument("--rev", help="compare the content at this git revision with the working tree")
    diff.add_argument(
        "--variant",
        default=None,  # None: not given, so the public variant and no restricted Markdown
        choices=(RESTRICTED_VARIANT, DEFAULT_VARIANT),
        help=f"which build variant to compare (default: {DEFAULT_VARIANT}); a Markdown summary of papers "
        f"marked above {DEFAULT_HOUSE.public_marking} is written only with --variant {RESTRICTED_VARIANT}",
    )
    diff.add_argument("--html", type=Path, help="write the self-contained HTML report here")
    diff.add_argument("--markdown", type=Path, help="write a short Markdown summary (for a pull-request comment) here")
    diff.add_argument(
        "--docx",
        type=Path,
        help="write NEW as a Word redline of OLD (tracked changes); for two build folders a folder, one DOCX per "
        "changed paper",
    )
    diff.add_argument("--no-pages", action="store_true", help="leave page images out of the HTML report")


def run(args: argparse.Namespace) -> int:
    from panelpapers.review.compare import DiffInputError, compare_paths
    from panelpapers.word.redline import write_redlines

    variant = args.variant or DEFAULT_VARIANT
    try:
        write_redlines(args, variant)
        if args.rev:
            with tempfile.TemporaryDirectory(prefix="panelpapers-diff-") as work:
                old, new = build_revision_and_tree(args.rev, args.sides or [Path("content")], Path(work))
                comparison = compare_paths(old, new, variant)
                comparison.old_label, comparison.new_label = f"content at {args.rev}", "working tree"
                return report(comparison, args)
        if len(args.sides) != 2:
            print("panelpapers diff: give OLD and NEW (two PDFs or build folders), or --rev REV", file=sys.stderr)
            return EXIT_TROUBLE
        return report(compare_paths(args.sides[0], args.sides[1], variant), args)
    except DiffInputError as err:
        print(f"panelpapers diff: {err}", file=sys.stderr)
        if args.variant is None and any(side.is_dir() and any(side.rglob(MANIFEST_FILE)) for side in args.sides):
            print(
                f"panelpapers diff: build folders are compared in their {DEFAULT_VARIANT} variant unless "
                f"you add --variant {RESTRICTED_VARIANT}",
                file=sys.stderr,
            )
        return EXIT_TROUBLE
    except ContentError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print("panelpapers diff: a side does not build, so there is nothing to compare", file=sys.stderr)
        return EXIT_TROUBLE


def report(comparison: Any, args: argparse.Namespace) -> int:
    from panelpapers.publish import write_atomic
    from panelpapers.review.report import html, markdown, review, shown_marking, terminal_lines

    house = house_of(args.sides if not args.rev else [])
    marking = shown_marking(comparison, house)
    if args.markdown and not house.is_publishable(marking) and args.variant != RESTRICTED_VARIANT:
        print(
            f"panelpapers diff: not writing {args.markdown}: the papers compared are marked {marking}, above "
            f"{house.public_marking}; add --variant {RESTRICTED_VARIANT} if the summary may carry {marking} text",
            file=sys.stderr,
        )
        return EXIT_TROUBLE
    result = review(comparison, show_pages=bool(args.html) and not args.no_pages, house=house)
    for line in terminal_lines(result):
        print(line)
    if args.html:
        write_atomic(args.html, html(result).encode("utf-8"))
    if args.markdown:
        write_atomic(args.markdown, markdown(result).encode("utf-8"))
    return EXIT_CHANGED if result.changes else EXIT_SAME


def house_of(sides: list[Path]) -> House:
    """Whose markings the compared papers carry: the house of the content project the NEW side lies
    in (a build folder or PDF inside a project), else OLD's, else that of the folder the reviewer
    works in (which is also where --rev builds)."""
    from panelpapers.project import find_root, load_project

    for side in reversed(sides):
        root = find_root(side if side.is_dir() else side.parent)
        if root is not None:
            return load_project(root).house
    return load_project(Path.cwd()).house


def build_revision_and_tree(rev: str, paths: list[Path], work: Path) -> tuple[Path, Path]:
    """Exports the content at `rev` with git archive, builds it and the working tree into `work`."""
    from panelpapers.build import build
    from panelpapers.review.compare import DiffInputError

    top = _git(["rev-parse", "--show-toplevel"], Path.cwd()).strip()
    relative = []
    for path in paths:
        if not path.resolve().is_relative_to(Path(top).resolve()):
            raise DiffInputError(f"{path}: not inside the git repository at {top}")
        relative.append(str(path.resolve().relative_to(Path(top).resolve())))
    archive = work / "content.tar"
    with archive.open("wb") as out:
        done = subprocess.run(
            ["git", "-C", top, "archive", "--format=tar", rev, "--", *relative],
            stdout=out,
            stderr=subprocess.PIPE,
            text=False,
        )
    if done.returncode != 0:
        raise DiffInputError(f"git archive {rev}: {done.stderr.decode('utf-8', 'replace').strip()}")
    exported = work / "old-content"
    with tarfile.open(archive) as tar:
        tar.extractall(exported, filter="data")
    old_out, new_out = work / "old-build", work / "new-build"
    # Each side is built cold in the temporary folder: the project's build/ (and its cache, which holds
    # restricted outputs) is left as it was.
    build([exported / r for r in relative], old_out)
    build(list(paths), new_out)
    return old_out, new_out


def _git(arguments: list[str], cwd: Path) -> str:
    from panelpapers.review.compare import DiffInputError

    done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise DiffInputError(f"git {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout
