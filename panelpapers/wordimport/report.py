"""The import report: per region of the Word paper, how many paragraphs, tables and pictures were
found and where each went; what waits in a holding place; what a person must check."""

from __future__ import annotations

from collections import Counter

from panelpapers.wordimport.placing import HOLDING, ImportedPaper

KINDS = ("paragraph", "table", "image")


def held(paper: ImportedPaper) -> list[str]:
    return [
        f"{placement.found_in}: {placement.kind} “{placement.text}” → {placement.went_to}"
        for placement in paper.placements
        if ("holding place" in placement.went_to or placement.went_to.startswith("not placed"))
        and not placement.found_in.startswith("paper ")  # a further paper's blocks: counted in other_papers
    ]


def other_papers(paper: ImportedPaper) -> list[str]:
    """One line per paper bound after the imported one, with what it holds."""
    lines = []
    for number, title in enumerate(paper.other_papers, start=2):
        counts = Counter(p.kind for p in paper.placements if p.found_in == f"paper {number}")
        lines.append(
            f"paper {number} of the Word file, “{title}” ({counts['paragraph']} paragraphs, {counts['table']} tables, "
            f"{counts['image']} pictures): not imported; import it from a DOCX of that paper alone"
        )
    return lines


def report_markdown(source: str, folder: str, paper: ImportedPaper) -> str:
    counts: Counter[tuple[str, str]] = Counter((p.found_in, p.kind) for p in paper.placements)
    regions = list(dict.fromkeys(p.found_in for p in paper.placements))
    lines = [
        f"# Import of {source}",
        "",
        f"Written to `{folder}`. Every paragraph, table and picture of the Word paper is listed below with",
        f"where it went; nothing was dropped. Look for `{HOLDING}` in the section files.",
        "",
        "| found in | paragraphs | tables | pictures |",
        "|---|---|---|---|",
    ]
    lines += [f"| {region} | " + " | ".join(str(counts[(region, kind)]) for kind in KINDS) + " |" for region in regions]
    waiting = other_papers(paper) + held(paper)
    lines += ["", "## Not placed (in a holding place)", ""]
    lines += [f"- {entry}" for entry in waiting] or ["None."]
    lines += ["", "## To check", ""]
    lines += [f"- {note}" for note in paper.notes] or ["Nothing."]
    lines += ["", "## Every block and where it went", "", "| found in | kind | went to | text |", "|---|---|---|---|"]
    lines += [f"| {p.found_in} | {p.kind} | {p.went_to} | {p.text.replace('|', '/')} |" for p in paper.placements]
    return "\n".join(lines) + "\n"


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_lines(paper: ImportedPaper) -> list[str]:
    """A few lines for the terminal."""
    imported = [p for p in paper.placements if not p.found_in.startswith("paper ")]  # not the further papers'
    counts = Counter(p.kind for p in imported if not p.went_to.startswith("furniture"))
    furniture = sum(p.went_to.startswith("furniture") for p in paper.placements)
    lines = [
        f"{counted(counts['paragraph'], 'paragraph')}, {counted(counts['table'], 'table')} and "
        f"{counted(counts['image'], 'picture')} placed or held; {counted(furniture, 'line')} of page furniture left out"
    ]
    lines += [f"not placed: {entry}" for entry in held(paper)]
    lines += [f"check: {note}" for note in paper.notes]
    return lines
