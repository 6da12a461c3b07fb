"""The worker processes, and the tasks they run for one paper (resolve it, render its PDF and its DOCX)
or one variant's pack. Each task returns a small dataclass of bytes and facts, so that it can cross to
the build's process; with one job the tasks run in the build's own process."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.build.facts import Layout
from panelpapers.errors import Problem

if TYPE_CHECKING:
    from panelpapers.data.paper_data import PaperData
    from panelpapers.house import House
    from panelpapers.load.content import PaperSource
    from panelpapers.model import Meeting, Paper

# What a worker process needs, imported once by the process that forks the workers.
WORKER_MODULES = [
    "panelpapers.cache",
    "panelpapers.resolve.variants",
    "panelpapers.data.computed_tables",
    "panelpapers.data.charts",
    "panelpapers.render.pdf",
    "panelpapers.render.docx",
    "panelpapers.render.record",
    "panelpapers.pack.assemble",
    "weasyprint",
    "pikepdf",
    "panelpapers.build.worker_setup",  # matplotlib set up once, for every worker
]


@dataclass
class Resolved:
    """A paper's variants as a worker resolved them, with the inputs each variant's manifest lists."""

    problems: list[Problem]
    papers: dict[str, Paper | None] = field(default_factory=dict)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)


def resolve_task(
    source: PaperSource,
    house: House,
    computed: tuple[PaperData | None, list[Problem]] | None = None,
    draw: bool = True,
) -> Resolved:
    """Computes a paper's data (tables, charts drawn) and resolves its variants. `computed`: the
    paper's data as `load_paper_data` gave it, when the caller has it already. `draw` false: only
    its problems are wanted (the build has failed already), so its charts are checked, not drawn."""
    from panelpapers.data.paper_data import load_paper_data
    from panelpapers.inputs import input_hashes, public_input_hashes
    from panelpapers.resolve.variants import resolve_variants

    data, found_in_data = computed or load_paper_data(source.folder, house, draw)
    problems = list(found_in_data)
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


@dataclass(frozen=True)
class PdfMade:
    """A paper's PDF as a worker rendered it, with the HTML it was made from."""

    html: bytes
    pdf: bytes
    pages: int  # WeasyPrint's own count, not the PDF read back
    pack_pdf: bytes  # the PDF made ready for a pack (kept in the build cache, never published)
    bookmarks: list[Any]  # the pack's bookmarks for it, as bookmarks_json has them


def pdf_task(paper: Paper, templates: Path | None) -> PdfMade:
    """The paper's HTML, the PDF made from that same HTML, and that PDF made ready for a pack."""
    from panelpapers.pack.assemble import ready_for_pack
    from panelpapers.render.html import render_paper_html
    from panelpapers.render.pdf import render_pdf

    html = render_paper_html(paper, templates)
    pdf, pages = render_pdf(html, templates, paper.house.fonts)
    ready, bookmarks = ready_for_pack(pdf)
    return PdfMade(html.encode("utf-8"), pdf, pages, ready, bookmarks_json(bookmarks))


def bookmarks_json(bookmarks: Iterable[Any]) -> list[Any]:
    return [[mark.title, mark.page, bookmarks_json(mark.children)] for mark in bookmarks]


def bookmarks_of(data: list[Any]) -> tuple[Any, ...]:
    from panelpapers.pack.assemble import Bookmark

    return tuple(Bookmark(str(title), int(page), bookmarks_of(children)) for title, page, children in data)


@dataclass(frozen=True)
class DocxMade:
    """A paper's DOCX and its review record."""

    docx: bytes
    record: bytes


def docx_task(paper: Paper, templates: Path | None) -> DocxMade:
    from panelpapers.render.docx import DocxWriter
    from panelpapers.render.record import paper_record, record_json

    return DocxMade(DocxWriter(templates).render(paper), record_json(paper_record(paper)))


@dataclass
class PackMade:
    """A variant's pack as a worker assembled it: the pack, its agenda DOCX and front sheet record,
    and what its printer laid out, for the build to cache."""

    pdf: bytes
    agenda_docx: bytes
    record: bytes
    pages: int
    marking: str
    agenda: dict[str, str]
    layouts: dict[str, Layout]  # what the printer laid out, by slot
    used: set[tuple[str, str]]  # the printer's (slot, key) this pack read or wrote


LAYOUT_SLOT = "layout/"


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
    made: dict[str, Layout] = {}
    used: set[tuple[str, str]] = set()

    class CachedPrinter(Printer):
        def find(self, html: str) -> tuple[str, str, Layout | None]:
            key = digest([context, sha256(html.encode("utf-8"))])
            slot = LAYOUT_SLOT + key
            used.add((slot, key))
            entry = None if slot in made or cache is None else cache.entry(slot, key)
            return slot, key, made.get(slot) or (None if entry is None else Layout.of_json(key, entry))

        def pages(self, html: str) -> int:
            slot, key, known = self.find(html)
            if known is not None:
                return known.pages
            pages = super().pages(html)
            made[slot] = Layout(key, pages)
            return pages

        def pdf(self, html: str) -> bytes:
            slot, key, known = self.find(html)
            if known is not None and known.pdf is not None:
                return known.pdf
            if known is not None and known.stored is not None and cache is not None:
                data = cache.blob(known.stored)
                if data is not None:
                    return data
            laid_out: LaidOut = self._lay_out(html)
            data = super().pdf(html)
            made[slot] = Layout(key, laid_out.pages, data)
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


def stop_worker_server() -> None:
    """Stops the fork server this process started, if any, for a process about to exit. The server
    stops by itself once this process has gone, but only after importing what workers need, seconds
    after a build that failed on its content: until then it holds this process's standard output and
    error open, and whoever reads them (a pipe, CI's log, a test) waits for it."""
    import signal
    from multiprocessing import forkserver

    server: Any = forkserver._forkserver  # a private attribute: tests/test_dependencies.py
    pid = server._forkserver_pid
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(server._forkserver_alive_fd)
        server._forkserver_pid = server._forkserver_alive_fd = server._forkserver_address = None


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


def distinct(papers: Iterable[Paper | None]) -> list[Paper]:
    """The papers to render: a paper identical in both variants is rendered once."""
    unique: list[Paper] = []
    for paper in papers:
        if paper is not None and not any(paper is seen or paper == seen for seen in unique):
            unique.append(paper)
    return unique
