"""The package's own resources (templates, print CSS, fonts, the reference .docx), found through the
installed package with importlib.resources, never by counting folders up from a source file. In the
repository they live in the top-level `templates/`, which pyproject.toml installs as the package
`panelpapers.templates`.

This is the one place a renderer reads a template or a file beside the templates: Jinja's loader,
the reference .docx, the site's stylesheet and fonts, the chart fonts and the files the PDF renderer
fetches all come through `template_file` (or the loader here), which resolves a name in a project's
own templates first and notes the name for whoever is recording (`recording_reads`). The build
cache's keys are derived from the same folders and the same names (cache.py), and a test records
what rendering reads to prove every file read is in its key (tests/test_cache_keys.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from panelpapers.house import PACKAGED_FONT_URLS

REFERENCE_DOCX = "reference.docx"
FONTS_FOLDER = "fonts"

# The files each kind of output starts reading from, by the renderer that reads them; whatever these
# include, import or name in their CSS is followed from here (cache.py `files_read`).
PAPER_ENTRIES = (
    "paper.html.j2",  # render/html.py, and through it render/pdf.py
    "site-paper.html.j2",  # render/site.py, a public paper's page
    REFERENCE_DOCX,  # render/docx.py
    *PACKAGED_FONT_URLS.values(),  # handed to the print CSS as `font_urls` (house.py)
)
PACK_ENTRIES = ("agenda.html.j2", "pack-numbers.html.j2", REFERENCE_DOCX, *PACKAGED_FONT_URLS.values())
SITE_ENTRIES = ("site-index.html.j2", "site.css")  # render/site.py, with the fonts `site_assets` copies

_recorders: list[set[str]] = []


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """The names of the template files read while the block runs (a test's view of what a rendering
    depends on). Jinja compiles a template once per environment, so a fresh templates folder shows
    every template; the chart fonts are registered once per process."""
    names: set[str] = set()
    _recorders.append(names)
    try:
        yield names
    finally:
        _recorders.remove(names)


def _note(name: str) -> None:
    for names in _recorders:
        names.add(name)


@cache
def templates_dir() -> Path:
    """The folder of packaged templates, on disk (WeasyPrint and python-docx read files)."""
    folder = Path(str(files("panelpapers.templates")))
    if not (folder / "paper.html.j2").is_file():
        raise RuntimeError(f"panelpapers' templates are missing from {folder}; reinstall the package")
    return folder


def template_folders(templates: Path | None = None) -> list[Path]:
    """Where a template name is looked for, in order: a project's own templates, then the packaged."""
    return [templates_dir()] if templates is None else [templates, templates_dir()]


def find_template_file(name: str, templates: Path | None = None) -> Path:
    """The file `name` (a path relative to the templates, such as `fonts/LiberationSans-Bold.ttf`)
    stands for: a project's own if it has one, else the packaged one (which may not exist)."""
    for folder in template_folders(templates):
        if (folder / name).is_file():
            return folder / name
    return templates_dir() / name


def template_file(name: str, templates: Path | None = None) -> Path:
    """`find_template_file`, for a renderer about to read the file: the read is noted."""
    _note(name)
    return find_template_file(name, templates)


def font_files() -> list[Path]:
    """The packaged fonts folder: the fonts and their licence."""
    found = sorted(path for path in (templates_dir() / FONTS_FOLDER).iterdir() if path.suffix in (".ttf", ".txt"))
    for path in found:
        _note(f"{FONTS_FOLDER}/{path.name}")
    return found


def fonts() -> list[Path]:
    """The packaged fonts, which charts are drawn with."""
    return [path for path in font_files() if path.suffix == ".ttf"]


def reference_docx(templates: Path | None = None) -> Path:
    """The reference .docx: the one in `templates` (a project's own) if it has one, else the packaged one."""
    return template_file(REFERENCE_DOCX, templates)


class TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's file loader over `template_folders`, noting each template it loads."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        _note(template)
        return super().get_source(environment, template)


def template_environment(templates: Path | None = None) -> SandboxedEnvironment:
    """Sandboxed, autoescaped, strict Jinja over `templates` (a project's own: each file there
    overrides the packaged file of the same name) and the packaged templates. Each caller adds its own
    filters, so the paper writer and the review report share no state."""
    return SandboxedEnvironment(
        loader=TemplateLoader(template_folders(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_names(templates: Path | None = None) -> list[str]:
    """Every name a renderer could read from the templates in use (Jinja's own listing of both
    folders: templates, CSS, fonts, the reference .docx alike). The package's own Python files and
    hidden files (an editor's, the desktop's) are no templates."""
    names = TemplateLoader(template_folders(templates)).list_templates()
    return sorted(
        name
        for name in set(names)
        if not name.endswith((".py", ".pyc")) and not any(part.startswith((".", "__")) for part in name.split("/"))
    )


@cache
def template_references(name: str, text: str) -> tuple[str, ...] | None:
    """The templates `text` (the template `name`) includes, imports or extends, found by Jinja's own
    parser; None when it names one by an expression, so that any might be read."""
    from jinja2 import meta

    try:
        found = list(meta.find_referenced_templates(template_environment().parse(text, name)))
    except jinja2.TemplateSyntaxError:
        return ()  # it cannot render, so it reads nothing; its bytes are in the key all the same
    return None if any(item is None for item in found) else tuple(str(item) for item in found)
