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
    from panelpapers.writers.html import render_paper_html
    from panelpapers.writers.pdf import html_to_pdf

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


# Later capabilities add their measurements here: name -> function returning figures.
MEASUREMENTS: dict[str, Callable[[], dict[str, float]]] = {
    "paper": measure_paper,
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
