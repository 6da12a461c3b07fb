"""`panelpapers preview` (docs/preview.md): the server's safety against a running server on a free
port (Host check, methods, traversal in every spelling, symlinks out, no listings), the variant
shown, and end to end with a real browser: headless Chromium, driven as the accessibility tests
drive it (puppeteer-core from npm, tools/preview_browser.mjs), opens the preview of a meeting run
as `python -m panelpapers preview --port 0`; an edit saved to a YAML file appears in the page, a
broken YAML puts the problem over the page with its file:line, fixing it clears it; the PDF made
follows; SIGINT stops the preview with status 0 and the output folder holds only complete files.

In CI (`CI` set) a missing Node, npm or Chromium fails the browser test; elsewhere it skips."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, reduced_meeting, run_panelpapers
from datapapers import edit
from readback import pdf_pages_text
from test_accessibility_html import axe_tools, chromium  # noqa: F401 (a fixture, used by name)

from panelpapers.manifest import MANIFEST_FILE, read_manifest
from panelpapers.preview.page import EVENTS_PATH, OVERLAY_ID
from panelpapers.preview.server import PreviewServer, file_name
from panelpapers.preview.state import PaperView, PreviewState

PAPER = "04-governance-statement"
SENSITIVE_APPENDIX = "Governance improvement plans 2022/23"  # its Appendix A, OFFICIAL-SENSITIVE


# ---- the server's safety, against a running server -----------------------------------------------


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    """A preview server on a free port over a variant folder holding a PDF, a site page and a symlink
    that leads out of the folder, with a secret beside the folder."""
    folder = tmp_path / "build" / "meeting" / "public"
    (folder / "site").mkdir(parents=True)
    (folder / "02-paper.pdf").write_bytes(b"%PDF-1.7 a paper")
    (folder / "site" / "index.html").write_text("<html><head></head><body>the site</body></html>")
    (tmp_path / "build" / "meeting" / "restricted").mkdir()
    (tmp_path / "build" / "meeting" / "restricted" / "secret.pdf").write_bytes(b"SECRET restricted bytes")
    (folder / "escape.pdf").symlink_to(tmp_path / "build" / "meeting" / "restricted" / "secret.pdf")
    state = PreviewState(tmp_path / "content" / "meeting", "public", folder)
    state.update(papers=(PaperView("02-paper", "A paper", "draft", True, b"<html><body>paper text</body></html>"),))
    preview = PreviewServer(state, 0)
    thread = threading.Thread(target=preview.serve_forever, daemon=True)
    thread.start()
    yield preview
    preview.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()


def request(
    server: PreviewServer, path: str, method: str = "GET", host: str | None = "127.0.0.1:{port}"
) -> tuple[int, dict[str, str], bytes]:
    """One raw request: the path and the Host header (None: none) sent exactly as given."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    if host is not None:
        connection.putheader("Host", host.format(port=server.port))
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


def test_serves_the_index_the_paper_with_its_reload_script_and_the_files(server: PreviewServer) -> None:
    status, headers, body = request(server, "/")
    assert status == 200 and b"A paper" in body and b"02-paper.html" in body
    status, headers, body = request(server, "/02-paper.html")
    assert status == 200 and b"paper text" in body
    nonce = re.search(r"script-src 'nonce-([^']+)'", headers["Content-Security-Policy"])
    assert nonce and f'<script nonce="{nonce.group(1)}">'.encode() in body  # the one script allowed
    assert EVENTS_PATH.encode() in body and b"EventSource" in body and b"<script src" not in body
    status, headers, body = request(server, "/02-paper.pdf")
    assert (status, headers["Content-Type"], body) == (200, "application/pdf", b"%PDF-1.7 a paper")
    status, headers, body = request(server, "/02-paper.pdf", method="HEAD")
    assert (status, body, headers["Content-Length"]) == (200, b"", str(len(b"%PDF-1.7 a paper")))
    status, _, body = request(server, "/site/index.html")
    assert status == 200 and b"the site" in body and b"EventSource" in body


@pytest.mark.parametrize("host", ["localhost:{port}", "LOCALHOST:{port}"])
def test_answers_to_its_own_names(server: PreviewServer, host: str) -> None:
    assert request(server, "/", host=host)[0] == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}", "127.0.0.1:1", "[::1]:{port}",
                                  "127.0.0.1.attacker.example:{port}", "", None])
def test_refuses_any_other_host_against_dns_rebinding(server: PreviewServer, host: str | None) -> None:
    status, _, body = request(server, "/02-paper.pdf", host=host)
    assert status == 421 and b"%PDF" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_refuses_every_method_but_get_and_head(server: PreviewServer, method: str) -> None:
    status, headers, _ = request(server, "/02-paper.pdf", method=method)
    assert status == 405 and headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "path",
    [
        "/../restricted/secret.pdf",
        "/site/../../restricted/secret.pdf",
        "/%2e%2e/restricted/secret.pdf",
        "/%2E%2E%2Frestricted%2Fsecret.pdf",
        "/site/..%2f..%2frestricted%2fsecret.pdf",
        "/%252e%252e/restricted/secret.pdf",
        "/..%5crestricted%5csecret.pdf",
        "/.%2e/restricted/secret.pdf",
        "//etc/passwd",
        "/02-paper.pdf%00.html",
        "/%ff%fe",
        "/.hidden",
    ],
)
def test_refuses_path_traversal_in_every_spelling(server: PreviewServer, path: str) -> None:
    status, _, body = request(server, path)
    # 400; `//etc/passwd` is 404, as http.server itself makes it `/etc/passwd` before the preview sees it
    assert status in (400, 404) and b"SECRET" not in body and b"root:" not in body
    assert file_name(path) is None


def test_refuses_a_symlink_out_of_the_folder(server: PreviewServer) -> None:
    status, _, body = request(server, "/escape.pdf")
    assert status == 403 and b"SECRET" not in body


@pytest.mark.parametrize("path", ["/site", "/site/"])
def test_lists_no_folder(server: PreviewServer, path: str) -> None:
    status, _, body = request(server, path)
    assert status in (400, 404) and b"index.html" not in body


def test_tells_each_page_the_generation_at_once_and_when_it_changes(server: PreviewServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", EVENTS_PATH, headers={"Host": f"127.0.0.1:{server.port}"})
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"

    def next_event() -> dict[str, Any]:
        lines = [response.readline() for _ in range(3)]
        assert lines[0] == b"event: change\n" and lines[2] == b"\n", lines
        told: dict[str, Any] = json.loads(lines[1].removeprefix(b"data: "))
        return told

    first = next_event()
    server.state.update(building="PDF of 02-paper")  # progress: told, but no reload
    assert next_event() == {"generation": first["generation"], "building": "PDF of 02-paper"}
    server.state.update(problems=("content/x.yaml:3: a problem",), building="")
    assert next_event()["generation"] == first["generation"] + 1
    connection.close()


# ---- what the preview shows of a meeting ---------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content project of the example's house style holding the example meeting with its
    governance statement only (8 pages, an OFFICIAL-SENSITIVE appendix)."""
    root = tmp_path_factory.mktemp("preview-project")
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    reduced_meeting(root / "content", [PAPER])
    return root


def test_the_public_variant_is_shown_unless_restricted_is_asked(project: Path, tmp_path: Path) -> None:
    from panelpapers.cache import KeyContext, paper_key
    from panelpapers.preview.watch import Rebuilder

    meeting = next((project / "content").iterdir())
    context = KeyContext.of(project, None)
    shown = {}
    for variant in ("public", "restricted"):
        state = PreviewState(meeting, variant, tmp_path / variant)
        rebuilder = Rebuilder(state, tmp_path, say=False)
        problems, given = rebuilder.show_html({meeting / PAPER: paper_key(meeting / PAPER, context)}, None, context)
        view = rebuilder.views[PAPER]
        assert not problems and [r.folder for r in given] == [meeting / PAPER]
        assert view.html is not None and b"Annual Governance Statement" in view.html
        shown[variant] = view.html.decode("utf-8")
    assert SENSITIVE_APPENDIX not in shown["public"]
    assert SENSITIVE_APPENDIX in shown["restricted"]
    from panelpapers.cli import parser

    assert parser().parse_args(["preview"]).variant == "public"


def test_a_papers_data_is_computed_again_only_when_what_it_is_computed_from_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import panelpapers.data.paper_data as paper_data
    from panelpapers.cache import KeyContext
    from panelpapers.preview.kept_data import KeptData
    from panelpapers.project import project_of

    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", tmp_path / "panelpapers.yaml")
    folder = reduced_meeting(tmp_path / "content", ["02-risk-management"]) / "02-risk-management"
    computed: list[Path] = []
    compute = paper_data.load_paper_data
    monkeypatch.setattr(paper_data, "load_paper_data", lambda at, house: computed.append(at) or compute(at, house))
    house, context, kept = project_of([folder]).house, KeyContext.of(tmp_path, None), KeptData()

    first, problems = kept.computed(folder, house, context)
    assert first is not None and first.charts and not problems
    edit(folder / "summary.yaml", "a picture of", "an outline of")  # the text, which no chart is drawn from
    assert kept.computed(folder, house, context)[0] is first and len(computed) == 1
    (folder / "data.yaml").write_text((folder / "data.yaml").read_text(encoding="utf-8") + "# noted\n")
    again = kept.computed(folder, house, context)[0]
    assert again is not first and len(computed) == 2
    (folder / "data" / "notes.txt").write_text("a file data.yaml could name\n")
    assert kept.computed(folder, house, context)[0] is not again and len(computed) == 3


# ---- end to end, with a browser ------------------------------------------------------------------


class Browser:
    """tools/preview_browser.mjs in its own process: one JSON step in, one JSON answer out."""

    def __init__(self, folder: Path) -> None:
        shutil.copy(PROJECT_ROOT / "tools" / "preview_browser.mjs", folder / "preview_browser.mjs")
        self.process = subprocess.Popen(
            ["node", str(folder / "preview_browser.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "CHROMIUM": chromium() or ""},
        )

    def step(self, **step: object) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(step) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        assert answer["ok"], answer.get("error")
        return answer

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def start_preview(project: Path, *args: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    """`python -m panelpapers preview --port 0` in the project; its URL, read from its stderr, and
    every line it prints there (read on a thread until it ends)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "panelpapers", "preview", "--port", "0", *args],
        cwd=project,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    printed: list[str] = []
    first = process.stderr.readline()
    printed.append(first)
    found = re.search(r"http://127\.0\.0\.1:\d+/", first)
    assert found, first
    threading.Thread(target=lambda: printed.extend(process.stderr or []), daemon=True).start()
    return process, found.group(0), printed


def assert_only_complete_files(folder: Path) -> None:
    """The variant folder holds exactly what its manifest lists, each file whole, and nothing is left
    beside it half-published."""
    manifest = read_manifest(folder / MANIFEST_FILE)
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {MANIFEST_FILE}
    assert present == set(manifest.outputs)
    for name, output in manifest.outputs.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == output.sha256, name
    assert not [p.name for p in folder.parent.iterdir() if p.name.startswith(".")]


def test_an_edit_shows_in_the_browser_a_problem_overlays_it_and_ctrl_c_stops_cleanly(
    axe_tools: Path, project: Path, tmp_path: Path  # noqa: F811 (the fixture imported above)
) -> None:
    meeting = next((project / "content").iterdir())
    summary = meeting / PAPER / "summary.yaml"
    process, url, printed = start_preview(project)
    browser = Browser(axe_tools)
    try:
        browser.step(open=url)
        index = browser.step(wait="body", contains="Draft Annual Governance Statement 2021/22", timeout=240000)
        browser.step(wait="main", contains="PDF (", timeout=240000)  # the first build's page count
        browser.step(open=f"{url}{PAPER}.html")
        opened = browser.step(wait="body", contains="system of internal control is adequate", timeout=60000)

        edit(summary, "internal control is **adequate**", "internal control is **sufficient**")
        shown = browser.step(wait="body", contains="internal control is sufficient", timeout=120000)
        assert shown["loads"] > opened["loads"]  # the page reloaded itself, told by the server

        edit(summary, "interdependencies:", "interdependencies: [unclosed")
        checked = run_panelpapers("check", cwd=project)
        assert checked.returncode == 1
        problem = checked.stderr.splitlines()[0]  # `content/…/summary.yaml:16: invalid YAML: …`
        assert re.match(r"content/\S+/summary\.yaml:\d+: invalid YAML", problem), problem
        overlay = browser.step(wait=f"#{OVERLAY_ID}", contains=problem, timeout=120000)
        assert "sufficient" in browser.step(wait="body", contains="sufficient")["text"]  # the last good rendering
        edit(summary, "interdependencies: [unclosed", "interdependencies:")
        browser.step(wait=f"#{OVERLAY_ID}", absent=True, timeout=120000)
        browser.step(wait="#panelpapers-preview-bar", contains="PDF (", timeout=240000)
        assert overlay["loads"] >= shown["loads"]
        # The PDF of the edit is served as soon as it is rendered, then published by the build.
        wait_for_text(lambda: fetch(f"{url}{PAPER}.pdf")[1], "internal control is sufficient", tmp_path)
        published = project / "build" / meeting.name / "public" / f"{PAPER}.pdf"
        wait_for_text(published.read_bytes, "internal control is sufficient", tmp_path)
    finally:
        browser.close()
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=120)
    assert status == 0, "".join(printed)
    assert index["ok"]
    folder = project / "build" / meeting.name / "public"
    assert_only_complete_files(folder)
    text = "\n".join(pdf_pages_text(folder / f"{PAPER}.pdf"))
    assert "internal control is sufficient" in " ".join(text.split())
    log = "".join(printed)
    assert problem in log and "stopping the preview" in log
    assert "Traceback" not in log


@pytest.mark.quick  # reaches preview/watch.py
def test_ctrl_c_during_a_build_stops_with_status_0_and_leaves_complete_folders(tmp_path: Path) -> None:
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", tmp_path / "panelpapers.yaml")
    meeting = reduced_meeting(tmp_path / "content", [PAPER])
    process, _url, printed = start_preview(tmp_path)
    time.sleep(2)  # the first build is under way: a cold build takes longer than this
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 0, "".join(printed)
    built = tmp_path / "build" / meeting.name
    for folder in built.glob("*") if built.is_dir() else []:
        assert_only_complete_files(folder)
    assert "Traceback" not in "".join(printed)


# ---- the variant served, and --open, end to end over HTTP -----------------------------------------

WITHHELD = "03-audit-actions"  # marked OFFICIAL-SENSITIVE whole in the project below


@pytest.fixture(scope="module")
def marked_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's governance statement (an OFFICIAL-SENSITIVE appendix) and its audit actions
    paper marked OFFICIAL-SENSITIVE whole, so withheld from the public variant."""
    root = tmp_path_factory.mktemp("preview-marked")
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    meeting = reduced_meeting(root / "content", [WITHHELD, PAPER])
    edit(meeting / WITHHELD / "paper.yaml", "marking: OFFICIAL\n", "marking: OFFICIAL-SENSITIVE\n")
    return root


def fetch(url: str) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_for(url: str, wanted: bytes, timeout: float = 600) -> bytes:
    """The page at `url` once it holds `wanted` (the preview fills in as it builds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = fetch(url)
        if status == 200 and wanted in body:
            return body
        time.sleep(0.5)
    raise AssertionError(f"{url} never held {wanted!r}")


def wait_for_text(read: Callable[[], bytes], wanted: str, folder: Path, timeout: float = 600) -> None:
    """Until the PDF that `read` gives holds `wanted` in its text."""
    deadline = time.monotonic() + timeout
    while wanted not in pdf_text(read(), folder):
        assert time.monotonic() < deadline, f"no PDF with {wanted!r} in {timeout:.0f} s"
        time.sleep(1)


def stop(process: subprocess.Popen[str], printed: list[str]) -> None:
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=180) == 0, "".join(printed)


def pdf_text(data: bytes, folder: Path) -> str:
    (folder / "served.pdf").write_bytes(data)
    return " ".join(" ".join(pdf_pages_text(folder / "served.pdf")).split())


def test_a_public_preview_serves_nothing_restricted_and_a_restricted_one_serves_it(
    marked_project: Path, tmp_path: Path
) -> None:
    process, url, printed = start_preview(marked_project)
    try:
        index = wait_for(url, b"Meeting pack")  # the build is done: the pack is linked
        assert f"{WITHHELD.split('-')[0]}</td><td colspan=4>not in the public variant".encode() in index
        assert b"Internal Audit Actions" not in index
        for name in (f"{WITHHELD}.html", f"{WITHHELD}.pdf", f"{WITHHELD}.docx", f"site/{WITHHELD}.html"):
            status, body = fetch(url + name)
            assert status == 404 and b"Internal Audit Actions" not in body, name
        page = wait_for(url + f"{PAPER}.html", b"Annual Governance Statement")
        assert SENSITIVE_APPENDIX.encode() not in page
        for name in (f"{PAPER}.pdf", "pack.pdf"):
            status, body = fetch(url + name)
            text = pdf_text(body, tmp_path)
            assert status == 200 and "Annual Governance Statement" in text, name
            assert SENSITIVE_APPENDIX not in text and "Internal Audit Actions" not in text, name
    finally:
        stop(process, printed)

    process, url, printed = start_preview(marked_project, "--variant", "restricted")
    try:
        assert "(restricted variant)" in printed[0]
        wait_for(url, b"Internal Audit Actions")  # listed by its title once shown
        assert b"Internal Audit Actions" in wait_for(url + f"{WITHHELD}.html", b"Internal Audit Actions")
        assert SENSITIVE_APPENDIX.encode() in wait_for(url + f"{PAPER}.html", b"Annual Governance Statement")
        status, body = fetch(url + f"{PAPER}.pdf")
        assert status == 200 and SENSITIVE_APPENDIX in pdf_text(body, tmp_path)
        status, body = fetch(url + "pack.pdf")
        assert status == 200 and "Internal Audit Actions" in pdf_text(body, tmp_path)
    finally:
        stop(process, printed)


def stub_browser(folder: Path) -> tuple[Path, Path]:
    """A web browser for webbrowser's BROWSER that only writes down each URL it is given, and that file."""
    opened = folder / "opened.txt"
    browser = folder / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n')
    browser.chmod(0o755)
    return browser, opened


def test_open_opens_the_address_printed_in_the_browser_and_nothing_opens_without_it(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, opened = stub_browser(tmp_path)
    monkeypatch.setenv("BROWSER", str(browser))  # start_preview's process inherits it
    meeting = next((project / "content").iterdir())

    process, url, printed = start_preview(project)
    assert fetch(url)[0] == 200
    stop(process, printed)  # once it has stopped it can open nothing any more
    assert not opened.exists()

    process, url, printed = start_preview(project, str(meeting / PAPER), "--open")
    try:
        deadline = time.monotonic() + 60
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop(process, printed)
    assert opened.read_text().splitlines() == [f"{url}{PAPER}.html"]
