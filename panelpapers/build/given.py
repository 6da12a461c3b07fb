"""What a caller of the build has already made of some papers, handed to the build so that it is not
made twice: the live preview resolves a changed paper to show its HTML, and renders its PDF to show
that, before it builds the meeting.

Each thing given is used only where it is exactly what the build would have made itself: a resolved
paper only if its folder's key (`cache.paper_key`) when the build loads it is the key it was resolved
under, a PDF only for a paper equal to the one it was rendered from. Anything else is made as usual,
so a build given something is byte for byte the build given nothing."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from panelpapers.build.worker import PdfMade, Resolved
    from panelpapers.data.paper_data import PaperData
    from panelpapers.errors import Problem
    from panelpapers.house import House
    from panelpapers.load.content import PaperSource
    from panelpapers.model import Paper


@dataclass(frozen=True)
class ResolvedPaper:
    folder: Path  # the paper's folder
    key: str  # its cache.paper_key when its files were read
    resolved: Resolved  # as worker.resolve_task makes it


@dataclass(frozen=True)
class RenderedPdf:
    paper: Paper  # the variant of a paper it was rendered from
    made: PdfMade  # as worker.pdf_task makes it


@dataclass(frozen=True)
class Given:
    resolved: tuple[ResolvedPaper, ...] = ()
    pdfs: tuple[RenderedPdf, ...] = field(default=())

    def resolved_for(self, folder: Path, key: str) -> Future[Resolved] | None:
        """The paper in `folder` as resolved under `key`, as a finished task; None if not given."""
        found = next((r.resolved for r in self.resolved if r.key == key and same_folder(r.folder, folder)), None)
        return None if found is None else finished(found)

    def pdf_for(self, paper: Paper) -> Future[PdfMade] | None:
        """The PDF task's result for `paper`, as a finished task; None if not given."""
        found = next((r.made for r in self.pdfs if r.paper is paper or r.paper == paper), None)
        return None if found is None else finished(found)


def resolve_paper(
    source: PaperSource, house: House, computed: tuple[PaperData | None, list[Problem]] | None = None
) -> Resolved:
    """The paper resolved in this process exactly as a build resolves it; `computed`: its data, if
    the caller has it already (as `load_paper_data` gives it)."""
    from panelpapers.build.worker import resolve_task

    return resolve_task(source, house, computed)


def render_pdfs(papers: list[Paper], templates: Path | None) -> tuple[RenderedPdf, ...]:
    """Each paper's PDF as a build renders it, side by side in worker processes (never in this
    process, whose memory stays its own however many it renders)."""
    from panelpapers.build.worker import Workers, default_jobs, pdf_task

    with Workers(max(2, min(len(papers), default_jobs()))) as pool:
        futures = [pool.submit(pdf_task, paper, templates) for paper in papers]
        return tuple(RenderedPdf(paper, future.result()) for paper, future in zip(papers, futures, strict=True))


def same_folder(one: Path, other: Path) -> bool:
    return one.resolve() == other.resolve()


def finished(result: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(result)
    return future
