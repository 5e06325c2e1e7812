"""`python main.py db setup|add-member|remove-member …`: a shared PostgreSQL database.

    db setup --admin-url URL --project NAME [--demo]
    db add-member --admin-url URL --project NAME --member PSEUDONYM
    db remove-member --admin-url URL --project NAME --member PSEUDONYM

Run by the research team with an administrator's login (one that may create roles). `setup`
creates or upgrades the schema as an owner role no one logs in as, and makes the project (if
new) and a facilitator login; `add-member` makes one member's login. Each prints, once, the
connection line that person's app needs (`--db LINE`, or saved with `--save-db`); the password
in it is generated and shown only then. `remove-member` drops a member's login at once. The
roles and what each may do are in app/store/shared_admin.py and migration 0008.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the db subcommand."""
    p = subparsers.add_parser("db", help="set up a shared PostgreSQL database and its logins")
    sub = p.add_subparsers(dest="action", required=True)
    helps = {"setup": "create or upgrade the schema, the roles and the facilitator's login",
             "add-member": "make a login for one member (a new password, shown once)",
             "remove-member": "drop a member's login at once (their work stays)"}
    for action, text in helps.items():
        one = sub.add_parser(action, help=text)
        one.add_argument("--admin-url", required=True,
                         help="an administrator's URL, e.g. postgresql+psycopg://admin@host/canvas")
        one.add_argument("--project", required=True, help="the project's name")
        if action != "setup":
            one.add_argument("--member", required=True, help="the member's pseudonym")
        else:
            one.add_argument("--demo", action="store_true", help="if the project is new, fill it "
                             "with the demo's questions, members and keywords (to try it out)")


def _show(who: str, url: str) -> None:
    print(f"Connection line for {who} (shown only now; give it to them privately):")
    print(f"  {url}")
    print("They start the app with --db and that line, or save it once with --save-db and that line.")


def run(args: argparse.Namespace) -> int:
    """Run one db action; a failure is one line on stderr and exit status 1."""
    from app.store import shared_admin
    from app.store.connection import ConnectionRefused
    from app.store.database import StoreError

    try:
        if args.action == "setup":
            fill = None
            if args.demo:
                from app.services.group.demo import create_demo

                fill = create_demo
            login = shared_admin.setup(args.admin_url, args.project, fill)
            print(f"The shared database is set up for {args.project!r}.")
            _show(f"the facilitator ({login.pseudonym})", login.url)
        elif args.action == "add-member":
            login = shared_admin.add_member(args.admin_url, args.project, args.member)
            print(f"{login.pseudonym} has a login for {args.project!r} (any earlier one was dropped).")
            _show(login.pseudonym, login.url)
        else:
            gone = shared_admin.remove_member(args.admin_url, args.project, args.member)
            print(f"{args.member}'s login was removed; their app stops at its next action."
                  if gone else f"{args.member} had no login.")
        return 0
    except (StoreError, ConnectionRefused) as exc:
        print(f"canvas: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. the administrator may not create roles
        print(f"canvas: the shared database could not be changed: {str(exc).splitlines()[0]}",
              file=sys.stderr)
        return 1
