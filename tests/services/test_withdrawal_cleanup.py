"""A withdrawal whose clean-up cannot finish says exactly what is left, and the audit log keeps it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.group.demo import create_demo
from app.store import database
from app.store.database import Store, sqlite_url
from app.store.models import Event


@pytest.fixture
def quick_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)  # so a held lock fails fast
    store = Store.open(sqlite_url(tmp_path / "canvas.db"))
    yield store
    store.close()


def test_a_reader_that_keeps_the_journal_from_merging_is_reported(quick_store: Store, tmp_path: Path):
    services = Services.build(quick_store)
    project = create_demo(quick_store)
    fs = services.facilitator.set_passphrase(project, "a long passphrase").session
    nia = services.participants.add_member(fs, "Nia").record_id
    prompt = services.projects.list_prompts(project)[0].id
    services.contributions.add(nia, prompt, "what Nia said")
    # Another copy of the app reading the project (a real second connection, mid-transaction).
    reader = sqlite3.connect(tmp_path / "canvas.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM member").fetchall()
    try:
        outcome = services.participants.withdraw(fs, nia, "delete")
    finally:
        reader.close()
    assert "has withdrawn" in outcome.message
    assert "Not yet cleaned up: the database's journal" in outcome.message
    with quick_store.read() as s:
        left = s.scalars(select(Event).where(Event.action == "withdrawal_cleanup_incomplete")).one()
    assert left.detail["left"] == ["checkpoint"] and left.target_id == nia
