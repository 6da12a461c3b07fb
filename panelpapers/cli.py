"""Command line: `panelpapers build|check [PATH …]`. Exit status 0 on success, 1 for content an
author must fix (one line per problem), 2 for an internal error (traceback kept in a file)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

from panelpapers.errors import ContentError
from panelpapers.review import command as diff_command

EXIT_OK, EXIT_CONTENT, EXIT_INTERNAL = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="panelpapers", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build meetings or single papers into build/")
    build.add_argument(
        "paths", nargs="*", type=Path, default=[Path("content")], help="meeting or paper folders (default: content)"
    )
    build.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    check = commands.add_parser("check", help="validate content without writing anything")
    check.add_argument("paths", nargs="*", type=Path, default=[Path("content")])
    diff_command.add_parser(commands)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except ContentError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        count = len(err.problems)
        print(f"panelpapers: {count} problem{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return EXIT_INTERNAL
    except Exception as err:  # an unexpected crash: short note here, the details in a file
        with tempfile.NamedTemporaryFile("w", prefix="panelpapers-crash-", suffix=".log", delete=False) as log:
            traceback.print_exc(file=log)
        print(f"panelpapers: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print(f"panelpapers: the traceback is in {log.name}; please report it", file=sys.stderr)
        return EXIT_INTERNAL


def run(args: argparse.Namespace) -> int:
    from panelpapers import build

    started = time.perf_counter()
    if args.command == "diff":
        return diff_command.run(args)
    if args.command == "check":
        count = build.check(args.paths)
        print(f"panelpapers: {count} paper{'s' if count != 1 else ''} checked, no problems")
        return EXIT_OK
    outputs = build.build(args.paths, args.out)
    elapsed = time.perf_counter() - started
    print(f"panelpapers: wrote {len(outputs)} files under {args.out} in {elapsed:.1f} s")
    return EXIT_OK
