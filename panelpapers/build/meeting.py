"""The meeting-level outputs of a build: each variant's pack (from the cache or assembled in workers),
the manifests of the variant folders, the public site, and publishing each folder whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.build.facts import Layout, MeetingPack
from panelpapers.build.plan import VARIANTS, Loaded, Progress, Unit, folder_holds
from panelpapers.build.worker import PackMade, pack_task
from panelpapers.manifest import MANIFEST_FILE, Manifest, Output, PaperFiles
from panelpapers.publish import publish_folder, recover

if TYPE_CHECKING:
    from panelpapers.cache import Cache, KeyContext
    from panelpapers.house import House
    from panelpapers.model import Meeting, Paper
    from panelpapers.project import Project

PACK_PAGES_AT_ONCE = 1200  # pages of packs assembled at the same time (Build.assemble)


class MeetingOutputs:
    """Packs, manifests, the site and publishing, for Build (run.py), whose state these read."""

    out_dir: Path
    templates: Path | None
    force: bool
    house: House
    cache: Cache
    context: KeyContext
    project: Project
    packs_made: dict[str, tuple[str, MeetingPack]]
    meeting_files: dict[Path, Path]
    layouts: dict[str, Layout]
    meetings: dict[Path, Meeting]

    progress: Progress | None

    def tell(self, stage: str, detail: str) -> None:
        if self.progress is not None:
            self.progress(stage, detail)

    def render_packs(self, pool: Executor, loaded: Loaded, units: list[Unit]) -> dict[Path, MeetingPack]:
        """Each meeting's pack in each variant, from the cache or assembled: variant folder -> its
        pack's facts and outputs."""
        from panelpapers.cache import digest, file_digest, pack_slot
        from panelpapers.load.content import MEETING_FILE
        from panelpapers.resolve.meeting import resolve_meeting

        by_job = {id(unit.job): unit for unit in units}
        packs: dict[Path, MeetingPack] = {}
        queued: list[tuple[tuple[Any, ...], int, tuple[Path, str, str, str]]] = []
        for meeting_source, jobs in loaded.meetings:
            its_units = [by_job[id(job)] for job in jobs]
            titles = {unit.job.source.folder.name: self.stand_in(unit, "restricted") for unit in its_units}
            meeting = resolve_meeting(meeting_source, {k: v for k, v in titles.items() if v is not None}, self.house)
            if meeting is None or not its_units:
                continue
            meeting_sha = file_digest(meeting_source.folder / MEETING_FILE)
            withheld_notes = any(item.withheld_note for item in meeting.items)  # from papers' exemptions
            for variant in VARIANTS:
                folder = self.out_dir / meeting_source.folder.name / variant
                self.meeting_files[folder] = meeting_source.folder / MEETING_FILE
                self.meetings[folder] = meeting
                papers: list[tuple[Paper, bytes, int]] = []
                printed: list[str] = []  # the sha256 of each paper's PDF, for the key
                bookmarks: dict[str, list[Any]] = {}
                for unit in its_units:
                    facts = unit.made.variants[variant] if unit.made else None
                    paper = self.stand_in(unit, variant)
                    if facts is None or paper is None:
                        continue
                    papers.append((paper, unit.blobs[facts.pack_pdf], facts.pages))
                    printed.append(facts.outputs[facts.slug + ".pdf"].sha256)
                    bookmarks[facts.slug] = facts.bookmarks
                key = digest(
                    {
                        "kind": "pack",
                        "tool": self.context.tool,
                        "house": self.context.house,
                        "templates": self.context.pack_templates,
                        "meeting": [meeting_source.folder.name, meeting_sha],
                        "titles": sorted((name, paper.title) for name, paper in titles.items() if paper),
                        "variant": variant,
                        **({"note": meeting.version_note} if meeting.version_note else {}),
                        **({"withheld": [i.withheld_note for i in meeting.items]} if withheld_notes else {}),
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
                    self.cache.used.update((slot, key) for slot, key in made.layouts)
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
        packs: dict[Path, MeetingPack],
    ) -> None:
        """Assembles the packs in workers, as many at once as PACK_PAGES_AT_ONCE allows: a pack's
        memory grows with its pages (about half a megabyte a page), so two packs of 1,000 pages are
        assembled one after the other, two of 100 side by side."""
        running: dict[Future[PackMade], tuple[int, tuple[Path, str, str, str]]] = {}

        def take(done: Iterable[Future[PackMade]]) -> None:
            for future in done:
                _, (folder, slot, key, source) = running.pop(future)
                made = future.result()
                packs[folder] = self.record_pack(made, source)
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

        facts = unit.made.variants[variant] if unit.made else None
        if facts is None:
            return None
        return Paper(
            slug=facts.slug,
            title=facts.title,
            meeting="",
            date=dt.date.min,
            report_by=(),
            organisation="",
            masthead=self.house.organisations[0],
            marking=facts.marking,
            status=facts.status,
            author="",
            summary=(),
            recommendations_lead="",
            recommendations=ItemList("bullet", ()),
            sections=(),
            appendices=(),
            background_papers=(),
            house=self.house,
        )

    def cached_pack(self, slot: str, key: str, variant: str) -> MeetingPack | None:
        entry = self.cache.entry(slot, key)
        if entry is None:
            return None
        blobs: dict[str, bytes] = {}
        doubt = ""
        try:
            made = MeetingPack.of_json(entry)
            for output in made.outputs.values():
                data = self.cache.blob(output.sha256)
                if data is None:
                    return None
                blobs[output.sha256] = data
            if variant == "public":
                pdf = blobs[made.outputs[PACK_PDF].sha256]
                doubt = unpublishable(self.house, [o.marking for o in made.outputs.values()], [pdf])
        except (AttributeError, KeyError, TypeError, ValueError):
            doubt = "it does not hold what a pack's entry holds"
        if doubt:
            self.cache.discard(self.cache.entry_path(slot, key), slot, doubt)
            return None
        made.blobs = blobs
        return made

    def record_pack(self, pack: PackMade, source: str) -> MeetingPack:
        from panelpapers.cache import sha256
        from panelpapers.pack.assemble import AGENDA_FILE, PACK_FILE
        from panelpapers.render.record import RECORD_SUFFIX

        record = "agenda" + RECORD_SUFFIX
        files = ((PACK_FILE, pack.pdf, pack.pages), (AGENDA_FILE, pack.agenda_docx, None), (record, pack.record, None))
        outputs = {
            name: Output(sha256(data), len(data), pack.marking, pages, pack.agenda if name == PACK_FILE else None)
            for name, data, pages in files
        }
        blobs = {outputs[name].sha256: data for name, data, _ in files}
        layouts = sorted([slot, key] for slot, key in pack.used)
        return MeetingPack(outputs, PaperFiles(record, AGENDA_FILE), layouts, source, blobs)

    # -- folders

    def manifests(self, units: list[Unit], packs: dict[Path, MeetingPack]) -> dict[Path, dict[str, bytes]]:
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
                facts = unit.made.variants[variant]
                if facts is None:
                    continue
                for name, output in facts.outputs.items():
                    manifest.outputs[name] = output
                    files[name] = unit.blobs[output.sha256]
                manifest.papers[facts.slug] = facts.files
                manifest.inputs.update(facts.inputs)
        for folder, pack in packs.items():
            manifest = manifests.setdefault(folder, Manifest(folder.name))
            files = folders.setdefault(folder, {})
            for name, output in pack.outputs.items():
                manifest.outputs[name] = output
                files[name] = pack.blobs[output.sha256]
            manifest.papers["agenda"] = pack.files
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
        from panelpapers.cache import file_digest, files_read, house_files
        from panelpapers.inputs import relative
        from panelpapers.resources import PACK_ENTRIES, PAPER_ENTRIES, SITE_ENTRIES, templates_dir

        root = self.project.root
        files = house_files(root)
        if self.templates is not None and self.templates.resolve() != templates_dir().resolve():
            read = files_read(PAPER_ENTRIES + PACK_ENTRIES + SITE_ENTRIES, self.templates).values()
            files += [path for path in read if path.is_relative_to(self.templates)]
        base = root if root is not None else Path.cwd()
        return {relative(path, base): file_digest(path) for path in sorted(set(files))}

    # -- the public HTML edition (render/site.py): site/ of the public variant

    def site_page(self, paper: Paper, made: dict[str, Output]) -> tuple[str, bytes]:
        """A public paper's page of the site, linking the PDF and DOCX just made beside it."""
        from panelpapers.render.site import SITE_FOLDER, Download, render_site_paper, site_page_name

        pdf, docx = made[paper.slug + ".pdf"], made[paper.slug + ".docx"]
        data = render_site_paper(
            paper,
            Download(paper.slug + ".pdf", pdf.bytes, pdf.pages),
            Download(paper.slug + ".docx", docx.bytes),
            self.templates,
        )
        return f"{SITE_FOLDER}/{site_page_name(paper.slug)}", data

    def add_site(
        self,
        folder: Path,
        manifest: Manifest,
        files: dict[str, bytes],
        units: list[Unit],
        pack: MeetingPack | None,
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
            facts = unit.made.variants["public"] if unit.made else None
            if facts is None or self.out_dir / unit.job.meeting_name / "public" != folder:
                continue
            slug, outputs = facts.slug, facts.outputs
            pdf, docx = outputs[slug + ".pdf"], outputs[slug + ".docx"]
            papers[slug] = SitePaper(
                slug,
                facts.title,
                Download(slug + ".pdf", pdf.bytes, pdf.pages),
                Download(slug + ".docx", docx.bytes),
            )
            markings.append(facts.marking)
            draft = draft or facts.status == "draft"
        marking = self.house.highest(markings)
        site = site_assets(self.templates, self.house.fonts)
        meeting = self.meetings.get(folder)
        if pack is not None and meeting is not None:
            pdf, docx = pack.outputs[PACK_FILE], pack.outputs[AGENDA_FILE]
            site[INDEX_PAGE] = render_site_index(
                meeting,
                marking,
                draft,
                papers,
                Download(PACK_FILE, pdf.bytes, pdf.pages),
                Download(AGENDA_FILE, docx.bytes),
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


PACK_PDF = "pack.pdf"  # pack/assemble.py's PACK_FILE, named here to keep this import light


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

