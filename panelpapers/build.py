"""Orchestration: load and validate everything, resolve, render every output in memory, and only
then publish. Bad content therefore never changes a byte under build/."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from panelpapers.agenda import Meeting, resolve_meeting
from panelpapers.content import MeetingSource, PaperSource, find_targets, load_meeting, load_paper
from panelpapers.errors import ContentError, Problem
from panelpapers.model import Paper
from panelpapers.paper_data import load_paper_data
from panelpapers.publish import write_atomic
from panelpapers.resolve import resolve_paper
from panelpapers.variants import VARIANTS, view


@dataclass
class PaperJob:
    meeting_name: str
    source: PaperSource
    paper: Paper | None = None
    meeting: Meeting | None = None  # set for a meeting build, whose pack this paper joins


def check_meeting(meeting: MeetingSource) -> list[Problem]:
    """Agenda and papers must agree: every paper on the agenda, every agenda paper present."""
    if meeting.spec is None or meeting.file is None:
        return []
    problems: list[Problem] = []
    folders = {p.folder.name: p for p in meeting.papers}
    on_agenda = set()
    for i, item in enumerate(meeting.spec.agenda):
        if item.paper is None:
            continue
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
    return problems


def gather(paths: list[Path]) -> list[PaperJob]:
    """Loads, validates and resolves everything named; raises ContentError with every problem."""
    meetings, paper_folders, problems = find_targets(paths)
    jobs: list[PaperJob] = []
    meeting_jobs: list[tuple[MeetingSource, list[PaperJob]]] = []
    for folder in meetings:
        meeting, found = load_meeting(folder)
        problems.extend(found)
        problems.extend(check_meeting(meeting))
        meeting_jobs.append((meeting, [PaperJob(folder.name, paper) for paper in meeting.papers]))
        jobs.extend(meeting_jobs[-1][1])
    for folder in paper_folders:
        paper, found = load_paper(folder)
        problems.extend(found)
        jobs.append(PaperJob(folder.parent.name, paper))
    for job in jobs:
        # Resolve even an incomplete paper, so text problems show up in the same run.
        data, found = load_paper_data(job.source.folder)  # tables, charts and figures from data.yaml
        problems.extend(found)
        job.paper, found = resolve_paper(job.source, data=data)
        problems.extend(found)
    if problems:
        raise ContentError(problems)
    for meeting_source, its_jobs in meeting_jobs:
        papers = {job.source.folder.name: job.paper for job in its_jobs if job.paper is not None}
        resolved = resolve_meeting(meeting_source, papers)
        for job in its_jobs:
            job.meeting = resolved
    return jobs


def input_hashes(source: PaperSource, root: Path) -> dict[str, str]:
    return {
        _relative(path, root): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(source.folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def manifest_entry(data: bytes, marking: str, pages: int | None = None) -> dict[str, object]:
    entry: dict[str, object] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "marking": marking}
    if pages is not None:
        entry["pages"] = pages
    return entry


def render(jobs: list[PaperJob], out_dir: Path) -> dict[Path, bytes]:
    from panelpapers.writers import all_writers

    writers = all_writers()
    rendered: dict[tuple[Paper, str], bytes] = {}  # a paper identical in both variants renders once
    outputs: dict[Path, bytes] = {}
    manifests: dict[Path, dict[str, object]] = {}
    packs: dict[Path, tuple[Meeting, list[tuple[Paper, bytes]]]] = {}  # variant folder -> its pack's papers
    for job in jobs:
        assert job.paper is not None
        for variant in VARIANTS:
            paper = view(job.paper, variant)
            folder = out_dir / job.meeting_name / variant
            if job.meeting is not None:  # a variant gets its pack even if every paper is left out of it
                packs.setdefault(folder, (job.meeting, []))
            if paper is None:
                continue
            manifest = manifests.setdefault(folder, {"variant": variant, "outputs": {}, "inputs": {}})
            for writer in writers:
                key = (paper, writer.name)
                if key not in rendered:
                    rendered[key] = writer.render(paper)
                data = rendered[key]
                name = paper.slug + writer.suffix
                outputs[folder / name] = data
                pages = page_count(data) if writer.suffix == ".pdf" else None
                manifest["outputs"][name] = manifest_entry(data, paper.marking, pages)  # type: ignore[index]
            manifest["inputs"].update(input_hashes(job.source, job.source.folder.parent.parent))  # type: ignore[attr-defined]
            if job.meeting is not None:
                packs[folder][1].append((paper, rendered[(paper, "pdf")]))
    for folder, (meeting, papers) in packs.items():
        manifest = manifests.setdefault(folder, {"variant": folder.name, "outputs": {}, "inputs": {}})
        render_pack_outputs(meeting, papers, folder, outputs, manifest)
    for folder, manifest in manifests.items():
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        outputs[folder / "manifest.json"] = text.encode("utf-8")
    return outputs


def render_pack_outputs(
    meeting: Meeting,
    papers: list[tuple[Paper, bytes]],
    folder: Path,
    outputs: dict[Path, bytes],
    manifest: dict[str, object],
) -> None:
    """pack.pdf and agenda.docx of one variant, listed in its manifest with the meeting file."""
    from panelpapers.pack import AGENDA_FILE, PACK_FILE, render_pack

    pack = render_pack(meeting, papers)
    for name, data in ((PACK_FILE, pack.pdf), (AGENDA_FILE, pack.agenda_docx)):
        outputs[folder / name] = data
        entry = manifest_entry(data, pack.sheet.marking, pack.pages if name == PACK_FILE else None)
        if name == PACK_FILE:
            entry["agenda"] = {str(row.number): row.page for row in pack.sheet.rows}
        manifest["outputs"][name] = entry  # type: ignore[index]
    meeting_file = meeting.location.path
    digest = hashlib.sha256(meeting_file.read_bytes()).hexdigest()
    manifest["inputs"][_relative(meeting_file, meeting_file.parent.parent)] = digest  # type: ignore[index]


def build(paths: list[Path], out_dir: Path) -> dict[Path, bytes]:
    jobs = gather(paths)
    outputs = render(jobs, out_dir)
    for path, data in outputs.items():
        write_atomic(path, data)
    return outputs


def check(paths: list[Path]) -> int:
    return len(gather(paths))

