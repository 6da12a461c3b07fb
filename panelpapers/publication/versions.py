"""Publishing a meeting as versions: `published/<meeting>/v1/`, `v2/` … each a frozen copy of the
public and restricted variant folders of one build, with its record (publication.json), and beside
them index.json and index.html listing every version with its date and change note.

A version once written is never written again: the next publish of changed content is the next
version, its change note made from the review diff of the last version's public variant and the new
one; a publish that would change nothing is refused. The meeting's published folder is replaced whole
(publish.py's `publish_folder`): an interrupted publish leaves the folder as it was or with the
complete new version, and the files of earlier versions are linked into the new folder, not
rewritten, so each keeps its bytes (and its inode)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import TypeAdapter

from panelpapers.errors import ContentError, Location, Problem
from panelpapers.house import FRONT_SHEET, House
from panelpapers.load.content_format import ExemptSpec
from panelpapers.manifest import MANIFEST_FILE, Manifest, ManifestError, Output, read_manifest
from panelpapers.publication.record import (
    INDEX_FILE,
    RECORD_FILE,
    PaperChange,
    Publication,
    RecordError,
    Withheld,
    index_of,
    read_publication,
)
from panelpapers.publish import locked, publish_folder, recover
from panelpapers.resolve.paper import is_released

if TYPE_CHECKING:
    from panelpapers.build.plan import PaperJob
    from panelpapers.model import Meeting

VARIANTS = ("public", "restricted")
PUBLISHED_FOLDER = "published"
_MANIFEST = TypeAdapter(Manifest)
Kind = Literal["first", "correction", "supplement"]
INDEX_PAGE = "index.html"


@dataclass(frozen=True)
class Published:
    folder: Path  # published/<meeting>
    publication: Publication


def versions_of(folder: Path) -> list[Publication]:
    """The versions published so far, in order, from their own records (index.json is made from them)."""
    found: list[Publication] = []
    if not folder.is_dir():
        return found
    numbers = sorted(int(path.name[1:]) for path in folder.iterdir() if path.name[1:].isdigit() and path.name[0] == "v")
    for number in numbers:
        try:
            found.append(read_publication(folder / f"v{number}" / RECORD_FILE))
        except RecordError as err:
            raise ContentError([Problem(Location(folder / f"v{number}"), f"{err}; restore it from a backup")]) from None
    return found


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file a built variant folder's manifest lists, and the manifest."""
    try:
        manifest = read_manifest(folder / MANIFEST_FILE)
    except ManifestError as err:
        raise ContentError([Problem(Location(folder), str(err))]) from None
    files = {name: (folder / name).read_bytes() for name in manifest.outputs}
    files[MANIFEST_FILE] = (folder / MANIFEST_FILE).read_bytes()
    return files


def publish_meeting(
    meeting: Path,
    out_dir: Path,
    published: Path,
    as_of: dt.date | None,
    house: House,
    tool: str,
    build: Callable[[dict[str, str]], None],
) -> Published:
    """Publishes `meeting` as its next version under `published`/<meeting>/, building it into
    `out_dir` with `build(corrections)` (corrections: paper folder name, or "agenda", -> the version
    note it prints). Raises ContentError, with nothing published, when the date is missing or goes
    back before the last version's, or when there is nothing new to publish.

    Every paper keeps the note of the last version that corrected it, so a build of unchanged content
    is the last version to the byte. A correction is built twice: once with the notes so far, to be
    compared with the last version, then with the new version's note on the front sheet and on each
    paper that changed."""
    from panelpapers.cache import sha256

    folder = published / meeting.name
    with locked(published):
        recover(folder)
        earlier = versions_of(folder)
        meeting_date, _ = read_meeting(meeting, house)
        if as_of is None and earlier:
            last = earlier[-1]
            why = f"{last.folder} is published; give this version's date with --as-of DATE"
            raise ContentError([Problem(Location(folder / last.folder), why)])
        date = as_of or meeting_date
        if earlier and date < earlier[-1].day:
            last = earlier[-1]
            raise ContentError(
                [Problem(Location(folder / last.folder), f"{last.folder} was published on {last.date}; "
                         f"--as-of {date.isoformat()} is before it: give a date on or after {last.date}")]
            )  # fmt: skip
        notes = corrections_of(earlier, house)
        build(notes)
        built = {variant: folder_files(out_dir / meeting.name / variant) for variant in VARIANTS}
        shas = {variant: sha256(files[MANIFEST_FILE]) for variant, files in built.items()}
        changes: list[PaperChange] = []
        version = len(earlier) + 1
        kind: Kind = "first"
        supplement: str | None = None
        if earlier:
            last = earlier[-1]
            if (last.public_manifest, last.restricted_manifest) == (shas["public"], shas["restricted"]):
                raise ContentError(
                    [Problem(Location(folder / last.folder), f"{last.folder} already holds exactly this build "
                             "(its manifests match): nothing to publish; correct the content first")]
                )  # fmt: skip
            changes = change_note(folder / last.folder, out_dir / meeting.name)
            added = added_papers(folder / last.folder, built)
            if added and all(change.paper in {*added, FRONT_SHEET} for change in changes):
                kind = "supplement"
                supplement = f"supplement-{version}"
                built = with_supplement(meeting, added, folder / last.folder, built, date, supplement)
            else:
                kind = "correction"
                note = house.wording.version_corrected.format(version=version, date=house.wording.date_text(date))
                notes |= {change.paper: note for change in changes} | {FRONT_SHEET: note}
                build(notes)
                built = {variant: folder_files(out_dir / meeting.name / variant) for variant in VARIANTS}
                shas = {variant: sha256(files[MANIFEST_FILE]) for variant, files in built.items()}
        _, withheld = read_meeting(meeting, house)
        public_inputs = read_manifest(out_dir / meeting.name / "public" / MANIFEST_FILE).inputs
        publication = Publication(
            version=version,
            kind=kind,
            date=date.isoformat(),
            note=note_of(version, kind, date, changes, house),
            changes=changes,
            withheld=withheld,
            commit=git_commit(meeting),
            tool=tool,
            public_manifest=shas["public"],
            restricted_manifest=shas["restricted"],
            inputs=dict(public_inputs),
            supplement=f"{supplement}.pdf" if supplement else None,
        )
        files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
        files.pop(INDEX_PAGE, None)
        for variant, made in built.items():
            files.update({f"v{version}/{variant}/{name}": data for name, data in made.items()})
        files[f"v{version}/{RECORD_FILE}"] = publication.to_json()
        every = [*earlier, publication]
        files[INDEX_FILE] = index_of(meeting.name, every).to_json()
        files[INDEX_PAGE] = render_versions_page(meeting.name, every, house)
        publish_folder(folder, files)
    return Published(folder, publication)


def corrections_of(publications: list[Publication], house: House) -> dict[str, str]:
    """Each paper corrected so far (and the front sheet) -> the note of the last version correcting it."""
    notes: dict[str, str] = {}
    for publication in publications:
        if publication.kind != "correction":
            continue
        note = house.wording.version_corrected.format(
            version=publication.version, date=house.wording.date_text(publication.day)
        )
        notes |= {change.paper: note for change in publication.changes} | {FRONT_SHEET: note}
    return notes


def read_meeting(meeting: Path, house: House) -> tuple[dt.date, list[Withheld]]:
    """The meeting's date, and what its public variant withholds, from its content (valid: it was just
    built). Only what the public papers print of it: a withheld paper by its agenda number."""
    from panelpapers.build.plan import load

    loaded = load([meeting], house)
    source, jobs = loaded.meetings[0]
    assert source.spec is not None
    by_folder = {job.source.folder.name: job.source.specs for job in jobs}
    withheld: list[Withheld] = []
    for number, item in enumerate(source.spec.agenda, start=1):
        specs = by_folder.get(item.paper or "")
        if specs is None:
            continue
        paper = specs["paper.yaml"]
        if not house.is_publishable(paper.marking):
            exempt = paper.exempt
            if not is_released(exempt, house.as_of or paper.date):
                withheld.append(withheld_item(number, None, None, paper.marking, exempt, house))
            continue
        appendices = specs.get("appendices.yaml")
        for appendix in appendices.appendices if appendices else []:
            marking = appendix.marking or paper.marking
            if house.is_publishable(marking):
                continue
            if not is_released(appendix.exempt, house.as_of or paper.date):  # else the public variant prints it
                withheld.append(withheld_item(number, item.paper, appendix.ref, marking, appendix.exempt, house))
    return source.spec.date, withheld


def withheld_item(
    number: int, paper: str | None, appendix: str | None, marking: str, exempt: ExemptSpec | None, house: House
) -> Withheld:
    if exempt is None:
        return Withheld(number, paper, appendix, marking)
    due = exempt.release_after.isoformat() if exempt.release_after else None
    words = house.exemption(exempt.reason).words
    return Withheld(number, paper, appendix, marking, exempt.reason, words, exempt.audience, due)


def change_note(last: Path, built: Path) -> list[PaperChange]:
    """What changed in the public variant since the last version, paper by paper, in the review diff's
    words. Only the public variants are compared: a record that may be published quotes nothing else."""
    from panelpapers.review.compare import compare_paths
    from panelpapers.review.report import describe

    comparison = compare_paths(last, built, "public")
    return [
        PaperChange(paper.name, [describe(change) for change in paper.changes])
        for paper in comparison.papers
        if paper.changes
    ]


def note_of(version: int, kind: str, date: dt.date, changes: list[PaperChange], house: House) -> str:
    words = house.wording
    when = words.date_text(date)
    if kind == "first":
        return words.publication_first.format(date=when)
    if kind == "supplement":
        papers = ", ".join(change.paper for change in changes if change.paper != FRONT_SHEET)
        return words.publication_supplement.format(date=when, papers=papers)
    papers = ", ".join(
        words.publication_paper_changes.format(paper=change.paper, count=len(change.passages)) for change in changes
    )
    return words.publication_corrected.format(version=version, date=when, papers=papers)


def added_papers(last: Path, built: dict[str, dict[str, bytes]]) -> list[str]:
    """Papers of the build that the last version did not have (the restricted variant has them all)."""
    before = read_manifest(last / "restricted" / MANIFEST_FILE).papers
    now = _manifest(built["restricted"]).papers
    return [name for name in now if name not in before and name != FRONT_SHEET]


def _manifest(files: dict[str, bytes]) -> Manifest:
    return _MANIFEST.validate_python(json.loads(files[MANIFEST_FILE]))


def with_supplement(
    meeting: Path, added: list[str], last: Path, built: dict[str, dict[str, bytes]], date: dt.date, name: str
) -> dict[str, dict[str, bytes]]:
    """Each variant folder of a supplement: the build's papers and site, but the main pack and front
    sheet of the last version, unchanged to the byte, and beside them the supplementary pack (its own
    front sheet listing the added items, its pages numbered on from the main pack's last page, or
    lettered, as the house says) and its front sheet as DOCX. The manifest lists exactly that."""
    from dataclasses import replace

    from panelpapers.build.plan import gather
    from panelpapers.pack.assemble import AGENDA_FILE, PACK_FILE, PageNumbering, render_pack
    from panelpapers.project import project_of
    from panelpapers.render.record import RECORD_SUFFIX

    jobs = [job for job in gather([meeting]) if job.meeting is not None]
    resolved = jobs[0].meeting
    assert resolved is not None
    words = resolved.words
    items = tuple(item for item in resolved.items if item.paper in added)
    heading = words.supplement_heading.format(date=words.date_text(date))
    sheet_meeting = replace(resolved, items=items, version_note=heading)
    templates = project_of([meeting]).templates
    folders: dict[str, dict[str, bytes]] = {}
    for variant, files in built.items():
        main = read_manifest(last / variant / MANIFEST_FILE)
        manifest = _manifest(files)
        papers = [
            (paper, files[f"{paper.slug}.pdf"])
            for job in jobs
            if job.source.folder.name in added and (paper := job.variants.papers.get(variant)) is not None
        ]
        if resolved.house.supplement_pages == "lettered":
            numbering = PageNumbering(prefix=words.supplement_page_prefix)
        else:
            numbering = PageNumbering(first=(main.outputs[PACK_FILE].pages or 0) + 1)
        pack = render_pack(sheet_meeting, papers, variant == "restricted", templates, numbering=numbering)
        main_files = (PACK_FILE, AGENDA_FILE, FRONT_SHEET + RECORD_SUFFIX)
        kept = {file: (last / variant / file).read_bytes() for file in main_files}
        out = dict(files) | kept
        out[f"{name}.pdf"], out[f"{name}-agenda.docx"] = pack.pdf, pack.agenda_docx
        manifest.outputs |= {file: main.outputs[file] for file in kept}
        manifest.outputs[f"{name}.pdf"] = Output.of(pack.pdf, pack.sheet.marking, pack.pages)
        manifest.outputs[f"{name}-agenda.docx"] = Output.of(pack.agenda_docx, pack.sheet.marking)
        if variant == "public":
            index, data = site_index(resolved, jobs, manifest, f"{name}.pdf", templates)
            out[index] = data
            manifest.outputs[index] = Output.of(data, manifest.outputs[index].marking)
        out[MANIFEST_FILE] = manifest.to_json()
        folders[variant] = out
    return folders


def site_index(
    meeting: Meeting,
    jobs: list[PaperJob],
    manifest: Manifest,
    supplement_pdf: str,
    templates: Path | None,
) -> tuple[str, bytes]:
    """The public site's index page for a supplement: its links to the meeting pack and agenda
    describe the main pack the folder keeps, and a link to the supplementary pack follows them."""
    from panelpapers.pack.assemble import AGENDA_FILE, PACK_FILE
    from panelpapers.render.site import INDEX_PAGE as SITE_INDEX
    from panelpapers.render.site import SITE_FOLDER, Download, SitePaper, render_site_index

    papers: dict[str, SitePaper] = {}
    for job in jobs:
        paper = job.variants.papers.get("public")
        if paper is None:
            continue
        pdf, docx = manifest.outputs[f"{paper.slug}.pdf"], manifest.outputs[f"{paper.slug}.docx"]
        papers[paper.slug] = SitePaper(
            paper.slug,
            paper.title,
            Download(f"{paper.slug}.pdf", pdf.bytes, pdf.pages),
            Download(f"{paper.slug}.docx", docx.bytes),
        )
    public = [job.variants.papers["public"] for job in jobs if job.variants.papers.get("public") is not None]
    marking = meeting.house.highest(paper.highest_marking for paper in public if paper is not None)
    draft = any(paper is not None and paper.status == "draft" for paper in public)
    pack, agenda, extra = (manifest.outputs[name] for name in (PACK_FILE, AGENDA_FILE, supplement_pdf))
    data = render_site_index(
        meeting,
        marking,
        draft,
        papers,
        Download(PACK_FILE, pack.bytes, pack.pages),
        Download(AGENDA_FILE, agenda.bytes),
        templates,
        Download(supplement_pdf, extra.bytes, extra.pages),
    )
    return f"{SITE_FOLDER}/{SITE_INDEX}", data


def git_commit(meeting: Path) -> str | None:
    """The commit the content was published from, when the project is a git checkout whose content
    has no uncommitted changes; None otherwise (a commit that is not what was built would mislead)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=meeting, capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."], cwd=meeting, capture_output=True, text=True, check=True,
            timeout=30,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return None if dirty else head


def render_versions_page(meeting: str, publications: list[Publication], house: House) -> bytes:
    """index.html beside index.json: every version with its date, change note and links to its public
    pack and site, for readers (the public site of each version is linked, never the restricted one)."""
    from panelpapers.render.site import environment

    words = house.wording
    rows = [
        {
            "title": words.publication_version.format(version=p.version),
            "date": words.date_text(p.day),
            "note": p.note,
            "changes": [f"{change.paper}: {passage}" for change in p.changes for passage in change.passages],
            "pack": f"{p.folder}/public/pack.pdf",
            "site": f"{p.folder}/public/site/index.html",
        }
        for p in reversed(publications)
    ]
    html = (
        environment(None)
        .get_template("published-index.html.j2")
        .render(
            meeting=meeting,
            words=words,
            rows=rows,
            stylesheet=f"{publications[-1].folder}/public/site/site.css",
        )
    )
    return html.encode("utf-8")
