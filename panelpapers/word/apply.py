"""Writes accepted text into the content's YAML files (each edited value only), and the Markdown
review checklist."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from panelpapers.word.absorb import Edit, Finding
from panelpapers.word.yaml_edit import EditError, insert_after, join_with_next, remove_item, replace_value, split_item


def _order(edit: Edit) -> tuple[int | str, ...]:
    """Later values first, so that inserting or removing an item never moves one still to edit."""
    return tuple(part if isinstance(part, int) else 0 for part in edit.key)


def apply_edits(edits: Sequence[Edit]) -> tuple[int, list[str]]:
    """Applies the edits file by file; a file whose edits do not all apply is left as it was."""
    from panelpapers.publish import write_atomic

    by_file: dict[Path, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    applied, problems = 0, []
    for path, its_edits in sorted(by_file.items()):
        text = path.read_text(encoding="utf-8")
        try:
            for edit in sorted(its_edits, key=lambda e: (str(e.key[0]), _order(e)), reverse=True):
                if edit.action == "replace":
                    text = replace_value(text, edit.key, edit.value)
                elif edit.action == "insert_after":
                    text = insert_after(text, edit.key, edit.value)
                elif edit.action == "split":
                    text = split_item(text, edit.key, (edit.value, *edit.more))
                elif edit.action == "join_with_next":
                    text = join_with_next(text, edit.key, edit.value)
                else:
                    text = remove_item(text, edit.key)
        except EditError as err:
            problems.append(f"{path}: not changed: {err}")
            continue
        write_atomic(path, text.encode("utf-8"))
        applied += len(its_edits)
    return applied, problems


def checklist(paper: str, findings: list[Finding]) -> str:
    lines = [f"# Review of {paper}", ""]
    for finding in findings:
        lines.append(f"- [ ] `{finding.where}` ({finding.kind}): {finding.message}")
    if not findings:
        lines.append("Nothing to absorb.")
    return "\n".join(lines) + "\n"
