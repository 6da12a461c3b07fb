"""HTML for print: the resolved paper through Jinja templates in templates/ (sandboxed,
autoescaped, strict about undefined names). WeasyPrint turns this HTML into the PDF."""

from __future__ import annotations

import base64
from functools import cache

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from panelpapers.model import Emph, Inlines, LineBreak, Link, Paper, Strong, Text
from panelpapers.writers import TEMPLATES


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


def svg_data_url(svg: bytes) -> str:
    """A chart as a data: URL, the only kind of image the PDF writer's fetcher serves besides project files."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@cache
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inlines"] = render_inlines
    env.tests["paragraph"] = lambda block: type(block).__name__ == "Paragraph"
    env.tests["heading"] = lambda block: type(block).__name__ == "Heading"
    env.tests["item_list"] = lambda block: type(block).__name__ == "ItemList"
    env.tests["table"] = lambda block: type(block).__name__ == "Table"
    env.tests["figure"] = lambda block: type(block).__name__ == "Figure"
    env.filters["svg_data_url"] = svg_data_url
    return env


def render_paper_html(paper: Paper) -> str:
    return environment().get_template("paper.html.j2").render(paper=paper)


class HtmlWriter:
    name = "html"
    suffix = ".html"

    def render(self, paper: Paper) -> bytes:
        return render_paper_html(paper).encode("utf-8")
