"""Find police.uk monthly street files as police.uk ships them, and refuse ambiguous sets.

police.uk's custom download arrives as a ``.zip`` that unpacks to one ``YYYY-MM/`` folder per
month, each holding one ``YYYY-MM-<force>-street.csv`` per force chosen. A source's ``path`` may
be that zip (its members are read in place, never extracted to disk, after the zip-bomb checks
of :mod:`engine.ingest.safety`), the unpacked folder (monthly files in it or in its subfolders),
or a flat folder of files (the bundled demo's gzipped copies).

Two rules keep a month from being counted twice or a neighbour's crimes from being counted:

- the same force and month in two files (``…-street.csv`` beside ``…-street.csv.gz``, or one
  month in two folders) is refused, naming both files (:func:`check_one_file_per_force_month`);
- when more than one force is present, the spec's ``forces`` says which to keep; the others'
  files are set aside and their rows counted in the data-quality report (:func:`select_forces`).

This module only decides *which* files are read; :mod:`engine.ingest.police_uk` reads them.
"""
from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from engine.errors import DataError, Problem, SpecError
from engine.ingest.safety import Limits, check_zip

FILE_PATTERN = re.compile(r"^(\d{4}-\d{2})-(.+)-street\.csv(\.gz)?$")


@dataclass(frozen=True)
class MonthlyFile:
    """One monthly street file: on disk, or a member of a zip archive (``member`` set)."""

    path: Path  # the file, or the zip archive holding it
    month: str  # YYYY-MM, from the file name
    force: str  # the force's slug in the file name, e.g. leicestershire
    member: str | None = None

    @property
    def shown(self) -> Path:
        """How the file is named in messages and the data-quality report."""
        return self.path / self.member if self.member is not None else self.path

    def open(self, archive: zipfile.ZipFile | None = None) -> IO[bytes] | Path:
        """The path to read, or (a zip member) a stream bounded by its declared size."""
        if self.member is None:
            return self.path
        assert archive is not None
        return archive.open(self.member)


def _parse(name: str) -> tuple[str, str] | None:
    match = FILE_PATTERN.match(name)
    return (match.group(1), match.group(2).lower()) if match else None


def discover(path: Path, limits: Limits = Limits()) -> list[MonthlyFile]:
    """Every monthly street file under ``path`` (a folder, its ``YYYY-MM/`` subfolders, or a .zip), by month."""
    found: list[MonthlyFile] = []
    if path.is_file() and path.suffix.lower() == ".zip":
        check_zip(path, limits)
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename.rsplit("/", 1)[-1]
                parsed = None if info.is_dir() or name.endswith(".gz") else _parse(name)  # police.uk zips hold .csv
                if parsed:
                    found.append(MonthlyFile(path, *parsed, member=info.filename))
    elif path.is_dir():
        for file in path.rglob("*-street.csv*"):
            parsed = _parse(file.name) if file.is_file() else None
            if parsed:
                found.append(MonthlyFile(file, *parsed))
    else:
        raise DataError(Problem("police.uk folder not found (give the unpacked download's folder, or its .zip)", file=str(path)))
    if not found:
        raise DataError(Problem("no police.uk monthly files (YYYY-MM-<force>-street.csv, in this folder, its YYYY-MM "
                                "subfolders or this .zip)", file=str(path)))
    return sorted(found, key=lambda f: (f.month, f.force, str(f.shown)))


def check_one_file_per_force_month(files: list[MonthlyFile]) -> None:
    """The same force and month in two files would count that month twice: refuse, naming both."""
    by_key: dict[tuple[str, str], list[MonthlyFile]] = defaultdict(list)
    for file in files:
        by_key[(file.force, file.month)].append(file)
    problems = [Problem(f"{force} {month} is in {len(same)} files: {' and '.join(str(f.shown) for f in same)}; "
                        "keep one (a month counted twice would double its crimes)", file=str(same[1].shown))
                for (force, month), same in by_key.items() if len(same) > 1]
    if problems:
        raise DataError(problems)


def select_forces(files: list[MonthlyFile], forces: list[str] | None, source: str,
                  folder: Path) -> tuple[list[MonthlyFile], list[MonthlyFile]]:
    """(files to read, files of other forces); more than one force with no ``forces`` setting is an error."""
    present = sorted({f.force for f in files})
    key = f"sources.{source}.forces"
    if forces is None:
        if len(present) > 1:
            raise SpecError(Problem(f"police.uk files of {len(present)} forces found ({', '.join(present)}) in "
                                    f"{folder}: say which to count, e.g. forces: [{present[0]}]", key_path=key))
        return files, []
    wanted = {f.lower() for f in forces}
    unknown = sorted(wanted - set(present))
    if unknown:
        raise SpecError(Problem(f"no police.uk files for {', '.join(unknown)} in {folder} (forces found: "
                                f"{', '.join(present)})", key_path=key))
    return [f for f in files if f.force in wanted], [f for f in files if f.force not in wanted]
