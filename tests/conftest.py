"""Shared test helpers: where the project and its example meeting are, how to run the CLI the way
an author does (a separate process, so exit status and stderr are tested for real) or through its
own main() in the test process (what a command makes of content, without a process's start-up),
and builds of the example and the fixtures made once per run for every test that only reads them
(below). A test that calls build() itself passes jobs=1 unless workers are what it tests: a serial
build's bytes are a parallel build's (tests/test_incremental.py), and workers started from the test
process would import WeasyPrint, pandas and matplotlib again for each build."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_MEETING = PROJECT_ROOT / "content" / "2022-01-17-audit-panel"


def run_panelpapers(*args: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Runs `python -m panelpapers ARGS` in `cwd` with the installed package, as an author would."""
    return subprocess.run(
        [sys.executable, "-m", "panelpapers", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )


def run_in_this_process(
    *args: str | Path, cwd: Path, timeout: float = 600, serial: bool = True
) -> subprocess.CompletedProcess[str]:
    """`python -m panelpapers ARGS` run by the CLI's own main() in this process, in `cwd`, with its
    standard output and error its own for the call: for the tests of what commands make of content
    (refusals, builds, publishing, diffs, imports), where starting Python, importing and starting a
    build's worker processes cost more than the work. A build renders in this process, as `-j 1`
    does (a serial build's bytes are a parallel build's: tests/test_incremental.py), unless ARGS
    give -j or `serial` is False; the tests of Ctrl-C, kills, progress and the preview start the
    CLI as a process. Exit status, stderr and the files left are what an author's run gives; the
    environment and the current folder are put back afterwards. A run still going after `timeout`
    seconds ends this test process with every thread's traceback, so a hang fails the run."""
    import faulthandler
    import io
    from contextlib import redirect_stderr, redirect_stdout
    from unittest import mock

    from panelpapers.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    environment, here = dict(os.environ), Path.cwd()
    faulthandler.dump_traceback_later(timeout, exit=True)
    try:
        os.chdir(cwd)
        one_job = mock.patch("panelpapers.build.run.default_jobs", lambda: 1) if serial else contextlib.nullcontext()
        with redirect_stdout(stdout), redirect_stderr(stderr), one_job:
            try:
                status = main([str(arg) for arg in args])
            except SystemExit as exit:  # argparse's usage errors
                status = exit.code if isinstance(exit.code, int) else 1
    finally:
        faulthandler.cancel_dump_traceback_later()
        os.chdir(here)
        os.environ.clear()
        os.environ.update(environment)
    return subprocess.CompletedProcess(["panelpapers", *map(str, args)], status, stdout.getvalue(), stderr.getvalue())


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def example_meeting() -> Path:
    return EXAMPLE_MEETING


@pytest.fixture(scope="session")
def panelpapers_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`panelpapers_cli("build", folder, "--out", out, cwd=somewhere)`."""
    return run_panelpapers


def reduced_meeting(target: Path, keep: list[str]) -> Path:
    """A copy of the example meeting with only the paper folders in `keep`, its agenda trimmed to match."""
    meeting = target / EXAMPLE_MEETING.name
    meeting.mkdir(parents=True)
    shutil.copy2(EXAMPLE_MEETING / "meeting.yaml", meeting / "meeting.yaml")
    text = (meeting / "meeting.yaml").read_text(encoding="utf-8")
    for folder in sorted(EXAMPLE_MEETING.iterdir()):
        if not folder.is_dir():
            continue
        if folder.name in keep:
            shutil.copytree(folder, meeting / folder.name)
        else:
            text, count = re.subn(rf"  - paper: {re.escape(folder.name)}\n(?:    .*\n)*", "", text)
            assert count == 1, f"the example agenda no longer lists {folder.name} as expected"
    (meeting / "meeting.yaml").write_text(text, encoding="utf-8")
    return meeting


# Parallel runs ------------------------------------------------------------------------------------
# `nox -s tests` runs two pytest-xdist workers, and hands them the tests a file at a time: each file
# is run whole by one worker, so its module-scoped fixtures (a build, a LibreOffice conversion) are
# made once. The files named here hold many independent tests and no costly module fixture, so their
# tests are shared out one by one instead, and the long files do not keep one worker busy alone.
# (xdist's own `--dist loadgroup` marks groups by rewriting each test's node id, which pytest 9.2
# no longer allows: every module fixture was made twice, once on each worker. A scheduler of our own
# needs no such trick; tests/test_parallel_runs.py holds it to a file per worker.)
SPREAD_FILES = {"test_bad_input.py"}


def scheduling_unit(nodeid: str) -> str:
    """The unit a worker is handed: the test's file, or the test alone in SPREAD_FILES."""
    file = nodeid.split("::", 1)[0]
    return nodeid if file.rsplit("/", 1)[-1] in SPREAD_FILES else file


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, absent when it is not installed
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:  # what xdist's own `--dist loadfile` overrides
            return scheduling_unit(nodeid)

    return ByFile(config, log)


# Shared builds ------------------------------------------------------------------------------------
# A build of the example meeting costs 10-30 s of both cores, and many modules only read one. The
# session fixtures below build each project once per run and hand every test the same folder:
#
#   example_build        the example meeting copied out of the project and built with the CLI, as
#                        `panelpapers build <copy> --out <folder>`; returns <folder>, which holds
#                        2022-01-17-audit-panel/{restricted,public}/ and .panelpapers-cache/
#   example_rebuild      a second build of that copy into another folder, for the determinism tests
#   council_build        tests/projects/council copied and built from inside its meeting's folder
#                        with no paths, as its clerk would; returns the copied project (outputs
#                        in its build/)
#   features_build       tests/features' 01-features paper copied and built alone; returns the
#                        output folder (2022-01-17-features/{restricted,public}/)
#   structure_build      the same for its 02-structure paper
#   options_build        its 03-layout-options paper and the example's risk paper, built alone
#                        together as that meeting's two papers
#   accessibility_build  tests/features/2022-01-17-accessibility built where it stands; returns
#                        the output folder
#
# They are read only. A test that edits content or outputs copies what it needs into its own
# tmp_path first (shutil.copytree), or builds its own; at the end of the run every shared build is
# hashed again and one that a test changed fails the run. Under pytest-xdist (`nox -s tests` runs
# two workers) the first worker to ask builds and the others wait for it and read the same folder.

FEATURES = PROJECT_ROOT / "tests" / "features"
FEATURE_PAPERS = FEATURES / "2022-01-17-features"  # the feature papers, one meeting
COUNCIL_PROJECT = PROJECT_ROOT / "tests" / "projects" / "council"


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@contextlib.contextmanager
def shared_build(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Iterator[Path]:
    """`make(folder)` run once for the whole run (across xdist workers), then the folder; after the
    run, a check that no test changed it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's temporary folder, above each worker's own
    folder, done = base / f"shared-{name}", base / f"shared-{name}.sha256.json"
    with (base / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second worker waits here while the first builds
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.write_text(json.dumps(_snapshot(folder)), encoding="utf-8")
    yield folder
    assert _snapshot(folder) == json.loads(done.read_text(encoding="utf-8")), (
        f"a test changed the shared build {folder}: copy it before editing"
    )


def _build_example(folder: Path) -> None:
    meeting = folder / "content" / EXAMPLE_MEETING.name
    shutil.copytree(EXAMPLE_MEETING, meeting)
    done = run_panelpapers("build", meeting, "--out", folder / "out", cwd=folder)
    assert done.returncode == 0, f"the example meeting does not build:\n{done.stderr}"


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_build(tmp_path_factory, "example", _build_example) as folder:
        yield folder / "out"


def copy_of_example_build(example_build: Path, target: Path) -> tuple[Path, Path]:
    """The shared build's whole folder copied to `target`: the meeting's content, its outputs and its
    build cache. Returns (meeting folder, output folder). An edit to the copy built into that output
    folder renders only what the edit touched, as an author's next build does, with a cold build's
    bytes (tests/test_incremental.py holds the cache to that)."""
    shutil.copytree(example_build.parent, target)
    return target / "content" / EXAMPLE_MEETING.name, target / "out"


@pytest.fixture(scope="session")
def example_rebuild(tmp_path_factory: pytest.TempPathFactory, example_build: Path) -> Iterator[Path]:
    """A second build of example_build's copy of the meeting, from the same folder, into another
    output folder: the tests that builds are byte-identical compare the two. (The build cache's
    entries name the content's folder, so a copy elsewhere would differ there.)"""

    def make(folder: Path) -> None:
        meeting = example_build.parent / "content" / EXAMPLE_MEETING.name
        done = run_panelpapers("build", meeting, "--out", folder / "out", cwd=example_build.parent)
        assert done.returncode == 0, f"the example meeting does not build again:\n{done.stderr}"

    with shared_build(tmp_path_factory, "example-again", make) as folder:
        yield folder / "out"


def _build_council(folder: Path) -> None:
    shutil.copytree(COUNCIL_PROJECT, folder / "council")
    (meeting,) = (folder / "council" / "content").iterdir()
    done = run_panelpapers("build", cwd=meeting)  # no paths, from anywhere inside the project
    assert done.returncode == 0, f"the council project does not build:\n{done.stderr}"


@pytest.fixture(scope="session")
def council_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_build(tmp_path_factory, "council", _build_council) as folder:
        yield folder / "council"


def _build_papers(*fixtures: Path) -> Callable[[Path], None]:
    """The paper folders `fixtures` copied side by side into one meeting, 2022-01-17-features, and
    built alone together."""

    def make(folder: Path) -> None:
        from panelpapers.build import build

        papers = [folder / "content" / FEATURE_PAPERS.name / fixture.name for fixture in fixtures]
        for fixture, paper in zip(fixtures, papers, strict=True):
            shutil.copytree(fixture, paper)
        build(papers, folder / "out", jobs=1)
        built = {path.name for path in (folder / "out" / FEATURE_PAPERS.name / "restricted").iterdir()}
        for paper in papers:
            assert {f"{paper.name}.pdf", f"{paper.name}.docx"} <= built, f"{paper.name} was not built"

    return make


@pytest.fixture(scope="session")
def features_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_build(tmp_path_factory, "features", _build_papers(FEATURE_PAPERS / "01-features")) as folder:
        yield folder / "out"


@pytest.fixture(scope="session")
def structure_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_build(tmp_path_factory, "structure", _build_papers(FEATURE_PAPERS / "02-structure")) as folder:
        yield folder / "out"


@pytest.fixture(scope="session")
def options_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    options = _build_papers(FEATURE_PAPERS / "03-layout-options", EXAMPLE_MEETING / "02-risk-management")
    with shared_build(tmp_path_factory, "options", options) as folder:
        yield folder / "out"


def _build_accessibility(folder: Path) -> None:
    meeting = FEATURES / "2022-01-17-accessibility"
    done = run_panelpapers("build", meeting, "--out", folder / "out", cwd=meeting.parent)
    assert done.returncode == 0, f"the accessibility fixture does not build:\n{done.stderr}"


@pytest.fixture(scope="session")
def accessibility_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_build(tmp_path_factory, "accessibility", _build_accessibility) as folder:
        yield folder / "out"
