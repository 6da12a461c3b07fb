"""Command line: `panelpapers [-q|-v] build|check|diff|docs|import|new|preview|publish|schema …`. Exit status 0
on success, 1 for content an author must fix (one line per problem), 2 for an internal error (traceback kept in a
file), 64 for a command line that cannot be used, 130 when interrupted (Ctrl-C); `diff` keeps diff's
own 0/1/2 (see `panelpapers docs commands`)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from panelpapers.errors import ContentError, Location
from panelpapers.preview import command as preview_command
from panelpapers.project import AS_OF_ENV, PAPER_PYTHON_ENV, PAPER_PYTHON_REFUSE
from panelpapers.review import command as diff_command

if TYPE_CHECKING:
    from panelpapers.build import Written

EXIT_OK, EXIT_CONTENT, EXIT_INTERNAL = 0, 1, 2
EXIT_USAGE = 64  # EX_USAGE (sysexits.h): argparse's own 2 would look like an internal error
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped with Ctrl-C
QUIET, NORMAL, VERBOSE = 0, 1, 2
PUBLIC = "public"  # the variant folder a build's log may name everything of

DESCRIPTION = "Audit Panel committee papers and meeting packs (PDF and DOCX) from YAML content."
EPILOG = f"""exit status:
  {EXIT_OK:<3} success
  {EXIT_CONTENT:<3} content to fix: one line per problem on stderr, nothing written
      (new: the folder exists, or its meeting cannot take a paper)
  {EXIT_INTERNAL:<3} internal error: the traceback is kept in a file whose name is printed
  {EXIT_USAGE:<3} usage error: unknown option, missing argument, a folder name new cannot use
  {EXIT_INTERRUPTED:<3} interrupted (Ctrl-C): every output folder is complete, as before or as built
  diff is the exception and keeps diff's own: 0 no change, 1 changed, 2 trouble (usage errors too)

-q, -v and --no-paper-python may go before or after the command.
`panelpapers docs` lists the documentation installed with panelpapers; `panelpapers docs commands`
describes every command."""


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
            self.command_parser(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def command_parser(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        """The parser of the command given, or this one."""
        commands = next((a for a in self._actions if isinstance(a, argparse._SubParsersAction)), None)
        command = commands.choices.get(getattr(parsed, "command", None) or "") if commands else None
        return command or self


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("panelpapers")
    except PackageNotFoundError:
        return "unknown"


def positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def iso_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD, and only so (fromisoformat alone would take 20220117 too)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {text!r}")


def add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of", dest="as_of", type=iso_date, metavar="DATE",
        help="publish as of DATE (YYYY-MM-DD): withheld items due for release by then are published "
        "(default: each paper's own date)",
    )


def add_common_options(parser: argparse.ArgumentParser, after_command: bool) -> None:
    """-q, -v and --no-paper-python, accepted before the command and after it. The copies after the
    command default to SUPPRESS, so a subcommand that is not given one leaves the value given before
    the command alone; -q/-v after the command go to their own `level_after`, so that `-q build -v`
    is refused as `-q -v` is."""
    level = "level_after" if after_command else "level"
    unset = argparse.SUPPRESS if after_command else None
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument(
        "-q", "--quiet", dest=level, action="store_const", const=QUIET, default=unset,
        help="print only problems and errors",
    )
    talk.add_argument(
        "-v", "--verbose", dest=level, action="store_const", const=VERBOSE, default=unset,
        help="also print each file written and the time each stage took",
    )
    parser.add_argument(
        "--no-paper-python", dest="no_paper_python", action="store_true",
        default=argparse.SUPPRESS if after_command else False,
        help=f"refuse to run any paper's data/tables.py, even where panelpapers.yaml allows it "
        f"(as {PAPER_PYTHON_ENV}=refuse does)",
    )


def parser() -> ArgumentParser:
    main = ArgumentParser(
        prog="panelpapers",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("--version", action="version", version=f"panelpapers {package_version()}")
    add_common_options(main, after_command=False)
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
    add_as_of(build)
    from panelpapers.publication import command as publish_command

    publish_command.add_parser(commands, add_as_of, positive)
    check = commands.add_parser("check", help="validate content without writing anything")
    check.add_argument(
        "paths", nargs="*", type=Path, help="meeting or paper folders (default: the content project's content/)"
    )
    diff_command.add_parser(commands)
    from panelpapers.word import command as absorb_command

    absorb_command.add_parser(commands)
    commands.choices["diff"].usage_status = diff_command.EXIT_TROUBLE
    preview_command.add_parser(commands)
    new = commands.add_parser(
        "new",
        help="write the skeleton of a new meeting or paper, ready for `check`",
        description="Write the skeleton of a new meeting (content/<YYYY-MM-DD>-<name>) or paper "
        "(content/<meeting>/<NN>-<name>, also added to the end of the meeting's agenda). Never overwrites.",
    )
    new.add_argument("kind", choices=("meeting", "paper"), help="what to make")
    new.add_argument("folder", type=Path, help="the folder to make")
    word = commands.add_parser(
        "import",
        help="make a new paper folder from an existing Word paper (.docx), added to the agenda",
        description="Read a Word paper into a new paper folder content/<meeting>/<NN>-<name> that passes "
        "check; anything it cannot place is kept in a marked holding place and listed (docs/import.md).",
    )
    word.add_argument("docx", type=Path, help="the Word paper (.docx)")
    word.add_argument("folder", type=Path, help="the paper folder to make (must not exist)")
    word.add_argument("--report", type=Path, help="write what was found and where it went to this Markdown file")
    schema = commands.add_parser(
        "schema",
        help="print or write the JSON Schema of each kind of content file, for editors",
        description="Print one JSON object of schemas keyed by file kind, or with --out write one "
        "<kind>.schema.json per kind (meeting, paper, summary, …, data, house-style).",
    )
    schema.add_argument("--out", type=Path, help="write the schemas into this folder (e.g. schemas)")
    docs = commands.add_parser(
        "docs",
        help="print a page of the documentation installed with panelpapers, or list them",
        description="Print one page of panelpapers' documentation (Markdown), or with no TOPIC list the "
        "pages. The same pages as the repository's docs/ folder, installed with the package.",
    )
    docs.add_argument("topic", nargs="?", help="the page to print, e.g. commands, content-format, ci")
    for command in commands.choices.values():
        add_common_options(command, after_command=True)
    return main


def options(args: argparse.Namespace) -> argparse.Namespace:
    """Settles the options that may come before or after the command: their one level of talk, and
    whether papers' Python is refused. Raises UsageError for -q before the command with -v after it."""
    before, after = args.level, getattr(args, "level_after", None)
    if before is not None and after is not None and before != after:
        raise UsageError("argument -q/--quiet: not allowed with argument -v/--verbose")
    args.level = NORMAL if before is None and after is None else (after if after is not None else before)
    refused_by = os.environ.get(PAPER_PYTHON_ENV, "")
    if refused_by not in ("", PAPER_PYTHON_REFUSE):
        raise UsageError(f"environment variable {PAPER_PYTHON_ENV}: expected '{PAPER_PYTHON_REFUSE}' or nothing, "
                         f"got {refused_by!r}")
    if args.no_paper_python:
        # Through the environment, so that every process of the build (and diff's builds) sees it.
        os.environ[PAPER_PYTHON_ENV] = PAPER_PYTHON_REFUSE
    if getattr(args, "as_of", None) is not None:
        os.environ[AS_OF_ENV] = args.as_of.isoformat()  # the same way, for the build and its cache keys
    return args


class UsageError(Exception):
    """A command line that parses but cannot be used."""


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
    arguments = parser()
    args = arguments.parse_args(argv)
    try:
        options(args)
    except UsageError as err:
        arguments.command_parser(args).error(str(err))
    out = Output(args.level)
    if out.level >= VERBOSE:  # what the build notes on the way (a cache entry it could not trust)
        import logging

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("panelpapers: %(message)s"))
        logging.getLogger("panelpapers").addHandler(handler)
        logging.getLogger("panelpapers").setLevel(logging.INFO)
    try:
        return run(args, out)
    except UsageError as err:
        arguments.command_parser(args).error(str(err))
    except ContentError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        count = len(err.problems)
        print(f"panelpapers: {count} problem{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt as err:
        print(err.message if isinstance(err, Interrupted) else "panelpapers: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # an unexpected crash: short note here, the details in a file
        with tempfile.NamedTemporaryFile("w", prefix="panelpapers-crash-", suffix=".log", delete=False) as log:
            traceback.print_exc(file=log)
        print(f"panelpapers: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print(f"panelpapers: the traceback is in {log.name}; please report it", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if "multiprocessing.forkserver" in sys.modules:  # a build's workers were started
            from panelpapers.build.worker import stop_worker_server

            stop_worker_server()


def run(args: argparse.Namespace, out: Output | None = None) -> int:
    out = out or Output()
    if args.command == "diff":
        return diff_command.run(args)
    if args.command == "absorb":
        from panelpapers.word import command as absorb_command

        return absorb_command.run(args)
    if args.command == "new":
        return run_new(args, out)
    if args.command == "schema":
        return run_schema(args, out)
    if args.command == "docs":
        return run_docs(args)
    if args.command == "import":
        from panelpapers.wordimport.command import run_import

        return run_import(args, out)
    from panelpapers import build
    from panelpapers.project import default_folders

    if args.command == "preview":
        return preview_command.run(args, *default_folders())
    if args.command == "publish":
        from panelpapers.publication import command as publish_command

        stages = progress_display(out) or Stages()
        try:
            return publish_command.run(args, out.summary, stages.event, package_version())
        finally:
            stages.close()
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
    stages = display or Stages()  # followed even when nothing is shown, to say what an interrupt left
    try:
        outputs = build.build(args.paths, args.out, progress=stages.event, jobs=args.jobs, force=args.force)
    except KeyboardInterrupt:
        stages.close(failed=True)
        raise Interrupted(interrupted_build(args.out, published="publishing" in stages.started)) from None
    except BaseException:
        stages.close(failed=True)
        raise
    stages.close()
    elapsed = time.perf_counter() - started
    for path, data in sorted(outputs.items()):
        out.detail(f"panelpapers: wrote {loggable(path, outputs)} ({len(data):,} bytes)")
    if display:
        out.detail("panelpapers: time by stage: " + display.timings())
    if outputs:
        written = f"{len(outputs)} files written under {args.out} in {elapsed:.1f} s"
        out.summary(f"panelpapers: {what_was_done(outputs)}; {written}")
    else:
        out.summary(f"panelpapers: nothing changed; {args.out} is up to date ({elapsed:.1f} s)")
    return EXIT_OK


def what_was_done(outputs: Written) -> str:
    """`rendered 1 paper, reused 2 from the cache`, `rendered 3 papers` or `reused 3 papers from the
    cache` (a build that only re-assembled packs or re-published folders)."""

    def papers(count: int) -> str:
        return f"{count} paper{'s' if count != 1 else ''}"

    if not outputs.reused:
        return f"rendered {papers(outputs.rendered)}"
    if not outputs.rendered:
        return f"reused {papers(outputs.reused)} from the cache"
    return f"rendered {papers(outputs.rendered)}, reused {outputs.reused} from the cache"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with what it left behind."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def interrupted_build(out: Path, published: bool) -> str:
    """What an interrupted build leaves: each variant folder is swapped in whole (publish.py), so
    before publishing began nothing under `out` changed, and after, each folder is the old or the new."""
    if not published:
        return f"panelpapers: interrupted; {out} left as it was"
    return f"panelpapers: interrupted while publishing; each folder under {out} is whole, as before or as built"


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
    from panelpapers import json_schemas

    if args.out is None:
        found, notes = json_schemas.all_schemas()
        sys.stdout.write(json_schemas.dumps(found))
    else:
        written, notes = json_schemas.write_schemas(args.out)
        for path in written:
            out.detail(f"panelpapers: wrote {Location(path)}")
        out.summary(f"panelpapers: wrote {len(written)} schemas under {Location(args.out)}")
    for note in notes:
        out.note(f"panelpapers: {note}")
    return EXIT_OK


def doc_pages() -> dict[str, Any]:
    """The documentation installed with the package (the repository's docs/, as `panelpapers.docs`),
    by topic: the page's file name without `.md`."""
    from importlib.resources import files

    pages = sorted(files("panelpapers.docs").iterdir(), key=lambda page: page.name)
    return {page.name.removesuffix(".md"): page for page in pages if page.name.endswith(".md")}


def run_docs(args: argparse.Namespace) -> int:
    pages = doc_pages()
    if args.topic is None:
        for topic, page in pages.items():
            title = next((line[2:] for line in page.read_text(encoding="utf-8").splitlines() if line[:2] == "# "), "")
            print(f"{topic:<16} {title}")
        print("\npanelpapers docs TOPIC prints a page (Markdown).")
        return EXIT_OK
    topic = args.topic.removesuffix(".md").removeprefix("docs/")
    if topic not in pages:
        import difflib

        near = difflib.get_close_matches(topic, pages, n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise UsageError(f"no page '{args.topic}'; {hint}pages: {', '.join(pages)}")
    sys.stdout.write(pages[topic].read_text(encoding="utf-8"))
    return EXIT_OK


# ---- progress of a build -----------------------------------------------------------------------

STAGE_LABELS = {
    "loading": "Loading and checking",  # followed by the folders named: "Loading and checking content"
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
        self.folders = ""  # what the loading stage loads, kept on its line when it is done
        self.display.start()

    def event(self, stage: str, detail: str) -> None:
        previous = self.current
        super().event(stage, detail)
        count = _COUNT.search(detail)
        if stage == "loading":
            from rich.markup import escape

            self.folders, detail = escape(detail), ""  # a folder's name is not markup
        if stage != previous and previous in self.tasks:
            self._finish(previous)
        label, name = self.label(stage), _COUNT.sub("", detail)
        if stage not in self.tasks:
            self.tasks[stage] = self.display.add_task(label, total=None, counter="")
        if count:
            done, total = int(count.group(1)) - 1, int(count.group(2))
            self.totals[stage] = total
            self.display.update(
                self.tasks[stage], description=f"{label} {name}", completed=done, total=total, counter=f"{done}/{total}"
            )
        else:
            self.display.update(self.tasks[stage], description=f"{label} {name}".rstrip())

    def label(self, stage: str) -> str:
        """The stage's words; the loading stage's name the folders it loads, which stay on its line."""
        label = STAGE_LABELS.get(stage, stage.capitalize())
        return f"{label} {self.folders}" if stage == "loading" else label

    def _finish(self, stage: str | None) -> None:
        if stage is None or stage not in self.tasks:
            return
        task, total = self.tasks[stage], self.totals.get(stage)
        label = self.label(stage)
        counter = f"{total}/{total}" if total else ""
        self.display.update(task, description=label, total=total or 1, completed=total or 1, counter=counter)
        self.display.stop_task(task)

    def close(self, failed: bool = False) -> None:
        if failed and self.current in self.tasks:
            task = self.tasks[self.current]
            self.display.update(task, description=f"{self.label(self.current)} [red]stopped[/]")
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
