"""`manifest.json`, the index of one variant folder: every output with its sha256, size, page count and
marking, each paper's files by role (so readers such as the review diff find a paper's record and PDF
without guessing from file names), and the sha256 of every input the variant was built from: the
content files (`inputs`, named from the content folder) and the project's own files that shape what
is printed (`project_inputs`, named from the project's folder: panelpapers.yaml, the logos, fonts and
licence it names, the project's templates).

One typed writer and reader: the records below are pydantic dataclasses, validated as they are made
and as a manifest is read back. A manifest carries its format and version; a reader refuses any
other with one line saying so (build the folder again with this panelpapers)."""

from __future__ import annotations

import builtins
import hashlib
import json
from dataclasses import field
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

MANIFEST_FILE = "manifest.json"
FORMAT = "panelpapers-manifest"
VERSION = 1  # manifests written before this field existed have none, and are refused as another version
_STRICT = ConfigDict(extra="forbid")


@dataclass(config=_STRICT)
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


@dataclass(config=_STRICT)
class PaperFiles:
    """One paper's (or the front sheet's) files in the folder, by role. The front sheet has no PDF of
    its own: it opens the pack."""

    record: str
    docx: str
    pdf: str | None = None
    html: str | None = None


@dataclass(config=_STRICT)
class Manifest:
    variant: str
    outputs: dict[str, Output] = field(default_factory=dict)
    papers: dict[str, PaperFiles] = field(default_factory=dict)  # by folder name; "agenda" for the front sheet
    inputs: dict[str, str] = field(default_factory=dict)  # path relative to the content folder -> sha256
    project_inputs: dict[str, str] = field(default_factory=dict)  # path relative to the project -> sha256
    format: str = FORMAT
    version: int = VERSION

    def to_json(self) -> bytes:
        data = {
            "format": self.format,
            "version": self.version,
            "variant": self.variant,
            "outputs": {name: output.to_json() for name, output in self.outputs.items()},
            "papers": {
                name: {k: v for k, v in vars(files).items() if v is not None} for name, files in self.papers.items()
            },
            "inputs": self.inputs,
            "project_inputs": self.project_inputs,
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")


class ManifestError(ValueError):
    pass


_READER: TypeAdapter[Manifest] = TypeAdapter(Manifest)


def read_manifest(path: Path) -> Manifest:
    """The manifest at `path`; raises ManifestError with one line if it cannot be read, is not a
    manifest, or is of another format version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ManifestError(f"{path}: not a panelpapers manifest ({err})") from None
    if not isinstance(data, dict) or data.get("format", FORMAT) != FORMAT or "variant" not in data:
        raise ManifestError(f"{path}: not a panelpapers manifest")
    if data.get("version") != VERSION:
        written = f"version {data['version']}" if "version" in data else "a version without a format number"
        raise ManifestError(
            f"{path}: a manifest of {written}; this panelpapers reads version {VERSION}: build the folder again"
        )
    try:
        return _READER.validate_python(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ManifestError(f"{path}: not a panelpapers manifest ({where}: {first['msg']})") from None
