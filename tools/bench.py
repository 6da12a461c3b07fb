"""Benchmark: `nox -s bench`. Measures, in one run on this machine, the costs that matter to an
author and to CI, and writes them to build/bench.json. Figures are compared as ratios within a run,
never asserted in tests (these machines are noisy)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEETING = ROOT / "content" / "2022-01-17-audit-panel"
PAPER = MEETING / "02-risk-management"
RESULTS = ROOT / "build" / "bench.json"
REPEATS = 3


def timed(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time in seconds over `repeats` runs."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_build(target: Path) -> Callable[[], object]:
    def run() -> object:
        with tempfile.TemporaryDirectory() as out:
            return subprocess.run(
                [sys.executable, "-m", "panelpapers", "build", str(target), "--out", out],
                check=True,
                capture_output=True,
            )

    return run


def measure_paper() -> dict[str, float]:
    from panelpapers.build import gather
    from panelpapers.render.html import render_paper_html
    from panelpapers.render.pdf import html_to_pdf

    paper = gather([PAPER])[0].paper
    assert paper is not None
    html = render_paper_html(paper)
    html_to_pdf(html)  # warm WeasyPrint's imports and font caches before timing it alone
    cold = timed(cold_build(PAPER))
    weasy = timed(lambda: html_to_pdf(html))
    return {
        "paper_cold_build_s": round(cold, 3),
        "weasyprint_alone_s": round(weasy, 3),
        "weasyprint_share_of_cold_build": round(weasy / cold, 3),
    }


def measure_pack() -> dict[str, float]:
    """The whole meeting build (every paper, both variants, and the packs), and the pack step alone:
    front sheet rendered until it settles, merge, bookmarks, page stamps and agenda.docx."""
    from panelpapers.build import gather
    from panelpapers.pack.assemble import render_pack
    from panelpapers.render.pdf import PdfWriter

    jobs = gather([MEETING])
    meeting = jobs[0].meeting
    assert meeting is not None
    papers = [(job.paper, PdfWriter().render(job.paper)) for job in jobs if job.paper is not None]
    pack = render_pack(meeting, papers, show_markings=True)
    first_paper = min(int(row.page) for row in pack.sheet.rows if row.page.isdigit())
    return {
        "meeting_cold_build_s": round(timed(cold_build(MEETING)), 3),
        "pack_step_alone_s": round(timed(lambda: render_pack(meeting, papers, show_markings=True)), 3),
        "pack_pages": pack.pages,
        "front_sheet_pages": first_paper - 1,
        "pack_bytes": len(pack.pdf),
        "agenda_docx_bytes": len(pack.agenda_docx),
    }


# Later capabilities add their measurements here: name -> function returning figures.
def measure_tables_and_charts() -> dict[str, float]:
    """The data-heavy paper (5 tables, 1 chart, figures in text) against the same kind of paper
    with no data at all, both cold builds; and the cost of drawing one chart (SVG + PNG), warm."""
    import shutil

    from panelpapers.data.paper_data import load_paper_data

    data_paper = MEETING / "03-audit-actions"
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / MEETING.name / "02-plain"
        shutil.copytree(PAPER, plain)
        shutil.rmtree(plain / "data", ignore_errors=True)
        (plain / "data.yaml").unlink(missing_ok=True)
        appendices = (plain / "appendices.yaml").read_text().splitlines()
        kept = [line for line in appendices if not line.startswith(("    content:", "      - "))]
        (plain / "appendices.yaml").write_text("\n".join(kept) + "\n")
        plain_build = timed(cold_build(plain))
    data_build = timed(cold_build(data_paper))
    register_build = timed(cold_build(PAPER))
    load_paper_data(data_paper)  # warm pandas, matplotlib and the font cache
    data_only = timed(lambda: load_paper_data(data_paper))
    # The register paper's data is two heat maps and two small tables: nearly all chart drawing.
    charts = len(load_paper_data(PAPER)[0].charts)  # type: ignore[union-attr]
    with_charts = timed(lambda: load_paper_data(PAPER))
    return {
        "plain_paper_cold_build_s": round(plain_build, 3),
        "data_paper_cold_build_s": round(data_build, 3),
        "risk_register_paper_cold_build_s": round(register_build, 3),
        "data_paper_over_plain": round(data_build / plain_build, 3),
        "data_paper_tables_charts_figures_warm_s": round(data_only, 3),
        "per_chart_svg_and_png_warm_s": round(with_charts / charts, 3),
    }


def measure_diff() -> dict[str, float]:
    """Two drafts of the whole example meeting, the second with a paragraph inserted early so every
    later page reflows: the comparison a reviewer runs, from build folders and from the two packs."""
    import shutil

    from panelpapers.build import build
    from panelpapers.review.compare import compare_paths
    from panelpapers.review.report import html, review

    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        for name in ("old", "new"):
            shutil.copytree(MEETING, base / name / MEETING.name)
        supporting = base / "new" / MEETING.name / PAPER.name / "supporting.yaml"
        text = supporting.read_text(encoding="utf-8")
        first = "      - paragraphs:\n          - >-\n"
        supporting.write_text(text.replace(first, first + "            An inserted paragraph.\n          - >-\n", 1))
        for name in ("old", "new"):
            build([base / name / MEETING.name], base / f"{name}-build")
        old_pack = base / "old-build" / MEETING.name / "restricted" / "pack.pdf"
        new_pack = base / "new-build" / MEETING.name / "restricted" / "pack.pdf"

        def folders() -> int:
            result = review(compare_paths(base / "old-build", base / "new-build"))
            html(result)
            return result.pages_compared

        def packs() -> int:
            result = review(compare_paths(old_pack, new_pack))
            html(result)
            return result.pages_compared

        pages_folders, pages_packs = folders(), packs()  # warm imports before timing
        folder_time, pack_time = timed(folders), timed(packs)
    return {
        "build_folders_diff_s": round(folder_time, 3),
        "build_folders_pages_compared": pages_folders,
        "build_folders_pages_per_s": round(pages_folders / folder_time, 1),
        "pack_pdfs_diff_s": round(pack_time, 3),
        "pack_pdfs_pages_compared": pages_packs,
        "pack_pdfs_pages_per_s": round(pages_packs / pack_time, 1),
    }


MEASUREMENTS: dict[str, Callable[[], dict[str, float]]] = {
    "paper": measure_paper,
    "pack": measure_pack,
    "tables_and_charts": measure_tables_and_charts,
    "diff": measure_diff,
}


def main() -> None:
    results: dict[str, object] = {"python": sys.version.split()[0], "repeats": REPEATS}
    for name, measure in MEASUREMENTS.items():
        figures = measure()
        results[name] = figures
        for key, value in figures.items():
            print(f"{name:>10}  {key:<40} {value}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
