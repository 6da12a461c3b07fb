"""Turns validated paper files into the resolved model: numbers paragraphs, fills in paragraph
references and figures, and parses inline markup. Every problem keeps its file and line."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from panelpapers.data.paper_data import DataSource, PaperData
from panelpapers.errors import Location, Problem
from panelpapers.house import DEFAULT_HOUSE, House, Wording
from panelpapers.load import content_format as s
from panelpapers.load.content import PaperSource
from panelpapers.load.images import ImageError, load_image
from panelpapers.load.source import Path_, YamlFile
from panelpapers.model import (
    Appendix,
    Block,
    Chart,
    Heading,
    Image,
    Inlines,
    ItemList,
    Link,
    ListItem,
    ListStyle,
    Paper,
    Paragraph,
    Section,
    Source,
    Strong,
    SummaryPart,
    Table,
    Text,
    plain_text,
)
from panelpapers.resolve.markup import MarkupError, expand, parse_inlines

MAX_GROUP_DEPTH = 3  # section › group › group › group: deeper nesting is refused


def walk_groups(groups: list[s.GroupSpec], base: Path_, depth: int = 1) -> Iterator[tuple[s.GroupSpec, Path_, int]]:
    """Every group of a section in reading order, with its path in the file and its depth (1 at the top)."""
    for g, group in enumerate(groups):
        path: Path_ = (*base, "groups", g)
        yield group, path, depth
        yield from walk_groups(group.groups, path, depth + 1)


def roman(number: int) -> str:
    numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def letter(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


MARKERS: dict[ListStyle, Callable[[int], str]] = {
    "letter": lambda n: f"{letter(n)})",
    "roman": lambda n: f"{roman(n)}.",
    "bullet": lambda n: "•",
}
NESTED_STYLE: dict[ListStyle, ListStyle] = {"letter": "roman", "roman": "letter", "bullet": "bullet"}


@dataclass(frozen=True)
class DataUse:
    """Content that shows something computed from data: a placed table or chart, or a quoted figure."""

    kind: str  # table | chart | figure | image (its file name, relative to the paper's folder)
    name: str  # "register_short_term", or "actions.outstanding" for a figure
    location: Location
    marking: str  # the marking of the content it appears in


class _QuotedFigures(dict[str, str]):
    """One group of figures for `{{ group.name }}`, noting every figure the text quotes."""

    def __init__(self, group: str, figures: dict[str, str], quoted: list[str]) -> None:
        super().__init__(figures)
        self.group = group
        self.quoted = quoted

    def __getitem__(self, name: str) -> str:
        value = super().__getitem__(name)
        self.quoted.append(f"{self.group}.{name}")
        return value


class _TextResolver:
    """Resolves the text fields of one file, of one marking, collecting problems instead of stopping."""

    def __init__(self, file: YamlFile, context: _Context, marking: str) -> None:
        self.file = file
        self.context = context
        self.marking = marking
        self.problems = context.problems

    def inlines(self, text: str, path: Path_) -> Inlines:
        quoted = self.context.quoted
        start = len(quoted)

        def unchecked(name: str) -> Any:
            return self.context.unchecked(self.file.text_location(path))

        if "\\ " in text:  # a folded block (>-) joined the line ending in `\` to the next with a space
            self.problems.append(
                Problem(
                    self.file.text_location(path),
                    "'\\' before a space would be printed as a backslash; for a line break, write the text as a "
                    "literal block ('|-') and end the line with '\\' (a folded block '>-' joins the lines)",
                )
            )
            return (Text(text),)
        try:
            return parse_inlines(expand(text, self.context.names, None if self.context.figures_known else unchecked))
        except MarkupError as err:
            location = self.file.text_location(path)
            line = (location.line or 1) + err.line_offset
            self.problems.append(Problem(Location(location.path, line), str(err)))
            return (Text(text),)
        finally:
            where = self.file.text_location(path)
            self.context.uses += [DataUse("figure", name, where, self.marking) for name in quoted[start:]]
            del quoted[start:]

    def source(self, path: Path_) -> Source:
        """Where the text at `path` of this file was written, for writers to name."""
        return Source(self.file.path.name, path)

    def blocks(self, blocks: list[s.TextBlockSpec], path: Path_) -> tuple[Block, ...]:
        out: list[Block] = []
        for i, block in enumerate(blocks):
            if block.paragraph is not None:
                location = self.file.location((*path, i))
                where = (*path, i)
                content = self.inlines(block.paragraph, where)
                out.append(Paragraph(content, location=location, source=self.source(where)))
            elif block.bullets is not None:
                items = tuple(
                    ListItem(
                        "•",
                        self.inlines(text, (*path, i, "bullets", j)),
                        source=self.source((*path, i, "bullets", j)),
                    )
                    for j, text in enumerate(block.bullets)
                )
                out.append(ItemList("bullet", items))
        return tuple(out)

    def item_list(self, items: list[s.SubItem], style: ListStyle, path: Path_) -> ItemList:
        resolved = []
        for i, item in enumerate(items, start=1):
            item_path = (*path, i - 1)
            sublist = (
                self.item_list(item.items, NESTED_STYLE[style], (*item_path, "items"))
                if item.items
                else None
            )
            text_path = (*item_path, "text")
            content = self.inlines(item.text, text_path)
            resolved.append(ListItem(MARKERS[style](i), content, sublist, source=self.source(text_path)))
        return ItemList(style, tuple(resolved))


def paragraph_numbers(supporting: s.SupportingFile, file: YamlFile, problems: list[Problem]) -> dict[str, str]:
    """Label -> paragraph number, decided from structure alone so text can refer forwards."""
    numbers: dict[str, str] = {}
    first_line: dict[str, int | None] = {}
    for section_index, section in enumerate(supporting.sections, start=1):
        count = 0
        for group, base, _depth in walk_groups(section.groups, ("sections", section_index - 1)):
            for p, paragraph in enumerate(group.paragraphs):
                if paragraph.text is None:  # a table, chart or image takes no paragraph number
                    continue
                count += 1
                if paragraph.label is None:
                    continue
                path = (*base, "paragraphs", p, "label")
                if paragraph.label in numbers:
                    problems.append(
                        Problem(
                            file.location(path),
                            f"label '{paragraph.label}' is already used at line {first_line[paragraph.label]}; "
                            "labels must be unique",
                        )
                    )
                    continue
                numbers[paragraph.label] = f"{section_index}.{count}"
                first_line[paragraph.label] = file.location(path).line
    return numbers


def _reference_function(numbers: dict[str, str] | None) -> Callable[[str], str]:
    def ref(label: str) -> str:
        if numbers is None:  # supporting.yaml is itself invalid; its problems are reported already
            return "?"
        if label not in numbers:
            near = difflib.get_close_matches(label, list(numbers), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f" (labels: {', '.join(numbers) or 'none'})"
            raise MarkupError(f"unknown paragraph label '{label}'{hint}")
        return numbers[label]

    return ref


class _Placer:
    """Places the tables and charts of data.yaml where the text names them, numbering each kind in
    reading order ("Table 1", "Figure 1"); each may be placed once."""

    def __init__(self, data: PaperData | None, problems: list[Problem], uses: list[DataUse], words: Wording) -> None:
        self.data = data
        self.words = words
        self.problems = problems
        self.uses = uses
        self.placed: dict[str, Location] = {}
        self.counts = {"table": 0, "chart": 0}

    def place(self, kind: str, name: str, where: Location, marking: str) -> Block | None:
        found: dict[str, Table] | dict[str, Chart] = {}
        if self.data is not None:
            found = self.data.tables if kind == "table" else self.data.charts
        if name not in found:
            if self.data is not None and not self.data.complete:
                return None  # data.yaml's own problems are reported already
            if self.data is None:
                hint = "; declare it in the paper's data.yaml (see `panelpapers docs data`)"
            else:
                near = difflib.get_close_matches(name, list(found), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else f" ({kind}s: {', '.join(found) or 'none'})"
            self.problems.append(Problem(where, f"unknown {kind} '{name}'{hint}"))
            return None
        if name in self.placed:
            first = self.placed[name]
            self.problems.append(Problem(where, f"{kind} '{name}' is already placed at {first}; place it once"))
            return None
        self.placed[name] = where
        self.uses.append(DataUse(kind, name, where, marking))
        self.counts[kind] += 1
        number = self.counts[kind]
        label = self.words.table_label if kind == "table" else self.words.chart_label
        block = found[name]
        if isinstance(block, Table) and block.markup_columns:
            block = self._with_markup(block, where)
        return replace(
            block,
            number=number,
            label=label.format(number=number, caption=block.caption),
            source=self._declaration(kind, name),
            data_files=self._data_files(kind, name),
        )

    def refuse_landscape(self, chart: Chart, where: Location) -> None:
        """A landscape chart among the paragraphs of the body cannot be honoured: the body's pages
        are portrait, and only an appendix turns its pages (docs/data.md)."""
        file = self.data.file if self.data is not None else None
        at = file.location(("charts", chart.id, "landscape")) if file is not None else where
        self.problems.append(
            Problem(
                at,
                f"chart '{chart.id}' is landscape, but it is placed among the paragraphs at {where}, whose pages "
                "are portrait: place it in an appendix's 'content' (appendices.yaml), which turns to a landscape "
                "page, or remove 'landscape'",
            )
        )

    def _declaration(self, kind: str, name: str) -> Source | None:
        """Where data.yaml declares the table or chart."""
        file = self.data.file if self.data is not None else None
        if file is None:
            return None
        sections = ("tables", "register_tables") if kind == "table" else ("charts",)
        for section in sections:
            if name in (file.data.get(section) or {}):
                return Source(file.path.name, (section, name))
        return None

    def _data_files(self, kind: str, name: str) -> tuple[str, ...]:
        """The data files (relative to the paper's folder) a table or chart is computed from."""
        if self.data is None:
            return ()
        folder = self.data.file.path.parent if self.data.file is not None else None
        out = []
        for source_name in sorted(self.data.origins.get(f"{kind}:{name}", ())):
            path = self.data.sources[source_name].path
            where = path.resolve()
            inside = folder is not None and where.is_relative_to(folder.resolve())
            out.append(str(where.relative_to(folder.resolve())) if inside and folder is not None else path.name)
        return tuple(out)

    def _with_markup(self, table: Table, where: Location) -> Table:
        """Parses the cells of the columns declared `markup: yes`; a bad cell is reported by row and column."""
        rows = []
        for r, row in enumerate(table.rows, start=1):
            cells = list(row.cells)
            for c in table.markup_columns:
                text = plain_text(cells[c])
                try:
                    cells[c] = parse_inlines(text) if text else ()
                except MarkupError as err:
                    column = table.headers[c]
                    self.problems.append(Problem(where, f"table '{table.id}', row {r}, column '{column}': {err}"))
            rows.append(replace(row, cells=tuple(cells)))
        return replace(table, rows=tuple(rows))

    def place_image(
        self, entry: s.ParagraphSpec, folder: Any, where: Location, marking: str, key: Source | None = None
    ) -> Image | None:
        """An image file from the paper's folder; a captioned one is numbered with the charts."""
        assert entry.image is not None and entry.alt is not None
        self.uses.append(DataUse("image", entry.image, where, marking))
        try:
            loaded = load_image(folder, entry.image)
        except ImageError as err:
            self.problems.append(Problem(where, str(err)))
            return None
        image = Image(loaded.media_type, loaded.data, entry.alt, loaded.width_mm, loaded.height_mm, entry.caption or "")
        if key is not None:  # where the entry placing it was written
            image = replace(
                image,
                alt_source=Source(key.file, (*key.key, "alt")),
                caption_source=Source(key.file, (*key.key, "caption")) if entry.caption else None,
            )
        if not entry.caption:
            return image
        self.counts["chart"] += 1
        number = self.counts["chart"]
        return replace(image, number=number, label=self.words.chart_label.format(number=number, caption=entry.caption))


class _Unchecked(dict[str, str]):
    """Stands in for a figure group when data.yaml could not be read: every figure is "?"."""

    def __getitem__(self, name: str) -> str:
        return "?"


class _Context:
    """What resolving one paper shares: the names text may use, the problems found so far, where
    tables and charts are placed, and every use of the paper's data."""

    def __init__(
        self, source: PaperSource, data: PaperData | None, numbers: dict[str, str] | None, house: House
    ) -> None:
        self.source = source
        self.house = house
        self.problems: list[Problem] = []
        self.uses: list[DataUse] = []
        self.quoted: list[str] = []  # figures quoted by the text being resolved
        figures = data.figures if data else {}
        self.names: dict[str, Any] = {
            **{group: _QuotedFigures(group, named, self.quoted) for group, named in figures.items()},
            "ref": _reference_function(numbers),
        }
        self.placer = _Placer(data, self.problems, self.uses, house.wording)
        # data.yaml could not be read, so which figures exist is not known: names text uses that
        # are not known are not reported one by one (see `unchecked_note`).
        self.figures_known = data is None or data.figures_known
        self.unchecked_at: list[Location] = []
        self.as_of: dt.date | None = None  # the day withheld items are released as of

    def unchecked(self, where: Location) -> _Unchecked:
        if where not in self.unchecked_at:
            self.unchecked_at.append(where)
        return _Unchecked()

    def unchecked_note(self) -> list[Problem]:
        """One line for all the text fields whose figures could not be checked."""
        if not self.unchecked_at:
            return []
        others = len(self.unchecked_at) - 1
        where = f"here and in {others} other place{'s' if others != 1 else ''}" if others else "here"
        return [
            Problem(min(self.unchecked_at), f"figures quoted {where} were not checked, because data.yaml has problems")
        ]

    def text_of(self, name: str, marking: str) -> _TextResolver:
        return _TextResolver(self.source.files[name], self, marking)


def resolve_paper(
    source: PaperSource,
    data: PaperData | None = None,
    house: House = DEFAULT_HOUSE,
    public: bool = False,
    uses: list[DataUse] | None = None,
) -> tuple[Paper | None, list[Problem]]:
    """The paper as the restricted variant prints it or, with `public`, as the public variant does:
    None if the paper itself is marked above the public marking; otherwise its appendices marked
    above it are withheld before anything is placed, so that nothing in the public paper (not even a
    table's number) depends on them. `uses`, if given, receives every table and chart placed and
    every figure quoted."""
    specs = source.specs
    paper_spec: s.PaperFile | None = specs.get("paper.yaml")
    withheld = paper_spec is not None and not house.is_publishable(paper_spec.marking)
    released = paper_spec is not None and withheld and is_released(paper_spec.exempt, house.as_of or paper_spec.date)
    if public and withheld and not released:
        return None, []
    supporting: s.SupportingFile | None = specs.get("supporting.yaml")
    numbers_problems: list[Problem] = []
    numbers = paragraph_numbers(supporting, source.files["supporting.yaml"], numbers_problems) if supporting else None
    context = _Context(source, data, numbers, house)
    context.problems.extend(numbers_problems)
    context.as_of = house.as_of or (paper_spec.date if paper_spec else None)

    # Reading order, so tables and charts are numbered as a reader meets them.
    marking = paper_spec.marking if paper_spec else house.labels[0]  # without one, the paper is not built
    if public and released:
        marking = house.public_marking  # published from its release date, as an appendix is
    if paper_spec is not None and paper_spec.exempt is not None and not withheld:
        context.problems.append(
            Problem(
                source.files["paper.yaml"].location(("exempt",)),
                f"this paper is {paper_spec.marking}, which the public variant prints: 'exempt:' belongs only on "
                "a paper withheld from it; remove 'exempt:' or give the paper a marking that is not published",
            )
        )
    sections, appendices = _numbered_sections(specs, context, marking, public)
    summary = _summary(specs.get("summary.yaml"), context, marking)
    recommendations = _recommendations(specs.get("recommendations.yaml"), context, marking)
    report_by: Inlines = ()
    if paper_spec is not None:
        report_by = context.text_of("paper.yaml", marking).inlines(paper_spec.report_by, ("report_by",))
    if data is not None and not public:
        context.problems.extend(check_data_markings(data, context.uses, house))
    context.problems.extend(context.unchecked_note())
    if uses is not None:
        uses.extend(context.uses)

    problems = context.problems
    contacts: s.ContactFile | None = specs.get("contact.yaml")
    recommendations_spec: s.RecommendationsFile | None = specs.get("recommendations.yaml")
    appendix_file: s.AppendicesFile | None = specs.get("appendices.yaml")
    if problems or not source.complete or paper_spec is None or contacts is None or recommendations_spec is None:
        return None, problems
    paper = Paper(
        slug=source.folder.name,
        title=paper_spec.title,
        meeting=paper_spec.meeting,
        date=paper_spec.date,
        report_by=report_by,
        organisation=paper_spec.organisation,
        masthead=house.masthead(paper_spec.organisation),
        marking=marking,
        status=paper_spec.status,
        author=" and ".join(person.name for person in contacts.contacts[0].persons),
        summary=summary,
        recommendations_lead=_recommendations_lead(recommendations_spec, house),
        recommendations=recommendations,
        sections=sections,
        appendices=appendices,
        background_papers=tuple(appendix_file.background_papers) if appendix_file else (),
        house=house,
        contents=paper_spec.contents,
        date_with_weekday=paper_spec.date_format == "with_weekday",
        title_source=Source("paper.yaml", ("title",)),
        report_by_source=Source("paper.yaml", ("report_by",)),
        version_note=cover_note(paper_spec.exempt, house, public, released) if withheld else "",
    )
    if house.correction(source.folder.name):  # a corrected version's note comes after a release's
        notes = [paper.version_note, house.correction(source.folder.name)]
        paper = replace(paper, version_note=house.wording.appendix_title_separator.join(n for n in notes if n))
    return paper, problems


def check_data_markings(data: PaperData, uses: list[DataUse], house: House) -> list[Problem]:
    """Every source and risk register takes the marking its author declared or, by default, the
    highest marking of the content that shows anything computed from it. Showing such a thing in
    content of a lower marking would publish the data at the lower marking: each is a problem."""
    users: dict[str, list[DataUse]] = {}
    for use in uses:
        for source_name in sorted(data.origins.get(f"{use.kind}:{use.name}", ())):
            users.setdefault(source_name, []).append(use)
    problems: dict[DataUse, Problem] = {}
    for name, its_uses in users.items():
        source = data.sources[name]
        highest = max(its_uses, key=lambda use: house.rank(use.marking))
        marking = source.declared_marking or highest.marking
        why = (
            f"which data.yaml marks {marking}"
            if source.declared_marking
            else f"which is {marking} because content of that marking shows it ({highest.kind} "
            f"'{highest.name}' at {highest.location})"
        )
        for use in its_uses:
            if use in problems or house.rank(use.marking) >= house.rank(marking):
                continue
            problems[use] = Problem(
                use.location,
                f"{use.kind} '{use.name}' comes from {_described(source)}, {why}; this content is {use.marking}: "
                f"show it only in content marked {marking}, or declare 'marking: {use.marking}' on "
                f"'{name}' in data.yaml if its data may be shown at {use.marking}",
            )
    return list(problems.values())


def _described(source: DataSource) -> str:
    where = source.path.name if source.path.suffix != ".yaml" else "inline rows"
    return f"data source '{source.name}' ({where})"


def _numbered_sections(
    specs: dict[str, Any], context: _Context, marking: str, public: bool
) -> tuple[tuple[Section, ...], tuple[Appendix, ...]]:
    """Supporting information, the implications, contact details and the appendix list, numbered on
    from 1; and the appendices themselves (`public`: those above the public marking withheld). A file
    that failed to load keeps its number free."""
    sections: list[Section] = []
    supporting: s.SupportingFile | None = specs.get("supporting.yaml")
    if supporting:
        text = context.text_of("supporting.yaml", marking)
        for n, section in enumerate(supporting.sections, start=1):
            sections.append(_supporting_section(n, section, text, context.placer, marking))
    number = len(sections)
    house = context.house
    for name, title in house.implication_sections:
        number += 1
        implications: s.ImplicationsFile | None = specs.get(name)
        if implications:
            blocks = context.text_of(name, marking).blocks(implications.paragraphs, ("paragraphs",))
            sections.append(Section(str(number), title, blocks, marking))
    contacts: s.ContactFile | None = specs.get("contact.yaml")
    number += 1
    if contacts:
        contact = _contact_blocks(contacts, house.wording)
        sections.append(Section(str(number), house.contact_section, contact, marking))
    appendix_file: s.AppendicesFile | None = specs.get("appendices.yaml")
    number += 1
    appendices: tuple[Appendix, ...] = ()
    if appendix_file:
        appendices = tuple(
            _appendix(spec, i, context, marking, public) for i, spec in enumerate(appendix_file.appendices)
        )
        background = tuple(appendix_file.background_papers)
        say = appendix_file.say_no_appendices
        say_none = house.say_no_appendices if say is None else say == "yes"
        sections.append(appendix_section(str(number), appendices, background, marking, house, say_none))
    return tuple(sections), appendices


def _appendix(spec: s.AppendixSpec, index: int, context: _Context, paper_marking: str, public: bool) -> Appendix:
    """An appendix as the variant prints it. One above the public marking is withheld from the public
    variant, its stub saying why (`exempt:`), until the day of its release: from then on (as of the
    build's date) the public variant prints it whole, at the public marking, noting its release."""
    house, words = context.house, context.house.wording
    marking = spec.marking or paper_marking
    withheld = not house.is_publishable(marking)
    if spec.exempt is not None and not withheld:
        where = context.source.files["appendices.yaml"].location(("appendices", index, "exempt"))
        context.problems.append(
            Problem(
                where,
                f"appendix {spec.ref} is {marking}, which the public variant prints: 'exempt:' belongs only on "
                "an item withheld from it; remove 'exempt:' or give the appendix a marking that is not published",
            )
        )
    exemption = exemption_words(spec.exempt, house)
    release = spec.exempt.release_after if spec.exempt else None
    released = public and withheld and is_released(spec.exempt, context.as_of)
    if public and withheld and not released:
        stub = words.withheld_appendix.format(marking=marking)
        title = words.appendix_title_separator.join([stub, exemption]) if exemption else stub
        return Appendix(spec.ref, title, marking, withheld=True)
    if released:
        marking = house.public_marking
    text = context.text_of("appendices.yaml", marking)
    blocks = _appendix_blocks(spec, ("appendices", index), text, context.placer)
    note = words.released.format(date=words.date_text(release)) if released and release else exemption
    heading = appendix_heading(spec.ref, spec.title, marking, words)
    if note:
        heading = words.appendix_title_separator.join([heading, note])
    title_source = text.source(("appendices", index, "title"))
    return Appendix(
        spec.ref, spec.title, marking, blocks, heading, short_title=spec.short_title, title_source=title_source,
        note=note,
    )


def is_released(exempt: s.ExemptSpec | None, as_of: dt.date | None) -> bool:
    """Is a withheld item with this exemption published as of that day?"""
    due = exempt.release_after if exempt is not None else None
    return due is not None and as_of is not None and due <= as_of


def words_released(exempt: s.ExemptSpec | None, house: House) -> str:
    """ "Released on 1 July 2022" for a released item."""
    assert exempt is not None and exempt.release_after is not None
    return house.wording.released.format(date=house.wording.date_text(exempt.release_after))


def cover_note(exempt: s.ExemptSpec | None, house: House, public: bool, released: bool) -> str:
    """What a paper withheld whole from the public variant says under its title: "Released on …" in
    the public variant once released; in the restricted one, why the public is not shown it ("Exempt:
    …; to be released on …"), as a withheld appendix's heading does."""
    if public:
        return words_released(exempt, house) if released else ""
    words = exemption_words(exempt, house)
    return words[:1].upper() + words[1:]


def exemption_words(exempt: s.ExemptSpec | None, house: House) -> str:
    """What a withheld item prints of its exemption: "exempt: Schedule 12A, paragraph 3 …; may be seen
    by …; to be released on 1 March 2023", or "" without one."""
    if exempt is None:
        return ""
    words = house.wording
    parts = [words.exempt_reason.format(reason=house.exemption(exempt.reason).words)]
    if exempt.audience:
        parts.append(words.exempt_audience.format(audience=exempt.audience))
    if exempt.release_after:
        parts.append(words.exempt_release.format(date=words.date_text(exempt.release_after)))
    return "; ".join(parts)


def _summary(spec: s.SummaryFile | None, context: _Context, marking: str) -> tuple[SummaryPart, ...]:
    if spec is None:
        return ()
    text = context.text_of("summary.yaml", marking)
    parts = context.house.summary_parts
    return tuple(SummaryPart(title, text.blocks(getattr(spec, key), (key,))) for key, title in parts)


def _recommendations(spec: s.RecommendationsFile | None, context: _Context, marking: str) -> ItemList:
    """Lettered a., b., …; a paper's only recommendation has no letter unless it asks for one."""
    if spec is None:
        return ItemList("letter", ())
    text = context.text_of("recommendations.yaml", marking)
    single = len(spec.items) == 1 and single_form(spec, context.house) != "lettered"
    if spec.single is None and spec.lead is not None and single_form(spec, context.house) == "sentence":
        context.problems.append(
            Problem(
                text.file.location(("lead",)),
                "the house prints a paper's only recommendation as a sentence with no lead line "
                "(panelpapers.yaml: single_recommendation: sentence); remove 'lead', or add 'single: unlettered'",
            )
        )
    return ItemList(
        "letter",
        tuple(
            ListItem(
                "" if single else f"{letter(i)}.",
                text.inlines(item, ("items", i - 1)),
                source=text.source(("items", i - 1)),
            )
            for i, item in enumerate(spec.items, start=1)
        ),
    )


def single_form(spec: s.RecommendationsFile, house: House) -> str:
    """How a lone recommendation is printed: as its file says, else as the house does."""
    if len(spec.items) != 1:
        return "unlettered"
    return spec.single or house.single_recommendation


def _recommendations_lead(spec: s.RecommendationsFile, house: House) -> str:
    """The line above the recommendations; none above one written as a sentence of its own."""
    if single_form(spec, house) == "sentence":
        return ""
    return spec.lead or house.wording.recommendations_lead


def _placed(entry: s.ParagraphSpec, path: Path_, text: _TextResolver, placer: _Placer) -> Block | None:
    """The table, chart or image an entry places."""
    where = text.file.location(path)
    if entry.image is not None:
        return placer.place_image(entry, text.context.source.folder, where, text.marking, text.source(path))
    kind, name = ("table", entry.table) if entry.table is not None else ("chart", entry.chart)
    assert name is not None
    return placer.place(kind, name, where, text.marking)


def _paragraph(entry: s.ParagraphSpec, path: Path_, text: _TextResolver, number: str | None) -> Paragraph:
    assert entry.text is not None
    items = text.item_list(entry.items, entry.item_style, (*path, "items")) if entry.items else None
    return Paragraph(
        content=text.inlines(entry.text, (*path, "text")),
        number=number,
        lead=text.inlines(entry.lead, (*path, "lead")) if entry.lead else (),
        items=items,
        location=text.file.location(path),
        source=text.source((*path, "text")),
        lead_source=text.source((*path, "lead")) if entry.lead else None,
    )


def _appendix_blocks(appendix: s.AppendixSpec, path: Path_, text: _TextResolver, placer: _Placer) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for i, entry in enumerate(appendix.content):
        where = (*path, "content", i)
        placed: Block | None
        if entry.paragraph is not None:
            placed = Paragraph(
                text.inlines(entry.paragraph, where), location=text.file.location(where), source=text.source(where)
            )
        elif entry.text is not None:
            placed = _paragraph(entry, where, text, None)
        elif entry.heading is not None or entry.subheading is not None:
            level, heading = (1, entry.heading) if entry.heading is not None else (2, entry.subheading)
            assert heading is not None
            key = "heading" if level == 1 else "subheading"
            placed = Heading(text.inlines(heading, (*where, key)), level, source=text.source((*where, key)))
        elif entry.bullets is not None:
            bullets = enumerate(entry.bullets)
            items = tuple(
                ListItem("•", text.inlines(b, (*where, "bullets", j)), source=text.source((*where, "bullets", j)))
                for j, b in bullets
            )
            placed = ItemList("bullet", items)
        else:
            placed = _placed(entry, where, text, placer)
        if placed is not None:
            blocks.append(placed)
    return tuple(blocks)


def _supporting_section(
    number: int, section: s.SectionSpec, text: _TextResolver, placer: _Placer, marking: str
) -> Section:
    blocks: list[Block] = []
    count = 0
    for group, base, depth in walk_groups(section.groups, ("sections", number - 1)):
        if depth > MAX_GROUP_DEPTH:
            if depth == MAX_GROUP_DEPTH + 1:  # once, where the nesting goes too deep
                message = f"groups nest at most {MAX_GROUP_DEPTH} deep (section › group › group › group)"
                text.problems.append(Problem(text.file.location(base), message))
            continue
        if group.heading:
            where = (*base, "heading")
            blocks.append(Heading(text.inlines(group.heading, where), depth, text.source(where)))
        for p, paragraph in enumerate(group.paragraphs):
            path = (*base, "paragraphs", p)
            if paragraph.text is None:
                placed = _placed(paragraph, path, text, placer)
                if isinstance(placed, Chart) and placed.landscape:
                    placer.refuse_landscape(placed, text.file.location(path))
                if placed is not None:
                    blocks.append(placed)
                continue
            count += 1
            blocks.append(_paragraph(paragraph, path, text, f"{number}.{count}"))
    return Section(str(number), section.title, tuple(blocks), marking, text.source(("sections", number - 1, "title")))


def _contact_blocks(contacts: s.ContactFile, words: Wording) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for contact in contacts.contacts:
        if contact.people:  # "Report authors:" once, then each person
            blocks.append(Paragraph((Text(words.contact_people.format(role=contact.role)),)))
        for person in contact.persons:
            who = ", ".join(part for part in (person.name, person.job_title, person.team) if part)
            line = who if contact.people else words.contact_person.format(role=contact.role, who=who)
            blocks.append(Paragraph((Text(line),)))
            if person.email:
                blocks.append(
                    Paragraph((Text(words.contact_email), Link(f"mailto:{person.email}", (Text(person.email),))))
                )
            if person.phone:
                blocks.append(Paragraph((Text(words.contact_phone.format(phone=person.phone)),)))
    return tuple(blocks)


def appendix_heading(ref: str, title: str, marking: str, words: Wording) -> str:
    """"Appendix A – Risk register (OFFICIAL)": the heading above an appendix and its line in the list."""
    return words.appendix.format(ref=ref) + words.appendix_title_separator + _marked_title(title, marking, words)


def _marked_title(title: str, marking: str, words: Wording) -> str:
    return title + words.appendix_marking.format(marking=marking)


def appendix_section(
    number: str,
    appendices: tuple[Appendix, ...],
    background_papers: tuple[str, ...],
    paper_marking: str,
    house: House,
    say_no_appendices: bool = True,
) -> Section:
    """The list of appendices, each with its marking, and the background papers. It is part of the
    paper's body and carries the paper's marking: an appendix's content, not its title, carries its own."""
    words = house.wording
    blocks: list[Block] = []
    for appendix in appendices:
        name = words.appendix.format(ref=appendix.ref)
        listed = appendix.short_title or appendix.title
        title = listed if appendix.withheld else _marked_title(listed, appendix.marking, words)
        if appendix.note:
            title = words.appendix_title_separator.join([title, appendix.note])
        blocks.append(Paragraph((Strong((Text(name),)), Text(words.appendix_title_separator + title))))
    if not appendices and say_no_appendices:
        blocks.append(Paragraph((Text(words.no_appendices),)))
    if background_papers:
        blocks.append(Paragraph((Strong((Text(words.background_papers),)),)))
        blocks.append(ItemList("bullet", tuple(ListItem("•", (Text(b),)) for b in background_papers)))
    else:
        blocks.append(Paragraph((Text(words.no_background_papers),)))
    return Section(number, house.appendix_section, tuple(blocks), paper_marking)
