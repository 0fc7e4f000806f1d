"""The add-in's settings on this computer: the user's config file, not the workbook.

What Refresh may run is decided here, by whoever installed the add-in, never by the workbook it
is handed (a received workbook could otherwise point the button at any spec or interpreter):

- ``projects``: project identifier -> the project's root folder on this computer, written by
  ``saferbook addin register``; a workbook names its project by identifier only, and Refresh of a
  workbook whose project is not listed stops and says so;
- ``interpreter``, ``addin``, ``xlwings``: the Python the add-in runs, where it was installed and
  the xlwings version whose VBA it carries (written by ``saferbook addin install``), so that a
  click with another xlwings in Python is reported in words;
- ``url_mappings``: xlwings' OneDrive/SharePoint URL-to-local-folder settings.

The file is JSON, in the user's config folder (``platformdirs``: ``%LOCALAPPDATA%\\saferbook`` on
Windows, ``~/Library/Application Support/saferbook`` on a Mac, ``~/.config/saferbook`` on Linux),
or where ``SAFERBOOK_ADDIN_CONFIG`` points (IT deployments, tests).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from engine.atomic import write_bytes_atomic
from engine.errors import SaferbookError

CONFIG_ENV = "SAFERBOOK_ADDIN_CONFIG"
CONFIG_FILE = "addin.json"


@dataclass
class AddinConfig:
    projects: dict[str, str] = field(default_factory=dict)  # identifier -> root folder
    interpreter: str = ""
    addin: str = ""  # the installed .xlam
    xlwings: str = ""  # the xlwings version whose VBA the installed add-in carries
    url_mappings: dict[str, str] = field(default_factory=dict)  # ONEDRIVE_COMMERCIAL_WIN etc. -> local folder


def config_path() -> Path:
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured)
    from platformdirs import user_config_path

    return user_config_path("saferbook", appauthor=False) / CONFIG_FILE


def load_config(path: Path | None = None) -> AddinConfig:
    """This computer's add-in settings (empty if none were written yet)."""
    path = path or config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AddinConfig()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SaferbookError(f"cannot read the add-in settings {path}: {error}; run 'saferbook addin install' "
                             "again to rewrite them") from None
    if not isinstance(data, dict):
        raise SaferbookError(f"the add-in settings {path} are not a JSON object; run 'saferbook addin install' again")
    known = AddinConfig.__dataclass_fields__
    return AddinConfig(**{key: value for key, value in data.items() if key in known})


def save_config(config: AddinConfig, path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, (json.dumps(asdict(config), indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return path


def registered_spec(config: AddinConfig, project: str, spec: str) -> Path:
    """The spec a workbook names, in the folder this computer registered for its project; refuses anything else."""
    if project not in config.projects:
        known = ", ".join(sorted(config.projects)) or "none"
        raise SaferbookError(
            f"this workbook belongs to the Saferbook project {project!r}, which is not registered on this computer "
            f"(registered: {known}). If you trust it, run 'saferbook addin register FOLDER' with the project's "
            "folder, then click Refresh again")
    root = Path(config.projects[project]).resolve()
    path = (root / spec).resolve()
    if not path.is_relative_to(root):
        raise SaferbookError(f"this workbook's spec {spec!r} lies outside the folder registered for project "
                             f"{project!r} ({root}); Refresh runs only specs inside it")
    return path
