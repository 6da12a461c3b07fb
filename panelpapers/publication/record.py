"""The records of what went out: `publication.json` in each version folder (`published/<meeting>/v2/`)
and `published/<meeting>/index.json`, the list of every version with its date and change note.

Both are read as well as written (the next `publish` compares with the last version and lists every
one), so they are typed records, validated both ways, carrying their format and version like the
manifest. Each holds only what the public variant may show: withheld papers are named by their
agenda number, withheld appendices by their paper and letter, with the reason the public paper
prints; the public inputs by their sha256, the restricted folder by its manifest's sha256 alone."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

RECORD_FILE = "publication.json"
INDEX_FILE = "index.json"
RECORD_FORMAT = "panelpapers-publication"
INDEX_FORMAT = "panelpapers-publications"
VERSION = 1
_STRICT = ConfigDict(extra="forbid")


class RecordError(Exception):
    """A record that cannot be read: one line saying which and why."""


@dataclass(config=_STRICT)
class Withheld:
    """One item the public variant does not print (yet)."""

    item: int  # its agenda item number
    paper: str | None  # the paper's folder name; None when the whole paper is withheld (its name is not public)
    appendix: str | None  # the appendix's ref; None for a whole paper
    marking: str
    reason: str | None = None  # the house's exemption key, and its words as printed
    reason_words: str | None = None
    audience: str | None = None
    release_after: str | None = None  # YYYY-MM-DD


@dataclass(config=_STRICT)
class PaperChange:
    """A paper of the public variant that differs from the version before, passage by passage in the
    review diff's words ("paragraph 1.5 changed: 77 → 81")."""

    paper: str
    passages: list[str]


@dataclass(config=_STRICT)
class Publication:
    """One version, or one supplement, as it went out."""

    version: int
    kind: Literal["first", "correction", "supplement"]
    date: str  # YYYY-MM-DD: the publication's date, from --as-of or the meeting's date
    note: str  # the change note: "First publication." or "Corrected: …"
    changes: list[PaperChange] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)
    commit: str | None = None  # the content project's git commit, when it is a git checkout with no changes
    tool: str = ""  # panelpapers' version
    # sha256 of the build's public/manifest.json and restricted/manifest.json (a supplement's folders
    # keep the main pack of the version before, so their own manifests differ from the build's)
    public_manifest: str = ""
    restricted_manifest: str = ""
    supplement: str | None = None  # a supplement's pack: "supplement-2.pdf" in each variant folder
    inputs: dict[str, str] = field(default_factory=dict)  # the public variant's inputs -> sha256
    format: str = RECORD_FORMAT
    record_version: int = VERSION

    @property
    def folder(self) -> str:
        return f"v{self.version}"

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.date)

    def to_json(self) -> bytes:
        return _json(asdict(self))


@dataclass(config=_STRICT)
class IndexEntry:
    version: int
    kind: str
    date: str
    note: str
    folder: str  # "v2", relative to the index
    pack: str  # the public pack: "v2/public/pack.pdf"
    site: str  # the public site's index page: "v2/public/site/index.html"


@dataclass(config=_STRICT)
class Index:
    meeting: str
    versions: list[IndexEntry]
    format: str = INDEX_FORMAT
    record_version: int = VERSION

    def to_json(self) -> bytes:
        return _json(asdict(self))


def index_of(meeting: str, publications: list[Publication]) -> Index:
    entries = [
        IndexEntry(
            p.version, p.kind, p.date, p.note, p.folder,
            pack=f"{p.folder}/public/pack.pdf", site=f"{p.folder}/public/site/index.html",
        )
        for p in publications
    ]
    return Index(meeting, entries)


def _json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


_PUBLICATION = TypeAdapter(Publication)


def read_publication(path: Path) -> Publication:
    """The record at `path`; raises RecordError with one line if it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise RecordError(f"{path}: not a publication record ({err})") from None
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT or data.get("record_version") != VERSION:
        raise RecordError(f"{path}: not a publication record of version {VERSION} (written by another panelpapers)")
    try:
        return _PUBLICATION.validate_python(data)
    except ValidationError as err:
        raise RecordError(f"{path}: not a publication record ({err.errors()[0]['msg']})") from None
