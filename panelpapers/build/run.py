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

from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.build.facts import Layout, MeetingPack, PaperMade, VariantFacts
from panelpapers.build.given import Given
from panelpapers.build.meeting import MeetingOutputs, unpublishable
from panelpapers.build.plan import VARIANTS, Progress, Unit, load, paper_problems, up_to_date
from panelpapers.build.worker import (
    DocxMade,
    PdfMade,
    Resolved,
    Workers,
    default_jobs,
    distinct,
    docx_task,
    pdf_task,
    resolve_task,
)
from panelpapers.errors import ContentError, Location, Problem
from panelpapers.manifest import MANIFEST_FILE, Output, PaperFiles
from panelpapers.publish import FolderBusy, locked

if TYPE_CHECKING:
    from panelpapers.cache import Cache, Fingerprint, KeyContext
    from panelpapers.house import House
    from panelpapers.model import Meeting


Rendered = tuple[PdfMade | None, DocxMade | None]  # a distinct variant's PDF and DOCX, as each arrives


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
    given: Given | None = None,
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
    `given`: what the caller has already made of some papers (given.py), used where it is exactly
    what this build would make.

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
    made = Build(paths, out_dir, templates, progress, jobs or default_jobs(), force, store, context, before)
    made.given = given or Given()
    return made.run()


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


class Build(MeetingOutputs):
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
        self.packs_made: dict[str, tuple[str, MeetingPack]] = {}  # slot -> key, pack: packs to cache
        self.meeting_files: dict[Path, Path] = {}  # variant folder -> the meeting.yaml its pack is of
        self.layouts: dict[str, Layout] = {}  # what pack printers laid out, to cache
        self.meetings: dict[Path, Meeting] = {}  # variant folder -> its meeting, for the site's index
        self.given = Given()  # what the caller made already

    def run(self) -> Written:
        from panelpapers.cache import paper_key

        # Each paper's key is taken before its files are read: a file saved while the build reads
        # it then leaves the key older than the content, which remember() sees and does not cache.
        keys = dict(self.before.keys) if self.before is not None else {}

        def key_of(folder: Path) -> str:
            return keys.get(folder) or paper_key(folder, self.context)

        loaded = load(self.paths, self.house)
        in_meeting = {id(job) for _, jobs in loaded.meetings for job in jobs}
        units = [Unit(job, key_of(job.source.folder), id(job) in in_meeting) for job in loaded.jobs]
        if loaded.problems:  # reported with the papers' own, without starting a worker
            self.check_papers(units, loaded.problems)
        with Workers(self.jobs) as pool:  # started now: the workers get ready while the papers are checked
            if not self.force:
                for unit in units:
                    self.take_from_cache(unit)
            self.check_papers(units, [])
            self.render_papers(pool, units)
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
        entry = self.cache.entry(unit.slot, unit.key)
        if entry is None:
            return
        blobs: dict[str, bytes] = {}
        try:
            made = PaperMade.of_json(entry)
            for facts in made.variants.values():
                if facts is None:
                    continue
                for sha in [*(output.sha256 for output in facts.outputs.values()), facts.pack_pdf]:
                    data = blobs.get(sha) or self.cache.blob(sha)
                    if data is None:
                        return
                    blobs[sha] = data
            doubt = public_doubt(made.variants.get("public"), made.variants.get("restricted"), blobs, self.house)
        except (AttributeError, KeyError, TypeError, ValueError):
            doubt = "it does not hold what a paper's entry holds"
        if doubt:
            self.cache.discard(self.cache.entry_path(unit.slot, unit.key), unit.slot, doubt)
            return
        unit.made, unit.blobs = made, blobs

    def check_papers(self, units: list[Unit], load_problems: list[Problem]) -> None:
        """Raises ContentError with every problem of the content (`load_problems`) and of each paper
        to render, found here before any worker is waited on: each paper's data computed, its charts
        checked but not drawn (a tenth of a second a paper, while the workers' server is still
        importing what they need). Broken content then stops a build in about a second, with nothing
        drawn or rendered, instead of after the papers resolved before the broken one were drawn and
        rendered. A serial build (one job) of content that loaded needs no such pass: it resolves the
        papers here, in order, drawing nothing once a problem is found (render_papers)."""
        if self.jobs <= 1 and not load_problems:
            return
        problems = list(load_problems)
        for unit in units:
            if unit.made is None and self.given.resolved_for(unit.job.source.folder, unit.key) is None:
                problems += paper_problems(unit.job.source, self.house)
        if problems:
            raise ContentError(problems)

    def render_papers(self, pool: Executor, units: list[Unit]) -> None:
        """Resolves every paper the cache does not hold, then renders each distinct variant's PDF and
        DOCX. Papers are resolved in order, a few ahead of the renderers, each paper's renders queued
        as soon as it is resolved: the queue stays short and the progress told follows the work.
        Every content problem is collected before any is reported, in the order a serial build finds
        them, and nothing more is rendered or drawn once one is found."""
        stale = [unit for unit in units if unit.made is None]
        waiting = iter(stale)
        resolving: dict[Future[Resolved], Unit] = {}
        found: dict[int, list[Problem]] = {}
        resolved: dict[int, Resolved] = {}
        rendering: dict[Future[Any], tuple[Unit, int]] = {}  # each PDF's and DOCX's paper, by distinct variant
        pending: set[Future[Any]] = set()
        told = 0  # papers told of, in order
        failed = False

        def resolve_next() -> None:
            unit = next(waiting, None)
            if unit is not None:
                given = self.given.resolved_for(unit.job.source.folder, unit.key)
                draw = not failed  # once a paper has a problem, the rest are only checked
                future = given or pool.submit(resolve_task, unit.job.source, self.house, None, draw)
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
                    for task in (pdf_task, docx_task):
                        given_pdf = self.given.pdf_for(paper) if task is pdf_task else None
                        submitted: Future[Any] = given_pdf or pool.submit(task, paper, self.templates)
                        rendering[submitted] = (unit, index)
                        pending.add(submitted)
        problems = [problem for unit in stale for problem in found.get(id(unit), [])]
        if problems:
            raise ContentError(problems)
        outputs: dict[tuple[int, int], Rendered] = {}
        for future, (unit, index) in rendering.items():
            pdf, docx = outputs.get((id(unit), index), (None, None))
            made = future.result()
            outputs[(id(unit), index)] = (made, docx) if isinstance(made, PdfMade) else (pdf, made)
        for unit in stale:
            self.record_paper(unit, resolved.pop(id(unit)), outputs)  # the resolved papers are let go

    def name_of(self, unit: Unit, result: Resolved) -> str:
        """How the build's log names a paper: a log is as public as the public variant, so a paper
        withheld from it goes unnamed."""
        name = unit.job.source.folder.name if result.papers.get("public") else "(a paper not published)"
        return f"{unit.job.meeting_name}/{name}"

    def record_paper(self, unit: Unit, result: Resolved, outputs: dict[tuple[int, int], Rendered]) -> None:
        from panelpapers.cache import sha256
        from panelpapers.render.record import RECORD_SUFFIX

        variants: dict[str, VariantFacts | None] = {}
        rendered = distinct(result.papers.values())
        for variant in VARIANTS:
            paper = result.papers.get(variant)
            if paper is None:
                variants[variant] = None
                continue
            index = next(i for i, seen in enumerate(rendered) if paper is seen or paper == seen)
            pdf, docx = outputs[(id(unit), index)]
            assert pdf is not None and docx is not None  # both rendered, or a problem was raised above
            marking = paper.highest_marking
            files = {
                ".html": (pdf.html, None),
                ".pdf": (pdf.pdf, pdf.pages),
                ".docx": (docx.docx, None),
                RECORD_SUFFIX: (docx.record, None),
            }
            made: dict[str, Output] = {}
            for suffix, (data, count) in files.items():
                made[paper.slug + suffix] = Output(sha256(data), len(data), marking, count)
                unit.blobs[made[paper.slug + suffix].sha256] = data
            if variant == "public":
                page, data = self.site_page(paper, made)
                made[page] = Output(sha256(data), len(data), marking)
                unit.blobs[made[page].sha256] = data
            slug = paper.slug
            files_of = PaperFiles(slug + RECORD_SUFFIX, slug + ".docx", slug + ".pdf", slug + ".html")
            variants[variant] = VariantFacts(
                slug, paper.title, marking, paper.status, pdf.pages, made, files_of, result.inputs[variant],
                sha256(pdf.pack_pdf), pdf.bookmarks
            )
            unit.blobs[sha256(pdf.pack_pdf)] = pdf.pack_pdf
        unit.made = PaperMade(str(unit.job.source.folder.resolve()), variants)
        unit.rendered = True

    # -- packs

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
                self.cache.put_entry(unit.slot, unit.key, unit.made.to_json() if unit.made else {})
        for slot, (key, pack) in self.packs_made.items():
            for data in pack.blobs.values():
                self.cache.put_blob(data)
            self.cache.put_entry(slot, key, pack.to_json())
        for slot, layout in self.layouts.items():
            pdf_sha = self.cache.put_blob(layout.pdf) if layout.pdf is not None else None
            self.cache.put_entry(slot, layout.key, layout.to_json(pdf_sha))
        after = fingerprint(self.paths, context)
        if self.before is not None and after is not None and after.key == self.before.key:
            record = {str(f.relative_to(self.out_dir)): sha256(files[MANIFEST_FILE]) for f, files in folders.items()}
            targets = [str(path.resolve()) for path in self.paths]
            self.cache.put_entry(after.slot, after.key, {"folders": record, "source": targets})
        self.cache.collect_garbage()


def public_doubt(
    public: VariantFacts | None, restricted: VariantFacts | None, blobs: dict[str, bytes], house: House
) -> str:
    """Why a paper's cached outputs may not go into its public folder, or "": a public output must
    be marked publishable, in the entry and in its PDF's own metadata, and none may be one of the
    restricted variant's own outputs (where the variants differ, every output differs)."""
    if public is None:
        return ""
    shas = {public.outputs[public.slug + ".pdf"].sha256, public.pack_pdf}
    pdfs = [blobs[sha] for sha in sorted(shas)]
    markings = [public.marking, *(output.marking for output in public.outputs.values())]
    doubt = unpublishable(house, markings, pdfs)
    if doubt or restricted is None:
        return doubt
    theirs = {name: output.sha256 for name, output in restricted.outputs.items()}
    ours = {name: output.sha256 for name, output in public.outputs.items() if name in theirs}
    if ours != theirs and set(ours.values()) & set(theirs.values()):
        return "a public output of it is one of the restricted variant's own outputs"
    return ""
