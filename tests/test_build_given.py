"""A build given what its caller has already made (build/given.py, as the live preview gives it):
a paper resolved and its PDFs rendered are used instead of being made again, with exactly the bytes
a build given nothing writes; what was made from files that have changed since is not used."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, reduced_meeting
from datapapers import edit
from readback import pdf_pages_text

import panelpapers.build.run
from panelpapers.build import Given, ResolvedPaper, build, distinct, load, render_pdfs, resolve_paper
from panelpapers.cache import CACHE_FOLDER, KeyContext, paper_key
from panelpapers.project import project_of

PAPER = "04-governance-statement"  # its public and restricted variants differ: two PDFs


def outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and CACHE_FOLDER not in p.parts}


def made_ahead(meeting: Path, root: Path) -> Given:
    """The paper resolved and its PDFs rendered, as the preview makes them before it builds."""
    folder = meeting / PAPER
    house = project_of([meeting]).house
    source = load([meeting], house).jobs[0].source
    resolved = resolve_paper(source, house)
    assert not resolved.problems
    key = paper_key(folder, KeyContext.of(root, None))
    return Given((ResolvedPaper(folder, key, resolved),), render_pdfs(distinct(resolved.papers.values()), None))


def test_a_build_uses_what_it_is_given_with_the_same_bytes_and_not_what_is_out_of_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    meeting = reduced_meeting(root / "content", [PAPER])
    build([meeting], tmp_path / "plain", jobs=1)
    given = made_ahead(meeting, root)
    assert len(given.pdfs) == 2

    def not_again(*_args: Any) -> None:
        raise AssertionError("made again, though given")

    with monkeypatch.context() as patched:
        patched.setattr(panelpapers.build.run, "resolve_task", not_again)
        patched.setattr(panelpapers.build.run, "pdf_task", not_again)
        build([meeting], tmp_path / "given", jobs=1, given=given)
    assert outputs(tmp_path / "given") == outputs(tmp_path / "plain")

    # Saved after it was made: what was given is out of date, and the build makes the paper afresh.
    edit(meeting / PAPER / "summary.yaml", "internal control is **adequate**", "internal control is **sufficient**")
    build([meeting], tmp_path / "edited", jobs=1, given=given)
    for variant in ("public", "restricted"):
        text = " ".join(" ".join(pdf_pages_text(tmp_path / "edited" / meeting.name / variant / f"{PAPER}.pdf")).split())
        assert "internal control is sufficient" in text
