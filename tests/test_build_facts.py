"""The typed facts a build keeps in its cache read back exactly as they were written, and an entry
that does not hold what it should is refused, never half read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from panelpapers.build.facts import Layout, MeetingPack, PaperMade, VariantFacts
from panelpapers.manifest import Output, PaperFiles

pytestmark = pytest.mark.quick


def facts() -> VariantFacts:
    outputs = {"01-a.pdf": Output("a" * 64, 10, "OFFICIAL", 3), "01-a.docx": Output("b" * 64, 20, "OFFICIAL")}
    files = PaperFiles("01-a.record.json", "01-a.docx", "01-a.pdf", "01-a.html")
    return VariantFacts("01-a", "A", "OFFICIAL", "final", 3, outputs, files, {"01-a/paper.yaml": "c" * 64},
                        "d" * 64, [["Summary", 1, []]])


def through_json(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))  # as the cache stores it


def test_a_paper_and_a_pack_read_back_as_written() -> None:
    made = PaperMade("/x/01-a", {"restricted": facts(), "public": None})
    assert PaperMade.of_json(through_json(made.to_json())) == made
    pack = MeetingPack({"pack.pdf": Output("e" * 64, 5, "OFFICIAL", 9, {"1": "3"})},
                       PaperFiles("agenda.record.json", "agenda.docx"), [["layout/k", "k"]], "/x")
    assert MeetingPack.of_json(through_json(pack.to_json())) == pack
    layout = Layout.of_json("k", through_json(Layout("k", 2, b"%PDF").to_json("f" * 64)))
    assert (layout.pages, layout.pdf, layout.stored) == (2, None, "f" * 64)


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "published"), ("pages", "3"), ("pages", True), ("bookmarks", {}), ("pack_pdf", "d" * 64)],
)
def test_an_entry_of_the_wrong_shape_is_refused(field: str, value: Any) -> None:
    data = through_json(facts().to_json())
    data[field] = value
    with pytest.raises((KeyError, TypeError, ValueError)):
        VariantFacts.of_json(data)
