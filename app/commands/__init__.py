"""Command-line subcommands that run without a window (`python main.py export …`).

Each module exposes `add_parser(subparsers)` and `run(args) -> int`; `main.py`
dispatches to them when the first argument names a subcommand. The modules are
imported only when a subcommand runs: they load the store and the exporters, which
the window's start-up must not wait for (bench/startup.py).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

SUBCOMMANDS = ("export", "bundle", "db", "install-desktop")


def is_subcommand(argv: Sequence[str]) -> bool:
    """True when the command line starts with a subcommand name."""
    return bool(argv) and argv[0] in SUBCOMMANDS


def run(argv: Sequence[str]) -> int:
    """Parse and run a subcommand; a failure prints one line and returns non-zero."""
    # "install-desktop" lives in app/commands/install_desktop.py
    modules = {name: importlib.import_module(f"app.commands.{name.replace('-', '_')}")
               for name in SUBCOMMANDS}
    parser = argparse.ArgumentParser(prog="canvas")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in modules.values():
        module.add_parser(subparsers)
    args = parser.parse_args(list(argv))
    return int(modules[args.command].run(args))
