"""Start-up time: from process start until the first screen is drawn and ready for a switch.

    python -m bench.startup [--json] [--runs 10]

What runs: ``python main.py --db TMP/canvas.db --no-speech`` in a child process with
``CANVAS_STARTUP_PROBE=1``. With that variable set, ``main.py`` (``_startup_probe``) waits
for the main window's first paint event (an event filter on the window), then for the
event loop to be idle again (a zero-time single-shot timer); it turns on switch input,
prints ``startup-probe <time.monotonic()>`` and quits. The member screen is then drawn and
takes switch presses; the store and services are still loading in a background thread
(``app/services/group/startup.py``): a member picked before they are ready waits for them.
The figure is that time minus the ``time.monotonic()`` taken just before the child was
spawned (the monotonic clock is the same for every process on the machine), so it
includes the interpreter's start-up.

For scale, the same figure is taken for a bare PySide6 program that shows one empty
``QWidget`` and reports its first paint the same way (a filter on the window alone: an
application-wide Python filter would slow it down). Each is run once untimed first (the
app's first run creates and migrates the database and adds the demo project, as a first
start would; later runs open an existing file, as every other start does), then ``--runs``
times, alternating; the figures are the medians. The app's bytecode is compiled first
(``compileall``, as an installed package has it), so the figure does not depend on
whether ``PYTHONDONTWRITEBYTECODE`` is set. Target: ``app_ms / bare_qt_ms <= 2.0``.

Runs offscreen (``QT_QPA_PLATFORM=offscreen``) unless a platform is already set.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE_PREFIX = "startup-probe "
TARGET_RATIO = 2.0
TIMEOUT_S = 60.0

BARE_QT = """
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication([])
window = QWidget()
window.resize(1280, 860)

def report():
    print(f"startup-probe {time.monotonic():.6f}", flush=True)
    app.quit()

class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            window.removeEventFilter(self)
            QTimer.singleShot(0, report)
        return False

probe = Probe()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["CANVAS_STARTUP_PROBE"] = "1"
    env.pop("CANVAS_DB", None)
    return env


def time_to_first_paint(command: Sequence[str]) -> float:
    """Milliseconds from spawning `command` until it prints its probe line."""
    start = time.monotonic()
    done = subprocess.run(
        list(command), cwd=ROOT, env=_child_env(), capture_output=True, text=True,
        timeout=TIMEOUT_S, check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith(PROBE_PREFIX):
            return (float(line[len(PROBE_PREFIX):]) - start) * 1000.0
    raise RuntimeError(
        f"{command[1]} exited with {done.returncode} without reporting its first paint:\n"
        f"{done.stderr.strip()[-2000:]}"
    )


def app_command(db: Path) -> list[str]:
    """The app as a person starts it, on `db`, without speech."""
    return [sys.executable, str(ROOT / "main.py"), "--db", str(db), "--no-speech"]


def bare_command() -> list[str]:
    """A bare PySide6 program showing one empty window."""
    return [sys.executable, "-c", BARE_QT]


def measure(runs: int = 10) -> dict[str, float]:
    """Median start-up of the app and of bare Qt, in ms, and their ratio."""
    compileall.compile_dir(ROOT / "app", quiet=1)
    with tempfile.TemporaryDirectory(prefix="canvas-startup-") as folder:
        db = Path(folder) / "canvas.db"
        app, bare = app_command(db), bare_command()
        time_to_first_paint(app)  # first start: creates the file and the demo project
        time_to_first_paint(bare)
        app_ms: list[float] = []
        bare_ms: list[float] = []
        for _ in range(runs):
            app_ms.append(time_to_first_paint(app))
            bare_ms.append(time_to_first_paint(bare))
    app_median, bare_median = statistics.median(app_ms), statistics.median(bare_ms)
    return {
        "app_ms": round(app_median, 1),
        "bare_qt_ms": round(bare_median, 1),
        "ratio": round(app_median / bare_median, 2),
    }


def table(figures: dict[str, float], runs: int) -> str:
    """The figures as a few readable lines."""
    verdict = "met" if figures["ratio"] <= TARGET_RATIO else "NOT met"
    return "\n".join([
        f"Start-up to first painted, ready screen (median of {runs} runs, "
        f"QT_QPA_PLATFORM={_child_env()['QT_QPA_PLATFORM']}):",
        f"  app        {figures['app_ms']:8.1f} ms",
        f"  bare Qt    {figures['bare_qt_ms']:8.1f} ms",
        f"  ratio      {figures['ratio']:8.2f}   (target <= {TARGET_RATIO}: {verdict})",
    ])


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the figures (JSON with --json)."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help='print {"app_ms", "bare_qt_ms", "ratio"}')
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each (default 10)")
    args = parser.parse_args(argv)
    figures = measure(max(1, args.runs))
    print(json.dumps(figures) if args.json else table(figures, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
