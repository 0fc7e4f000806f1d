"""The workbook contract: what a built workbook promises to whoever reads it later.

Render writes it, the add-in's Refresh reads it, and neither owns it:

- :mod:`engine.contract.names`: the stable names of sheets and Excel tables (``sb_*``), on which
  Refresh, tests and analysts' own formulas rely;
- :mod:`engine.contract.settings_sheet`: the hidden ``_saferbook`` sheet's format (project,
  spec and period, and every range the engine owns) and the A1-range helpers both sides use;
- :mod:`engine.contract.figure_words`: the words written where a figure is hidden or missing, which Refresh
  aligns as a build does.
"""
