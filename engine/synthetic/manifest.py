"""The manifest: for each generated file, its layout and exactly what is wrong with it on purpose.

Ingest tests read it to assert exact rejection counts (per kind of bad row) and where the header
is, so every number in it is counted from the very cells written, never from settings.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from engine.atomic import write_bytes_atomic
from engine.synthetic.common import count_markers
from engine.synthetic.context import Context
from engine.synthetic.freshness import MANIFEST_NAME
from engine.synthetic.output import Table, write_csv, write_xlsx



def _merge_markers(found: list[dict[str, dict]]) -> dict[str, dict]:
    merged: dict[str, dict] = {}
    for per_table in found:
        for marker, info in per_table.items():
            entry = merged.setdefault(marker, {"meaning": info["meaning"], "count": 0, "columns": {}})
            entry["count"] += info["count"]
            for column, n in info["columns"].items():
                entry["columns"][column] = entry["columns"].get(column, 0) + n
    return merged


def publish(ctx: Context, source_id: str, file_name: str, tables: dict[str | None, Table], *, description: str,
            provenance: str, date_forms: dict[str, str], markers: dict[str, str],
            bad_rows: dict[str, list[tuple[str | None, int]]], encoding: str | None = None,
            notes_sheets: dict[str, Table] | None = None, **extra: object) -> dict:
    """Write one source's file and return its manifest entry.

    ``tables`` maps sheet name to table (``{None: table}`` for a CSV in ``encoding``);
    ``notes_sheets`` come first in the workbook and hold no data; ``bad_rows`` holds
    (sheet, data-row index) pairs per kind. Columns the context omits for this source are left
    out of the file (bad-row counts still describe the full extract).
    """
    omitted = ctx.omit_columns.get(source_id, frozenset())
    if omitted:
        unknown = omitted - set(next(iter(tables.values())).column_names)
        if unknown:
            raise ValueError(f"{source_id} has no column {sorted(unknown)} to omit")
        tables = {sheet: table.without(omitted) for sheet, table in tables.items()}
        extra["omitted_columns"] = sorted(omitted)
    path = ctx.out_dir / file_name
    if list(tables) == [None]:
        write_csv(path, tables[None], encoding or "utf-8")
    else:
        write_xlsx(path, {**(notes_sheets or {}), **tables}, ctx.created, f"{description} (synthetic)")
    if notes_sheets:
        extra["other_sheets"] = list(notes_sheets)
    return _entry(path, tables, encoding, description=description, provenance=provenance, date_forms=date_forms,
                  markers=markers, bad_rows=bad_rows, **extra)


def _entry(path: Path, tables: dict[str | None, Table], encoding: str | None, *, description: str,
           provenance: str, date_forms: dict[str, str], markers: dict[str, str],
           bad_rows: dict[str, list[tuple[str | None, int]]], **extra: object) -> dict:
    first = next(iter(tables.values()))
    row_of = {sheet: table.first_data_row for sheet, table in tables.items()}
    is_csv = list(tables) == [None]
    entry = {
        "file": path.name,
        "format": "csv" if is_csv else "xlsx",
        "encoding": encoding,
        "synthetic": True,
        "description": description,
        "provenance": provenance,
        "sheets": None if is_csv else list(tables),
        "header_row": first.header_row,
        "header_rows": first.header_rows,
        "first_data_row": first.first_data_row,
        "header": first.header_cells(),
        "columns": first.column_names,
        "data_rows": first.n_rows if is_csv else {sheet: t.n_rows for sheet, t in tables.items()},
        "footer_rows": len(first.footer),
        "date_forms": date_forms,
        "markers": _merge_markers([count_markers(dict(zip(t.column_names, t.columns)), markers) for t in tables.values()]),
        "bad_rows": {kind: len(rows) for kind, rows in bad_rows.items()},
        "bad_row_numbers": {kind: [[sheet, row_of[sheet] + int(index)] for sheet, index in rows]
                            for kind, rows in bad_rows.items()},
    }
    entry.update(extra)
    return entry


def rows_in(sheet: str | None, indices: np.ndarray) -> list[tuple[str | None, int]]:
    return [(sheet, int(i)) for i in indices]


def write_manifest(out_dir: Path, header: dict, sources: dict[str, dict]) -> Path:
    path = out_dir / MANIFEST_NAME
    text = json.dumps({**header, "sources": sources}, indent=1, ensure_ascii=False, sort_keys=False)
    write_bytes_atomic(path, (text + "\n").encode("utf-8"))
    return path
