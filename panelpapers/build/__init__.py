"""Orchestration: load and validate everything, resolve, render every output in memory, and only
then publish (run.py). Planning what to render is plan.py, the worker processes and what they
render of one paper worker.py, the outputs of a meeting (pack, front sheet, site, manifests,
publishing) meeting.py, and the typed facts they hand each other and keep in the cache facts.py."""

from panelpapers.build.plan import PaperJob, check, gather, load
from panelpapers.build.run import Written, build
from panelpapers.build.worker import default_jobs, distinct

__all__ = ["PaperJob", "Written", "build", "check", "default_jobs", "distinct", "gather", "load"]
