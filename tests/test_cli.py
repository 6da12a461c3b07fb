"""The command line as an author meets it: version, quiet and verbose output, progress lines, exit
statuses, `new` skeletons that pass `check` straight away, and JSON Schemas that accept every file the
tool accepts. Every run is a separate process (`run_panelpapers`)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import EXAMPLE_MEETING, PROJECT_ROOT, run_panelpapers

from panelpapers.load.content_format import SECTION_FILES
from panelpapers.load.source import load_yaml

MEETING = "2022-04-04-audit-panel"
PAPERS = ("02-first-paper", "03-withheld-paper")  # the second marked above OFFICIAL: left out of public
WITHHELD = "(a paper not published)"
EXIT_USAGE = 64
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to show that nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty content project with one meeting and two papers made by `new`, nothing copied."""
    root = tmp_path_factory.mktemp("project")
    (root / "content").mkdir()
    made = run_panelpapers("new", "meeting", f"content/{MEETING}", cwd=root)
    assert made.returncode == 0, made.stderr
    for paper in PAPERS:
        made = run_panelpapers("new", "paper", f"content/{MEETING}/{paper}", cwd=root)
        assert made.returncode == 0, made.stderr
    cover = root / "content" / MEETING / PAPERS[1] / "paper.yaml"
    text = cover.read_text(encoding="utf-8")
    assert "marking: OFFICIAL " in text
    cover.write_text(text.replace("marking: OFFICIAL ", "marking: OFFICIAL-SENSITIVE "), encoding="utf-8")
    return root


# ---- global options and exit statuses -------------------------------------------------------------


@pytest.mark.quick
def test_version() -> None:
    done = run_panelpapers("--version", cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"panelpapers {version('panelpapers')}\n"


@pytest.mark.quick
def test_help_lists_the_exit_statuses() -> None:
    done = run_panelpapers("--help", cwd=PROJECT_ROOT)
    assert done.returncode == 0
    for status in ("0", "1", "2", str(EXIT_USAGE)):
        assert re.search(rf"^  {status} +\S", done.stdout, re.MULTILINE), done.stdout
    assert "diff is the exception" in done.stdout


@pytest.mark.quick
@pytest.mark.parametrize(
    "args",
    [
        ("no-such-command",),
        ("build", "--no-such-option"),
        ("check", "content", "--out", "build"),  # check writes nothing, so takes no --out
        ("--quiet", "--verbose", "check"),
        ("new", "meeting"),
        ("new", "agenda", f"content/{MEETING}"),
        ("build", "-j", "0"),
        ("build", "-j", "\u00b2"),  # a digit to str.isdigit(), not a number of workers
    ],
)
def test_usage_errors_exit_64(args: tuple[str, ...], tmp_path: Path) -> None:
    done = run_panelpapers(*args, cwd=tmp_path)
    assert done.returncode == EXIT_USAGE, done.stdout + done.stderr
    assert done.stderr.startswith("usage: panelpapers") and "error:" in done.stderr
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())
    if "-j" in args:
        assert f"expected a whole number of at least 1, not {args[-1]!r}" in done.stderr


def test_diff_keeps_its_own_exit_status_for_usage_errors(tmp_path: Path) -> None:
    """diff's convention is 0 same, 1 changed, 2 trouble; a command line it cannot use is trouble."""
    done = run_panelpapers("diff", "--no-such-option", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("usage: panelpapers diff")


def test_quiet_check_and_build_print_nothing(project: Path) -> None:
    for args in (("-q", "check"), ("-q", "build", "--out", "build-quiet")):
        done = run_panelpapers(*args, cwd=project)
        assert done.returncode == 0, done.stderr
        assert (done.stdout, done.stderr) == ("", ""), args
    assert (project / "build-quiet" / MEETING / "public" / "pack.pdf").is_file()


def test_build_prints_plain_progress_lines_when_not_on_a_terminal(project: Path) -> None:
    done = run_panelpapers("build", "--out", "build-plain", cwd=project)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "panelpapers: loading content"
    assert f"panelpapers: rendering {MEETING}/{PAPERS[0]} (1/2)" in lines
    # a build's log is as public as the public variant: a paper withheld from it goes unnamed
    assert f"panelpapers: rendering {MEETING}/{WITHHELD} (2/2)" in lines
    assert PAPERS[1] not in done.stdout + done.stderr
    assert f"panelpapers: pack {MEETING}/public" in lines
    assert any(line.startswith("panelpapers: publishing ") for line in lines)
    assert all(line.startswith("panelpapers: ") for line in lines), done.stderr
    # stdout keeps the summary line alone, saying what was rendered (a cold build: every paper)
    summary = r"panelpapers: rendered 2 papers; \d+ files written under build-plain in [\d.]+ s\n"
    assert re.fullmatch(summary, done.stdout), done.stdout


def test_verbose_build_lists_files_and_stage_times(project: Path) -> None:
    done = run_panelpapers("-v", "build", "--out", "build-verbose", cwd=project)
    assert done.returncode == 0, done.stderr
    for variant in ("public", "restricted"):
        pack = Path("build-verbose") / MEETING / variant / "pack.pdf"
        assert re.search(rf"^panelpapers: wrote {re.escape(str(pack))} \([\d,]+ bytes\)$", done.stderr, re.MULTILINE)
    assert f"restricted/{PAPERS[0]}.pdf" in done.stderr and PAPERS[1] not in done.stdout + done.stderr
    assert (project / "build-verbose" / MEETING / "restricted" / f"{PAPERS[1]}.pdf").is_file()
    stages = r"loading [\d.]+ s, rendering [\d.]+ s, pack [\d.]+ s, publishing [\d.]+ s"
    assert re.search(rf"^panelpapers: time by stage: {stages}$", done.stderr, re.MULTILINE), done.stderr


def test_terminal_progress_shows_a_line_per_stage() -> None:
    """The live display (rich) as a terminal would show it; built without a build."""
    from rich.console import Console

    from panelpapers.cli import TerminalProgress

    screen = io.StringIO()
    display = TerminalProgress(Console(file=screen, force_terminal=True, width=120, color_system=None))
    display.event("loading", "content")
    display.display.refresh()  # the line as shown while the content loads
    for number, paper in enumerate(PAPERS, 1):
        display.event("rendering", f"{MEETING}/{paper} ({number}/{len(PAPERS)})")
    display.event("pack", f"{MEETING}/public")
    display.event("publishing", f"build/{MEETING}/public")
    display.close()
    shown = screen.getvalue()
    for label in ("Loading and checking content", "Rendering papers", "Assembling packs", "Publishing"):
        assert label in shown
    assert "content content" not in shown  # the folder is named once
    assert f"{len(PAPERS)}/{len(PAPERS)}" in shown
    assert list(display.spent) == ["loading", "rendering", "pack", "publishing"]


def test_check_does_not_import_rich(project: Path) -> None:
    code = "import sys; from panelpapers.cli import main; main(['-q', 'check']); print('rich' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


# ---- new ----------------------------------------------------------------------------------------


@pytest.mark.quick
def test_new_meeting_and_papers_pass_check(project: Path) -> None:
    done = run_panelpapers("check", cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"panelpapers: {len(PAPERS)} papers checked, no problems\n"

    meeting_file = project / "content" / MEETING / "meeting.yaml"
    meeting = meeting_file.read_text(encoding="utf-8")
    assert "date: 2022-04-04 " in meeting and "  - oral: Apologies for absence\n" in meeting
    assert meeting.endswith("".join(f"  - paper: {paper}\n" for paper in PAPERS))
    panel = yaml.safe_load(meeting)["panel"]
    for paper in PAPERS:
        folder = project / "content" / MEETING / paper
        assert sorted(p.name for p in folder.iterdir()) == sorted(SECTION_FILES)
        cover = yaml.load((folder / "paper.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        assert (cover["meeting"], cover["date"]) == (panel, "2022-04-04")
        assert "Replace this with" in (folder / "supporting.yaml").read_text(encoding="utf-8")


def test_every_file_new_writes_names_its_schema(project: Path) -> None:
    done = run_panelpapers("schema", "--out", "schemas", cwd=project)
    assert done.returncode == 0, done.stderr
    schemas = project / "schemas"
    for path in sorted((project / "content").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        line = MODELINE.match(text)
        assert line, f"{path} does not start with a yaml-language-server modeline"
        schema_path = (path.parent / line.group(1)).resolve()
        assert schema_path.parent == schemas.resolve() and schema_path.is_file(), line.group(0)
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        loaded, problems = load_yaml(path)
        assert loaded is not None, problems
        assert_valid(schema, loaded.data, path)


def test_new_refuses_to_overwrite(project: Path) -> None:
    before = tree(project / "content")
    for kind, folder in (("meeting", f"content/{MEETING}"), ("paper", f"content/{MEETING}/{PAPERS[0]}")):
        done = run_panelpapers("new", kind, folder, cwd=project)
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stderr.splitlines() == [f"{folder}: already exists; `new` never overwrites, so nothing was written"]
    # a paper number already taken is refused too
    done = run_panelpapers("new", "paper", f"content/{MEETING}/02-another", cwd=project)
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1 and "02-first-paper" in done.stderr
    assert tree(project / "content") == before


@pytest.mark.parametrize(
    ("kind", "folder"),
    [
        ("meeting", "content/audit-panel"),
        ("meeting", "content/2022-02-30-audit-panel"),
        ("meeting", "content/2022-04-04-Audit Panel"),
        ("paper", f"content/{MEETING}/risk-management"),
        ("paper", f"content/{MEETING}/2-risk-management"),
    ],
)
def test_new_refuses_a_name_off_the_pattern_as_a_usage_error(kind: str, folder: str, tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    done = run_panelpapers("new", kind, folder, cwd=tmp_path)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert done.stderr.startswith("panelpapers new: error: ") and len(done.stderr.splitlines()) == 1
    assert not list((tmp_path / "content").iterdir())


MEETING_BY_HAND = """\
# Our own layout, kept as it is.
panel: Audit Committee
date: 2023-03-14
time: "18:00"
venue: Committee Room 1
membership: [{name: A. Member}]
contact: {name: A. Clerk, email: clerk@example.org}
agenda:
- oral: Apologies   # item 1
- oral: |
    Minutes of the last meeting

# chair's note: keep this comment
next_meeting: 2023-06-13
"""


MEETING_FLOW = MEETING_BY_HAND.replace(
    "agenda:\n- oral: Apologies   # item 1\n- oral: |\n    Minutes of the last meeting\n",
    "agenda: [{oral: Apologies}, {oral: Minutes}]\n",
)


@pytest.mark.parametrize("meeting", [MEETING_BY_HAND, MEETING_FLOW], ids=["block", "flow"])
def test_new_paper_adds_one_agenda_line_and_keeps_the_rest(meeting: str, tmp_path: Path) -> None:
    folder = tmp_path / "content" / "2023-03-14-audit-committee"
    folder.mkdir(parents=True)
    (folder / "meeting.yaml").write_text(meeting, encoding="utf-8")
    done = run_panelpapers("new", "paper", "content/2023-03-14-audit-committee/02-treasury", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    after = (folder / "meeting.yaml").read_text(encoding="utf-8")
    data = yaml.load(after, Loader=yaml.BaseLoader)
    assert data["agenda"][-1] == {"paper": "02-treasury"} and len(data["agenda"]) == 3
    if "agenda: [" in meeting:
        assert "{oral: Minutes}, {paper: 02-treasury}]" in after
    else:  # one line added, at the agenda's indent, after the last item; every other line as it was
        added = [line for line in after.splitlines() if line not in meeting.splitlines()]
        assert added == ["- paper: 02-treasury"]
        assert after.replace("- paper: 02-treasury\n", "") == meeting
        assert after.index("- paper: 02-treasury") < after.index("# chair's note")
    cover = yaml.load((folder / "02-treasury" / "paper.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert (cover["meeting"], cover["date"]) == ("Audit Committee", "2023-03-14")
    check = run_panelpapers("check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr


# ---- schema -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`panelpapers schema --out schemas`, read back; checked against the printed form."""
    root = tmp_path_factory.mktemp("schemas")
    written = run_panelpapers("schema", "--out", "schemas", cwd=root)
    assert written.returncode == 0, written.stderr
    printed = run_panelpapers("schema", cwd=root)
    assert printed.returncode == 0, printed.stderr
    files = {p.name.removesuffix(".schema.json"): p.read_text(encoding="utf-8") for p in (root / "schemas").iterdir()}
    everything = json.loads(printed.stdout)
    assert sorted(files) == sorted(everything)
    for kind, text in files.items():
        assert text == json.dumps(everything[kind], indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return everything


@pytest.mark.quick
def test_schema_kinds(schemas: dict[str, Any]) -> None:
    expected = {"meeting", "paper", "summary", "recommendations", "supporting", "implications", "contact"}
    expected |= {"appendices", "data"}
    assert expected <= set(schemas)
    assert set(schemas) - expected <= {"house-style"}
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)


def kind_of(path: Path) -> str:
    from panelpapers.json_schemas import kind_of

    kind = kind_of(path.name)
    assert kind is not None, path
    return kind


def yaml12(node: yaml.Node) -> Any:
    """A file as an editor's YAML 1.2 (core schema) reads it: plain 12 a number, true a boolean."""
    if isinstance(node, yaml.ScalarNode):
        value = node.value
        if node.style is None:
            if value in ("", "~", "null", "Null", "NULL"):
                return None
            if value in ("true", "True", "TRUE", "false", "False", "FALSE"):
                return value.lower() == "true"
            if re.fullmatch(r"[-+]?[0-9]+", value):
                return int(value)
            if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", value):
                return float(value)
        return value
    if isinstance(node, yaml.SequenceNode):
        return [yaml12(item) for item in node.value]
    return {key.value: yaml12(value) for key, value in node.value}


def assert_valid(schema: dict[str, Any], data: Any, path: Path) -> None:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    described = [f"{path}: {'.'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]]
    assert not errors, "\n".join(described)


def test_every_example_file_validates_against_its_schema(schemas: dict[str, Any]) -> None:
    """What the tool accepts, the schema accepts: as the tool reads the files (every scalar text) and
    as an editor reads them (YAML 1.2: numbers and booleans typed)."""
    files = sorted(EXAMPLE_MEETING.rglob("*.yaml"))
    assert {kind_of(path) for path in files} >= {"meeting", "paper", "implications", "data"}
    for path in files:
        loaded, problems = load_yaml(path)
        assert loaded is not None, problems
        schema = schemas[kind_of(path)]
        assert_valid(schema, loaded.data, path)
        assert_valid(schema, yaml12(yaml.compose(path.read_text(encoding="utf-8"))), path)


def test_house_style_files_validate_against_their_schema(schemas: dict[str, Any]) -> None:
    files = [PROJECT_ROOT / "panelpapers.yaml", *sorted(PROJECT_ROOT.glob("tests/projects/*/panelpapers.yaml"))]
    assert len(files) >= 2 and all(path.is_file() for path in files)
    for path in files:
        loaded, problems = load_yaml(path)
        assert loaded is not None, problems
        assert_valid(schemas["house-style"], loaded.data, path)


def test_schemas_still_catch_mistakes(schemas: dict[str, Any]) -> None:
    """Loosened for what the tool accepts, not into accepting anything."""
    cover = {"title": "T", "meeting": "M", "date": "2022-01-17", "report_by": "R", "organisation": "MPS"}
    cover |= {"marking": "OFFICIAL", "status": "draft"}
    validator = jsonschema.Draft202012Validator(schemas["paper"])
    assert validator.is_valid(cover) and validator.is_valid(cover | {"contents": "yes"})
    assert not validator.is_valid(cover | {"titel": "T"})  # unknown key
    assert not validator.is_valid({k: v for k, v in cover.items() if k != "title"})  # missing key
    assert not validator.is_valid(cover | {"status": "drift"})
    assert not validator.is_valid(cover | {"contents": "maybe"})
    summary = jsonschema.Draft202012Validator(schemas["summary"])
    part = ["A paragraph.", {"bullets": ["one", "two"]}]
    assert summary.is_valid({"purpose": part, "key_considerations": part, "interdependencies": part})
    assert not summary.is_valid({"purpose": [], "key_considerations": part, "interdependencies": part})
    data = jsonschema.Draft202012Validator(schemas["data"])
    source = {"file": "data/s.csv", "columns": {"ref": "text", "n": {"type": "integer"}}}
    assert data.is_valid({"sources": {"s": source}})
    assert not data.is_valid({"sources": {"s": source | {"columns": {"ref": "txt"}}}})


# ---- options after the command, and Ctrl-C ------------------------------------------------------


def test_quiet_and_verbose_work_after_the_command_too(project: Path) -> None:
    quiet = run_panelpapers("check", "-q", cwd=project)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    verbose = run_panelpapers("build", "-v", "--out", "build-verbose-after", cwd=project)
    assert verbose.returncode == 0, verbose.stderr
    assert "panelpapers: time by stage: loading" in verbose.stderr
    # a value given before the command is not undone by the command's own default
    before = run_panelpapers("-q", "build", "--out", "build-verbose-after", cwd=project)
    assert (before.returncode, before.stdout, before.stderr) == (0, "", "")
    both = run_panelpapers("-q", "build", "-v", cwd=project)
    assert both.returncode == EXIT_USAGE and "not allowed with argument -v/--verbose" in both.stderr


def digests(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".panelpapers-cache" not in p.parts
    }


def test_ctrl_c_while_rendering_leaves_the_last_build_whole(project: Path, tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group (the build, its fork server and workers): the build
    says what it left, exits 130, no worker prints a traceback, and the last build's folders are
    exactly as they were, with no staging folder beside them."""
    import os
    import shutil
    import signal

    shutil.copytree(project / "content", tmp_path / "content")
    first = run_panelpapers("-q", "build", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = digests(tmp_path / "build")
    paper = tmp_path / "content" / MEETING / PAPERS[0] / "paper.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("title: ", "title: Revised ", 1), encoding="utf-8")
    build = subprocess.Popen(
        [sys.executable, "-m", "panelpapers", "build", "-j", "2"],
        cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "CI": "true"}, start_new_session=True,  # its own group, as a shell's job is
    )
    assert build.stderr is not None
    seen = []
    for line in build.stderr:
        seen.append(line)
        if line.startswith("panelpapers: rendering "):
            break
    assert seen and seen[-1].startswith("panelpapers: rendering "), "".join(seen)
    os.killpg(build.pid, signal.SIGINT)
    stdout, rest = build.communicate(timeout=60)
    stderr = "".join(seen) + rest
    assert build.returncode == 130, stderr
    assert stderr.endswith("panelpapers: interrupted; build left as it was\n"), stderr
    assert "Traceback" not in stderr and stdout == "", stderr
    assert digests(tmp_path / "build") == before
    assert sorted(p.name for p in (tmp_path / "build" / MEETING).iterdir()) == ["public", "restricted"]
    time.sleep(1)
    assert living_in_group(build.pid) == [], "a worker or the fork server outlived the build"


def living_in_group(group: int) -> list[str]:
    """The processes of a process group still running (not zombies: a container's init may not reap them)."""
    living = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            living.append(stat.parent.name)
    return living


def test_docs_prints_the_pages_installed_with_the_package(tmp_path: Path) -> None:
    """The help points at `panelpapers docs`, which reads the docs the package installed (run from an
    empty folder: nothing of this checkout is found by looking around)."""
    helped = run_panelpapers("--help", cwd=tmp_path)
    assert "`panelpapers docs commands`" in helped.stdout and "docs/commands.md" not in helped.stdout
    page = run_panelpapers("docs", "commands", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert page.stdout == (PROJECT_ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    listed = run_panelpapers("docs", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    topics = [line.split()[0] for line in listed.stdout.splitlines()[: len(list((PROJECT_ROOT / "docs").glob("*.md")))]]
    assert topics == sorted(p.stem for p in (PROJECT_ROOT / "docs").glob("*.md"))
    assert "commands         Commands" in listed.stdout
    wrong = run_panelpapers("docs", "comands", cwd=tmp_path)
    assert wrong.returncode == EXIT_USAGE and "did you mean 'commands'?" in wrong.stderr
