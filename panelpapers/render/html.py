"""HTML for print: the resolved paper through Jinja templates in templates/ (sandboxed,
autoescaped, strict about undefined names). WeasyPrint turns this HTML into the PDF."""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from panelpapers.house import Logo, counter_parts
from panelpapers.model import Emph, Inlines, LineBreak, Link, Paper, Strong, Text, plain_text
from panelpapers.resources import template_environment


def render_inlines(inlines: Inlines) -> Markup:
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(str(escape(node.text)))
        elif isinstance(node, LineBreak):
            parts.append("<br>")
        elif isinstance(node, Strong):
            parts.append(f"<strong>{render_inlines(node.children)}</strong>")
        elif isinstance(node, Emph):
            parts.append(f"<em>{render_inlines(node.children)}</em>")
        elif isinstance(node, Link):
            parts.append(f'<a href="{escape(node.href)}">{render_inlines(node.children)}</a>')
    return Markup("".join(parts))


def one_line(inlines: Inlines) -> str:
    """The words of inline content on one line, a line break as a space: for bookmarks."""
    return " ".join(plain_text(inlines).split())


def data_url(data: bytes, media_type: str) -> str:
    """An image embedded in the page: WeasyPrint fetches nothing for it."""
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")


def svg_data_url(svg: bytes) -> str:
    """A chart as a data: URL, the only kind of image the PDF writer's fetcher serves besides project files."""
    return data_url(svg, "image/svg+xml")


def logo_data_url(logo: Logo) -> str:
    """A masthead logo, read when the house style was loaded: the fetcher needs to read nothing for it."""
    return data_url(logo.image, logo.media_type)


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string, safe inside a <style> element (no quote or `</style>` escapes)."""
    escaped = "".join(c if c.isalnum() or c in " -–.,:()/'&" else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


def css_counters(pattern: str) -> Markup:
    """A page-number pattern ("Page {page} of {pages}") as a CSS `content` value with page counters."""
    parts = [css_string(text) if kind == "text" else f"counter({kind})" for kind, text in counter_parts(pattern)]
    return Markup(" ".join(parts))


@cache
def environment(templates: Path | None = None) -> SandboxedEnvironment:
    """The paper templates' Jinja environment; `templates` replaces the packaged folder."""
    env = template_environment(templates)
    env.filters["inlines"] = render_inlines
    env.filters["one_line"] = one_line
    env.filters["svg_data_url"] = svg_data_url
    env.filters["data_url"] = data_url
    env.filters["logo_data_url"] = logo_data_url
    env.filters["css_string"] = css_string
    env.filters["css_counters"] = css_counters
    env.tests["paragraph"] = lambda block: type(block).__name__ == "Paragraph"
    env.tests["heading"] = lambda block: type(block).__name__ == "Heading"
    env.tests["item_list"] = lambda block: type(block).__name__ == "ItemList"
    env.tests["table"] = lambda block: type(block).__name__ == "Table"
    env.tests["chart"] = lambda block: type(block).__name__ == "Chart"
    env.tests["image"] = lambda block: type(block).__name__ == "Image"
    return env


def render_paper_html(paper: Paper, templates: Path | None = None) -> str:
    template = environment(templates).get_template("paper.html.j2")
    return template.render(paper=paper, masthead=paper.masthead, words=paper.words, font_urls=paper.house.font_urls)


class HtmlWriter:
    name = "html"
    suffix = ".html"

    def __init__(self, templates: Path | None = None) -> None:
        self.templates = templates

    def render(self, paper: Paper) -> bytes:
        return render_paper_html(paper, self.templates).encode("utf-8")
