"""Public and restricted variants. A public build carries nothing marked above the public marking:
such papers are left out entirely and such appendices are named only by their letter and marking."""

from __future__ import annotations

from dataclasses import replace

from panelpapers.house import APPENDIX_SECTION, is_publishable
from panelpapers.model import Appendix, Paper
from panelpapers.resolve.paper import appendix_section

VARIANTS = ("restricted", "public")


def public_view(paper: Paper) -> Paper | None:
    if not is_publishable(paper.marking):
        return None
    if all(is_publishable(a.marking) for a in paper.appendices):
        return paper
    words = paper.words
    appendices = tuple(
        a
        if is_publishable(a.marking)
        else Appendix(a.ref, words.withheld_appendix.format(marking=a.marking), a.marking, withheld=True)
        for a in paper.appendices
    )
    sections = tuple(
        appendix_section(s.number, appendices, paper.background_papers, paper.marking, words)
        if s.title == APPENDIX_SECTION
        else s
        for s in paper.sections
    )
    return replace(paper, appendices=appendices, sections=sections)


def view(paper: Paper, variant: str) -> Paper | None:
    return paper if variant == "restricted" else public_view(paper)
