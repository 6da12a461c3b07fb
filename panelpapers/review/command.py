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
        description="Compare two rendered PDFs or packs, two build folders, or (with --rev) the project "
        "at a git revision, built in its own house, with the working tree. Exit status 0: no changes, "
        "1: changes, 2: trouble.",
    )
    diff.add_argument(
        "sides",
        nargs="*",
        type=Path,
        help="OLD NEW (PDFs or build folders); with --rev: content folders (default: the project's content/)",
    )
    diff.add_argument(
        "--rev", help="compare the project at this git revision (its house included) with the working tree"
    )
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
    from panelpapers.project import default_folders
    from panelpapers.review.compare import DiffInputError, NoPapersFound, compare_paths
    from panelpapers.word.redline import write_redlines

    variant = args.variant or DEFAULT_VARIANT
    try:
        if args.rev:
            with tempfile.TemporaryDirectory(prefix="panelpapers-diff-") as work:
                paths = args.sides or [default_folders()[0]]  # the content/ of the project we are in
                old, new = build_revision_and_tree(args.rev, paths, Path(work))
                if args.docx:
                    write_redlines(args.docx, old, new, variant)
                comparison = compare_paths(old, new, variant)
                comparison.old_label, comparison.new_label = f"project at {args.rev}", "working tree"
                return report(comparison, args)
        if len(args.sides) != 2:
            print("panelpapers diff: give OLD and NEW (two PDFs or build folders), or --rev REV", file=sys.stderr)
            return EXIT_TROUBLE
        if args.docx:
            write_redlines(args.docx, args.sides[0], args.sides[1], variant)
        return report(compare_paths(args.sides[0], args.sides[1], variant), args)
    except DiffInputError as err:
        print(f"panelpapers diff: {err}", file=sys.stderr)
        # Only a side with no papers may be explained by the variant: a public variant can hold none.
        built = any(side.is_dir() and any(side.rglob(MANIFEST_FILE)) for side in args.sides)
        if isinstance(err, NoPapersFound) and args.variant is None and built:
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

    house = house_of(args.sides)
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
        write_atomic(args.markdown, markdown(result, args.html.name if args.html else None).encode("utf-8"))
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
    """Builds `paths` as they were at `rev` and as they are in the working tree, into `work`.

    The old side is the whole content project at `rev` (the folder holding panelpapers.yaml, which may
    be a subfolder of the repository: house file, templates, fonts, logos, data and content), exported
    with git archive and built there, so each side is printed in its own revision's house. Outside any
    project the whole repository at `rev` is exported, so a house file the revision had is found."""
    from panelpapers.build import build
    from panelpapers.project import HOUSE_STYLE_FILE, find_root
    from panelpapers.review.compare import DiffInputError

    roots = {find_root(path if path.is_dir() else path.parent) for path in paths}
    if len(roots) > 1:
        named = ", ".join(str(root) if root else "(none)" for root in roots)
        raise DiffInputError(f"these folders belong to different content projects: {named}")
    root = roots.pop()
    anchor = root or next((path for path in paths if path.is_dir()), Path.cwd())
    top = Path(_git(["rev-parse", "--show-toplevel"], anchor).strip()).resolve()
    base = root or top
    if not base.is_relative_to(top):
        raise DiffInputError(f"{base / HOUSE_STYLE_FILE}: not inside the git repository at {top}")
    relative = []
    for path in paths:
        if not path.resolve().is_relative_to(base):
            raise DiffInputError(f"{path}: not inside the git repository at {top}")
        relative.append(path.resolve().relative_to(top))
    project = base.relative_to(top)
    archive = work / "project.tar"
    with archive.open("wb") as out:
        done = subprocess.run(
            ["git", "-C", str(top), "archive", "--format=tar", rev, *(["--", str(project)] if project.parts else [])],
            stdout=out,
            stderr=subprocess.PIPE,
            text=False,
        )
    if done.returncode != 0:
        raise DiffInputError(f"git archive {rev}: {done.stderr.decode('utf-8', 'replace').strip()}")
    exported = work / "old-project"
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(exported, filter="data")
    except tarfile.FilterError as err:  # a symlink out of the project, say
        raise DiffInputError(f"{rev}: {err}; the project at that revision cannot be exported safely") from None
    old_paths = [exported / r for r in relative]
    # The old side's house is found by looking up from its paths: it must be the exported one (or
    # none, the built-in house), never a panelpapers.yaml above the temporary folder.
    for old_root in {find_root(path if path.is_dir() else path.parent) for path in old_paths}:
        if old_root is not None and not old_root.is_relative_to(exported.resolve()):
            raise DiffInputError(
                f"{old_root / HOUSE_STYLE_FILE}: lies above the temporary folder {work} and would style the "
                "old side; set TMPDIR to a folder outside any content project"
            )
    old_out, new_out = work / "old-build", work / "new-build"
    # Both sides are built in the temporary folder, the project's build/ (and its cache, which holds
    # restricted outputs) left as it was. They share one build cache there: its keys are the papers'
    # contents, house and tools, not where they lie, so the new side renders only the papers that
    # differ from the old side's and takes the rest as the old side made them, byte for byte.
    cache = work / "cache"
    build(old_paths, old_out, cache=cache)
    build(list(paths), new_out, cache=cache)
    return old_out, new_out


def _git(arguments: list[str], cwd: Path) -> str:
    from panelpapers.review.compare import DiffInputError

    done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise DiffInputError(f"git {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout
