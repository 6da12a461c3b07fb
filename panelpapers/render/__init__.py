"""Output formats. Every writer has the same face: a name, a file suffix and `render(paper)`, which
returns the file's bytes from the resolved model alone."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from panelpapers.model import Paper


class Writer(Protocol):
    name: str
    suffix: str

    def render(self, paper: Paper) -> bytes: ...


def all_writers(templates: Path | None = None) -> list[Writer]:
    """`templates`: a project's own templates, each file overriding the packaged one of its name."""
    from panelpapers.render.docx import DocxWriter
    from panelpapers.render.html import HtmlWriter
    from panelpapers.render.pdf import PdfWriter

    return [HtmlWriter(templates), PdfWriter(templates), DocxWriter(templates)]
