"""The preview's web server: the standard library's ThreadingHTTPServer bound to 127.0.0.1 only (one
thread per connection, so a page's event stream never holds up another request).

What it answers, and nothing else: GET and HEAD (any other method is 405); only with a Host header
naming this server as 127.0.0.1:PORT or localhost:PORT, so a web page whose own name has been pointed
at 127.0.0.1 (DNS rebinding) gets nothing; the index page, the event stream, and the files of the one
variant folder previewed, by a path with no `.`/`..`/hidden segment, no backslash and nothing still
percent-encoded once decoded, that resolves (symlinks followed) to a regular file inside that folder.
A folder is never listed."""

from __future__ import annotations

import json
import mimetypes
import secrets
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from panelpapers.manifest import MANIFEST_FILE, Manifest, ManifestError, read_manifest
from panelpapers.preview.page import EVENTS_PATH, INDEX_PATH, index_page, inject
from panelpapers.preview.state import PreviewState

HOST = "127.0.0.1"
KEEP_ALIVE_S = 15.0  # a comment line this often keeps an idle event stream open through proxies
# The pages' own inline script runs (by its nonce); nothing else does, and nothing is fetched from
# anywhere but this server and data: URLs.
POLICY = (
    "default-src 'none'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def path_of(raw_path: str) -> str:
    """The request's path without its query: taken as sent (urlsplit would read `//x/…` as a host)."""
    return raw_path.split("?", 1)[0].split("#", 1)[0]


def file_name(raw_path: str) -> str | None:
    """The name, relative to the variant folder, that a request path asks for; None for a path the
    preview refuses (a `.`, `..`, empty or hidden segment, a backslash or NUL, anything that is still
    percent-encoded after one decoding, bytes that are not UTF-8)."""
    path = path_of(raw_path)
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if not decoded.startswith("/") or any(c in decoded for c in "%\\\x00"):
        return None
    parts = decoded[1:].split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    return "/".join(parts)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never keeps the process alive
    block_on_close = False

    def __init__(self, state: PreviewState, port: int) -> None:
        self.state = state
        super().__init__((HOST, port), PreviewHandler)
        self.port = int(self.server_address[1])
        self.hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A page that reloads or closes while it is being answered is no error worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def stop(self) -> None:
        """Ends every event stream, then the serving loop (call from another thread than serve_forever)."""
        self.state.stop()
        self.shutdown()
        self.server_close()


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "panelpapers-preview"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        """Requests are not logged: the terminal is the author's, for problems and builds."""

    # -- what is refused

    def refuse(self, status: HTTPStatus, reason: str, **headers: str) -> None:
        body = f"{status.value} {status.phrase}: {reason}\n".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def host_allowed(self) -> bool:
        if self.headers.get("Host", "").lower() in self.server.hosts:
            return True
        self.refuse(HTTPStatus.MISDIRECTED_REQUEST, f"this server answers only to {self.server.url}")
        return False

    def not_allowed(self) -> None:
        if self.host_allowed():
            self.refuse(HTTPStatus.METHOD_NOT_ALLOWED, "the preview only answers GET and HEAD", Allow="GET, HEAD")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = not_allowed

    # -- what is served

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self.host_allowed():
            return
        path = path_of(self.path)
        if path == EVENTS_PATH:
            self.events()
            return
        state = self.server.state
        snapshot = state.snapshot()
        nonce = secrets.token_urlsafe(16)
        if path == INDEX_PATH:
            page = index_page(state.meeting.name, state.variant, snapshot, self.manifest(), nonce)
            self.send(page, "text/html; charset=utf-8", nonce)
            return
        name = file_name(self.path)
        if name is None:
            self.refuse(HTTPStatus.BAD_REQUEST, "the preview does not serve this path")
            return
        paper = next((p for p in snapshot.papers if p.in_variant and name in (f"{p.slug}.html", f"{p.slug}.pdf")), None)
        # The last good rendering and its PDF, perhaps ahead of the build
        if paper is not None and name.endswith(".html") and paper.html is not None:
            page = inject(paper.html, snapshot, state.variant, self.manifest(), paper.slug, nonce)
            self.send(page, "text/html; charset=utf-8", nonce)
            return
        if paper is not None and name.endswith(".pdf") and paper.pdf is not None:
            self.send(paper.pdf, "application/pdf")
            return
        folder = state.folder.resolve()
        target = (folder / name).resolve()
        if not target.is_relative_to(folder):
            self.refuse(HTTPStatus.FORBIDDEN, "the preview serves only files of its build folder")
            return
        if not target.is_file():  # a folder is never listed
            self.refuse(HTTPStatus.NOT_FOUND, "no such file in the preview")
            return
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            page = inject(data, snapshot, state.variant, self.manifest(), None, nonce)
            self.send(page, "text/html; charset=utf-8", nonce)
        else:
            self.send(data, kind)

    def manifest(self) -> Manifest | None:
        try:
            return read_manifest(self.server.state.folder / MANIFEST_FILE)
        except ManifestError:
            return None  # not built yet

    def send(self, data: bytes, kind: str, nonce: str | None = None) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if nonce is not None:
            self.send_header("Content-Security-Policy", POLICY.format(nonce=nonce))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def events(self) -> None:
        """Server-sent events: the preview's generation and the build's progress now, then each time
        either changes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        state, seen = self.server.state, -1
        try:
            while not state.stopping:
                snapshot = state.wait_for_change(seen, KEEP_ALIVE_S)
                if state.stopping:
                    return
                if snapshot.version != seen:
                    seen = snapshot.version
                    told = json.dumps({"generation": snapshot.generation, "building": snapshot.building})
                    self.wfile.write(f"event: change\ndata: {told}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except OSError:  # the page went away
            return

