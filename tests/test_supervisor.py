"""The supervisor: the real main.py under it, its window killed with SIGKILL three times, is back
each time within 3 s on the same member's screen with the text in progress; a deliberate end
stops it; five failures within a minute stop it with a message naming the log file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.services.container import Services
from app.store.database import Store, sqlite_url
from app.supervisor import CANNOT_START, GAVE_UP, MAX_FAILURES, QUIT, RESUME, Supervisor
from app.ui.resume_nav import RESTARTED
from tests.demo_files import demo_file

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Carers who listen and are not rushed"


def _wait_ready(ready: Path, not_pid: int | None, timeout: float) -> dict:
    """Poll the window's readiness marker until a new window process has written it."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            state = json.loads(ready.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = None
        if state and state["pid"] != not_pid:
            return state
        time.sleep(0.02)
    raise AssertionError(f"no window became ready within {timeout} s")


def _alex_writing(db: Path, data: Path) -> None:
    """Alex took part last and was adding a keyword: the text is saved, the place kept."""
    store = Store.open(sqlite_url(db))
    try:
        services = Services.build(store)
        project = services.projects.list_projects()[0]
        alex = next(m for m in services.projects.list_members(project.id) if m.display_name == "Alex")
        prompt = services.projects.list_prompts(project.id)[0]
        services.projects.start_session(alex.id)
        services.inprogress.save(alex.id, f"contribution:{prompt.id}", TEXT, len(TEXT))
    finally:
        store.close()
    place = {"project": project.id, "member": alex.id,
             "trail": [["show_prompt", [prompt.id], {}], ["tile", "✚ Add keyword"]]}
    data.mkdir(parents=True, exist_ok=True)
    (data / "last-place.json").write_text(json.dumps(place), encoding="utf-8")


def test_a_killed_window_is_back_within_3_s_on_the_members_screen_with_their_text(tmp_path: Path) -> None:
    db = demo_file(tmp_path / "data" / "canvas.db")
    _alex_writing(db, tmp_path / "xdg" / "coproduction-canvas")
    ready = tmp_path / "ready.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "xdg"),
               CANVAS_READY_FILE=str(ready))
    env.pop("CANVAS_DB", None)
    # --resume from the first start: the place written above stands for the member's session.
    supervisor = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--supervised", RESUME,
                                   "--db", str(db), "--no-speech"], cwd=ROOT, env=env)
    try:
        state = _wait_ready(ready, None, 60)
        assert (state["screen"], state["member"], state["text"]) == ("write", "Alex", TEXT)
        for _ in range(3):
            # A standby window process waits, warm, beside the window (app/supervisor.py).
            standby = _wait_ready(Path(f"{ready}.standby"), state["pid"], 60)
            assert standby["pid"] != state["pid"]
            os.kill(state["pid"], signal.SIGKILL)
            killed = time.monotonic()
            old = state["pid"]
            state = _wait_ready(ready, old, 10)
            assert time.monotonic() - killed < 3.0
            assert state["pid"] == standby["pid"]
            assert (state["screen"], state["member"], state["text"]) == ("write", "Alex", TEXT)
            assert state["status"] == RESTARTED
            assert supervisor.poll() is None
        # The supervisor asked to stop (a log-out) stops its window and does not start another.
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(20) == QUIT
        time.sleep(0.3)
        assert json.loads(ready.read_text(encoding="utf-8"))["pid"] == state["pid"]
        assert not _alive(state["pid"])
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _child(tmp_path: Path, body: str) -> list[str]:
    """A stand-in window: a Python child that appends its arguments to starts.txt, then `body`."""
    script = tmp_path / "child.py"
    script.write_text("import os, signal, sys\n"
                      f"with open({str(tmp_path / 'starts.txt')!r}, 'a') as f:\n"
                      "    f.write(' '.join(sys.argv[1:]) + '\\n')\n" + body, encoding="utf-8")
    return [sys.executable, str(script), "--db", "x.db"]


def _starts(tmp_path: Path) -> list[str]:
    return (tmp_path / "starts.txt").read_text(encoding="utf-8").splitlines()


def test_a_deliberate_quit_ends_the_supervisor_at_once(tmp_path: Path) -> None:
    told: list[str] = []
    supervisor = Supervisor(_child(tmp_path, "sys.exit(0)"), told.append, tmp_path / "canvas.log")
    assert supervisor.run() == QUIT
    assert _starts(tmp_path) == ["--db x.db"] and told == []


def test_a_database_that_cannot_open_is_not_started_again(tmp_path: Path) -> None:
    supervisor = Supervisor(_child(tmp_path, "sys.exit(2)"), lambda _t: None, tmp_path / "canvas.log")
    assert supervisor.run() == CANNOT_START and len(_starts(tmp_path)) == 1


def test_five_crashes_within_a_minute_stop_with_a_message_naming_the_log(tmp_path: Path) -> None:
    told: list[str] = []
    log = tmp_path / "canvas.log"
    log.write_text("what went wrong\n", encoding="utf-8")
    supervisor = Supervisor(_child(tmp_path, "os.kill(os.getpid(), signal.SIGKILL)"), told.append, log)
    assert supervisor.run() == GAVE_UP
    starts = _starts(tmp_path)
    assert len(starts) == MAX_FAILURES
    assert starts[0] == "--db x.db" and all(s == f"--db x.db {RESUME}" for s in starts[1:])
    assert len(told) == 1 and str(log) in told[0] and "5 times within a minute" in told[0]


def test_crashes_spread_over_more_than_a_minute_keep_it_coming_back(tmp_path: Path) -> None:
    # Seven crashes, 20 s apart (a manual clock): never five within a minute; then a Quit.
    starts = str(tmp_path / "starts.txt")
    body = (f"n = len(open({starts!r}).read().splitlines())\n"
            "sys.exit(0) if n > 7 else os.kill(os.getpid(), signal.SIGKILL)\n")
    times = iter(range(0, 1000, 20))
    supervisor = Supervisor(_child(tmp_path, body), lambda _t: None, tmp_path / "canvas.log",
                            clock=lambda: float(next(times)))
    assert supervisor.run() == QUIT
    assert len(_starts(tmp_path)) == 8


def test_without_a_log_file_the_message_names_the_data_folder(tmp_path: Path) -> None:
    from app.supervisor import gave_up_message

    assert str(tmp_path) in gave_up_message(5, tmp_path / "canvas.log")
