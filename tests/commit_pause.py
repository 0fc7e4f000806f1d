"""``python tests/commit_pause.py build …``: the ``saferbook`` command, pausing right after the first file of a
build's set is put in place, so that a kill test can SIGKILL the build mid-commit on every attempt.

A build's commit (engine.output_set) is a few renames, microseconds apart: a test that polls the folder
and kills "after the first change" almost always lands after the last rename, and so never sees the
state the output set must recover from — some targets new, some old, the commit folder still there.
The pause is the only change to the build: the renames themselves are the real ones.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any

import engine.output_set
from engine.cli import main

PAUSE_SECONDS = 60  # the test kills long before; should it not, the build then finishes normally


class _PauseAfterFirstReplace:
    """``os`` as engine.output_set sees it, with ``replace`` pausing once the first file is in place."""

    def __init__(self) -> None:
        self.replaced = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def replace(self, source: Any, target: Any) -> None:
        os.replace(source, target)
        self.replaced += 1
        if self.replaced == 1:
            time.sleep(PAUSE_SECONDS)


if __name__ == "__main__":
    engine.output_set.os = _PauseAfterFirstReplace()  # type: ignore[assignment]
    sys.exit(main())
