"""Session set-up shared by every test module.

The demo spec (``specs/community_safety.yaml``) reads SYNTHETIC files (the area classification,
the probation caseload, youth offending) from the git-ignored ``data/synthetic/generated/`` that
``saferbook demo`` writes. Tests that build the demo spec need them there too, so the missing
ones are generated once per session (deterministic: the same bytes every time) and copied in
alone, leaving any other generated file and its manifest as they are.
"""
from __future__ import annotations

import pytest

from engine.cli import DEMO_DASHBOARD_SPEC, DEMO_SPEC
from engine.synthetic.demo_files import ensure_synthetic_files


@pytest.fixture(scope="session", autouse=True)
def demo_synthetic_files() -> None:
    for spec in (DEMO_SPEC, DEMO_DASHBOARD_SPEC):
        ensure_synthetic_files(spec)
