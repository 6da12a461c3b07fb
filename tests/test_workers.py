"""The worker processes a build renders in: forked from a server that has already imported and set
up what they need, so that no worker pays for it again."""

from __future__ import annotations

import sys

import pytest

from panelpapers.build.worker import Workers

pytestmark = pytest.mark.quick


def set_up_here() -> tuple[bool, int]:
    """In a worker: whether matplotlib's pyplot is imported, and how often charts.pyplot() has run."""
    import panelpapers.data.charts

    return "matplotlib.pyplot" in sys.modules, panelpapers.data.charts.pyplot.cache_info().currsize


@pytest.mark.skipif(sys.platform != "linux", reason="forkserver workers")
def test_a_worker_starts_with_matplotlib_set_up_by_its_server() -> None:
    with Workers(2) as pool:
        imported, set_up = pool.submit(set_up_here).result(timeout=120)
    assert imported
    assert set_up == 1  # set up before the fork: the worker found it done
