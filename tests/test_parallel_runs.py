"""The suite's parallel runs: `nox -s tests` hands each test file whole to one of two pytest-xdist
workers, so a module fixture (a build, a LibreOffice conversion) is made once, and shares the tests
of SPREAD_FILES out one by one. Run here on small probe files through tests/conftest.py's scheduler,
the same way: a change of pytest or xdist that breaks it (as pytest 9.2 broke xdist's own
`--dist loadgroup`, making every module fixture twice) fails this test, not just the suite's time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SPREAD_FILES

pytestmark = pytest.mark.quick

PROBE = '''
import os, time
from pathlib import Path
import pytest

LOG = Path(os.environ["PROBE_LOG"])

def note(what):
    with LOG.open("a") as log:
        log.write(f"{what} {os.environ.get('PYTEST_XDIST_WORKER')}\\n")

@pytest.fixture(scope="module")
def costly():
    note("fixture:" + __name__)
    yield

@pytest.mark.parametrize("n", range(4))
def test_probe(costly, n):
    time.sleep(0.3)
    note(f"test:{__name__}:{n}")
'''


def run_probes(folder: Path, names: list[str]) -> list[tuple[str, str]]:
    """Runs probe files `names` on two workers as `nox -s tests` does; (what, worker) for each note."""
    for name in names:
        (folder / name).write_text(PROBE, encoding="utf-8")
    log = folder / "log"
    command = ["-n", "2", "-p", "conftest", "-p", "no:cacheprovider", "--rootdir", str(folder), "-c", "/dev/null"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *command, *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(PROJECT_ROOT / "tests"), "PROBE_LOG": str(log), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    notes = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    return [(what, worker) for what, worker in notes]


def test_a_file_runs_whole_on_one_worker_and_its_module_fixture_is_made_once(tmp_path: Path) -> None:
    notes = run_probes(tmp_path, ["test_first.py", "test_second.py"])
    for module in ("test_first", "test_second"):
        made = [worker for what, worker in notes if what == f"fixture:{module}"]
        ran = {worker for what, worker in notes if what.startswith(f"test:{module}:")}
        assert len(made) == 1, f"{module}'s module fixture was made {len(made)} times: {notes}"
        assert ran == set(made), f"{module}'s tests ran on {sorted(ran)}: {notes}"
    assert {worker for _what, worker in notes} == {"gw0", "gw1"}, notes


def test_a_spread_file_is_shared_out_test_by_test(tmp_path: Path) -> None:
    (spread,) = SPREAD_FILES
    notes = run_probes(tmp_path, [spread])
    ran = {worker for what, worker in notes if what.startswith("test:")}
    assert len([what for what, _worker in notes if what.startswith("test:")]) == 4, notes
    assert ran == {"gw0", "gw1"}, f"the four tests of {spread} ran on {sorted(ran)} only: {notes}"
