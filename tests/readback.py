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
    """Body paragraphs in reading order, table cells included."""
    from docx import Document

    document = Document(str(path))
    body = document.element.body
    texts: list[str] = []
    for element in body.iter():
        if element.tag.endswith("}p"):
            texts.append("".join(_run_text(node) for node in element.iter()))
    return texts


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
