"""The reviewer's round trip: a built DOCX edited in LibreOffice with change recording on (through
UNO, tests/word_edit_uno.py), commented with python-docx, then `panelpapers absorb` and `--apply`."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT, run_in_this_process
from readback import require_uno

PAPER = "03-audit-actions"
MEETING = EXAMPLE_MEETING.name
UNO_EDITOR = PROJECT_ROOT / "tests" / "word_edit_uno.py"

@pytest.fixture(autouse=True)
def libreoffice_with_uno() -> None:
    require_uno()


def lo_edit(source: Path, target: Path, edits: list[list[str]]) -> None:
    edits_file = target.with_suffix(".json")
    edits_file.write_text(json.dumps(edits), encoding="utf-8")
    done = subprocess.run(["/usr/bin/python3", str(UNO_EDITOR), str(source), str(target), str(edits_file)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example project with one paper built."""
    root = tmp_path_factory.mktemp("word")
    shutil.copytree(EXAMPLE_MEETING, root / "content" / MEETING)
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    done = run_in_this_process("build", f"content/{MEETING}/{PAPER}", "--out", "build", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def built(project: Path) -> Path:
    return project / "build" / MEETING / "restricted" / f"{PAPER}.docx"


def fresh_copy(project: Path, tmp_path: Path) -> Path:
    """The project with its content as built, to change without touching the module's copy."""
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    return copy


def test_every_anchor_names_a_yaml_value_and_the_inputs_are_recorded(project: Path) -> None:
    from panelpapers.word.reading import read_reviewed

    reviewed = read_reviewed(built(project))
    assert reviewed.paper == f"{MEETING}/{PAPER}"
    files = {value.split(" ", 1)[1].split("#")[0] for value in reviewed.anchors.values()}
    for kind in ("paper", "summary", "recommendations", "supporting", "equality", "financial", "legal", "risk",
                 "appendices", "data"):
        assert f"{PAPER}/{kind}.yaml" in files, kind
    assert reviewed.inputs[f"{MEETING}/{PAPER}/summary.yaml"] == __import__("hashlib").sha256(
        (project / "content" / MEETING / PAPER / "summary.yaml").read_bytes()).hexdigest()
    manifest = json.loads((project / "build" / MEETING / "restricted" / "manifest.json").read_text())
    assert json.dumps(manifest).count(reviewed.inputs[f"{MEETING}/{PAPER}/summary.yaml"]) >= 1
    # Readers see nothing new: the text is the one the review record holds.
    import docx

    text = "\n".join(p.text for p in docx.Document(str(built(project))).paragraphs)
    assert "_pp" not in text and "panelpapers." not in text


def test_anchors_survive_libreoffice_saving_twice(project: Path, tmp_path: Path) -> None:
    from panelpapers.word.reading import read_reviewed

    once, twice = tmp_path / "once.docx", tmp_path / "twice.docx"
    lo_edit(built(project), once, [])
    lo_edit(once, twice, [])
    original, resaved = read_reviewed(built(project)), read_reviewed(twice)
    assert resaved.anchors == original.anchors and resaved.inputs == original.inputs
    names = {p.anchor for p in resaved.pieces if p.anchor}
    assert names == {p.anchor for p in original.pieces if p.anchor}
    done = run_in_this_process("absorb", twice, cwd=project)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


EDITS = [
    ["replace", "tells", "informs"],  # summary.yaml
    ["insert_after", "agreed with", " senior"],  # supporting.yaml
    ["delete", " Some overdue actions wait for funded technology change, which is managed within existing budgets."],
    ["replace", "Note the progress", "Note the good progress"],  # recommendations.yaml
    ["paragraph_after", "high-risk action before the Panel next meets.", "Ask for a report in April."],
    ["replace", "The tracker held 150", "The tracker held 151"],  # a figure from data
    ["replace", "Corporate Services", "Corporate Service"],  # a table cell from data
    ["replace", "Financial Implications", "Money"],  # house text
    ["bold", "internal audit actions during"],
]


@pytest.fixture(scope="module")
def reviewed_docx(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import docx

    folder = tmp_path_factory.mktemp("reviewed")
    edited = folder / "edited.docx"
    lo_edit(built(project), edited, EDITS)
    document = docx.Document(str(edited))  # comments after LibreOffice, which crashes on a file holding them
    paragraph = next(p for p in document.paragraphs if "no direct financial implications" in p.text)
    document.add_comment(paragraph.runs, text="Please confirm with the budget holder.", author="Chief Finance Officer")
    out = folder / "reviewed.docx"
    document.save(str(out))
    return out


def test_absorb_reports_each_change_at_its_source(project: Path, reviewed_docx: Path) -> None:
    before = snapshot(project / "content")
    done = run_in_this_process("absorb", reviewed_docx, "--markdown", "review.md", cwd=project)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    where = f"content/{MEETING}/{PAPER}"
    expect = [
        f'{where}/summary.yaml:3: "tells" → "informs" (A. Reviewer, ',
        f'{where}/supporting.yaml:6: inserted " senior" (A. Reviewer',
        f'{where}/financial.yaml:3: deleted " Some overdue actions',
        f'{where}/recommendations.yaml:2: "Note the progress" → "Note the good progress" (A. Reviewer',
        f'{where}/recommendations.yaml:4: new paragraph after this one: "Ask for a report in April."',
        f'{where}/supporting.yaml:12: "The tracker held 150" → "The tracker held 151" (A. Reviewer, ',
        f"{where}/data.yaml:33: table 'closed_this_quarter', row 1, column 'Business group': \"Corporate Services\" → "
        '"Corporate Service"',
        "panelpapers.yaml: house text: \"Financial Implications\" → \"Money\"",
        f'{where}/financial.yaml:3: comment by Chief Finance Officer: "Please confirm with the budget holder."',
    ]
    for start in expect:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert any("is the figure {{ actions.total }}" in line for line in lines), lines
    assert any("column 'Business group'" in line and "(data/actions.csv)" in line for line in lines), lines
    assert sum("150" in line for line in lines) == 1, lines
    assert "Chief Finance Officer" in (project / "review.md").read_text(encoding="utf-8")
    assert snapshot(project / "content") == before  # absorb alone changes nothing


def test_apply_writes_only_the_edited_values_and_rebuilds_with_them(
    project: Path, reviewed_docx: Path, tmp_path: Path
) -> None:
    copy = fresh_copy(project, tmp_path)
    paper = copy / "content" / MEETING / PAPER
    before = snapshot(paper)
    done = run_in_this_process("absorb", reviewed_docx, "--apply", cwd=copy)
    assert done.returncode == 1, done.stderr
    after = snapshot(paper)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"summary.yaml", "supporting.yaml", "financial.yaml", "recommendations.yaml"}
    assert "data.yaml" not in changed and not list((paper / "data").glob("*.yaml"))
    recommendations = after["recommendations.yaml"].decode()
    assert "Note the good progress made in closing **internal audit actions during** the" in " ".join(
        recommendations.split())
    assert "Ask for a report in April." in recommendations
    # Everything but the edited value is byte for byte: the other lines of summary.yaml are kept.
    old, new = before["summary.yaml"].decode().splitlines(), after["summary.yaml"].decode().splitlines()
    assert old[5:] == new[5:] and old[:2] == new[:2] and old[2:5] != new[2:5]
    assert "{{ actions.total }}" in after["supporting.yaml"].decode()  # the figure was not overwritten
    assert run_in_this_process("check", f"content/{MEETING}", cwd=copy).returncode == 0
    rebuilt = run_in_this_process("build", f"content/{MEETING}/{PAPER}", "--out", "build2", cwd=copy)
    assert rebuilt.returncode == 0, rebuilt.stderr
    import docx

    text = " ".join(p.text for p in docx.Document(str(copy / "build2" / MEETING / "restricted" / f"{PAPER}.docx"))
                    .paragraphs)
    assert "This report informs the Panel" in text and "agreed with senior management" in text
    assert "Ask for a report in April." in text and "Some overdue actions wait" not in text
    # Absorbed again, a passage whose content now reads as the reviewer wrote it is no conflict
    again = run_in_this_process("absorb", reviewed_docx, cwd=copy)
    assert "This report informs" not in again.stdout, again.stdout


@pytest.mark.quick  # reaches word/absorb.py, apply.py, yaml_edit.py
def test_a_stale_docx_applies_only_unchanged_passages(project: Path, reviewed_docx: Path, tmp_path: Path) -> None:
    copy = fresh_copy(project, tmp_path)
    summary = copy / "content" / MEETING / PAPER / "summary.yaml"
    summary.write_text(summary.read_text().replace("This report tells", "This paper tells"), encoding="utf-8")
    edited = summary.read_bytes()
    done = run_in_this_process("absorb", reviewed_docx, "--apply", cwd=copy)
    assert done.returncode == 1
    conflict = next(line for line in done.stdout.splitlines() if "conflict" in line)
    assert "This report informs" in conflict and "This paper tells" in conflict
    assert summary.read_bytes() == edited  # never overwrites newer text
    assert "senior" in (copy / "content" / MEETING / PAPER / "supporting.yaml").read_text()


SPLITS_AND_JOINS = [
    ["split_after", "has been put in place."],  # supporting 1.1, a plain item: becomes 1.1 and 1.2
    ["join_with_next", "audit actions during the quarter."],  # recommendations a. and b.: one item
    ["replace", "agree revised dates", "agree new dates"],  # in b., applied with the join
    ["split_after", "Corporate Services"],  # a table cell
    ["split_after", "an action is closed only"],  # a paragraph with a lead-in and sub-items
    ["split_after", "at 31 December 2021,"],  # a paragraph holding figures
    ["join_with_next", "supports the Met's equality duties."],  # into the house heading after it
]


def test_split_and_joined_paragraphs_become_items_or_are_reported(project: Path, tmp_path: Path) -> None:
    from readback import docx_paragraphs, pdf_pages_text

    copy = fresh_copy(project, tmp_path)
    paper = copy / "content" / MEETING / PAPER
    edited = tmp_path / "split.docx"
    lo_edit(built(copy), edited, SPLITS_AND_JOINS)
    before = snapshot(paper)
    done = run_in_this_process("absorb", edited, "--apply", cwd=copy)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    where = f"content/{MEETING}/{PAPER}"
    expect = [
        f'{where}/supporting.yaml:6: paragraph split in 2: "Every internal audit report',
        f'{where}/recommendations.yaml:2: paragraph joined with the next: "Note the progress',
        f'{where}/recommendations.yaml:4: "agree revised dates" → "agree new dates" (A. Reviewer',
        f"{where}/data.yaml:33: table 'closed_this_quarter', row 1, column 'Business group': split the paragraph",
        f'{where}/appendices.yaml:8: paragraph split in 2: "an action is closed only" / "when the audit',
        f'{where}/supporting.yaml:12: paragraph split in 2: "The tracker held 150 actions at 31 December 2021,"',
        f'{where}/equality.yaml:5: paragraph joined with the next: "Several open actions',
    ]
    for start in expect:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert len(lines) == len(expect), lines
    why = {start: next(line for line in lines if line.startswith(start)) for start in expect}
    assert "not applied" not in why[expect[0]] + why[expect[1]] + why[expect[2]]
    assert "not applied: change the data" in why[expect[3]]
    assert "not applied, as its item also has items, lead, which cannot be shared out" in why[expect[4]]
    assert "not applied, as it holds figures computed from data" in why[expect[5]]
    assert '+ "3. Financial Implications"' in why[expect[6]]
    assert "not applied, as the next paragraph has no anchor" in why[expect[6]]
    assert "2 edits written; 4 lines reported only" in done.stderr  # the replacement went in with the join
    after = snapshot(paper)
    assert {name for name in before if before[name] != after[name]} == {"supporting.yaml", "recommendations.yaml"}
    supporting = after["supporting.yaml"].decode()
    split = "has been put in\n            place.\n          - >-\n            This report draws its figures"
    assert split in supporting
    assert "{{ actions.total }} actions at 31 December 2021,\n" in supporting  # the figures' passage as it was
    assert run_in_this_process("check", f"content/{MEETING}", cwd=copy).returncode == 0
    again = run_in_this_process("absorb", edited, cwd=copy).stdout  # the applied split and join are not news
    assert "Every internal audit report" not in again and "Note the progress" not in again, again
    assert "an action is closed only" in again  # what was reported still is
    rebuilt = run_in_this_process("build", f"content/{MEETING}/{PAPER}", "--out", "build2", cwd=copy)
    assert rebuilt.returncode == 0, rebuilt.stderr
    out = copy / "build2" / MEETING / "restricted"
    paragraphs = docx_paragraphs(out / f"{PAPER}.docx")
    assert any(p.startswith("1.1.\tEvery internal audit report") and p.endswith("has been put in place.")
               for p in paragraphs), paragraphs
    assert any(p.startswith("1.2.\tThis report draws its figures") for p in paragraphs), paragraphs
    assert any(p.startswith("1.3.\tThe tracker held 150") for p in paragraphs), paragraphs
    joined = ("Note the progress made in closing internal audit actions during the quarter. "
              "Ask business group leads to agree new dates")
    assert any(p.startswith(joined) for p in paragraphs), paragraphs
    assert not any(p.startswith(("a.\t", "b.\t")) for p in paragraphs)  # one recommendation: no letters
    pdf = " ".join(" ".join(pdf_pages_text(out / f"{PAPER}.pdf")).split())
    assert "1.2. This report draws its figures directly" in pdf and "1.3. The tracker held 150" in pdf
    assert joined in pdf and "Recommendation " in pdf


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _with_document(project: Path, change: bytes) -> bytes:
    with zipfile.ZipFile(built(project)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["word/document.xml"] = change
    return _zip(entries)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("text", "is not a DOCX (not a zip file)"),
        ("corrupt", "damaged zip file"),
        ("bomb", "the limit is 200,000,000 (a zip bomb?)"),
        ("entities", "DTD or entities"),
        ("plain", "has no panelpapers anchors"),
        ("other", "which is not in content"),
        ("ole", "encrypted or an old binary .doc"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(project: Path, tmp_path: Path, kind: str, expected: str) -> None:
    import docx

    path = tmp_path / "bad.docx"
    if kind == "text":
        path.write_text("not a document")
    elif kind == "corrupt":
        path.write_bytes(built(project).read_bytes()[:5000])
    elif kind == "bomb":
        path.write_bytes(_zip({"word/document.xml": b"<a/>", "big.bin": bytes(201_000_000)}))
    elif kind == "entities":
        path.write_bytes(_with_document(project, b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                                        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><d>&b;</d>'))
    elif kind == "plain":
        document = docx.Document()
        document.add_paragraph("A paper never built by panelpapers.")
        document.save(str(path))
    elif kind == "other":
        data = built(project).read_bytes().replace(f"{MEETING}/{PAPER}".encode(), b"2099-01-01-other-panel/01-x")
        with zipfile.ZipFile(built(project)) as archive:
            entries = {name: archive.read(name) for name in archive.namelist()}
        entries["docProps/custom.xml"] = entries["docProps/custom.xml"].replace(
            f">{MEETING}/{PAPER}<".encode(), b">2099-01-01-other-panel/01-x<")
        data = _zip(entries)
        path.write_bytes(data)
    elif kind == "ole":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    before = snapshot(project / "content")
    done = run_in_this_process("absorb", path, "--apply", cwd=project)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr
    assert snapshot(project / "content") == before
