"""Session-wide fixtures.

The demo spec reads SYNTHETIC partner extracts that are generated, never committed: a clean
clone has none. Every test session makes sure they are there and current (the same call as
``saferbook demo``; regenerated only when the manifest's fingerprint is stale, under a lock).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import DEMO_DATA
from engine.synthetic import ensure_generated


@pytest.fixture(scope="session", autouse=True)
def demo_partner_data() -> Path:
    ensure_generated(DEMO_DATA)
    return DEMO_DATA
