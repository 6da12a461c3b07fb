"""The risk register as a data type: read from CSV, every field checked (scores "M v H" on the
register's scale, trends, horizons, progress, unique refs), then shown as register tables in the
reference layout and as heat maps (see charts.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from panelpapers.data.declarations import RegisterTableSpec, RiskRegisterSpec
from panelpapers.data.sources import RawRow, data_path, read_csv_rows
from panelpapers.errors import Location, Problem
from panelpapers.load.source import YamlFile
from panelpapers.model import HeatMapCell, Inlines, LineBreak, Strong, Table, TableRow, Text

COLUMNS = ("ref", "name", "description", "owner", "leads", "current", "target", "trend", "horizon", "progress")
TRENDS = ("↑", "↓", "↔", "↕", "New")
HORIZONS = ("short-term", "long-term")
PROGRESS = ("On Track", "Limited", "Slipped", "No progress")
_SCORE = re.compile(r"^\s*(\S+)\s+v\s+(\S+)\s*$")

Score = tuple[str, str]  # (likelihood, impact)


@dataclass(frozen=True)
class Risk:
    ref: str
    name: str
    description: str
    owner: str
    leads: tuple[str, ...]
    current: Score
    target: Score
    trend: str
    horizon: str
    progress: str
    location: Location


@dataclass(frozen=True)
class RiskRegister:
    name: str
    path: Path
    spec: RiskRegisterSpec
    risks: tuple[Risk, ...]

    def in_horizon(self, horizon: str | None) -> tuple[Risk, ...]:
        return tuple(r for r in self.risks if horizon is None or r.horizon == horizon)


def score_text(score: Score) -> str:
    return f"{score[0]} v {score[1]}"


def parse_score(text: str, scale: list[str]) -> Score | None:
    match = _SCORE.match(text)
    if not match or match.group(1) not in scale or match.group(2) not in scale:
        return None
    return match.group(1), match.group(2)


def read_register(
    name: str, spec: RiskRegisterSpec, folder: Path, data_file: YamlFile
) -> tuple[RiskRegister | None, list[Problem]]:
    where = data_file.location(("risk_registers", name, "file"))
    path = data_path(folder, spec.file)
    if path is None or not path.is_file():
        return None, [Problem(where, f"risk register file '{spec.file}' does not exist in the paper folder")]
    header, rows, problems = read_csv_rows(path)
    if problems:
        return None, problems
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return None, [
            Problem(
                Location(path, 1),
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                f"a risk register has columns {', '.join(COLUMNS)}",
            )
        ]
    risks: list[Risk] = []
    first_line: dict[str, int | None] = {}
    for row in rows:
        risk = _read_risk(row, spec.scale, first_line, problems)
        if risk is not None:
            risks.append(risk)
    if not rows:
        problems.append(Problem(Location(path, 1), "the register has no risks"))
    if problems:
        return None, problems
    return RiskRegister(name, path, spec, tuple(risks)), []


def _read_risk(
    row: RawRow, scale: list[str], first_line: dict[str, int | None], problems: list[Problem]
) -> Risk | None:
    """One row of the register, every field checked; `first_line` notes each ref's row, for duplicates."""
    cells = {k: row.cells[k].strip() for k in COLUMNS}

    def bad(column: str, message: str) -> None:
        problems.append(Problem(row.location, f"column '{column}': {message}"))

    for column in ("ref", "name", "owner"):
        if not cells[column]:
            bad(column, "must not be empty")
    if cells["ref"] in first_line:
        bad("ref", f"ref '{cells['ref']}' is already used at line {first_line[cells['ref']]}; refs must be unique")
    first_line.setdefault(cells["ref"], row.location.line)
    scores: dict[str, Score] = {}
    for column in ("current", "target"):
        score = parse_score(cells[column], scale)
        if score is None:
            bad(
                column,
                f"expected a score 'likelihood v impact' on the scale {', '.join(scale)} (such as 'M v H'), "
                f"got '{cells[column]}'",
            )
        else:
            scores[column] = score
    for column, allowed in (("trend", TRENDS), ("horizon", HORIZONS), ("progress", PROGRESS)):
        if cells[column] not in allowed:
            bad(column, f"expected one of {', '.join(allowed)}, got '{cells[column]}'")
    if len(scores) < 2:
        return None
    return Risk(
        ref=cells["ref"],
        name=cells["name"],
        description=cells["description"],
        owner=cells["owner"],
        leads=tuple(lead.strip() for lead in cells["leads"].split(";") if lead.strip()),
        current=scores["current"],
        target=scores["target"],
        trend=cells["trend"],
        horizon=cells["horizon"],
        progress=cells["progress"],
        location=row.location,
    )


REGISTER_HEADERS = ("Ref", "Risk Trend", "Risk Description", "Risk Owner", "Working Lead(s)", "Target position")


def _lines(parts: tuple[str, ...]) -> Inlines:
    out: list[Text | LineBreak] = []
    for i, part in enumerate(parts):
        if i:
            out.append(LineBreak())
        out.append(Text(part))
    return tuple(out)


def register_table(name: str, spec: RegisterTableSpec, register: RiskRegister) -> Table:
    """The register in the reference layout: "1 / M v H", trend, NAME and description, owner, leads, target."""
    rows = []
    for risk in register.in_horizon(spec.horizon):
        description: Inlines = (Strong((Text(risk.name.upper()),)),)
        if risk.description:
            description += (LineBreak(), Text(risk.description))
        rows.append(
            TableRow(
                (
                    (Strong((Text(risk.ref),)), LineBreak(), Text(score_text(risk.current))),
                    (Text(risk.trend),),
                    description,
                    (Text(risk.owner),),
                    _lines(risk.leads),
                    (Text(score_text(risk.target)),),
                )
            )
        )
    return Table(
        number=0,
        caption=spec.caption,
        headers=REGISTER_HEADERS,
        align=("center", "center", "left", "left", "left", "center"),
        rows=tuple(rows),
        notes="Scores are likelihood v impact (VL very low, L low, M medium, H high, VH very high). "
        "Trend: ↑ rising, ↓ falling, ↔ stable, ↕ fluctuating.",
        landscape=spec.landscape == "yes",
        id=name,
    )


def heat_map_cells(register: RiskRegister, horizon: str | None) -> tuple[HeatMapCell, ...]:
    risks = register.in_horizon(horizon)
    return tuple(
        HeatMapCell(
            likelihood,
            impact,
            tuple(r.ref for r in risks if r.current == (likelihood, impact)),
            tuple(r.ref for r in risks if r.target == (likelihood, impact)),
        )
        for likelihood in register.spec.scale
        for impact in register.spec.scale
    )


def band_of(register: RiskRegister, likelihood: str, impact: str) -> tuple[str, str]:
    """The band name and colour of a cell, from the product of the two positions (1-based)."""
    scale = register.spec.scale
    score = (scale.index(likelihood) + 1) * (scale.index(impact) + 1)
    for band in register.spec.bands:
        if score <= band.up_to:
            return band.name, band.colour
    last = register.spec.bands[-1]
    return last.name, last.colour
