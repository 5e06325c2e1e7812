"""The store's own errors (importable without opening anything)."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened or migrated; the message says why, plainly."""


class StoreBusy(StoreError):
    """Another copy of the app kept the database busy for too long; nothing was written."""
