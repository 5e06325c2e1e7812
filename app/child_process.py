"""The command lines that start the app's own child processes (the speech worker, and any
other worker registered in :data:`CHILDREN`), the same way from a checkout, a wheel or a
frozen build.

From Python a child is a fresh interpreter running ``python -c "...main(argv)"``. In a frozen
build (PyInstaller) ``sys.executable`` is the app itself and has no ``-c``, so the child is
the app started again with the hidden first argument :data:`CHILD_FLAG` and the child's name;
``main.py`` hands such a start to :func:`run_child` before anything else happens.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import queue
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any, TextIO

CHILD_FLAG = "--child-process"
# name -> module whose ``main(argv) -> int`` the child runs (the PyInstaller spec bundles these)
CHILDREN = {"speech": "app.speech.worker", "voice": "app.voice.worker",
            "trigram-index": "app.access.trigram_build"}
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the folder holding app/


def is_frozen() -> bool:
    """Whether this is a frozen build (PyInstaller), where ``sys.executable`` is the app."""
    return bool(getattr(sys, "frozen", False))


def child_command(name: str, *args: str) -> list[str]:
    """The command line that runs child ``name``'s ``main(args)`` in a new process."""
    module = CHILDREN[name]
    if is_frozen():
        return [sys.executable, CHILD_FLAG, name, *args]
    launch = f"import os, sys; from {module} import main; os._exit(main(sys.argv[1:]))"
    return [sys.executable, "-c", launch, *args]


def child_env() -> dict[str, str]:
    """The environment for a child started from Python: ours, with this project importable
    (a checkout started from another folder is not on the child's path otherwise)."""
    env = dict(os.environ)
    paths = [_ROOT, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def run_child(argv: Sequence[str]) -> int:
    """Run the child named by ``argv[0]`` with the rest of ``argv``; never returns normally
    (``os._exit``, as from ``-c``: the child's threads must not hold the exit up)."""
    if not argv or argv[0] not in CHILDREN:
        print(f"canvas: unknown child process {list(argv[:1])}", file=sys.stderr)
        return 2
    module = importlib.import_module(CHILDREN[argv[0]])
    if is_frozen():
        _system_library_path()
    sys.stdout.flush()
    os._exit(module.main(list(argv[1:])))


def _system_library_path() -> None:
    """Give the programs this child runs (``aplay``) the system's library path back.

    PyInstaller's bootloader points ``LD_LIBRARY_PATH`` at the bundle's own copies of system
    libraries (glib, libgcrypt, ...) and keeps the original in ``LD_LIBRARY_PATH_ORIG``;
    inherited, it would make a system program load those copies instead of its own. This
    process has already loaded what it needs, so only its children see the change.
    """
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


def write_json_lines(stream: IO[bytes], outbox: queue.Queue[Any]) -> None:
    """Write each message from `outbox` to a child's `stream` as one JSON line until None comes
    (or the child is gone), then close the stream: the writer loop of the speech and voice workers."""
    while (message := outbox.get()) is not None:
        try:
            stream.write(json.dumps(message).encode("utf-8") + b"\n")
            stream.flush()
        except (OSError, ValueError):
            break
    with contextlib.suppress(OSError):
        stream.close()


class Notifier:
    """A child's side of its notice pipe: each ``send`` writes one JSON line and flushes it,
    whole, from any thread (the speech and voice workers both send from more than one)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, **message: Any) -> None:
        """Write ``message`` as one JSON line."""
        with self._lock:
            self._stream.write(json.dumps(message) + "\n")
            self._stream.flush()
