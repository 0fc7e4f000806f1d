"""Checks shared by every reader of lookup and population tables."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from engine.errors import DataError, Problem
from engine.suggest import did_you_mean


def require_columns(frame: pd.DataFrame, columns: list[str], path: Path | str, purpose: str, sheet: str | None = None) -> None:
    """Every named column must exist; one problem per missing column, with the close match."""
    problems = [
        Problem(f"column {name!r} needed for {purpose} is missing{did_you_mean(name, frame.columns)}",
                file=str(path), sheet=sheet, column=name)
        for name in columns if name not in frame.columns
    ]
    if problems:
        raise DataError(problems)
