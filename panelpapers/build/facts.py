"""What the stages of a build hand each other and keep in the build cache: a paper's facts and
outputs in each variant, a variant's pack, and what a pack's printer laid out. Each is written to
its cache entry as JSON and read back from it; an entry that does not hold what it should raises
KeyError, TypeError or ValueError, and the build makes it again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from panelpapers.manifest import Output, PaperFiles

T = TypeVar("T")


def _get(data: Any, name: str, kind: type[T]) -> T:
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{name} is not {kind.__name__}")
    return value


def _outputs(data: Any) -> dict[str, Output]:
    return {
        str(name): Output(o["sha256"], o["bytes"], o["marking"], o.get("pages"), o.get("agenda"))
        for name, o in _get(data, "outputs", dict).items()
    }


@dataclass
class VariantFacts:
    """A paper in one variant: what its pack, the manifest and the site read of it, and its outputs."""

    slug: str
    title: str
    marking: str
    status: Literal["draft", "final"]
    pages: int
    outputs: dict[str, Output]  # file name -> the output as the manifest lists it
    files: PaperFiles
    inputs: dict[str, str]
    pack_pdf: str  # sha256 of the PDF as a pack takes it: cached, not published
    bookmarks: list[Any]  # as worker.bookmarks_json has them

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "marking": self.marking,
            "status": self.status,
            "pages": self.pages,
            "outputs": {name: output.to_json() for name, output in self.outputs.items()},
            "files": vars(self.files),
            "inputs": self.inputs,
            "pack_pdf": {"sha256": self.pack_pdf},
            "bookmarks": self.bookmarks,
        }

    @classmethod
    def of_json(cls, data: Any) -> VariantFacts:
        status = _get(data, "status", str)
        if status not in ("draft", "final"):
            raise ValueError(f"status {status!r}")
        return cls(
            _get(data, "slug", str),
            _get(data, "title", str),
            _get(data, "marking", str),
            "draft" if status == "draft" else "final",
            _get(data, "pages", int),
            _outputs(data),
            PaperFiles(**_get(data, "files", dict)),
            {str(name): str(sha) for name, sha in _get(data, "inputs", dict).items()},
            _get(_get(data, "pack_pdf", dict), "sha256", str),
            _get(data, "bookmarks", list),
        )


@dataclass
class PaperMade:
    """A paper's cache entry: the folder it was made from and its facts in each variant (None where
    the variant leaves it out)."""

    source: str
    variants: dict[str, VariantFacts | None]

    def to_json(self) -> dict[str, Any]:
        variants = {name: None if facts is None else facts.to_json() for name, facts in self.variants.items()}
        return {"source": self.source, "variants": variants}

    @classmethod
    def of_json(cls, data: Any) -> PaperMade:
        variants = {
            str(name): None if facts is None else VariantFacts.of_json(facts)
            for name, facts in _get(data, "variants", dict).items()
        }
        return cls(_get(data, "source", str), variants)


@dataclass
class MeetingPack:
    """A variant's pack, front sheet and its record: their outputs, the layouts the pack's printer
    used, the meeting folder it was made from and (not in the entry) the outputs' bytes by sha256."""

    outputs: dict[str, Output]
    files: PaperFiles
    layouts: list[list[str]]  # [slot, key] of each layout printed or read
    source: str
    blobs: dict[str, bytes] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "outputs": {name: output.to_json() for name, output in self.outputs.items()},
            "files": vars(self.files),
            "layouts": self.layouts,
            "source": self.source,
        }

    @classmethod
    def of_json(cls, data: Any) -> MeetingPack:
        layouts = [[str(slot), str(key)] for slot, key in _get(data, "layouts", list)]
        return cls(_outputs(data), PaperFiles(**_get(data, "files", dict)), layouts, _get(data, "source", str))


@dataclass
class Layout:
    """HTML a pack's printer laid out (a front sheet, or page numbers over a paper): its page count
    and, once printed, its PDF, here or in the build cache by sha256."""

    key: str
    pages: int
    pdf: bytes | None = None
    stored: str | None = None  # the sha256 of its PDF in the build cache

    def to_json(self, pdf_sha: str | None) -> dict[str, Any]:
        return {"pages": self.pages, "pdf": None if pdf_sha is None else {"sha256": pdf_sha}}

    @classmethod
    def of_json(cls, key: str, data: Any) -> Layout:
        pdf = data.get("pdf")
        return cls(key, int(data["pages"]), stored=str(pdf.get("sha256")) if isinstance(pdf, dict) else None)
