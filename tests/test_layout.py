"""The package's shape: one subpackage per stage, data flowing one way (a lower stage never imports a
higher one), the house vocabulary in one place, and resources found through the installed package."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

from panelpapers.house import WORDING

pytestmark = pytest.mark.quick  # every test here is quick

PACKAGE = PROJECT_ROOT / "panelpapers"

# Lowest first. A module may import from its own stage or any stage listed before it.
STAGES: list[set[str]] = [
    {"errors", "house", "resources", "model", "zip_limits"},
    {"load"},
    {"data"},
    {"resolve"},
    {"render"},
    {"pack"},
    {"build", "cache", "publish", "manifest", "inputs", "project"},
    {"review", "preview", "word", "publication"},
    {"cli", "__main__", "__init__", "scaffold", "json_schemas", "wordimport"},
]


def stage_of(module: str) -> int:
    """`panelpapers.data.charts` → the rank of `data`."""
    top = module.split(".")[1] if "." in module else "__init__"
    for rank, names in enumerate(STAGES):
        if top in names:
            return rank
    raise AssertionError(f"{module}: not in any stage of the code map; add it to STAGES and the README")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """Every panelpapers module `path` imports, at module level or inside functions, with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("panelpapers"):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("panelpapers")]
    return found


def test_no_import_runs_back_up_the_pipeline() -> None:
    backwards = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for line, imported in imports(path):
            if stage_of(imported) > stage_of(importer):
                backwards.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {importer} imports {imported}")
    assert not backwards, "\n".join(backwards)


def test_the_layout_check_would_see_a_backward_import(tmp_path: Path) -> None:
    """The check above is only worth something if it catches the kind of arrow it forbids."""
    module = tmp_path / "charts.py"
    module.write_text("def f():\n    from panelpapers.render import all_writers\n", encoding="utf-8")
    assert imports(module) == [(2, "panelpapers.render")]
    assert stage_of("panelpapers.render") > stage_of("panelpapers.data.charts")


def test_readme_code_map_names_every_subpackage() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    modules = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("__")}
    named = set(re.findall(r"`(\w+)/`", readme)) | set(re.findall(r"`(\w+)\.py`", readme))
    assert subpackages <= named, f"the README's code map misses {sorted(subpackages - named)}"
    assert modules <= named, f"the README's code map misses {sorted(modules - named)}"
    stale = {name for name in re.findall(r"`(\w+)/`", readme) if name not in subpackages | {"templates", "content"}}
    stale -= {"build", "tests", "docs", "tools", "public", "restricted"}
    assert not stale, f"the README's code map names folders that do not exist: {sorted(stale)}"


def test_the_wheel_holds_every_subpackage() -> None:
    """pyproject.toml names its packages one by one (templates and docs install from top-level
    folders): a subpackage left out would be missing from an installed panelpapers."""
    import tomllib

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    subpackages = {
        ".".join(path.parent.relative_to(PROJECT_ROOT).parts) for path in PACKAGE.rglob("__init__.py")
    }
    assert subpackages <= listed, f"pyproject.toml's packages miss {sorted(subpackages - listed)}"


def test_writers_and_templates_decide_no_wording() -> None:
    """Every fixed phrase a paper prints comes from house.py through the model: none is spelt out in
    the writers or the paper templates."""
    phrases = [
        getattr(WORDING, f.name)
        for f in fields(WORDING)
        if "{" not in getattr(WORDING, f.name) and len(getattr(WORDING, f.name)) > 4
    ]
    phrases += ["Page ", "Appendix ", "Report by", "METROPOLITAN", "MOPAC", "OFFICIAL"]
    sources = [*(PACKAGE / "render").glob("*.py"), *(PACKAGE / "pack").glob("*.py")]
    sources += [p for p in (PROJECT_ROOT / "templates").iterdir() if p.suffix in (".j2", ".css") and p.stem != "diff"]
    spelt_out = [
        f"{path.relative_to(PROJECT_ROOT)}: {phrase!r}"
        for path in sources
        for phrase in phrases
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", _code_only(path.read_text(encoding="utf-8")))
    ]
    assert not spelt_out, "\n".join(spelt_out)


def _code_only(text: str) -> str:
    """Source without comments, docstrings and Word style names ("Contents Heading" names a style)."""
    text = re.sub(r"\{#[\s\S]*?#\}", "", text)  # Jinja comments
    text = re.sub(r"/\*[\s\S]*?\*/", "", text)  # CSS comments
    text = re.sub(r'"""[\s\S]*?"""', "", text)  # docstrings
    text = re.sub(r"(?m)#[^\n{]*$", "", text)  # Python comments
    text = text.replace('["Contents"]', "")  # a PDF annotation's /Contents key (render/pdf_tags.py)
    return re.sub(r'style="[^"]*"|styles\["[^"]*"\]', "", text)


def test_templates_come_from_the_installed_package() -> None:
    from panelpapers.resources import reference_docx, templates_dir

    assert (templates_dir() / "paper.html.j2").is_file()
    assert reference_docx().is_file()
    sources = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    assert "__file__" not in sources, "resources are found through importlib.resources, not source paths"
