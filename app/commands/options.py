"""The window's command line and where its data lives: the parser the README documents, and
--db / CANVAS_DB / the saved line / the default file turned into a database URL."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from platformdirs import user_data_path

from app import __version__

APP_NAME = "coproduction-canvas"


def default_db_path() -> Path:
    """Where the embedded database lives unless --db or CANVAS_DB say otherwise."""
    return user_data_path(APP_NAME, appauthor=False) / "canvas.db"


def database_target(db: str | None) -> str:
    """--db, else CANVAS_DB, else the line saved with --save-db, else the default file: a URL
    or a path, as given."""
    if db or os.environ.get("CANVAS_DB"):
        return db or os.environ["CANVAS_DB"]
    from app.store.settings import saved_database

    return saved_database() or str(default_db_path())


def database_url(db: str | None) -> str:
    """Turn --db / CANVAS_DB / the default into an SQLAlchemy URL (the file may be new)."""
    from app.commands.common import database_url as url_for

    return url_for(database_target(db), must_exist=False)


def log_path(args: argparse.Namespace) -> Path:
    """The log file a stopped supervisor names: canvas.log beside the database (the data folder)."""
    target = database_target(args.db)
    folder = default_db_path().parent if "://" in target else Path(target).expanduser().parent
    return folder / "canvas.log"


def build_parser() -> argparse.ArgumentParser:
    """The command line, documented in the README."""
    parser = argparse.ArgumentParser(
        prog="canvas", description="Co-production Canvas: switch-accessible co-production."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", help="database file or URL (default: the user data folder; "
                        "the CANVAS_DB environment variable also sets it)")
    parser.add_argument("--save-db", metavar="LINE",
                        help="keep this database (the connection line your research team gave "
                        "you) in this computer's settings file (owner-only), and start with it")
    parser.add_argument("--project", help="open the project with this name (default: the first)")
    parser.add_argument("--demo", action="store_true",
                        help="create the demo project if it is missing")
    parser.add_argument("--screenshot", metavar="DIR",
                        help="render each main screen offscreen into DIR/<screen>.png and exit")
    parser.add_argument("--size", type=int, metavar="PERCENT",
                        help="with --screenshot: every member's Size setting (100 to 300)")
    parser.add_argument("--window-size", metavar="WxH", type=window_size,
                        help="with --screenshot: the window's size in pixels (default 1280x860)")
    parser.add_argument("--no-speech", action="store_true", help="start without speech output")
    parser.add_argument("--fullscreen", action="store_true", help="fill the screen")
    parser.add_argument("--supervised", action="store_true",
                        help="run the window under a supervisor that starts it again if it crashes "
                        "(the default for make run, the built app and start on login)")
    parser.add_argument("--resume", action="store_true",
                        help="open the last member's screen again (the supervisor adds this after a crash)")
    parser.add_argument("--start-scanning", action="store_true",
                        help="on a computer nobody has used yet, the members screen scans in one-switch "
                        "auto-scan (for a member who uses only a switch)")
    parser.add_argument("--voice-input", metavar="FILE.wav",
                        help="voice control hears this WAV file instead of the microphone (voice is "
                        "on for whoever takes part, in real time, from the first screen)")
    parser.add_argument("--recover", choices=("restore", "new"),
                        help="if the database file is damaged: put back the newest good backup, or "
                        "start a new empty file (the damaged file is kept beside it either way)")
    return parser


def window_size(text: str) -> tuple[int, int]:
    """"1366x768" as (1366, 768)."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1366x768") from None
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"{text!r} is not a window size from 320x240 to 8000x8000")
    return width, height
