"""`panelpapers publish`: a meeting published as v1, corrected and published as v2 with a change note
made from the review diff, v1 left byte for byte (and inode for inode) as it was; a publish that
would change nothing, or goes back in time, is one line and exit 1 with nothing written."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE_MEETING, run_in_this_process, run_panelpapers
from test_release import APPENDICES, PAPER, pdf_text, project_with

LATE_PAPER = "03-audit-actions"


def docx_text(path: Path) -> str:
    from docx import Document

    return "\n".join(paragraph.text for paragraph in Document(str(path)).paragraphs)


def pdf_pages(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range().replace("\r", "").replace("\n", " ") for page in document]
    finally:
        document.close()


def page_labels(path: Path) -> list[str]:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return [page.label for page in pdf.pages]


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under `folder` -> (sha256, inode)."""
    return {
        str(path.relative_to(folder)): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_ino)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_v1_then_a_correction_as_v2_with_its_change_note(tmp_path: Path) -> None:
    meeting = project_with(tmp_path, APPENDICES)
    published = tmp_path / "published" / meeting.name

    first = run_in_this_process("publish", meeting, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    record = json.loads((published / "v1" / "publication.json").read_text(encoding="utf-8"))
    assert record["version"] == 1 and record["kind"] == "first"
    assert record["date"] == "2022-01-17"  # the meeting's date: no --as-of given
    assert record["note"] == "First published on 17 January 2022."
    assert record["withheld"] == [
        {
            "item": 2, "paper": PAPER, "appendix": "B", "marking": "OFFICIAL-SENSITIVE", "reason": "foia-s31",
            "reason_words": "Freedom of Information Act 2000, section 31 (law enforcement)",
            "audience": "Panel members", "release_after": "2022-03-01",
        }
    ]  # fmt: skip
    for variant in ("public", "restricted"):
        built = (tmp_path / "build" / meeting.name / variant / "manifest.json").read_bytes()
        assert (published / "v1" / variant / "manifest.json").read_bytes() == built
        assert record[f"{variant}_manifest"] == hashlib.sha256(built).hexdigest()
    assert "RLSTEXT" not in json.dumps(record) and "RLSTITLE" not in json.dumps(record)
    v1 = snapshot(published / "v1")
    assert {"public/pack.pdf", "restricted/pack.pdf", "public/site/index.html", "publication.json"} <= set(v1)

    # Nothing changed: refused, nothing written.
    before = snapshot(published)
    again = run_in_this_process("-q", "publish", meeting, "--as-of", "2022-01-20", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        f"published/{meeting.name}/v1: v1 already holds exactly this build (its manifests match): nothing to publish; "
        "correct the content first",
        "panelpapers: 1 problem; nothing was written",
    ]
    assert snapshot(published) == before

    # A correction, published without a date: refused, since v1 exists.
    summary = meeting / PAPER / "summary.yaml"
    text = summary.read_text(encoding="utf-8")
    assert "seven of the\n    corporate risks" in text
    summary.write_text(text.replace("seven of the\n    corporate risks", "six of the\n    corporate risks"), "utf-8")
    undated = run_in_this_process("-q", "publish", meeting, cwd=tmp_path)
    assert undated.returncode == 1
    assert undated.stderr.splitlines()[0] == (
        f"published/{meeting.name}/v1: v1 is published; give this version's date with --as-of DATE"
    )
    assert snapshot(published) == before

    second = run_in_this_process("publish", meeting, "--as-of", "2022-01-20", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    record = json.loads((published / "v2" / "publication.json").read_text(encoding="utf-8"))
    assert record["version"] == 2 and record["kind"] == "correction" and record["date"] == "2022-01-20"
    assert record["changes"] == [{"paper": PAPER, "passages": ["paragraph in Report Summary changed: seven → six"]}]
    assert record["note"] == f"Version 2 – corrected 20 January 2022. Changed: {PAPER} (1)."
    assert snapshot(published / "v1") == v1  # the same bytes in the same files: never written again
    stamp = "Version 2 – corrected 20 January 2022"
    for variant in ("public", "restricted"):
        assert stamp in pdf_text(published / "v2" / variant / f"{PAPER}.pdf")
        assert stamp in docx_text(published / "v2" / variant / f"{PAPER}.docx")
        assert stamp in docx_text(published / "v2" / variant / "agenda.docx")
        front_sheet = pdf_pages(published / "v2" / variant / "pack.pdf")[0]
        assert stamp in front_sheet
        assert "Version" not in pdf_text(published / "v1" / variant / "pack.pdf")

    index = json.loads((published / "index.json").read_text(encoding="utf-8"))
    assert [(v["version"], v["date"], v["note"]) for v in index["versions"]] == [
        (1, "2022-01-17", "First published on 17 January 2022."),
        (2, "2022-01-20", f"Version 2 – corrected 20 January 2022. Changed: {PAPER} (1)."),
    ]
    page = (published / "index.html").read_text(encoding="utf-8")
    assert page.index("Version 2, 20 January 2022") < page.index("Version 1, 17 January 2022")
    assert f"{PAPER}: paragraph in Report Summary changed: seven → six" in page
    assert 'href="v1/public/pack.pdf"' in page and "restricted" not in page
    assert sorted(p.name for p in published.parent.iterdir()) == [".panelpapers-lock", meeting.name]

    # A date before the last version's: refused.
    summary.write_text(text, "utf-8")
    backwards = run_in_this_process("-q", "publish", meeting, "--as-of", "2022-01-18", cwd=tmp_path)
    assert backwards.returncode == 1
    assert backwards.stderr.splitlines()[0] == (
        f"published/{meeting.name}/v2: v2 was published on 2022-01-20; --as-of 2022-01-18 is before it: "
        "give a date on or after 2022-01-20"
    )
    assert not (published / "v3").exists()

    # A correction to the agenda alone (the paper as v2 has it): the front sheet carries the new
    # version's note, and publishing the same content again finds nothing new.
    summary.write_text(text.replace("seven of the\n    corporate risks", "six of the\n    corporate risks"), "utf-8")
    agenda = meeting / "meeting.yaml"
    agenda.write_text(agenda.read_text("utf-8").replace("oral: External audit update", "oral: External audit report"))
    third = run_in_this_process("publish", meeting, "--as-of", "2022-01-21", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    record = json.loads((published / "v3" / "publication.json").read_text(encoding="utf-8"))
    assert [change["paper"] for change in record["changes"]] == ["agenda"], record["changes"]
    stamp = "Version 3 – corrected 21 January 2022"
    for variant in ("public", "restricted"):
        assert stamp in docx_text(published / "v3" / variant / "agenda.docx")
        assert stamp in pdf_pages(published / "v3" / variant / "pack.pdf")[0]
        assert stamp not in pdf_text(published / "v3" / variant / f"{PAPER}.pdf")  # the paper is v2's
    again = run_in_this_process("-q", "publish", meeting, "--as-of", "2022-01-22", cwd=tmp_path)
    assert again.returncode == 1 and "v3 already holds exactly this build" in again.stderr, again.stderr
    assert not (published / "v4").exists()


@pytest.mark.parametrize("numbering", ["continued", "lettered"])
def test_a_paper_added_after_v1_goes_out_as_a_supplement_and_the_main_pack_does_not_move(
    tmp_path: Path, numbering: str
) -> None:
    meeting = project_with(tmp_path, APPENDICES)
    if numbering == "lettered":  # the house's choice: the supplement's pages are S1, S2 …
        with (tmp_path / "panelpapers.yaml").open("a", encoding="utf-8") as house:
            house.write("supplement_pages: lettered\n")
    published = tmp_path / "published" / meeting.name
    first = run_in_this_process("publish", meeting, "--as-of", "2022-01-10", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    main_pages = json.loads((published / "v1" / "public" / "manifest.json").read_text("utf-8"))["outputs"]["pack.pdf"]
    assert main_pages["pages"] > 1

    # A late paper: added to the agenda after v1 went out.
    shutil.copytree(EXAMPLE_MEETING / LATE_PAPER, meeting / LATE_PAPER)
    agenda = (meeting / "meeting.yaml").read_text(encoding="utf-8")
    late_item = f"  - paper: {LATE_PAPER}\n    presenter: Director of Audit, Risk and Assurance\n"
    agenda = agenda.replace("  - oral: External audit update\n", late_item + "  - oral: External audit update\n")
    (meeting / "meeting.yaml").write_text(agenda, encoding="utf-8")
    v1 = snapshot(published / "v1")
    late = run_in_this_process("publish", meeting, "--as-of", "2022-01-12", cwd=tmp_path)
    assert late.returncode == 0, late.stderr

    record = json.loads((published / "v2" / "publication.json").read_text(encoding="utf-8"))
    assert record["kind"] == "supplement" and record["supplement"] == "supplement-2.pdf"
    assert record["note"] == f"Supplementary pack published on 12 January 2022: {LATE_PAPER}."
    assert snapshot(published / "v1") == v1
    for variant in ("public", "restricted"):
        folder = published / "v2" / variant
        # The main pack as members were sent it: the same file, so the same page numbers.
        assert (folder / "pack.pdf").read_bytes() == (published / "v1" / variant / "pack.pdf").read_bytes()
        assert (folder / "agenda.docx").read_bytes() == (published / "v1" / variant / "agenda.docx").read_bytes()
        main = len(pdf_pages(folder / "pack.pdf"))
        pages = pdf_pages(folder / "supplement-2.pdf")
        late_pages = len(pdf_pages(folder / f"{LATE_PAPER}.pdf"))
        assert len(pages) == 1 + late_pages  # its own front sheet, then the late paper
        front = pages[0]
        assert "Supplementary agenda – published 12 January 2022" in front
        assert "Risk Management" not in front  # only the late item is listed
        # Continued: the late paper starts on the page after the main pack's last, as its row, the
        # stamp and the page labels say. Lettered: the supplement's own pages, S1 on.
        labels = [f"{main + n}" for n in range(1, len(pages) + 1)]
        if numbering == "lettered":
            labels = [f"S{n}" for n in range(1, len(pages) + 1)]
        assert f"Pack page {labels[0]} of {labels[-1]}" in front
        assert f"Pack page {labels[1]} of {labels[-1]}" in pages[1]
        assert re.search(rf"\b3\. Internal Audit Actions.*\s{labels[1]}\b", front), front
        assert page_labels(folder / "supplement-2.pdf") == labels
        assert page_labels(folder / "pack.pdf")[-1] == str(main)
        if variant == "public":  # the site describes the pack it links, and links the supplement
            index = (folder / "site" / "index.html").read_text("utf-8")
            assert re.search(rf"every published paper \(PDF, [^,]+, {main} pages\)", index), index
            link = rf'href="../supplement-2.pdf">Supplementary pack: the late papers \(PDF, [^,]+, {len(pages)} pages'
            assert re.search(link, index), index
        listed = json.loads((folder / "manifest.json").read_text("utf-8"))["outputs"]
        present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        assert present == set(listed) | {"manifest.json"}
        for name in ("pack.pdf", "supplement-2.pdf", "supplement-2-agenda.docx"):
            assert listed[name]["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()


@pytest.mark.quick  # reaches publication/
def test_publish_of_content_with_problems_writes_nothing(tmp_path: Path) -> None:
    meeting = project_with(tmp_path, APPENDICES)
    summary = meeting / PAPER / "summary.yaml"
    summary.write_text(summary.read_text(encoding="utf-8") + "purpose: twice\n", encoding="utf-8")
    refused = run_in_this_process("-q", "publish", meeting, cwd=tmp_path)
    assert refused.returncode == 1
    line = len(summary.read_text(encoding="utf-8").splitlines())
    assert f"content/{meeting.name}/{PAPER}/summary.yaml:{line}: " in refused.stderr
    assert "duplicate key 'purpose'" in refused.stderr, refused.stderr
    assert not (tmp_path / "published" / meeting.name).exists()


def whole_version(folder: Path) -> bool:
    """Does `folder` (a version) hold its record and, in each variant, every file its manifest lists?"""
    if not (folder / "publication.json").is_file():
        return False
    for variant in ("public", "restricted"):
        outputs = json.loads((folder / variant / "manifest.json").read_text("utf-8"))["outputs"]
        for name, output in outputs.items():
            path = folder / variant / name
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != output["sha256"]:
                return False
    return True


def test_a_killed_publish_leaves_the_versions_before_it_or_the_whole_new_one(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    meeting = project_with(tmp_path, APPENDICES)
    published = tmp_path / "published"
    folder = published / meeting.name
    started = time.monotonic()  # v1 published by a process of its own, as the killed ones are: their yardstick
    assert run_panelpapers("publish", meeting, cwd=tmp_path).returncode == 0
    duration = time.monotonic() - started
    before = snapshot(folder)
    summary = meeting / PAPER / "summary.yaml"
    text = summary.read_text(encoding="utf-8")
    summary.write_text(text.replace("seven of the\n    corporate risks", "six of the\n    corporate risks"), "utf-8")

    command = [sys.executable, "-m", "panelpapers", "-q", "publish", str(meeting), "--as-of", "2022-01-20"]
    # A correction builds twice and publishes once: kills spread over about twice v1's time land in
    # each build and around the swap of the published folder.
    went_out = False  # did a killed publish get as far as v2?
    for fraction in (0.2, 0.6, 1.0, 1.4, 1.8, 2.2):
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        shown = folder
        if not folder.exists():  # killed between the renames: the old folder whole, set aside
            (shown,) = [path for path in published.iterdir() if path.name.startswith(f".{meeting.name}.old-")]
        if (shown / "v2").exists():
            assert whole_version(shown / "v2"), f"killed after {fraction} × v1's time"
            assert {k: v for k, v in snapshot(shown).items() if k.startswith("v1/")} == before_v1(before)
            went_out = True
            break
        assert snapshot(shown) == before, f"killed after {fraction} × v1's time"

    finished = run_in_this_process("publish", meeting, "--as-of", "2022-01-21", cwd=tmp_path)
    if went_out:
        assert finished.returncode == 1, finished.stderr  # v2 went out whole before a kill: nothing new
    else:
        assert finished.returncode == 0, finished.stderr
    assert whole_version(folder / "v2") and not (folder / "v3").exists()
    assert {k: v for k, v in snapshot(folder).items() if k.startswith("v1/")} == before_v1(before)
    assert [path.name for path in published.iterdir() if path.name.startswith(f".{meeting.name}")] == []


def before_v1(snapshot_before: dict[str, tuple[str, int]]) -> dict[str, tuple[str, int]]:
    return {name: entry for name, entry in snapshot_before.items() if name.startswith("v1/")}
