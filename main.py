"""Co-production Canvas: the composition root.

Parses arguments, opens (and migrates) the store, builds the services, the
speaker and the window, and runs Qt. Nothing else in the app builds these.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.options import (  # noqa: F401 - main.database_target etc. are used by tests
    APP_NAME,
    build_parser,
    database_target,
    database_url,
    default_db_path,
    log_path,
)
from app.ui.opening import has_display, open_or_recover

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QApplication, QWidget

    from app.services.container import Services
    from app.services.group.startup import StartupSnapshot
    from app.speech.speaker import Speaker
    from app.store.database import Store
    from app.ui.main_window import MainWindow
    from app.voice.listener import Listener

STARTUP_PROBE = "CANVAS_STARTUP_PROBE"  # set by bench/startup.py; see _startup_probe
READY_FILE = "CANVAS_READY_FILE"  # set by the supervisor's tests; see _ready_marker


def _after_first_paint(window: QWidget, callbacks: Sequence[Callable[[], None]]) -> None:
    """Call `callbacks` in order once the window's first paint has happened and the event loop
    is idle again. The filter watches the window alone: every event that passes a Python
    filter costs time, and an application-wide one would see each event of every widget being
    built and shown. Children are painted in the same pass, after the window itself."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    def run() -> None:
        for callback in callbacks:
            callback()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                QTimer.singleShot(0, run)  # runs once the paint pass and queued events are done
            return False

    window.installEventFilter(FirstPaint(window))


def _startup_probe(app: QApplication) -> Callable[[], None]:
    """For bench/startup.py: print `startup-probe <time.monotonic()>` and quit (called once the
    first screen is painted, switch input is on and the event loop is idle)."""
    import time

    def report() -> None:
        print(f"startup-probe {time.monotonic():.6f}", flush=True)
        app.quit()

    return report


def _ready_marker(window: MainWindow, path: Path) -> Callable[[], None]:
    """For the supervisor's tests: once the first screen is painted and input is on, write what
    is on show (the process, screen, member and any text being written) to `path`."""
    from app.store.local_drafts import write_json

    def write() -> None:
        screen = window.current
        panel = getattr(screen, "panel", None)
        member = window.state.member
        state = {"pid": os.getpid(), "screen": screen.key if screen else None,
                 "member": member.display_name if member else None,
                 "text": panel.text if panel is not None else None, "status": window.status.text()}
        write_json(path, state, durable=False)

    return write


def _daily_backup(store: Store) -> None:
    """A backup a day of an SQLite file (into backups/ beside it), so that a file damaged
    later has something recent to restore; a failure here must not stop the app."""
    from app.store.database import StoreError, daily_backup

    try:
        daily_backup(store)
    except (OSError, StoreError) as exc:
        print(f"canvas: the daily backup could not be taken: {exc}", file=sys.stderr)


def _services_over(store: Store) -> Services:
    """The day's backup, then every service over the open store."""
    from app.services.container import Services

    _daily_backup(store)
    return Services.build(store)


def _quick_start(args: argparse.Namespace) -> StartupSnapshot | None:
    """The first screen's data read without SQLAlchemy, when this start can take that shortcut
    (an existing SQLite file and no request that needs the store first)."""
    target = database_target(args.db)
    if args.demo or args.screenshot or args.recover or args.resume or "://" in target:
        return None
    from app.services.group.startup import read_snapshot
    from app.store.settings import chosen_project

    data = os.environ.get("CANVAS_DATA_DIR")  # as Store.data_folder: where the keys are
    return read_snapshot(Path(target).expanduser(), args.project, chosen_project(),
                         Path(data).expanduser() / "keys" if data else None)


def _slow_start(args: argparse.Namespace) -> tuple[Store, Services, str] | int:
    """Open (and if need be recover, create or migrate) the store before any window."""
    from app.services.group.demo import create_demo, is_empty

    store = open_or_recover(database_url(args.db), args.recover)
    if store is None:
        return 2
    if args.demo or is_empty(store):
        create_demo(store)
    services = _services_over(store)
    projects = services.projects.list_projects()
    if not args.project:
        from app.store.settings import chosen_project

        chosen = chosen_project()  # the project last chosen on this computer, if it is here
        return store, services, next((p.id for p in projects if p.id == chosen), projects[0].id)
    matches = [p for p in projects if p.name == args.project]
    if not matches:
        store.close()
        print(f"canvas: no project is called {args.project!r}", file=sys.stderr)
        return 2
    return store, services, matches[0].id


# What a start spends most of its time importing: a standby window has them ready.
_WARM_MODULES = ("PySide6.QtWidgets", "sqlalchemy.orm", "sqlalchemy.dialects.sqlite", "alembic",
                 "alembic.runtime.migration", "alembic.runtime.environment", "alembic.config",
                 "app.store.database", "app.services.container",
                 "app.services.group.demo", "app.ui.main_window", "app.access.prediction",
                 "app.speech.pyttsx3_backend", "app.ui.screens.home", "app.ui.screens.prompt",
                 "app.ui.screens.write")


def _stand_by() -> bool:
    """A standby window (app/supervisor.py): import what a start needs, then wait until the
    supervisor says go (True), or closes the pipe because no window is needed (False)."""
    import importlib

    for name in _WARM_MODULES:
        importlib.import_module(name)
    from sqlalchemy.orm import configure_mappers

    import app.store.models  # noqa: F401 - the mappers to configure

    configure_mappers()  # a third of what is left of a start once the imports are done
    if os.environ.get(READY_FILE):
        from app.store.local_drafts import write_json

        write_json(Path(os.environ[READY_FILE] + ".standby"), {"pid": os.getpid()}, durable=False)
    go = sys.stdin.readline().strip() == "go"
    os.environ.pop("CANVAS_STANDBY", None)  # what this process starts is no standby
    return go


def _supervising(args: argparse.Namespace) -> bool:
    """Whether this process is the supervisor: asked for (or the built app), and not already
    the window it supervises, nor a run that ends by itself."""
    if os.environ.get("CANVAS_SUPERVISED_CHILD") or args.screenshot or os.environ.get(STARTUP_PROBE):
        return False
    return args.supervised or bool(getattr(sys, "frozen", False))


def _supervise(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Run the window as a child process, started again after a crash (app/supervisor.py)."""
    from app.supervisor import Supervisor, window_command

    def tell(text: str) -> None:
        print(f"canvas: {text}", file=sys.stderr, flush=True)
        if has_display():
            from PySide6.QtWidgets import QApplication

            from app.ui import recovery_dialog

            QApplication.instance() or QApplication([sys.argv[0]])
            recovery_dialog.tell(text)

    command = window_command(argv, Path(__file__).resolve())
    return Supervisor(command, tell, log_path(args), standby=True).run()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from app.child_process import CHILD_FLAG, run_child

    if argv[:1] == [CHILD_FLAG]:  # a frozen build starting its own speech worker
        return run_child(argv[1:])
    if os.environ.get("CANVAS_STANDBY") and not _stand_by():
        return 0
    from app.commands import is_subcommand, run

    if is_subcommand(argv):
        return run(argv)
    args = build_parser().parse_args(argv)
    if args.save_db:
        from app.commands.common import database_url as url_for
        from app.services.errors import DomainError
        from app.store.settings import save_database

        try:
            url_for(args.save_db, must_exist=False)
        except (DomainError, ValueError) as exc:
            print(f"canvas: that is not a database line: {exc}", file=sys.stderr)
            return 2
        print(f"canvas: the database line is kept in {save_database(args.save_db)}", file=sys.stderr)
        args.db = args.save_db
    if _supervising(args):
        return _supervise(args, argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    snapshot = _quick_start(args)
    if snapshot is not None:
        code = _run_window(args, snapshot.project_id, snapshot=snapshot)
        if code is not None:
            return code
        # The store failed to open behind the first screen (damaged or from a newer app):
        # start again the slow way, which says why and offers recovery.
    opened = _slow_start(args)
    if isinstance(opened, int):
        return opened
    store, services, project_id = opened
    try:
        code = _run_window(args, project_id, services=services)
    finally:
        store.close()
    return 2 if code is None else code


def _voice(args: argparse.Namespace) -> Callable[..., Listener] | None:
    """How voice control starts: from a WAV file (--voice-input), else the microphone; not at all
    for screenshots. The recogniser itself starts only once a member turns voice on."""
    if args.screenshot:
        return None
    from app.voice.listener import make_listener

    files_only = bool(args.voice_input)
    return lambda on_notice: make_listener(on_notice, files_only=files_only)


def _run_window(args: argparse.Namespace, project_id: str, services: Services | None = None,
                snapshot: StartupSnapshot | None = None) -> int | None:
    """Show the window and run Qt. Without `services`, they load in a background thread once
    the first screen is drawn; None means that load failed (the window has closed)."""
    from PySide6.QtWidgets import QApplication

    from app.access.prediction import Predictor, SymspellPairs, WordfreqSource
    from app.access.profile import AccessProfile
    from app.access.trigrams import SphinxTrigrams, default_cache
    from app.services.group.startup import Ready, ServicesLoader
    from app.speech.speaker import NullSpeaker
    from app.store.local_drafts import LastPlace, LocalDrafts, data_folder, default_path
    from app.store.log_file import open_log
    from app.store.settings import choose_project
    from app.ui.guard import install_hooks
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    quiet = args.no_speech or bool(args.screenshot)
    if quiet:
        speaker: Speaker = NullSpeaker("Speech is off: started with --no-speech.")
    else:
        from app.speech.pyttsx3_backend import make_speaker

        speaker = make_speaker(wait=False)  # its worker starts on the other core meanwhile
    # The trigram index is made (once, in a child process) only by a run a member uses: a
    # screenshot or start-up probe run quits as soon as it is drawn.
    quits_at_once = bool(args.screenshot or os.environ.get(STARTUP_PROBE))
    trigrams = SphinxTrigrams(cache=default_cache(), build=not quits_at_once)
    predictor = Predictor(WordfreqSource(), bigrams=SymspellPairs(), trigrams=trigrams)
    # The general word list takes about half a second to index: do it off the GUI thread, and
    # only once the first screen is drawn, so that it does not slow the start (bench/startup.py).
    load_words = threading.Thread(target=predictor.load, name="predictor-load", daemon=True)
    loader: ServicesLoader[Services] | None = None
    stores: list[Store] = []  # the store the loader opens, to close at the end
    if services is None:

        def load() -> Services:
            from app.store.database import Store

            stores.append(Store.open(database_url(args.db)))
            return _services_over(stores[-1])

        loader = ServicesLoader(load)
    source = loader if loader is not None else Ready(services)
    drafts = LocalDrafts(default_path())
    window = MainWindow(source, speaker, project_id, predictor, local_drafts=drafts, snapshot=snapshot,
                        input_after_paint=not args.screenshot, voice=_voice(args),
                        start_scanning=args.start_scanning,
                        last_place=None if args.screenshot else LastPlace(data_folder() / "last-place.json"),
                        project_chosen=None if args.screenshot else choose_project)
    if args.resume:
        window.resume()  # after a crash: the member's own screen again (the services are loaded)
    open_log()  # canvas.log in the data folder: every failure the member is told of, in full
    restore_hooks = install_hooks(window.guard)  # and every exception nobody caught
    if loader is not None:
        loader.on_done = window.servicesSettled.emit  # a signal: its slot runs in the GUI thread
    try:
        if args.screenshot:
            load_words.start()
            from app.ui.screenshots import save_screenshots

            size = (AccessProfile.from_dict({"size_percent": args.size}).size_percent
                    if args.size is not None else None)
            for path in save_screenshots(window, Path(args.screenshot), size,
                                         args.window_size or (1280, 860)):
                print(path)
            return 0
        # 1280 x 860, or less on a smaller screen (a 1366 x 768 laptop): the status line, where
        # every failure and "Your text is safe" is shown, must be on the screen.
        room = app.primaryScreen().availableGeometry() if app.primaryScreen() else None
        window.resize(min(1280, room.width()) if room else 1280, min(860, room.height()) if room else 860)
        if args.fullscreen:
            window.showFullScreen()
        else:
            window.show()
        window.activateWindow()
        # In this order: switches work from the moment the screen is there; then the services
        # and the word list load in the background while the member screen is in use.
        after: list[Callable[[], None]] = [window.start_input]
        if args.voice_input:
            window.voice.always_on = True
            window.voice.apply_profile(window.state.profile)
            after.append(lambda: window.voice.feed(str(Path(args.voice_input).resolve())))
        if os.environ.get(STARTUP_PROBE):
            after.append(_startup_probe(app))
        if os.environ.get(READY_FILE):
            after.append(_ready_marker(window, Path(os.environ[READY_FILE])))
        if loader is not None:
            after.append(loader.start)
        after.append(load_words.start)
        _after_first_paint(window, after)
        code = app.exec()
        if loader is not None:
            loader.wait()  # a quit during the load still hears how it went
            if loader.failed is not None:
                return None
        return code
    finally:
        restore_hooks()
        window.close()
        window.db.stop(wait=5.0)  # no database job may still be emitting as Python shuts down
        speaker.close()
        trigrams.close()  # a build still at work is stopped (made again at the next start)
        if loader is not None:
            loader.wait()
        for store in stores:
            store.close()


def exit_now(code: int | None) -> None:
    """End the process once main() has closed everything, without Python's shutdown: a daemon
    thread (the database worker, a predictor build, a speech or voice reader) still inside Qt's
    C++ code when Python ends it aborts the process ("terminate called without an active
    exception"), which turned a clean exit into a crash about one run in three."""
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if code is None else int(code))


if __name__ == "__main__":
    exit_now(main())
