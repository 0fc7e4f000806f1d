"""``saferbook addin build|install|register|status|remove``: the add-in's own subcommand, plugged into the
``saferbook`` command.

The engine never imports the add-in (DESIGN: nothing in ``engine/`` imports ``addin/``). The command
finds this module through the ``saferbook.commands`` entry point declared in pyproject.toml, calls
:func:`add_parser` to describe the subcommand and :func:`run` when it is chosen. Importing this module
stays cheap (the builders and the add-in's settings are imported only when run), because every
``saferbook`` call loads it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "addin"


def _url_mappings(args: argparse.Namespace) -> dict[str, str]:
    system = "windows" if sys.platform.startswith("win") else "mac"
    suffix = "WIN" if system == "windows" else "MAC"
    chosen = {"ONEDRIVE_CONSUMER": args.onedrive_consumer, "ONEDRIVE_COMMERCIAL": args.onedrive_commercial,
              "SHAREPOINT": args.sharepoint}
    return {f"{key}_{suffix}": str(folder) for key, folder in chosen.items() if folder}


def register(folder: Path) -> str:
    """Let Refresh run the project in ``folder`` on this computer; returns what to print."""
    from addin.config import load_config, save_config
    from engine.errors import SaferbookError
    from engine.project import project_of_folder

    if not folder.is_dir():
        raise SaferbookError(f"{folder} is not a folder: give the project's folder (the one holding "
                             "saferbook-project.yaml, or the spec's folder)")
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
    from addin.build import ADDIN_FILE, installed_settings
    from addin.config import config_path, load_config
    from addin.install import XLWINGS_VERSION_KEY, _system, startup_folder
    from engine.errors import SaferbookError

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


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Describe ``saferbook addin …`` on the command's subparsers."""
    addin = commands.add_parser(NAME, help="the Excel add-in (Refresh on a Saferbook ribbon tab)")
    addin_commands = addin.add_subparsers(dest="addin_command", required=True, metavar="ACTION")
    addin_build = addin_commands.add_parser("build", help="make saferbook.xlam")
    addin_build.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="output folder (default: here)")
    addin_install = addin_commands.add_parser("install", help="install the add-in into Excel for this Python (Windows, Mac)")
    addin_install.add_argument("--dir", type=Path, metavar="DIR", help="install here instead of Excel's startup folder")
    for flag, what in (("--onedrive-consumer", "personal OneDrive"), ("--onedrive-commercial", "OneDrive for Business"),
                       ("--sharepoint", "synced SharePoint libraries")):
        addin_install.add_argument(flag, type=Path, metavar="FOLDER", help=f"local folder of your {what} (xlwings' "
                                   "URL-to-folder setting, where it cannot find it itself)")
    addin_register = addin_commands.add_parser("register", help="let Refresh run a project's specs on this computer")
    addin_register.add_argument("folder", type=Path, help="the project's folder (holding saferbook-project.yaml)")
    addin_commands.add_parser("status", help="the installed add-in, its Python, xlwings versions, registered projects")
    addin_remove = addin_commands.add_parser("remove", help="take the add-in out of Excel and delete its settings")
    addin_remove.add_argument("--dir", type=Path, metavar="DIR", help="remove it from here (where --dir installed it)")


def run(args: argparse.Namespace) -> int:
    if args.addin_command == "build":
        from addin.build import build_addin

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
        from addin.install import remove

        removed = remove(args.dir)
        print("\n".join(f"Removed {path}" for path in removed) if removed else "Nothing to remove: the add-in is "
              "not installed for this user.")
        return 0
    from addin.install import install

    installed = install(args.dir, url_mappings=_url_mappings(args))
    print(f"Installed {installed.addin}\n  runs Python: {installed.interpreter}\n  settings: {installed.config}\n"
          "Restart Excel: a Saferbook tab with a Refresh button appears on the ribbon.\n"
          "Then, for each project whose workbooks you refresh: saferbook addin register FOLDER")
    return 0
