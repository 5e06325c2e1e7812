"""Writing export files: atomically, owner-only; and the audit entry for each export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.services.errors import DomainError
from app.store.database import Store
from app.store.files import atomic_writer
from app.store.models import Event

__all__ = ["ExportError", "atomic_writer", "check_file_target", "log_export"]


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


def log_export(store: Store, project_id: str, member_id: str | None, fmt: str, paths: Sequence[Path],
               real_names: bool) -> None:
    """Record an export in the audit log: format and file names (no folders), one transaction."""
    with store.transaction() as s:
        s.add(Event(project_id=project_id, member_id=member_id, action="export_written",
                    target_kind="project", target_id=project_id,
                    detail={"format": fmt, "files": [p.name for p in paths], "real_names": real_names}))
