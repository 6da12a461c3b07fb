"""A long SVG path drawn again (a hatch tile on every hatched bar) appends what its first drawing
appended, without WeasyPrint parsing it again: the same PDF bytes, and one parse (render/svg_paths.py)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from panelpapers.render import svg_paths

pytestmark = pytest.mark.quick

# A long path of curves and lines (a dotted hatch's kind), and one with a percentage, which depends
# on the drawing's size and so is never kept.
DOTS = " ".join(
    f"M {x} {y} C {x + 1} {y} {x + 2} {y + 1} {x + 2} {y + 2} Z" for x in range(0, 60, 3) for y in range(0, 60, 3)
)
RELATIVE = "M 0 0 " + " ".join(f"L {x}% 50" for x in range(0, 100)) + " " * 600


def svg(width: int) -> str:
    shapes = "".join(
        f'<path d="{DOTS}" fill="none" stroke="black" transform="translate({i * 70} 0)"/>'
        f'<path d="{RELATIVE}" fill="none" stroke="red" transform="translate(0 {i * 10})"/>'
        for i in range(3)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="80" viewBox="0 0 {width} 80">{shapes}</svg>'
    )


def pdf(width: int) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html><body>{svg(width)}</body></html>").write_pdf()  # type: ignore[no-any-return]


def weasyprints_own(*widths: int) -> dict[int, bytes]:
    """The PDFs as WeasyPrint's own path drawing makes them, whatever is installed."""
    from weasyprint.svg import TAGS

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(TAGS, "path", importlib.import_module("weasyprint.svg.path").path)
        return {width: pdf(width) for width in widths}


def parses_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """svg_paths installed with nothing kept yet; the list fills with the `d` of each path that
    WeasyPrint's own drawing parses."""
    weasyprints = importlib.import_module("weasyprint.svg.path")
    parsed: list[str] = []
    original = weasyprints.path

    def counting(svg: Any, node: Any, font_size: float) -> None:
        parsed.append(node.get("d", ""))
        original(svg, node, font_size)

    monkeypatch.setattr(weasyprints, "path", counting)
    monkeypatch.setattr(svg_paths, "_drawn", {})
    svg_paths.install()
    return parsed


def test_a_path_drawn_again_gives_weasyprints_own_bytes_and_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.svg import TAGS

    own = weasyprints_own(220, 300)
    assert own[220] != own[300], "the percentage path should draw differently at another width"
    parsed = parses_counted(monkeypatch)
    assert TAGS["path"] is svg_paths.draw_path
    for width in (220, 300):
        assert pdf(width) == own[width], f"width {width}: a replayed path must give WeasyPrint's own bytes"
    assert parsed.count(DOTS) == 1, "the long plain path is parsed once, then replayed"
    assert parsed.count(RELATIVE) == 6, "a path with a percentage is parsed each time it is drawn"


def test_a_path_that_fails_to_parse_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.svg.utils import PointError

    monkeypatch.setattr(svg_paths, "_drawn", {})
    broken = "M 0 0 L 1" + " 2" * 600  # an odd count of numbers: WeasyPrint stops at the lone one

    class Node:
        vertices: list[Any] = []

        def get(self, name: str, default: str = "") -> str:
            return broken if name == "d" else default

    class Svg:
        class stream:  # noqa: N801 (stands in for a pydyf stream)
            stream: list[bytes] = []

            @classmethod
            def move_to(cls, x: float, y: float) -> None:
                cls.stream.append(b"m")

            line_to = move_to

        @staticmethod
        def point(x: str, y: str, font_size: float) -> tuple[float, float]:
            return float(x), float(y)

    for _ in range(2):
        with pytest.raises(PointError):
            svg_paths.draw_path(Svg, Node(), 12.0)
    assert svg_paths._drawn == {}


def test_paths_beyond_what_a_process_keeps_are_drawn_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-lived process (a preview) keeps at most KEPT_AT_MOST characters of paths; past that a
    path is parsed each time it is drawn, with the same bytes."""
    own = weasyprints_own(220)[220]
    parsed = parses_counted(monkeypatch)
    monkeypatch.setattr(svg_paths, "KEPT_AT_MOST", len(DOTS) - 1)
    assert pdf(220) == own
    assert parsed.count(DOTS) == 3 and svg_paths._drawn == {}
