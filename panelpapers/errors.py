"""One error family. Expected problems carry a location and print as one line each."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    path: Path
    line: int | None = None

    def __str__(self) -> str:
        path = _display(self.path)
        return f"{path}:{self.line}" if self.line is not None else path


def _display(path: Path) -> str:
    """Relative to the current folder where it lies below it; a link is named as written, not by
    where it leads."""
    for candidate in (Path(os.path.abspath(path)), path.resolve()):
        try:
            return str(candidate.relative_to(Path.cwd()))
        except ValueError:
            continue
    return str(path)


@dataclass(frozen=True, order=True)
class Problem:
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ContentError(Exception):
    """Bad content: one or more problems an author can fix. Exit status 1."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems so that a whole meeting is reported in one run."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def raise_if_any(self) -> None:
        if self.items:
            raise ContentError(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)
