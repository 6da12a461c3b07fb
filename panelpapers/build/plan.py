"""What a build has to do: every meeting and paper named, loaded and checked against its agenda,
each paper a unit keyed for the build cache, and whether the last build's folders are still up to date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from panelpapers.errors import ContentError, Problem
from panelpapers.manifest import MANIFEST_FILE, ManifestError, read_manifest
from panelpapers.publish import recover

if TYPE_CHECKING:
    from panelpapers.build.facts import PaperMade
    from panelpapers.cache import Cache, Fingerprint
    from panelpapers.data.paper_data import PaperData
    from panelpapers.house import House
    from panelpapers.load.content import MeetingSource, PaperSource
    from panelpapers.model import Meeting, Paper
    from panelpapers.resolve.variants import Variants

Progress = Callable[[str, str], None]  # told (stage, detail) as each stage of a build starts
VARIANTS = ("restricted", "public")  # as resolve/variants.py has them; named here to keep this import light


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
    from panelpapers.project import project_of

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
        problems.extend(paper_problems(job.source, project.house))
    if problems:
        raise ContentError(problems)
    return len(loaded.jobs)


def paper_problems(source: PaperSource, house: House) -> list[Problem]:
    """Every problem of a loaded paper's data and text: its data computed, its charts checked but not
    drawn (charts.py finds every problem a chart can have before drawing it), its variants resolved."""
    from panelpapers.data.paper_data import load_paper_data
    from panelpapers.resolve.variants import resolve_variants

    data, found = load_paper_data(source.folder, house, draw=False)
    return found + resolve_variants(source, data, house)[1]


@dataclass
class Unit:
    """One paper of the build: its job, its key, and what is made of it (from the cache or rendered)."""

    job: PaperJob
    key: str
    in_meeting: bool
    made: PaperMade | None = None  # each variant's facts and outputs
    blobs: dict[str, bytes] = field(default_factory=dict)  # sha256 -> bytes of its outputs
    rendered: bool = False

    @property
    def slot(self) -> str:
        from panelpapers.cache import paper_slot

        return paper_slot(self.job.meeting_name, self.job.source.folder.name)


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
