"""panelpapers.yaml: a content project's house style as data (organisations and mastheads, protective
markings in order, panel name, section titles, fixed wording, chart palette, fonts), validated like content, with
every problem at its line. Whatever it leaves out keeps the built-in house's value (house.py), so an
empty file gives the built-in house exactly. See docs/house-style.md."""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, create_model, model_validator

from panelpapers.errors import Location, Problem
from panelpapers.house import (
    DEFAULT_HOUSE,
    FONT_FACES,
    PAPER_PYTHON_SECONDS,
    WORDING,
    Exemption,
    Fonts,
    House,
    Logo,
    Marking,
    Masthead,
    MastheadLine,
    Wording,
    contrast_ratio,
)
from panelpapers.load.content_format import Spec, Text, validate
from panelpapers.load.source import YamlFile, load_yaml

HOUSE_STYLE_FILE = "panelpapers.yaml"
MAX_LOGO_BYTES = 2_000_000
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
FONT_TYPES = (".ttf", ".otf")
MAX_FONT_BYTES = 20_000_000
MAX_LICENCE_BYTES = 1_000_000
# What the house's words and the templates print besides the authors' text: a font without one of
# these would leave WeasyPrint to find it among the machine's fonts.
FONT_MUST_COVER = "".join(chr(c) for c in range(0x20, 0x7F)) + "£–‘’“”•"
SERIES_CONTRAST = 3.0  # WCAG 2.1 non-text contrast: a chart's bars and lines against the white page


def readable_on_white(colour: str) -> str:
    ratio = contrast_ratio(colour, "#ffffff")
    if ratio < SERIES_CONTRAST:
        raise ValueError(
            f"expected a chart colour with at least {SERIES_CONTRAST:g}:1 contrast against white, got {colour} "
            f"({ratio:.2f}:1); use a darker shade"
        )
    return colour


def seconds(text: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]{0,2}", text):
        raise ValueError(f"expected a whole number of seconds from 1 to 999, got {text!r}")
    return text


SeriesColour = Annotated[Colour, AfterValidator(readable_on_white)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")]


class MarkingSpec(Spec):
    label: Text  # as content names it
    publish: Literal["yes", "no"]  # may it appear in the public variant?
    header: Text | None = None  # printed at the top and bottom of its pages; default: the label
    status_line: Text | None = None  # printed on the cover of a paper of this marking


class MastheadLineSpec(Spec):
    mark: Text  # the organisation's short mark, or the logo's alt text
    words: list[Text] = Field(min_length=1)  # the name beside the mark, line by line
    words_in_docx: Text | None = None  # the name on one line in the DOCX; default: the lines joined
    logo: Text | None = None  # a PNG or JPEG inside the project, printed in place of the mark
    logo_height_mm: Annotated[str, StringConstraints(pattern=r"^\d{1,2}(\.\d)?$")] | None = None


class OrganisationSpec(Spec):
    # Each line: a mark with its words, or the name of another organisation whose masthead it repeats
    # (a joint body printing both of its members' mastheads).
    masthead: list[MastheadLineSpec | Key] = Field(min_length=1)


class FontsSpec(Spec):
    regular: Text  # each a .ttf or .otf file inside the project
    bold: Text
    italic: Text
    bold_italic: Text
    word_font: Text | None = None  # the font the DOCX names; default: the files' family name
    on_site: Literal["yes", "no"] = "no"  # may the public HTML edition serve the files to readers?
    licence: Text | None = None  # the fonts' licence, published beside them on the site

    @model_validator(mode="after")
    def _licence_for_site(self) -> FontsSpec:
        if self.on_site == "yes" and self.licence is None:
            raise ValueError("fonts: name the fonts' licence file ('licence:'), published beside them on the site")
        return self


class SummaryTitles(Spec):
    purpose: Text = DEFAULT_HOUSE.summary_parts[0][1]
    key_considerations: Text = DEFAULT_HOUSE.summary_parts[1][1]
    interdependencies: Text = DEFAULT_HOUSE.summary_parts[2][1]


class SectionTitles(Spec):
    equality: Text = DEFAULT_HOUSE.implication_sections[0][1]
    financial: Text = DEFAULT_HOUSE.implication_sections[1][1]
    legal: Text = DEFAULT_HOUSE.implication_sections[2][1]
    risk: Text = DEFAULT_HOUSE.implication_sections[3][1]
    contact: Text = DEFAULT_HOUSE.contact_section
    appendices: Text = DEFAULT_HOUSE.appendix_section


# Every fixed phrase of house.Wording may be replaced; each keeps the {fields} of the built-in one.
WordingSpec: Any = create_model(
    "WordingSpec",
    __base__=Spec,
    **{f.name: (Text | None, None) for f in fields(Wording)},  # type: ignore[call-overload]
)


class HouseStyleFile(Spec):
    panel: Text | None = None  # the panel's name, for meetings and papers that do not give one
    organisations: dict[Key, OrganisationSpec] | None = None  # default: the built-in MPS, MOPAC, joint
    front_sheet_organisation: Key | None = None  # whose masthead the agenda front sheet carries
    markings: list[MarkingSpec] | None = Field(default=None, min_length=1)  # lowest first
    summary_titles: SummaryTitles = SummaryTitles()
    section_titles: SectionTitles = SectionTitles()
    wording: WordingSpec = WordingSpec()
    palette: list[SeriesColour] | None = Field(default=None, min_length=2)  # chart series colours, in order
    fonts: FontsSpec | None = None  # default: the packaged Liberation Sans
    paper_python: Literal["allowed", "not allowed"] = "not allowed"  # may a paper's data/tables.py run?
    paper_python_seconds: Annotated[str, AfterValidator(seconds)] = str(PAPER_PYTHON_SECONDS)  # its time limit
    # Defaults for papers whose recommendations.yaml / appendices.yaml do not say (content-format.md).
    single_recommendation: Literal["unlettered", "lettered", "sentence"] = DEFAULT_HOUSE.single_recommendation
    say_no_appendices: Literal["yes", "no"] = "yes"
    # A supplementary pack's page numbers: on from the main pack's (`continued`) or `lettered` (S1, S2 …).
    supplement_pages: Literal["continued", "lettered"] = DEFAULT_HOUSE.supplement_pages
    # The reasons a withheld paper or appendix may give (`exempt: {reason: KEY}`), each with its words
    exemptions: dict[Key, Text] | None = None  # default: the built-in FOIA sections 31, 36 and 43

    @model_validator(mode="after")
    def _consistent(self) -> HouseStyleFile:
        if self.markings is not None:
            labels = [marking.label for marking in self.markings]
            if len(set(labels)) != len(labels):
                raise ValueError("markings: each label once")
            published = [marking.publish == "yes" for marking in self.markings]
            if not published[0]:
                raise ValueError("markings: the lowest marking must be publishable ('publish: yes')")
            if published != sorted(published, reverse=True):
                raise ValueError("markings: list them lowest first; no publishable marking above a withheld one")
        if self.organisations is not None:
            front = self.front_sheet_organisation
            if front is None and len(self.organisations) > 1:
                raise ValueError("front_sheet_organisation: say whose masthead the agenda front sheet carries")
            if front is not None and front not in self.organisations:
                raise ValueError(
                    f"front_sheet_organisation: '{front}' is not one of the organisations "
                    f"({', '.join(self.organisations)})"
                )
        return self


def load_house_style(path: Path) -> tuple[House | None, list[Problem]]:
    """The house described by `path` (a panelpapers.yaml), or the problems that stop it. A file with
    nothing in it but comments gives the built-in house."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return DEFAULT_HOUSE, []
    loaded, problems = load_yaml(path)
    if loaded is None:
        return None, problems
    if loaded.data is None or loaded.data == {}:
        return DEFAULT_HOUSE, []
    spec, problems = validate(loaded, HouseStyleFile)
    if spec is None:
        return None, problems
    problems = _wording_problems(spec, loaded)
    organisations, found = _organisations(spec, loaded, path.parent)
    problems += found
    fonts, found = _fonts(spec.fonts, loaded, path.parent) if spec.fonts else (None, [])
    problems += found
    if problems:
        return None, problems
    return _house(spec, organisations, fonts), []


def _wording_problems(spec: HouseStyleFile, file: YamlFile) -> list[Problem]:
    """A replaced phrase may use only the {fields} the built-in one has (and must keep page counters)."""
    problems = []
    for field in fields(Wording):
        value = getattr(spec.wording, field.name)
        if value is None:
            continue
        allowed = _placeholders(getattr(WORDING, field.name))
        used = _placeholders(value)
        where = file.location(("wording", field.name))
        if used - allowed:
            known = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
            problems.append(Problem(where, f"wording.{field.name}: unknown {{…}} fields; allowed here: {known}"))
        elif field.name.endswith("page_number") and used != allowed:
            problems.append(Problem(where, f"wording.{field.name}: keep both {{page}} and {{pages}}"))
    return problems


def _placeholders(pattern: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError:
        return {"{"}  # an unpaired brace: reported as an unknown field


def _organisations(spec: HouseStyleFile, file: YamlFile, root: Path) -> tuple[tuple[Masthead, ...], list[Problem]]:
    if spec.organisations is None:
        return DEFAULT_HOUSE.organisations, []
    problems: list[Problem] = []
    own: dict[str, list[MastheadLine]] = {}
    for name, organisation in spec.organisations.items():
        own[name] = []
        for i, line in enumerate(organisation.masthead):
            if isinstance(line, str):
                continue
            logo = None
            if line.logo is not None:
                where = file.location(("organisations", name, "masthead", i, "logo"))
                logo, found = _logo(line.logo, line.logo_height_mm, root, where)
                problems += found
            style = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")  # its look in the print CSS
            words_in_docx = line.words_in_docx or " ".join(line.words)
            own[name].append(MastheadLine(style, line.mark, tuple(line.words), words_in_docx, logo))
    mastheads = []
    for name, organisation in spec.organisations.items():
        lines: list[MastheadLine] = []
        its_own = iter(own[name])
        for i, line in enumerate(organisation.masthead):
            if not isinstance(line, str):
                lines.append(next(its_own))
            elif own.get(line):
                lines += own[line]
            else:
                where = file.location(("organisations", name, "masthead", i))
                problems.append(Problem(where, f"'{line}' is not an organisation with a masthead of its own"))
        mastheads.append(Masthead(name, tuple(lines)))
    return tuple(mastheads), problems


def _logo(name: str, height: str | None, root: Path, where: Location) -> tuple[Logo | None, list[Problem]]:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        return None, [Problem(where, f"logo '{name}' is outside the content project; put it inside {root}")]
    if path.suffix.lower() not in LOGO_TYPES:
        return None, [Problem(where, f"logo '{name}': expected a .png or .jpg file")]
    if not path.is_file():
        return None, [Problem(where, f"logo '{name}' does not exist")]
    if path.stat().st_size > MAX_LOGO_BYTES:
        return None, [Problem(where, f"logo '{name}' is over {MAX_LOGO_BYTES:,} bytes; use a smaller image")]
    logo = Logo(path.read_bytes(), LOGO_TYPES[path.suffix.lower()])
    return (Logo(logo.image, logo.media_type, float(height)) if height else logo), []


def _inside(name: str, root: Path, what: str, where: Location) -> tuple[Path | None, list[Problem]]:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        return None, [Problem(where, f"{what} '{name}' is outside the content project; put it inside {root}")]
    if not path.is_file():
        return None, [Problem(where, f"{what} '{name}' does not exist")]
    return path, []


def _fonts(spec: FontsSpec, file: YamlFile, root: Path) -> tuple[Fonts | None, list[Problem]]:
    """The house's four font files, each checked to be a font WeasyPrint may embed and that covers
    what the papers print, and all of one family (matplotlib finds the faces by family name)."""
    problems: list[Problem] = []
    found: dict[str, tuple[Path, str]] = {}
    for face in FONT_FACES:
        where = file.location(("fonts", face))
        name = getattr(spec, face)
        path, trouble = _inside(name, root, f"fonts.{face}", where)
        problems += trouble
        if path is not None:
            family, messages = _font_family(path, name, face)
            problems += [Problem(where, message) for message in messages]
            if family is not None:
                found[face] = (path, family)
    families = {family for _, family in found.values()}
    if not problems and len(families) > 1:
        named = ", ".join(f"{face}: '{family}'" for face, (_, family) in found.items())
        message = f"fonts: the four files are of different families ({named}); name the regular, bold, italic "
        problems.append(Problem(file.location(("fonts",)), message + "and bold italic faces of one family"))
    licence = None
    if spec.licence is not None:
        licence, trouble = _inside(spec.licence, root, "fonts.licence", file.location(("fonts", "licence")))
        problems += trouble
        if licence is not None and licence.stat().st_size > MAX_LICENCE_BYTES:
            where = file.location(("fonts", "licence"))
            problems.append(Problem(where, f"fonts.licence '{spec.licence}' is over {MAX_LICENCE_BYTES:,} bytes"))
    if problems:
        return None, problems
    (regular, family), (bold, _), (italic, _), (bold_italic, _) = (found[face] for face in FONT_FACES)
    files = (regular, bold, italic, bold_italic)
    return Fonts(files, family, spec.word_font or family, spec.on_site == "yes", licence), []


@contextmanager
def _fonttools_silenced() -> Iterator[None]:
    """fontTools logs a warning for every damaged record it skips (65,000 lines for one damaged name
    table): what is wrong is said once, at the font's line in panelpapers.yaml, instead."""
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _font_family(path: Path, name: str, face: str) -> tuple[str | None, list[str]]:
    """The family name inside a font file, or why the file cannot print a paper."""
    from fontTools.ttLib import TTFont, TTLibError

    what = f"fonts.{face} '{name}'"
    if path.suffix.lower() not in FONT_TYPES:
        return None, [f"{what}: expected a .ttf or .otf font file"]
    if path.stat().st_size > MAX_FONT_BYTES:
        return None, [f"{what} is over {MAX_FONT_BYTES:,} bytes"]
    try:
        with _fonttools_silenced(), TTFont(path, lazy=True) as font:
            if font.sfntVersion not in ("\x00\x01\x00\x00", "OTTO", "true") or font.flavor is not None:
                return None, [f"{what} is not a TrueType or OpenType font"]
            family = font["name"].getBestFamilyName()
            cmap = font.getBestCmap() or {}
            fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    except (TTLibError, OSError, KeyError, AssertionError, ValueError) as err:
        return None, [f"{what} cannot be read as a font ({err}); use an unmodified .ttf or .otf file"]
    problems = []
    if fs_type & 0x000F == 0x0002:  # OpenType: "Restricted License embedding"
        problems.append(f"{what}: its licence forbids embedding it in documents (OS/2 fsType 2); choose another font")
    missing = [c for c in FONT_MUST_COVER if ord(c) not in cmap]
    if missing:
        shown = " ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:5])
        problems.append(f"{what} has no glyph for {shown}, which papers print; choose a font that covers them")
    if not family:
        problems.append(f"{what} names no font family (its 'name' table is empty or damaged); use an unmodified file")
    return (family if not problems else None), problems


def _house(spec: HouseStyleFile, organisations: tuple[Masthead, ...], fonts: Fonts | None = None) -> House:
    markings = DEFAULT_HOUSE.markings
    if spec.markings is not None:
        markings = tuple(
            Marking(m.label, m.publish == "yes", m.header or m.label, m.status_line) for m in spec.markings
        )
    front = spec.front_sheet_organisation or (
        organisations[0].organisation if spec.organisations is not None else DEFAULT_HOUSE.front_sheet_organisation
    )
    replaced = {f.name: getattr(spec.wording, f.name) for f in fields(Wording) if getattr(spec.wording, f.name)}
    summary, sections = spec.summary_titles, spec.section_titles
    return House(
        markings=markings,
        organisations=organisations,
        front_sheet_organisation=front,
        summary_parts=tuple((key, getattr(summary, key)) for key, _ in DEFAULT_HOUSE.summary_parts),
        implication_sections=tuple(
            (file, getattr(sections, file.removesuffix(".yaml"))) for file, _ in DEFAULT_HOUSE.implication_sections
        ),
        contact_section=sections.contact,
        appendix_section=sections.appendices,
        wording=Wording(**replaced),
        palette=tuple(spec.palette) if spec.palette else DEFAULT_HOUSE.palette,
        fonts=fonts,
        panel=spec.panel,
        paper_python=spec.paper_python,
        paper_python_seconds=int(spec.paper_python_seconds),
        single_recommendation=spec.single_recommendation,
        say_no_appendices=spec.say_no_appendices == "yes",
        supplement_pages=spec.supplement_pages,
        exemptions=(
            tuple(Exemption(key, words) for key, words in spec.exemptions.items())
            if spec.exemptions is not None
            else DEFAULT_HOUSE.exemptions
        ),
    )
