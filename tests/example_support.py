"""A scratch copy of ``specs/examples/`` for tests that change an example spec.

An example spec reads ``data/`` (the repo's ONS files) and ``specs/examples/data/`` through paths
relative to itself, so a changed copy must sit two folders below a root that has both. They are
linked, not copied, where the file system allows it (the example data is a few megabytes).
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import yaml

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


def partner_table_spec(folder: Path, change: Callable[[dict], None] = lambda spec: None) -> Path:
    """The partner-table example written to ``folder/spec.yaml`` with its survey copied beside it (so a test can
    touch that file; the lookups stay bundled), after ``change(spec)``."""
    spec = yaml.safe_load((EXAMPLES / "partner_table.yaml").read_text(encoding="utf-8"))
    spec.pop("data_root", None)
    for name, source in spec["sources"].items():
        original = (EXAMPLES / source["path"]).resolve()
        if name == "resident_survey":
            if not (folder / "survey.csv").exists():
                shutil.copy(original, folder / "survey.csv")
            source["path"] = "survey.csv"
        else:
            source["path"], source["allow_outside"] = str(original), True
    change(spec)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path
