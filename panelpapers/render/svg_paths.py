"""Each SVG path drawn once per process. WeasyPrint 70 parses a path's `d` in Python every time it
draws it (weasyprint/svg/path.py), and matplotlib's hatched bars repeat one long path wherever the
hatch is used: a dotted hatch's tile is some 150,000 characters of curves, drawn once per bar, and
parsing paths took about a sixth of the CPU of the example meeting's serial cold build. What the
drawing appends to the PDF stream, and the vertices it leaves for markers, depend on `d` alone when
`d` holds nothing but numbers and path letters (no unit or percentage for the drawing's size or font
to resolve), so a path drawn again appends what it appended the first time: the same bytes in the
same order.

`install()` puts `draw_path` in WeasyPrint's table of SVG tags; tests/test_dependencies.py holds the
internals it relies on."""

from __future__ import annotations

import importlib
import re
from typing import Any

# Path letters, numbers and separators only: WeasyPrint then resolves every number with float().
PLAIN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz0-9eE.,+\-\s]*")
WORTH_KEEPING = 1_000  # characters: shorter paths parse in microseconds, and most are drawn once
KEPT_AT_MOST = 4_000_000  # characters of paths kept by a process (a preview's lives long); a build's
# hatch tiles come to well under a million

_drawn: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}  # d -> (stream operations, vertices)
_installed = False


def install() -> None:
    """Puts `draw_path` in WeasyPrint's table of SVG tags, once per process."""
    global _installed
    if not _installed:
        from weasyprint.svg import TAGS

        TAGS["path"] = draw_path
        _installed = True


def draw_path(svg: Any, node: Any, font_size: float) -> None:
    """WeasyPrint's own drawing of a path (weasyprint.svg.path.path), or what it appended before."""
    draw = importlib.import_module("weasyprint.svg.path").path  # the module: its package's `path` is the function
    d = node.get("d", "")
    if len(d) < WORTH_KEEPING or not PLAIN.fullmatch(d):
        draw(svg, node, font_size)
        return
    drawn = _drawn.get(d)
    if drawn is None:
        operations, vertices = len(svg.stream.stream), len(node.vertices)
        draw(svg, node, font_size)  # a path that fails to parse raises here and is not kept
        if sum(map(len, _drawn)) + len(d) <= KEPT_AT_MOST:
            _drawn[d] = (tuple(svg.stream.stream[operations:]), tuple(node.vertices)[vertices:])
        return
    svg.stream.stream.extend(drawn[0])
    node.vertices.extend(drawn[1])
