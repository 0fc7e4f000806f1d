"""Refuse an xlsx/xlsm sheet whose used range would not fit in memory, before calamine allocates it.

calamine (our bulk reader) holds a sheet as one dense grid from its first to its last cell, so a
40 KB file with cells at A1 and XFD1048576 asks for 17 billion cells (about 512 GB) and the
process aborts. The grid's size is known before reading: the sheet's ``<dimension ref="A1:XFD1048576">``
declares it, and the cell references themselves (``<c r="XFD1048576">``) show it. Both are checked:

- the declared dimension, from the first bytes of the sheet's XML (always; it costs nothing);
- every cell reference, streamed from the zip, for sheets up to :data:`SCAN_LIMIT` bytes of XML
  (a regular expression over the bytes: about 25 ms a megabyte). Reading the part through
  ``zipfile`` also verifies its CRC and declared size, so a part whose zip headers understate how
  far it inflates (a zip bomb in disguise) is refused as damaged rather than inflated.

Larger sheets (national extracts) are checked by their declared dimension and by
:mod:`engine.ingest.safety`'s zip limits only: scanning hundreds of megabytes of XML would cost
more than the read itself.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from engine.errors import DataError, Problem
from engine.ingest.readers.xlsx_head import column_index

#: Cells (rows x columns of the used range) a sheet may span: about 1.6 GB in calamine's grid. A national
#: extract of a million rows and 20 columns spans 20 million.
MAX_CELLS = 50_000_000
#: Sheet XML scanned cell by cell; larger sheets are checked by their declared dimension.
SCAN_LIMIT = 32 * 1024 * 1024
HEAD_BYTES = 4096
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})(\d+)\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")


def _refuse(path: Path, sheet: str, rows: int, columns: int, how: str) -> DataError:
    return DataError(Problem(
        f"refused: the sheet's {how} spans {rows:,} rows x {columns:,} columns ({rows * columns:,} cells), over the "
        f"{MAX_CELLS:,}-cell limit; a cell far outside the table (e.g. at XFD1048576) would make the reader allocate "
        "all of them. Delete the stray cells (Ctrl+End shows the last one) and save again", file=str(path), sheet=sheet))


def check_sheet_extent(path: Path, part: str, sheet: str) -> None:
    """Raise :class:`DataError` if the sheet in zip member ``part`` spans too many cells or its member is damaged."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(part)
            with archive.open(info) as handle:
                head = handle.read(HEAD_BYTES)
                dimension = _DIMENSION.search(head)
                if dimension and dimension.group(3):
                    rows, columns = int(dimension.group(4)), column_index(dimension.group(3).decode()) + 1
                    if rows * columns > MAX_CELLS:
                        raise _refuse(path, sheet, rows, columns, "declared dimension")
                if info.file_size > SCAN_LIMIT:
                    return
                data = head + handle.read()  # bounded by the declared size; the CRC is checked at the end
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise DataError(Problem(f"the workbook is damaged: its part {part!r} does not inflate to what its zip headers "
                                f"declare ({error}); this can be a zip bomb. Save it again from Excel",
                                file=str(path), sheet=sheet)) from None
    except KeyError:
        return  # no such part: calamine reports the workbook itself
    # Each distinct column letters and row number converted once: a sheet repeats them in every row and column.
    cells = _CELL_REF.findall(data)
    letters, numbers = (set(part) for part in zip(*cells)) if cells else (set(), set())
    numbers.update(_ROW_REF.findall(data))
    columns = max((column_index(letter.decode()) + 1 for letter in letters), default=0)
    rows = max(map(int, numbers), default=0)
    if rows * columns > MAX_CELLS:
        raise _refuse(path, sheet, rows, columns, "used range")
