"""Benchmark: `nox -s bench`. Measures, in one run on this machine, the costs that matter to an
author and to CI, and writes them to build/bench.json. Figures are compared as ratios within a run,
never asserted in tests (these machines are noisy); each target the build has is reported as met or
not, with the figure measured.

`nox -s bench -- incremental scale` runs only the measurements named (see MEASUREMENTS);
`nox -s bench -- preview --edits 30` makes the preview's run of edits shorter, for a quick look.
`nox -s bench -- cold` is the quick look: the 12-paper meeting built cold against WeasyPrint alone;
`nox -s bench -- breakdown` builds it serially and says where its CPU goes, task by task.

Synthetic meetings (`synthetic_meeting`) repeat the example meeting's papers to any number of
papers, in a content project with the example's house style: 12 papers make a pack of about 100
pages, 123 papers one of about 1,000."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEETING = ROOT / "content" / "2022-01-17-audit-panel"
PAPER = MEETING / "02-risk-management"
RESULTS = ROOT / "build" / "bench.json"
REPEATS = 3
EDIT_REPEATS = 5  # edit-one-paper builds, each beside a cold build of that paper alone
SMALL_MEETING = 12  # papers: a pack of about 100 pages
LARGE_MEETING = 123  # papers: a pack of about 1,000 pages
TARGETS = {  # figure -> (comparison, limit), as the build promises them (docs/performance.md)
    "no_op_build_s": ("<=", 0.5),
    "edit_one_paper_over_that_paper_alone": ("<=", 1.3),
    "cold_over_weasyprint_alone": ("<=", 1.0),  # the stretch is 0.8
    "cpu_over_wall": (">=", 1.7),
    "per_page_1000_over_100": ("within", 0.2),
    "peak_pss_1000_pages_mb": ("<=", 1.2 * 1024),
    "preview_edit_to_html_s": ("<=", 1.0),
    "preview_edit_to_pdf_s": ("<=", 3.0),
    "preview_no_op_save_cpu_s": ("<=", 0.05),
    "preview_rss_last_over_edit_20": ("within", 0.1),
}
PREVIEW_EDITS = 200  # successive edits of the preview's run (`--edits N`: fewer, for a quick look)


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


# ---- synthetic meetings, incremental and parallel builds, scale ----------------------------------


def synthetic_meeting(target: Path, papers: int) -> Path:
    """A content project in `target` (the example's panelpapers.yaml beside content/) holding one
    meeting of `papers` papers: the example meeting's papers repeated in turn, renumbered
    (02-risk-management, 03-audit-actions, 04-governance-statement, 05-risk-management-2, …), each on
    the agenda where the example's papers are. Returns the meeting folder."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "panelpapers.yaml", target / "panelpapers.yaml")
    meeting = target / "content" / MEETING.name
    meeting.mkdir(parents=True)
    text = (MEETING / "meeting.yaml").read_text(encoding="utf-8")
    items = list(re.finditer(r"  - paper: (\S+)\n((?:    .*\n)*)", text))
    examples = [(match.group(1), match.group(2)) for match in items]
    blocks = []
    for index in range(papers):
        name, rest = examples[index % len(examples)]
        repeat = index // len(examples) + 1
        folder = f"{index + 2:02d}-{name.split('-', 1)[1]}" + (f"-{repeat}" if repeat > 1 else "")
        shutil.copytree(MEETING / name, meeting / folder)
        blocks.append(f"  - paper: {folder}\n{rest}")
    text = text[: items[0].start()] + "".join(blocks) + text[items[-1].end() :]
    (meeting / "meeting.yaml").write_text(text, encoding="utf-8")
    return meeting


# Runs one CLI command in a fresh process and reports its wall time, the CPU time of every process
# it started (its workers are children of the fork server, which is stopped first so that their
# time is counted), and the peak of the memory of all its processes together, sampled every 0.1 s:
# PSS (each page divided among the processes that share it, so the pages the workers share with
# the fork server are counted once), read from /proc/<pid>/smaps_rollup; and, for comparison, the
# sum of their RSS, which counts a shared page once per process.
DRIVER = """
import json, os, resource, sys, threading, time
from pathlib import Path

def tree():
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, pending = [], [os.getpid()]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending += children.get(pid, [])
    return found

def memory_kb(pid):
    pss = rss = 0
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    except OSError:  # ended since it was listed
        pass
    return pss, rss

peak = {"pss": 0, "rss": 0, "processes": 0}
done = threading.Event()
def sample():
    while not done.is_set():
        pids = tree()
        both = [memory_kb(pid) for pid in pids]
        peak["pss"] = max(peak["pss"], sum(p for p, _ in both))
        peak["rss"] = max(peak["rss"], sum(r for _, r in both))
        peak["processes"] = max(peak["processes"], len(pids))
        done.wait(0.1)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
started = time.perf_counter()
from panelpapers.cli import main
status = main(sys.argv[1:])
wall = time.perf_counter() - started
done.set()
sampler.join()
import multiprocessing.forkserver as forkserver
stop = getattr(forkserver._forkserver, "_stop", None)
if stop is not None:
    stop()
me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
print(json.dumps({"status": status, "wall_s": wall, "cpu_s": cpu, "peak_pss_mb": peak["pss"] / 1024,
                  "peak_rss_summed_mb": peak["rss"] / 1024, "processes": peak["processes"]}))
"""


def run_cli(*args: str | Path, cwd: Path) -> dict[str, float]:
    """`panelpapers -q ARGS` in a fresh process: wall and CPU seconds, peak PSS (and RSS) of all its
    processes together in MB."""
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, "-q", *map(str, args)], cwd=cwd, capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["status"] != 0:
        raise RuntimeError(f"panelpapers {' '.join(map(str, args))} failed: {done.stderr}")
    return figures


def pack_pages(out: Path) -> int:
    manifest = json.loads((out / MEETING.name / "restricted" / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["outputs"]["pack.pdf"]["pages"])


# WeasyPrint alone, as the cold build is compared with it: one Python process that imports
# WeasyPrint and renders each restricted paper's HTML, as the build wrote it, with the project's URL
# fetcher, and does nothing else. Timed like DRIVER, from before its imports to its last PDF.
WEASYPRINT_ALONE = """
import json, resource, sys, time
started = time.perf_counter()
from pathlib import Path
from weasyprint import HTML
from panelpapers.project import project_of
from panelpapers.render.pdf import _project_fetcher
from panelpapers.resources import templates_dir
meeting, built = Path(sys.argv[1]), Path(sys.argv[2])
project = project_of([meeting])
templates = project.templates or templates_dir()
fetcher = _project_fetcher(templates, project.house.fonts)
papers = sorted(folder.parent.name for folder in meeting.glob("*/paper.yaml"))
imported = time.perf_counter()
for name in papers:
    html = (built / (name + ".html")).read_text(encoding="utf-8")
    HTML(string=html, base_url=str(templates) + "/", url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": time.perf_counter() - started, "rendering_s": time.perf_counter() - imported,
                  "cpu_s": me.ru_utime + me.ru_stime, "papers": len(papers)}))
"""


def weasyprint_alone(meeting: Path, out: Path) -> dict[str, float]:
    """WEASYPRINT_ALONE over `meeting`'s restricted papers as built in `out`: the floor a cold build
    is compared with."""
    built = out / meeting.name / "restricted"
    done = subprocess.run(
        [sys.executable, "-c", WEASYPRINT_ALONE, str(meeting), str(built)],
        cwd=meeting.parent.parent, capture_output=True, text=True, check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# A serial build (one job) of a meeting in this process, each of the worker's tasks timed in CPU
# seconds, and every WeasyPrint layout counted: where a cold build's work goes beside the floor.
# The tasks are looked up by name where the build calls them, so each is wrapped there too.
BREAKDOWN = """
import json, resource, sys, time
from collections import Counter
from pathlib import Path
import panelpapers.build.meeting, panelpapers.build.run, panelpapers.build.worker, weasyprint
from panelpapers.render.pdf import LaidOut

cpu, calls = Counter(), Counter()

def timed(name, function):
    def run(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            cpu[name] += time.process_time() - started
            calls[name] += 1
    return run

for name in ("resolve_task", "pdf_task", "docx_task", "pack_task"):
    wrapped = timed(name, getattr(panelpapers.build.worker, name))
    for module in (panelpapers.build.worker, panelpapers.build.run, panelpapers.build.meeting):
        if hasattr(module, name):
            setattr(module, name, wrapped)
weasyprint.HTML.render = timed("layouts", weasyprint.HTML.render)
LaidOut.pdf = timed("pdf_writing", LaidOut.pdf)
from panelpapers.build import build
build([Path(sys.argv[1])], Path(sys.argv[2]), jobs=1, force=True)
me = resource.getrusage(resource.RUSAGE_SELF)  # from the start, imports and all, as WeasyPrint alone counts
print(json.dumps({"cpu_s": me.ru_utime + me.ru_stime, "tasks_cpu_s": cpu, "calls": calls}))
"""


def measure_breakdown() -> dict[str, object]:
    """The 12-paper meeting built serially, its CPU by task (charts and tables are `resolve_task`;
    `layouts` and `pdf_writing` are within `pdf_task` and `pack_task`; a library a task imports is
    counted in the first task that needs it), against WeasyPrint alone on the restricted HTML it
    wrote."""
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        meeting = synthetic_meeting(base / "project", SMALL_MEETING)
        out = base / "project" / "build"
        done = subprocess.run(
            [sys.executable, "-c", BREAKDOWN, str(meeting), str(out)],
            cwd=base / "project", capture_output=True, text=True, check=True,
        )
        serial = json.loads(done.stdout.strip().splitlines()[-1])
        weasy = weasyprint_alone(meeting, out)
    tasks = {name: round(value, 2) for name, value in serial["tasks_cpu_s"].items()}
    outside = serial["cpu_s"] - sum(tasks[name] for name in ("resolve_task", "pdf_task", "docx_task", "pack_task"))
    return {
        "serial_build_cpu_s": round(serial["cpu_s"], 2),
        **{f"{name}_cpu_s": value for name, value in sorted(tasks.items())},
        "outside_the_tasks_cpu_s": round(outside, 2),  # start, loading, the site, manifests, publishing
        **{f"{name}_calls": count for name, count in sorted(serial["calls"].items())},
        "weasyprint_alone_cpu_s": round(weasy["cpu_s"], 2),
        "weasyprint_alone_papers": weasy["papers"],
        "serial_build_cpu_over_weasyprint_alone_cpu": round(serial["cpu_s"] / weasy["cpu_s"], 2),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cold_figures(meeting: Path, out: Path, base: Path) -> dict[str, object]:
    """A cold build of `meeting` into `out`, then WeasyPrint alone on the HTML it wrote, one right
    after the other so that both see the same machine; with the load average before and after."""
    before = load_average()
    cold = run_cli("build", meeting, "--out", out, cwd=base)
    weasy = weasyprint_alone(meeting, out)
    pages = pack_pages(out)
    return {
        "papers": len(list(meeting.glob("*/paper.yaml"))),
        "pack_pages": pages,
        "cold_build_s": round(cold["wall_s"], 2),
        "cold_build_cpu_s": round(cold["cpu_s"], 2),
        "cpu_over_wall": round(cold["cpu_s"] / cold["wall_s"], 2),
        "cold_peak_pss_mb": round(cold["peak_pss_mb"]),
        "cold_peak_rss_summed_mb": round(cold["peak_rss_summed_mb"]),
        "cold_per_page_s": round(cold["wall_s"] / pages, 4),
        "weasyprint_alone_s": round(weasy["wall_s"], 2),
        "weasyprint_alone_cpu_s": round(weasy["cpu_s"], 2),
        "weasyprint_alone_rendering_s": round(weasy["rendering_s"], 2),
        "cold_over_weasyprint_alone": round(cold["wall_s"] / weasy["wall_s"], 2),
        "cold_cpu_over_weasyprint_alone_cpu": round(cold["cpu_s"] / weasy["cpu_s"], 2),
        "load_average_before": before,
        "load_average_after": load_average(),
    }


def measure_cold() -> dict[str, object]:
    """The 12-paper meeting built cold, against WeasyPrint alone (a few minutes; `cold_figures`)."""
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        meeting = synthetic_meeting(base / "project", SMALL_MEETING)
        return cold_figures(meeting, base / "project" / "build", base)


def edit_paper(paper: Path, number: int) -> None:
    """An author's edit: a sentence added to the paper's summary."""
    summary = paper / "summary.yaml"
    text = summary.read_text(encoding="utf-8")
    marker = "  - >-\n"
    at = text.index(marker) + len(marker)
    summary.write_text(text[:at] + f"    Edit {number} to this paper.\n" + text[at:], encoding="utf-8")


def measure_incremental() -> dict[str, object]:
    """A meeting of 12 papers (about 100 pages): a cold build; a build with nothing to do; a build
    after one paper is edited, against a cold build of that paper alone; cold against WeasyPrint
    alone; CPU over wall time on this machine's cores."""
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        meeting = synthetic_meeting(base / "project", SMALL_MEETING)
        out = base / "project" / "build"
        cold = cold_figures(meeting, out, base)
        no_op = timed(lambda: run_cli("build", meeting, "--out", out, cwd=base))
        paper = sorted(p.parent for p in meeting.glob("*/paper.yaml"))[0]
        # Taken in turns, so that both see the same machine: this one is busy with others' work.
        edits, alone = [], []
        for number in range(EDIT_REPEATS):
            edit_paper(paper, number)
            edits.append(run_cli("build", meeting, "--out", out, cwd=base)["wall_s"])
            with tempfile.TemporaryDirectory() as fresh:
                alone.append(run_cli("build", paper, "--out", fresh, cwd=base)["wall_s"])
        edited, paper_alone = statistics.median(edits), statistics.median(alone)
    return {
        **cold,
        "no_op_build_s": round(no_op, 3),
        "edited_paper": paper.name,
        "edit_one_paper_build_s": round(edited, 2),
        "that_paper_alone_cold_s": round(paper_alone, 2),
        "edit_one_paper_over_that_paper_alone": round(edited / paper_alone, 2),
    }


def measure_scale() -> dict[str, float]:
    """A meeting of 123 papers (about 1,000 pages), built once cold: time per page against the
    100-page meeting's, and the peak memory of all the build's processes together."""
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        meeting = synthetic_meeting(base / "project", LARGE_MEETING)
        out = base / "project" / "build"
        cold = run_cli("build", meeting, "--out", out, cwd=base)
        pages = pack_pages(out)
        no_op = timed(lambda: run_cli("build", meeting, "--out", out, cwd=base))
    return {
        "papers": LARGE_MEETING,
        "pack_pages": pages,
        "cold_build_s": round(cold["wall_s"], 1),
        "cold_build_cpu_s": round(cold["cpu_s"], 1),
        "cpu_over_wall": round(cold["cpu_s"] / cold["wall_s"], 2),
        "cold_per_page_s": round(cold["wall_s"] / pages, 4),
        "peak_pss_mb": round(cold["peak_pss_mb"]),
        "peak_rss_summed_mb": round(cold["peak_rss_summed_mb"]),
        "processes_at_most": cold["processes"],
        "no_op_build_s": round(no_op, 3),
    }


def machine() -> dict[str, object]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
        memory_gb: object = round(int(memory) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        memory_gb = "unknown"
    return {
        "cpu": model,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": memory_gb,
        "system": platform.platform(),
        "python": sys.version.split()[0],
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def targets(results: dict[str, dict[str, object]]) -> dict[str, str]:
    """Each target with the figure measured, met or not."""
    small, large = results.get("incremental") or results.get("cold", {}), results.get("scale", {})
    figures: dict[str, object] = {**small, **results.get("preview", {})}
    if large:
        figures["peak_pss_1000_pages_mb"] = large["peak_pss_mb"]
        if small:
            figures["per_page_1000_over_100"] = round(
                float(large["cold_per_page_s"]) / float(small["cold_per_page_s"]), 2  # type: ignore[arg-type]
            )
            figures["cpu_over_wall"] = min(float(small["cpu_over_wall"]), float(large["cpu_over_wall"]))  # type: ignore[arg-type]
    verdicts: dict[str, str] = {}
    for name, (comparison, limit) in TARGETS.items():
        if name not in figures:
            continue
        value = float(figures[name])  # type: ignore[arg-type]
        met = {"<=": value <= limit, ">=": value >= limit, "within": abs(value - 1) <= limit}[comparison]
        wanted = f"1 ± {limit}" if comparison == "within" else f"{comparison} {limit}"
        verdicts[name] = f"{'met' if met else 'NOT MET'}: {value} (target {wanted})"
    return verdicts


def measure_house_fonts() -> dict[str, float]:
    """The council fixture built cold with its own four font files and with the same house style
    less its `fonts:` (the packaged Liberation Sans): what a house's fonts cost a build."""
    council = ROOT / "tests" / "projects" / "council"
    with tempfile.TemporaryDirectory() as work:
        own, packaged = Path(work) / "own", Path(work) / "packaged"
        shutil.copytree(council, own)
        shutil.copytree(council, packaged)
        style = packaged / "panelpapers.yaml"
        text = style.read_text(encoding="utf-8")
        style.write_text(text[: text.index("\nfonts:")] + "\n", encoding="utf-8")
        with_fonts = timed(cold_build(own / "content"))
        without = timed(cold_build(packaged / "content"))
    return {
        "council_with_own_fonts_s": round(with_fonts, 3),
        "council_with_packaged_font_s": round(without, 3),
        "own_fonts_over_packaged": round(with_fonts / without, 3),
    }


# ---- the live preview ---------------------------------------------------------------------------


def process_figures(pid: int) -> tuple[float, float]:
    """(CPU seconds so far, resident MB now) of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmRSS:"))
    return cpu, rss / 1024


def measure_preview() -> dict[str, float]:
    """`panelpapers preview` of a meeting whose one paper is the risk register padded to about 15
    pages: after each one-word edit, the time until the server hands out the paper's new HTML (what
    the browser reloads; the reload itself adds tens of milliseconds), until it hands out the PDF
    made from it, and until the build has published everything; a save that changes nothing (CPU
    the preview spends in the 3 s after it); and the preview's resident memory after edit 20 and
    after the last (PREVIEW_EDITS, 200)."""
    import threading
    import urllib.request

    with tempfile.TemporaryDirectory() as work:
        meeting = synthetic_meeting(Path(work) / "project", 1)
        paper = sorted(p.parent for p in meeting.glob("*/paper.yaml"))[0]
        summary = paper / "summary.yaml"
        text = summary.read_text(encoding="utf-8")
        at = text.index("  - >-\n") + len("  - >-\n")
        padding = "    " + " ".join(["A sentence that pads this paper towards fifteen pages."] * 60) + "\n  - >-\n"
        summary.write_text(text[:at] + "    Word0 starts this paragraph.\n  - >-\n" + padding * 6 + text[at:])
        preview = subprocess.Popen(
            [sys.executable, "-m", "panelpapers", "-q", "preview", str(meeting), "--port", "0"],
            cwd=meeting.parent.parent, stderr=subprocess.PIPE, text=True,
        )
        assert preview.stderr is not None
        url = re.search(r"http://127\.0\.0\.1:\d+/", preview.stderr.readline())
        assert url, "the preview printed no URL"
        events: list[tuple[float, dict[str, object]]] = []
        arrived = threading.Condition()

        def listen() -> None:
            with urllib.request.urlopen(url.group(0) + "_preview/events") as stream:
                for line in stream:
                    if line.startswith(b"data: "):
                        with arrived:
                            events.append((time.perf_counter(), json.loads(line[6:])))
                            arrived.notify_all()

        threading.Thread(target=listen, daemon=True).start()

        def built_after(moment: float) -> float:
            """When the first event after `moment` said no build is running."""
            with arrived:
                arrived.wait_for(lambda: any(t > moment and not e["building"] for t, e in events), 900)
                return next(t for t, e in events if t > moment and not e["building"])

        def served(suffix: str) -> bytes:
            with urllib.request.urlopen(url.group(0) + paper.name + suffix) as response:
                return bytes(response.read())

        def page() -> str:
            return served(".html").decode("utf-8")

        manifest = meeting.parent.parent / "build" / meeting.name / "public" / "manifest.json"
        while not (manifest.is_file() and events and not events[-1][1]["building"]):  # the first, cold build
            time.sleep(0.1)
        pages = json.loads(manifest.read_text())["outputs"][paper.name + ".pdf"]["pages"]
        html_times, pdf_times, build_times, memory = [], [], [], {}
        pdf = served(".pdf")
        for number in range(1, PREVIEW_EDITS + 1):
            word = f"Word{number}"
            started = time.perf_counter()
            summary.write_text(re.sub(r"Word\d+", word, summary.read_text(encoding="utf-8"), count=1))
            while word not in page():
                time.sleep(0.01)
            shown = time.perf_counter()
            html_times.append(shown - started)
            while (made := served(".pdf")) == pdf:  # the PDF of the new text, served before it is published
                time.sleep(0.02)
            pdf = made
            pdf_times.append(time.perf_counter() - started)
            build_times.append(built_after(shown) - started)
            if number in (20, PREVIEW_EDITS):
                memory[number] = process_figures(preview.pid)[1]
        before = process_figures(preview.pid)[0]
        told = len(events)
        summary.write_bytes(summary.read_bytes())  # saved, unchanged
        time.sleep(3)
        no_op_cpu, no_op_events = process_figures(preview.pid)[0] - before, len(events) - told
        preview.send_signal(2)  # Ctrl-C
        status = preview.wait(timeout=120)
    return {
        "paper_pages": pages,
        "edits": PREVIEW_EDITS,
        "preview_edit_to_html_s": round(statistics.median(html_times), 3),
        "preview_edit_to_html_max_s": round(max(html_times), 3),
        "preview_edit_to_pdf_s": round(statistics.median(pdf_times), 3),
        "preview_edit_to_pdf_max_s": round(max(pdf_times), 3),
        "preview_edit_to_everything_built_s": round(statistics.median(build_times), 3),
        "preview_no_op_save_cpu_s": round(no_op_cpu, 3),
        "preview_no_op_save_events": no_op_events,
        "preview_rss_after_last_edit_mb": round(memory[PREVIEW_EDITS], 1),
        "preview_exit_status_on_ctrl_c": status,
        **(  # a run of fewer than 20 edits says nothing about a leak
            {
                "preview_rss_after_edit_20_mb": round(memory[20], 1),
                "preview_rss_last_over_edit_20": round(memory[PREVIEW_EDITS] / memory[20], 3),
            }
            if 20 in memory
            else {}
        ),
    }


# ---- the reviewer's round trip --------------------------------------------------------------------

ABSORB_CHANGES = 500  # tracked changes across the 12-paper meeting
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def track_changes(docx: Path, count: int) -> int:
    """Writes `count` tracked replacements (a w:del of one word and a w:ins of another) into the
    author text of a built DOCX, as a reviewer's Word would, spread over its anchored runs.
    Returns how many it made (fewer if the paper has too few words)."""
    import copy
    import zipfile

    from lxml import etree

    def w(tag: str) -> str:
        return f"{{{W_NS}}}{tag}"

    with zipfile.ZipFile(docx) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    runs = []
    for paragraph in root.iter(w("p")):
        if any(b.get(w("name"), "").startswith("_pp") for b in paragraph.iter(w("bookmarkStart"))):
            for run in paragraph.findall(w("r")):
                words = (run.findtext(w("t")) or "").split(" ")
                if len(words) > 2 and words[1].isalpha():
                    runs.append(run)
    made, change_id = 0, 100_000
    for run in runs:
        if made == count:
            break
        words = (run.findtext(w("t")) or "").split(" ")
        before, word, after = words[0] + " ", words[1], " " + " ".join(words[2:])
        pieces = []
        for kind, piece in (("", before), ("del", word), ("ins", word.upper()), ("", after)):
            new_run = copy.deepcopy(run)
            content = new_run.find(w("t"))
            content.text = piece
            content.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            if kind:
                if kind == "del":
                    content.tag = w("delText")
                mark = etree.Element(w(kind), {w("id"): str(change_id), w("author"): "Bench Reviewer"})
                change_id += 1
                mark.append(new_run)
                new_run = mark
            pieces.append(new_run)
        for piece in pieces:
            run.addprevious(piece)
        run.getparent().remove(run)
        made += 1
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return made


def measure_absorb() -> dict[str, float]:
    """500 tracked changes across the built DOCX of a 12-paper meeting: `absorb` (report) and
    `absorb --apply` (write into the YAML), each run over every paper in turn, one process a paper."""
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        meeting = synthetic_meeting(base / "project", SMALL_MEETING)
        project = base / "project"
        out = project / "build"
        build = [sys.executable, "-m", "panelpapers", "-q", "build", str(meeting), "--out", str(out)]
        subprocess.run(build, check=True, capture_output=True, cwd=project)
        papers = sorted((out / MEETING.name / "restricted").glob("[0-9]*.docx"))
        made, left = 0, ABSORB_CHANGES
        for index, paper in enumerate(papers):
            share = left // (len(papers) - index)
            done = track_changes(paper, share)
            made, left = made + done, left - done
        lines = 0

        def absorb(*extra: str) -> None:
            nonlocal lines
            lines = 0
            for paper in papers:
                command = [sys.executable, "-m", "panelpapers", "absorb", str(paper), *extra]
                done = subprocess.run(command, capture_output=True, text=True, cwd=project)
                if done.returncode not in (0, 1) or (done.returncode == 1 and not done.stdout):
                    raise RuntimeError(f"absorb {paper.name}: {done.stderr}")
                lines += len(done.stdout.splitlines())

        report = timed(lambda: absorb(), 1)
        report_lines = lines
        applied = timed(lambda: absorb("--apply"), 1)
    return {
        "papers": len(papers),
        "tracked_changes": made,
        "absorb_all_papers_s": round(report, 2),
        "absorb_lines": report_lines,
        "absorb_apply_all_papers_s": round(applied, 2),
        "absorb_apply_lines": lines,
        "absorb_per_change_ms": round(1000 * report / made, 1),
    }


MEASUREMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "incremental": measure_incremental,
    "scale": measure_scale,
    "paper": measure_paper,
    "pack": measure_pack,
    "tables_and_charts": measure_tables_and_charts,
    "diff": measure_diff,
    "house_fonts": measure_house_fonts,
    "preview": measure_preview,
    "absorb": measure_absorb,
    "cold": measure_cold,  # part of `incremental`: run only when named
    "breakdown": measure_breakdown,  # where a cold build's CPU goes: run only when named
}
ONLY_WHEN_NAMED = {"cold", "breakdown"}


def main(arguments: list[str]) -> None:
    global PREVIEW_EDITS
    names = list(arguments)
    if "--edits" in names:
        at = names.index("--edits")
        if at + 1 == len(names) or not names[at + 1].isdigit() or int(names[at + 1]) < 1:
            raise SystemExit("--edits takes a number of edits, 1 or more (--edits 30)")
        PREVIEW_EDITS = int(names[at + 1])
        del names[at : at + 2]
    unknown = sorted(set(names) - set(MEASUREMENTS))
    if unknown:
        raise SystemExit(f"unknown measurements: {', '.join(unknown)} (known: {', '.join(MEASUREMENTS)})")
    results: dict[str, object] = {"machine": machine(), "repeats": REPEATS}
    for name, measure in MEASUREMENTS.items():
        if (names and name not in names) or (not names and name in ONLY_WHEN_NAMED):
            continue
        started = time.perf_counter()
        figures = measure()
        results[name] = figures
        for key, value in figures.items():
            print(f"{name:>17}  {key:<40} {value}", flush=True)
        print(f"{name:>17}  ({time.perf_counter() - started:.0f} s)", flush=True)
        results["targets"] = targets(results)  # type: ignore[arg-type]
        results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")  # after each, so a long run keeps what it has
    for name, verdict in results["targets"].items():  # type: ignore[attr-defined]
        print(f"{'target':>17}  {name:<40} {verdict}")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
