"""What the preview shows at any moment, shared by the rebuild loop (which changes it) and the
server's threads (which read it and wait for it to change)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class PaperView:
    """One paper of the meeting as the preview shows it. `html` is its last good print HTML in the
    variant previewed (None: not rendered yet, or not in that variant); `pdf` the PDF made from that
    HTML, with its page count, once rendered (served ahead of the build that publishes it)."""

    slug: str
    title: str = ""
    status: str = ""
    in_variant: bool = True
    html: bytes | None = None
    pdf: bytes | None = None
    pdf_pages: int = 0


@dataclass(frozen=True)
class Snapshot:
    """One consistent view: the server renders a whole page from one snapshot."""

    generation: int = 0  # raised when what a page shows changes, so the page reloads
    version: int = 0  # raised on every change, the build's progress too (told to pages, no reload)
    papers: tuple[PaperView, ...] = ()
    problems: tuple[str, ...] = ()  # `file:line: message`, as `check` prints them
    building: str = ""  # what the build in progress is doing ("" when none runs)
    note: str = ""  # what the last build did


@dataclass
class PreviewState:
    meeting: Path  # the meeting folder previewed
    variant: str  # "public" or "restricted"
    folder: Path  # build/<meeting>/<variant>/, the only folder whose files are served
    _snapshot: Snapshot = field(default_factory=Snapshot)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: bool = False

    def snapshot(self) -> Snapshot:
        with self._changed:
            return self._snapshot

    def update(self, **changes: object) -> None:
        """Replaces the fields given and wakes every waiting page. Only a change of what a page shows
        (papers, problems, the last build's note) is a new generation; the build's progress is not."""
        with self._changed:
            old = self._snapshot
            new = replace(old, **changes)  # type: ignore[arg-type]
            if new == old:
                return
            shown = replace(new, building=old.building) != old
            self._snapshot = replace(new, generation=old.generation + shown, version=old.version + 1)
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> Snapshot:
        """The snapshot once its version is past `seen`, or when the preview stops, or after
        `timeout` seconds, whichever comes first."""
        with self._changed:
            self._changed.wait_for(lambda: self.stopping or self._snapshot.version != seen, timeout)
            return self._snapshot

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()
