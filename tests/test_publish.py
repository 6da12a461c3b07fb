"""Publication safety: each variant folder is published whole, so it holds exactly what its manifest
lists, even after a paper leaves the variant or a build is killed part way."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import reduced_meeting

from panelpapers.build import build
from panelpapers.manifest import MANIFEST_FILE
from panelpapers.publish import publish_folder, recover
from panelpapers.resolve.variants import VARIANTS


def listed(folder: Path) -> dict[str, str]:
    """The files the folder's manifest lists (and the manifest itself) -> sha256."""
    outputs = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))["outputs"]
    return {name: output["sha256"] for name, output in outputs.items()}


def present(folder: Path) -> dict[str, str]:
    """Every file under the folder (relative name) -> sha256."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def hidden(meeting_out: Path) -> list[str]:
    return sorted(path.name for path in meeting_out.iterdir() if path.name.startswith("."))


def test_a_paper_leaving_the_public_variant_leaves_no_files_behind(tmp_path: Path) -> None:
    meeting = reduced_meeting(tmp_path / "content", ["02-risk-management", "03-audit-actions"])
    out = tmp_path / "build"
    build([meeting], out, jobs=1)
    public = out / meeting.name / "public"
    assert any(name.startswith("03-audit-actions") for name in present(public)), "the paper should start public"

    paper_yaml = meeting / "03-audit-actions" / "paper.yaml"
    text, count = re.subn(r"^marking: OFFICIAL$", "marking: OFFICIAL-SENSITIVE", paper_yaml.read_text(), flags=re.M)
    assert count == 1
    paper_yaml.write_text(text)
    build([meeting], out, jobs=1)

    names = set(present(public))
    unlisted = sorted(names - set(listed(public)) - {MANIFEST_FILE})
    assert names == set(listed(public)) | {MANIFEST_FILE}, f"unlisted files: {unlisted}"
    assert not [name for name in names if "03-audit-actions" in name]
    assert (out / meeting.name / "restricted" / "03-audit-actions.pdf").is_file()
    assert hidden(out / meeting.name) == []


def run_build(meeting: Path, out: Path, force: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        # --force: the build renders everything and publishes, ignoring the cache
        [sys.executable, "-m", "panelpapers", "build", str(meeting), "--out", str(out), *(["--force"] * force)],
        cwd=meeting.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def build_to_the_end(meeting: Path, out: Path) -> float:
    """A build left to finish, as its own process; how long it took."""
    started = time.monotonic()
    done = run_build(meeting, out)
    _, stderr = done.communicate(timeout=300)
    assert done.returncode == 0, stderr.decode()
    return time.monotonic() - started


def test_a_killed_build_leaves_every_variant_folder_whole(tmp_path: Path) -> None:
    """Builds killed at random moments, each publishing a change to the paper, must leave each
    variant folder whole: exactly the last complete build's files, or exactly the new ones. The two
    drafts are built once first, so the killed builds take the paper from the build cache and spend
    their time where a kill can do harm, making the packs and publishing; two of them render
    everything again (--force), so kills land in rendering and in writing the cache too."""
    meeting = reduced_meeting(tmp_path / "content", ["02-risk-management"])  # the quickest paper to build
    summary = meeting / "02-risk-management" / "summary.yaml"
    drafts = [summary.read_text(encoding="utf-8")]
    drafts.append(drafts[0].replace("picture of the Met's corporate risks", "picture of the corporate risks", 1))
    assert drafts[1] != drafts[0]
    out = tmp_path / "build"
    meeting_out = out / meeting.name
    complete: list[dict[str, dict[str, str]]] = []  # each draft's complete folders, by variant
    cold = 0.0  # the longer of the two drafts' cold builds
    for draft in drafts:
        summary.write_text(draft, encoding="utf-8")
        cold = max(cold, build_to_the_end(meeting, out))
        folders = {variant: listed(meeting_out / variant) for variant in VARIANTS}
        for variant in VARIANTS:
            manifest = (meeting_out / variant / MANIFEST_FILE).read_bytes()
            folders[variant][MANIFEST_FILE] = hashlib.sha256(manifest).hexdigest()
            assert present(meeting_out / variant) == folders[variant]
        complete.append(folders)
    summary.write_text(drafts[0], encoding="utf-8")  # back to the first draft, taken from the cache
    cached = build_to_the_end(meeting, out)
    assert all(present(meeting_out / v) == complete[0][v] for v in VARIANTS)

    seed = random.randrange(2**32)
    rng = random.Random(seed)
    for attempt in range(10):
        draft = (attempt + 1) % 2  # the other draft than the folders hold, if the last build finished
        summary.write_text(drafts[draft], encoding="utf-8")
        force = attempt in (3, 8)
        # A build from the cache spends its first part starting and loading; its kills are spread
        # from there to a little after it would have finished, so some land while it publishes and
        # some after, and the drafts take turns in the folders.
        duration = cold if force else cached
        delay = rng.uniform(0, cold) if force else rng.uniform(0.4 * cached, 1.2 * cached)
        process = run_build(meeting, out, force=force)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        context = f"seed {seed}, kill {attempt + 1} after {delay:.2f} s of {duration:.2f} s"
        for variant in VARIANTS:
            folder = meeting_out / variant
            if not folder.exists():
                # Killed between moving the old folder aside and moving the new one in: the old one,
                # still whole, is set aside, and the next build puts it back.
                aside = [meeting_out / name for name in hidden(meeting_out) if name.startswith(f".{variant}.old-")]
                assert len(aside) == 1, context
                folder = aside[0]
            assert present(folder) in (complete[0][variant], complete[1][variant]), context
        leftovers = [name for name in hidden(meeting_out) if not re.match(r"\.(\w+)\.(staging|old)-", name)]
        assert leftovers == [], context

    for draft in (0, 1):  # each draft once more, built to the end: its folders exactly, nothing hidden left
        summary.write_text(drafts[draft], encoding="utf-8")
        build_to_the_end(meeting, out)
        for variant in VARIANTS:
            assert present(meeting_out / variant) == complete[draft][variant]
        assert hidden(meeting_out) == []


def test_a_failed_publish_keeps_the_previous_folder(tmp_path: Path) -> None:
    folder = tmp_path / "meeting" / "public"
    publish_folder(folder, {"a.pdf": b"old"})
    with pytest.raises(TypeError):
        publish_folder(folder, {"b.pdf": b"new", "c.pdf": None})  # type: ignore[dict-item]
    assert present(folder) == {"a.pdf": hashlib.sha256(b"old").hexdigest()}
    assert hidden(folder.parent) == []


def test_an_interrupt_between_the_renames_puts_the_old_folder_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "meeting" / "public"
    publish_folder(folder, {"a.pdf": b"old"})
    renames: list[tuple[str, str]] = []
    real_rename = os.rename

    def rename(source: Path, target: Path) -> None:
        renames.append((Path(source).name, Path(target).name))
        if len(renames) == 2:  # the old folder is aside, the new one not yet in
            raise KeyboardInterrupt
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        publish_folder(folder, {"b.pdf": b"new"})
    assert renames[0][0] == "public" and renames[0][1].startswith(".public.old-")
    monkeypatch.undo()
    assert present(folder) == {"a.pdf": hashlib.sha256(b"old").hexdigest()}
    assert hidden(folder.parent) == []


def test_a_publish_cleans_up_after_a_crashed_one(tmp_path: Path) -> None:
    folder = tmp_path / "meeting" / "public"
    publish_folder(folder, {"a.pdf": b"old"})
    # A crash between the two renames: the folder set aside, a whole staging folder beside it.
    os.rename(folder, folder.parent / ".public.old-0123")
    (folder.parent / ".public.staging-0123").mkdir()
    (folder.parent / ".public.staging-0123" / "b.pdf").write_bytes(b"new")
    (folder.parent / ".restricted.staging-4567").mkdir()  # another variant's: its own publish tidies it
    recover(folder)
    assert present(folder) == {"a.pdf": hashlib.sha256(b"old").hexdigest()}
    assert hidden(folder.parent) == [".restricted.staging-4567"]
    publish_folder(folder, {"b.pdf": b"new"})
    assert present(folder) == {"b.pdf": hashlib.sha256(b"new").hexdigest()}
