"""Each paper's computed data (its tables, its charts drawn), kept between saves. Drawing the charts
is most of what resolving a paper costs, and most saves change its text, not its data.

Kept data is used again while every file it may have been computed from is unchanged: the paper's
files other than its section YAML files (data.yaml, data/ and anything data.yaml names), the tool,
the house style and the paper templates (whose chart fonts charts draw with). Data that names a
section YAML file as a source, or that had problems, is not kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from panelpapers.cache import KeyContext
    from panelpapers.data.paper_data import PaperData
    from panelpapers.errors import Problem
    from panelpapers.house import House

Computed = tuple["PaperData | None", list["Problem"]]  # as load_paper_data returns it


@dataclass(frozen=True)
class Kept:
    key: str
    computed: Computed


class KeptData:
    def __init__(self) -> None:
        self.kept: dict[Path, Kept] = {}  # paper folder -> its last data computed without problems

    def computed(self, folder: Path, house: House, context: KeyContext) -> Computed:
        """The paper's data as `load_paper_data` gives it: the kept copy if its inputs are unchanged."""
        from panelpapers.data.paper_data import load_paper_data

        key = data_key(folder, context)  # before reading, so that a save while it reads is seen next time
        kept = self.kept.get(folder)
        if kept is not None and kept.key == key:
            return kept.computed
        data, problems = load_paper_data(folder, house)
        self.kept.pop(folder, None)
        if data is not None and data.complete and not problems and not names_a_section(folder, data):
            self.kept[folder] = Kept(key, (data, problems))
        return data, problems

    def forget_all_but(self, folders: set[Path]) -> None:
        """Lets go of the data of papers no longer in the meeting."""
        for folder in set(self.kept) - folders:
            del self.kept[folder]


def section_file(folder: Path, path: Path) -> bool:
    """A YAML file of the paper's own text (not data.yaml), which data is not computed from."""
    from panelpapers.data.paper_data import DATA_FILE

    return path.suffix == ".yaml" and path.name != DATA_FILE and path.resolve().parent == folder.resolve()


def names_a_section(folder: Path, data: PaperData) -> bool:
    return any(section_file(folder, source.path) for source in data.sources.values())


def data_key(folder: Path, context: KeyContext) -> str:
    from panelpapers.cache import content_digest, digest, folder_files

    files = {str(p.relative_to(folder)): content_digest(p) for p in folder_files(folder) if not section_file(folder, p)}
    return digest({"tool": context.tool, "house": context.house, "templates": context.paper_templates, "files": files})
