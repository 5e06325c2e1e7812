"""`python main.py bundle …`: move a project's records between computers, and invite them.

    bundle export    --db PATH --project NAME --out FILE [--since-machine ID]
    bundle import    --db PATH FILE [--yes]
    bundle invite    --db PATH --project NAME --label TEXT --member NAME [--member NAME …] --out FILE
    bundle computers --db PATH --project NAME
    bundle revoke    --db PATH --project NAME MACHINE_ID
    bundle machine   --db PATH

`import` always shows the same preview as the screen (who the bundle is from and what it will
change) and writes only with `--yes`, which also confirms what the preview asks to confirm (a
withdrawal, an unsigned format 1 bundle). This computer's keys live in `keys/` in the data
folder (beside an SQLite file, else the user data folder). Each prints what it did and exits 0,
or prints one line saying why not and exits 1.
"""

from __future__ import annotations

import argparse
import sys

from app.commands.common import database_url
from app.services.errors import DomainError
from app.services.exchange.exchange import ExchangeService, UnsignedBundle
from app.services.group.projects import ProjectService
from app.store.database import Store, StoreError
from app.store.local_drafts import LocalDrafts, default_path


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, help="database file or SQLAlchemy URL")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the bundle subcommand."""
    p = subparsers.add_parser("bundle", help="export, import or invite with .canvas bundles")
    sub = p.add_subparsers(dest="action", required=True)
    ex = sub.add_parser("export", help="write a project (or its changes) into a signed .canvas file")
    _db(ex)
    ex.add_argument("--project", required=True, help="the project's name")
    ex.add_argument("--out", required=True, help="the bundle to write, e.g. group.canvas")
    ex.add_argument("--since-machine", metavar="ID",
                    help="only what changed since the last bundle sent to this computer")
    im = sub.add_parser("import", help="check a .canvas file, show what it changes, and merge it with --yes")
    _db(im)
    im.add_argument("file")
    im.add_argument("--yes", action="store_true", help="write it (after reading the preview)")
    im.add_argument("--dry-run", action="store_true",
                    help="show the preview only (the default without --yes)")
    iv = sub.add_parser("invite", help="invite a participant's computer: write its invitation bundle")
    _db(iv)
    iv.add_argument("--project", required=True)
    iv.add_argument("--label", required=True, help="e.g. \"Sam's laptop\"")
    iv.add_argument("--member", action="append", required=True, help="a member who uses it (repeat)")
    iv.add_argument("--out", required=True, help="the invitation to write, e.g. sam.canvas")
    co = sub.add_parser("computers", help="list the computers invited to a project")
    _db(co)
    co.add_argument("--project", required=True)
    rv = sub.add_parser("revoke", help="stop accepting bundles from an invited computer")
    _db(rv)
    rv.add_argument("--project", required=True)
    rv.add_argument("machine_id")
    mc = sub.add_parser("machine", help="print this database's machine id")
    _db(mc)


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
    try:
        preview = exchange.preview_import(args.file)
    except UnsignedBundle:
        preview = exchange.preview_import(args.file, allow_unsigned=True)  # still checked whole
    print("\n".join(preview.lines()))
    if not args.yes:
        print("Nothing was written: run again with --yes to import it.")
        return 0
    done = exchange.import_bundle(args.file, local_drafts=LocalDrafts(default_path()),
                                  allow_unsigned=preview.unsigned, confirm_withdrawals=True)
    print(f"Imported {done.total_new} records." if done.total_new else "Nothing was added.")
    return 0


def _invite(store: Store, args: argparse.Namespace) -> int:
    projects = ProjectService(store)
    project = projects.find_project(args.project)
    by_name = {m.display_name: m.id for m in projects.list_members(project.id)}
    missing = [n for n in args.member if n not in by_name]
    if missing:
        raise DomainError(f"No member is called {missing[0]!r} in {args.project!r}.")
    computer, result = ExchangeService(store).invite_computer(
        project.id, args.label, [by_name[n] for n in args.member], args.out)
    print(f"Invited {computer.label!r} (computer {computer.machine_id}).")
    print(f"Wrote the invitation {result.path}: give it to that computer only (it holds its key).")
    return 0


def _computers(store: Store, args: argparse.Namespace) -> int:
    project = ProjectService(store).find_project(args.project)
    computers = ExchangeService(store).computers(project.id)
    if not computers:
        print("No computer has been invited to this project.")
    for c in computers:
        state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "accepted"
        print(f"{c.machine_id}  {c.label}  invited {c.invited_at:%Y-%m-%d}  {state}")
    return 0


def _revoke(store: Store, args: argparse.Namespace) -> int:
    project = ProjectService(store).find_project(args.project)
    computer = ExchangeService(store).revoke_computer(project.id, args.machine_id)
    print(f"Revoked {computer.label!r}: its bundles are refused from now on.")
    return 0


ACTIONS = {"export": _export, "import": _import, "invite": _invite, "computers": _computers,
           "revoke": _revoke}


def run(args: argparse.Namespace) -> int:
    """Run one bundle action; any failure is one line on stderr and exit status 1."""
    try:
        url = database_url(args.db, must_exist=args.action != "import" and args.action != "machine")
        store = Store.open(url)
    except (DomainError, StoreError) as exc:
        print(f"canvas: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. an unknown database driver or an unreachable server
        print(f"canvas: the database cannot be opened: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    try:
        action = ACTIONS.get(args.action)
        if action is not None:
            return action(store, args)
        print(ExchangeService(store).machine_id())
        return 0
    except DomainError as exc:
        print(f"canvas: {exc.message}", file=sys.stderr)
        return 1
    finally:
        store.close()
