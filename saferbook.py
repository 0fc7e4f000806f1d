"""The Excel ribbon's entry point: ``saferbook.xlam`` runs ``import saferbook; saferbook.main()``.

(xlwings' ribbon add-in imports the module named like the add-in file.) Refresh itself lives in
:mod:`addin.refresh`.
"""
from addin.refresh import main

__all__ = ["main"]
