"""The public HTML edition and the standing axe check (docs/accessibility.md).

The example meeting is built, then an edited copy beside it (one reworded recommendation, one changed
data cell), and a review report of the two is written. axe-core, pinned from the npm registry and
run by headless Chromium (tools/axe.mjs), must find no WCAG 2.1 A or AA violation on any page of the
public site, any paper's print HTML (both variants) or the review report; a page made to fail shows
that the check can fail. The site's own promises are read back from its HTML: headings in order,
tables with captions and header cells, every chart an image with alt text and then its data,
marked top and bottom, every link relative and leading to a file that is there.

In CI (`CI` set, as `.ci/run` and GitHub set it) a missing Node, npm or Chromium fails the test;
elsewhere it skips with the reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT, run_panelpapers

from panelpapers.build import build

AXE_CORE = "axe-core@4.10.3"
PUPPETEER_CORE = "puppeteer-core@24.43.1"  # drives the system's Chromium; downloads no browser
MEETING = EXAMPLE_MEETING.name
PAPERS = ("02-risk-management", "03-audit-actions", "04-governance-statement")
# A contents page, grouped tables and a table long enough to break across pages (issue 12).
FIXTURE = PROJECT_ROOT / "tests" / "features" / "2022-01-17-accessibility"


def chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def missing_tool(reason: str) -> None:
    if os.environ.get("CI"):  # as readback.require_tool: in CI a missing tool fails, never skips
        pytest.fail(f"{reason}: CI must run the accessibility check (.ci/run installs nodejs, npm and chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def axe_tools() -> Path:
    """tools/axe.mjs beside its pinned npm packages, installed once per version into the temporary
    folder (`npm install --prefix`), so later runs need no network."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            missing_tool(f"{tool} is not installed")
    if chromium() is None:
        missing_tool("chromium is not installed (or set CHROMIUM to a Chromium or Chrome executable)")
    folder = Path(tempfile.gettempdir()) / f"panelpapers-node-{AXE_CORE}-{PUPPETEER_CORE}".replace("@", "-")
    if not (folder / "node_modules" / ".installed").is_file():
        staging = Path(tempfile.mkdtemp(prefix=".panelpapers-node-", dir=folder.parent))
        done = subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(staging)]
            + [AXE_CORE, PUPPETEER_CORE],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
        )
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            missing_tool(f"npm could not install {AXE_CORE} and {PUPPETEER_CORE}: {done.stderr.strip()[-500:]}")
        (staging / "node_modules" / ".installed").write_text(f"{AXE_CORE} {PUPPETEER_CORE}\n", encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    shutil.copy(PROJECT_ROOT / "tools" / "axe.mjs", folder / "axe.mjs")
    return folder


@pytest.fixture(scope="module")
def drafts(
    tmp_path_factory: pytest.TempPathFactory, example_build: Path, accessibility_build: Path
) -> dict[str, Path]:
    """The example built (the run's shared build), an edited copy built with a copy of its cache, and
    the review report of the two; and the accessibility fixture's shared build."""
    base = tmp_path_factory.mktemp("accessible")
    new = base / "new" / MEETING
    shutil.copytree(EXAMPLE_MEETING, new)
    recommendations = new / "02-risk-management" / "recommendations.yaml"
    text = recommendations.read_text(encoding="utf-8")
    assert text.count("Note the Met's key risks") == 1
    recommendations.write_text(text.replace("Note the Met's key risks", "Note and comment on the Met's key risks"))
    risks = new / "02-risk-management" / "data" / "risks.csv"
    text = risks.read_text(encoding="utf-8")
    assert text.count(",Director of HR,") == 1
    risks.write_text(text.replace(",Director of HR,", ",Director of People,"), encoding="utf-8")
    cache = base / "cache"
    shutil.copytree(example_build / ".panelpapers-cache", cache)
    build([new], base / "new-build", cache=cache, jobs=1)
    report = base / "review.html"
    diff = run_panelpapers("diff", example_build, base / "new-build", "--html", report, cwd=base)
    assert diff.returncode == 1, diff.stdout + diff.stderr
    return {"out": base / "new-build" / MEETING, "report": report, "fixture": accessibility_build / FIXTURE.name}


def site_of(drafts: dict[str, Path]) -> Path:
    return drafts["out"] / "public" / "site"


def run_axe(axe_tools: Path, pages: list[Path]) -> dict[str, list[dict[str, object]]]:
    """Page -> its violations of the WCAG 2.1 A and AA rules."""
    environment = {**os.environ, "CHROMIUM": chromium() or ""}
    done = subprocess.run(
        ["node", str(axe_tools / "axe.mjs"), *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )
    assert done.returncode == 0, f"axe could not check the pages:\n{done.stderr[-2000:]}"
    result = json.loads(done.stdout)
    assert result["axe"].startswith(AXE_CORE.split("@")[1])
    return {page["page"]: page["violations"] for page in result["pages"]}


def describe(violations: dict[str, list[dict[str, object]]]) -> str:
    lines = []
    for page, found in violations.items():
        for violation in found:
            nodes = violation["nodes"]
            assert isinstance(nodes, list)
            where = "; ".join(" ".join(node["target"]) for node in nodes[:5])
            rule = f"{violation['id']} ({violation['impact']}): {violation['help']}"
            lines.append(f"{Path(page).name}: {rule} at {where}")
    return "\n".join(lines)


def test_axe_finds_no_wcag_21_aa_violation(axe_tools: Path, drafts: dict[str, Path], tmp_path: Path) -> None:
    site = sorted(site_of(drafts).glob("*.html"))
    papers = sorted(drafts["out"].glob("*/*.html"))
    assert len(site) == len(PAPERS) + 1 and len(papers) >= 2 * len(PAPERS)
    fixture = sorted(drafts["fixture"].glob("*/*.html")) + sorted(drafts["fixture"].glob("public/site/*.html"))
    assert len(fixture) == 4, fixture  # its paper in both variants, the paper's page and the index
    site += fixture
    control = tmp_path / "control.html"  # the check must be able to fail
    control.write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body><img src="a.png">'
        '<p style="color:#999;background:#fff">faint</p><table><tr><th>h</th></tr></table></body></html>',
        encoding="utf-8",
    )
    found = run_axe(axe_tools, [*site, *papers, drafts["report"], control])
    failed = {str(control): found.pop(str(control))}
    assert {v["id"] for v in failed[str(control)]} >= {"html-has-lang", "image-alt", "color-contrast"}, failed
    assert len(found) == len(site) + len(papers) + 1
    violations = {page: v for page, v in found.items() if v}
    assert not violations, "axe-core found WCAG 2.1 A/AA violations:\n" + describe(violations)


# ---- the public HTML edition, read back -----------------------------------------------------------


def parse(path: Path):  # type: ignore[no-untyped-def]
    import lxml.html

    return lxml.html.fromstring(path.read_bytes())


def test_site_is_in_the_public_variant_only_and_listed_in_its_manifest(drafts: dict[str, Path]) -> None:
    out = drafts["out"]
    assert not (out / "restricted" / "site").exists()
    site = site_of(drafts)
    names = {str(p.relative_to(out / "public")) for p in site.rglob("*") if p.is_file()}
    assert {"site/index.html", "site/site.css", "site/fonts/LiberationSans-Regular.ttf"} <= names
    assert {f"site/{paper}.html" for paper in PAPERS} <= names
    manifest = json.loads((out / "public" / "manifest.json").read_text(encoding="utf-8"))
    assert names <= set(manifest["outputs"])


def test_every_link_is_relative_and_leads_to_a_file_there(drafts: dict[str, Path]) -> None:
    """The site works offline from any folder: no absolute or network link but a paper's own links
    (https:, mailto:) in its text; every other link and the stylesheet's fonts resolve to files."""
    site = site_of(drafts)
    broken = []
    for page in sorted(site.glob("*.html")):
        document = parse(page)
        ids = set(document.xpath("//@id"))
        for element, attribute, link, _ in document.iterlinks():
            parts = urlsplit(link)
            if parts.scheme in ("https", "mailto", "data") and element.tag != "link":
                continue
            if parts.scheme or link.startswith("/"):
                broken.append(f"{page.name}: {element.tag} {attribute}={link!r} is not relative")
            elif not parts.path:
                if parts.fragment not in ids:
                    broken.append(f"{page.name}: #{parts.fragment} names no element")
            elif not (page.parent / unquote(parts.path)).is_file():
                broken.append(f"{page.name}: {link} is not there")
    css = (site / "site.css").read_text(encoding="utf-8")
    fonts = [line.split('url("')[1].split('"')[0] for line in css.splitlines() if "url(" in line]
    assert fonts and all((site / font).is_file() for font in fonts)
    assert not broken, "\n".join(broken)


def test_index_lists_the_agenda_with_each_papers_files(drafts: dict[str, Path]) -> None:
    index = parse(site_of(drafts) / "index.html")
    assert index.get("lang") == "en-GB"
    links = {a.get("href"): a.text_content() for a in index.iter("a")}
    for paper in PAPERS:
        assert f"{paper}.html" in links
        assert "PDF" in links[f"../{paper}.pdf"] and "KB" in links[f"../{paper}.pdf"]
        assert "pages" in links[f"../{paper}.pdf"]
        assert "KB" in links[f"../{paper}.docx"]
    assert "PDF" in links["../pack.pdf"] and "pages" in links["../pack.pdf"] and "../agenda.docx" in links
    markings = index.find_class("marking")
    assert [m.text_content().split()[0] for m in markings] == ["OFFICIAL", "OFFICIAL"]


def test_paper_pages_are_structured_for_assistive_technology(drafts: dict[str, Path]) -> None:
    fixture = [p for p in (drafts["fixture"] / "public" / "site").glob("*.html") if p.name != "index.html"]
    assert len(fixture) == 1
    for path in [*(site_of(drafts) / f"{paper}.html" for paper in PAPERS), *fixture]:
        paper = path.name
        page = parse(path)
        assert page.get("lang") == "en-GB"
        skip = page.xpath("//body/a[1]")[0]
        assert skip.get("href") == "#main" and page.xpath("//main[@id='main']")
        levels = [int(h.tag[1]) for h in page.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels.count(1) == 1 and levels[0] == 1, paper
        skipped = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert not skipped, f"{paper}: heading levels skip {skipped}"
        for table in page.iter("table"):
            assert table.xpath("./caption") and table.xpath("./caption")[0].text_content().strip(), paper
            headers = table.xpath(".//th")
            assert headers and all(th.get("scope") in ("col", "row", "colgroup") for th in headers), paper
        charts = page.xpath("//figure[contains(@class, 'chart')]")
        for figure in charts:
            image = figure.xpath(".//img")[0]
            assert image.get("alt") and image.get("src").startswith("data:image/"), paper
            data = figure.getnext()
            assert data is not None and data.xpath(".//table/caption"), f"{paper}: a chart without its data"
        markings = page.find_class("marking")
        assert len(markings) == 2 and all(m.text_content().startswith("OFFICIAL") for m in markings)
    risk = parse(site_of(drafts) / "02-risk-management.html")
    assert len(risk.xpath("//figure[contains(@class, 'chart')]")) >= 1

