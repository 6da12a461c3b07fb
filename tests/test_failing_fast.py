"""A build of broken content, and `check`, only look for problems: every problem is still reported,
but no chart is drawn and no paper rendered when nothing will be written, no worker is waited on,
and the CLI leaves no process of its own behind that would keep its caller's pipe open."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT
from datapapers import edit

import panelpapers.build.run
import panelpapers.data.charts
from panelpapers.build import build
from panelpapers.build.plan import check
from panelpapers.errors import ContentError

pytestmark = pytest.mark.quick

BROKEN_YAML = "02-risk-management/paper.yaml"
CHARTED = "03-audit-actions"  # its chart's note names a category: made unknown below
LAST = "04-governance-statement/summary.yaml"  # the agenda's last paper: a link refused below


def broken_meeting(tmp_path: Path, yaml_too: bool = True) -> Path:
    """The example with a chart note on a category the chart does not have and a link to a plain
    http:// address in the last paper (both found only when their papers are resolved), and, with
    `yaml_too`, a paper.yaml that is not YAML (found when the content is loaded)."""
    root = tmp_path / "project"
    meeting = root / "content" / EXAMPLE_MEETING.name
    shutil.copytree(EXAMPLE_MEETING, meeting)
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    if yaml_too:
        edit(meeting / BROKEN_YAML, "title:", "title: [unclosed")
    edit(meeting / CHARTED / "data.yaml", "{category: 2021/22 Q3,", "{category: 2031/32 Q3,")
    edit(meeting / LAST, "Our overall conclusion", "Our overall [conclusion](http://example.com)")
    return meeting


def no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    def drawn(*_args: Any) -> None:
        raise AssertionError("a chart was drawn")

    monkeypatch.setattr(panelpapers.data.charts, "save", drawn)
    monkeypatch.setattr(panelpapers.data.charts, "_new_figure", drawn)


def reported(err: pytest.ExceptionInfo[ContentError]) -> list[str]:
    return [str(problem) for problem in err.value.problems]


@pytest.mark.parametrize("yaml_too", [True, False], ids=["found-when-loaded", "found-when-resolved"])
def test_a_failing_build_finds_every_problem_here_without_drawing_or_waiting_on_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yaml_too: bool
) -> None:
    meeting = broken_meeting(tmp_path, yaml_too)
    submitted: list[str] = []
    started: list[int] = []

    class CountedWorkers(panelpapers.build.run.Workers):
        def __init__(self, jobs: int) -> None:
            started.append(jobs)
            super().__init__(jobs)

        def __enter__(self) -> Any:
            pool = super().__enter__()
            submit = pool.submit

            def counted(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
                submitted.append(fn.__name__)
                return submit(fn, *args, **kwargs)

            pool.submit = counted  # type: ignore[method-assign]
            return pool

    monkeypatch.setattr(panelpapers.build.run, "Workers", CountedWorkers)
    no_drawing(monkeypatch)
    with pytest.raises(ContentError) as err:
        build([meeting], tmp_path / "out", jobs=2)
    problems = reported(err)
    assert any(BROKEN_YAML in p and "invalid YAML" in p for p in problems) == yaml_too, problems
    assert any(f"{CHARTED}/data.yaml" in p and "no category '2031/32 Q3'" in p for p in problems), problems
    assert any(LAST in p and "'http://example.com' is not allowed" in p for p in problems), problems
    assert len(problems) == 2 + yaml_too, problems
    assert submitted == []  # the papers were checked in this process: no worker was needed
    assert started == ([] if yaml_too else [2])  # content that does not load starts no worker at all
    assert not (tmp_path / "out").exists()


def test_check_reports_a_charts_problems_without_drawing_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    meeting = broken_meeting(tmp_path)
    no_drawing(monkeypatch)
    with pytest.raises(ContentError) as err:
        check([meeting])
    problems = reported(err)
    assert any(f"{CHARTED}/data.yaml" in p and "no category '2031/32 Q3'" in p for p in problems), problems
    assert len(problems) == 3, problems


def test_a_chart_checked_without_drawing_says_what_the_drawn_one_says(tmp_path: Path) -> None:
    """The alt text and data of a chart are the same whether it is drawn or only checked: `check`
    sees what the build prints."""
    from panelpapers.data.paper_data import load_paper_data
    from panelpapers.project import project_of

    house = project_of([EXAMPLE_MEETING]).house
    for paper in ("02-risk-management", CHARTED):
        (drawn, found), (checked, found_too) = (
            load_paper_data(EXAMPLE_MEETING / paper, house),
            load_paper_data(EXAMPLE_MEETING / paper, house, draw=False),
        )
        assert found == found_too == []
        assert drawn is not None and checked is not None and drawn.charts.keys() == checked.charts.keys()
        for name, chart in drawn.charts.items():
            other = checked.charts[name]
            assert chart.svg and chart.png and not other.svg and not other.png
            assert (chart.alt, chart.data, chart.heat_map, chart.caption) == (
                other.alt,
                other.data,
                other.heat_map,
                other.caption,
            )


def processes_marked(mark: str) -> list[str]:
    """The command lines of the live processes whose environment holds `mark`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() in (entry / "environ").read_bytes():
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:  # gone, or not ours
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc")
def test_a_failed_build_leaves_no_worker_server_behind_to_hold_its_callers_pipe(tmp_path: Path) -> None:
    """The fork server imports what workers need for seconds; the CLI stops it before it exits, so
    that a caller reading the build's output (CI's log, a pipe) is not kept waiting."""
    meeting = broken_meeting(tmp_path)
    mark = f"PANELPAPERS_TEST_{uuid.uuid4().hex}"
    result = subprocess.run(
        [sys.executable, "-m", "panelpapers", "build", str(meeting), "--out", str(tmp_path / "out")],
        cwd=meeting.parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # not read: the check below is made as soon as the build has exited
        env={**os.environ, mark: "1"},
        timeout=600,
    )
    left = [line for line in processes_marked(mark) if "forkserver" in line]
    assert result.returncode == 1
    assert left == []
