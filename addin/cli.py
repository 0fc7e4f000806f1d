"""``saferbook addin build|install``: what the command prints (the parsing lives in engine.cli)."""
from __future__ import annotations

import argparse

from addin.build import build_addin
from addin.install import install


def run_addin(args: argparse.Namespace) -> int:
    if args.addin_command == "build":
        path = build_addin(args.out)
        print(f"Built {path}. Install it with 'saferbook addin install' on Windows or Mac, in the Python "
              "environment that has Saferbook installed.")
        return 0
    installed = install(args.dir)
    print(f"Installed {installed.addin}\n  runs Python: {installed.interpreter}\n"
          "Restart Excel: a Saferbook tab with a Refresh button appears on the ribbon.")
    return 0
