"""`manifest.json`, the index of one variant folder: every output with its sha256, size, page count and
marking, each paper's files by role (so readers such as the review diff find a paper's record and PDF
without guessing from file names), and the sha256 of every input the variant was built from."""

from __future__ import annotations

import builtins
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"


@dataclass
class Output:
    sha256: str
    bytes: int
    marking: str
    pages: int | None = None
    agenda: dict[str, str] | None = None  # the pack: agenda item number -> the page it starts on

    @classmethod
    def of(cls, data: builtins.bytes, marking: str, pages: int | None = None) -> Output:
        return cls(hashlib.sha256(data).hexdigest(), len(data), marking, pages)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sha256": self.sha256, "bytes": self.bytes, "marking": self.marking}
        if self.pages is not None:
            out["pages"] = self.pages
        if self.agenda is not None:
            out["agenda"] = self.agenda
        return out


@dataclass
class PaperFiles:
    """One paper's (or the front sheet's) files in the folder, by role. The front sheet has no PDF of
    its own: it opens the pack."""

    record: str
    docx: str
    pdf: str | None = None
    html: str | None = None


@dataclass
class Manifest:
    variant: str
    outputs: dict[str, Output] = field(default_factory=dict)
    papers: dict[str, PaperFiles] = field(default_factory=dict)  # by folder name; "agenda" for the front sheet
    inputs: dict[str, str] = field(default_factory=dict)  # path relative to the content folder -> sha256

    def to_json(self) -> bytes:
        data = {
            "variant": self.variant,
            "outputs": {name: output.to_json() for name, output in self.outputs.items()},
            "papers": {
                name: {k: v for k, v in vars(files).items() if v is not None} for name, files in self.papers.items()
            },
            "inputs": self.inputs,
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")


class ManifestError(ValueError):
    pass


def read_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            variant=str(data["variant"]),
            outputs={
                name: Output(o["sha256"], o["bytes"], o["marking"], o.get("pages"), o.get("agenda"))
                for name, o in data["outputs"].items()
            },
            papers={name: PaperFiles(**files) for name, files in data.get("papers", {}).items()},
            inputs=dict(data["inputs"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ManifestError(f"{path}: not a panelpapers manifest ({err})") from None
