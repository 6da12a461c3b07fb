"""Developer sessions: `nox -s build` builds the example content into build/, `nox -s tests` runs the
test suite, `nox -s lint` runs ruff and mypy, `nox -s bench` measures build costs."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True


def install(session: nox.Session, *extra: str) -> None:
    # Editable, so an edit to panelpapers/ or templates/ is tested without reinstalling.
    session.install("-e", ".[test]", *extra)


@nox.session
def build(session: nox.Session) -> None:
    install(session)
    session.run("panelpapers", "build", "content", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    install(session)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    install(session, "ruff", "mypy", "types-PyYAML")
    session.run("ruff", "check", "panelpapers", "tests", "noxfile.py")
    session.run("mypy", "panelpapers")


@nox.session
def bench(session: nox.Session) -> None:
    install(session)
    session.run("python", "tools/bench.py", *session.posargs)
