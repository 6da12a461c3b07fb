"""Orchestration: load and validate everything, resolve, render every output in memory, and only
then publish. Bad content therefore never changes a byte under build/.

A build renders only what changed (cache.py): each paper, and each variant's pack, is looked up in
the build cache by the key of everything it depends on, and a variant folder whose manifest would
not change is not published again. A build whose inputs all match the last build's, with its
folders intact, stops after hashing them: it loads no content and imports none of the heavy
libraries. What must be rendered is rendered in worker processes, up to one per core: each paper's
data and variants are resolved in a worker, then its PDF (with the HTML it is made from) and its
DOCX (with its review record) are rendered side by side, then each variant's pack. The outputs are
those of a serial build, byte for byte."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.errors import ContentError, Location, Problem
from panelpapers.manifest import MANIFEST_FILE, Manifest, ManifestError, Output, PaperFiles, read_manifest
from panelpapers.publish import FolderBusy, locked, publish_folder, recover

if TYPE_CHECKING:
    from panelpapers.cache import Cache, Fingerprint, KeyContext
    from panelpapers.data.paper_data import PaperData
    from panelpapers.house import House
    from panelpapers.load.content import MeetingSource, PaperSource
    from panelpapers.model import Meeting, Paper
    from panelpapers.resolve.variants import Variants

Progress = Callable[[str, str], None]
VARIANTS = ("restricted", "public")  # as resolve/variants.py has them; named here to keep this import light
# What a worker process needs, imported once by the process that forks the workers.
WORKER_MODULES = [
    "panelpapers.cache",
    "panelpapers.resolve.variants",
    "panelpapers.data.tables",
    "panelpapers.data.charts",
    "panelpapers.render.pdf",
    "panelpapers.render.docx",
    "panelpapers.render.record",
    "panelpapers.pack.assemble",
    "weasyprint",
    "pikepdf",
]


def _variants() -> Variants:
    from panelpapers.resolve.variants import Variants

    return Variants()


@dataclass
class PaperJob:
    meeting_name: str
    source: PaperSource
    paper: Paper | None = None  # as the restricted variant prints it
    variants: Variants = field(default_factory=_variants)
    data: PaperData | None = None
    meeting: Meeting | None = None  # set for a meeting build, whose pack this paper joins


def check_meeting(meeting: MeetingSource) -> list[Problem]:
    """Agenda and papers must agree: every paper on the agenda, every agenda paper present, and each
    paper folder's number (the NN- of its name) its own."""
    if meeting.spec is None or meeting.file is None:
        return []
    problems: list[Problem] = []
    folders = {p.folder.name: p for p in meeting.papers}
    on_agenda = set()
    agenda_index: dict[str, int] = {}  # paper folder -> its first agenda item
    for i, item in enumerate(meeting.spec.agenda):
        if item.paper is None:
            continue
        agenda_index.setdefault(item.paper, i)
        if item.paper in on_agenda:  # the pack holds each paper once, so one Page number
            problems.append(
                Problem(
                    meeting.file.location(("agenda", i, "paper")),
                    f"paper '{item.paper}' is on the agenda twice; list it once",
                )
            )
        on_agenda.add(item.paper)
        if item.paper not in folders:
            problems.append(
                Problem(
                    meeting.file.location(("agenda", i, "paper")),
                    f"agenda names paper folder '{item.paper}', which does not exist "
                    f"(papers here: {', '.join(folders) or 'none'})",
                )
            )
    for name, paper in folders.items():
        if name not in on_agenda:
            problems.append(
                Problem(
                    meeting.file.location(("agenda",)),
                    f"paper folder '{name}' is not on the agenda; add '- paper: {name}' to the agenda",
                )
            )
        spec = paper.specs.get("paper.yaml")
        if spec is not None and spec.date != meeting.spec.date:
            problems.append(
                Problem(
                    paper.files["paper.yaml"].location(("date",)),
                    f"date {spec.date} differs from the meeting's date {meeting.spec.date} in meeting.yaml",
                )
            )
    # A copied folder not renumbered: the later one in agenda order is reported at its agenda line (one
    # not on the agenda, where the agenda starts).
    numbered: dict[int, str] = {}
    off_agenda = len(meeting.spec.agenda)
    in_order = sorted(folders, key=lambda name: (agenda_index.get(name, off_agenda), name))
    for name in in_order:
        number, dash, _rest = name.partition("-")
        if not (dash and number.isascii() and number.isdigit()):
            continue
        first = numbered.setdefault(int(number), name)
        if first != name:
            index = agenda_index.get(name)
            problems.append(
                Problem(
                    meeting.file.location(("agenda",) if index is None else ("agenda", index, "paper")),
                    f"paper folders '{first}' and '{name}' have the same number, {number}; "
                    "paper numbers must be unique",
                )
            )
    return problems


@dataclass
class Loaded:
    """Every meeting and paper named, read and validated file by file (no data computed yet)."""

    meetings: list[tuple[MeetingSource, list[PaperJob]]]
    jobs: list[PaperJob]
    problems: list[Problem]


def load(paths: list[Path], house: House) -> Loaded:
    from panelpapers.load.content import find_targets, load_meeting, load_paper

    meetings, paper_folders, problems = find_targets(paths)
    jobs: list[PaperJob] = []
    meeting_jobs: list[tuple[MeetingSource, list[PaperJob]]] = []
    for folder in meetings:
        meeting, found = load_meeting(folder, house)
        problems.extend(found)
        problems.extend(check_meeting(meeting))
        meeting_jobs.append((meeting, [PaperJob(folder.name, paper) for paper in meeting.papers]))
        jobs.extend(meeting_jobs[-1][1])
    for folder in paper_folders:
        paper, found = load_paper(folder, house)
        problems.extend(found)
        jobs.append(PaperJob(folder.parent.name, paper))
    return Loaded(meeting_jobs, jobs, problems)


def gather(paths: list[Path], house: House | None = None) -> list[PaperJob]:
    """Loads, validates and resolves everything named, in `house` (default: the house style of the
    content project the paths lie in); raises ContentError with every problem."""
    from panelpapers.data.paper_data import load_paper_data
    from panelpapers.project import project_of
    from panelpapers.resolve.meeting import resolve_meeting
    from panelpapers.resolve.variants import resolve_variants

    house = house or project_of(paths).house
    loaded = load(paths, house)
    problems = loaded.problems
    for job in loaded.jobs:
        # Resolve even an incomplete paper, so text problems show up in the same run.
        data, found = load_paper_data(job.source.folder, house)  # tables, charts and figures from data.yaml
        problems.extend(found)
        job.variants, found = resolve_variants(job.source, data, house)
        job.paper = job.variants.papers.get("restricted")
        job.data = data
        problems.extend(found)
    if problems:
        raise ContentError(problems)
    for meeting_source, its_jobs in loaded.meetings:
        papers = {job.source.folder.name: job.paper for job in its_jobs if job.paper is not None}
        resolved = resolve_meeting(meeting_source, papers, house)
        for job in its_jobs:
            job.meeting = resolved
    return loaded.jobs


def check(paths: list[Path], cache_folder: Path | None = None) -> int:
    """Validates `paths` and returns how many papers they hold; raises ContentError with every
    problem. A paper the build cache in `cache_folder` holds under its current key was validated by
    that build (the key covers everything validation reads), so its data is not computed again."""
    from panelpapers.cache import Cache, KeyContext, paper_key, paper_slot
    from panelpapers.data.paper_data import load_paper_data
    from panelpapers.project import project_of
    from panelpapers.resolve.variants import resolve_variants

    project = project_of(paths)
    loaded = load(paths, project.house)
    problems = loaded.problems
    cache = Cache(cache_folder) if cache_folder is not None else None
    context = KeyContext.of(project.root, project.templates) if cache is not None and cache.usable else None
    for job in loaded.jobs:
        folder = job.source.folder
        slot = paper_slot(job.meeting_name, folder.name)
        if cache is not None and context is not None and cache.entry(slot, paper_key(folder, context)) is not None:
            continue
        data, found = load_paper_data(folder, project.house)
        problems.extend(found)
        problems.extend(resolve_variants(job.source, data, project.house)[1])
    if problems:
        raise ContentError(problems)
    return len(loaded.jobs)


# ---- workers --------------------------------------------------------------------------------------


@dataclass
class Resolved:
    """A paper's variants as a worker resolved them, with the inputs each variant's manifest lists."""

    problems: list[Problem]
    papers: dict[str, Paper | None] = field(default_factory=dict)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)


def resolve_task(source: PaperSource, house: House) -> Resolved:
    """Computes a paper's data (tables, charts drawn) and resolves its variants."""
    from panelpapers.data.paper_data import load_paper_data
    from panelpapers.inputs import input_hashes, public_input_hashes
    from panelpapers.resolve.variants import resolve_variants

    data, problems = load_paper_data(source.folder, house)
    variants, found = resolve_variants(source, data, house)
    problems += found
    if problems:
        return Resolved(problems)
    root = source.folder.parent.parent
    inputs: dict[str, dict[str, str]] = {}
    for variant, paper in variants.papers.items():
        if paper is None:
            continue
        if variant == "public":
            inputs[variant] = public_input_hashes(source, paper, data, variants.public_uses, root)
        else:
            inputs[variant] = input_hashes(source, root)
    # The DOCX records what it was made from, so that a reviewed copy can tell when content moved on.
    papers = {v: replace(p, inputs=tuple(inputs[v].items())) if p else None for v, p in variants.papers.items()}
    return Resolved([], papers, inputs)


def pdf_task(paper: Paper, templates: Path | None) -> tuple[bytes, bytes, int, bytes, list[Any]]:
    """The paper's HTML, the PDF made from that same HTML, its page count, and the PDF made ready
    for a pack with its bookmarks (kept in the build cache, never published)."""
    from panelpapers.pack.assemble import ready_for_pack
    from panelpapers.render.html import render_paper_html
    from panelpapers.render.pdf import render_pdf

    html = render_paper_html(paper, templates)
    pdf, pages = render_pdf(html, templates, paper.house.fonts)
    ready, bookmarks = ready_for_pack(pdf)
    return html.encode("utf-8"), pdf, pages, ready, bookmarks_json(bookmarks)


def bookmarks_json(bookmarks: Iterable[Any]) -> list[Any]:
    return [[mark.title, mark.page, bookmarks_json(mark.children)] for mark in bookmarks]


def bookmarks_of(data: list[Any]) -> tuple[Any, ...]:
    from panelpapers.pack.assemble import Bookmark

    return tuple(Bookmark(str(title), int(page), bookmarks_of(children)) for title, page, children in data)


def docx_task(paper: Paper, templates: Path | None) -> tuple[bytes, bytes]:
    """The paper's DOCX and its review record."""
    from panelpapers.render.docx import DocxWriter
    from panelpapers.render.record import paper_record, record_json

    return DocxWriter(templates).render(paper), record_json(paper_record(paper))


@dataclass
class PackMade:
    pdf: bytes
    agenda_docx: bytes
    record: bytes
    pages: int
    marking: str
    agenda: dict[str, str]
    layouts: dict[str, dict[str, Any]]  # what the printer printed: slot -> key, pages, pdf (or None)
    used: set[tuple[str, str]]  # the printer's (slot, key) this pack read or wrote


LAYOUT_SLOT = "layout/"
PACK_PAGES_AT_ONCE = 1200  # pages of packs assembled at the same time (Build.assemble)


def pack_task(
    meeting: Meeting,
    papers: list[tuple[Paper, bytes, int]],
    show_markings: bool,
    templates: Path | None,
    cache_folder: Path | None,
    context: str,
    bookmarks: dict[str, list[Any]],
) -> PackMade:
    """One variant's pack. Its front sheet and page numbers are printed by a printer that first
    looks in the build cache (read only here; the build writes what this returns): an edit that
    moves no page number prints neither again. `context`: the digest of the tool and the pack's
    templates, which with the HTML is the key of what is printed."""
    from panelpapers.cache import Cache, digest, sha256
    from panelpapers.pack.assemble import render_pack
    from panelpapers.render.pdf import LaidOut, Printer
    from panelpapers.render.record import front_sheet_record, record_json

    cache = Cache(cache_folder) if cache_folder is not None else None
    made: dict[str, dict[str, Any]] = {}
    used: set[tuple[str, str]] = set()

    class CachedPrinter(Printer):
        def find(self, html: str) -> tuple[str, str, dict[str, Any] | None]:
            key = digest([context, sha256(html.encode("utf-8"))])
            slot = LAYOUT_SLOT + key
            used.add((slot, key))
            return slot, key, made.get(slot) or (cache.entry(slot, key) if cache is not None else None)

        def pages(self, html: str) -> int:
            slot, key, known = self.find(html)
            if known is not None:
                return int(known["pages"])
            pages = super().pages(html)
            made[slot] = {"key": key, "pages": pages, "pdf": None}
            return pages

        def pdf(self, html: str) -> bytes:
            slot, key, known = self.find(html)
            if known is not None and isinstance(known.get("pdf"), bytes):
                return known["pdf"]  # type: ignore[no-any-return]
            if known is not None and isinstance(known.get("pdf"), dict) and cache is not None:
                data = cache.blob(str(known["pdf"].get("sha256")))
                if data is not None:
                    return data
            laid_out: LaidOut = self._lay_out(html)
            data = super().pdf(html)
            made[slot] = {"key": key, "pages": laid_out.pages, "pdf": data}
            return data

    pack = render_pack(
        meeting,
        [(paper, pdf) for paper, pdf, _ in papers],
        show_markings,
        templates,
        [n for _, _, n in papers],
        CachedPrinter(templates, meeting.house.fonts),
        {slug: bookmarks_of(marks) for slug, marks in bookmarks.items()},
    )
    agenda = {str(row.number): row.page for row in pack.sheet.rows}
    record = record_json(front_sheet_record(pack.sheet))
    return PackMade(pack.pdf, pack.agenda_docx, record, pack.pages, pack.sheet.marking, agenda, made, used)


class InlineExecutor(Executor):
    """Runs each task as it is submitted, in this process: a serial build (`-j 1`) takes the same
    path as a parallel one."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            if not isinstance(err, Exception):
                raise
            future.set_exception(err)
        return future


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Workers:
    """Up to `jobs` worker processes, forked from a server that has imported what they need once
    (`forkserver`, where the system has it), so a worker starts in milliseconds and the build's own
    threads (a progress display) are never forked. What a worker logs (WeasyPrint's warnings) is
    handed to this process's loggers, as if it had been logged here. With `jobs` 1, or nothing to
    render, tasks run in this process."""

    def __init__(self, jobs: int) -> None:
        self.listener: Any = None
        self.alive: Any = None
        self.pool: Executor = InlineExecutor()
        if jobs <= 1:
            return
        import logging.handlers
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            from multiprocessing import forkserver

            from panelpapers.data.paper_python import ctrl_c_ignored

            context.set_forkserver_preload(WORKER_MODULES)
            with ctrl_c_ignored():  # the server, and every worker forked from it, ignores Ctrl-C from the start
                forkserver.ensure_running()  # it imports what workers need while this process loads content
        logs: Any = context.Queue()
        alive, self.alive = context.Pipe(duplex=False)
        self.pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=worker_started, initargs=(logs, alive))
        self.pool.submit = deferring_ctrl_c(self.pool.submit)  # type: ignore[method-assign]
        self.listener = logging.handlers.QueueListener(logs, Relay())
        self.listener.start()

    def __enter__(self) -> Executor:
        return self.pool

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if isinstance(error, KeyboardInterrupt) and self.alive is not None:
                self.alive.close()  # Ctrl-C: the workers stop now (worker_started), not after their task
                # and one still starting is killed before it finds the build's queues gone (what
                # Python 3.14's ProcessPoolExecutor.kill_workers does, from its table of processes).
                for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                    process.kill()
                    process.join()
            self.pool.shutdown(wait=True, cancel_futures=error is not None)
        finally:
            if self.listener is not None:
                self.listener.stop()
                self.alive.close()


def deferring_ctrl_c(submit: Callable[..., Future[Any]]) -> Callable[..., Future[Any]]:
    """The pool's submit, with Ctrl-C held until it returns: submit may start a worker, and a worker
    started but not yet in the pool's table of processes could not be stopped with the others."""

    def submit_whole(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        from panelpapers.data.paper_python import ctrl_c_deferred

        with ctrl_c_deferred():
            return submit(fn, *args, **kwargs)

    return submit_whole


def worker_started(queue: Any, alive: Any) -> None:
    """In a worker: every record logged goes to the build's process, and the worker stops as soon
    as that process ends, however it ends (`alive` is a pipe only it writes to, so the pipe closes
    when it does): a build killed part way leaves no worker behind."""
    import contextlib
    import logging.handlers
    import signal
    import threading

    logging.getLogger().handlers = [logging.handlers.QueueHandler(queue)]
    # Ctrl-C reaches every process of the terminal's group: the build's own process decides how the
    # build stops, and a worker printing its own KeyboardInterrupt traceback would only be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            alive.recv()
        os._exit(1)

    threading.Thread(target=watch, name="panelpapers-watch", daemon=True).start()


class Relay(logging.Handler):
    """Hands each record a worker sent to the logger of its name in this process."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(record.name).handle(record)


# ---- the build ----------------------------------------------------------------------------------


@dataclass
class Unit:
    """One paper of the build: its job, its key, and what is made of it (from the cache or rendered)."""

    job: PaperJob
    key: str
    in_meeting: bool
    made: dict[str, Any] | None = None  # the cache entry's data: each variant's facts and outputs
    blobs: dict[str, bytes] = field(default_factory=dict)  # sha256 -> bytes of its outputs
    rendered: bool = False

    @property
    def slot(self) -> str:
        from panelpapers.cache import paper_slot

        return paper_slot(self.job.meeting_name, self.job.source.folder.name)


class Written(dict[Path, bytes]):
    """The files a build wrote, path -> bytes, and how many of its papers it rendered and how many
    it took from the build cache (both 0 when it found everything up to date and wrote nothing)."""

    def __init__(self, files: dict[Path, bytes] | None = None, rendered: int = 0, reused: int = 0) -> None:
        super().__init__(files or {})
        self.rendered, self.reused = rendered, reused


def build(
    paths: list[Path],
    out_dir: Path,
    templates: Path | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    force: bool = False,
    cache: Path | None = None,
) -> Written:
    """Builds `paths` into `out_dir`/<meeting>/<variant>/. Each variant folder the build touches is
    replaced whole by exactly what this build produced for it, listed in its manifest: files of papers
    that left the variant go, and a build of one paper leaves only that paper in its meeting's variant
    folders (no other papers, no pack), so build the meeting to publish the meeting. Folders of
    meetings not built are left alone, and so is a folder whose manifest this build would not change.

    The house style and any templates of its own come from the content project the paths lie in;
    `templates` names another folder of templates, searched before the packaged ones.

    `jobs`: worker processes to render in (default: one per core; 1 renders in this process). As
    with any use of multiprocessing, a script that calls this with more than one job must start from
    `if __name__ == "__main__":` (workers import the main script); the CLI and pytest do.
    `force`: render everything and publish every folder, ignoring the build cache (which is then
    written afresh). `cache`: the build cache's folder (default: `out_dir`/.panelpapers-cache).

    `progress(stage, detail)`, if given, is told as each stage starts: loading, rendering (once per
    paper rendered, detail "<meeting>/<paper> (n/total)"), pack (once per pack assembled), publishing
    (once per folder published).

    Returns the files written, path -> bytes (nothing when the build was already up to date), with the
    number of papers rendered and taken from the cache."""
    from panelpapers.cache import CACHE_FOLDER, Cache, KeyContext, fingerprint
    from panelpapers.project import TEMPLATES_FOLDER, find_root

    if progress is not None:
        progress("loading", " ".join(map(str, paths)))
    roots = {find_root(path if path.is_dir() else path.parent) for path in paths} or {find_root(Path.cwd())}
    root = next(iter(roots))
    own = root / TEMPLATES_FOLDER if root is not None and (root / TEMPLATES_FOLDER).is_dir() else None
    context = KeyContext.of(root, templates or own)
    store = Cache(cache or out_dir / CACHE_FOLDER)
    before = fingerprint(paths, context) if len(roots) == 1 else None
    # Locked only where the last build of these very inputs is recorded: a build that then fails on
    # its content leaves a build folder exactly as it found it, lock file and all.
    if not force and before is not None and store.entry(before.slot, before.key) is not None:
        with locked_out(out_dir, progress):
            if up_to_date(before, store, out_dir):
                return Written()
    return Build(paths, out_dir, templates, progress, jobs or default_jobs(), force, store, context, before).run()


@contextmanager
def locked_out(out_dir: Path, progress: Progress | None) -> Iterator[None]:
    """The build folder, for this build alone while it publishes (publish.py's `locked`); a build
    that waits too long for another stops with one line (exit 1)."""

    def waiting() -> None:
        if progress is not None:
            progress("waiting", f"for another build to finish with {out_dir}")

    try:
        with locked(out_dir, waiting):
            yield
    except FolderBusy as err:
        raise ContentError([Problem(Location(out_dir), str(err))]) from None


def up_to_date(found: Fingerprint, cache: Cache, out_dir: Path) -> bool:
    """The last build of these targets had these very inputs, and left every folder it published as
    its manifest says (an interrupted build's leftovers beside a folder are tidied away)."""
    record = cache.entry(found.slot, found.key)
    if record is None or not isinstance(record.get("folders"), dict):
        return False
    for name, manifest_sha in record["folders"].items():
        folder = out_dir / name
        if any(folder.parent.glob(f".{folder.name}.*-*")):
            recover(folder)
        if not folder_holds(folder, manifest_sha):
            return False
    return True


def folder_holds(folder: Path, manifest_sha: str) -> bool:
    """The folder holds the manifest with this sha256, and exactly the files it lists, of their sizes."""
    from panelpapers.cache import sha256

    try:
        if sha256((folder / MANIFEST_FILE).read_bytes()) != manifest_sha:
            return False
        manifest = read_manifest(folder / MANIFEST_FILE)
        present = {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}
    except (OSError, ManifestError):
        return False
    present.pop(MANIFEST_FILE, None)
    return present == {name: output.bytes for name, output in manifest.outputs.items()}


class Build:
    """One build that has something to do: what the cache holds is taken from it, the rest rendered."""

    def __init__(
        self,
        paths: list[Path],
        out_dir: Path,
        templates: Path | None,
        progress: Progress | None,
        jobs: int,
        force: bool,
        cache: Cache,
        context: KeyContext,
        before: Fingerprint | None,
    ) -> None:
        from panelpapers.project import project_of

        self.paths, self.out_dir, self.progress, self.jobs, self.force = paths, out_dir, progress, jobs, force
        self.cache, self.context, self.before = cache, context, before
        self.project = project_of(paths)
        self.house = self.project.house
        self.templates = templates or self.project.templates
        self.packs_made: dict[str, tuple[str, dict[str, Any]]] = {}  # slot -> key, data: packs to cache
        self.meeting_files: dict[Path, Path] = {}  # variant folder -> the meeting.yaml its pack is of
        self.layouts: dict[str, dict[str, Any]] = {}  # what pack printers printed, to cache
        self.meetings: dict[Path, Meeting] = {}  # variant folder -> its meeting, for the site's index

    def tell(self, stage: str, detail: str) -> None:
        if self.progress is not None:
            self.progress(stage, detail)

    def run(self) -> Written:
        from panelpapers.cache import paper_key

        with Workers(self.jobs) as pool:  # started first: workers get ready while content loads
            loaded = load(self.paths, self.house)
            in_meeting = {id(job) for _, jobs in loaded.meetings for job in jobs}
            units = [
                Unit(job, paper_key(job.source.folder, self.context), id(job) in in_meeting) for job in loaded.jobs
            ]
            if not self.force:
                for unit in units:
                    self.take_from_cache(unit)
            self.render_papers(pool, units, loaded.problems)
        with Workers(self.jobs) as pool:  # fresh workers: the packs' memory comes on top of little
            packs = self.render_packs(pool, loaded, units)
        folders = self.manifests(units, packs)
        with locked_out(self.out_dir, self.progress):
            written = self.publish(folders)
            self.remember(units, folders)
        rendered = sum(unit.rendered for unit in units)
        return Written(written, rendered, len(units) - rendered)

    # -- papers

    def take_from_cache(self, unit: Unit) -> None:
        """The unit's outputs from the cache, if it holds every one of them under the unit's key and
        what it would publish is publishable (`public_doubt`); else the paper is rendered again."""
        made = self.cache.entry(unit.slot, unit.key)
        if made is None:
            return
        blobs: dict[str, bytes] = {}
        try:
            for facts in made["variants"].values():
                if facts is None:
                    continue
                if not isinstance(facts["bookmarks"], list):
                    return
                for output in [*facts["outputs"].values(), facts["pack_pdf"]]:
                    data = blobs.get(output["sha256"]) or self.cache.blob(output["sha256"])
                    if data is None:
                        return
                    blobs[output["sha256"]] = data
            public, restricted = made["variants"].get("public"), made["variants"].get("restricted")
            doubt = public_doubt(public, restricted, blobs, self.house)
        except (AttributeError, KeyError, TypeError, ValueError):
            doubt = "it does not hold what a paper's entry holds"
        if doubt:
            self.cache.discard(self.cache.entry_path(unit.slot, unit.key), unit.slot, doubt)
            return
        unit.made, unit.blobs = made, blobs

    def render_papers(self, pool: Executor, units: list[Unit], load_problems: list[Problem]) -> None:
        """Resolves every paper the cache does not hold, then renders each distinct variant's PDF and
        DOCX. Papers are resolved in order, a few ahead of the renderers, each paper's renders queued
        as soon as it is resolved: the queue stays short and the progress told follows the work.
        Every content problem is collected before any is reported, in the order a serial build finds
        them, and nothing more is rendered once one is found."""
        stale = [unit for unit in units if unit.made is None]
        waiting = iter(stale)
        resolving: dict[Future[Resolved], Unit] = {}
        found: dict[int, list[Problem]] = {}
        resolved: dict[int, Resolved] = {}
        rendering: dict[Future[Any], tuple[Unit, int, str]] = {}
        pending: set[Future[Any]] = set()
        told = 0  # papers told of, in order
        failed = bool(load_problems)

        def resolve_next() -> None:
            unit = next(waiting, None)
            if unit is not None:
                future = pool.submit(resolve_task, unit.job.source, self.house)
                resolving[future] = unit
                pending.add(future)

        for _ in range(max(1, self.jobs)):
            resolve_next()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            pending.difference_update(done)
            for future in done:
                if future not in resolving:
                    if not future.cancelled():
                        future.result()  # a worker's crash is an internal error, reported as one
                    continue
                unit = resolving[future]
                result = future.result()
                found[id(unit)] = result.problems
                if result.problems:
                    failed = True
                    for other in rendering:
                        other.cancel()
                else:
                    resolved[id(unit)] = result
                resolve_next()
            while not failed and told < len(stale) and id(stale[told]) in resolved:
                unit, result = stale[told], resolved[id(stale[told])]
                told += 1
                self.tell("rendering", f"{self.name_of(unit, result)} ({told}/{len(stale)})")
                for index, paper in enumerate(distinct(result.papers.values())):
                    for kind, task in (("pdf", pdf_task), ("docx", docx_task)):
                        submitted = pool.submit(task, paper, self.templates)
                        rendering[submitted] = (unit, index, kind)
                        pending.add(submitted)
        problems = load_problems + [problem for unit in stale for problem in found.get(id(unit), [])]
        if problems:
            raise ContentError(problems)
        outputs: dict[tuple[int, int, str], Any] = {
            (id(unit), index, kind): future.result() for future, (unit, index, kind) in rendering.items()
        }
        for unit in stale:
            self.record_paper(unit, resolved.pop(id(unit)), outputs)  # the resolved papers are let go

    def name_of(self, unit: Unit, result: Resolved) -> str:
        """How the build's log names a paper: a log is as public as the public variant, so a paper
        withheld from it goes unnamed."""
        name = unit.job.source.folder.name if result.papers.get("public") else "(a paper not published)"
        return f"{unit.job.meeting_name}/{name}"

    def record_paper(self, unit: Unit, result: Resolved, outputs: dict[tuple[int, int, str], Any]) -> None:
        from panelpapers.cache import sha256
        from panelpapers.render.record import RECORD_SUFFIX

        variants: dict[str, Any] = {}
        rendered = distinct(result.papers.values())
        for variant in VARIANTS:
            paper = result.papers.get(variant)
            if paper is None:
                variants[variant] = None
                continue
            index = next(i for i, seen in enumerate(rendered) if paper is seen or paper == seen)
            html, pdf, pages, ready, bookmarks = outputs[(id(unit), index, "pdf")]
            docx, record = outputs[(id(unit), index, "docx")]
            marking = paper.highest_marking
            files = {".html": (html, None), ".pdf": (pdf, pages), ".docx": (docx, None), RECORD_SUFFIX: (record, None)}
            made: dict[str, Any] = {}
            for suffix, (data, count) in files.items():
                made[paper.slug + suffix] = Output(sha256(data), len(data), marking, count).to_json()
                unit.blobs[made[paper.slug + suffix]["sha256"]] = data
            if variant == "public":
                page, data = self.site_page(paper, made)
                made[page] = Output(sha256(data), len(data), marking).to_json()
                unit.blobs[made[page]["sha256"]] = data
            variants[variant] = {
                "slug": paper.slug,
                "title": paper.title,
                "marking": marking,
                "status": paper.status,
                "pages": pages,
                "outputs": made,
                "files": vars(PaperFiles(paper.slug + RECORD_SUFFIX, paper.slug + ".docx", paper.slug + ".pdf",
                                         paper.slug + ".html")),
                "inputs": result.inputs[variant],
                "pack_pdf": {"sha256": sha256(ready)},  # the PDF as a pack takes it: cached, not published
                "bookmarks": bookmarks,
            }
            unit.blobs[sha256(ready)] = ready
        unit.made = {"source": str(unit.job.source.folder.resolve()), "variants": variants}
        unit.rendered = True

    # -- packs

    def render_packs(self, pool: Executor, loaded: Loaded, units: list[Unit]) -> dict[Path, dict[str, Any]]:
        """Each meeting's pack in each variant, from the cache or assembled: variant folder -> its
        pack's facts and outputs."""
        from panelpapers.cache import digest, file_digest, pack_slot
        from panelpapers.load.content import MEETING_FILE
        from panelpapers.resolve.meeting import resolve_meeting

        by_job = {id(unit.job): unit for unit in units}
        packs: dict[Path, dict[str, Any]] = {}
        queued: list[tuple[tuple[Any, ...], int, tuple[Path, str, str, str]]] = []
        for meeting_source, jobs in loaded.meetings:
            its_units = [by_job[id(job)] for job in jobs]
            titles = {unit.job.source.folder.name: self.stand_in(unit, "restricted") for unit in its_units}
            meeting = resolve_meeting(meeting_source, {k: v for k, v in titles.items() if v is not None}, self.house)
            if meeting is None or not its_units:
                continue
            meeting_sha = file_digest(meeting_source.folder / MEETING_FILE)
            for variant in VARIANTS:
                folder = self.out_dir / meeting_source.folder.name / variant
                self.meeting_files[folder] = meeting_source.folder / MEETING_FILE
                self.meetings[folder] = meeting
                papers: list[tuple[Paper, bytes, int]] = []
                printed: list[str] = []  # the sha256 of each paper's PDF, for the key
                bookmarks: dict[str, list[Any]] = {}
                for unit in its_units:
                    facts = unit.made["variants"][variant] if unit.made else None
                    paper = self.stand_in(unit, variant)
                    if facts is None or paper is None:
                        continue
                    papers.append((paper, unit.blobs[facts["pack_pdf"]["sha256"]], int(facts["pages"])))
                    printed.append(facts["outputs"][facts["slug"] + ".pdf"]["sha256"])
                    bookmarks[facts["slug"]] = facts["bookmarks"]
                key = digest(
                    {
                        "kind": "pack",
                        "tool": self.context.tool,
                        "house": self.context.house,
                        "templates": self.context.pack_templates,
                        "meeting": [meeting_source.folder.name, meeting_sha],
                        "titles": sorted((name, paper.title) for name, paper in titles.items() if paper),
                        "variant": variant,
                        "papers": [
                            [paper.slug, paper.highest_marking, paper.status, pages, sha]
                            for (paper, _, pages), sha in zip(papers, printed, strict=True)
                        ],
                    }
                )
                slot = pack_slot(meeting_source.folder.name, variant)
                made = None if self.force else self.cached_pack(slot, key, variant)
                if made is not None:
                    packs[folder] = made
                    self.cache.used.update((str(slot), str(key)) for slot, key in made.get("layouts", []))
                    continue
                cache = None if self.force else self.cache.folder
                printing = digest([self.context.tool, self.context.pack_templates])
                restricted = variant == "restricted"
                arguments = (meeting, papers, restricted, self.templates, cache, printing, bookmarks)
                place = (folder, slot, key, str(meeting_source.folder.resolve()))
                queued.append((arguments, sum(pages for _, _, pages in papers), place))
        self.assemble(pool, queued, packs)
        return packs

    def assemble(
        self,
        pool: Executor,
        queued: list[tuple[tuple[Any, ...], int, tuple[Path, str, str, str]]],
        packs: dict[Path, dict[str, Any]],
    ) -> None:
        """Assembles the packs in workers, as many at once as PACK_PAGES_AT_ONCE allows: a pack's
        memory grows with its pages (about half a megabyte a page), so two packs of 1,000 pages are
        assembled one after the other, two of 100 side by side."""
        running: dict[Future[PackMade], tuple[int, tuple[Path, str, str, str]]] = {}

        def take(done: Iterable[Future[PackMade]]) -> None:
            for future in done:
                _, (folder, slot, key, source) = running.pop(future)
                made = future.result()
                packs[folder] = {**self.record_pack(made), "source": source}
                self.packs_made[slot] = (key, packs[folder])
                self.layouts.update(made.layouts)
                self.cache.used.update(made.used)

        for arguments, pages, place in queued:
            while running and sum(size for size, _ in running.values()) + pages > PACK_PAGES_AT_ONCE:
                take(wait(running, return_when=FIRST_COMPLETED)[0])
            folder = place[0]
            self.tell("pack", f"{folder.parent.name}/{folder.name}")
            running[pool.submit(pack_task, *arguments)] = (pages, place)
        take(wait(running)[0])

    def stand_in(self, unit: Unit, variant: str) -> Paper | None:
        """The paper as its meeting and pack see it: its folder name, title, highest marking and
        status, which is all the front sheet and the pack read of a paper (the pack's key holds them),
        so a paper taken from the cache stands in the pack exactly as a rendered one does."""
        from panelpapers.model import ItemList, Paper

        facts = unit.made["variants"][variant] if unit.made else None
        if facts is None:
            return None
        return Paper(
            slug=facts["slug"],
            title=facts["title"],
            meeting="",
            date=dt.date.min,
            report_by=(),
            organisation="",
            masthead=self.house.organisations[0],
            marking=facts["marking"],
            status=facts["status"],
            author="",
            summary=(),
            recommendations_lead="",
            recommendations=ItemList("bullet", ()),
            sections=(),
            appendices=(),
            background_papers=(),
            house=self.house,
        )

    def cached_pack(self, slot: str, key: str, variant: str) -> dict[str, Any] | None:
        made = self.cache.entry(slot, key)
        if made is None:
            return None
        blobs: dict[str, bytes] = {}
        doubt = ""
        try:
            for output in made["outputs"].values():
                data = self.cache.blob(output["sha256"])
                if data is None:
                    return None
                blobs[output["sha256"]] = data
            if variant == "public":
                pdf = blobs[made["outputs"][PACK_PDF]["sha256"]]
                doubt = unpublishable(self.house, [o["marking"] for o in made["outputs"].values()], [pdf])
        except (AttributeError, KeyError, TypeError, ValueError):
            doubt = "it does not hold what a pack's entry holds"
        if doubt:
            self.cache.discard(self.cache.entry_path(slot, key), slot, doubt)
            return None
        return {**made, "blobs": blobs}

    def record_pack(self, pack: PackMade) -> dict[str, Any]:
        from panelpapers.cache import sha256
        from panelpapers.pack.assemble import AGENDA_FILE, PACK_FILE
        from panelpapers.render.record import RECORD_SUFFIX

        record = "agenda" + RECORD_SUFFIX
        files = ((PACK_FILE, pack.pdf, pack.pages), (AGENDA_FILE, pack.agenda_docx, None), (record, pack.record, None))
        outputs = {name: Output(sha256(data), len(data), pack.marking, pages).to_json() for name, data, pages in files}
        outputs[PACK_FILE]["agenda"] = pack.agenda
        blobs = {outputs[name]["sha256"]: data for name, data, _ in files}
        files_of = vars(PaperFiles(record, AGENDA_FILE))
        layouts = sorted([slot, key] for slot, key in pack.used)
        return {"outputs": outputs, "files": files_of, "layouts": layouts, "blobs": blobs}

    # -- folders

    def manifests(self, units: list[Unit], packs: dict[Path, dict[str, Any]]) -> dict[Path, dict[str, bytes]]:
        """Every variant folder the build touches, with the files it must hold and its manifest. A
        folder gets a manifest even if this build leaves it empty: it is published whole, so one
        this build leaves empty must still replace the last build's."""
        from panelpapers.cache import file_digest
        from panelpapers.inputs import relative

        manifests: dict[Path, Manifest] = {}
        folders: dict[Path, dict[str, bytes]] = {}
        for unit in units:
            assert unit.made is not None
            for variant in VARIANTS:
                folder = self.out_dir / unit.job.meeting_name / variant
                manifest = manifests.setdefault(folder, Manifest(variant))
                files = folders.setdefault(folder, {})
                facts = unit.made["variants"][variant]
                if facts is None:
                    continue
                for name, output in facts["outputs"].items():
                    manifest.outputs[name] = _output(output)
                    files[name] = unit.blobs[output["sha256"]]
                manifest.papers[facts["slug"]] = PaperFiles(**facts["files"])
                manifest.inputs.update(facts["inputs"])
        for folder, pack in packs.items():
            manifest = manifests.setdefault(folder, Manifest(folder.name))
            files = folders.setdefault(folder, {})
            for name, output in pack["outputs"].items():
                manifest.outputs[name] = _output(output)
                files[name] = pack["blobs"][output["sha256"]]
            manifest.papers["agenda"] = PaperFiles(**pack["files"])
            meeting_file = self.meeting_files[folder]
            manifest.inputs[relative(meeting_file, meeting_file.parent.parent)] = file_digest(meeting_file)
        read_from_project = self.project_inputs()
        for folder, manifest in manifests.items():
            manifest.project_inputs = dict(read_from_project)
            if manifest.variant == "public":
                self.add_site(folder, manifest, folders[folder], units, packs.get(folder))
            folders[folder][MANIFEST_FILE] = manifest.to_json()
        return folders

    def project_inputs(self) -> dict[str, str]:
        """The project's own files this build read besides its content, by their names in the project,
        with their sha256: panelpapers.yaml, the files it names (logos, fonts, the fonts' licence) and
        the templates of the project's own that rendering read (the packaged ones are part of the tool,
        which a checkout of panelpapers itself has as its project's templates)."""
        from panelpapers.cache import (
            PACK_TEMPLATES,
            PAPER_TEMPLATES,
            SITE_TEMPLATES,
            file_digest,
            house_files,
            packaged_templates,
            template_files,
        )
        from panelpapers.inputs import relative

        root = self.project.root
        files = house_files(root)
        if self.templates is not None and self.templates.resolve() != packaged_templates().resolve():
            read = template_files(PAPER_TEMPLATES + PACK_TEMPLATES + SITE_TEMPLATES, self.templates).values()
            files += [path for path in read if path.is_relative_to(self.templates)]
        base = root if root is not None else Path.cwd()
        return {relative(path, base): file_digest(path) for path in sorted(set(files))}

    # -- the public HTML edition (render/site.py): site/ of the public variant

    def site_page(self, paper: Paper, made: dict[str, Any]) -> tuple[str, bytes]:
        """A public paper's page of the site, linking the PDF and DOCX just made beside it."""
        from panelpapers.render.site import SITE_FOLDER, Download, render_site_paper, site_page_name

        pdf, docx = made[paper.slug + ".pdf"], made[paper.slug + ".docx"]
        data = render_site_paper(
            paper,
            Download(paper.slug + ".pdf", pdf["bytes"], pdf.get("pages")),
            Download(paper.slug + ".docx", docx["bytes"]),
            self.templates,
        )
        return f"{SITE_FOLDER}/{site_page_name(paper.slug)}", data

    def add_site(
        self,
        folder: Path,
        manifest: Manifest,
        files: dict[str, bytes],
        units: list[Unit],
        pack: dict[str, Any] | None,
    ) -> None:
        """Adds the site's index (for a meeting's folder, which has a pack), its stylesheet and fonts to a
        public folder that holds a pack or site pages. The index is made from the public facts alone: each public
        paper's title, files and page count, and the meeting's agenda, where a paper left out is named
        by its number only."""
        from panelpapers.cache import sha256
        from panelpapers.pack.assemble import AGENDA_FILE, PACK_FILE
        from panelpapers.render.site import (
            INDEX_PAGE,
            SITE_FOLDER,
            Download,
            SitePaper,
            render_site_index,
            site_assets,
        )

        if pack is None and not any(name.startswith(SITE_FOLDER + "/") for name in files):
            return  # a build of papers only, none of them public
        papers: dict[str, SitePaper] = {}
        markings: list[str] = []
        draft = False
        for unit in units:
            facts = unit.made["variants"]["public"] if unit.made else None
            if facts is None or self.out_dir / unit.job.meeting_name / "public" != folder:
                continue
            slug, outputs = facts["slug"], facts["outputs"]
            pdf, docx = outputs[slug + ".pdf"], outputs[slug + ".docx"]
            papers[slug] = SitePaper(
                slug,
                facts["title"],
                Download(slug + ".pdf", pdf["bytes"], pdf.get("pages")),
                Download(slug + ".docx", docx["bytes"]),
            )
            markings.append(facts["marking"])
            draft = draft or facts["status"] == "draft"
        marking = self.house.highest(markings)
        site = site_assets(self.templates, self.house.fonts)
        meeting = self.meetings.get(folder)
        if pack is not None and meeting is not None:
            pdf, docx = pack["outputs"][PACK_FILE], pack["outputs"][AGENDA_FILE]
            site[INDEX_PAGE] = render_site_index(
                meeting,
                marking,
                draft,
                papers,
                Download(PACK_FILE, pdf["bytes"], pdf.get("pages")),
                Download(AGENDA_FILE, docx["bytes"]),
                self.templates,
            )
        for name, data in site.items():
            manifest.outputs[f"{SITE_FOLDER}/{name}"] = Output(sha256(data), len(data), marking)
            files[f"{SITE_FOLDER}/{name}"] = data

    def publish(self, folders: dict[Path, dict[str, bytes]]) -> dict[Path, bytes]:
        """Publishes each folder whose manifest changed (all of them with `force`), each whole."""
        from panelpapers.cache import sha256

        for folder in folders:  # first put back any folder an interrupted build left set aside
            recover(folder)
        written: dict[Path, bytes] = {}
        for folder, files in folders.items():
            if not self.force and folder_holds(folder, sha256(files[MANIFEST_FILE])):
                continue
            self.tell("publishing", str(folder))
            publish_folder(folder, files)
            written.update((folder / name, data) for name, data in files.items())
        return written

    def remember(self, units: list[Unit], folders: dict[Path, dict[str, bytes]]) -> None:
        """Writes what this build made into the cache, once everything is published: each paper and
        pack rendered, and the folders of the build. An input that changed while the build ran
        (its key is no longer the one the build used) is not remembered."""
        from panelpapers.cache import KeyContext, fingerprint, paper_key, sha256

        context = KeyContext.of(self.project.root, self.templates)
        if context != self.context:
            return
        for unit in units:
            if unit.rendered and paper_key(unit.job.source.folder, context) == unit.key:
                for data in unit.blobs.values():
                    self.cache.put_blob(data)
                self.cache.put_entry(unit.slot, unit.key, unit.made or {})
        for slot, (key, pack) in self.packs_made.items():
            for data in pack["blobs"].values():
                self.cache.put_blob(data)
            self.cache.put_entry(slot, key, {k: v for k, v in pack.items() if k != "blobs"})
        for slot, layout in self.layouts.items():
            pdf = {"sha256": self.cache.put_blob(layout["pdf"])} if layout["pdf"] is not None else None
            self.cache.put_entry(slot, layout["key"], {"pages": layout["pages"], "pdf": pdf})
        after = fingerprint(self.paths, context)
        if self.before is not None and after is not None and after.key == self.before.key:
            record = {str(f.relative_to(self.out_dir)): sha256(files[MANIFEST_FILE]) for f, files in folders.items()}
            targets = [str(path.resolve()) for path in self.paths]
            self.cache.put_entry(after.slot, after.key, {"folders": record, "source": targets})
        self.cache.collect_garbage()


PACK_PDF = "pack.pdf"  # pack/assemble.py's PACK_FILE, named here to keep this import light


def public_doubt(public: Any, restricted: Any, blobs: dict[str, bytes], house: House) -> str:
    """Why a paper's cached outputs may not go into its public folder, or "": a public output must
    be marked publishable, in the entry and in its PDF's own metadata, and none may be one of the
    restricted variant's own outputs (where the variants differ, every output differs)."""
    if public is None:
        return ""
    shas = {public["outputs"][public["slug"] + ".pdf"]["sha256"], public["pack_pdf"]["sha256"]}
    pdfs = [blobs[sha] for sha in sorted(shas)]
    markings = [public["marking"], *(output["marking"] for output in public["outputs"].values())]
    doubt = unpublishable(house, markings, pdfs)
    if doubt or restricted is None:
        return doubt
    theirs = {name: output["sha256"] for name, output in restricted["outputs"].items()}
    ours = {name: output["sha256"] for name, output in public["outputs"].items() if name in theirs}
    if ours != theirs and set(ours.values()) & set(theirs.values()):
        return "a public output of it is one of the restricted variant's own outputs"
    return ""


def unpublishable(house: House, markings: list[str], pdfs: list[bytes]) -> str:
    """Why outputs with these markings, and these PDFs by the marking in their metadata, may not be
    published, or ""."""
    import io

    import pikepdf

    markings = list(markings)
    for pdf in pdfs:
        try:
            with pikepdf.open(io.BytesIO(pdf)) as document:
                markings.append(str(document.docinfo.get("/Keywords", "")))
        except pikepdf.PdfError:
            return "a PDF it would publish cannot be read"
    for marking in markings:
        if marking not in house.labels or not house.is_publishable(marking):
            return f"it would publish an output marked '{marking}'"
    return ""


def distinct(papers: Iterable[Paper | None]) -> list[Paper]:
    """The papers to render: a paper identical in both variants is rendered once."""
    unique: list[Paper] = []
    for paper in papers:
        if paper is not None and not any(paper is seen or paper == seen for seen in unique):
            unique.append(paper)
    return unique


def _output(data: dict[str, Any]) -> Output:
    return Output(data["sha256"], data["bytes"], data["marking"], data.get("pages"), data.get("agenda"))
