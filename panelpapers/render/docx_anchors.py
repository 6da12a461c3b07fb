"""The anchors a DOCX carries so that a reviewed copy can be read back against its sources.

Each piece of author text sits inside a hidden bookmark (`_pp12`: Word hides bookmarks whose names
start with an underscore and allows names of at most 40 characters); the document's custom
properties map each bookmark to what the text came from, `panelpapers.anchor._pp12` →
`text 03-audit-actions/summary.yaml#/purpose/0`. Bookmarks and custom properties both survive a
save in Word and in LibreOffice (see docs/word.md); content-control tags did not survive LibreOffice.

Kinds of target:
  text     the author's words at that YAML value: an edit can be written back
  composed a line the house composes around the author's value ("Appendix A – Title (OFFICIAL)")
  caption  the caption of a table or chart, declared in data.yaml
  table    the cells of a computed table (the anchor sits in its first header cell)
  chart    a chart drawn from data (its picture and alt text)
  alt      an image's alt text, at that YAML value
"""

from __future__ import annotations

from dataclasses import dataclass

ANCHOR_PREFIX = "_pp"
PROPERTY_PREFIX = "panelpapers."
ANCHOR_PROPERTY = PROPERTY_PREFIX + "anchor."
INPUT_PROPERTY = PROPERTY_PREFIX + "input."
PAPER_PROPERTY = PROPERTY_PREFIX + "paper"
KINDS = ("text", "composed", "caption", "table", "chart", "alt")


@dataclass(frozen=True)
class Target:
    """What an anchor names: a kind, a file relative to the meeting folder and a JSON pointer into it."""

    kind: str
    file: str  # "03-audit-actions/summary.yaml"
    pointer: str  # "/purpose/0"

    def __str__(self) -> str:
        return f"{self.kind} {self.file}#{self.pointer}"

    @property
    def key(self) -> tuple[str | int, ...]:
        """The pointer as the loader's key, numbers as ints."""
        parts = [p.replace("~1", "/").replace("~0", "~") for p in self.pointer.split("/")[1:]]
        return tuple(int(p) if p.isdigit() else p for p in parts)


def parse_target(text: str) -> Target | None:
    """A property value back into its target; None if it is not one."""
    kind, _, rest = text.partition(" ")
    file, hash_, pointer = rest.partition("#")
    if kind not in KINDS or not hash_ or not file or (pointer and not pointer.startswith("/")):
        return None
    return Target(kind, file, pointer)
