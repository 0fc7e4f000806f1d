"""A formula cell's text, as opposed to text that happens to start with ``=``.

Render hands Refresh the values of the workbook it would build (see :mod:`engine.render.cell_values`) and
the add-in writes them into Excel: a formula must stay a formula, and partner text must stay text.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Formula:
    """A formula cell (as opposed to text that happens to start with ``=``); ``text`` starts with ``=``."""

    text: str
