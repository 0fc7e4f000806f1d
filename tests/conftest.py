"""Session-wide fixtures.

The demo spec reads SYNTHETIC partner extracts that are generated, never committed: a clean
clone has none. Every test session makes sure they are there and current (the same call as
``saferbook demo``; regenerated only when the manifest's fingerprint is stale, under a lock).

``demo_build`` is the demo spec's nine workbooks, built once for the whole run: the tests run on
two worker processes (pytest-xdist), and the files that only read a plain build of the demo would
otherwise each build it (several seconds of CPU each) on whichever worker they land.
"""
from __future__ import annotations

from pathlib import Path

import filelock
import pytest

from engine.cli import DEMO_DATA
from engine.synthetic import ensure_generated

DEMO_SPEC = Path(__file__).resolve().parents[1] / "specs" / "community_safety.yaml"


@pytest.fixture(scope="session", autouse=True)
def demo_partner_data() -> Path:
    ensure_generated(DEMO_DATA)
    return DEMO_DATA


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, demo_partner_data: Path) -> Path:
    """The folder holding ``engine.api.build`` of the demo spec (every partner area, SOURCE_DATE_EPOCH unset),
    built by the first worker to ask and read by all. Tests must not change it: copy what you need to alter."""
    from engine.api import build

    run = tmp_path_factory.getbasetemp()
    if run.name.startswith("popen-gw"):  # an xdist worker's folder: its parent is the run's, shared by the workers
        run = run.parent
    out, done = run / "demo-build", run / "demo-build.done"
    with filelock.FileLock(str(run / "demo-build.lock")):
        if not done.exists():
            with pytest.MonkeyPatch.context() as mp:
                mp.delenv("SOURCE_DATE_EPOCH", raising=False)  # the produced date is the build day
                build(DEMO_SPEC, out)
            done.touch()
    return out
