"""Columns whose values are written in a label, not in the cells: a sheet's name, a column group's header.

Partners put the period where a person reads it: one sheet per quarter (``Q2 2021-22``), or
financial years across the top of a wide table with the same fields under each
(``2021/22 / Admissions``, ``2021/22 / Population`` …). :func:`label_value` reads such a label
through the same column rules as a cell (a quarter becomes its last month), and
:func:`match_groups` finds each period's columns of a wide table for unpivoting.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from engine.errors import DataError, Problem
from engine.ingest.columns import Mapped, convert
from engine.ingest.issues import IssueLog
from engine.ingest.layout import Layout
from engine.ingest.readers import Body
from engine.spec.models import Column, Unpivot

CATEGORICAL_TYPES = ("text", "code", "month", "quarter", "financial_year")


def label_value(text: str, spec: Column, what: str, file: str, sheet: str | None):
    """``text`` read as a cell of a ``spec`` column would be; a label that does not fit is a DataError naming it."""
    probe = IssueLog()
    body = Body({0: pa.array([text], pa.string())}, np.array([0], dtype=np.int64))
    frame, _ = convert(body, [Mapped(0, what, spec)], np.array([True]), frozenset(), probe, "", file, sheet)
    value = frame[spec.name].iloc[0] if len(frame) else None
    if value is None or (isinstance(value, str) and not value) or (not isinstance(value, str) and pd.isna(value)):
        issues = probe.frame()
        reason = issues["reason"].iloc[0] if len(issues) else "empty"
        raise DataError(Problem(f"{what} {text!r} cannot be read as column {spec.name!r}: {reason}", file=file,
                                sheet=sheet, column=what, value=text))
    return value


def constant_column(value, spec: Column, rows: int) -> pd.Series:
    """One value for every row (categorical for text-like types, as the readers give them)."""
    if spec.type in CATEGORICAL_TYPES:
        return pd.Series(pd.Categorical([value] * rows))
    return pd.Series([value] * rows, dtype="Int64" if spec.type == "integer" else None)


def _loose(text: str) -> str:
    """``text`` as a regular expression in which any run of spaces matches any (or no) spaces."""
    return re.sub(r"(?:\\ |\s)+", r"\\s*", re.escape(text))


def _templates(groups: str, fields: list[str]) -> dict[str, re.Pattern]:
    """Field label -> the expression a column label of that field matches, with the period as a named group.

    One expression per field (the field spelled out) rather than a field wildcard: a period or a field may itself
    contain the separator ("2021/22 / Urban/Rural"), and only the known fields say where one ends.
    """
    before, after = groups.split("{period}")
    found = {}
    for label in fields:
        pattern = _loose(before) + r"(?P<period>.+?)" + _loose(after).replace(_loose("{field}"), _loose(label))
        found[label] = re.compile(pattern, re.IGNORECASE)
    return found


def match_groups(layout: Layout, unpivot: Unpivot, file: str, sheet: str | None) -> dict[str, list[Mapped]]:
    """Period label -> its field columns, for every column group of the header; every period must have every field."""
    fields = unpivot.field_specs()
    templates = _templates(unpivot.groups, list(fields))
    found: dict[str, dict[str, int]] = {}
    for col, text in layout.labels.items():
        for label, template in templates.items():
            match = template.fullmatch(" ".join(text.split())) if text else None
            if match:
                found.setdefault(match.group("period").strip(), {})[label] = col
                break
    header_row = layout.header_rows[-1] + 1
    if not found:
        raise DataError(Problem(f"unpivot: no column label has the form {unpivot.groups!r} with a field among "
                                f"{', '.join(map(repr, fields))}", file=file, sheet=sheet, row=header_row))
    problems = [Problem(f"unpivot: the columns of {period!r} have no {label!r}", file=file, sheet=sheet, row=header_row,
                        column=unpivot.groups.replace("{period}", period).replace("{field}", label))
                for period, columns in found.items() for label in fields if label not in columns]
    if problems:
        raise DataError(problems)
    return {period: [Mapped(col, layout.labels[col], fields[label]) for label, col in columns.items()]
            for period, columns in found.items()}
