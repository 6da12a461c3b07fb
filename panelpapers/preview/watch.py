"""The preview's rebuild loop: watches the project (watchfiles) and, on each save, shows the new
rendering in two steps: first the print HTML of each paper whose inputs changed, made in this process
as soon as the paper validates, then the build itself (PDF, DOCX, packs, published through the
build cache, so only what changed is rendered), whose outputs the pages link to.

It depends only on the build's public entry points, `panelpapers.build.gather` (load, validate and
resolve) and `panelpapers.build.build`, on the cache's public `fingerprint`/`KeyContext`/`house_files`
(which papers a save touched) and on the HTML writer `render_paper_html`, so that the build package may be
reorganised without this module changing.

One build at a time: a save while one runs queues exactly one more, which sees every save made in
the meantime. A problem in the content (broken YAML, a data file deleted, a template that will not
compile) becomes the page's overlay and the loop goes on; only stopping ends it."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from panelpapers.build.given import Given
from panelpapers.errors import ContentError, Location, Problem
from panelpapers.preview.kept_data import KeptData
from panelpapers.preview.state import PaperView, PreviewState

if TYPE_CHECKING:
    from panelpapers.build import RenderedPdf, ResolvedPaper
    from panelpapers.cache import KeyContext

TEMPLATE_SUFFIX = ".j2"


class Stopped(Exception):
    """Raised inside a build, at its next stage, once the preview is asked to stop."""


@dataclass
class Outcome:
    """What one refresh did, for the terminal."""

    shown: list[str]
    problems: list[str]
    built: list[str]
    seconds_html: float = 0.0
    seconds_pdf: float = 0.0  # from the HTML shown to the PDF shown (0: none rendered ahead of the build)
    seconds_build: float = 0.0
    unchanged: bool = False


class Rebuilder:
    """Runs refreshes one at a time on its own thread; `request()` asks for one more."""

    def __init__(self, state: PreviewState, out_dir: Path, say: bool = True) -> None:
        """`say`: print a line after each refresh (problems are printed in any case)."""
        self.state, self.out_dir, self.say = state, out_dir, say
        self.shown_keys: dict[str, str] = {}  # paper folder name -> the key of the HTML shown
        self.built_key: str | None = None  # the key of every input of the last build that succeeded
        self.views: dict[str, PaperView] = {}
        self.kept = KeptData()  # each paper's data, drawn charts and all, while its data is unchanged
        self.queue = threading.Condition()
        self.pending = True  # the first refresh shows everything
        self.stopping = False
        self.refreshes = 0  # refreshes that found something to do (the bench counts them)
        self.thread = threading.Thread(target=self.loop, name="panelpapers-preview-rebuild")

    def start(self) -> None:
        self.thread.start()

    def request(self) -> None:
        with self.queue:
            self.pending = True
            self.queue.notify()

    def stop(self) -> None:
        with self.queue:
            self.stopping = True
            self.queue.notify()
        self.thread.join()

    def loop(self) -> None:
        while True:
            with self.queue:
                self.queue.wait_for(lambda: self.pending or self.stopping)
                if self.stopping:
                    return
                self.pending = False
            try:
                outcome = self.refresh()
            except (Stopped, KeyboardInterrupt):  # a Ctrl-C at the terminal reaches the workers too
                return
            except Exception as err:  # never the end of the preview: shown, kept in a file, and on
                if self.stopping:
                    return
                self.state.update(building="", problems=(crash_line(err),))
                continue
            if not outcome.unchanged:
                report(outcome, self.say)

    # -- one refresh

    def refresh(self) -> Outcome:
        from panelpapers.cache import KeyContext, fingerprint
        from panelpapers.project import TEMPLATES_FOLDER, find_root

        meeting = self.state.meeting
        root = find_root(meeting)
        templates = root / TEMPLATES_FOLDER if root is not None and (root / TEMPLATES_FOLDER).is_dir() else None
        context = KeyContext.of(root, templates)
        found = fingerprint([meeting], context)
        if found is None or not found.meetings:
            problem = f"{Location(meeting)}: no meeting.yaml here any more; put it back or preview another meeting"
            self.state.update(problems=(problem,), building="")
            return Outcome([], [problem], [])
        if found.key == self.built_key:
            return Outcome([], [], [], unchanged=True)  # a save that changed nothing costs a hash
        started = time.perf_counter()
        folders = found.meetings[0][1]
        changed = {f: found.keys[f] for f in folders if self.shown_keys.get(f.name) != found.keys[f]}
        self.kept.forget_all_but(set(folders))
        problems, given = self.show_html(changed, templates, context)
        names = {folder.name for folder in folders}
        papers = tuple(self.views.get(name, PaperView(name)) for name in sorted(names))
        seconds_html = time.perf_counter() - started
        self.state.update(papers=papers, problems=lines(problems))
        shown = [folder.name for folder, key in changed.items() if self.shown_keys.get(folder.name) == key]
        if problems:
            self.built_key = None  # so that putting the files back as they were clears the problems
            self.state.update(building="")
            return Outcome(shown, list(lines(problems)), [], seconds_html)
        pdfs = self.show_pdfs(given, templates)
        seconds_pdf = time.perf_counter() - started - seconds_html if pdfs else 0.0
        built, seconds_build = self.build(found.key, Given(tuple(given), pdfs))
        problems_now = list(self.state.snapshot().problems)
        return Outcome(shown, problems_now, built, seconds_html, seconds_pdf, seconds_build)

    def show_html(
        self, changed: dict[Path, str], templates: Path | None, context: KeyContext
    ) -> tuple[list[Problem | str], list[ResolvedPaper]]:
        """Shows the print HTML of each paper in `changed` (folder -> its key) that loads, validates
        and resolves, in the variant previewed, exactly as the build writes it. Returns the problems
        found and each paper resolved, for the build to use. Only the papers changed are loaded, so
        that this costs the same in a meeting of any size (the build reports the meeting's own
        problems, an agenda that does not match its papers)."""
        from panelpapers.build import ResolvedPaper, load, resolve_paper
        from panelpapers.cache import paper_key
        from panelpapers.project import project_of
        from panelpapers.render.html import render_paper_html

        if not changed:
            return [], []
        house = project_of([self.state.meeting]).house
        loaded = load(list(changed), house)
        problems: list[Problem | str] = list(loaded.problems)
        given: list[ResolvedPaper] = []
        for job in loaded.jobs:
            folder = job.source.folder
            if folder not in changed or any(folder in problem.location.path.parents for problem in loaded.problems):
                continue  # a file of it did not load (broken YAML): its last good rendering stays shown
            self.tell(f"showing paper {folder.name.split('-', 1)[0]}")  # a paper withheld goes unnamed
            try:
                resolved = resolve_paper(job.source, house, self.kept.computed(folder, house, context))
                if resolved.problems:
                    problems.extend(resolved.problems)
                    continue
                paper = resolved.papers.get(self.state.variant)
                if paper is None:
                    view = PaperView(folder.name, in_variant=False)
                else:
                    html = render_paper_html(paper, templates).encode("utf-8")
                    view = PaperView(folder.name, paper.title, paper.status, True, html)
            except ContentError as err:
                problems.extend(err.problems)
                continue
            except Exception as err:
                problems.append(template_problem(err) or crash_line(err))
                continue
            self.views[folder.name] = view
            self.shown_keys[folder.name] = changed[folder]
            if paper_key(folder, context) == changed[folder]:  # not saved again while it was read
                given.append(ResolvedPaper(folder, changed[folder], resolved))
        return problems, given

    def show_pdfs(self, given: list[ResolvedPaper], templates: Path | None) -> tuple[RenderedPdf, ...]:
        """Renders the PDF of each paper just shown, in the variant previewed, before anything else
        is built: its page links to it as soon as it is ready. The build takes it from there. A
        paper the build cache holds already (a preview started on a built meeting) is left to it."""
        from panelpapers.build import render_pdfs
        from panelpapers.cache import CACHE_FOLDER, Cache, paper_slot

        cache = Cache(self.out_dir / CACHE_FOLDER)
        papers = {
            r.folder.name: paper
            for r in given
            if (paper := r.resolved.papers.get(self.state.variant))
            and cache.entry(paper_slot(self.state.meeting.name, r.folder.name), r.key) is None  # not built before
        }
        if not papers:
            return ()
        self.tell(f"PDF of {', '.join(papers)}")
        rendered = render_pdfs(list(papers.values()), templates)
        for name, made in zip(papers, rendered, strict=True):
            self.views[name] = replace(self.views[name], pdf=made.made.pdf, pdf_pages=made.made.pages)
        self.state.update(papers=tuple(self.views.get(view.slug, view) for view in self.state.snapshot().papers))
        return rendered

    def build(self, key: str, given: Given) -> tuple[list[str], float]:
        """The meeting built as `panelpapers build` would (same cache, same folder)."""
        from panelpapers.build import build

        started = time.perf_counter()
        rendered: list[str] = []

        def progress(stage: str, detail: str) -> None:
            if self.stopping:
                raise Stopped
            if stage == "rendering":
                rendered.append(detail.rsplit(" (", 1)[0])  # as the build's log names it
            self.tell({"rendering": f"PDF and DOCX of {detail}", "pack": f"pack {detail}"}.get(stage, stage))

        self.tell("PDF, DOCX and pack")
        try:
            build([self.state.meeting], self.out_dir, progress=progress, given=given)
        except ContentError as err:
            self.built_key = None
            self.state.update(building="", problems=lines(err.problems))
            return rendered, time.perf_counter() - started
        except Stopped:
            raise
        except Exception as err:
            if self.stopping:
                raise Stopped from err
            problem = template_problem(err)
            if problem is None:
                raise
            self.built_key = None
            self.state.update(building="", problems=lines([problem]))
            return rendered, time.perf_counter() - started
        seconds = time.perf_counter() - started
        self.built_key = key
        done = f"rendered {', '.join(rendered)}" if rendered else "nothing to render"
        self.state.update(building="", problems=(), note=f"Built: {done} ({seconds:.1f} s)")
        return rendered, seconds

    def tell(self, doing: str) -> None:
        if self.stopping:
            raise Stopped
        self.state.update(building=doing)


def lines(problems: Iterable[Problem | str]) -> tuple[str, ...]:
    """Problems as `check` prints them, in its order (sorted by file and line), each once."""
    found = [p for p in problems if isinstance(p, Problem)]
    others = [p for p in problems if isinstance(p, str)]
    return tuple(str(p) for p in sorted(set(found))) + tuple(dict.fromkeys(others))


def template_problem(err: BaseException) -> Problem | None:
    """A project template that will not compile or render, at its file and line."""
    import jinja2

    if not isinstance(err, jinja2.TemplateError):
        return None
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        return Problem(Location(Path(err.filename), err.lineno), f"template syntax error: {err.message}")
    place = template_frame(err.__traceback__)
    where = Location(Path(place[0]), place[1]) if place else Location(Path("templates"))
    return Problem(where, f"template error: {err}")


def template_frame(trace: TracebackType | None) -> tuple[str, int] | None:
    """The innermost frame of a template (Jinja puts the template's file and line in its tracebacks)."""
    found = None
    for frame, line in traceback.walk_tb(trace):
        if frame.f_code.co_filename.endswith(TEMPLATE_SUFFIX):
            found = (frame.f_code.co_filename, line)
    return found


def crash_line(err: BaseException) -> str:
    """An unexpected failure, as the command line reports one: a short line, the traceback in a file."""
    with tempfile.NamedTemporaryFile("w", prefix="panelpapers-crash-", suffix=".log", delete=False) as log:
        traceback.print_exception(err, file=log)
    return f"internal error: {type(err).__name__}: {err} (the traceback is in {log.name}; please report it)"


def report(outcome: Outcome, say: bool) -> None:
    """Problems always (as `check` prints them); with `say`, also a line for what was shown and built."""
    for problem in outcome.problems:
        print(problem, file=sys.stderr, flush=True)
    if outcome.problems:
        count = len(outcome.problems)
        print(f"panelpapers: {count} problem{'s' if count != 1 else ''}; the preview shows them", file=sys.stderr)
        return
    if not say:
        return
    pdf = f", PDF in {outcome.seconds_pdf:.1f} s" if outcome.seconds_pdf else ""
    shown = f"showed {', '.join(outcome.shown)} in {outcome.seconds_html:.1f} s{pdf}; " if outcome.shown else ""
    built = ", ".join(outcome.built) or "nothing"
    print(f"panelpapers: {shown}built {built} in {outcome.seconds_build:.1f} s", file=sys.stderr, flush=True)


# ---- watching -----------------------------------------------------------------------------------


def watched_folders(meeting: Path) -> tuple[list[Path], list[Path]]:
    """(folders watched with everything under them, folders watched for their own files only): the
    meeting's content and data, the project's templates and the folders of its house files (a logo,
    fonts); the project's root itself only for panelpapers.yaml, since build/ lies below it."""
    from panelpapers.cache import house_files
    from panelpapers.project import TEMPLATES_FOLDER, find_root

    root = find_root(meeting)
    deep = [meeting]
    shallow: list[Path] = []
    if root is not None:
        shallow.append(root)
        if (root / TEMPLATES_FOLDER).is_dir():
            deep.append(root / TEMPLATES_FOLDER)
        deep += sorted({path.parent for path in house_files(root) if path.parent.resolve() != root.resolve()})
    return deep, shallow


def watch(paths: list[Path], recursive: bool, rebuilder: Rebuilder, stop: threading.Event) -> threading.Thread:
    """A thread that asks `rebuilder` for a refresh after each batch of saves under `paths`."""
    import watchfiles

    def run() -> None:
        for _changes in watchfiles.watch(
            *paths, stop_event=stop, recursive=recursive, raise_interrupt=False, debounce=400, step=30
        ):
            rebuilder.request()

    thread = threading.Thread(target=run, name="panelpapers-preview-watch", daemon=True)
    thread.start()
    return thread
