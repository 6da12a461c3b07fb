"""Public and restricted variants. A public build carries nothing marked above OFFICIAL: such papers
are left out entirely and such appendices are named only by their letter and marking."""

from __future__ import annotations

from dataclasses import replace

from panelpapers.model import Appendix, Paper
from panelpapers.resolve import APPENDIX_SECTION_TITLE, appendix_section

VARIANTS = ("restricted", "public")
PUBLIC_MARKING = "OFFICIAL"


def public_view(paper: Paper) -> Paper | None:
    if paper.marking != PUBLIC_MARKING:
        return None
    if all(a.marking == PUBLIC_MARKING for a in paper.appendices):
        return paper
    appendices = tuple(
        a if a.marking == PUBLIC_MARKING else Appendix(a.ref, f"not published ({a.marking})", a.marking)
        for a in paper.appendices
    )
    sections = tuple(
        appendix_section(s.number, appendices, paper.background_papers)
        if s.title == APPENDIX_SECTION_TITLE
        else s
        for s in paper.sections
    )
    return replace(paper, appendices=appendices, sections=sections)


def view(paper: Paper, variant: str) -> Paper | None:
    return paper if variant == "restricted" else public_view(paper)
