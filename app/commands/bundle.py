"""`python main.py bundle export|import|machine …`: move a project's records between machines.

    bundle export --db PATH --project NAME --out FILE [--since-machine ID]
    bundle import --db PATH FILE [--dry-run]
    bundle machine --db PATH

Each prints what it did and exits 0, or prints one line saying why not and exits 1.
"""

from __future__ import annotations

import argparse
import sys

from app.commands.common import database_url
from app.services.errors import DomainError
from app.services.exchange.exchange import ExchangeService
from app.services.group.projects import ProjectService
from app.store.database import Store, StoreError
from app.store.local_drafts import LocalDrafts, default_path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the bundle subcommand."""
    p = subparsers.add_parser("bundle", help="export or import a .canvas bundle")
    sub = p.add_subparsers(dest="action", required=True)
    ex = sub.add_parser("export", help="write a project (or its changes) into a .canvas file")
    ex.add_argument("--db", required=True, help="database file or SQLAlchemy URL")
    ex.add_argument("--project", required=True, help="the project's name")
    ex.add_argument("--out", required=True, help="the bundle to write, e.g. group.canvas")
    ex.add_argument("--since-machine", metavar="ID",
                    help="only what changed since the last bundle sent to this machine")
    im = sub.add_parser("import", help="check a .canvas file and merge it in")
    im.add_argument("--db", required=True, help="database file or SQLAlchemy URL")
    im.add_argument("file")
    im.add_argument("--dry-run", action="store_true", help="show what would be added; write nothing")
    mc = sub.add_parser("machine", help="print this database's machine id")
    mc.add_argument("--db", required=True, help="database file or SQLAlchemy URL")


def _export(store: Store, args: argparse.Namespace) -> int:
    project = ProjectService(store).find_project(args.project)
    result = ExchangeService(store).export_bundle(project.id, args.out, args.since_machine)
    print(result.message)
    since = f" since {result.since:%Y-%m-%d %H:%M} UTC" if result.since else ""
    counts = ", ".join(f"{k} {n}" for k, n in result.counts.items() if n)
    print(f"Wrote {result.path} ({result.scope}{since}): {counts or 'no records'}.")
    print(f"From machine {result.machine_id}.")
    return 0


def _import(store: Store, args: argparse.Namespace) -> int:
    exchange = ExchangeService(store)
    if args.dry_run:
        preview = exchange.preview_import(args.file)
        print("\n".join(preview.lines()))
        print("Dry run: nothing was written.")
        return 0
    done = exchange.import_bundle(args.file, local_drafts=LocalDrafts(default_path()))
    print("\n".join(done.lines()))
    print(f"Imported {done.total_new} records." if done.total_new else "Nothing was added.")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run one bundle action; any failure is one line on stderr and exit status 1."""
    try:
        url = database_url(args.db, must_exist=args.action == "export")
        store = Store.open(url)
    except (DomainError, StoreError) as exc:
        print(f"canvas: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. an unknown database driver or an unreachable server
        print(f"canvas: the database cannot be opened: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    try:
        if args.action == "export":
            return _export(store, args)
        if args.action == "import":
            return _import(store, args)
        print(ExchangeService(store).machine_id())
        return 0
    except DomainError as exc:
        print(f"canvas: {exc.message}", file=sys.stderr)
        return 1
    finally:
        store.close()
