"""The build cache and the keys it is looked up by, so a build renders only what changed.

Every rendered unit (a paper with its variants, a variant's pack) is stored under a key: the sha256
of everything its bytes depend on. A paper's key covers every file of its folder and its place in
the content folder, the house style (`panelpapers.yaml` and every file it names, such as a logo),
the template files the paper's renderers read and the names of every template there is, the fonts
charts are drawn with, and the tool: this package's source, the versions of every library it
requires (directly or through another, read from their metadata) and the system text libraries
WeasyPrint lays text out with. A pack's key covers the meeting file, what the agenda's renderers
read of the templates and its papers' PDFs. What a renderer reads is found from the files it starts
from (resources.py's PAPER_ENTRIES, …) by Jinja's own parser and the files CSS names, and every
renderer reads through resources.py, so a test can check that whatever it read is in its key. A key
is computed from file contents alone, never from timestamps, and without importing any of the heavy
libraries, so a build that changes nothing imports none of them.

The cache lives in `<build>/.panelpapers-cache/`, beside the meeting folders, never inside a variant
folder: it holds restricted outputs, so it must never be published. It is versioned (`cache.json`);
a cache of another version, or one that cannot be read, counts as empty and is replaced on the next
write. Entries and blobs are written atomically (a temporary file renamed into place); an entry is
used only if the key it records equals the key just computed and its digest matches what it holds
(`Entry`), and a blob only if its sha256 is its name, so a damaged or hand-edited cache can cost a
render but can never put wrong bytes into a build. What a public folder takes from an entry is
checked once more by the build (build/run.py `public_doubt`).

A content file that is a link out of the project is never read here either: its digest is OUTSIDE,
so the build loads the paper and refuses the link (load/boundary.py)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from panelpapers.load.boundary import outside_project
from panelpapers.load.folders import stray_folders
from panelpapers.project import AS_OF_ENV, HOUSE_STYLE_FILE, corrections_asked

CACHE_FOLDER = ".panelpapers-cache"
FORMAT = "panelpapers-build-cache"
VERSION = 2
OUTSIDE = "outside the project"  # a content file's digest when it is a link that leads out of the project
LOG = logging.getLogger(__name__)
MARKER = "cache.json"
MEETING_FILE = "meeting.yaml"
PAPER_FILE = "paper.yaml"

# Slots kept only while the latest build uses them (what a pack's printer printed).
TRANSIENT_SLOTS = ("layout/",)
# The system libraries WeasyPrint lays text out with: their file names carry their versions.
SYSTEM_LIBRARIES = ("libpango-1.0.so.0", "libharfbuzz.so.0", "libfontconfig.so.1", "libfreetype.so.6")
# What CSS reads besides itself: url(...) and @import "...".
_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)|@import\s+(["'])([^"']+)\3""")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """The sha256 of a JSON-able value, written canonically."""
    return sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def file_digest(path: Path) -> str:
    try:
        return sha256(path.read_bytes())
    except OSError:
        return "missing"


# ---- what a build depends on --------------------------------------------------------------------


@cache
def tool_digest() -> str:
    """This panelpapers (its source, not only its version number, so an edited checkout counts as a
    new tool), the libraries it runs on and the system text libraries."""
    from importlib.resources import files

    package = Path(str(files("panelpapers")))
    source = {str(path.relative_to(package)): file_digest(path) for path in sorted(package.rglob("*.py"))}
    return digest(
        {
            "cache": VERSION,
            "python": sys.version_info[:2],
            "source": source,
            "versions": library_versions(),
            "system": system_libraries(),
        }
    )


def library_versions() -> dict[str, str]:
    """The version of panelpapers and of every library it requires, directly or through another, as
    installed: read from the packages' own metadata rather than listed here, so a library added to
    pyproject.toml (or pulled in by one) is in every key at once. Optional extras are left out."""
    from importlib.metadata import PackageNotFoundError, distribution

    versions: dict[str, str] = {}
    pending = ["panelpapers"]
    while pending:
        name = re.sub(r"[-_.]+", "-", pending.pop()).lower()
        if name in versions:
            continue
        try:
            found = distribution(name)  # its metadata read once, for the version and the requirements
        except PackageNotFoundError:
            versions[name] = "absent"
            continue
        versions[name] = found.version
        for requirement in found.requires or []:
            named = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
            if named and not re.search(r"\bextra\s*==", requirement):
                pending.append(named[0])
    return dict(sorted(versions.items()))


def system_libraries() -> dict[str, str]:
    """Each system text library's real file name (`libpango-1.0.so.0.5000.12`), where it can be found."""
    folders = [Path(p) for p in ("/usr/lib", "/usr/lib64", "/lib", "/usr/local/lib", "/opt/homebrew/lib")]
    folders += sorted(Path("/usr/lib").glob("*-linux-*"))
    found: dict[str, str] = {}
    for name in SYSTEM_LIBRARIES:
        for folder in folders:
            if (folder / name).exists():
                found[name] = os.path.realpath(folder / name)
                break
    return found


def house_files(root: Path | None) -> list[Path]:
    """panelpapers.yaml and every file inside the project it names (a logo), found by trying each of
    its texts as a path: more than the house style uses is harmless, less would not be."""
    if root is None:
        return []
    from panelpapers.load.source import load_yaml

    style = root / HOUSE_STYLE_FILE
    files = [style]
    loaded, _ = load_yaml(style)  # with the content loader's limits: a hostile file is refused at once
    if loaded is None:  # a broken house style fails the build; its text is in the key all the same
        return files
    data = loaded.data
    inside = root.resolve()
    for text in sorted(set(_texts(data))):
        if "\n" in text or len(text) > 500:
            continue
        try:
            path = (root / text).resolve()
            if path.is_relative_to(inside) and path.is_file():
                files.append(path)
        except (OSError, ValueError):
            continue
    return files


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def files_read(entries: Iterable[str], templates: Path | None) -> dict[str, Path]:
    """The template files that rendering from `entries` (resources.py's PAPER_ENTRIES, …) reads, by
    name, each where resources.py finds it (a project's own first). Follows what Jinja's parser finds
    each template includes, imports or extends, and the files CSS names with url() or @import; a
    template naming another by an expression makes every template count."""
    from panelpapers.resources import find_template_file, template_names, template_references

    found: dict[str, Path] = {}
    pending = list(entries)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        path = find_template_file(name, templates)
        if not path.is_file():
            continue  # absent: `template_names` keys it apart if it appears
        found[name] = path
        if path.suffix not in (".j2", ".css", ".html"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        named = template_references(name, text)
        if named is None:  # `{% include some_variable %}`: anything may be read
            every = template_names(templates)
            return {name: find_template_file(name, templates) for name in every}
        pending += named
        for match in _URL.finditer(text):
            url = (match.group(2) or match.group(4)).strip()
            if ":" not in url and "{" not in url and not url.startswith(("/", "#")):
                pending.append(url)
    return dict(sorted(found.items()))


def template_inputs(entries: Iterable[str], templates: Path | None, packaged: Iterable[Path] = ()) -> dict[str, Path]:
    """What rendering from `entries` reads of the templates (`files_read`), and the `packaged` files
    it reads whatever a project's own templates hold (the chart fonts, the fonts the site copies),
    named `packaged/<name>`."""
    from panelpapers.resources import templates_dir

    found = files_read(entries, templates)
    found.update({f"packaged/{path.relative_to(templates_dir()).as_posix()}": path for path in packaged})
    return found


def templates_read(templates: Path | None) -> dict[str, dict[str, Path]]:
    """What each kind of output reads of the templates: a paper (its HTML, PDF, DOCX and site page,
    and the packaged fonts its charts are drawn with), a pack (the front sheet and the page-number
    overlay) and the site (its index, stylesheet and the packaged fonts it copies)."""
    from panelpapers.resources import PACK_ENTRIES, PAPER_ENTRIES, SITE_ENTRIES, font_files, fonts

    return {
        "paper": template_inputs(PAPER_ENTRIES, templates, fonts()),
        "pack": template_inputs(PACK_ENTRIES, templates),
        "site": template_inputs(SITE_ENTRIES, templates, font_files()),
    }


def templates_digest(read: dict[str, Path], templates: Path | None) -> str:
    """The key of what an output reads of the templates (`templates_read`), with the names of every
    template there is, since a name a renderer computes while rendering can reach any of them (a
    template added anywhere changes every key; an edit changes only the keys of what reads it)."""
    from panelpapers.resources import template_names

    return digest({"read": files_digest(read), "names": template_names(templates)})


def files_digest(files: dict[str, Path]) -> dict[str, str]:
    return {name: file_digest(path) for name, path in files.items()}


@dataclass(frozen=True)
class KeyContext:
    """What every paper and pack of one build shares: the tool, the house style and the templates."""

    tool: str
    house: str
    paper_templates: str
    pack_templates: str
    site_templates: str = ""

    @classmethod
    def of(cls, root: Path | None, templates: Path | None) -> KeyContext:
        """`root`: the content project's folder (None outside any); `templates`: the templates in use
        before the packaged ones (a project's own, or one named on the command line)."""
        house = {_name(path, root): file_digest(path) for path in house_files(root)} if root else {"built-in": ""}
        if os.environ.get(AS_OF_ENV):  # what is released depends on it (project.as_of_if_asked)
            house["as of"] = os.environ[AS_OF_ENV]
        read = templates_read(templates)
        return cls(
            tool_digest(),
            digest(house),
            templates_digest(read["paper"], templates),
            templates_digest(read["pack"], templates),
            templates_digest(read["site"], templates),
        )


def _name(path: Path, root: Path) -> str:
    """A file's name in a key: relative to the project, so a project that moves keeps its cache."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def folder_files(folder: Path) -> list[Path]:
    """Every file of a paper folder, as inputs.py lists them for the manifest."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def content_digest(path: Path) -> str:
    """A content file's sha256, if it lies inside the project: a link leading out of it is never read
    (load/boundary.py), and keys the paper apart so that the build loads it and refuses it."""
    return OUTSIDE if outside_project(path) is not None else file_digest(path)


def paper_key(folder: Path, context: KeyContext) -> str:
    """The key of a paper's outputs (every variant): its files and its place under the content folder."""
    files = {str(path.relative_to(folder)): content_digest(path) for path in folder_files(folder)}
    if outside_project(folder) is not None:
        files = {"": OUTSIDE}
    return digest(
        {
            "kind": "paper",
            "tool": context.tool,
            "house": context.house,
            "templates": context.paper_templates,
            "place": f"{folder.parent.name}/{folder.name}",
            "files": files,
        }
        | _correction(folder.name)
    )


def _correction(name: str) -> dict[str, str]:
    """A paper corrected in a published version prints its note (`panelpapers publish`), so the note
    is part of its key; no other paper's key changes."""
    note = corrections_asked().get(name)
    return {"correction": note} if note else {}


def paper_slot(meeting_name: str, paper_name: str) -> str:
    return f"paper/{meeting_name}/{paper_name}"


def pack_slot(meeting_name: str, variant: str) -> str:
    return f"pack/{meeting_name}/{variant}"


# ---- the targets of a build, found without loading anything ------------------------------------


@dataclass
class Fingerprint:
    """The meetings and papers a build names, with the key of each paper, found the way
    load/content.py finds them but without validating anything. `key` changes with any input of the
    build; `slot` names the set of targets."""

    meetings: list[tuple[Path, list[Path]]] = field(default_factory=list)  # meeting folder, its paper folders
    papers: list[Path] = field(default_factory=list)  # papers built on their own
    keys: dict[Path, str] = field(default_factory=dict)  # paper folder -> its key
    key: str = ""
    slot: str = ""


def fingerprint(paths: list[Path], context: KeyContext) -> Fingerprint | None:
    """None when a path names no meeting or paper: the build then reports it."""
    found = Fingerprint()
    for path in paths:
        if (path / MEETING_FILE).is_file():
            found.meetings.append((path, _paper_folders(path)))
        elif (path / PAPER_FILE).is_file():
            found.papers.append(path)
        elif path.is_dir():
            meetings = sorted(p.parent for p in path.glob(f"*/{MEETING_FILE}"))
            if not meetings:
                return None
            found.meetings.extend((meeting, _paper_folders(meeting)) for meeting in meetings)
        else:
            return None
    record: list[Any] = []
    for meeting, papers in found.meetings:
        found.keys.update((paper, paper_key(paper, context)) for paper in papers)
        # A folder that looks like a paper but is not one is a problem the build must see (load/content.py).
        strays = [folder.name for folder in stray_folders(meeting)]
        record.append(
            [meeting.name, content_digest(meeting / MEETING_FILE), [[p.name, found.keys[p]] for p in papers], strays]
        )
    for paper in found.papers:
        found.keys[paper] = paper_key(paper, context)
        record.append([paper.parent.name, paper.name, found.keys[paper]])
    targets = [str(meeting.resolve()) for meeting, _ in found.meetings] + [str(p.resolve()) for p in found.papers]
    found.slot = "build/" + digest(targets)
    # The notes a publish asks for (a paper's are in its key; the front sheet's only here), so a
    # build that changes no more than the front sheet's note is not taken for the last one.
    asked = corrections_asked()
    notes = {"corrections": asked} if asked else {}
    found.key = digest({"kind": "build", "context": vars(context), "targets": record} | notes)
    return found


def _paper_folders(meeting: Path) -> list[Path]:
    return sorted(p.parent for p in meeting.glob(f"*/{PAPER_FILE}"))


# ---- the store ----------------------------------------------------------------------------------


class Cache:
    """`<build>/.panelpapers-cache/`: `cache.json` (format and version), `entries/<digest>.json` (what
    was made in a slot under a key: a paper's outputs, a pack's, a build's folders) and
    `blobs/<sha256>` (output bytes, shared by every entry that names them). A slot keeps several
    keys, so builds that alternate between two versions of a paper (a branch and its base, as
    `panelpapers diff --rev` builds them) find both. A cache that is missing, damaged or of another
    version is empty; writing to it starts it afresh."""

    def __init__(self, folder: Path, enabled: bool = True) -> None:
        self.folder = folder
        self.enabled = enabled
        self.usable = enabled and self._marker_ok()
        self.used: set[tuple[str, str]] = set()  # (slot, key) looked up or written by this build

    def _marker_ok(self) -> bool:
        try:
            marker = json.loads((self.folder / MARKER).read_text(encoding="utf-8"))
            return bool(marker == {"format": FORMAT, "version": VERSION})
        except (OSError, ValueError):
            return False

    def entry_path(self, slot: str, key: str) -> Path:
        return self.folder / "entries" / f"{digest([slot, key])}.json"

    def _blob_path(self, sha: str) -> Path:
        return self.folder / "blobs" / sha[:2] / sha

    def entry(self, slot: str, key: str) -> dict[str, Any] | None:
        """What was made under `key` in `slot`, or None: never an entry recorded under another key,
        and never one whose digest does not match what it holds (edited or damaged: it is removed)."""
        self.used.add((slot, key))
        if not self.usable:
            return None
        path = self.entry_path(slot, key)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        entry, why = read_entry(text)
        if entry is not None and (entry.slot, entry.key) != (slot, key):
            entry, why = None, "it was stored under another slot or key"
        if entry is None:
            self.discard(path, slot, why)
            return None
        return entry.data

    def discard(self, path: Path, slot: str, why: str) -> None:
        """Removes an entry or a blob that cannot be trusted; what it made is made again."""
        LOG.info("build cache: discarded %s of %s: %s; it is made again", path.name[:12], slot, why)
        path.unlink(missing_ok=True)

    def blob(self, sha: str) -> bytes | None:
        """The bytes whose sha256 is `sha`, if the cache holds them undamaged (re-hashed on every
        read: a blob whose sha256 is not its name is removed)."""
        if not self.usable or not re.fullmatch(r"[0-9a-f]{64}", sha):
            return None
        path = self._blob_path(sha)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if sha256(data) != sha:
            self.discard(path, "a blob", "its sha256 is not its name")
            return None
        return data

    def _start(self) -> None:
        if self.usable or not self.enabled:
            return
        if self.folder.exists():  # of another version, or damaged: start afresh
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.folder / MARKER, json.dumps({"format": FORMAT, "version": VERSION}).encode())
        self.usable = True

    def put_blob(self, data: bytes) -> str:
        sha = sha256(data)
        if self.enabled:
            self._start()
            path = self._blob_path(sha)
            if not (path.is_file() and path.stat().st_size == len(data) and self.blob(sha) is not None):
                _write_atomic(path, data)
        return sha

    def put_entry(self, slot: str, key: str, data: dict[str, Any]) -> None:
        self.used.add((slot, key))
        if not self.enabled:
            return
        self._start()
        _write_atomic(self.entry_path(slot, key), write_entry(slot, key, data))

    def collect_garbage(self, keep: int = 2) -> None:
        """Keeps, besides what this build used, the `keep` latest entries of each slot (latest by
        when they were written: this orders what to forget, it never decides what to build), drops
        entries made from folders that are gone and transient ones this build did not use, then
        every blob no entry names and any temporary file a killed build left."""
        if not self.usable:
            return
        by_slot: dict[str, list[tuple[float, Path, dict[str, Any]]]] = {}
        for path in (self.folder / "entries").glob("*.json"):
            try:
                entry, _ = read_entry(path.read_text(encoding="utf-8"))
                written = path.stat().st_mtime
            except OSError:
                entry = None
            if entry is None:
                path.unlink(missing_ok=True)
                continue
            slot, key, data = entry.slot, entry.key, entry.data
            if (slot, key) in self.used:
                by_slot.setdefault(slot, []).append((float("inf"), path, data))
                continue
            sources = data.get("source") if isinstance(data, dict) else None
            sources = [sources] if isinstance(sources, str) else sources if isinstance(sources, list) else []
            gone = bool(sources) and not any(Path(str(source)).exists() for source in sources)
            if gone or slot.startswith(TRANSIENT_SLOTS):
                path.unlink(missing_ok=True)
                continue
            by_slot.setdefault(slot, []).append((written, path, data))
        named: set[str] = set()
        for entries in by_slot.values():
            entries.sort(key=lambda item: item[0], reverse=True)
            used = sum(1 for written, _, _ in entries if written == float("inf"))
            for index, (_, path, data) in enumerate(entries):
                if index < used + keep:
                    named |= set(_blob_names(data))
                else:
                    path.unlink(missing_ok=True)
        for path in (self.folder / "blobs").glob("*/*"):
            if path.name not in named:  # unnamed, or a temporary file a killed build left
                path.unlink(missing_ok=True)
        for path in (self.folder / "entries").glob(".*.tmp"):
            path.unlink(missing_ok=True)


class Entry(BaseModel):
    """An entry as stored (`entries/<digest>.json`): what was made in `slot` under `key`, and the
    sha256 of all of it (`digest`), so that an entry edited by hand, half written or left by another
    version of panelpapers is discarded, never trusted. The digest is a check, not a seal: it stops
    an edit or a damaged file, not someone who can run code as the user (who could write the outputs
    themselves); the build re-checks what a public folder takes from an entry as well (build/run.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str
    version: int
    slot: str
    key: str
    data: dict[str, Any]
    digest: str


def _entry_digest(slot: str, key: str, data: dict[str, Any]) -> str:
    return digest({"format": FORMAT, "version": VERSION, "slot": slot, "key": key, "data": data})


def write_entry(slot: str, key: str, data: dict[str, Any]) -> bytes:
    entry = Entry(format=FORMAT, version=VERSION, slot=slot, key=key, data=data, digest=_entry_digest(slot, key, data))
    return json.dumps(entry.model_dump(), sort_keys=True, indent=1).encode("utf-8")


def read_entry(text: str) -> tuple[Entry | None, str]:
    """The entry `text` holds, or None and why not. An entry of another format or version counts as
    missing, as Black's cache does."""
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict) or (raw.get("format"), raw.get("version")) != (FORMAT, VERSION):
            return None, f"not an entry of this version ({VERSION}) of the cache"
        entry = Entry.model_validate(raw)
    except (ValueError, ValidationError) as err:  # JSONDecodeError is a ValueError
        return None, f"cannot be read ({str(err).splitlines()[0]})"
    if entry.digest != _entry_digest(entry.slot, entry.key, entry.data):
        return None, "its digest does not match what it holds (edited or damaged)"
    return entry, ""


def _blob_names(value: Any) -> Iterator[str]:
    """Every sha256 an entry's data names: the values of its "sha256" keys."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "sha256" and isinstance(item, str):
                yield item
            else:
                yield from _blob_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from _blob_names(item)


def _write_atomic(path: Path, data: bytes) -> None:
    """Written beside its place and renamed in. Not fsynced: a cache file damaged by a power cut is
    caught by its key or its sha256 and costs only a render."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
