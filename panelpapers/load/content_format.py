"""The author's format as pydantic models, and the translation of validation errors into
`file:line: expected …, got …` lines with the nearest valid key for a typo."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Collection
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from panelpapers.errors import Problem
from panelpapers.house import DEFAULT_HOUSE, House
from panelpapers.load.source import YamlFile

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _one_of(vocabulary: Callable[[House], Collection[str]], none_defined: str = "") -> Any:
    """A word from the house vocabulary of the content being validated (`validate(…, house)`), with
    the choices named when it is not one; `none_defined` says what to do when the house has none."""

    def check(value: Any, info: ValidationInfo) -> Any:
        house = info.context.get("house", DEFAULT_HOUSE) if isinstance(info.context, dict) else DEFAULT_HOUSE
        words = vocabulary(house)
        if isinstance(value, str) and value in words:
            return value
        if not words:
            raise ValueError(f"got {_describe(value)}, but {none_defined}")
        choices = [f"'{word}'" for word in words]
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]
        raise ValueError(f"expected one of {listed}, got {_describe(value)}")

    return BeforeValidator(check)


def _house_panel(value: Any, info: ValidationInfo) -> Any:
    """The panel's name as the file gives it, else the house's (`panel:` in panelpapers.yaml)."""
    if value is not None:
        return value
    house = info.context.get("house", DEFAULT_HOUSE) if isinstance(info.context, dict) else DEFAULT_HOUSE
    if house.panel is None:
        raise ValueError(
            "missing: give the panel's name here, or once for every meeting as 'panel:' in panelpapers.yaml"
        )
    return house.panel


# The panel's name: required unless the house names its panel (the field's default is then the house's).
PanelName = Annotated[Text, BeforeValidator(_house_panel)]
Marking = Annotated[str, _one_of(lambda house: house.labels)]
Organisation = Annotated[str, _one_of(lambda house: [masthead.organisation for masthead in house.organisations])]


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected a date as YYYY-MM-DD, got '{value}'") from None
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _wrap_string(key: str) -> Any:
    """Lets an author write a bare string where a mapping with `key` is the full form."""

    def wrap(value: Any) -> Any:
        return {key: value} if isinstance(value, str) else value

    return BeforeValidator(wrap)


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def line_problems(self, source: YamlFile) -> list[Problem]:
        """Checks of a valid file that are reported at a line inside it (a duplicate where it stands),
        which a validator cannot do: it only knows the mapping it checks. Run by `validate`."""
        return []


def require_one(*values: object, expected: str) -> None:
    """For specs that offer alternatives: exactly one of `values` must be given."""
    if sum(value is not None for value in values) != 1:
        raise ValueError(expected)


class TextBlockSpec(Spec):
    """A paragraph (written as a plain string) or a bulleted list."""

    paragraph: Text | None = None
    bullets: list[Text] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> TextBlockSpec:
        require_one(self.paragraph, self.bullets, expected="expected a paragraph (text) or 'bullets: [ … ]'")
        return self


TextBlocks = Annotated[list[Annotated[TextBlockSpec, _wrap_string("paragraph")]], Field(min_length=1)]


class SubItem(Spec):
    text: Text
    items: list[Annotated[SubItem, _wrap_string("text")]] | None = Field(default=None, min_length=1)


ItemStyle = Literal["letter", "roman", "bullet"]


class ParagraphSpec(Spec):
    text: Text | None = None
    lead: Text | None = None
    label: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")] | None = None
    items: list[Annotated[SubItem, _wrap_string("text")]] | None = Field(default=None, min_length=1)
    item_style: ItemStyle = "letter"
    table: Text | None = None  # a table or chart from data.yaml, placed here (not numbered as a paragraph)
    chart: Text | None = None
    image: Text | None = None  # a PNG, JPEG or SVG file in the paper's folder, placed here
    alt: Text | None = None  # the image's text alternative: what a reader who cannot see it needs
    caption: Text | None = None  # the image's caption; a captioned image is numbered as a Figure

    def _check_image(self) -> None:
        """`alt` and `caption` go with an image, and an image always has its `alt`."""
        if self.image is None and (self.alt or self.caption):
            raise ValueError("'alt' and 'caption' belong to an image ('image: <file>')")
        if self.image is not None and self.alt is None:
            raise ValueError(
                "an image needs 'alt': a text alternative saying what the image shows, for readers who cannot see it"
            )

    @model_validator(mode="after")
    def _one_kind(self) -> ParagraphSpec:
        expected = "expected 'text', 'table: <name>', 'chart: <name>' or 'image: <file>' (one of them)"
        require_one(self.text, self.table, self.chart, self.image, expected=expected)
        if self.text is None and (self.lead or self.label or self.items):
            raise ValueError("'lead', 'label' and 'items' belong to a text paragraph, not a table, chart or image")
        self._check_image()
        return self


class GroupSpec(Spec):
    """Paragraphs under an optional heading; a group may hold groups of its own (headings one level
    down, at most three levels), and a heading may stand alone above the groups that follow it."""

    heading: Text | None = None
    paragraphs: list[Annotated[ParagraphSpec, _wrap_string("text")]] = []
    groups: list[GroupSpec] = []

    @model_validator(mode="after")
    def _not_empty(self) -> GroupSpec:
        if not (self.heading or self.paragraphs or self.groups):
            raise ValueError("expected 'heading', 'paragraphs' or 'groups' in a group")
        return self


class SectionSpec(Spec):
    title: Text
    groups: list[GroupSpec] = Field(min_length=1)


DateFormat = Literal["plain", "with_weekday"]


ExemptionReason = Annotated[
    str,
    _one_of(
        lambda house: [exemption.key for exemption in house.exemptions],
        "the house names no exemptions: list them under 'exemptions:' in panelpapers.yaml",
    ),
]


class ExemptSpec(Spec):
    """Why a withheld item is withheld, who may see it and when it may be published."""

    reason: ExemptionReason  # one of the house's `exemptions:`
    audience: Text | None = None  # "Panel members and the external auditor"
    release_after: IsoDate | None = None  # published on this day or after it


class PaperFile(Spec):
    title: Text
    meeting: PanelName = Field(default=None, validate_default=True)  # the panel's name, printed above the date
    date: IsoDate
    report_by: Text
    organisation: Organisation
    marking: Marking
    status: Literal["draft", "final"]
    contents: bool = False  # a contents list after the summary, for long papers
    date_format: DateFormat = "plain"  # "17 January 2022", or with_weekday: "Monday 17 January 2022"
    exempt: ExemptSpec | None = None  # only on a paper withheld from the public variant


class SummaryFile(Spec):
    purpose: TextBlocks
    key_considerations: TextBlocks
    interdependencies: TextBlocks


class RecommendationsFile(Spec):
    lead: Text | None = None  # default: the house's lead-in (house.py)
    items: list[Text] = Field(min_length=1)
    # How a paper's only recommendation is printed: under the lead line without its letter (the
    # default), with its letter "a.", or as a sentence of its own with no lead line.
    single: Literal["unlettered", "lettered", "sentence"] | None = None

    @model_validator(mode="after")
    def _single_fits(self) -> RecommendationsFile:
        if self.single is not None and len(self.items) > 1:
            raise ValueError(
                f"'single' says how a paper's only recommendation is printed, but there are {len(self.items)}; "
                "remove 'single'"
            )
        if self.single == "sentence" and self.lead is not None:
            raise ValueError("'single: sentence' prints no lead line; remove 'lead' or write it into the sentence")
        return self


class SupportingFile(Spec):
    sections: list[SectionSpec] = Field(min_length=1)


class ImplicationsFile(Spec):
    paragraphs: TextBlocks


class PersonSpec(Spec):
    name: Text
    job_title: Text | None = None  # printed after the name: "A. Author, Head of Audit, Strategy and Governance"
    team: Text | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Text | None = None


class ContactSpec(Spec):
    """One person under their role ("Report author: A. Author, …"), or `people` listed together under
    one plural role ("Report authors:", then a line for each)."""

    role: Text = "Report author"
    name: Text | None = None
    job_title: Text | None = None
    team: Text | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Text | None = None
    people: list[PersonSpec] | None = Field(default=None, min_length=2)

    @model_validator(mode="after")
    def _one_or_people(self) -> ContactSpec:
        if self.name is None and self.people is None:
            raise ValueError("missing required key 'name' (or 'people': two or more listed under one role)")
        if self.name is not None and self.people is not None:
            raise ValueError("expected 'name' or 'people', not both; keep one")
        if self.people and (self.job_title or self.team or self.email or self.phone):
            raise ValueError("with 'people', give each person's job_title, team, email and phone under their name")
        return self

    @property
    def persons(self) -> list[PersonSpec]:
        if self.people:
            return self.people
        assert self.name is not None
        fields = {"job_title": self.job_title, "team": self.team, "email": self.email, "phone": self.phone}
        return [PersonSpec(name=self.name, **fields)]


class ContactFile(Spec):
    contacts: list[ContactSpec] = Field(min_length=1)


class AppendixContent(ParagraphSpec):
    """One entry of an appendix's content: a paragraph (a string, or `text` with a bold `lead` and
    `items`), a `heading` or `subheading`, a `bullets` list, or a table, chart or image."""

    paragraph: Text | None = None
    heading: Text | None = None  # a heading in the appendix (and a bookmark under it)
    subheading: Text | None = None  # a heading one level below
    bullets: list[Text] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> AppendixContent:
        expected = (
            "expected a paragraph (text), 'heading', 'subheading', 'bullets', 'table: <name>', "
            "'chart: <name>' or 'image: <file>' (one of them)"
        )
        kinds = (self.paragraph, self.text, self.heading, self.subheading, self.bullets)
        require_one(*kinds, self.table, self.chart, self.image, expected=expected)
        if self.label:
            raise ValueError("'label' names a numbered supporting paragraph; appendix text is not numbered")
        if self.text is None and (self.lead or self.items):
            raise ValueError("'lead' and 'items' belong to a text paragraph ('text: …')")
        self._check_image()
        return self


class AppendixSpec(Spec):
    ref: Text
    title: Text  # the heading above its content
    short_title: Text | None = None  # in the list of appendices, if the title is too long for it
    marking: Marking | None = None
    exempt: ExemptSpec | None = None  # only on an appendix withheld from the public variant
    content: list[Annotated[AppendixContent, _wrap_string("paragraph")]] = []


class AppendicesFile(Spec):
    appendices: list[AppendixSpec]
    background_papers: list[Text]
    # "no": a paper without appendices prints only its background papers line, not "There are no appendices".
    say_no_appendices: Literal["yes", "no"] | None = None  # default: the house's

    @model_validator(mode="after")
    def _say_no_appendices_fits(self) -> AppendicesFile:
        if self.say_no_appendices == "no" and self.appendices:
            raise ValueError("'say_no_appendices' is for a paper with no appendices; remove it")
        return self

    def line_problems(self, source: YamlFile) -> list[Problem]:
        """An appendix's ref names it in the paper ("Appendix A"), so two with one ref are a mistake."""
        problems: list[Problem] = []
        first_line: dict[str, int | None] = {}
        for index, appendix in enumerate(self.appendices):
            where = source.location(("appendices", index, "ref"))
            if appendix.ref in first_line:
                problems.append(
                    Problem(
                        where,
                        f"appendix ref '{appendix.ref}' is already used at line {first_line[appendix.ref]}; "
                        "refs must be unique",
                    )
                )
            else:
                first_line[appendix.ref] = where.line
        return problems


class MemberSpec(Spec):
    name: Text
    role: Text | None = None


class AttendeeGroup(Spec):
    organisation: Text
    people: list[Text] = Field(min_length=1)


class AgendaItemSpec(Spec):
    paper: Text | None = None
    oral: Text | None = None
    presenter: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> AgendaItemSpec:
        require_one(self.paper, self.oral, expected="expected 'paper: <folder>' or 'oral: <title>' (one of them)")
        return self


class MeetingContact(Spec):
    name: Text
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class MeetingFile(Spec):
    panel: PanelName = Field(default=None, validate_default=True)
    date: IsoDate
    time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    venue: Text
    membership: list[MemberSpec] = Field(min_length=1)
    attendees: list[AttendeeGroup] = []
    audit_representatives: list[Text] = []
    contact: MeetingContact
    next_meeting: IsoDate | None = None
    agenda: list[AgendaItemSpec] = Field(min_length=1)


# Paper section files, in reading order: file name -> (model, what the section is called).
SECTION_FILES: dict[str, type[Spec]] = {
    "paper.yaml": PaperFile,
    "summary.yaml": SummaryFile,
    "recommendations.yaml": RecommendationsFile,
    "supporting.yaml": SupportingFile,
    "equality.yaml": ImplicationsFile,
    "financial.yaml": ImplicationsFile,
    "legal.yaml": ImplicationsFile,
    "risk.yaml": ImplicationsFile,
    "contact.yaml": ContactFile,
    "appendices.yaml": AppendicesFile,
}

M = TypeVar("M", bound=BaseModel)


def validate(source: YamlFile, model: type[M], house: House = DEFAULT_HOUSE) -> tuple[M | None, list[Problem]]:
    """Validates a loaded file against `house`'s vocabulary; on failure every problem comes back with
    its line. A file that is valid but has problems only its lines can show (see `Spec.line_problems`)
    comes back with them."""
    try:
        spec = model.model_validate(source.data, context={"house": house})
    except ValidationError as err:
        errors = err.errors(include_url=False)
        # A typo'd key also makes the intended key "missing": say it once, as the typo.
        suggested = {
            (e["loc"][:-1], near)
            for e in errors
            if e["type"] == "extra_forbidden"
            for near in difflib.get_close_matches(
                str(e["loc"][-1]), _allowed_keys(model, e["loc"][:-1]), n=1, cutoff=0.6
            )
        }
        problems = [
            _problem(source, model, e)
            for e in errors
            if not (e["type"] == "missing" and (e["loc"][:-1], e["loc"][-1]) in suggested)
        ]
        return None, problems
    return spec, spec.line_problems(source) if isinstance(spec, Spec) else []


def _problem(source: YamlFile, model: type[BaseModel], error: Any) -> Problem:
    loc = _data_path(source.data, error["loc"])
    kind = error["type"]
    value = error.get("input")
    where = ".".join(str(p) for p in loc)
    if kind == "missing":
        name = error["loc"][-1]
        parent = source.location(loc)
        return Problem(parent, f"missing required key '{name}'")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, error["loc"][:-1])
        near = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        quoted = _text_read_as_key(_node(source.data, loc[:-1])) if loc[:-1] and isinstance(loc[-2], int) else None
        if quoted and not near:
            return Problem(source.location(loc), f"unknown key '{loc[-1]}'; {quoted}")
        hint = f"; did you mean '{near[0]}'?" if near else ""
        return Problem(
            source.location(loc),
            f"unknown key '{loc[-1]}'{hint} (allowed here: {', '.join(allowed)})",
        )
    if kind == "literal_error":
        expected = error["ctx"]["expected"]
        return Problem(source.location(loc), f"{where}: expected one of {expected}, got {_describe(value)}")
    if kind == "value_error":
        message = str(error["ctx"]["error"])
        return Problem(source.location(loc), f"{where}: {message}" if where else message)
    expected = _pattern_hint(error) if kind == "string_pattern_mismatch" else {
        "string_type": "text",
        "list_type": "a list (lines starting with '- ')",
        "model_type": "a mapping of keys",
        "model_attributes_type": "a mapping of keys",
        "dict_type": "a mapping of keys",
        "too_short": "at least one entry",
        "string_too_short": "some text",
        "date_from_datetime_parsing": "a date as YYYY-MM-DD",
        "date_type": "a date as YYYY-MM-DD",
        "bool_parsing": "true or false",
        "bool_type": "true or false",
    }.get(kind, error["msg"].lower())
    quoted = _text_read_as_key(value) if kind == "string_type" else None
    return Problem(
        source.location(loc),
        f"{where or 'file'}: expected {expected}, got {_describe(value)}" + (f"; {quoted}" if quoted else ""),
    )


def _text_read_as_key(node: Any) -> str | None:
    """`- Note: there are …` is a mapping to YAML; when a list entry that should be text is such a
    one-key mapping, the author almost certainly meant the text, and needs to quote it."""
    if not (isinstance(node, dict) and len(node) == 1):
        return None
    key, value = next(iter(node.items()))
    if not isinstance(key, str) or not isinstance(value, str | None):
        return None
    text = f"{key}: {value or ''}".strip()
    shown = text if len(text) < 60 else f"{text[:57]}…"
    escaped = shown.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'if this is text, put it in quotes: "{escaped}" '
        "(YAML reads unquoted text with ': ' in it as a key and a value)"
    )


def _node(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _pattern_hint(error: Any) -> str:
    pattern = error["ctx"]["pattern"]
    if "@" in pattern:
        return "an email address"
    if "_" in pattern:
        return "a name of lower-case letters, digits and underscores, starting with a letter"
    if "a-z0-9" in pattern:
        return "a label of lower-case letters, digits and hyphens"
    if ":" in pattern:
        return "a 24-hour time such as \"14:30\""
    return f"text matching {pattern}"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"'{value}'" if len(value) < 60 else f"'{value[:57]}…'"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Maps pydantic's error location to a path in the file, dropping its union/validator tags."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_mapping or in_list:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part == loc[-1]:
            path.append(part)  # a key that is not there (missing or unknown)
            break
    return tuple(path)


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            continue
        current = _inner_model(fields[part].annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    if origin is not None:
        return _inner_model(origin)
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    inner = _model_at(model, loc)
    return [field.alias or name for name, field in inner.model_fields.items()] if inner else []
