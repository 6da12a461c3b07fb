"""Helpers for the tests of data-driven papers: copy an example paper into a throwaway meeting
folder, and read tables and picture alt text back from the built DOCX."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

MEETING = Path(__file__).resolve().parents[1] / "content" / "2022-01-17-audit-panel"
ACTIONS_PAPER = "03-audit-actions"
RISK_PAPER = "02-risk-management"


def copy_paper(name: str, tmp_path: Path) -> Path:
    """A copy of one example paper in tmp_path/<meeting>/<paper>, to edit and build alone."""
    target = tmp_path / MEETING.name / name
    shutil.copytree(MEETING / name, target)
    return target


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def docx_tables(path: Path) -> list[list[list[str]]]:
    """Every table of the document as rows of cell texts (line breaks as spaces)."""
    from docx import Document

    document = Document(str(path))
    tables = []
    for table in document.tables:  # data tables only: the Report Summary box is bordered paragraphs
        rows = []
        for row in table.rows:
            rows.append([squash(_cell_text(cell._tc)) for cell in row.cells])
        tables.append(rows)
    return tables


def _cell_text(element: object) -> str:
    parts = []
    for node in element.iter():  # type: ignore[attr-defined]
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t":
            parts.append(node.text or "")
        elif tag in ("br", "tab") or tag == "p":
            parts.append(" ")
    return "".join(parts)


def docx_alt_texts(path: Path) -> list[str]:
    """The alt text (docPr descr) of every picture, in order."""
    from docx import Document

    body = Document(str(path)).element.body
    return [node.get("descr", "") for node in body.iter() if node.tag.endswith("}docPr")]


def file_hashes(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def edit(path: Path, old: str, new: str) -> None:
    """Replaces the first `old` in a content file, which must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def problems_of(paper: Path) -> list[str]:
    """The lines `check` prints for a paper that must not build: a build reports its content's
    problems the same way (build/plan.py's paper_problems) before it draws or renders anything."""
    import pytest

    from panelpapers.build.plan import check
    from panelpapers.errors import ContentError

    with pytest.raises(ContentError) as caught:
        check([paper])
    return [str(p) for p in caught.value.problems]
