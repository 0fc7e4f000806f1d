"""``saferbook addin build|install|register|status|remove``: what the commands do and print (the parsing lives in
engine.cli)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.errors import SaferbookError
from engine.project import project_of_folder
from addin.build import ADDIN_FILE, build_addin, installed_settings
from addin.config import config_path, load_config, save_config
from addin.install import XLWINGS_VERSION_KEY, _system, install, remove, startup_folder


def _url_mappings(args: argparse.Namespace) -> dict[str, str]:
    system = "windows" if sys.platform.startswith("win") else "mac"
    suffix = "WIN" if system == "windows" else "MAC"
    chosen = {"ONEDRIVE_CONSUMER": args.onedrive_consumer, "ONEDRIVE_COMMERCIAL": args.onedrive_commercial,
              "SHAREPOINT": args.sharepoint}
    return {f"{key}_{suffix}": str(folder) for key, folder in chosen.items() if folder}


def register(folder: Path) -> str:
    """Let Refresh run the project in ``folder`` on this computer; returns what to print."""
    if not folder.is_dir():
        raise SaferbookError(f"{folder} is not a folder: give the project's folder (the one holding "
                             "saferbook-project.yaml)")
    project = project_of_folder(folder)
    config = load_config()
    before = config.projects.get(project.id)
    config.projects[project.id] = str(project.root)
    path = save_config(config)
    moved = f" (was {before})" if before and before != str(project.root) else ""
    return f"Registered project {project.id!r} at {project.root}{moved} in {path}.\n" \
           f"Refresh now updates workbooks built from its specs, on this computer."


def status_lines(platform: str = sys.platform) -> list[str]:
    """The add-in as installed on this computer, in words."""
    try:
        import xlwings
        python_xlwings = xlwings.__version__
    except ImportError:
        python_xlwings = "not installed (pip install \"saferbook[addin]\")"
    from engine import __version__

    config = load_config()
    addin = Path(config.addin) if config.addin else None
    if addin is None:
        try:
            addin = startup_folder(_system(platform)) / ADDIN_FILE
        except SaferbookError:
            addin = None
    lines = [f"Saferbook {__version__}; settings: {config_path()}"]
    vba = ""
    if addin is not None and addin.is_file():
        settings = installed_settings(addin)
        vba = settings.get(XLWINGS_VERSION_KEY, "")
        interpreter = settings.get("Interpreter_Win") or settings.get("Interpreter_Mac") or "(not set)"
        lines += [f"add-in: {addin}", f"  runs Python: {interpreter}" + ("" if Path(interpreter).is_file()
                                                                          else " (not found on this computer)"),
                  f"  Use UDF Server (one Python kept between clicks): {settings.get('Use UDF Server', '') or 'false'}"]
    else:
        lines.append("add-in: not installed (run 'saferbook addin install')")
    lines.append(f"xlwings: Python package {python_xlwings}; VBA in the add-in {vba or 'unknown'}"
                 + (" - MISMATCH: run 'saferbook addin install' again" if vba and vba != python_xlwings else ""))
    lines.append("projects Refresh may run:" if config.projects else "projects Refresh may run: none "
                 "(run 'saferbook addin register FOLDER')")
    lines += [f"  {name}: {root}" + ("" if Path(root).is_dir() else " (folder not found)")
              for name, root in sorted(config.projects.items())]
    lines += [f"  {key}: {value}" for key, value in sorted(config.url_mappings.items())]
    return lines


def run_addin(args: argparse.Namespace) -> int:
    if args.addin_command == "build":
        path = build_addin(args.out)
        print(f"Built {path}. Install it with 'saferbook addin install' on Windows or Mac, in the Python "
              "environment that has Saferbook installed.")
        return 0
    if args.addin_command == "register":
        print(register(args.folder))
        return 0
    if args.addin_command == "status":
        print("\n".join(status_lines()))
        return 0
    if args.addin_command == "remove":
        removed = remove(args.dir)
        print("\n".join(f"Removed {path}" for path in removed) if removed else "Nothing to remove: the add-in is "
              "not installed for this user.")
        return 0
    installed = install(args.dir, url_mappings=_url_mappings(args))
    print(f"Installed {installed.addin}\n  runs Python: {installed.interpreter}\n  settings: {installed.config}\n"
          "Restart Excel: a Saferbook tab with a Refresh button appears on the ribbon.\n"
          "Then, for each project whose workbooks you refresh: saferbook addin register FOLDER")
    return 0
