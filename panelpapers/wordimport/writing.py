"""The placed paper written as a paper folder: one YAML file per section (emitted by hand, every
string quoted or folded so that it reads back as the same text), a CSV and a data.yaml entry per
table, the pictures under images/, and holding places as clearly marked comments. The folder is
built beside its target under a hidden name and renamed into place, so it appears whole or not at
all."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import textwrap
from pathlib import Path
from typing import Any

import yaml

from panelpapers.house import House
from panelpapers.wordimport.placing import HOLDING, ImportedPaper, ImportedTable

WIDTH = 100
NOT_FOUND = "NOT FOUND BY IMPORT"
NUMBER = re.compile(r"^[(£$€-]*[\d,]+(?:\.\d+)?[%)]?$")


def scalar(value: str, indent: int) -> str:
    """`value` as a YAML scalar that reads back as exactly this text (`NO` stays a string): plain
    when safe and short, a folded block when long, a literal block when it holds line breaks, else
    double-quoted."""
    if "\n" in value and value == value.strip() and "\r" not in value:
        pad = " " * indent
        return "|-\n" + "\n".join(f"{pad}{line}" if line else "" for line in value.split("\n"))
    if value == value.strip() and "  " not in value and len(value) + indent > WIDTH - 4 and _printable(value):
        pad = " " * indent
        wrapped = textwrap.wrap(value, width=WIDTH - indent, break_long_words=False, break_on_hyphens=False)
        return ">-\n" + "\n".join(pad + line for line in wrapped)
    try:
        plain = (
            value != ""
            and not re.search(r"#|: |:$|^[-?:,\[\]{}&*!|>'\"%@`]", value)
            and yaml.load(f"k: {value}", Loader=yaml.BaseLoader) == {"k": value}
        )
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def _printable(value: str) -> bool:
    return all(char.isprintable() for char in value)


def emit(value: Any, indent: int = 0) -> list[str]:
    """A mapping or list as block YAML lines."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and not item:
                lines.append(f"{pad}{key}: {'[]' if isinstance(item, list) else '{}'}")
            elif isinstance(item, (dict, list)):
                lines.append(f"{pad}{key}:")
                lines.extend(emit(item, indent + 2))
            else:
                lines.append(f"{pad}{key}: {scalar(str(item), indent + 2)}")
    else:
        for item in value:
            if isinstance(item, dict) and item:
                inner = emit(item, indent + 2)
                inner[0] = f"{pad}- {inner[0][indent + 2 :]}"
                lines.extend(inner)
            elif isinstance(item, list):
                lines.append(f"{pad}-")
                lines.extend(emit(item, indent + 2))
            else:
                lines.append(f"{pad}- {scalar(str(item), indent + 2)}")
    return lines


def _comments(title: str, entries: list[str]) -> str:
    if not entries:
        return ""
    lines = [f"\n# {HOLDING}: {title}"]
    for entry in entries:
        lines.extend(f"#   {line}" for line in textwrap.wrap(entry, WIDTH - 6) or [""])
    return "\n".join(lines) + "\n"


def _held(entries: list[dict[str, Any]]) -> list[str]:
    return [" ".join(emit([entry])).replace("  ", " ") for entry in entries]


def section_files(
    paper: ImportedPaper, house: House, panel: str | None, date: str, held: dict[str, list[dict[str, Any]]]
) -> dict[str, str]:
    """Every section file's text (without the schema modeline), by file name."""
    cover = paper.cover
    files: dict[str, str] = {}
    document: dict[str, Any] = {"title": cover.get("title") or f"{NOT_FOUND}: the paper's title"}
    if cover.get("meeting") or panel:
        document["meeting"] = cover.get("meeting") or panel
    document["date"] = cover["date"].isoformat() if cover.get("date") else date
    if cover.get("date_format") == "with_weekday":
        document["date_format"] = "with_weekday"
    document["report_by"] = cover.get("report_by") or f"{NOT_FOUND}: who the report is by"
    organisations = [masthead.organisation for masthead in house.organisations]
    if cover.get("organisation"):
        document["organisation"] = cover["organisation"]
    document["marking"] = cover.get("marking") or _cautious_marking(house)
    document["status"] = cover.get("status") or "draft"
    text = "\n".join(emit(document)) + "\n"
    if not cover.get("organisation"):
        text += (
            f"# organisation: {' | '.join(organisations)}   # {NOT_FOUND}: the Word paper's masthead names none of "
            "the house's organisations; choose one (check reports it as missing until you do)\n"
        )
    files["paper.yaml"] = text + _comments(
        "lines of the Word paper's cover", paper.cover_unplaced + _held(held.get("paper.yaml", []))
    )

    summary = {
        key: paper.summary.get(key) or [f"{NOT_FOUND}: the Word paper has no “{title}”; write it here."]
        for key, title in house.summary_parts
    }
    files["summary.yaml"] = (
        "\n".join(emit(summary))
        + "\n"
        + _comments("tables and pictures (the Report Summary cannot hold them)", _held(held.get("summary.yaml", [])))
    )
    recommendations: dict[str, Any] = {}
    if paper.recommendations_lead and paper.recommendations_lead != house.wording.recommendations_lead:
        recommendations["lead"] = paper.recommendations_lead
    if len(paper.recommendations) == 1:  # a lone one printed as the house would not by default
        lettered = "lettered" if paper.recommendations_lettered else "unlettered"
        if lettered != house.single_recommendation:
            recommendations["single"] = lettered
    recommendations["items"] = paper.recommendations or [f"{NOT_FOUND}: write what the Panel is asked to do."]
    files["recommendations.yaml"] = (
        "\n".join(emit(recommendations))
        + "\n"
        + _comments("tables and pictures", _held(held.get("recommendations.yaml", [])))
    )
    sections = paper.sections or [
        {
            "title": "Supporting Information",
            "groups": [{"paragraphs": [f"{NOT_FOUND}: the Word paper has no supporting information; write it here."]}],
        }
    ]
    files["supporting.yaml"] = "\n".join(emit({"sections": [_tidy_section(section) for section in sections]})) + "\n"
    for file, title in house.implication_sections:
        blocks = paper.implications.get(file.removesuffix(".yaml")) or [
            f"{NOT_FOUND}: the Word paper has no “{title}”; write it here, or say there are none."
        ]
        files[file] = (
            "\n".join(emit({"paragraphs": blocks}))
            + "\n"
            + _comments("tables and pictures (this section cannot hold them)", _held(held.get(file, [])))
        )
    contacts = paper.contacts or [{"role": "Report author", "name": f"{NOT_FOUND}: the author's name"}]
    files["contact.yaml"] = (
        "\n".join(emit({"contacts": contacts}))
        + "\n"
        + _comments(
            "lines of the Word paper's contact details", paper.contact_unplaced + _held(held.get("contact.yaml", []))
        )
    )
    appendices = [_tidy_appendix(appendix) for appendix in paper.appendices]
    files["appendices.yaml"] = (
        "\n".join(emit({"appendices": appendices, "background_papers": paper.background_papers}))
        + "\n"
        + _comments(
            "lines and tables of the Word paper's appendices section",
            paper.appendices_unplaced + _held(held.get("appendices.yaml", [])),
        )
    )
    return files


def _cautious_marking(house: House) -> str:
    """With no marking found, the lowest one that is not published: a paper is not made public by
    an import that could not read its marking."""
    return next((marking.label for marking in house.markings if not marking.publish), house.labels[-1])


def _tidy_section(section: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": section["title"],
        "groups": [_tidy_group(group) for group in section["groups"]]
        or [{"paragraphs": [f"{NOT_FOUND}: this section had no paragraphs; write them or delete the section."]}],
    }


def _tidy_group(group: dict[str, Any]) -> dict[str, Any]:
    tidy: dict[str, Any] = {}
    if group.get("heading"):
        tidy["heading"] = group["heading"]
    if group.get("paragraphs"):
        tidy["paragraphs"] = [_tidy_paragraph(paragraph) for paragraph in group["paragraphs"]]
    if group.get("groups"):
        tidy["groups"] = [_tidy_group(inner) for inner in group["groups"]]
    return tidy


def _tidy_paragraph(paragraph: Any) -> Any:
    """A paragraph with only text is written as a string; items with no sub-items as strings."""
    if not isinstance(paragraph, dict) or "text" not in paragraph:
        return paragraph
    tidy = dict(paragraph)
    if "items" in tidy:
        tidy["items"] = [_tidy_paragraph(item) for item in tidy["items"]]
        style = tidy.pop("item_style", None)
        if style:
            tidy["item_style"] = style
    return tidy["text"] if list(tidy) == ["text"] else tidy


def _tidy_appendix(appendix: dict[str, Any]) -> dict[str, Any]:
    tidy = {key: appendix[key] for key in ("ref", "title", "short_title", "marking", "exempt") if appendix.get(key)}
    if appendix.get("content"):
        tidy["content"] = [_tidy_paragraph(entry) for entry in appendix["content"]]
    return tidy


# ---- data ----------------------------------------------------------------------------------------


def column_names(headers: list[str]) -> list[str]:
    names: list[str] = []
    for number, header in enumerate(headers, start=1):
        name = re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")
        name = name if re.match(r"^[a-z][a-z0-9_]*$", name) else f"column_{number}"
        while name in names:
            name = f"{name}_{number}"
        names.append(name[:40])
    return names


def table_csv(table: ImportedTable) -> tuple[str, dict[str, Any]]:
    """The table's body rows as CSV (its own column names on the first line) and its data.yaml
    source and table entries. Totals stay rows: the import cannot know they are sums."""
    width = max(len(row) for row in table.rows)
    rows = [row + [""] * (width - len(row)) for row in table.rows]
    headers = rows[table.header_rows - 1]
    names = column_names(headers)
    body = rows[table.header_rows :]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(body)
    columns: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        column: dict[str, Any] = {"name": name}
        if headers[index]:
            column["header"] = headers[index]
        cells = [row[index].strip("*") for row in body if row[index]]  # a bold total is a number too
        aligned = table.align[index] if index < len(table.align) else None
        if aligned:
            column["align"] = aligned
        elif cells and all(NUMBER.match(cell) for cell in cells):
            column["align"] = "right"
        if index in table.markup_columns:
            column["markup"] = "yes"
        columns.append(column)
    source = {"file": f"data/{table.name}.csv", "columns": {name: {"type": "text", "missing": [""]} for name in names}}
    entry: dict[str, Any] = {"caption": table.caption, "source": table.name}
    if table.header_rows == 2:
        groups = _header_groups(rows[0], rows[1], names)
        if groups:
            entry["header_groups"] = groups
    entry["columns"] = columns
    if table.row_groups is not None:
        entry["row_groups"] = names[table.row_groups]
    if table.notes:
        entry["notes"] = table.notes
    if table.landscape:
        entry["landscape"] = "yes"
    return out.getvalue(), {"source": source, "table": entry}


def _header_groups(upper: list[str], lower: list[str], names: list[str]) -> list[dict[str, Any]]:
    """A spanning header row above the column headers: each run of equal, non-empty cells. A
    column's own header that spans both rows (Word merges it down, so both rows read the same) is
    no group."""
    groups: list[dict[str, Any]] = []
    start = 0
    while start < len(upper):
        end = start
        while end + 1 < len(upper) and upper[end + 1] == upper[start]:
            end += 1
        spans_both_rows = start == end and upper[start] == lower[start]
        if upper[start] and not spans_both_rows:
            groups.append({"label": upper[start], "columns": names[start : end + 1]})
        start = end + 1
    return groups


def data_files(paper: ImportedPaper) -> dict[str, bytes]:
    """data.yaml and the CSVs, by path inside the paper folder (none when there are no tables)."""
    if not paper.tables:
        return {}
    files: dict[str, bytes] = {}
    sources: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for table in paper.tables:
        text, entries = table_csv(table)
        files[f"data/{table.name}.csv"] = text.encode("utf-8")
        sources[table.name] = entries["source"]
        tables[table.name] = entries["table"]
    heading = (
        "# Tables imported from a Word paper: each CSV holds the table's cells as text, exactly as Word\n"
        "# printed them (a total row is a row like any other). See docs/import.md for turning them into\n"
        "# tables computed from your data.\n"
    )
    files["data.yaml"] = (heading + "\n".join(emit({"sources": sources, "tables": tables})) + "\n").encode("utf-8")
    return files


# ---- the folder ----------------------------------------------------------------------------------


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Writes `files` (paths inside the folder) into a hidden sibling, then renames it to `folder`,
    which must not exist; on any failure nothing is left behind."""
    staging = folder.with_name(f".{folder.name}.importing-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.rename(staging, folder)  # refuses (on POSIX: a non-empty target) rather than replace
    finally:
        shutil.rmtree(staging, ignore_errors=True)
