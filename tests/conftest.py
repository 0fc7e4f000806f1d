"""Session set-up shared by every test module.

The demo spec (``specs/community_safety.yaml``) reads one SYNTHETIC file, the area
classification, from the git-ignored ``data/synthetic/generated/`` that ``saferbook demo``
writes. Tests that build the demo spec need it there too, so it is generated once per session
(deterministic: the same bytes every time, about half a second) into a temporary folder and
copied in alone, leaving any other generated file and its manifest as they are.
"""
from __future__ import annotations

import pytest

from engine.atomic import write_bytes_atomic
from engine.cli import DEMO_DATA
from engine.synthetic import generate_all


@pytest.fixture(scope="session", autouse=True)
def demo_synthetic_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    (path,) = generate_all(tmp_path_factory.mktemp("synthetic"), sources=["area_classification"]).values()
    DEMO_DATA.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(DEMO_DATA / path.name, path.read_bytes())
