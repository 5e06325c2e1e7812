"""Command-line subcommands that run without a window (`python main.py export …`).

Each module exposes `add_parser(subparsers)` and `run(args) -> int`; `main.py`
dispatches to them when the first argument names a subcommand.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from app.commands import bundle, export

SUBCOMMANDS = {"export": export, "bundle": bundle}


def is_subcommand(argv: Sequence[str]) -> bool:
    """True when the command line starts with a subcommand name."""
    return bool(argv) and argv[0] in SUBCOMMANDS


def run(argv: Sequence[str]) -> int:
    """Parse and run a subcommand; a failure prints one line and returns non-zero."""
    parser = argparse.ArgumentParser(prog="canvas")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS.values():
        module.add_parser(subparsers)
    args = parser.parse_args(list(argv))
    return SUBCOMMANDS[args.command].run(args)
