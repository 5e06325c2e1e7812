"""Withdrawal leaves nothing behind outside the live rows: backups, this computer's unsaved
text, and old copies of rows in the database file's free space."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, select

from app.services.container import Services
from app.services.review import participants as participants_module
from app.services.review.review_dto import FacilitatorSession
from app.store.backup_purge import LABEL
from app.store.database import Store, backup_sqlite, sqlite_url
from app.store.local_drafts import LocalDrafts
from app.store.models import Event
from app.store.recovery import backups_of

from .conftest import Project

NAME = "Jordan"



@pytest.fixture
def db_file(store: Store) -> Path:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("backups and the file's free space are an SQLite matter")
    return Path(store.engine.url.database)


def withdrawn_events(store: Store) -> list[Event]:
    with store.read() as s:
        actions = ("member_withdrawn", "backups_not_replaced")
        return list(s.scalars(select(Event).where(Event.action.in_(actions)).order_by(Event.created_at)))


# --- backups -------------------------------------------------------------------------------------


def test_backups_holding_the_member_are_replaced_by_a_fresh_one(store: Store, services: Services,
                                                                demo: Project, fs: FacilitatorSession,
                                                                db_file: Path):
    early = backup_sqlite(db_file, "before-newcomer")  # taken before Nia joined: holds nothing of hers
    nia = services.participants.add_member(fs, "Nia").record_id
    services.contributions.add(nia, demo.now, "what Nia said")
    held = [backup_sqlite(db_file, "before-0099"), backup_sqlite(db_file, "daily")]
    broken = db_file.parent / "backups" / f"{db_file.stem}-20200101T000000Z-broken.db"
    broken.write_bytes(b"not a database")  # cannot be checked, so it may hold her: it goes too

    preview = services.participants.withdrawal_preview(fs, nia, "delete")
    assert preview.counts["backups"] == 3
    assert "backups: 3 deleted, and one fresh backup taken" in preview.summary
    listed = sorted(i.id for i in preview.items if i.kind == "backups")
    assert listed == sorted(p.name for p in [*held, broken])
    assert all(p.exists() for p in [early, *held, broken])  # the preview changes nothing

    outcome = services.participants.withdraw(fs, nia, "delete")
    assert "backups: 3 deleted" in outcome.message
    left = backups_of(db_file)
    assert early in left and not any(p.exists() for p in [*held, broken])
    fresh = [p for p in left if LABEL in p.name]
    assert len(fresh) == 1 and len(left) == 2
    assert b"what Nia said" not in fresh[0].read_bytes() and b"Nia" not in fresh[0].read_bytes()
    conn = sqlite3.connect(fresh[0])
    try:  # the fresh backup is a whole, sound copy taken after the withdrawal committed
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT withdrawn_at IS NOT NULL FROM member WHERE id = ?", (nia,)).fetchone()[0]
    finally:
        conn.close()
    [logged] = withdrawn_events(store)
    assert logged.detail["backups_replaced"] == 3 and logged.detail["counts"]["backups"] == 3


def test_no_backups_no_fresh_one(store: Store, services: Services, demo: Project, fs: FacilitatorSession,
                                 db_file: Path):
    preview = services.participants.withdrawal_preview(fs, demo.member(NAME), "anonymise")
    assert preview.counts["backups"] == 0 and "backups" not in preview.summary
    services.participants.withdraw(fs, demo.member(NAME), "anonymise")
    assert backups_of(db_file) == []
    assert withdrawn_events(store)[0].detail["backups_replaced"] == 0


def test_backups_that_cannot_be_replaced_are_said_and_logged(store: Store, services: Services,
                                                             demo: Project, fs: FacilitatorSession,
                                                             db_file: Path, monkeypatch: pytest.MonkeyPatch):
    old = backup_sqlite(db_file, "daily")

    def disk_full(database: Path, backups: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(participants_module, "replace_backups", disk_full)
    outcome = services.participants.withdraw(fs, demo.member(NAME), "delete")
    assert "1 older backup still holds their data" in outcome.message
    assert "delete it by hand" in outcome.message
    assert old.exists()  # never deleted without a fresh backup in its place
    withdrawn, failed = withdrawn_events(store)
    assert failed.action == "backups_not_replaced" and failed.detail == {"files": [old.name]}
    assert withdrawn.detail["mode"] == "delete"


# --- this computer's unsaved text ----------------------------------------------------------------


def test_unsaved_text_on_this_computer_is_erased(services: Services, demo: Project, fs: FacilitatorSession,
                                                 tmp_path: Path):
    drafts = LocalDrafts(tmp_path / "unsaved-text.json")
    jordan, priya = demo.member(NAME), demo.member("Priya")
    drafts.keep(jordan, f"contribution:{demo.now}", "my unsaved secret", 5)
    drafts.keep(jordan, "comment:x", "another unsaved thing", 2)
    drafts.keep(priya, "comment:y", "tell jordan later", 17)
    preview = services.participants.withdrawal_preview(fs, jordan, "anonymise", local_drafts=drafts)
    assert preview.counts["texts_on_this_computer"] == 2
    assert any("tell jordan later" in i.text for i in preview.items if i.kind == "mentions")
    assert drafts.texts_of(jordan)  # the preview changes nothing

    services.participants.withdraw(fs, jordan, "anonymise", local_drafts=drafts)
    raw = (tmp_path / "unsaved-text.json").read_text(encoding="utf-8")
    assert "unsaved" not in raw and "jordan" not in raw.lower() and jordan not in raw
    assert drafts.get(priya, "comment:y") == ("tell [name removed] later", len("tell [name removed] later"))
    texts = json.loads(raw)["texts"]
    assert list(texts) == [priya] and list(texts[priya]) == ["comment:y"]
    assert (texts[priya]["comment:y"]["text"], texts[priya]["comment:y"]["cursor"]) == (
        "tell [name removed] later", 25)


# --- old copies of rows in the file's free space ---------------------------------------------------


def test_no_earlier_copy_of_their_text_stays_in_the_file(tmp_path: Path, migrated_template: Path):
    """Where SQLite does not zero freed space by default (as on some platforms), earlier versions of
    a text saved at every key would linger in free pages; the withdrawal rebuilds the file."""
    path = tmp_path / "canvas.db"
    path.write_bytes(migrated_template.read_bytes())
    store = Store.open(sqlite_url(path))
    event.listen(store.engine, "connect", lambda conn, _r: conn.execute("PRAGMA secure_delete=OFF"))
    store.engine.dispose()
    try:
        from app.services.group.demo import create_demo

        project_id = create_demo(store)
        sv = Services.build(store)
        session = sv.facilitator.set_passphrase(project_id, "a long passphrase").session
        jordan = {m.display_name: m.id for m in sv.projects.list_members(project_id)}[NAME]
        text = "my half written thought about zebras"
        for i in range(1, len(text) + 1):  # as the keyboard saves it, at every key
            sv.inprogress.save(jordan, "contribution:x", text[:i], i)
        for i in range(20):
            sv.inprogress.save(jordan, f"draft:{i}", "zebra crossing " * 20, 3)
            sv.inprogress.save(jordan, f"draft:{i}", "", 0)
        sv.participants.withdraw(session, jordan, "delete")
    finally:
        store.close()
    raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    assert b"zebra" not in raw
