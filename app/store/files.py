"""Writing a file so that a reader never sees half of it: the one helper for every file the app
writes (exports, bundles, this computer's unsaved text).

The bytes go to a temporary file beside the target, are flushed and fsync'd, made owner-only,
then renamed over the target (atomic on one file system) and the folder is fsync'd so the
rename itself survives a power cut. If anything fails (a full disk, a read-only folder) the
temporary file is removed and the target is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PRIVATE = 0o600


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the platform can open a folder)."""
    if os.name == "nt":
        return  # Windows cannot open a folder for fsync; NTFS journals the rename itself
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def atomic_writer(path: Path, mode: int = PRIVATE, durable: bool = True) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file beside `path`, renamed into place (with `mode`,
    owner-only by default) when the block ends without error, and removed if it fails.
    Without `durable` nothing waits for the disk (a convenience file, for a crash of the app
    rather than of the computer)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_folder(path.parent)


def atomic_write_bytes(path: Path, data: bytes, mode: int = PRIVATE, durable: bool = True) -> None:
    """Write `data` to `path` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, mode, durable) as handle:
        handle.write(data)
