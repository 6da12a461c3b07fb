"""PDF through WeasyPrint. The URL fetcher reads only `data:` URLs, files inside the templates in use
(and the packaged ones) and the house's own font files (`house-font:bold`, checked inside the content
project when the house style was loaded), so a paper can never pull in the network or the rest of
the disk."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from panelpapers.house import FONT_FACES, HOUSE_FONT_SCHEME, Fonts
from panelpapers.model import Paper
from panelpapers.render.html import render_paper_html
from panelpapers.resources import template_file, templates_dir


class FetchRefused(ValueError):
    pass


def _project_fetcher(templates: Path, fonts: Fonts | None = None) -> Any:
    from weasyprint.urls import URLFetcher

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Serves data: URLs and files under the allowed roots; refuses everything else."""

        allowed_roots = (templates.resolve(), templates_dir().resolve())

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == HOUSE_FONT_SCHEME:
                if fonts is None or parsed.path not in FONT_FACES:
                    raise FetchRefused(f"refused to fetch {url}: the house style names no such font")
                url = fonts.file(parsed.path).as_uri()
            elif parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()  # removes `..`, follows links
                root = next((root for root in self.allowed_roots if path.is_relative_to(root)), None)
                if root is None:
                    raise FetchRefused(f"refused to read {path}: outside the templates")
                # Through resources.py, as every template read: a project's own file, else the packaged.
                own = templates if templates.resolve() != templates_dir().resolve() else None
                url = template_file(path.relative_to(root).as_posix(), own).resolve().as_uri()
            elif parsed.scheme != "data":
                raise FetchRefused(f"refused to fetch {url}: only the project's own files are read")
            return super().fetch(url, headers)

    # A resource that cannot be read stops the build: a missing font must not pass unnoticed.
    return ProjectFetcher(allowed_protocols=("file", "data"), fail_on_errors=True)


# PDF/UA-1 gives a tagged PDF: a structure tree, /Lang, and each chart's alt text on its Figure, so
# screen readers get what the DOCX gives. Measured at no extra time here. The tree is built by
# render/pdf_tags.py rather than WeasyPrint's own builder (page furniture as artifacts, one element
# per table or section across pages, one link per entry, header scopes; see there).
PDF_OPTIONS: dict[str, Any] = {"uncompressed_pdf": False, "pdf_variant": "pdf/ua-1"}


class LaidOut:
    """A document WeasyPrint has laid out: its page count is known before its PDF is written, so a
    layout that turns out not to be wanted (a front sheet still settling) costs no PDF writing."""

    def __init__(self, document: Any, html: str) -> None:
        self.document = document
        self.html = html

    @property
    def pages(self) -> int:
        return len(self.document.pages)

    def pdf(self) -> bytes:
        import hashlib

        from panelpapers.render import svg_paths
        from panelpapers.render.pdf_tags import install, prepare

        install()
        svg_paths.install()  # a chart's long hatch paths parsed once, not once per bar
        # Structure ids start with a digest of the HTML: the same paper always gets the same ids,
        # and two papers merged into one pack never share one.
        prepare(self.document, "p" + hashlib.sha256(self.html.encode("utf-8")).hexdigest()[:10])
        out = io.BytesIO()
        self.document.write_pdf(out, **PDF_OPTIONS)  # as HTML.write_pdf does after laying out
        return out.getvalue()


def lay_out(html: str, templates: Path | None = None, fonts: Fonts | None = None) -> LaidOut:
    """`templates`: a project's own templates, where the HTML's relative URLs (fonts) are looked for
    before the packaged templates; default: the packaged ones only. `fonts`: the house's own, which
    the HTML names as `house-font:<face>` (house.py)."""
    from weasyprint import HTML

    from panelpapers.render.chart_fit import lay_out_with_fitted_charts
    from panelpapers.render.continued_groups import lay_out_with_continued_groups

    templates = templates or templates_dir()
    fetcher = _project_fetcher(templates, fonts)

    def render(text: str) -> Any:
        return HTML(string=text, base_url=str(templates) + "/", url_fetcher=fetcher).render(**PDF_OPTIONS)

    # A chart pushed to a new page is printed smaller where that closes the gap it would leave
    # (render/chart_fit.py); then a row group broken by a page gets its label again on the next
    # (render/continued_groups.py).
    document, fitted = lay_out_with_fitted_charts(html, render)
    document, _ = lay_out_with_continued_groups(fitted, render, document)
    return LaidOut(document, html)  # ids from the HTML as written, whatever the layouts took


def render_pdf(html: str, templates: Path | None = None, fonts: Fonts | None = None) -> tuple[bytes, int]:
    """The PDF and its page count, counted by WeasyPrint rather than by reading the PDF back."""
    laid_out = lay_out(html, templates, fonts)
    return laid_out.pdf(), laid_out.pages


def html_to_pdf(html: str, templates: Path | None = None, fonts: Fonts | None = None) -> bytes:
    return lay_out(html, templates, fonts).pdf()


class Printer:
    """HTML to PDF for the pack (front sheet rounds, page-number overlay): asked for an HTML's page
    count and then its PDF, it lays the HTML out once. A build hands the pack a printer that also
    remembers what earlier builds printed (build/worker.py)."""

    def __init__(self, templates: Path | None = None, fonts: Fonts | None = None) -> None:
        self.templates = templates
        self.fonts = fonts
        self._last: tuple[str, LaidOut] | None = None  # one only: a laid-out document can be large

    def _lay_out(self, html: str) -> LaidOut:
        if self._last is None or self._last[0] != html:
            self._last = (html, lay_out(html, self.templates, self.fonts))
        return self._last[1]

    def pages(self, html: str) -> int:
        return self._lay_out(html).pages

    def pdf(self, html: str) -> bytes:
        pdf = self._lay_out(html).pdf()
        self._last = None
        return pdf


class PdfWriter:
    name = "pdf"
    suffix = ".pdf"

    def __init__(self, templates: Path | None = None) -> None:
        self.templates = templates

    def render(self, paper: Paper) -> bytes:
        return html_to_pdf(render_paper_html(paper, self.templates), self.templates, paper.house.fonts)
