"""``saferbook addin install``: put the add-in where Excel opens it, set to this Python environment.

Excel opens every add-in in the user's startup folder (XLSTART) when it starts, so the Saferbook
tab appears. The add-in's own settings sheet records this environment's interpreter (and, for a
conda environment on Windows, its conda settings, as xlwings' own installer does), so the button
runs the Python that has Saferbook installed. On a Mac, xlwings also needs its AppleScript helper
in Excel's script folder.
"""
from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from engine.errors import SaferbookError
from addin.build import build_addin, template_path

MAC_STARTUP = "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"


@dataclass(frozen=True)
class Installed:
    addin: Path
    interpreter: str
    settings: dict[str, str]


def _system(platform: str) -> str:
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "mac"
    raise SaferbookError(f"Excel is not available on this system ({platform}): the add-in runs in Excel for Windows "
                         "or Mac. Run 'saferbook addin build' here and 'saferbook addin install' on the analyst's "
                         "Windows PC or Mac, in the Python environment that has Saferbook installed.")


def startup_folder(system: str) -> Path:
    if system == "windows":
        appdata = os.environ.get("APPDATA")
        if not appdata:
            raise SaferbookError("cannot find Excel's startup folder: APPDATA is not set (use --dir)")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    return Path.home() / MAC_STARTUP


def interpreter_settings(system: str, executable: str = sys.executable,
                         environ: dict[str, str] | None = None) -> dict[str, str]:
    """The add-in settings that make its button run ``executable``."""
    environ = os.environ if environ is None else environ
    if system == "mac":
        return {"Interpreter_Mac": executable}
    settings = {"Interpreter_Win": executable}
    conda_env, conda_exe = environ.get("CONDA_DEFAULT_ENV"), environ.get("CONDA_EXE")
    if conda_env and conda_exe:  # conda on Windows needs activating, which xlwings does from these
        settings["Conda Path"] = str(PureWindowsPath(conda_exe).parents[1])  # ...\Scripts\conda.exe -> the root
        settings["Conda Env"] = conda_env
    return settings


def install(folder: Path | None = None, platform: str = sys.platform) -> Installed:
    """Build the add-in for this environment into Excel's startup folder (or ``folder``)."""
    system = _system(platform)
    settings = interpreter_settings(system)
    target = folder or startup_folder(system)
    path = build_addin(target, settings)
    if system == "mac":
        helper = next(template_path().parent.glob("xlwings-*.applescript"), None)
        if helper is not None:
            scripts = Path.home() / MAC_SCRIPTS
            scripts.mkdir(parents=True, exist_ok=True)
            shutil.copy(helper, scripts / helper.name)
    return Installed(path, settings.get("Interpreter_Win") or settings["Interpreter_Mac"], settings)
