"""``saferbook addin install|remove``: put the add-in where Excel opens it, set to this Python environment.

Excel opens every add-in in the user's startup folder (XLSTART) when it starts, so the Saferbook
tab appears. The add-in's own settings sheet records this environment's interpreter (and, for a
conda environment on Windows, its conda settings, as xlwings' own installer does), so the button
runs the Python that has Saferbook installed; it also switches off xlwings' putting the workbook's
folder on ``sys.path`` and, on Windows, switches on "Use UDF Server" (one Python process kept
between clicks, so only the first click pays for Python's start-up). The same facts go into the
user's add-in settings (:mod:`addin.config`). On a Mac, xlwings also needs its AppleScript helper
in Excel's script folder.
"""
from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from engine.errors import SaferbookError
from addin.build import ADDIN_FILE, build_addin, template_path
from addin.config import AddinConfig, config_path, load_config, save_config

MAC_STARTUP = "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"


@dataclass(frozen=True)
class Installed:
    addin: Path
    interpreter: str
    settings: dict[str, str | bool]
    config: Path


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


# xlwings' settings for workbooks synced by OneDrive or SharePoint: the local folder their URLs map to (xlwings
# needs them where it cannot work the folder out itself; see its docs, "OneDrive and SharePoint").
URL_MAPPINGS = {
    "windows": ("ONEDRIVE_CONSUMER_WIN", "ONEDRIVE_COMMERCIAL_WIN", "SHAREPOINT_WIN"),
    "mac": ("ONEDRIVE_CONSUMER_MAC", "ONEDRIVE_COMMERCIAL_MAC", "SHAREPOINT_MAC"),
}
XLWINGS_VERSION_KEY = "Saferbook xlwings VBA"  # recorded in the add-in's sheet for 'saferbook addin status'


def interpreter_settings(system: str, executable: str = sys.executable,
                         environ: dict[str, str] | None = None) -> dict[str, str | bool]:
    """The add-in settings that make its button run ``executable``."""
    environ = os.environ if environ is None else environ
    if system == "mac":
        return {"Interpreter_Mac": executable}
    settings: dict[str, str | bool] = {"Interpreter_Win": executable}
    conda_env, conda_exe = environ.get("CONDA_DEFAULT_ENV"), environ.get("CONDA_EXE")
    if conda_env and conda_exe:  # conda on Windows needs activating, which xlwings does from these
        settings["Conda Path"] = str(PureWindowsPath(conda_exe).parents[1])  # ...\Scripts\conda.exe -> the root
        settings["Conda Env"] = conda_env
    return settings


def addin_settings(system: str, url_mappings: dict[str, str] | None = None,
                   executable: str = sys.executable, environ: dict[str, str] | None = None) -> dict[str, str | bool]:
    """Everything ``install`` writes into the add-in's own settings sheet."""
    import xlwings

    settings = interpreter_settings(system, executable, environ)
    if system == "windows":
        settings["Use UDF Server"] = True  # one Python process kept between clicks (Windows only in xlwings)
    settings["ADD_WORKBOOK_TO_PYTHONPATH"] = "false"  # a folder beside a workbook must not shadow Saferbook
    names = URL_MAPPINGS[system]
    for key, folder in (url_mappings or {}).items():
        if key not in names:
            raise SaferbookError(f"{key} is not an xlwings setting on this system (use {', '.join(names)})")
        settings[key] = folder
    settings[XLWINGS_VERSION_KEY] = xlwings.__version__
    return settings


def install(folder: Path | None = None, platform: str = sys.platform,
            url_mappings: dict[str, str] | None = None) -> Installed:
    """Build the add-in for this environment into Excel's startup folder (or ``folder``) and record it in the
    user's add-in settings (registered projects are kept)."""
    import xlwings

    system = _system(platform)
    settings = addin_settings(system, url_mappings)
    target = folder or startup_folder(system)
    path = build_addin(target, settings)
    if system == "mac":
        helper = next(template_path().parent.glob("xlwings-*.applescript"), None)
        if helper is not None:
            scripts = Path.home() / MAC_SCRIPTS
            scripts.mkdir(parents=True, exist_ok=True)
            shutil.copy(helper, scripts / helper.name)
    interpreter = str(settings.get("Interpreter_Win") or settings["Interpreter_Mac"])
    config = load_config()
    config.addin, config.interpreter, config.xlwings = str(path), interpreter, xlwings.__version__
    config.url_mappings = dict(url_mappings or {})
    return Installed(path, interpreter, settings, save_config(config))


def remove(folder: Path | None = None, platform: str = sys.platform) -> list[Path]:
    """Take the add-in out of Excel's startup folder (or ``folder``, or where it was installed) and delete the
    user's add-in settings; returns what was removed."""
    config = load_config()
    candidates = [Path(folder) / ADDIN_FILE] if folder else []
    if config.addin:
        candidates.append(Path(config.addin))
    if not folder:
        try:
            candidates.append(startup_folder(_system(platform)) / ADDIN_FILE)
        except SaferbookError:
            pass
    removed = []
    for path in [*dict.fromkeys(candidates), config_path()]:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except PermissionError:
            raise SaferbookError(f"cannot remove {path}: if Excel has the add-in open, quit Excel and try again") from None
        removed.append(path)
    return removed
