"""The Excel ribbon's entry point: ``saferbook.xlam`` runs ``import saferbook; saferbook.main()``.

xlwings puts the calling workbook's folder first on ``sys.path`` before that import (unless the
add-in's ``ADD_WORKBOOK_TO_PYTHONPATH`` setting is off, as ``saferbook addin install`` sets it), so a
folder named ``engine`` or ``addin`` beside a workbook would be imported instead of Saferbook's own.
This module therefore puts its own folder (where the ``engine`` and ``addin`` packages it ships with
live) first before importing anything of Saferbook's. Refresh itself lives in :mod:`addin.refresh`.
"""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)


def _own_packages_first() -> None:
    """Saferbook's folder first on ``sys.path``, and any ``engine``/``addin`` already imported from elsewhere
    forgotten, so that ``import engine`` means Saferbook's engine whatever lies beside the workbook."""
    sys.path[:] = [_HERE] + [entry for entry in sys.path if entry != _HERE]
    for name in [n for n in sys.modules if n.split(".")[0] in ("engine", "addin")]:
        origin = getattr(sys.modules[name], "__file__", None) or ""
        if not str(Path(origin).resolve()).startswith(_HERE):
            del sys.modules[name]


def main(caller: object | None = None) -> object:
    """Refresh the workbook that clicked the button (``caller``: see :func:`addin.refresh.main`)."""
    _own_packages_first()
    from addin.refresh import main as refresh_main

    return refresh_main(caller)
