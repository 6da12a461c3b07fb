"""Output formats. Every writer has the same face: a name, a file suffix and `render(paper)`, which
returns the file's bytes from the resolved model alone."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from panelpapers.model import Paper

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = PROJECT_ROOT / "templates"


class Writer(Protocol):
    name: str
    suffix: str

    def render(self, paper: Paper) -> bytes: ...


def all_writers() -> list[Writer]:
    from panelpapers.writers.docx import DocxWriter
    from panelpapers.writers.html import HtmlWriter
    from panelpapers.writers.pdf import PdfWriter

    return [HtmlWriter(), PdfWriter(), DocxWriter()]
