"""Atomic output. `publish_folder` replaces a whole variant folder at once: a reader, or a build that
crashes, sees the previous folder or the new one, never a mix, and files a build no longer makes
disappear. `write_atomic` writes one file beside its final place and moves it in. `locked` lets one
build at a time change a build folder: two builds of one meeting at once would otherwise each take
the other's staging folder for one left by a killed build, and remove it."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

LOCK_FILE = ".panelpapers-lock"
LOCK_WAIT_SECONDS = 120.0  # how long a build waits for another to finish with the folder


class FolderBusy(Exception):
    """Another build held the build folder for longer than a build waits."""


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publish_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Replaces `folder` with exactly `files` (name relative to the folder -> bytes).

    The files go into a hidden staging folder beside it (same parent, so the same file system and
    atomic renames) and are fsynced; then the old folder is renamed aside, the staging folder renamed
    into place and the old one removed. A failure before the swap removes the staging folder and
    leaves the old folder as it was. Between the two renames `folder` briefly does not exist: a crash
    there leaves the old folder, whole, set aside, and the next publish puts it back (`recover`)."""
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    recover(folder)
    token = secrets.token_hex(6)
    staging = parent / f".{folder.name}.staging-{token}"
    aside = parent / f".{folder.name}.old-{token}"
    try:
        staging.mkdir()
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if _link_if_same(folder / name, path, data):
                continue
            with open(path, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(path, 0o644)
        for directory in {(staging / name).parent for name in files} | {staging}:
            _fsync_directory(directory)  # the names, not only the data, must survive a power cut
        if folder.exists():
            os.rename(folder, aside)
        os.rename(staging, folder)
    except BaseException:
        if aside.exists() and not folder.exists():
            os.rename(aside, folder)  # failed between the two renames: the old folder goes back
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_directory(parent)
    if aside.exists():
        shutil.rmtree(aside)


def _link_if_same(old: Path, new: Path, data: bytes) -> bool:
    """A file the folder already holds with these very bytes is linked into the staging folder, not
    written and fsynced again: its data is already on disk, and the swap makes it the new folder's."""
    try:
        if old.is_file() and not old.is_symlink() and old.stat().st_size == len(data) and old.read_bytes() == data:
            os.link(old, new)
            return True
    except OSError:
        pass
    return False


def recover(folder: Path) -> None:
    """Tidies up after an earlier publish of `folder` that was interrupted: a staging folder may be
    incomplete, so it goes; a folder set aside is the last whole publish, so it is put back if
    `folder` is missing (a crash between the two renames) and removed otherwise."""
    parent = folder.parent
    if not parent.is_dir():
        return
    for staging in parent.glob(f".{folder.name}.staging-*"):
        shutil.rmtree(staging)
    for aside in sorted(parent.glob(f".{folder.name}.old-*")):
        if not folder.exists():
            os.rename(aside, folder)
        else:
            shutil.rmtree(aside)


def _fsync_directory(path: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory to fsync it
        return
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@contextmanager
def locked(out_dir: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Holds `out_dir`'s lock (an advisory lock on `<out_dir>/.panelpapers-lock`, released by the
    system when a build ends however it ends) while publishing, or checking what is published.
    Waits up to LOCK_WAIT_SECONDS for another build to let go, telling `waiting` once; then raises
    FolderBusy."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK_FILE, "a+b") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        told = False
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise FolderBusy(
                    f"another panelpapers build is writing to this folder and has not finished after "
                    f"{LOCK_WAIT_SECONDS:.0f} s; let it finish, then build again"
                )
            if not told and waiting is not None:
                waiting()
                told = True
            time.sleep(0.1)
        try:
            yield
        finally:
            _unlock(handle)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
