"""Read small reference tables (lookups, populations) as text, with located errors."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from engine.errors import DataError, Problem
from engine.spec.suggest import did_you_mean


def read_text_table(path: Path) -> pd.DataFrame:
    """A CSV as text columns (codes like ``00250`` keep their zeros); BOM tolerated."""
    if not path.is_file():
        raise DataError(Problem("file not found", file=str(path)))
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(Problem(f"cannot read CSV: {exc}", file=str(path))) from None


def require_columns(frame: pd.DataFrame, columns: list[str], path: Path, purpose: str) -> None:
    """Every named column must exist; one problem per missing column, with the close match."""
    problems = [
        Problem(f"column {name!r} needed for {purpose} is missing{did_you_mean(name, frame.columns)}",
                file=str(path), row=1, column=name)
        for name in columns if name not in frame.columns
    ]
    if problems:
        raise DataError(problems)
