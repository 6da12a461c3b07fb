"""Orchestration: load and validate everything, resolve, render every output in memory, and only
then publish. Bad content therefore never changes a byte under build/."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from panelpapers.data.paper_data import PaperData, load_paper_data
from panelpapers.errors import ContentError, Problem
from panelpapers.house import House
from panelpapers.inputs import input_hashes, public_input_hashes, relative
from panelpapers.load.content import MeetingSource, PaperSource, find_targets, load_meeting, load_paper
from panelpapers.manifest import MANIFEST_FILE, Manifest, Output, PaperFiles
from panelpapers.model import Meeting, Paper
from panelpapers.project import project_of
from panelpapers.publish import publish_folder, recover
from panelpapers.resolve.meeting import resolve_meeting
from panelpapers.resolve.variants import VARIANTS, Variants, resolve_variants


@dataclass
class PaperJob:
    meeting_name: str
    source: PaperSource
    paper: Paper | None = None  # as the restricted variant prints it
    variants: Variants = field(default_factory=Variants)
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
        if not (dash and number.isdigit()):
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


def gather(paths: list[Path], house: House | None = None) -> list[PaperJob]:
    """Loads, validates and resolves everything named, in `house` (default: the house style of the
    content project the paths lie in); raises ContentError with every problem."""
    house = house or project_of(paths).house
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
    for job in jobs:
        # Resolve even an incomplete paper, so text problems show up in the same run.
        data, found = load_paper_data(job.source.folder, house)  # tables, charts and figures from data.yaml
        problems.extend(found)
        job.variants, found = resolve_variants(job.source, data, house)
        job.paper = job.variants.papers.get("restricted")
        job.data = data
        problems.extend(found)
    if problems:
        raise ContentError(problems)
    for meeting_source, its_jobs in meeting_jobs:
        papers = {job.source.folder.name: job.paper for job in its_jobs if job.paper is not None}
        resolved = resolve_meeting(meeting_source, papers, house)
        for job in its_jobs:
            job.meeting = resolved
    return jobs


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


class Renderer:
    """Renders papers once each: a paper identical in both variants is not rendered twice."""

    def __init__(self, templates: Path | None) -> None:
        from panelpapers.render import all_writers

        self.writers = all_writers(templates)
        self.done: dict[tuple[Paper, str], bytes] = {}

    def render(self, paper: Paper, writer_name: str) -> bytes:
        key = (paper, writer_name)
        if key not in self.done:
            writer = next(w for w in self.writers if w.name == writer_name)
            self.done[key] = writer.render(paper)
        return self.done[key]


def render(
    jobs: list[PaperJob],
    out_dir: Path,
    templates: Path | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> dict[Path, bytes]:
    """Every output of every variant, in memory: file path -> bytes. `progress(stage, detail)` is told
    of each paper and pack as it is rendered."""
    from panelpapers.render.record import RECORD_SUFFIX, paper_record, record_json

    renderer = Renderer(templates)
    outputs: dict[Path, bytes] = {}
    manifests: dict[Path, Manifest] = {}
    packs: dict[Path, tuple[Meeting, list[tuple[Paper, bytes]]]] = {}  # variant folder -> its pack's papers
    for number, job in enumerate(jobs, 1):
        assert job.paper is not None
        if progress:  # a build's log is public: a paper withheld from the public variant goes unnamed
            name = job.source.folder.name if job.variants.papers.get("public") else "(a paper not published)"
            progress("rendering", f"{job.meeting_name}/{name} ({number}/{len(jobs)})")
        for variant in VARIANTS:
            paper = job.variants.papers[variant]
            folder = out_dir / job.meeting_name / variant
            if job.meeting is not None:  # a variant gets its pack even if every paper is left out of it
                packs.setdefault(folder, (job.meeting, []))
            # Every variant folder the build touches gets a manifest, if only an empty one: the folder
            # is published whole, so one this build leaves empty must still replace the last build's.
            manifest = manifests.setdefault(folder, Manifest(variant))
            if paper is None:
                continue
            for writer in renderer.writers:
                data = renderer.render(paper, writer.name)
                name = paper.slug + writer.suffix
                outputs[folder / name] = data
                manifest.outputs[name] = Output.of(
                    data, paper.highest_marking, page_count(data) if writer.name == "pdf" else None
                )
            record = paper.slug + RECORD_SUFFIX
            outputs[folder / record] = record_json(paper_record(paper))
            manifest.outputs[record] = Output.of(outputs[folder / record], paper.highest_marking)
            manifest.papers[paper.slug] = PaperFiles(
                record, docx=paper.slug + ".docx", pdf=paper.slug + ".pdf", html=paper.slug + ".html"
            )
            root = job.source.folder.parent.parent
            if variant == "public":
                manifest.inputs.update(public_input_hashes(job.source, paper, job.data, job.variants.public_uses, root))
            else:
                manifest.inputs.update(input_hashes(job.source, root))
            if job.meeting is not None:
                packs[folder][1].append((paper, renderer.render(paper, "pdf")))
    for folder, (meeting, papers) in packs.items():
        if progress:
            progress("pack", f"{folder.parent.name}/{folder.name}")
        manifest = manifests.setdefault(folder, Manifest(folder.name))
        render_pack_outputs(meeting, papers, folder, outputs, manifest, templates)
    for folder, manifest in manifests.items():
        outputs[folder / MANIFEST_FILE] = manifest.to_json()
    return outputs


def render_pack_outputs(
    meeting: Meeting,
    papers: list[tuple[Paper, bytes]],
    folder: Path,
    outputs: dict[Path, bytes],
    manifest: Manifest,
    templates: Path | None = None,
) -> None:
    """pack.pdf, agenda.docx and the front sheet's review record of one variant, listed in its
    manifest with the meeting file."""
    from panelpapers.pack.assemble import AGENDA_FILE, PACK_FILE, render_pack
    from panelpapers.render.record import RECORD_SUFFIX, front_sheet_record, record_json

    pack = render_pack(meeting, papers, show_markings=folder.name == "restricted", templates=templates)
    record = "agenda" + RECORD_SUFFIX
    files = (
        (PACK_FILE, pack.pdf),
        (AGENDA_FILE, pack.agenda_docx),
        (record, record_json(front_sheet_record(pack.sheet))),
    )
    for name, data in files:
        outputs[folder / name] = data
        manifest.outputs[name] = Output.of(data, pack.sheet.marking, pack.pages if name == PACK_FILE else None)
    manifest.outputs[PACK_FILE].agenda = {str(row.number): row.page for row in pack.sheet.rows}
    manifest.papers["agenda"] = PaperFiles(record, AGENDA_FILE)
    meeting_file = meeting.location.path
    digest = hashlib.sha256(meeting_file.read_bytes()).hexdigest()
    manifest.inputs[relative(meeting_file, meeting_file.parent.parent)] = digest


def build(
    paths: list[Path],
    out_dir: Path,
    templates: Path | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> dict[Path, bytes]:
    """Builds `paths` into `out_dir`/<meeting>/<variant>/. Each variant folder the build touches is
    replaced whole by exactly what this build produced for it, listed in its manifest: files of papers
    that left the variant go, and a build of one paper leaves only that paper in its meeting's variant
    folders (no other papers, no pack), so build the meeting to publish the meeting. Folders of
    meetings not built are left alone.

    The house style and any templates of its own come from the content project the paths lie in;
    `templates` names another folder of templates, searched before the packaged ones.

    `progress(stage, detail)`, if given, is told as each stage starts: loading, rendering (once per
    paper, detail "<meeting>/<paper> (n/total)"), pack, publishing (once per folder)."""
    if progress:
        progress("loading", " ".join(map(str, paths)))
    project = project_of(paths)
    jobs = gather(paths, project.house)
    outputs = render(jobs, out_dir, templates or project.templates, progress)
    folders: dict[Path, dict[str, bytes]] = {}
    for path, data in outputs.items():
        folders.setdefault(path.parent, {})[path.name] = data
    for folder in folders:  # first put back any folder an interrupted build left set aside
        recover(folder)
    for folder, files in folders.items():
        if progress:
            progress("publishing", str(folder))
        publish_folder(folder, files)
    return outputs


def check(paths: list[Path]) -> int:
    return len(gather(paths))
