"""A scratch copy of ``specs/examples/`` for tests that change an example spec.

An example spec reads ``data/`` (the repo's ONS files) and ``specs/examples/data/`` through paths
relative to itself, so a changed copy must sit two folders below a root that has both. They are
linked, not copied, where the file system allows it (the example data is a few megabytes).
"""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "specs" / "examples"


def example_workspace(root: Path) -> Path:
    """Make ``root/specs/examples/`` with ``root/data`` and its own ``data/`` linked in; return that folder."""
    examples = root / "specs" / "examples"
    examples.mkdir(parents=True)
    for link, target in ((root / "data", REPO / "data"), (examples / "data", EXAMPLES / "data")):
        try:
            link.symlink_to(target, target_is_directory=True)
        except OSError:  # no symlinks on this platform / file system
            shutil.copytree(target, link)
    return examples
