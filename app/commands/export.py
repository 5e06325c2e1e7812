"""`python main.py export --db PATH --project NAME --format docx|md|csv --out PATH`.

Writes the same files as the facilitator's export screen (see app.services.export); for
csv, --out is a folder. Prints where it wrote on success and exits 0; on failure prints
one line saying why and exits 2.

No passphrase is asked: whoever can run this can already read the database file, and
the exports hold no review notes. The export is recorded in the audit log with no member.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the export subcommand."""
    p = subparsers.add_parser("export", help="export a project as DOCX, Markdown or CSV")
    p.add_argument("--db", required=True, help="the database file (or an SQLAlchemy URL)")
    p.add_argument("--project", required=True, help="the project's exact name")
    p.add_argument("--format", choices=("docx", "md", "csv"), required=True)
    p.add_argument("--out", required=True, help="a file; for csv, a folder")
    p.add_argument("--real-names", action="store_true", help="name members by the real name the "
                   "facilitator recorded, where their consent says named credit (else the pseudonym)")


def run(args: argparse.Namespace) -> int:
    """Run the export; 0 on success, 2 with a one-line reason on stderr otherwise."""
    from app.commands.common import database_url
    from app.services.errors import DomainError
    from app.services.export import export_project
    from app.services.group.projects import ProjectService
    from app.store.database import Store, StoreError

    store = None
    try:
        store = Store.open(database_url(args.db))
        project = ProjectService(store).find_project(args.project)
        paths = export_project(store, project.id, args.format, args.out, real_names=args.real_names)
    except DomainError as exc:
        return _fail(exc.message)
    except StoreError as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"the database could not be read: {str(exc).splitlines()[0]}")
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename or args.out}")
    finally:
        if store is not None:
            store.close()
    where = paths[0] if args.format != "csv" else paths[0].parent
    print(f"canvas: exported {len(paths)} file{'s' if len(paths) != 1 else ''} to {where}")
    return 0


def _fail(reason: str) -> int:
    print(f"canvas: export failed: {' '.join(reason.split())}", file=sys.stderr)
    return 2
