"""Session set-up shared by every test module."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.synthetic.demo_files import ensure_synthetic_files

DEMO_SPEC = Path(__file__).resolve().parents[1] / "specs" / "community_safety.yaml"


@pytest.fixture(scope="session", autouse=True)
def demo_partner_data() -> None:
    """The demo spec reads SYNTHETIC partner extracts that are generated, not kept in git: write them once."""
    ensure_synthetic_files(DEMO_SPEC)
