"""Incremental and parallel builds: a rebuild takes from the build cache what has not changed and
renders the rest in worker processes, with exactly the bytes a cold, serial build writes; a build
with nothing to do rewrites nothing and imports none of the heavy libraries; an edit to a data
file, a template or the house style invalidates exactly the papers that read it; a damaged cache
costs renders, never wrong bytes; problems found in workers are reported as a serial build reports
them. Nothing here is timed: tools/bench.py measures."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT, reduced_meeting, run_in_this_process

from panelpapers.build import build, gather
from panelpapers.cache import CACHE_FOLDER, FORMAT, MARKER, VERSION, Cache, KeyContext, paper_key
from panelpapers.errors import ContentError
from panelpapers.resources import templates_dir

PAPERS = ["02-risk-management", "03-audit-actions"]  # the quickest pair: one with charts, one with tables
HEAVY = ("pandas", "matplotlib", "weasyprint", "docx", "pikepdf")


class Events:
    """A build's progress, recorded: which papers it rendered and which packs it assembled."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, stage: str, detail: str) -> None:
        self.seen.append((stage, detail))

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.seen)

    def rendered(self) -> list[str]:
        return sorted(re.sub(r" \(\d+/\d+\)$", "", d).split("/")[1] for s, d in self if s == "rendering")

    def packs(self) -> list[str]:
        return sorted(d.split("/")[1] for s, d in self if s == "pack")

    def published(self) -> list[str]:
        return sorted(Path(d).name for s, d in self if s == "publishing")


def make_project(root: Path) -> Path:
    """A content project: the example's house style, two of its papers, and templates of its own
    (copies of the packaged agenda.css and paper.css, to edit). Returns the meeting folder."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    (root / "templates").mkdir()
    for name in ("agenda.css", "paper.css"):
        shutil.copy(templates_dir() / name, root / "templates" / name)
    return reduced_meeting(root / "content", list(PAPERS))


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` -> sha256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stats(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder under `folder` -> (inode, size, mtime in ns): what any rewrite changes."""
    found = {p: p.stat() for p in folder.rglob("*")}
    return {str(p.relative_to(folder)): (s.st_ino, s.st_size, s.st_mtime_ns) for p, s in found.items()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Events]:
    """The project, built cold in two worker processes into its default build folder."""
    root = tmp_path_factory.mktemp("incremental") / "project"
    meeting = make_project(root)
    events = Events()
    build([meeting], root / "build", progress=events, jobs=2)
    return root, events


@pytest.fixture
def copy(built: tuple[Path, Events], tmp_path: Path) -> Path:
    """A copy of the built project, build folder and cache included, to edit."""
    root = tmp_path / "project"
    shutil.copytree(built[0], root)
    return root


def meeting_of(root: Path) -> Path:
    return root / "content" / EXAMPLE_MEETING.name


@pytest.mark.quick
def test_a_cold_build_renders_every_paper_and_both_packs(built: tuple[Path, Events]) -> None:
    root, events = built
    assert events.rendered() == PAPERS
    assert events.packs() == ["public", "restricted"]
    assert events.published() == ["public", "restricted"]
    assert (root / "build" / CACHE_FOLDER / MARKER).is_file()
    for variant in ("public", "restricted"):  # the cache, which holds restricted outputs, is beside them
        assert not list((root / "build" / EXAMPLE_MEETING.name / variant).glob(f"*{CACHE_FOLDER}*"))


@pytest.mark.quick
def test_a_build_that_changes_nothing_rewrites_nothing(built: tuple[Path, Events]) -> None:
    root, _ = built
    before = stats(root / "build")
    events = Events()
    assert build([meeting_of(root)], root / "build", progress=events) == {}
    assert [stage for stage, _ in events] == ["loading"]
    assert stats(root / "build") == before


@pytest.mark.quick
def test_a_build_or_check_with_nothing_to_do_imports_no_heavy_library(built: tuple[Path, Events]) -> None:
    root, _ = built
    code = (
        "import sys; from panelpapers.cli import main; "
        "assert main(['-q', 'build']) == 0; assert main(['-q', 'check']) == 0; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_editing_a_data_file_rerenders_its_paper_alone_with_a_cold_build_s_bytes(copy: Path) -> None:
    register = meeting_of(copy) / PAPERS[0] / "data" / "risks.csv"
    register.write_text(register.read_text(encoding="utf-8").replace("Director of HR", "Director of People"), "utf-8")
    events = Events()
    written = build([meeting_of(copy)], copy / "build", progress=events, jobs=2)
    assert events.rendered() == [PAPERS[0]]
    assert events.packs() == ["public", "restricted"]  # a paper of the pack changed
    assert written and (written.rendered, written.reused) == (1, 1)
    # The same content built cold, serially, into an empty folder: the same bytes everywhere.
    build([meeting_of(copy)], copy / "cold", jobs=1)
    incremental = tree(copy / "build" / EXAMPLE_MEETING.name)
    assert incremental == tree(copy / "cold" / EXAMPLE_MEETING.name)
    assert any(name.endswith("pack.pdf") for name in incremental)


def test_editing_the_agenda_template_reassembles_the_packs_and_renders_no_paper(copy: Path) -> None:
    agenda_css = copy / "templates" / "agenda.css"
    agenda_css.write_text(agenda_css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    events = Events()
    build([meeting_of(copy)], copy / "build", progress=events, jobs=2)
    assert events.rendered() == []
    assert events.packs() == ["public", "restricted"]


def test_the_summary_line_says_what_was_rendered_and_what_was_reused(copy: Path) -> None:
    """A one-paper edit renders one paper and takes the other from the cache, and says so: not a bare
    count of the files written, which is every file of every variant folder the edit touched."""
    edit(meeting_of(copy) / PAPERS[1] / "paper.yaml", "title: ", "title: Revised ")
    done = run_in_this_process("-q", "build", cwd=copy)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")  # -q still prints nothing
    edit(meeting_of(copy) / PAPERS[0] / "summary.yaml", "gives the Panel", "gives the Audit Panel")
    done = run_in_this_process("build", cwd=copy)
    assert done.returncode == 0, done.stderr
    written = r"(\d+) files written under build in [\d.]+ s\n"
    found = re.fullmatch(r"panelpapers: rendered 1 paper, reused 1 from the cache; " + written, done.stdout)
    assert found, done.stdout
    published = [p for p in (copy / "build" / EXAMPLE_MEETING.name).rglob("*") if p.is_file()]
    assert int(found[1]) == len(published)  # both variant folders, written whole
    touched = copy / "templates" / "agenda.css"
    touched.write_text(touched.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    done = run_in_this_process("build", cwd=copy)
    assert re.fullmatch(r"panelpapers: reused 2 papers from the cache; " + written, done.stdout), done.stdout
    done = run_in_this_process("build", cwd=copy)
    assert re.fullmatch(r"panelpapers: nothing changed; build is up to date \([\d.]+ s\)\n", done.stdout), done.stdout


def keys(root: Path) -> dict[str, str]:
    context = KeyContext.of(root, root / "templates" if (root / "templates").is_dir() else None)
    papers = {p.parent.name: paper_key(p.parent, context) for p in sorted(root.glob("content/*/*/paper.yaml"))}
    return {**papers, "packs": context.house + context.pack_templates}  # what a pack's key holds besides its papers


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def test_each_input_invalidates_exactly_what_reads_it(tmp_path: Path) -> None:
    root = tmp_path / "project"
    meeting = make_project(root)
    before = keys(root)
    edit(meeting / PAPERS[1] / "data" / "actions.csv", "Open", "Closed")  # one paper's data
    assert changed(before, after := keys(root)) == [PAPERS[1]]
    edit(root / "templates" / "agenda.css", "}", "}\n/* edited */")  # read by the front sheet only
    assert changed(after, before := keys(root)) == ["packs"]
    edit(root / "templates" / "paper.css", "}", "}\n/* edited */")  # papers, and the front sheet includes it
    assert changed(before, after := keys(root)) == [*PAPERS, "packs"]
    shutil.copy(templates_dir() / "blocks.html.j2", root / "templates" / "blocks.html.j2")  # same bytes: no change
    assert changed(after, before := keys(root)) == []
    edit(root / "templates" / "blocks.html.j2", "{%", "{# a project's own #}{%")  # paper.html.j2 imports it
    assert changed(before, after := keys(root)) == PAPERS
    edit(root / "panelpapers.yaml", "front_sheet_organisation: joint", "front_sheet_organisation: MOPAC")
    assert changed(after, before := keys(root)) == [*PAPERS, "packs"]
    edit(meeting / PAPERS[0] / "summary.yaml", "picture", "view")
    assert changed(before, keys(root)) == [PAPERS[0]]


@pytest.mark.parametrize("named", ["images/northbridge-logo.png", "fonts/LiberationSerif-Italic.ttf"])
def test_a_file_the_house_style_names_is_an_input(tmp_path: Path, named: str) -> None:
    """A logo, or a font file: every paper and the front sheet print it."""
    root = tmp_path / "council"
    shutil.copytree(PROJECT_ROOT / "tests" / "projects" / "council", root)
    before = keys(root)
    path = root / named
    path.write_bytes(path.read_bytes() + b"\0")
    after = keys(root)
    assert changed(before, after) == sorted(before)


def test_a_damaged_cache_costs_a_render_never_wrong_bytes(copy: Path) -> None:
    out = copy / "build"
    good = tree(out / EXAMPLE_MEETING.name)
    manifest = json.loads((out / EXAMPLE_MEETING.name / "restricted" / "manifest.json").read_text(encoding="utf-8"))
    sha = manifest["outputs"][f"{PAPERS[1]}.pdf"]["sha256"]
    blob = out / CACHE_FOLDER / "blobs" / sha[:2] / sha
    assert blob.is_file(), "the cache should hold the paper's PDF"
    blob.write_bytes(b"not a PDF")
    (out / EXAMPLE_MEETING.name / "public" / f"{PAPERS[0]}.html").unlink()  # so the build has work to do
    events = Events()
    build([meeting_of(copy)], out, progress=events, jobs=2)
    assert events.rendered() == [PAPERS[1]]
    assert tree(out / EXAMPLE_MEETING.name) == good


@pytest.mark.quick
def test_a_foreign_or_unreadable_cache_is_empty(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_FOLDER
    cache = Cache(folder)
    sha = cache.put_blob(b"bytes")
    cache.put_entry("paper/m/p", "key-1", {"made": sha})
    again = Cache(folder)
    assert again.entry("paper/m/p", "key-1") == {"made": sha} and again.blob(sha) == b"bytes"
    assert again.entry("paper/m/p", "key-2") is None  # never trusted over the key
    (folder / "blobs" / sha[:2] / sha).write_bytes(b"other")
    assert again.blob(sha) is None
    for entry in (folder / "entries").glob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    assert Cache(folder).entry("paper/m/p", "key-1") is None
    (folder / MARKER).write_text(f'{{"format": "{FORMAT}", "version": {VERSION + 1}}}', encoding="utf-8")
    foreign = Cache(folder)
    assert not foreign.usable and foreign.entry("paper/m/p", "key-1") is None
    foreign.put_entry("paper/m/q", "key-3", {})  # starts afresh: nothing of the other version is kept
    assert not list((folder / "blobs").glob("*/*")) and len(list((folder / "entries").glob("*.json"))) == 1


def test_problems_found_in_workers_are_reported_as_a_serial_build_reports_them(tmp_path: Path) -> None:
    meeting = make_project(tmp_path / "project")
    edit(meeting / PAPERS[0] / "summary.yaml", "picture", 'picture ({{ ref("no-such-label") }})')
    edit(meeting / PAPERS[1] / "data.yaml", "allowed: [Open, Closed]", "allowed: [Open]")
    with pytest.raises(ContentError) as serial:
        gather([meeting])
    with pytest.raises(ContentError) as parallel:
        build([meeting], tmp_path / "project" / "build", jobs=2)
    found = [str(p) for p in parallel.value.problems]
    assert found == [str(p) for p in serial.value.problems]
    assert all(any(f"/{paper}/" in problem for problem in found) for paper in PAPERS), found
    assert not (tmp_path / "project" / "build").exists()


# ---- a cache that was edited, builds at the same time, and what a manifest names ----------------

WITHHELD = PAPERS[0]  # its first appendix is made OFFICIAL-SENSITIVE, so its two variants differ


@pytest.fixture(scope="module")
def withholding(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with one paper whose public variant withholds an appendix, built."""
    root = tmp_path_factory.mktemp("withholding") / "project"
    meeting = make_project(root)
    appendices = meeting / WITHHELD / "appendices.yaml"
    marked = r"\g<1>\n    marking: OFFICIAL-SENSITIVE"
    text, count = re.subn(r"(- ref: A\n\s+title: .*)", marked, appendices.read_text(encoding="utf-8"))
    assert count == 1, "the example's first appendix has moved"
    appendices.write_text(text, encoding="utf-8")
    build([meeting], root / "build", jobs=2)
    return root


def edit_entry(root: Path, slot: str, change: Callable[[dict[str, Any]], None], reseal: bool) -> None:
    """Edits the cache entry of `slot` by hand; `reseal`: and gives it the digest of what it then
    holds, as an edit made knowing the format would (an entry with no digest is left without)."""
    from panelpapers import cache

    for path in (root / "build" / CACHE_FOLDER / "entries").glob("*.json"):
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry["slot"] == slot:
            change(entry["data"])
            if reseal and "digest" in entry:
                entry["digest"] = cache.digest({k: entry[k] for k in ("format", "version", "slot", "key", "data")})
            path.write_text(json.dumps(entry), encoding="utf-8")
            return
    raise AssertionError(f"no cache entry for {slot}")


def rebuilt(root: Path, caplog: pytest.LogCaptureFixture) -> Events:
    """A build that has work to do (a file of the other paper is gone), its notes captured."""
    (root / "build" / EXAMPLE_MEETING.name / "public" / f"{PAPERS[1]}.html").unlink()
    events = Events()
    with caplog.at_level(logging.INFO, logger="panelpapers"):
        build([meeting_of(root)], root / "build", progress=events, jobs=2)
    return events


@pytest.mark.parametrize("reseal", [False, True], ids=["edited", "edited-and-resealed"])
def test_a_cache_entry_giving_the_public_variant_a_restricted_pdf_is_discarded(
    withholding: Path, tmp_path: Path, reseal: bool, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "project"
    shutil.copytree(withholding, root)
    good = tree(root / "build" / EXAMPLE_MEETING.name)
    name = f"{WITHHELD}.pdf"

    def swap(data: dict[str, Any]) -> None:
        public, restricted = data["variants"]["public"], data["variants"]["restricted"]
        assert public["outputs"][name]["sha256"] != restricted["outputs"][name]["sha256"]
        public["outputs"][name] = dict(restricted["outputs"][name], marking=public["marking"])
        public["pack_pdf"] = restricted["pack_pdf"]

    edit_entry(root, f"paper/{EXAMPLE_MEETING.name}/{WITHHELD}", swap, reseal)
    events = rebuilt(root, caplog)
    assert events.rendered() == [WITHHELD]  # the entry was not trusted: the paper is rendered again
    assert tree(root / "build" / EXAMPLE_MEETING.name) == good
    assert any("discarded" in record.getMessage() for record in caplog.records)


def test_a_cache_entry_edited_by_hand_never_reaches_the_public_site(
    withholding: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "project"
    shutil.copytree(withholding, root)
    good = tree(root / "build" / EXAMPLE_MEETING.name)

    def retitle(data: dict[str, Any]) -> None:
        for facts in data["variants"].values():
            facts["title"] = "EDITED-TITLE"

    edit_entry(root, f"paper/{EXAMPLE_MEETING.name}/{WITHHELD}", retitle, reseal=False)
    events = rebuilt(root, caplog)
    assert events.rendered() == [WITHHELD]
    assert tree(root / "build" / EXAMPLE_MEETING.name) == good
    site = root / "build" / EXAMPLE_MEETING.name / "public" / "site"
    assert not any(b"EDITED-TITLE" in path.read_bytes() for path in site.rglob("*") if path.is_file())


def test_a_blob_whose_sha256_is_not_its_name_is_removed(tmp_path: Path) -> None:
    cache = Cache(tmp_path / CACHE_FOLDER)
    sha = cache.put_blob(b"bytes")
    blob = tmp_path / CACHE_FOLDER / "blobs" / sha[:2] / sha
    blob.write_bytes(b"other")
    assert Cache(tmp_path / CACHE_FOLDER).blob(sha) is None and not blob.exists()


# A build that stops once its first staging folder is complete, just before publishing it, until the
# file named first on its command line exists (at most a minute).
PAUSING_BUILD = """
import sys, time
from pathlib import Path
import panelpapers.publish as publish
fsync = publish._fsync_directory
def slow(path):
    if ".staging-" in path.name and not getattr(slow, "done", False):
        slow.done = True
        for _ in range(1200):
            if Path(sys.argv[1]).exists():
                break
            time.sleep(0.05)
    fsync(path)
publish._fsync_directory = slow
from panelpapers.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_two_builds_at_once_both_finish_with_a_single_build_s_outputs(
    built: tuple[Path, Events], tmp_path: Path
) -> None:
    """The second build reaches its publishing while the first is between filling its staging folder
    and swapping it in: it must not take that folder for one a killed build left, and remove it."""
    root = tmp_path / "project"
    shutil.copytree(built[0], root)
    edit(meeting_of(root) / PAPERS[0] / "summary.yaml", "picture", "view")
    out = root / "build" / EXAMPLE_MEETING.name
    killed = out / ".restricted.staging-0123456789ab"  # as a killed build leaves it
    killed.mkdir()
    arguments = ["build", "content", "-j", "1"]
    go = tmp_path / "go"  # the first build goes on to publish once this exists
    first = subprocess.Popen([sys.executable, "-c", PAUSING_BUILD, go, *arguments], cwd=root, stderr=subprocess.PIPE)
    for _ in range(1200):
        if any(path != killed for path in out.glob(".*.staging-*")) or first.poll() is not None:
            break
        time.sleep(0.1)
    second = subprocess.Popen([sys.executable, "-m", "panelpapers", *arguments], cwd=root, stderr=subprocess.PIPE)
    assert second.stderr is not None
    told = b""  # what the second build printed, up to its waiting for the first to finish publishing
    deadline = time.monotonic() + 300
    while b"panelpapers: waiting for another build" not in told and time.monotonic() < deadline:
        if select.select([second.stderr], [], [], 1.0)[0]:
            chunk = os.read(second.stderr.fileno(), 4096)
            if not chunk:
                break
            told += chunk
    assert b"panelpapers: waiting for another build" in told, told.decode("utf-8", "replace")
    go.touch()
    for run in (first, second):
        stderr = run.communicate(timeout=300)[1].decode("utf-8", "replace")
        stderr = told.decode("utf-8", "replace") + stderr if run is second else stderr
        assert run.returncode == 0 or (run.returncode == 1 and "another panelpapers build" in stderr), stderr
        assert "internal error" not in stderr, stderr
    # One build of the same edit, alone, from the same starting point (the build folder before the two).
    shutil.copytree(built[0] / "build", root / "single")
    build([meeting_of(root)], root / "single", jobs=1)
    assert tree(out) == tree(root / "single" / EXAMPLE_MEETING.name)
    assert not killed.exists()


def test_a_build_waits_for_the_folder_and_says_so_when_it_waited_too_long(
    built: tuple[Path, Events], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panelpapers import publish

    root = tmp_path / "project"
    shutil.copytree(built[0], root)
    (root / "build" / EXAMPLE_MEETING.name / "public" / f"{PAPERS[1]}.html").unlink()
    before = tree(root / "build" / EXAMPLE_MEETING.name)
    monkeypatch.setattr(publish, "LOCK_WAIT_SECONDS", 0.5)
    events = Events()
    with publish.locked(root / "build"), pytest.raises(ContentError) as caught:
        build([meeting_of(root)], root / "build", progress=events)
    assert str(caught.value).endswith(
        "another panelpapers build is writing to this folder and has not finished after 0 s; "
        "let it finish, then build again"
    )
    assert ("waiting", f"for another build to finish with {root / 'build'}") in events.seen
    assert tree(root / "build" / EXAMPLE_MEETING.name) == before


def project_inputs(root: Path, names: list[str]) -> dict[str, str]:
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in names}


def test_the_manifest_names_the_project_files_a_build_read(built: tuple[Path, Events], tmp_path: Path) -> None:
    from panelpapers.manifest import FORMAT as MANIFEST_FORMAT
    from panelpapers.manifest import VERSION as MANIFEST_VERSION
    from panelpapers.manifest import ManifestError, read_manifest

    root = built[0]
    expected = project_inputs(root, ["panelpapers.yaml", "templates/agenda.css", "templates/paper.css"])
    for variant in ("public", "restricted"):
        manifest = json.loads((root / "build" / EXAMPLE_MEETING.name / variant / "manifest.json").read_text("utf-8"))
        assert (manifest["format"], manifest["version"]) == (MANIFEST_FORMAT, MANIFEST_VERSION)
        assert manifest["project_inputs"] == expected
    council = tmp_path / "council"
    shutil.copytree(PROJECT_ROOT / "tests" / "projects" / "council", council)
    build([council / "content"], council / "build", jobs=1)
    fonts = sorted(str(path.relative_to(council)) for path in (council / "fonts").iterdir())
    expected = project_inputs(council, ["panelpapers.yaml", "images/northbridge-logo.png", *fonts])
    for manifest_path in (council / "build").glob("*/*/manifest.json"):
        assert read_manifest(manifest_path).project_inputs == expected
    manifest_path.write_text(manifest_path.read_text("utf-8").replace('"version": 1', '"version": 99'), "utf-8")
    with pytest.raises(ManifestError) as caught:
        read_manifest(manifest_path)
    assert str(caught.value) == (
        f"{manifest_path}: a manifest of version 99; this panelpapers reads version 1: build the folder again"
    )


def test_a_save_while_the_build_reads_is_never_cached_as_the_new_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An author saves a paper just after the build has read it (the preview rebuilds while they
    type). That build prints the text it read; the next build must print the text saved, never
    take the first build's outputs from the cache as if they were of the new text."""
    import panelpapers.build.run as run

    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    meeting = reduced_meeting(root / "content", ["04-governance-statement"])
    summary = meeting / "04-governance-statement" / "summary.yaml"
    out = root / "build"
    real_load = run.load

    def load_then_save(*args: Any, **kwargs: Any) -> Any:
        loaded = real_load(*args, **kwargs)
        text = summary.read_text(encoding="utf-8")
        summary.write_text(text.replace("internal control is **adequate**", "internal control is **sufficient**"))
        return loaded

    with monkeypatch.context() as patched:
        patched.chdir(root)
        patched.setattr(run, "load", load_then_save)
        build([Path("content")], out, jobs=1)
    monkeypatch.chdir(root)
    build([Path("content")], out, jobs=1)
    html = (out / meeting.name / "public" / "04-governance-statement.html").read_text(encoding="utf-8")
    assert "internal control is <strong>sufficient</strong>" in html
