"""Writing export files: atomically, owner-only; and the audit entry for each export."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from app.services.errors import DomainError
from app.store.database import Store
from app.store.models import Event


class ExportError(DomainError):
    """An export could not be written; the message says why."""


def check_file_target(path: Path | str) -> Path:
    """A file path whose folder exists (else ExportError)."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.")
    return target


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file beside `path` (owner-only), renamed into place when the
    block ends without error (and removed if it fails), so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)  # personal data: readable by its owner only, like the database
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def log_export(store: Store, project_id: str, member_id: str | None, fmt: str, paths: Sequence[Path],
               real_names: bool) -> None:
    """Record an export in the audit log: format and file names (no folders), one transaction."""
    with store.transaction() as s:
        s.add(Event(project_id=project_id, member_id=member_id, action="export_written",
                    target_kind="project", target_id=project_id,
                    detail={"format": fmt, "files": [p.name for p in paths], "real_names": real_names}))
