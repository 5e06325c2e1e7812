"""The app's log: ``canvas.log`` in the data folder, owner-only, a few MB at most.

Every failure the member is told about (app/ui/guard.py) is written here with its traceback,
so that whoever helps can see what went wrong. The log holds error details, never the text a
member writes; still it is made readable by its owner only, like the database.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

LOG_NAME = "canvas.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3  # canvas.log.1 ... canvas.log.3: four files of 1 MB at most
FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d]: %(message)s"


def data_folder() -> Path:
    """The user data folder: the database, this computer's unsaved text and the log live here."""
    from platformdirs import user_data_path

    return user_data_path("coproduction-canvas", appauthor=False)


def default_log_path() -> Path:
    """Where the log is written unless told otherwise."""
    return data_folder() / LOG_NAME


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating file handler whose every file is created owner-only (0600)."""

    def _open(self) -> TextIO:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.chmod(self.baseFilename, 0o600)  # a file made earlier with a looser mode
        return open(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)  # noqa: SIM115


def open_log(path: Path | None = None) -> Path:
    """Send the ``canvas`` loggers to the rotating log at `path` (once per path); returns it."""
    target = Path(path or default_log_path())
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    logger = logging.getLogger("canvas")
    for handler in logger.handlers:
        if isinstance(handler, PrivateRotatingFileHandler) and Path(handler.baseFilename) == target.resolve():
            return target
    handler = PrivateRotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return target


def close_log() -> None:
    """Detach and close every log file handler (the end of a run, or of a test)."""
    logger = logging.getLogger("canvas")
    for handler in list(logger.handlers):
        if isinstance(handler, PrivateRotatingFileHandler):
            logger.removeHandler(handler)
            handler.close()
