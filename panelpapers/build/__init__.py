"""Orchestration: load and validate everything, resolve, render every output in memory, and only
then publish (run.py). Planning what to render is plan.py, the worker processes and what they
render of one paper worker.py, the outputs of a meeting (pack, front sheet, site, manifests,
publishing) meeting.py, the typed facts they hand each other and keep in the cache facts.py, and
what a caller has made already and hands to a build (the live preview) given.py."""

from panelpapers.build.given import Given, RenderedPdf, ResolvedPaper, render_pdfs, resolve_paper
from panelpapers.build.plan import PaperJob, check, gather, load
from panelpapers.build.run import Written, build
from panelpapers.build.worker import default_jobs, distinct

__all__ = [
    "Given",
    "PaperJob",
    "RenderedPdf",
    "ResolvedPaper",
    "Written",
    "build",
    "check",
    "default_jobs",
    "distinct",
    "gather",
    "load",
    "render_pdfs",
    "resolve_paper",
]
