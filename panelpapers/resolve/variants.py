"""Public and restricted variants. The restricted variant prints everything. The public variant
carries nothing marked above the public marking: such papers are left out entirely, and such
appendices are withheld before the paper is resolved, so nothing public depends on them (their
letter and marking are listed, nothing else)."""

from __future__ import annotations

from dataclasses import dataclass, field

from panelpapers.data.paper_data import PaperData
from panelpapers.errors import Problem
from panelpapers.house import DEFAULT_HOUSE, House
from panelpapers.load.content import PaperSource
from panelpapers.model import Paper
from panelpapers.resolve.paper import DataUse, resolve_paper

VARIANTS = ("restricted", "public")


@dataclass
class Variants:
    papers: dict[str, Paper | None] = field(default_factory=dict)  # by variant; None: left out of it
    public_uses: list[DataUse] = field(default_factory=list)  # what the public paper takes from the data


def resolve_variants(
    source: PaperSource, data: PaperData | None, house: House = DEFAULT_HOUSE
) -> tuple[Variants, list[Problem]]:
    """The paper of each variant, or the problems that stop it."""
    uses: list[DataUse] = []
    restricted, problems = resolve_paper(source, data, house, uses=uses)
    if restricted is None:
        return Variants(), problems
    one_marking = all(a.marking == restricted.marking for a in restricted.appendices)
    if one_marking and house.is_publishable(restricted.marking):  # the public paper is the same
        return Variants({"restricted": restricted, "public": restricted}, uses), []
    public_uses: list[DataUse] = []
    public, _ = resolve_paper(source, data, house, public=True, uses=public_uses)  # less of the same: no new problems
    return Variants({"restricted": restricted, "public": public}, public_uses), []
