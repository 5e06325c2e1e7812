"""Damaged database files at start-up: said plainly, a good backup offered, the file kept.

Each kind of damage is made on a real store holding the demo project, with a sound backup
(SQLite backup API, as database.py makes them) in `backups/` beside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

import main
from app.services.container import Services
from app.services.group.demo import create_demo
from app.store import database, recovery
from app.store.database import Store, StoreError, backup_sqlite, sqlite_url
from app.ui import recovery_dialog
from app.ui.recovery_dialog import RecoveryDialog

ROOT = Path(__file__).resolve().parents[2]
PAGE = 4096
NOISE = ("Traceback", "sqlite3.", "OperationalError", "DatabaseError", "Error(", "\n")


def plain(message: str) -> bool:
    """Fit to show a person: one line, no traceback or exception-class noise."""
    return bool(message.strip()) and not any(n in message for n in NOISE)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path: Path, table: str = "contribution") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def good_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sound store with the demo project, one backup of it, and later work not in the backup."""
    path = tmp_path_factory.mktemp("template") / "data" / "canvas.db"
    store = Store.open(sqlite_url(path))
    project = create_demo(store)
    backup_sqlite(path, "before-test")
    services = Services.build(store)
    member = services.projects.list_members(project)[0].id
    prompt = services.projects.list_prompts(project)[0].id
    for i in range(300):  # enough pages that damage in the middle misses the first ones
        services.contributions.add(member, prompt, f"later words {i} " + "x" * 200)
    store.close()
    return path


@pytest.fixture
def good(good_template: Path, tmp_path: Path) -> Path:
    """A copy of the template (file and backups) for one test."""
    shutil.copytree(good_template.parent, tmp_path / "data")
    return tmp_path / "data" / good_template.name


# --- kinds of damage -------------------------------------------------------------------------


def truncated_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def one_page_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-PAGE])


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def not_a_database(path: Path) -> None:
    path.write_text("Minutes of the meeting\nWe talked about care.\n" * 200)


def garbage_in_the_middle(path: Path) -> None:
    """The header and first pages are fine: only a query (or the check) finds it."""
    data = bytearray(path.read_bytes())
    middle = (len(data) // PAGE // 2) * PAGE
    data[middle : middle + 3 * PAGE] = os.urandom(3 * PAGE)
    path.write_bytes(bytes(data))


def zeroed_page(path: Path) -> None:
    """A b-tree page of zeros: opening and listing the tables still work."""
    data = bytearray(path.read_bytes())
    data[2 * PAGE : 3 * PAGE] = bytes(PAGE)
    path.write_bytes(bytes(data))


def _wal_checksum(data: bytes, s0: int, s1: int, big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def damaged_page_in_the_wal(path: Path) -> None:
    """The newest committed changes are still in the -wal; one of its pages is garbage, with
    its frame checksums made valid again, so SQLite replays it and only a query notices."""
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE contribution SET text = text || ' (edited)'")
    wal = bytearray(Path(f"{path}-wal").read_bytes())  # as a crash would leave it
    db = path.read_bytes()
    writer.close()
    big = struct.unpack(">I", wal[:4])[0] == 0x377F0683
    page_size = struct.unpack(">I", wal[8:12])[0]
    frames = (len(wal) - 32) // (24 + page_size)
    target = next(f for f in reversed(range(frames))
                  if struct.unpack(">I", wal[32 + f * (24 + page_size): 36 + f * (24 + page_size)])[0] > 1)
    start = 32 + target * (24 + page_size) + 24
    wal[start : start + page_size] = os.urandom(page_size)
    s0, s1 = struct.unpack(">II", wal[24:32])
    for f in range(frames):
        at = 32 + f * (24 + page_size)
        s0, s1 = _wal_checksum(bytes(wal[at : at + 8]) + bytes(wal[at + 24 : at + 24 + page_size]),
                               s0, s1, big)
        wal[at + 16 : at + 24] = struct.pack(">II", s0, s1)
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.write_bytes(db)
    Path(f"{path}-wal").write_bytes(bytes(wal))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated-half": truncated_half,
    "one-page-short": one_page_short,
    "random-bytes": random_bytes,
    "not-a-database": not_a_database,
    "garbage-in-the-middle": garbage_in_the_middle,
    "zeroed-page": zeroed_page,
    "damaged-page-in-the-wal": damaged_page_in_the_wal,
}


@pytest.fixture(params=list(DAMAGE), ids=list(DAMAGE))
def damaged(request: pytest.FixtureRequest, good: Path) -> Path:
    DAMAGE[request.param](good)
    return good


def files(path: Path) -> dict[str, str]:
    """The database and its side files, by name, with their hashes."""
    return {p.name: sha(p) for p in path.parent.iterdir()
            if p.is_file() and p.name.startswith(path.name) and not p.name.endswith("-shm")}


# --- finding and saying what is wrong ----------------------------------------------------------


def test_damage_is_found_and_said_plainly_without_changing_the_file(damaged: Path):
    before = files(damaged)
    diagnosis = recovery.diagnose(damaged)
    assert diagnosis.recoverable, diagnosis
    assert str(damaged) in diagnosis.message and plain(diagnosis.message), diagnosis.message
    with pytest.raises(StoreError) as caught:
        Store.open(sqlite_url(damaged))
    assert type(caught.value) is StoreError
    assert plain(str(caught.value)) and str(damaged) in str(caught.value)
    assert "was not changed" in str(caught.value)
    assert files(damaged) == before, "not a byte of the damaged file may change"


def test_a_sound_file_and_its_backup_are_called_sound(good: Path):
    assert recovery.diagnose(good).state == recovery.OK
    assert recovery.diagnose(good, thorough=True).state == recovery.OK
    assert recovery.diagnose(good.with_name("missing.db")).state == recovery.MISSING
    backup = recovery.newest_good_backup(good)
    assert backup is not None and backup.revision == database.head_revision()
    assert backup.path.parent == good.parent / "backups"


# --- restoring, starting anew, and never losing the damaged file --------------------------------


def test_restore_keeps_the_damaged_file_and_puts_back_the_backup(damaged: Path):
    before = files(damaged)
    backup = recovery.newest_good_backup(damaged)
    assert backup is not None
    kept = recovery.restore_backup(damaged, backup)
    assert kept.name.startswith("canvas.db.damaged-") and kept.parent == damaged.parent
    moved = {name.replace("canvas.db", kept.name, 1): digest for name, digest in before.items()}
    assert {n: d for n, d in files(kept).items() if n in moved} == moved, "kept byte for byte"
    assert recovery.diagnose(damaged, thorough=True).state == recovery.OK
    assert count(damaged) == count(backup.path)
    store = Store.open(sqlite_url(damaged))
    store.close()


def test_start_new_keeps_the_damaged_file_and_leaves_room_for_a_new_one(damaged: Path):
    before = files(damaged)
    kept = recovery.start_new(damaged)
    assert not damaged.exists() and not Path(f"{damaged}-wal").exists()
    assert {n.replace(kept.name, "canvas.db", 1): d for n, d in files(kept).items()} == before
    store = Store.open(sqlite_url(damaged))
    try:
        assert Services.build(store).projects.list_projects() == []
    finally:
        store.close()


def test_damaged_files_kept_in_the_same_second_never_overwrite_each_other(tmp_path: Path):
    path = tmp_path / "canvas.db"
    kept = []
    for text in ("first", "second", "third"):
        path.write_text(text)
        kept.append(recovery.start_new(path))
    assert len(set(kept)) == 3
    assert sorted(p.read_text() for p in kept) == ["first", "second", "third"]


def test_the_newest_sound_backup_is_chosen(good: Path):
    folder = good.parent / "backups"
    sound = recovery.newest_good_backup(good)
    assert sound is not None
    newer_bad = folder / "canvas-29990101T000000000000Z-before-9999.db"
    shutil.copyfile(sound.path, newer_bad)
    garbage_in_the_middle(newer_bad)
    not_ours = folder / "canvas-29980101T000000000000Z-other.db"
    conn = sqlite3.connect(not_ours)
    with conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.close()
    assert recovery.newest_good_backup(good) == sound
    for backup in folder.iterdir():
        if backup != newer_bad and backup != not_ours:
            random_bytes(backup)
    assert recovery.newest_good_backup(good) is None
    with pytest.raises(recovery.RecoveryError):
        recovery.restore_backup(good, newer_bad)
    assert recovery.diagnose(good).state == recovery.OK, "a refused restore changes nothing"


# --- the command line and the dialog -------------------------------------------------------------


def run_main(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", main.STARTUP_PROBE: "1"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--no-speech", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_command_line_says_what_is_wrong_and_exits_non_zero(good: Path):
    garbage_in_the_middle(good)
    before = files(good)
    done = run_main("--db", str(good))
    assert done.returncode == 2
    assert "is damaged" in done.stderr and "--recover restore" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert files(good) == before


@pytest.mark.parametrize("choice", ["restore", "new"])
def test_command_line_recover_option(good: Path, choice: str):
    random_bytes(good)
    digest = sha(good)
    done = run_main("--db", str(good), "--recover", choice)
    assert done.returncode == 0, done.stderr
    kept = [p for p in good.parent.iterdir() if p.name.startswith("canvas.db.damaged-")]
    assert len(kept) == 1 and sha(kept[0]) == digest and str(kept[0]) in done.stderr
    assert recovery.diagnose(good, thorough=True).state == recovery.OK
    assert count(good, "project") == 1  # the backup's project, or the demo in the new file


def test_dialog_offers_the_backup_and_is_keyboard_operable(qtbot, good: Path):
    backup = recovery.newest_good_backup(good)
    dialog = RecoveryDialog("The file is damaged.", good, backup)
    qtbot.addWidget(dialog)
    recovery_dialog._fit(dialog)
    dialog.show()
    assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width()), "all text shows"
    assert "canvas.db.damaged-" in " ".join(label.text() for label in dialog.findChildren(QLabel))
    texts = [t.text() for t in dialog.tiles]
    assert texts == [f"Restore the backup from {backup.label()}", "Start a new empty file", "Quit"]
    assert all(t.minimumSizeHint().height() >= 44 or t.height() >= 44 for t in dialog.tiles)
    assert dialog.focusWidget() is dialog.tiles[0]
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Down)
    assert dialog.focusWidget() is dialog.tiles[1]
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    assert dialog.choice == recovery_dialog.NEW and dialog.result() == 1


def test_a_failure_is_told_in_a_dialog_with_one_button(qtbot):
    shown = []

    def press_ok() -> None:
        dialog = QApplication.activeModalWidget()
        shown.append(dialog.text.text())
        dialog.tiles[0].click()

    QTimer.singleShot(0, press_ok)
    recovery_dialog.tell("The backup could not be copied; nothing was changed.")
    assert shown == ["The backup could not be copied; nothing was changed."]


def test_dialog_without_a_backup_and_escape_quits(qtbot, tmp_path: Path):
    dialog = RecoveryDialog("The file is damaged.", tmp_path / "canvas.db", None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert [t.text() for t in dialog.tiles] == ["Start a new empty file", "Quit"]
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Up)
    assert dialog.focusWidget() is dialog.tiles[1]
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Space)
    assert dialog.choice is None and dialog.result() == 0
    again = RecoveryDialog("The file is damaged.", tmp_path / "canvas.db", None)
    qtbot.addWidget(again)
    again.show()
    qtbot.keyClick(again.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(again.focusWidget(), Qt.Key.Key_Escape)
    assert again.choice is None and again.result() == 0 and not again.isVisible()


ASKING_MAIN = """
import sys
import main
from app.ui import opening
from app.ui import recovery_dialog

def ask(problem, path, backup):
    print("asked:", problem, "|", path, "|", backup.label() if backup else None, file=sys.stderr)
    return recovery_dialog.RESTORE

opening.has_display = lambda: True
recovery_dialog.ask = ask
sys.exit(main.main(sys.argv[1:]))
"""


def test_with_a_display_the_app_asks_then_opens_the_restored_file(good: Path):
    """The dialog is stood in for (in a child process, as the app quits its Qt loop itself)."""
    zeroed_page(good)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", main.STARTUP_PROBE: "1"}
    done = subprocess.run([sys.executable, "-c", ASKING_MAIN, "--db", str(good), "--no-speech"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "is damaged" in done.stderr and f"| {good} | " in done.stderr and "| None" not in done.stderr
    assert "startup-probe" in done.stdout, "the main window was shown after the choice"
    assert recovery.diagnose(good, thorough=True).state == recovery.OK
    assert any(p.name.startswith("canvas.db.damaged-") for p in good.parent.iterdir())


def test_the_cheap_revision_reading_agrees_with_alembic():
    """Start-up reads the migrations' revisions from their text, without importing Alembic."""
    assert database._script_revisions() == database._alembic_revisions()
