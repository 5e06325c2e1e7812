"""The shared database's refusals, in plain words: a login it no longer accepts, and a schema
older than this app (which only the research team's `db setup` upgrades)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

from app.store.errors import StoreError


class LoginRefused(StoreError):
    """The shared database no longer lets this login in (removed, or its password changed)."""

    MESSAGE = ("The shared database no longer accepts this computer's login: it was removed or "
               "its password changed. Nothing more can be saved there; ask your research team.")


_REFUSALS = ("password authentication failed", "no password supplied",
             "is not permitted to log in", "pg_hba.conf rejects")


def _refused(exc: OperationalError) -> bool:
    text = str(exc)
    return any(r in text for r in _REFUSALS) or ('role "' in text and "does not exist" in text)


@contextmanager
def _plain_refusal() -> Iterator[None]:
    """A login refused by the server becomes LoginRefused, with a message fit to show."""
    try:
        yield
    except OperationalError as exc:
        if _refused(exc):
            raise LoginRefused(LoginRefused.MESSAGE) from exc
        raise


class SharedDatabaseBehind(StoreError):
    """A shared database older than this app: only the research team's `db setup` upgrades it."""


def _behind_message(before: str | None, head: str) -> str:
    if before is None:
        return ("The shared database has not been set up for Co-production Canvas yet: ask your "
                "research team to set up the shared database (python main.py db setup). "
                "Nothing was changed.")
    return (f"The shared database is from an older version of Co-production Canvas (revision "
            f"{before}; this app needs {head}): ask your research team to update the shared "
            "database (python main.py db setup). Nothing was changed.")
