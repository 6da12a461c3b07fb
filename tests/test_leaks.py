"""The standing leak test. Canary words are put in every place restricted content can live (a sensitive
paper's title, body, bold text, links and contact; a sensitive appendix's title, paragraphs, table
cells from CSV and XLSX, the XLSX's sheet name, chart labels and alt text, a figure quoted in it; the
names of the paper folder and data file). Every public output is then searched through every channel
a reader's software could show: extracted PDF text, every PDF object (metadata, XMP, outline,
annotations, embedded files, structure tree /Alt and /ActualText, every decompressed stream), every
DOCX part, HTML, records, the manifest, file names, the build's own output and review reports of
public builds. Zero hits are required. The positive control finds every canary in the restricted
build, so a canary that reached nothing cannot pass for a safe one."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_MEETING, run_in_this_process

SENSITIVE_PAPER = "05-cnrypaper"  # the folder name is itself a canary
OFFICIAL_PAPER = "02-risk-management"
CANARIES = {
    "paper title": "CNRYTITLE",
    "paper body": "CNRYBODY",
    "bold text": "CNRYBOLD",
    "link text": "CNRYLINKTEXT",
    "link address": "cnrylink.example.org",
    "contact": "CNRYCONTACT",
    "paper folder": "cnrypaper",
    "appendix title": "CNRYAPPX",
    "appendix text": "CNRYAPPTEXT",
    "CSV cell": "CNRYCELL",
    "XLSX cell": "CNRYXLSX",
    "XLSX sheet": "CNRYSHEET",
    "chart label": "CNRYLABEL",
    "chart alt text": "CNRYALT",
    "figure": "987,654",
    "data file name": "cnryfile",
    "image file name": "cnryimage",
    "image alt text": "CNRYIMGALT",
    "image caption": "CNRYIMGCAP",
    "text in an SVG image": "CNRYSVGTEXT",
}

APPENDICES = """appendices:
  - ref: A
    title: CNRYAPPX register
    marking: OFFICIAL-SENSITIVE
    content:
      - "CNRYAPPTEXT with **CNRYBOLD** and [CNRYLINKTEXT](https://cnrylink.example.org/a): {{ cnry.total }} in all."
      - table: cnry_table
      - table: cnry_book
      - chart: cnry_chart
      - image: images/cnryimage.svg
        alt: A diagram of CNRYIMGALT.
        caption: CNRYIMGCAP structure
  - ref: B
    title: Trust initiatives
background_papers: []
"""
DATA = """
sources:
  cnry_rows:
    file: data/cnryfile.csv
    columns:
      item: text
      amount: integer
  cnry_workbook:
    file: data/cnrybook.xlsx
    sheet: CNRYSHEET
    columns:
      entry: text
      value: integer

tables:
  cnry_table:
    caption: Items
    source: cnry_rows
  cnry_book:
    caption: Entries
    source: cnry_workbook

figures:
  cnry:
    total:
      source: cnry_rows
      sum: amount
"""
CHART = """
  cnry_chart:
    caption: Amounts
    kind: bar
    table: cnry_table
    x_label: CNRYLABEL
    alt: Bar chart of CNRYALT amounts.
"""


def make_canaries(meeting: Path) -> None:
    """A sensitive paper and a sensitive appendix of an OFFICIAL paper, both full of canaries."""
    from openpyxl import Workbook

    paper = meeting / SENSITIVE_PAPER
    shutil.copytree(meeting / "04-governance-statement", paper)
    text = (paper / "paper.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", "title: Operation CNRYTITLE review", text)
    text = re.sub(r"(?m)^marking: .*$", "marking: OFFICIAL-SENSITIVE", text)
    (paper / "paper.yaml").write_text(text, encoding="utf-8")
    (paper / "legal.yaml").write_text(
        "paragraphs:\n  - CNRYBODY, with **CNRYBOLD** and [CNRYLINKTEXT](https://cnrylink.example.org).\n",
        encoding="utf-8",
    )
    (paper / "contact.yaml").write_text(
        "contacts:\n  - name: CNRYCONTACT Person\n    email: cnrycontact@example.org\n", encoding="utf-8"
    )
    agenda = (meeting / "meeting.yaml").read_text(encoding="utf-8")
    assert "  - paper: 04-governance-statement\n" in agenda
    agenda = agenda.replace(
        "  - paper: 04-governance-statement\n", f"  - paper: 04-governance-statement\n  - paper: {SENSITIVE_PAPER}\n"
    )
    (meeting / "meeting.yaml").write_text(agenda, encoding="utf-8")

    official = meeting / OFFICIAL_PAPER
    (official / "appendices.yaml").write_text(APPENDICES, encoding="utf-8")
    (official / "images").mkdir()
    (official / "images" / "cnryimage.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40"><text x="5" y="25">CNRYSVGTEXT</text></svg>',
        encoding="utf-8",
    )
    (official / "data" / "cnryfile.csv").write_text("item,amount\nCNRYCELL,987653\nOther,1\n", encoding="utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = "CNRYSHEET"
    sheet.append(["entry", "value"])
    sheet.append(["CNRYXLSX", 5])
    book.save(official / "data" / "cnrybook.xlsx")
    data = (official / "data.yaml").read_text(encoding="utf-8")
    assert "\ncharts:\n" in data
    data = data.replace("\ncharts:\n", "\ncharts:\n" + CHART.lstrip("\n"), 1) + DATA
    (official / "data.yaml").write_text(data, encoding="utf-8")


def channels(path: Path) -> list[tuple[str, str]]:
    """(channel, text) for everything a reader's software could find in one output file."""
    import pikepdf
    import pypdfium2 as pdfium

    raw = path.read_bytes()
    found = [("file name", str(path)), ("bytes", raw.decode("latin-1"))]
    if path.suffix == ".pdf":
        document = pdfium.PdfDocument(str(path))
        try:
            found += [("text", page.get_textpage().get_text_range()) for page in document]
        finally:
            document.close()
        with pikepdf.open(path) as pdf:
            for obj in pdf.objects:
                found += _pdf_object(obj)
    elif path.suffix == ".docx":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            found += [(f"docx {name}", archive.read(name).decode("utf-8", "replace")) for name in archive.namelist()]
    else:
        found.append(("text", raw.decode("utf-8", "replace")))
    return found


def _pdf_object(obj: object) -> list[tuple[str, str]]:
    """Strings and names anywhere in a PDF object, and a stream's decoded bytes."""
    import pikepdf

    out: list[tuple[str, str]] = []
    if isinstance(obj, pikepdf.Stream):
        try:
            out.append(("stream", obj.read_bytes().decode("latin-1")))
        except pikepdf.PdfError:
            out.append(("stream (raw)", obj.read_raw_bytes().decode("latin-1")))
    if isinstance(obj, pikepdf.String):
        out.append(("string", str(obj)))
    elif isinstance(obj, pikepdf.Name):
        out.append(("name", str(obj)))
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            if isinstance(item, pikepdf.Object) and not item.is_indirect:
                out += _pdf_object(item)
    elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key, value in obj.items():
            out.append(("key", str(key)))
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                out += _pdf_object(value)
    return out


def hits(files: list[Path], extra: list[tuple[str, str]] = ()) -> dict[str, set[str]]:
    """Canary -> the channels it was found in."""
    found: dict[str, set[str]] = {}
    texts = [(f"{path.name}: {channel}", text) for path in files for channel, text in channels(path)]
    for where, text in [*texts, *extra]:
        folded = text.casefold()
        for canary in CANARIES.values():
            if canary.casefold() in folded:
                found.setdefault(canary, set()).add(where)
    return found


@pytest.fixture(scope="module")
def canary_builds(tmp_path_factory: pytest.TempPathFactory, example_build: Path) -> dict[str, object]:
    """The example with canaries in every restricted place, built, and the diff of its public
    variant against the plain example's (the run's shared build)."""
    base = tmp_path_factory.mktemp("leaks")
    meeting = base / "canary" / EXAMPLE_MEETING.name
    shutil.copytree(EXAMPLE_MEETING, meeting)
    make_canaries(meeting)
    build = run_in_this_process("build", meeting, "--out", base / "canary-build", cwd=base)
    assert build.returncode == 0, build.stderr
    # A reviewer's report of the public drafts: what changed from the plain example to the canary one.
    reports = base / "reports"
    reports.mkdir()
    diff = run_in_this_process(
        "diff", example_build, base / "canary-build", "--variant", "public",
        "--html", reports / "public.html", "--markdown", reports / "public.md", cwd=base,
    )  # fmt: skip
    assert diff.returncode == 1, diff.stdout + diff.stderr
    return {
        "out": base / "canary-build" / EXAMPLE_MEETING.name,
        "log": [("build log", build.stdout + build.stderr), ("diff output", diff.stdout + diff.stderr)],
        "reports": [reports / "public.html", reports / "public.md"],
    }


def test_no_canary_reaches_any_public_output(canary_builds: dict[str, object]) -> None:
    out = canary_builds["out"]
    assert isinstance(out, Path)
    public = sorted(p for p in (out / "public").rglob("*") if p.is_file())
    assert {p.suffix for p in public} >= {".pdf", ".docx", ".html", ".json"}
    # The public HTML edition is searched like every other public file: each page, its stylesheet and fonts.
    site = [p for p in public if p.relative_to(out / "public").parts[0] == "site"]
    assert {p.name for p in site} >= {"index.html", f"{OFFICIAL_PAPER}.html", "site.css"}
    log, reports = canary_builds["log"], canary_builds["reports"]
    assert isinstance(log, list) and isinstance(reports, list)
    leaked = hits([*public, *reports], log)
    assert leaked == {}, "\n".join(f"{canary}: {sorted(where)}" for canary, where in leaked.items())


def test_public_site_names_a_withheld_paper_by_its_number_only(canary_builds: dict[str, object]) -> None:
    """The sensitive paper gets no page in the public site, and the index's agenda lists its item as
    the public front sheet does: "Paper not published", with no title, presenter or link."""
    out = canary_builds["out"]
    assert isinstance(out, Path)
    site = out / "public" / "site"
    assert not list(site.glob(f"{SENSITIVE_PAPER}*")) and not (out / "restricted" / "site").exists()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count("Paper not published") == 1 and SENSITIVE_PAPER not in index


def test_every_canary_reaches_the_restricted_build(canary_builds: dict[str, object]) -> None:
    """The positive control: the same canaries are found in the restricted outputs, each through a
    channel a reader sees (text, not only raw bytes)."""
    out = canary_builds["out"]
    assert isinstance(out, Path)
    restricted = sorted(p for p in (out / "restricted").rglob("*") if p.is_file())
    found = hits(restricted)
    # A sheet's name is never printed, even in the restricted build: it is searched for in the public
    # outputs all the same, in case a message or a caption ever carries it.
    missing = {name for name, canary in CANARIES.items() if canary not in found and name != "XLSX sheet"}
    assert not missing, f"canaries that reach nothing, so prove nothing: {sorted(missing)}"
