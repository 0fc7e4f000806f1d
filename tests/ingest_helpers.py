"""Shared by the ingest tests: a partner CSV of fire incidents, and the demo spec extended to count it."""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INCIDENTS = "Incident ID,Date,LSOA,Type,Casualties\n"


def write(tmp_path: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def spec_with_fire(tmp_path: Path, fire_path: Path, max_rejected_percent: float = 100) -> Path:
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    (tmp_path / "data").symlink_to(REPO / "data", target_is_directory=True)
    text = (tmp_path / "specs" / "community_safety.yaml").read_text(encoding="utf-8")
    text = text.replace("sources:\n", f"""sources:
  fire:
    type: table
    path: {fire_path}
    columns:
      Date: {{name: month, type: date}}
      LSOA: {{name: small_area_code, type: code}}
      Type: {{name: incident_type, allowed: [Primary fire, Secondary fire]}}
""", 1)
    text = text.replace("indicators:\n", """indicators:
  - id: fires
    name: Fires
    source: fire
    unit: incidents
    where: {incident_type: {equals: Primary fire}}
""", 1)
    assert text.count("max_rejected_percent: 2 ") == 1
    text = text.replace("max_rejected_percent: 2 ", f"max_rejected_percent: {max_rejected_percent} ")
    path = tmp_path / "specs" / "fire.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def fire_csv(tmp_path: Path, bad_rows: int) -> Path:
    months = [f"01/{m:02d}/{y}" for y in (2020, 2021, 2022) for m in range(1, 13)]
    lines = [f"{i},{months[i % 36]},E01013607,Primary fire,0" for i in range(200)]
    lines += [f"{200 + i},{months[0]},E01013607,Chimney fire,0" for i in range(bad_rows)]
    return write(tmp_path, "fire.csv", INCIDENTS + "\n".join(lines) + "\n")
