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

from platformdirs import user_data_path

APP_NAME = "coproduction-canvas"


def default_db_path() -> Path:
    """Where the embedded database lives unless --db or CANVAS_DB say otherwise."""
    return user_data_path(APP_NAME, appauthor=False) / "canvas.db"


def database_url(db: str | None) -> str:
    """Turn --db / CANVAS_DB / the default into an SQLAlchemy URL."""
    from app.store.database import sqlite_url

    value = db or os.environ.get("CANVAS_DB") or str(default_db_path())
    if "://" in value:
        return value
    return sqlite_url(Path(value).expanduser().resolve())


def build_parser() -> argparse.ArgumentParser:
    """The command line, documented in the README."""
    parser = argparse.ArgumentParser(
        prog="canvas", description="Co-production Canvas: switch-accessible co-production."
    )
    parser.add_argument("--db", help="database file or URL (default: the user data folder; "
                        "the CANVAS_DB environment variable also sets it)")
    parser.add_argument("--project", help="open the project with this name (default: the first)")
    parser.add_argument("--demo", action="store_true",
                        help="create the demo project if it is missing")
    parser.add_argument("--screenshot", metavar="DIR",
                        help="render each main screen offscreen into DIR/<screen>.png and exit")
    parser.add_argument("--no-speech", action="store_true", help="start without speech output")
    parser.add_argument("--fullscreen", action="store_true", help="fill the screen")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from app.commands import is_subcommand, run

    if is_subcommand(argv):
        return run(argv)
    args = build_parser().parse_args(argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from app.services.container import Services
    from app.services.demo import create_demo, is_empty
    from app.store.database import Store, StoreError

    try:
        store = Store.open(database_url(args.db))
    except StoreError as exc:
        print(f"canvas: {exc}", file=sys.stderr)
        return 2
    if args.demo or is_empty(store):
        create_demo(store)
    services = Services.build(store)
    projects = services.projects.list_projects()
    if args.project:
        matches = [p for p in projects if p.name == args.project]
        if not matches:
            print(f"canvas: no project is called {args.project!r}", file=sys.stderr)
            return 2
        project = matches[0]
    else:
        project = projects[0]

    from PySide6.QtWidgets import QApplication

    from app.access.prediction import Predictor, SymspellPairs, WordfreqSource
    from app.speech import NullSpeaker, make_speaker
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    quiet = args.no_speech or bool(args.screenshot)
    speaker = NullSpeaker("Speech is off: started with --no-speech.") if quiet else make_speaker()
    predictor = Predictor(WordfreqSource(), bigrams=SymspellPairs())
    # The general word list takes about half a second to index: do it off the GUI thread.
    threading.Thread(target=predictor.load, name="predictor-load", daemon=True).start()
    window = MainWindow(services, speaker, project.id, predictor)
    try:
        if args.screenshot:
            from app.ui.screenshots import save_screenshots

            for path in save_screenshots(window, Path(args.screenshot)):
                print(path)
            return 0
        window.resize(1280, 860)
        if args.fullscreen:
            window.showFullScreen()
        else:
            window.show()
        window.activateWindow()
        return app.exec()
    finally:
        window.close()
        speaker.close()
        store.close()


if __name__ == "__main__":
    sys.exit(main())
