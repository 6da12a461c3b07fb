"""`panelpapers preview [PATH] [--port N] [--variant public|restricted] [--open]`: serves the live
preview of one meeting on 127.0.0.1 until Ctrl-C (or SIGTERM), then stops cleanly with status 0.

The public variant is shown unless `--variant restricted` is given: a preview is often on a shared
screen or a call, so nothing marked above OFFICIAL appears on it unless the author asked for it."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

DEFAULT_VARIANT, RESTRICTED_VARIANT = "public", "restricted"
DEFAULT_PORT = 8765
EXIT_OK, EXIT_USAGE = 0, 64


def add_parser(commands: Any) -> None:
    preview = commands.add_parser(
        "preview",
        help="serve a live preview of a meeting on 127.0.0.1, rebuilt as you save",
        description="Serve a live preview of one meeting on 127.0.0.1: an index of its papers, each "
        "paper's HTML refreshed in the browser as files are saved, its PDF and DOCX once built, the "
        "pack and front sheet; problems appear over the page. Ctrl-C stops it. See docs/preview.md.",
    )
    preview.add_argument(
        "path", nargs="?", type=Path,
        help="a meeting folder, a paper folder (its meeting), or a content folder (its latest meeting; "
        "default: the content project's content/)",
    )
    preview.add_argument(
        "--port", type=int, default=DEFAULT_PORT, metavar="N",
        help=f"the port on 127.0.0.1 (default: {DEFAULT_PORT}; 0: any free port)",
    )
    preview.add_argument(
        "--variant", choices=(DEFAULT_VARIANT, RESTRICTED_VARIANT), default=DEFAULT_VARIANT,
        help=f"which variant to show (default: {DEFAULT_VARIANT}, nothing above OFFICIAL; "
        f"{RESTRICTED_VARIANT}: everything, as the panel receives it)",
    )
    preview.add_argument("--open", action="store_true", help="open the preview in the web browser")


def meeting_of(path: Path) -> Path | None:
    """The meeting a path names: itself, its paper's meeting, or the latest meeting of a content
    folder (meeting folders start with their date, so the last by name)."""
    from panelpapers.load.content import MEETING_FILE
    from panelpapers.load.folders import PAPER_FILE

    if (path / MEETING_FILE).is_file():
        return path
    if (path / PAPER_FILE).is_file() and (path.parent / MEETING_FILE).is_file():
        return path.parent
    meetings = sorted(p.parent for p in path.glob(f"*/{MEETING_FILE}")) if path.is_dir() else []
    return meetings[-1] if meetings else None


def run(args: argparse.Namespace, content: Path, build_folder: Path) -> int:
    from panelpapers.preview.server import PreviewServer
    from panelpapers.preview.state import PreviewState
    from panelpapers.preview.watch import Rebuilder, watch, watched_folders

    path = args.path or content
    meeting = meeting_of(path)
    if meeting is None:
        print(f"panelpapers preview: error: {path} is not a meeting, a paper or a folder of meetings", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.port <= 65535:
        print(f"panelpapers preview: error: --port {args.port} is not a port (0 to 65535)", file=sys.stderr)
        return EXIT_USAGE
    state = PreviewState(meeting, args.variant, build_folder / meeting.name / args.variant)
    try:
        server = PreviewServer(state, args.port)
    except OSError as err:
        print(f"panelpapers preview: error: cannot listen on 127.0.0.1:{args.port} ({err.strerror}); "
              "choose another with --port", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    rebuilder = Rebuilder(state, build_folder, say=getattr(args, "level", 1) > 0)  # not with -q
    serving = threading.Thread(target=server.serve_forever, name="panelpapers-preview-server", daemon=True)
    serving.start()
    rebuilder.start()
    deep, shallow = watched_folders(meeting)
    watchers = [watch(deep, True, rebuilder, stop)] + ([watch(shallow, False, rebuilder, stop)] if shallow else [])
    url = server.url + (f"{path.name}.html" if path.parent == meeting else "")
    print(f"panelpapers: previewing {meeting.name} ({args.variant} variant) at {url} ; Ctrl-C stops", file=sys.stderr,
          flush=True)
    if args.open:
        import webbrowser

        webbrowser.open(url)
    while not stop.wait(0.5):
        pass
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C interrupts at once
    print("panelpapers: stopping the preview", file=sys.stderr, flush=True)
    server.stop()
    rebuilder.stop()
    for watcher in watchers:
        watcher.join(timeout=5)
    return EXIT_OK
