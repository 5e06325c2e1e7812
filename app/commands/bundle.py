"""`python main.py bundle export|import …`: move a project's records between machines."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the bundle subcommand."""
    p = subparsers.add_parser("bundle", help="export or import a .canvas bundle")
    sub = p.add_subparsers(dest="action", required=True)
    ex = sub.add_parser("export")
    ex.add_argument("--db", required=True)
    ex.add_argument("--project", required=True)
    ex.add_argument("--out", required=True)
    ex.add_argument("--since-machine")
    im = sub.add_parser("import")
    im.add_argument("--db", required=True)
    im.add_argument("file")
    im.add_argument("--dry-run", action="store_true")


def run(args: argparse.Namespace) -> int:
    """Not built yet: says so plainly."""
    print("canvas: bundles are not available yet", file=sys.stderr)
    return 2
