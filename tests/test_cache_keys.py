"""The build cache's keys are derived from what rendering reads, not from lists kept by hand: a
template added to the templates, a file a stylesheet imports, a font the house hands the print CSS
by name all reach the keys, and a build that records what its renderers read finds every file in
a key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, reduced_meeting

from panelpapers.build import build
from panelpapers.cache import KeyContext, files_read, library_versions, templates_read
from panelpapers.resources import (
    PACK_ENTRIES,
    PAPER_ENTRIES,
    SITE_ENTRIES,
    recording_reads,
    template_names,
    templates_dir,
)


def project(root: Path, *own: str) -> Path:
    """A content project with the example's house style and a templates folder of its own holding
    copies of the packaged files `own`; returns its templates folder."""
    root.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    templates = root / "templates"
    for name in own:
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(templates_dir() / name, templates / name)
    templates.mkdir(exist_ok=True)
    return templates


def context(templates: Path) -> KeyContext:
    return KeyContext.of(templates.parent, templates)


@pytest.mark.quick
def test_a_template_added_to_the_templates_changes_every_key(tmp_path: Path) -> None:
    """Nothing names the new file yet, but a renderer may compute a name while rendering (an include
    from a list or an expression), so which templates exist is part of every key."""
    templates = project(tmp_path / "project", "paper.css")
    before = context(templates)
    (templates / "notes.html.j2").write_text("<p>{{ words.contact }}</p>\n", encoding="utf-8")
    after = context(templates)
    assert "notes.html.j2" in template_names(templates)
    assert after.paper_templates != before.paper_templates
    assert after.pack_templates != before.pack_templates
    assert after.site_templates != before.site_templates
    assert (after.tool, after.house) == (before.tool, before.house)
    assert context(templates) == after  # stable: the same files give the same keys


@pytest.mark.quick
def test_a_stylesheet_a_project_stylesheet_imports_reaches_the_keys(tmp_path: Path) -> None:
    """paper.css `@import`s a file no list names: editing that file changes what a paper and the
    front sheet (which includes paper.css) print, so both keys."""
    templates = project(tmp_path / "project", "paper.css")
    css = templates / "paper.css"
    css.write_text('@import "print-extra.css";\n' + css.read_text(encoding="utf-8"), encoding="utf-8")
    (templates / "print-extra.css").write_text("h1 { color: black; }\n", encoding="utf-8")
    assert "print-extra.css" in files_read(PAPER_ENTRIES, templates)
    before = context(templates)
    (templates / "print-extra.css").write_text("h1 { color: navy; }\n", encoding="utf-8")
    after = context(templates)
    assert after.paper_templates != before.paper_templates
    assert after.pack_templates != before.pack_templates
    assert after.site_templates == before.site_templates  # the site does not read the print CSS


@pytest.mark.quick
def test_a_font_the_css_names_only_through_the_house_reaches_the_keys(tmp_path: Path) -> None:
    """The print CSS names the italic face as `{{ font_urls.italic }}`, an expression no parser can
    follow; a project's own copy of that font is read by WeasyPrint all the same."""
    font = "fonts/LiberationSans-Italic.ttf"
    templates = project(tmp_path / "project", font)
    assert files_read(PAPER_ENTRIES, templates)[font] == templates / font
    before = context(templates)
    (templates / font).write_bytes((templates / font).read_bytes() + b"\0")
    after = context(templates)
    assert after.paper_templates != before.paper_templates
    assert after.pack_templates != before.pack_templates


@pytest.mark.quick
def test_an_include_by_expression_makes_every_template_count(tmp_path: Path) -> None:
    templates = project(tmp_path / "project", "masthead.html.j2")
    masthead = templates / "masthead.html.j2"
    masthead.write_text("{% include masthead_part %}\n" + masthead.read_text(encoding="utf-8"), encoding="utf-8")
    read = files_read(PAPER_ENTRIES, templates)
    assert set(read) == set(template_names(templates))
    assert "diff.html.j2" in read and "agenda.css" in read


@pytest.mark.quick
def test_every_library_panelpapers_requires_is_in_the_tool_s_key() -> None:
    """Read from the installed packages' metadata: the direct requirements and what they pull in."""
    versions = library_versions()
    for direct in ("weasyprint", "python-docx", "matplotlib", "pandas", "pikepdf", "jinja2", "pydantic"):
        assert versions[direct] != "absent", direct
    for pulled_in in ("pydyf", "tinycss2", "fonttools", "lxml", "markupsafe", "numpy"):
        assert pulled_in in versions, pulled_in


def test_every_file_a_build_reads_of_the_templates_is_in_a_key(tmp_path: Path) -> None:
    """A build records, through resources.py, every template and template-folder file its renderers
    open (Jinja's loader, the reference .docx, the site's stylesheet and fonts, the files WeasyPrint
    fetches); each must be in the keys derived for the paper, the pack or the site."""
    templates = project(tmp_path / "project", "paper.css")  # a templates folder of its own: fresh Jinja
    meeting = reduced_meeting(tmp_path / "project" / "content", ["03-audit-actions"])
    with recording_reads() as read:
        build([meeting], tmp_path / "project" / "build", jobs=1)  # one job: rendered in this process
    keyed = {name.removeprefix("packaged/") for read in templates_read(templates).values() for name in read}
    assert {"paper.html.j2", "agenda.html.j2", "site-index.html.j2", "reference.docx"} <= read
    assert any(name.startswith("fonts/") for name in read)  # fetched by WeasyPrint or copied to the site
    assert read <= keyed, f"read but in no key: {sorted(read - keyed)}"
    # The check can fail: without the paper's entries, what a paper reads is in no key.
    assert not read <= set(files_read(PACK_ENTRIES + SITE_ENTRIES, templates))
