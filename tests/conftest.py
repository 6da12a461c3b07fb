"""Shared test helpers: where the project and its example meeting are, and how to run the CLI
the way an author does (a separate process, so exit status and stderr are tested for real)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
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
