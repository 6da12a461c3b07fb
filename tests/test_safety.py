"""Safety by design: what rendering may read, what a public build may contain, and YAML that stays
as typed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from weasyprint.urls import FatalURLFetchingError

from panelpapers.build import build
from panelpapers.load.source import load_yaml
from panelpapers.render.pdf import html_to_pdf

MEETING = Path(__file__).resolve().parents[1] / "content" / "2022-01-17-audit-panel"
PAPER = "02-risk-management"


@pytest.mark.quick
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/x.png",
        "https://example.org/x.png",
        "fonts/../../../../etc/hostname",
        "ftp://example.org/x.png",
    ],
)
def test_pdf_renderer_reads_nothing_outside_the_project(url: str) -> None:
    with pytest.raises(FatalURLFetchingError) as caught:
        html_to_pdf(f'<img src="{url}">')
    assert "refused" in str(caught.value.__cause__) or "disallowed" in str(caught.value.__cause__)


@pytest.mark.quick
@pytest.mark.parametrize("url", ["house-font:regular", "house-font:../../etc/passwd", "house-font:/etc/passwd"])
def test_pdf_renderer_serves_house_fonts_only_by_face_and_only_when_the_house_names_them(url: str) -> None:
    from panelpapers.house import Fonts

    page = f'<style>@font-face {{ font-family: X; src: url("{url}") }}</style><p style="font-family: X">x</p>'
    with pytest.raises(FatalURLFetchingError) as caught:
        html_to_pdf(page)  # the built-in house names no fonts of its own
    assert "no such font" in str(caught.value.__cause__)
    packaged = sorted((Path(__file__).resolve().parents[1] / "templates" / "fonts").glob("*.ttf"))
    fonts = Fonts((packaged[0], packaged[1], packaged[2], packaged[3]), "Liberation Sans", "Arial")
    if url == "house-font:regular":
        assert html_to_pdf(page, fonts=fonts).startswith(b"%PDF")
    else:
        with pytest.raises(FatalURLFetchingError):
            html_to_pdf(page, fonts=fonts)


@pytest.mark.quick
def test_pdf_renderer_reads_data_urls_and_project_fonts() -> None:
    pixel = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    assert html_to_pdf(f'<p style="font-family: \'Panel Sans\'">x</p><img src="{pixel}">').startswith(b"%PDF")


@pytest.mark.quick
def test_yaml_values_stay_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: NO\nb: off\nc: 0755\nd: 1.10\ne: 2022-01-17\nf: ~\ng: null\n")
    loaded, problems = load_yaml(path)
    assert problems == [] and loaded is not None
    assert loaded.data == {"a": "NO", "b": "off", "c": "0755", "d": "1.10", "e": "2022-01-17", "f": "~", "g": "null"}


def test_public_build_carries_nothing_above_official(tmp_path: Path) -> None:
    meeting = tmp_path / MEETING.name
    shutil.copytree(MEETING, meeting)
    appendices = meeting / PAPER / "appendices.yaml"
    text = appendices.read_text()
    secret_title = "Covert operations register for the SECRETWORD programme"
    # Mark the first appendix OFFICIAL-SENSITIVE and give it a title that must not leak.
    text, count = re.subn(r"(- ref: A\n\s+title: ).*", rf"\g<1>{secret_title}\n    marking: OFFICIAL-SENSITIVE", text)
    assert count == 1, "the example's first appendix has moved"
    appendices.write_text(text)
    build([meeting], tmp_path / "out")

    restricted = tmp_path / "out" / MEETING.name / "restricted"
    public = tmp_path / "out" / MEETING.name / "public"
    assert secret_title in (restricted / f"{PAPER}.html").read_text()
    for path in public.rglob("*"):
        if path.is_file():
            assert b"SECRETWORD" not in path.read_bytes(), f"{path.name} leaks a sensitive title"
    assert "Appendix A</strong> – not published (OFFICIAL-SENSITIVE)" in (public / f"{PAPER}.html").read_text()


def test_sensitive_paper_is_left_out_of_the_public_build(tmp_path: Path) -> None:
    paper = tmp_path / MEETING.name / PAPER
    shutil.copytree(MEETING / PAPER, paper)
    (paper / "paper.yaml").write_text(
        re.sub(r"marking: .*", "marking: OFFICIAL-SENSITIVE", (paper / "paper.yaml").read_text())
    )
    build([paper], tmp_path / "out")
    assert (tmp_path / "out" / MEETING.name / "restricted" / f"{PAPER}.pdf").is_file()
    public = tmp_path / "out" / MEETING.name / "public"
    names = [p.name for p in public.rglob("*")] if public.exists() else []
    assert not any(PAPER in name for name in names)
    for path in public.rglob("*") if public.exists() else []:
        if path.is_file():
            assert PAPER.encode() not in path.read_bytes()
