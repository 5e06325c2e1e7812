"""What the subcommands share: turning --db into a database URL."""

from __future__ import annotations

from pathlib import Path


def database_url(db: str, must_exist: bool = True) -> str:
    """An SQLAlchemy URL for --db: a URL as given (a malformed one is refused here, plainly), or
    a path to an SQLite file, which must already exist unless `must_exist` is False."""
    from sqlalchemy.engine import make_url

    from app.services.errors import DomainError
    from app.store.database import sqlite_url

    if "://" in db:
        make_url(db)
        return db
    path = Path(db).expanduser().resolve()
    if must_exist and not path.is_file():
        raise DomainError(f"There is no database at {path}.")
    return sqlite_url(path)
