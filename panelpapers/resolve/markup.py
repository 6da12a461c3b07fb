"""Inline markup in text fields: `{{ … }}` expressions first (sandboxed Jinja, so a figure or a
paragraph reference is filled in), then CommonMark inline syntax (markdown-it-py) into model nodes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from jinja2 import meta
from markdown_it import MarkdownIt
from markdown_it.token import Token

from panelpapers.model import Emph, Inline, Inlines, LineBreak, Link, Strong, Text
from panelpapers.resolve.sandbox import ContentSandbox, ExpressionError

ALLOWED_LINK_SCHEMES = ("https://", "mailto:")
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


class MarkupError(ValueError):
    """A problem in one text field; `line_offset` counts lines into the field's text."""

    def __init__(self, message: str, line_offset: int = 0) -> None:
        super().__init__(message)
        self.line_offset = line_offset


def escape_markdown(value: Any) -> str:
    """Values filled into text are literal: a `*` in a data value must not start bold text."""
    return _ASCII_PUNCTUATION.sub(r"\\\1", str(value))


_environment = ContentSandbox(
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # the output is markup source, escaped by escape_markdown, not HTML
    finalize=escape_markdown,
    keep_trailing_newline=True,
)
# html on only so that raw HTML is recognised, and refused, rather than shown as typed.
_markdown = MarkdownIt("commonmark", {"html": True, "typographer": False})
# Every link is checked below with a clear message, rather than silently left as text.
_markdown.validateLink = lambda url: True  # type: ignore[method-assign]


def expand(text: str, names: Mapping[str, Any], unknown: Callable[[str], Any] | None = None) -> str:
    """Fills in `{{ … }}` expressions; a name that does not exist is an error, never blank, unless
    `unknown` is given: it then supplies a stand-in for each name the text uses that `names` lacks."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text
    try:
        tree = _environment.parse(text)
        _environment.check(tree)
        template = _environment.from_string(tree)
        if unknown is not None:
            missing = meta.find_undeclared_variables(tree) - set(names)
            names = {**names, **{name: unknown(name) for name in sorted(missing)}}
        return template.render(names)
    except jinja2.TemplateSyntaxError as err:
        raise MarkupError(f"cannot read '{{{{ … }}}}' expression: {err.message}", (err.lineno or 1) - 1) from None
    except ExpressionError as err:
        raise MarkupError(f"expression not allowed: {err}", err.lineno - 1) from None
    except jinja2.UndefinedError as err:
        known = ", ".join(sorted(k for k in names if not k.startswith("_"))) or "none"
        raise MarkupError(f"{err.message} in '{{{{ … }}}}' (known names: {known})") from None
    except jinja2.exceptions.SecurityError as err:
        raise MarkupError(f"expression not allowed: {err}") from None
    except MarkupError:
        raise
    except RecursionError:
        raise MarkupError("expression nested too deeply; write it more simply") from None
    except Exception as err:  # an author's expression failed (e.g. a bad filter argument)
        raise MarkupError(f"expression failed: {err}") from None


def parse_inlines(text: str) -> Inlines:
    tokens = _markdown.parseInline(text.strip())
    children = tokens[0].children or [] if tokens else []
    nodes, _ = _build(children, 0, None)
    return _merge_text(nodes)


def _build(tokens: list[Token], start: int, closing: str | None) -> tuple[Inlines, int]:
    out: list[Inline] = []
    i = start
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if closing and kind == closing:
            return tuple(out), i + 1
        if kind in ("text", "code_inline"):
            out.append(Text(token.content))
        elif kind == "softbreak":
            out.append(Text(" "))
        elif kind == "hardbreak":
            out.append(LineBreak())
        elif kind in ("strong_open", "em_open", "link_open"):
            inner, i = _build(tokens, i + 1, kind.replace("_open", "_close"))
            if kind == "strong_open":
                out.append(Strong(inner))
            elif kind == "em_open":
                out.append(Emph(inner))
            else:
                out.append(Link(_checked_link(str(token.attrGet("href") or "")), inner))
            continue
        elif kind == "image":
            raise MarkupError("images are not allowed in text; use a chart or figure block instead")
        elif kind == "html_inline":
            raise MarkupError("raw HTML is not allowed in text; use **bold**, *italic* or [links](https://…)")
        else:
            raise MarkupError(f"unsupported markup ({kind}) in text")
        i += 1
    return tuple(out), i


def _checked_link(href: str) -> str:
    if not href.startswith(ALLOWED_LINK_SCHEMES):
        raise MarkupError(
            f"link '{href}' is not allowed: use an https:// address or a mailto: address"
        )
    return href


def _merge_text(nodes: Inlines) -> Inlines:
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and not node.text:
            continue
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    return tuple(merged)
