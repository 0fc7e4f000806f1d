"""CSV (and gzipped CSV) files: any delimiter, UTF-8 with or without BOM, Windows-1252, UTF-16.

Encoding rule (``encoding: auto``): a UTF-16 byte-order mark means UTF-16; otherwise the file is
read as UTF-8 (a UTF-8 BOM is skipped) and, if it is not valid UTF-8, read again as Windows-1252
(cp1252, what Excel on Windows writes for "CSV"), which is recorded in the data-quality notes. A
named ``encoding`` is used as given, and a file that does not decode is an error naming the line
and the bytes. The delimiter (``auto``) is whichever of ``,`` ``;`` tab ``|`` splits the first lines
most consistently.

The body is read by pyarrow's multi-threaded CSV reader, every column as text: typing is done by
:mod:`engine.ingest.columns`, which knows what each column should hold.
"""
from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections import Counter
from itertools import accumulate
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from engine.errors import DataError, Problem
from engine.ingest.layout import Cell
from engine.ingest.readers import NUMBER, Body, TableFile, repeats_enough
from engine.ingest.safety import Limits, check_file

HEAD_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
FALLBACK_ENCODING = "cp1252"


def _decode_error_problem(path: Path, data: bytes, encoding: str, exc: UnicodeDecodeError) -> Problem:
    line = data.count(b"\n", 0, exc.start) + 1
    bad = data[exc.start:exc.start + 4]
    return Problem(f"the file is not valid {encoding} text (byte {bad[:1].hex(' ')} at line {line}); "
                   "set the source's encoding: (e.g. cp1252 or utf-16)", file=str(path), row=line, value=bad.decode("latin-1"))


class CsvFile(TableFile):
    def __init__(self, path: Path, encoding: str = "auto", delimiter: str = "auto", limits: Limits = Limits()):
        check_file(path, limits)
        self.file = path
        self.sheet = None
        self._limits = limits
        self._data: bytes | None = None
        if path.suffix.lower() == ".gz":
            self._data = self._gunzip(path, limits)
            head = self._data[:HEAD_BYTES]
        else:
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
        self._complete_head = len(head) < HEAD_BYTES or (self._data is not None and len(self._data) <= HEAD_BYTES)
        self.notes: list[str] = []
        self._encoding_given = encoding != "auto"
        self.encoding = self._choose_encoding(head, encoding)
        text = self._decode_head(head)
        self.delimiter = self._choose_delimiter(text) if delimiter == "auto" else delimiter
        self._head_text = text

    @staticmethod
    def _gunzip(path: Path, limits: Limits) -> bytes:
        """Decompress in memory, refusing to go past the limit (a lying gzip trailer cannot fool this)."""
        cap = limits.max_uncompressed
        try:
            with gzip.open(path, "rb") as handle:
                data = handle.read(cap + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(Problem(f"the gzip file is damaged or truncated ({exc})", file=str(path))) from None
        if len(data) > cap:
            raise DataError(Problem(f"refused: the gzip file inflates past {cap // (1024 * 1024):,} MB", file=str(path)))
        return data

    def _choose_encoding(self, head: bytes, encoding: str) -> str:
        if encoding != "auto":
            return encoding
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"
        return "utf-8"

    def _decode_head(self, head: bytes) -> str:
        if not self._complete_head:
            head = head[: head.rfind(b"\n") + 1] or head  # whole lines only
        codec = "utf-8-sig" if self.encoding.replace("_", "-").lower() in ("utf-8", "utf8") else self.encoding
        try:
            return head.decode(codec)
        except UnicodeDecodeError as exc:
            if self.encoding == "utf-8" and self._auto_fallback_allowed:
                return self._fall_back(head)
            raise DataError(_decode_error_problem(self.file, head, self.encoding, exc)) from None
        except LookupError:
            raise DataError(Problem(f"unknown encoding {self.encoding!r}", file=str(self.file))) from None

    @property
    def _auto_fallback_allowed(self) -> bool:
        return not self._encoding_given

    def _fall_back(self, head: bytes) -> str:
        self.encoding = FALLBACK_ENCODING
        self.notes.append("not valid UTF-8: read as Windows-1252 (cp1252)")
        try:
            return head.decode(FALLBACK_ENCODING)
        except UnicodeDecodeError as exc:
            raise DataError(_decode_error_problem(self.file, head, "UTF-8 or Windows-1252", exc)) from None

    @staticmethod
    def _choose_delimiter(text: str) -> str:
        lines = [line for line in text.splitlines()[:30] if line.strip()]
        best, best_score = ",", 0
        for delimiter in DELIMITERS:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
            multi = [c for c in counts if c > 1]
            if not multi:
                continue
            width, agreeing = Counter(multi).most_common(1)[0]
            score = agreeing * min(width, 50)
            if score > best_score:
                best, best_score = delimiter, score
        return best

    def head(self, rows: int) -> list[list[Cell]]:
        reader = csv.reader(io.StringIO(self._head_text, newline=""), delimiter=self.delimiter)
        out: list[list[Cell]] = []
        self._first_lines: list[int] = []  # line on which each record starts
        last_line = 0
        for record in reader:
            self._first_lines.append(last_line + 1)
            last_line = reader.line_num
            out.append([value if value.strip() else None for value in record])
            if len(out) >= rows:
                break
        self._lines_read = last_line
        return out

    def _line_of_record(self, record: int) -> int:
        """1-based line where record ``record`` (0-based) starts; past the head, lines = records."""
        if record < len(self._first_lines):
            return self._first_lines[record]
        return self._lines_read + 1 + (record - len(self._first_lines))

    def body(self, start: int, first_col: int, last_col: int, kinds: dict[int, str]) -> Body:
        if not hasattr(self, "_first_lines"):
            self.head(start + 1)
        skip = self._line_of_record(start) - 1
        sample = self._sample(start)
        usual = Counter(len(r) for r in sample).most_common(1)[0][0] if sample else 0
        width = max(last_col + 1, usual)
        names = [f"c{j}" for j in range(width)]
        wanted = names[first_col:last_col + 1]
        dictionary = pa.dictionary(pa.int32(), pa.string())
        types = {}
        for j in range(first_col, last_col + 1):
            values = [r[j] for r in sample if j < len(r)]
            encode = kinds.get(j) != NUMBER and repeats_enough(len(set(values)), len(values))
            types[names[j]] = dictionary if encode else pa.string()
        invalid: list[tuple[int | None, str]] = []
        data = self._data
        if usual > 1:
            data, notes = self._without_trailing_notes()
            invalid += notes

        def on_invalid(row) -> str:
            invalid.append((row.number, row.text))
            return "skip"

        def read(encoding: str, threads: bool, careful: bool = True) -> pa.Table:
            """``careful``: quoted values may hold line breaks and bad rows are set aside (slower)."""
            source = pa.BufferReader(data) if data is not None else str(self.file)
            return pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(skip_rows=skip, column_names=names, encoding=encoding, use_threads=threads,
                                               block_size=1 << 22),
                parse_options=pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=careful,
                                                 ignore_empty_lines=False,
                                                 invalid_row_handler=on_invalid if careful else None),
                convert_options=pacsv.ConvertOptions(include_columns=wanted, column_types=types,
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
            )

        def read_any(encoding: str) -> pa.Table:
            """The fast parse first; any row it cannot take (a line break in a value, a short row): the careful one."""
            try:
                return read(encoding, True, careful=False)
            except pa.ArrowInvalid as exc:
                if "invalid UTF8" in str(exc):
                    raise
                return read(encoding, True)

        encoding = "utf8" if self.encoding.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig") else self.encoding
        try:
            try:
                table = read_any(encoding)
            except pa.ArrowInvalid as exc:
                if "invalid UTF8" not in str(exc) or encoding != "utf8" or not self._auto_fallback_allowed:
                    raise
                self.notes.append("not valid UTF-8: read as Windows-1252 (cp1252)")
                self.encoding = encoding = FALLBACK_ENCODING
                invalid.clear()
                table = read_any(encoding)
            if invalid and any(number is None for number, _ in invalid):
                invalid.clear()
                table = read(encoding, False)  # single-threaded: the reader then knows each bad line's number
        except UnicodeDecodeError as exc:
            raise DataError(Problem(f"the file is not valid {self.encoding} text ({exc.reason}); set the source's "
                                    "encoding: (e.g. cp1252 or utf-16)", file=str(self.file))) from None
        except pa.ArrowInvalid as exc:
            message = str(exc).split("\n")[0]
            if "invalid UTF8" in message:
                data = self._data if self._data is not None else self.file.read_bytes()
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError as decode_error:
                    raise DataError(_decode_error_problem(self.file, data, "UTF-8", decode_error)) from None
            raise DataError(Problem(f"cannot read CSV: {message}", file=str(self.file))) from None

        first_line = skip + 1
        total = table.num_rows + len(invalid)
        lines = np.arange(first_line, first_line + total, dtype=np.int64)
        if invalid:
            lines = np.setdiff1d(lines, np.array([n for n, _ in invalid if n is not None], dtype=np.int64),
                                 assume_unique=True)[: table.num_rows]
        columns = {}
        for k in range(len(wanted)):
            column = table.column(k)
            if pa.types.is_dictionary(column.type):
                column = column.unify_dictionaries()
            columns[first_col + k] = column.combine_chunks()
        return Body(columns, lines, invalid_rows=invalid, notes=list(self.notes))

    def _without_trailing_notes(self) -> tuple[bytes | None, list[tuple[int, str]]]:
        """The file's bytes without the one-field lines after the table ("Records: 1,234", "Source: …"), and those
        lines with their numbers; (None, []) when there are none. Cut before parsing, they cost the fast parse
        nothing; they are reported as rows of the wrong width, which the table reader lists as notes."""
        if self.encoding.replace("_", "-").lower().startswith("utf-16"):
            return self._data, []
        if self._data is not None:
            size, tail = len(self._data), self._data[-HEAD_BYTES:]
        else:
            size = self.file.stat().st_size
            with self.file.open("rb") as handle:
                handle.seek(max(0, size - HEAD_BYTES))
                tail = handle.read()
        lines = tail.split(b"\n")
        if lines and not lines[-1].strip():
            lines.pop()  # the final line break
        cut, found = size - len(tail), []
        ends = list(accumulate((len(x) + 1 for x in lines), initial=cut))[1:]  # byte offset after each line
        codec = "cp1252" if self.encoding == FALLBACK_ENCODING else "utf-8"
        first_note = None
        for i in range(len(lines) - 1, 0, -1):
            text = lines[i].decode(codec, errors="replace").strip().lstrip("\ufeff")
            if len(next(csv.reader([text], delimiter=self.delimiter), [])) > 1:
                break  # a record (even one of empty fields): the table's rows deal with it
            if text:
                found.append((i, text))
                first_note = i
        if first_note is None:
            return self._data, []
        start = ends[first_note - 1]
        data = self._data[:start] if self._data is not None else self._read_bytes(start)
        first_line = data.count(b"\n") + 1
        numbered = [(first_line + (i - first_note), text) for i, text in reversed(found)]
        return data, numbered

    def _read_bytes(self, count: int) -> bytes:
        with self.file.open("rb") as handle:
            return handle.read(count)

    def _sample(self, start: int) -> list[list[str]]:
        """The data records in the head (a trailing delimiter the header lacks shows up in their width)."""
        reader = csv.reader(io.StringIO(self._head_text, newline=""), delimiter=self.delimiter)
        return [r for i, r in enumerate(reader) if i >= start and r]
