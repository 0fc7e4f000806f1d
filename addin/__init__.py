"""The Excel add-in (xlwings): Refresh inside Excel through the engine's public functions.

Only the package exists so far; the ribbon and the refresh entry point arrive with the add-in
work (they must call :mod:`engine.api`, never the engine's internals).
"""
