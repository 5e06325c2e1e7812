"""The one error the services raise for bad input: it carries a message fit to show."""

from __future__ import annotations


class DomainError(Exception):
    """Bad input or an impossible request; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """A record that was named does not exist (or is not in this project)."""


class FacilitatorLocked(DomainError):
    """The session is missing, ended or from another project: unlock again."""


class StoreUnavailable(Exception):
    """The database cannot be reached (or stayed busy) just now; nothing was written or read.

    Raised where the window has something better to do than fail: the keyboard keeps
    unsaved text in a local file until the database is back.
    """
