"""The package's own resources (templates, print CSS, fonts, the reference .docx), found through the
installed package with importlib.resources, never by counting folders up from a source file. In the
repository they live in the top-level `templates/`, which pyproject.toml installs as the package
`panelpapers.templates`."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment


@cache
def templates_dir() -> Path:
    """The folder of packaged templates, on disk (WeasyPrint and python-docx read files)."""
    folder = Path(str(files("panelpapers.templates")))
    if not (folder / "paper.html.j2").is_file():
        raise RuntimeError(f"panelpapers' templates are missing from {folder}; reinstall the package")
    return folder


def fonts() -> list[Path]:
    return sorted((templates_dir() / "fonts").glob("*.ttf"))


def reference_docx(templates: Path | None = None) -> Path:
    """The reference .docx: the one in `templates` (a project's own) if it has one, else the packaged one."""
    if templates is not None and (templates / "reference.docx").is_file():
        return templates / "reference.docx"
    return templates_dir() / "reference.docx"


def template_environment(templates: Path | None = None) -> SandboxedEnvironment:
    """Sandboxed, autoescaped, strict Jinja over `templates` (a project's own: each file there
    overrides the packaged file of the same name) and the packaged templates. Each caller adds its own
    filters, so the paper writer and the review report share no state."""
    folders = [templates_dir()] if templates is None else [templates, templates_dir()]
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
