"""The inputs a variant's manifest lists, with their sha256. The restricted variant lists every file of
its papers. The public variant lists only what public content is made from: a data file used only by
withheld content is not named, and `appendices.yaml` and `data.yaml`, which hold withheld content
beside public content, are listed by a digest of their public part (`…/appendices.yaml#public`), so
the public manifest stays byte-identical when only withheld content changes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from panelpapers.data.paper_data import DATA_FILE, FUNCTIONS_FILE, PaperData
from panelpapers.load.content import PaperSource
from panelpapers.load.images import MEDIA_TYPES
from panelpapers.model import Paper
from panelpapers.resolve.paper import DataUse

APPENDICES_FILE = "appendices.yaml"
PUBLIC_PART = "#public"


def file_hashes(paths: Iterable[Path], root: Path) -> dict[str, str]:
    return {relative(path, root): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(paths)}


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def paper_files(source: PaperSource) -> list[Path]:
    return [p for p in source.folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def input_hashes(source: PaperSource, root: Path) -> dict[str, str]:
    """Every file of the paper's folder."""
    return file_hashes(paper_files(source), root)


def public_input_hashes(
    source: PaperSource, paper: Paper, data: PaperData | None, uses: list[DataUse], root: Path
) -> dict[str, str]:
    """What the public `paper` is made from; `uses` are its placed tables and charts and quoted figures."""
    if not any(appendix.withheld for appendix in paper.appendices):
        return input_hashes(source, root)
    folder = source.folder
    used_data = {name for use in uses for name in (data.origins.get(f"{use.kind}:{use.name}", ()) if data else ())}
    data_files = {data.sources[name].path.resolve() for name in used_data} if data else set()
    functions = data is not None and any(use.kind == "table" and use.name in data.uses_functions for use in uses)
    mixed = {folder / APPENDICES_FILE, folder / DATA_FILE}  # listed below by their public part
    public_images = {(folder / use.name).resolve() for use in uses if use.kind == "image"}
    kept = [
        path
        for path in paper_files(source)
        if path not in mixed
        and (path.suffix.lower() not in MEDIA_TYPES or path.resolve() in public_images)  # an image: if shown
        and (
            path.parent == folder
            or path.resolve() in data_files | public_images
            or functions and path == folder / FUNCTIONS_FILE
        )
    ]
    hashes = file_hashes(kept, root)
    appendices = source.files.get(APPENDICES_FILE)
    if appendices is not None:
        hashes[relative(folder / APPENDICES_FILE, root) + PUBLIC_PART] = _digest(
            _public_appendices(appendices.data, paper)
        )
    if data is not None and data.file is not None:
        hashes[relative(folder / DATA_FILE, root) + PUBLIC_PART] = _digest(_public_declarations(data.file.data, uses))
    return dict(sorted(hashes.items()))


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _public_appendices(raw: dict[str, Any], paper: Paper) -> dict[str, Any]:
    """appendices.yaml with each withheld appendix cut down to what the public paper says of it."""
    withheld = {appendix.ref: appendix.marking for appendix in paper.appendices if appendix.withheld}
    listed = [
        _withheld_entry(entry, withheld[entry.get("ref")]) if entry.get("ref") in withheld else entry
        for entry in raw.get("appendices") or []
    ]
    return {"appendices": listed, "background_papers": raw.get("background_papers")}


def _withheld_entry(entry: dict[str, Any], marking: str) -> dict[str, Any]:
    """What the public paper prints of a withheld appendix: its ref, marking and exemption."""
    kept = {"ref": entry.get("ref"), "marking": marking}
    return kept | ({"exempt": entry["exempt"]} if "exempt" in entry else {})


def _public_declarations(raw: dict[str, Any], uses: list[DataUse]) -> dict[str, Any]:
    """The declarations of data.yaml that public content uses, directly or through another one."""
    wanted: dict[str, set[str]] = {kind: set() for kind in ("tables", "register_tables", "charts", "figures")}
    pending = [(use.kind, use.name) for use in uses]
    while pending:
        kind, name = pending.pop()
        if kind == "table":
            wanted["tables" if name in (raw.get("tables") or {}) else "register_tables"].add(name)
        elif kind == "chart" and name not in wanted["charts"]:
            wanted["charts"].add(name)
            table = ((raw.get("charts") or {}).get(name) or {}).get("table")
            if table:
                pending.append(("table", table))
        elif kind == "figure" and name not in wanted["figures"]:
            wanted["figures"].add(name)
            group, _, figure = name.partition(".")
            spec = ((raw.get("figures") or {}).get(group) or {}).get(figure) or {}
            pending += [(k, spec[k]) for k in ("table", "figure") if isinstance(spec.get(k), str)]
    public: dict[str, Any] = {
        section: {name: (raw.get(section) or {}).get(name) for name in sorted(names)}
        for section, names in wanted.items()
        if section != "figures"
    }
    public["figures"] = {name: _figure(raw, name) for name in sorted(wanted["figures"])}
    used_sources = _sources_of(raw, public)
    for section in ("sources", "risk_registers"):
        declared = raw.get(section) or {}
        public[section] = {name: declared[name] for name in sorted(used_sources) if name in declared}
    return public


def _figure(raw: dict[str, Any], name: str) -> Any:
    group, _, figure = name.partition(".")
    return ((raw.get("figures") or {}).get(group) or {}).get(figure)


def _sources_of(raw: dict[str, Any], public: dict[str, Any]) -> set[str]:
    """Sources and risk registers named by the kept declarations."""
    names: set[str] = set()
    for section in ("tables", "register_tables", "charts", "figures"):
        for spec in public[section].values():
            if isinstance(spec, dict):
                names |= {spec[k] for k in ("source", "register") if isinstance(spec.get(k), str)}
    if any(isinstance(spec, dict) and spec.get("function") for spec in public["tables"].values()):
        names |= set(raw.get("sources") or {})  # an author's function sees every source
    return names
