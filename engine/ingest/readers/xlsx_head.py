"""The first rows and the merged cells of one xlsx/xlsm sheet, read by streaming its XML.

calamine (our bulk reader) parses a whole sheet before returning any of it, so finding the
header of a million-row sheet with it would parse the sheet twice. Here we stream only as many
rows as the layout needs, straight from the zip, and read the sheet's ``<mergeCells>`` (stored
after the data) only when the part is small enough to scan. Values come back as text: the
layout needs labels and "is this cell filled", not typed values.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import IO, Iterator
from xml.etree.ElementTree import iterparse

from engine.ingest.layout import Cell, Merge

MERGE_SCAN_LIMIT = 64 * 1024 * 1024  # bytes of sheet XML scanned for merged cells
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}\d+)(?::([A-Z]{1,3}\d+))?\"")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def column_index(letters: str) -> int:
    """``'A'`` -> 0, ``'AA'`` -> 26."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


def column_letters(index: int) -> str:
    """0 -> ``'A'``, 26 -> ``'AA'``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_position(ref: str) -> tuple[int, int]:
    match = _CELL_REF.match(ref)
    if not match:
        raise ValueError(ref)
    return int(match.group(2)) - 1, column_index(match.group(1))


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML, from workbook.xml and its relationships."""
    targets: dict[str, str] = {}
    with archive.open("xl/_rels/workbook.xml.rels") as handle:
        for _, element in iterparse(handle):
            if _local(element.tag) == "Relationship":
                target = element.get("Target", "")
                targets[element.get("Id", "")] = (target.lstrip("/") if target.startswith("/")
                                                  else posixpath.normpath(posixpath.join("xl", target)))
    parts: dict[str, str] = {}
    with archive.open("xl/workbook.xml") as handle:
        for _, element in iterparse(handle):
            if _local(element.tag) == "sheet":
                rid = element.get(f"{{{_REL_NS}}}id") or element.get(f"{{{_STRICT_REL_NS}}}id") or ""
                if rid in targets:
                    parts[element.get("name", "")] = targets[rid]
    return parts


class _SharedStrings:
    """Shared strings parsed lazily, only as far as the highest index asked for."""

    def __init__(self, archive: zipfile.ZipFile):
        self._items: list[str] = []
        self._stream: Iterator | None = None
        if "xl/sharedStrings.xml" in archive.namelist():
            self._handle: IO[bytes] = archive.open("xl/sharedStrings.xml")
            self._stream = iterparse(self._handle, events=("end",))

    def get(self, index: int) -> str:
        while index >= len(self._items) and self._stream is not None:
            try:
                _, element = next(self._stream)
            except StopIteration:
                self._stream = None
                break
            if _local(element.tag) == "si":
                self._items.append(_text_of(element))
                element.clear()
        return self._items[index] if index < len(self._items) else ""


def _text_of(element) -> str:
    """Text of a string item: its ``<t>``, or its rich-text runs' ``<t>``s; phonetic runs skipped."""
    parts = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def read_head(path: Path, part: str, rows: int) -> list[list[Cell]]:
    """The first ``rows`` rows of the sheet stored in ``part``, as text, at their true positions."""
    with zipfile.ZipFile(path) as archive:
        strings = _SharedStrings(archive)
        grid: list[list[Cell]] = []
        with archive.open(part) as handle:
            row_number = -1
            for _, element in iterparse(handle, events=("end",)):
                tag = _local(element.tag)
                if tag != "row":
                    continue
                row_number = int(element.get("r", row_number + 2)) - 1
                if row_number >= rows:
                    break
                values: dict[int, Cell] = {}
                col = -1
                for c in element:
                    if _local(c.tag) != "c":
                        continue
                    ref = c.get("r")
                    col = _cell_position(ref)[1] if ref else col + 1
                    values[col] = _cell_text(c, strings)
                while len(grid) < row_number:
                    grid.append([])
                width = max(values) + 1 if values else 0
                grid.append([values.get(j) for j in range(width)])
                element.clear()
        return grid


def _cell_text(c, strings: _SharedStrings) -> Cell:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        inline = next((x for x in c if _local(x.tag) == "is"), None)
        return _text_of(inline) if inline is not None else None
    value = next((x.text for x in c if _local(x.tag) == "v"), None)
    if value is None:
        return None
    if kind == "s":
        return strings.get(int(value))
    if kind == "b":
        return "TRUE" if value.strip() == "1" else "FALSE"
    return value


def read_merges(path: Path, part: str) -> list[Merge] | None:
    """Merged ranges of the sheet, or None when the part is too large to scan (the layout then infers)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
        if info.file_size > MERGE_SCAN_LIMIT:
            return None
        data = archive.read(part)
    start = data.rfind(b"mergeCells")
    if start < 0:
        return []
    merges = []
    for match in _MERGE.finditer(data, max(0, start - 16)):
        first = _cell_position(match.group(1).decode())
        last = _cell_position((match.group(2) or match.group(1)).decode())
        merges.append((first[0], first[1], last[0], last[1]))
    return merges


__all__ = ["column_index", "column_letters", "read_head", "read_merges", "sheet_parts"]
