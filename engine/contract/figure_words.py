"""The words a workbook writes where a figure would be, and which Refresh in Excel must recognise.

A table writes a word, never a blank (read as "not recorded") or a 0, where a number is hidden or missing, and
right-aligns it in a number column, where the number would sit (:func:`engine.render.layout.table_cell_format`).
Refresh copies values into cells formatted as the workbook was built, so where a number becomes one of these words
it gives the cell the alignment the fresh build gives it (:mod:`addin.plan`). Defined here, not in
:mod:`engine.report`, so that the add-in knows them without loading the engine's computing modules.
"""
from __future__ import annotations

#: What a hidden (suppressed) number is shown as: a word, never a blank (read as "not recorded") or a 0. The same
#: word for a small count and for a number hidden to protect one, so a reader cannot tell which is the small one.
SUPPRESSED = "suppressed"

#: What a missing figure (an area and period with no row, or whose value was rejected: missing, not zero) is shown
#: as, with the reason beside it; tables write it where the number would sit, as they do :data:`SUPPRESSED`.
NOT_AVAILABLE = "n/a"

#: The words a table writes where a figure would be: hidden (small-number suppression) or missing (not zero).
FIGURE_WORDS = frozenset({SUPPRESSED, NOT_AVAILABLE})
