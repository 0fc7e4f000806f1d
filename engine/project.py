"""A project: the folder that holds a team's specs and data, named by an identifier.

Workbooks record the project's identifier and paths relative to its root, never the builder's
folders (a workbook is e-mailed to partners, and its checksum must not depend on where the
project sits). Each computer that refreshes workbooks maps the identifier back to a folder of its
own (``saferbook addin register``).

The root is the nearest folder at or above the spec's folder that holds ``saferbook-project.yaml``
(``id: my-partnership``). A spec outside any project has no identifier (its folder serves as the
root for relative paths): its workbooks cannot be refreshed in Excel, and say so. The identifier is
never made up from a folder name, which would make a workbook depend on where its project sits.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath

from engine.errors import Problem, SpecError
from engine.yaml_lines import read_yaml

PROJECT_FILE = "saferbook-project.yaml"
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Project:
    id: str  # "" for a spec outside any project
    root: Path  # absolute, on this computer

    def relative(self, path: Path | str) -> str:
        """``path`` relative to the root, ``/``-separated (``..`` where it lies outside); only the file's name
        when it cannot be reached from the root at all (another drive)."""
        try:
            return PurePath(os.path.relpath(os.path.abspath(path), self.root)).as_posix()
        except ValueError:
            return Path(path).name


def project_of_folder(folder: Path) -> Project:
    """The project whose root is ``folder``, named by its ``saferbook-project.yaml``."""
    folder = Path(os.path.abspath(folder))  # symbolic links kept: paths read as the spec wrote them
    marker = folder / PROJECT_FILE
    if not marker.is_file():
        raise SpecError(Problem(f"{folder} is not a Saferbook project: it has no {PROJECT_FILE}. Create one "
                                "there with a line 'id: <a name for the project>' (letters, digits, '.', '_', '-')",
                                file=str(marker)))
    data, index = read_yaml(marker, "project file")  # bounded like a spec, and its problems carry their line
    identifier = data.get("id") if isinstance(data, dict) else None
    if not isinstance(identifier, str) or not _IDENTIFIER.match(identifier):
        raise SpecError(index.problem(("id",), f"id: {identifier!r} is not a project identifier (letters, digits, "
                                               "'.', '_', '-'; up to 64, starting with a letter or digit)"))
    return Project(identifier, folder)


def project_of_spec(spec_path: Path | str) -> Project:
    """The project a spec belongs to (see the module docstring)."""
    folder = Path(os.path.abspath(spec_path)).parent
    for candidate in (folder, *folder.parents):
        if (candidate / PROJECT_FILE).is_file():
            return project_of_folder(candidate)
    return Project("", folder)
