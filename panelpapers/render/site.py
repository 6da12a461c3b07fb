"""The public HTML edition: an accessible web page for each public paper and an index of the meeting,
written into `site/` of the public variant with their stylesheet and the packaged fonts. Pages are
made from the resolved model through the same sandboxed, autoescaped, strict Jinja environment as the
print HTML, but for a screen and a screen reader rather than a page: headings in order, tables with
captions and header cells, each chart as an image with its alt text followed by the data it draws.

Every link is relative: a page links its stylesheet and fonts inside `site/`, the other pages beside
it, and the PDFs and DOCX files one folder up (`../02-risk-management.pdf`), where the variant folder
holds them. The edition therefore works offline, opened from any place the public folder is copied
to, and needs no script. Charts and pictures are written into their page as `data:` URLs, so a page
is one file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote

from jinja2.sandbox import SandboxedEnvironment

from panelpapers.house import FONT_FACES, PACKAGED_FONT_URLS, Fonts, Wording
from panelpapers.model import Chart, Image, Meeting, Paper
from panelpapers.render.html import data_url, logo_data_url, one_line, render_inlines, svg_data_url
from panelpapers.resources import font_files, template_environment, template_file

SITE_FOLDER = "site"
INDEX_PAGE = "index.html"
STYLESHEET = "site.css"
FONTS_FOLDER = "fonts"
PAPER_TEMPLATE = "site-paper.html.j2"
INDEX_TEMPLATE = "site-index.html.j2"
# The font the charts' SVG names (charts.py), and what a browser should use in its place: an image
# cannot use the page's web fonts, and Arial has the same metrics as Liberation Sans. (A house with
# fonts of its own gets the same: its charts were laid out in its font, which a reader may not have.)
CHART_FONT = b"'Panel Sans'"
CHART_FONT_IN_BROWSER = b"'Liberation Sans', Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class Download:
    """A file of the variant folder a page links to, with what a reader should know before opening it."""

    name: str  # the file's name in the variant folder: "02-risk-management.pdf"
    bytes: int
    pages: int | None = None

    @property
    def href(self) -> str:
        return f"../{self.name}"  # pages live in site/, one folder below the files


@dataclass(frozen=True)
class SitePaper:
    """A public paper as the meeting's index lists it."""

    slug: str
    title: str
    pdf: Download
    docx: Download

    @property
    def page(self) -> str:
        return site_page_name(self.slug)


@dataclass(frozen=True)
class IndexItem:
    """An agenda item as the index shows it."""

    number: int
    title: str
    presenter: str | None = None
    page: str | None = None  # the paper's page, for a published paper
    formats: list[tuple[str, str]] = field(default_factory=list)  # (href, words) of its files
    oral: bool = False


def site_page_name(slug: str) -> str:
    """A paper's page, relative to the site folder."""
    return f"{slug}.html"


def size_text(size: int, words: Wording) -> str:
    """A file size as GOV.UK prints it beside a download: "345 KB", "1.2 MB"."""
    if size < 1024 * 1024:
        return words.site_kilobytes.format(size=max(1, round(size / 1024)))
    return words.site_megabytes.format(size=f"{size / (1024 * 1024):.1f}")


def pages_text(pages: int | None, words: Wording) -> str:
    return words.site_one_page if pages == 1 else words.site_pages.format(pages=pages)


def paper_formats(pdf: Download, docx: Download, words: Wording) -> list[tuple[str, str]]:
    """The links to a paper's PDF and DOCX, each saying its kind, size (and the PDF its pages)."""
    pdf_text = words.site_pdf_link.format(size=size_text(pdf.bytes, words), pages=pages_text(pdf.pages, words))
    return [(pdf.href, pdf_text), (docx.href, words.site_docx_link.format(size=size_text(docx.bytes, words)))]


def chart_image_url(chart: Chart) -> str:
    return svg_data_url(chart.svg.replace(CHART_FONT, CHART_FONT_IN_BROWSER))


def image_url(image: Image) -> str:
    return data_url(image.data, image.media_type)


@cache
def environment(templates: Path | None = None) -> SandboxedEnvironment:
    """The site templates' own Jinja environment (sandboxed, autoescaped, strict), with the filters
    they use; `templates`: a project's own templates, searched first."""
    env = template_environment(templates)
    env.filters["inlines"] = render_inlines
    env.filters["one_line"] = one_line
    env.filters["chart_image_url"] = chart_image_url
    env.filters["image_url"] = image_url
    env.filters["logo_data_url"] = logo_data_url
    for kind in ("Paragraph", "Heading", "ItemList", "Table", "Chart", "Image"):
        env.tests[kind.lower()] = lambda block, kind=kind: type(block).__name__ == kind
    return env


def render_site_paper(
    paper: Paper, pdf: Download, docx: Download, templates: Path | None = None
) -> bytes:
    """The paper's page in the public HTML edition."""
    words = paper.words
    html = (
        environment(templates)
        .get_template(PAPER_TEMPLATE)
        .render(
            paper=paper,
            words=words,
            masthead=paper.masthead,
            marking=paper.furniture(paper.highest_marking),
            stylesheet=STYLESHEET,
            index=INDEX_PAGE,
            formats=paper_formats(pdf, docx, words),
        )
    )
    return html.encode("utf-8")


def render_site_index(
    meeting: Meeting,
    marking: str,
    draft: bool,
    papers: dict[str, SitePaper],
    pack: Download | None,
    agenda: Download | None,
    templates: Path | None = None,
    supplement: Download | None = None,
) -> bytes:
    """The meeting's index page. `papers`: the public papers by folder name; an agenda paper missing
    from them was left out of the variant and is named only by its agenda number, as on the public
    front sheet (its title is never printed). `marking`: the highest marking of the public papers."""
    words = meeting.words
    items = []
    for item in meeting.items:
        if item.paper is None:
            items.append(IndexItem(item.number, item.title, item.presenter, oral=True))
        elif item.paper in papers:
            paper = papers[item.paper]
            formats = paper_formats(paper.pdf, paper.docx, words)
            items.append(IndexItem(item.number, paper.title, item.presenter, paper.page, formats))
        else:
            title = words.paper_not_published
            if item.withheld_note:
                title = words.appendix_title_separator.join([title, item.withheld_note])
            items.append(IndexItem(item.number, title))
    whole = []
    if pack is not None:
        text = words.site_pack_link.format(size=size_text(pack.bytes, words), pages=pages_text(pack.pages, words))
        whole.append((pack.href, text))
    if agenda is not None:
        whole.append((agenda.href, words.site_agenda_link.format(size=size_text(agenda.bytes, words))))
    if supplement is not None:  # a published supplement's pack (publication/versions.py)
        size, pages = size_text(supplement.bytes, words), pages_text(supplement.pages, words)
        whole.append((supplement.href, words.site_supplement_link.format(size=size, pages=pages)))
    html = (
        environment(templates)
        .get_template(INDEX_TEMPLATE)
        .render(
            meeting=meeting,
            words=words,
            masthead=meeting.masthead,
            marking=meeting.house.marking(marking).header,
            draft=draft,
            items=items,
            whole=whole,
            stylesheet=STYLESHEET,
        )
    )
    return html.encode("utf-8")


def site_assets(templates: Path | None = None, fonts: Fonts | None = None) -> dict[str, bytes]:
    """The stylesheet (a project's own `site.css` if it has one) and its fonts with their licence, by
    name relative to the site folder: the packaged Liberation Sans, or the house's own font files
    when its licence lets the site serve them (`on_site`), the stylesheet then pointing at them."""
    stylesheet = template_file(STYLESHEET, templates).read_bytes()
    if fonts is not None and fonts.on_site:
        assets: dict[str, bytes] = {}
        for face, path in zip(FONT_FACES, fonts.files, strict=True):
            kind = "opentype" if path.suffix.lower() == ".otf" else "truetype"
            packaged = f'url("{PACKAGED_FONT_URLS[face]}") format("truetype")'
            own = f'url("{FONTS_FOLDER}/{quote(path.name)}") format("{kind}")'  # any file name stays one URL
            stylesheet = stylesheet.replace(packaged.encode(), own.encode())
            assets[f"{FONTS_FOLDER}/{path.name}"] = path.read_bytes()
        if fonts.licence is not None:
            assets[f"{FONTS_FOLDER}/{fonts.licence.name}"] = fonts.licence.read_bytes()
        return {STYLESHEET: stylesheet, **assets}
    assets = {STYLESHEET: stylesheet}
    for path in font_files():
        assets[f"{FONTS_FOLDER}/{path.name}"] = path.read_bytes()
    return assets
