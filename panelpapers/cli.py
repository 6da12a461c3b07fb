"""Command line: `panelpapers [-q|-v] build|check|diff|new|schema …`. Exit status 0 on success, 1 for
content an author must fix (one line per problem), 2 for an internal error (traceback kept in a
file), 64 for a command line that cannot be used; `diff` keeps diff's own 0/1/2 (see docs/commands.md)."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from panelpapers.errors import ContentError, Location
from panelpapers.review import command as diff_command

EXIT_OK, EXIT_CONTENT, EXIT_INTERNAL = 0, 1, 2
EXIT_USAGE = 64  # EX_USAGE (sysexits.h): argparse's own 2 would look like an internal error
QUIET, NORMAL, VERBOSE = 0, 1, 2
PUBLIC = "public"  # the variant folder a build's log may name everything of

DESCRIPTION = "Audit Panel committee papers and meeting packs (PDF and DOCX) from YAML content."
EPILOG = f"""exit status:
  {EXIT_OK:<3} success
  {EXIT_CONTENT:<3} content to fix: one line per problem on stderr, nothing written
      (new: the folder exists, or its meeting cannot take a paper)
  {EXIT_INTERNAL:<3} internal error: the traceback is kept in a file whose name is printed
  {EXIT_USAGE:<3} usage error: unknown option, missing argument, a folder name new cannot use
  diff is the exception and keeps diff's own: 0 no change, 1 changed, 2 trouble (usage errors too)

See docs/commands.md for every command."""


class ArgumentParser(argparse.ArgumentParser):
    """Usage errors exit with EX_USAGE (64), not argparse's 2, which panelpapers uses for an internal
    error; a parser may set `usage_status` to keep another convention (diff's 2 for trouble)."""

    usage_status = EXIT_USAGE

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(self.usage_status, f"{self.prog}: error: {message}\n")

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """As argparse's, but arguments left over are reported by the command's own parser, so with
        its usage line and its exit status."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            commands = next((a for a in self._actions if isinstance(a, argparse._SubParsersAction)), None)
            command = commands.choices.get(getattr(parsed, "command", None) or "") if commands else None
            (command or self).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("panelpapers")
    except PackageNotFoundError:
        return "unknown"


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def parser() -> ArgumentParser:
    main = ArgumentParser(
        prog="panelpapers",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("--version", action="version", version=f"panelpapers {package_version()}")
    talk = main.add_mutually_exclusive_group()
    talk.add_argument(
        "-q", "--quiet", dest="level", action="store_const", const=QUIET, default=NORMAL,
        help="print only problems and errors",
    )
    talk.add_argument(
        "-v", "--verbose", dest="level", action="store_const", const=VERBOSE,
        help="also print each file written and the time each stage took",
    )
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser("build", help="build meetings or single papers into build/")
    build.add_argument(
        "paths", nargs="*", type=Path, help="meeting or paper folders (default: the content project's content/)"
    )
    build.add_argument("--out", type=Path, help="output folder (default: the content project's build/)")
    build.add_argument(
        "-j", "--jobs", type=positive, metavar="N", help="render in N worker processes (default: one per core)"
    )
    build.add_argument(
        "--force", action="store_true", help="render and publish everything, ignoring the build cache"
    )
    check = commands.add_parser("check", help="validate content without writing anything")
    check.add_argument(
        "paths", nargs="*", type=Path, help="meeting or paper folders (default: the content project's content/)"
    )
    diff_command.add_parser(commands)
    commands.choices["diff"].usage_status = diff_command.EXIT_TROUBLE
    new = commands.add_parser(
        "new",
        help="write the skeleton of a new meeting or paper, ready for `check`",
        description="Write the skeleton of a new meeting (content/<YYYY-MM-DD>-<name>) or paper "
        "(content/<meeting>/<NN>-<name>, also added to the end of the meeting's agenda). Never overwrites.",
    )
    new.add_argument("kind", choices=("meeting", "paper"), help="what to make")
    new.add_argument("folder", type=Path, help="the folder to make")
    schema = commands.add_parser(
        "schema",
        help="print or write the JSON Schema of each kind of content file, for editors",
        description="Print one JSON object of schemas keyed by file kind, or with --out write one "
        "<kind>.schema.json per kind (meeting, paper, summary, …, data, house-style).",
    )
    schema.add_argument("--out", type=Path, help="write the schemas into this folder (e.g. schemas)")
    return main


@dataclass
class Output:
    """What a run prints, by level: the summary on stdout, notes and details on stderr."""

    level: int = NORMAL

    def summary(self, text: str) -> None:
        if self.level >= NORMAL:
            print(text, flush=True)

    def note(self, text: str) -> None:
        if self.level >= NORMAL:
            print(text, file=sys.stderr, flush=True)

    def detail(self, text: str) -> None:
        if self.level >= VERBOSE:
            print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Output(args.level)
    if out.level >= VERBOSE:  # what the build notes on the way (a cache entry it could not trust)
        import logging

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("panelpapers: %(message)s"))
        logging.getLogger("panelpapers").addHandler(handler)
        logging.getLogger("panelpapers").setLevel(logging.INFO)
    try:
        return run(args, out)
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


def run(args: argparse.Namespace, out: Output | None = None) -> int:
    out = out or Output()
    if args.command == "diff":
        return diff_command.run(args)
    if args.command == "new":
        return run_new(args, out)
    if args.command == "schema":
        return run_schema(args, out)
    from panelpapers import build
    from panelpapers.project import default_folders

    content, build_folder = default_folders()  # of the content project the current folder lies in
    args.paths = args.paths or [content]
    args.out = getattr(args, "out", None) or build_folder
    started = time.perf_counter()
    if args.command == "check":
        from panelpapers.cache import CACHE_FOLDER

        count = build.check(args.paths, cache_folder=args.out / CACHE_FOLDER)  # papers the last build validated
        out.detail(f"panelpapers: checked in {time.perf_counter() - started:.1f} s")
        out.summary(f"panelpapers: {count} paper{'s' if count != 1 else ''} checked, no problems")
        return EXIT_OK
    display = progress_display(out)
    try:
        outputs = build.build(
            args.paths, args.out, progress=display.event if display else None, jobs=args.jobs, force=args.force
        )
    except BaseException:
        if display:
            display.close(failed=True)
        raise
    if display:
        display.close()
    elapsed = time.perf_counter() - started
    for path, data in sorted(outputs.items()):
        out.detail(f"panelpapers: wrote {loggable(path, outputs)} ({len(data):,} bytes)")
    if display:
        out.detail("panelpapers: time by stage: " + display.timings())
    if outputs:
        out.summary(f"panelpapers: wrote {len(outputs)} files under {args.out} in {elapsed:.1f} s")
    else:
        out.summary(f"panelpapers: nothing changed; {args.out} is up to date ({elapsed:.1f} s)")
    return EXIT_OK


def loggable(path: Path, outputs: dict[Path, bytes]) -> Path:
    """A written file's path as a build's log may show it. The log is as public as the public variant:
    a file that only a variant other than `public` holds (one of a paper withheld from it) goes unnamed."""
    if path.parent.name == PUBLIC or path.parent.parent / PUBLIC / path.name in outputs:
        return path
    return path.parent / "(a file of a paper not published)"


def run_new(args: argparse.Namespace, out: Output) -> int:
    from panelpapers import scaffold

    try:
        make = scaffold.new_meeting if args.kind == "meeting" else scaffold.new_paper
        written = make(args.folder)
    except scaffold.BadName as err:
        print(f"panelpapers new: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except scaffold.Refused as err:
        print(err, file=sys.stderr)
        return EXIT_CONTENT
    for path in written:
        out.detail(f"panelpapers: wrote {Location(path)}")
    folder = Location(args.folder)
    if args.kind == "meeting":
        out.summary(f"panelpapers: wrote {folder}/meeting.yaml; replace each \"Replace this with …\", then check")
    else:
        added = " and added it to the end of the agenda" if written[-1].name == "meeting.yaml" else ""
        count = sum(path.parent == args.folder for path in written)
        out.summary(
            f"panelpapers: wrote {count} files in {folder}{added}; replace each \"Replace this with …\", then check"
        )
    schemas = scaffold.schema_root(args.folder.parent) / scaffold.SCHEMAS_FOLDER
    if not schemas.is_dir():
        out.note(
            f"panelpapers: {Location(schemas)}/ is not there yet, so editors cannot check these files: "
            f"run `panelpapers schema --out {Location(schemas)}`"
        )
    return EXIT_OK


def run_schema(args: argparse.Namespace, out: Output) -> int:
    from panelpapers import schemas

    if args.out is None:
        found, notes = schemas.all_schemas()
        sys.stdout.write(schemas.dumps(found))
    else:
        written, notes = schemas.write_schemas(args.out)
        for path in written:
            out.detail(f"panelpapers: wrote {Location(path)}")
        out.summary(f"panelpapers: wrote {len(written)} schemas under {Location(args.out)}")
    for note in notes:
        out.note(f"panelpapers: {note}")
    return EXIT_OK


# ---- progress of a build -----------------------------------------------------------------------

STAGE_LABELS = {
    "loading": "Loading and checking content",
    "data": "Computing data",
    "resolving": "Resolving",
    "rendering": "Rendering papers",
    "pack": "Assembling packs",
    "publishing": "Publishing",
}
_COUNT = re.compile(r"\s*\((\d+)/(\d+)\)$")


@dataclass
class Stages:
    """Follows the build's progress events; times each stage. Prints nothing itself."""

    started: dict[str, float] = field(default_factory=dict)
    spent: dict[str, float] = field(default_factory=dict)
    current: str | None = None

    def event(self, stage: str, detail: str) -> None:
        now = time.perf_counter()
        if stage != self.current:
            self._end(now)
            self.current = stage
            self.started[stage] = now

    def _end(self, now: float) -> None:
        if self.current is not None:
            self.spent[self.current] = self.spent.get(self.current, 0.0) + now - self.started[self.current]
            self.current = None

    def close(self, failed: bool = False) -> None:
        self._end(time.perf_counter())

    def timings(self) -> str:
        return ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in self.spent.items())


@dataclass
class PlainProgress(Stages):
    """One line per event on stderr, for logs: `panelpapers: rendering <meeting>/<paper> (1/3)`."""

    def event(self, stage: str, detail: str) -> None:
        super().event(stage, detail)
        print(f"panelpapers: {stage} {detail}".rstrip(), file=sys.stderr, flush=True)


class TerminalProgress(Stages):
    """A live display on a terminal: one line per stage, with a bar over the papers being rendered."""

    def __init__(self, console: Any = None) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.display = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[counter]}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
        )
        self.tasks: dict[str, Any] = {}  # stage -> its line
        self.totals: dict[str, int] = {}  # stage -> how many it counts (papers), if it counts
        self.display.start()

    def event(self, stage: str, detail: str) -> None:
        previous = self.current
        super().event(stage, detail)
        count = _COUNT.search(detail)
        label = STAGE_LABELS.get(stage, stage.capitalize())
        if stage != previous and previous in self.tasks:
            self._finish(previous)
        if stage not in self.tasks:
            self.tasks[stage] = self.display.add_task(label, total=None, counter="")
        name = _COUNT.sub("", detail)
        if count:
            done, total = int(count.group(1)) - 1, int(count.group(2))
            self.totals[stage] = total
            self.display.update(
                self.tasks[stage], description=f"{label} {name}", completed=done, total=total, counter=f"{done}/{total}"
            )
        else:
            self.display.update(self.tasks[stage], description=f"{label} {name}".rstrip())

    def _finish(self, stage: str | None) -> None:
        if stage is None or stage not in self.tasks:
            return
        task, total = self.tasks[stage], self.totals.get(stage)
        label = STAGE_LABELS.get(stage, stage.capitalize())
        counter = f"{total}/{total}" if total else ""
        self.display.update(task, description=label, total=total or 1, completed=total or 1, counter=counter)
        self.display.stop_task(task)

    def close(self, failed: bool = False) -> None:
        if failed and self.current in self.tasks:
            task = self.tasks[self.current]
            label = STAGE_LABELS.get(self.current, self.current.capitalize())
            self.display.update(task, description=f"{label} [red]stopped[/]")
            self.display.stop_task(task)
        else:
            self._finish(self.current)
        super().close(failed)
        self.display.stop()


def on_terminal() -> bool:
    """A person watching: stderr is a terminal and this is not a CI job (CI set and not empty)."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def progress_display(out: Output) -> Stages | None:
    if out.level == QUIET:
        return None
    return TerminalProgress() if on_terminal() else PlainProgress()
