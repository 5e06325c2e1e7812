"""A database file holding the demo project, as a first start leaves it (for tests that run the
app or its command line on a file)."""

from __future__ import annotations

from pathlib import Path

from app.services.group.demo import create_demo
from app.store.database import Store, sqlite_url


def demo_file(path: Path) -> Path:
    """Create `path` (and its folder) with the demo project in it, closed; returns `path`."""
    store = Store.open(sqlite_url(path))
    try:
        create_demo(store)
    finally:
        store.close()
    return path
