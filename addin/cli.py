"""``saferbook addin build|install``: the add-in's own subcommand, plugged into the ``saferbook`` command.

The engine never imports the add-in (DESIGN: nothing in ``engine/`` imports ``addin/``). The command
finds this module through the ``saferbook.commands`` entry point declared in pyproject.toml, calls
:func:`add_parser` to describe the subcommand and :func:`run` when it is chosen. Importing this module
stays cheap (the builders are imported only when run), because every ``saferbook`` call loads it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

NAME = "addin"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Describe ``saferbook addin build|install`` on the command's subparsers."""
    addin = commands.add_parser(NAME, help="the Excel add-in (Refresh on a Saferbook ribbon tab)")
    addin_commands = addin.add_subparsers(dest="addin_command", required=True, metavar="ACTION")
    addin_build = addin_commands.add_parser("build", help="make saferbook.xlam")
    addin_build.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="output folder (default: here)")
    addin_install = addin_commands.add_parser("install", help="install the add-in into Excel for this Python (Windows, Mac)")
    addin_install.add_argument("--dir", type=Path, metavar="DIR", help="install here instead of Excel's startup folder")


def run(args: argparse.Namespace) -> int:
    if args.addin_command == "build":
        from addin.build import build_addin

        path = build_addin(args.out)
        print(f"Built {path}. Install it with 'saferbook addin install' on Windows or Mac, in the Python "
              "environment that has Saferbook installed.")
        return 0
    from addin.install import install

    installed = install(args.dir)
    print(f"Installed {installed.addin}\n  runs Python: {installed.interpreter}\n"
          "Restart Excel: a Saferbook tab with a Refresh button appears on the ribbon.")
    return 0
