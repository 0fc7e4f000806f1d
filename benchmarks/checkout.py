"""Which Saferbook a benchmark measures: the folders named in PYTHONPATH first, then this checkout, then what is
installed.

A benchmark is run from a checkout so that it measures that checkout even where another one is installed (an
editable install points at one folder only). But PYTHONPATH is how someone chooses on purpose what to measure
(another branch beside this one, a patched dependency), so the checkout goes after its folders, never before
them; the benchmarks' child processes get the same order.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pythonpath() -> list[str]:
    return [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]


def use_checkout(*folders: Path) -> None:
    """Put this checkout (and ``folders``, e.g. its tests) on ``sys.path`` after the PYTHONPATH folders."""
    named = {os.path.abspath(p) for p in _pythonpath()}
    after = max((i for i, p in enumerate(sys.path) if p and os.path.abspath(p) in named), default=0) + 1
    for folder in reversed([str(ROOT), *map(str, folders)]):
        if folder not in sys.path:
            sys.path.insert(after, folder)


def child_environment() -> dict[str, str]:
    """The environment of a child Python that must import the same Saferbook: PYTHONPATH's folders, then this
    checkout (run the child with ``-P`` so that its working folder does not come first)."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join([*_pythonpath(), str(ROOT)]))
