"""Colours that everyone can read (WCAG 2.1 AA): every chart series at least 3:1 against the white
page, every text at least 4.5:1 against what it sits on, palettes whose colours stay apart for readers
with the common colour-vision deficiencies, and a review report that never tells kinds of change apart
by colour alone."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT

from panelpapers.data.declarations import DEFAULT_BANDS
from panelpapers.data.paper_data import load_paper_data
from panelpapers.house import DEFAULT_HOUSE, contrast_ratio, text_colour_on
from panelpapers.load.house_style import load_house_style

TEMPLATES = PROJECT_ROOT / "templates"
COUNCIL = Path(__file__).parent / "projects" / "council"
WHITE, BLACK = "#ffffff", "#000000"
TEXT, NON_TEXT = 4.5, 3.0  # WCAG 2.1 AA: 1.4.3 text contrast, 1.4.11 non-text contrast

# Machado, Oliveira and Fernandes (2009), full severity: sRGB-linear in, sRGB-linear out.
CVD_MATRICES = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
TYPICAL = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
# CIE76 colour difference two series must keep, as seen with and without each deficiency. Around 2.3 is
# a just-noticeable difference; 12 keeps neighbouring bars and legend swatches clearly apart.
APART = 12.0


def linear_rgb(colour: str) -> tuple[float, float, float]:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return r, g, b


def seen(colour: str, matrix: tuple[tuple[float, ...], ...]) -> tuple[float, float, float]:
    """CIELAB (D65) of `colour` as a viewer with the deficiency `matrix` simulates sees it."""
    rgb = linear_rgb(colour)
    r, g, b = (min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def difference(first: str, second: str, matrix: tuple[tuple[float, ...], ...]) -> float:
    return sum((a - b) ** 2 for a, b in zip(seen(first, matrix), seen(second, matrix), strict=True)) ** 0.5


def council_palette() -> tuple[str, ...]:
    house, problems = load_house_style(COUNCIL / "panelpapers.yaml")
    assert house is not None, problems
    return house.palette


PALETTES = {"built-in": DEFAULT_HOUSE.palette, "council": council_palette()}


# Palettes -----------------------------------------------------------------------------------------


@pytest.mark.quick
@pytest.mark.parametrize("name", PALETTES)
def test_every_series_colour_stands_out_from_the_white_page(name: str) -> None:
    ratios = {colour: round(contrast_ratio(colour, WHITE), 2) for colour in PALETTES[name]}
    assert all(ratio >= NON_TEXT for ratio in ratios.values()), ratios


@pytest.mark.quick
@pytest.mark.parametrize("name", PALETTES)
@pytest.mark.parametrize("vision", ["typical", *CVD_MATRICES])
def test_series_colours_stay_apart_with_colour_vision_deficiencies(name: str, vision: str) -> None:
    matrix = CVD_MATRICES.get(vision, TYPICAL)
    closest = min((difference(a, b, matrix), a, b) for a, b in itertools.combinations(PALETTES[name], 2))
    assert closest[0] >= APART, f"{closest[1]} and {closest[2]} look alike ({vision}): ΔE {closest[0]:.1f}"


def test_the_simulation_tells_a_red_green_pair_apart_only_for_typical_vision() -> None:
    """The check has teeth: a red and a green of equal lightness merge for deuteranopes."""
    red, green = "#c8102e", "#4a7c00"
    assert difference(red, green, TYPICAL) > 40
    assert difference(red, green, CVD_MATRICES["deuteranopia"]) < APART


def test_a_palette_colour_too_pale_for_white_is_refused_at_its_line(tmp_path: Path) -> None:
    style = tmp_path / "panelpapers.yaml"
    style.write_text('# house style\npalette: ["#003c71", "#f0a500"]\n', encoding="utf-8")
    house, problems = load_house_style(style)
    assert house is None
    assert [str(p) for p in problems] == [
        f"{style}:2: palette.1: expected a chart colour with at least 3:1 contrast against white, got #f0a500 "
        "(2.08:1); use a darker shade"
    ]


# Charts -------------------------------------------------------------------------------------------


def chart_svgs() -> dict[str, str]:
    """Every chart of the example meeting, drawn as the build draws it."""
    svgs = {}
    for folder in sorted(p for p in EXAMPLE_MEETING.iterdir() if (p / "data.yaml").is_file()):
        data, problems = load_paper_data(folder, DEFAULT_HOUSE)
        assert data is not None and not problems, problems
        svgs.update({f"{folder.name}/{name}": chart.svg.decode() for name, chart in data.charts.items()})
    return svgs


def text_fills(svg: str) -> set[str]:
    """The colour of every text (matplotlib leaves black unsaid)."""
    found = set()
    for style in re.findall(r'<text style="([^"]*)"', svg):
        fill = re.search(r"fill: (#[0-9a-f]{6})", style)
        found.add(fill.group(1) if fill else BLACK)
    return found


def shape_fills(svg: str) -> set[str]:
    """The colour of every filled shape and hatching background, white (the page, bar edges) aside."""
    fills = set(re.findall(r'fill(?:: |=")(#[0-9a-f]{6})', svg)) - text_fills(svg)
    return {colour for colour in fills if colour != WHITE}


@pytest.mark.quick
def test_example_charts_draw_series_and_text_in_readable_colours() -> None:
    svgs = chart_svgs()
    assert len(svgs) >= 4 and sum("heat_map" in name for name in svgs) == 2
    for name, svg in svgs.items():
        texts = text_fills(svg)
        if "heat_map" in name:
            bands = shape_fills(svg)
            assert bands == {band.colour for band in DEFAULT_BANDS}, name
            # Band names and risk numbers sit on the bands: each must read on every one of them.
            low = {(t, b): round(contrast_ratio(t, b), 2) for t in texts for b in bands if contrast_ratio(t, b) < TEXT}
            assert not low, f"{name}: text on heat-map bands below 4.5:1: {low}"
        else:
            series = shape_fills(svg)
            assert series, name
            low = {c: round(contrast_ratio(c, WHITE), 2) for c in series if contrast_ratio(c, WHITE) < NON_TEXT}
            assert not low, f"{name}: series below 3:1 against white: {low}"
            assert all(contrast_ratio(t, WHITE) >= TEXT for t in texts), (name, texts)


@pytest.mark.parametrize("band", ["#9fd49b", "#ffe08a", "#f5a25d", "#e8625f", "#8b0000", "#1d3557", "#777777"])
def test_heat_map_text_reads_on_any_band_colour_an_author_chooses(band: str) -> None:
    assert contrast_ratio(text_colour_on(band), band) >= TEXT


# Stylesheets --------------------------------------------------------------------------------------

CSS_COLOUR = r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b"


def full(colour: str) -> str:
    colour = colour.lower()
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


def css_rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) of every plain rule, comments and at-rules' own lines left out."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = []
    for selectors, body in re.findall(r"([^{}@]+)\{([^{}]*)\}", css):
        declarations = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                key, value = declaration.split(":", 1)
                declarations[key.strip()] = value.strip()
        for selector in selectors.split(","):
            rules.append((" ".join(selector.split()), declarations))
    return rules


def colour_of(declarations: dict[str, str], *keys: str) -> str | None:
    """The first colour that one of `keys` declares."""
    for key in keys:
        found = re.search(CSS_COLOUR, declarations.get(key, ""))
        if found:
            return full(found.group(0))
    return None


def text_pairs(css: str) -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for every rule that sets either. A rule without its own
    text colour takes that of the rule it refines (`.badge` for `.badge.added`) or of the page; one
    without its own background sits on its container's (`.headline` for `.headline h2`) or white."""
    rules = css_rules(css)
    page_text = next(
        (colour_of(d, "color") for s, d in rules if s in ("html", "body") and colour_of(d, "color")), BLACK
    )

    def inherited(selector: str, keys: tuple[str, ...], default: str) -> str:
        for other, declarations in sorted(rules, key=lambda rule: -len(rule[0])):
            if other != selector and (selector.startswith(other + ".") or selector.startswith(other + " ")):
                found = colour_of(declarations, *keys)
                if found:
                    return found
        return default

    pairs = []
    for selector, declarations in rules:
        text = colour_of(declarations, "color")
        background = colour_of(declarations, "background", "background-color")
        if text is None and background is None:
            continue
        pairs.append(
            (
                selector,
                text or inherited(selector, ("color",), page_text or BLACK),
                background or inherited(selector, ("background", "background-color"), WHITE),
            )
        )
    return pairs


STYLESHEETS = ["diff.html.j2", "paper.css", "agenda.css"]


@pytest.mark.quick
@pytest.mark.parametrize("name", STYLESHEETS)
def test_every_text_in_the_stylesheets_reads_on_its_background(name: str) -> None:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    css = "\n".join(re.findall(r"<style>(.*?)</style>", text, flags=re.S)) if name.endswith(".j2") else text
    pairs = text_pairs(css)
    assert pairs
    low = {s: (t, b, round(contrast_ratio(t, b), 2)) for s, t, b in pairs if contrast_ratio(t, b) < TEXT}
    assert not low, f"{name}: text below 4.5:1 on its background: {low}"


def test_review_report_badges_and_no_change_line_meet_4_5_to_1() -> None:
    """The two failures axe-core found: `.badge.changed` white on #b36b00 (4.18:1) and the "nothing
    changed" line in #148c3c (4.33:1)."""
    css = re.search(r"<style>(.*?)</style>", (TEMPLATES / "diff.html.j2").read_text(encoding="utf-8"), re.S)
    assert css is not None
    pairs = {selector: (text, background) for selector, text, background in text_pairs(css.group(1))}
    for selector in (".badge", ".badge.added", ".badge.removed", ".badge.changed", ".nothing"):
        text, background = pairs[selector]
        assert contrast_ratio(text, background) >= TEXT, (selector, text, background)


def test_docx_header_shading_and_link_colours_read() -> None:
    """The DOCX writer's own colours: black header text on the header shading, links on white."""
    source = (PROJECT_ROOT / "panelpapers" / "render" / "docx.py").read_text(encoding="utf-8")
    shading = re.findall(r'shade_cell\(cell, "([0-9A-Fa-f]{6})"\)', source)
    links = re.findall(
        r'"w:val"\), "([0-9A-Fa-f]{6})"', (PROJECT_ROOT / "panelpapers" / "render" / "docx_xml.py").read_text()
    )
    assert shading and links
    assert all(contrast_ratio(BLACK, f"#{fill}") >= TEXT for fill in shading)
    assert all(contrast_ratio(f"#{link}", WHITE) >= TEXT for link in links)


# The review report: never colour alone --------------------------------------------------------------


@pytest.mark.quick
def test_review_report_tells_kinds_of_change_apart_without_colour() -> None:
    from panelpapers.render.record import Passage
    from panelpapers.review.compare import CellChange, Change, Comparison, PaperDiff
    from panelpapers.review.extract import Box
    from panelpapers.review.report import Review, html
    from panelpapers.review.visual import NEW_COLOUR, OLD_COLOUR, PICTURE_COLOUR, PagePair, VisualResult

    old = Passage("paragraph", "Background", "1.2", "The panel noted the risks.")
    new = Passage("paragraph", "Background", "1.2", "The panel noted the key risks.")
    table = Passage("table", "Background", "", "Table 1", caption="Table 1: Actions")
    changes = [
        Change("added", "paragraph", "02-paper", new=Passage("paragraph", "Background", "1.3", "A new point.")),
        Change("removed", "paragraph", "02-paper", old=Passage("paragraph", "Background", "1.4", "An old point.")),
        Change(
            "changed", "paragraph", "02-paper", old=old, new=new, words=(("equal", "noted the "), ("insert", "key "))
        ),
        Change("changed", "table", "02-paper", old=table, new=table, cells=(CellChange("Met", "Open", "3", "4"),)),
    ]
    paper = PaperDiff("02-paper", None, None, changes)
    pair = PagePair("02-paper", 0, 0, [(Box(0, 1, 1, 2, 2), OLD_COLOUR)], [(Box(0, 1, 1, 2, 2), NEW_COLOUR)])
    pair.old_image = pair.new_image = "data:image/png;base64,AAAA"
    report = html(Review(Comparison("old", "new", [paper]), {"02-paper": VisualResult(pairs=[pair])}))

    # Each change says what kind it is in words a reader sees, not only in its colour.
    badges = re.findall(r'<span class="badge (\w+)">(\w+)</span>', report)
    assert badges == [("added", "added"), ("removed", "removed"), ("changed", "changed"), ("changed", "changed")]
    css = dict(css_rules(re.search(r"<style>(.*?)</style>", report, re.S).group(1)))  # type: ignore[union-attr]
    styles = {
        kind: css[f"li.change.{kind}"].get("border-left-style", "solid") for kind in ("added", "removed", "changed")
    }
    assert len(set(styles.values())) == 3, styles
    # The key to the page images names each kind of box in words and by its line.
    key = re.search(r'<p class="key">(.*?)</p>', report, re.S)
    assert key is not None
    assert all(words in key.group(1) for words in ("Solid boxes", "old words", "new words", "dashed boxes", "pictures"))
    assert css[".key span.picture"]["border-style"] == "dashed"
    for colour in (OLD_COLOUR, NEW_COLOUR, PICTURE_COLOUR):
        assert contrast_ratio("#{:02x}{:02x}{:02x}".format(*colour), WHITE) >= NON_TEXT


def test_changed_pictures_are_boxed_with_dashes_and_words_with_solid_lines() -> None:
    from PIL import Image, ImageDraw

    from panelpapers.review.visual import NEW_COLOUR, PICTURE_COLOUR, _dashed_rectangle

    image = Image.new("RGB", (200, 100), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 90, 90), outline=NEW_COLOUR, width=3)
    _dashed_rectangle(draw, (110, 10, 190, 90), PICTURE_COLOUR)

    def gaps(x_from: int, x_to: int) -> int:
        row = [image.getpixel((x, 10)) == (255, 255, 255) for x in range(x_from, x_to)]
        return sum(1 for a, b in itertools.pairwise(row) if not a and b)

    assert gaps(10, 91) == 0 and gaps(110, 191) >= 3
