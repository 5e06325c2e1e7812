"""`python main.py export --db PATH --project NAME --format docx|md|csv --out PATH`."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the export subcommand."""
    p = subparsers.add_parser("export", help="export a project as DOCX, Markdown or CSV")
    p.add_argument("--db", required=True)
    p.add_argument("--project", required=True)
    p.add_argument("--format", choices=("docx", "md", "csv"), required=True)
    p.add_argument("--out", required=True, help="a file; for csv, a folder")
    p.add_argument("--real-names", action="store_true", help="export real names, not pseudonyms")


def run(args: argparse.Namespace) -> int:
    """Not built yet: says so plainly."""
    print("canvas: export is not available yet", file=sys.stderr)
    return 2
