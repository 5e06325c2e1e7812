"""Speech latency benchmark for the pyttsx3 backend.

    python -m bench.speech_latency [--json] [-n 30] [--fake-player]

For each utterance it measures

* start: from ``say()`` until the audio player process starts, and
* stop: from ``stop()`` until speech has stopped (the player process is gone).

Without a sound card (``aplay -l`` finds none) or with ``--fake-player``, the
stand-in player from ``tests/speech/fake_aplay`` is put first on PATH; it logs
``time.time()`` when it starts and sleeps for the audio's duration. With a real
card the player start is taken from the worker's process tree instead.
Targets: start p95 <= 150 ms, stop p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

FAKE_APLAY = Path(__file__).resolve().parents[1] / "tests" / "speech" / "fake_aplay"
START_TARGET_MS = 150.0
STOP_TARGET_MS = 100.0
PHRASES = [
    "Choose a keyword.",
    "What does belonging mean to you?",
    "Your stance has been saved. Thank you for sharing it with the group.",
    "Next item: shared definitions.",
    "Press your switch when you hear the word you want.",
]


def sound_card_present() -> bool:
    """True when ALSA's ``aplay -l`` lists at least one playback card."""
    if shutil.which("aplay") is None:
        return False
    try:
        result = subprocess.run(
            ["aplay", "-l"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "card " in result.stdout


def install_fake_player(directory: Path, log: Path) -> None:
    """Put the stand-in ``aplay`` first on PATH, logging to ``log``."""
    lines = FAKE_APLAY.read_text(encoding="utf-8").splitlines(keepends=True)
    if " " not in sys.executable:
        lines[0] = f"#!{sys.executable} -IS\n"
    target = directory / "aplay"
    target.write_text("".join(lines), encoding="utf-8")
    target.chmod(0o755)
    os.environ["PATH"] = f"{directory}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ["CANVAS_FAKE_APLAY_LOG"] = str(log)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="utf-8") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _player_pid(worker_pid: int, log: Path | None, seen: int) -> tuple[float, int] | None:
    """(start time, pid) of the newest player, from the fake log or the process tree."""
    if log is not None:
        try:
            rows = log.read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        if len(rows) <= seen:
            return None
        stamp, pid, _seconds = rows[seen].split()
        return float(stamp), int(pid)
    stack = _children(worker_pid)
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/comm", encoding="utf-8") as handle:
                if handle.read().strip() == "aplay":
                    return time.time(), pid
        except OSError:
            continue
        stack.extend(_children(pid))
    return None


def _poll(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.0005)
    return False


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run(count: int, fake_player: bool, settle: float) -> dict[str, float]:
    """Speak ``count`` utterances and return the p50/p95 figures in milliseconds."""
    from app.speech import Pyttsx3Speaker, make_speaker

    tmp = Path(tempfile.mkdtemp(prefix="speech-bench-"))
    log: Path | None = None
    if fake_player:
        log = tmp / "aplay.log"
        install_fake_player(tmp, log)
    speaker = make_speaker(require=True)
    assert isinstance(speaker, Pyttsx3Speaker)
    starts: list[float] = []
    stops: list[float] = []
    try:
        for index in range(count):
            speaker.wait_spare_ready(5.0)
            time.sleep(settle)  # let the previous round's clean-up finish, like a human pause
            said_at = time.time()
            speaker.say(PHRASES[index % len(PHRASES)])
            worker = speaker.active_pid or 0
            found: list[tuple[float, int]] = []

            def player_started(worker: int = worker, found: list = found) -> bool:
                hit = _player_pid(worker, log, len(starts))
                if hit:
                    found.append(hit)
                return bool(hit)

            if not _poll(player_started, 5.0):
                raise RuntimeError("the audio player never started")
            started_at, pid = found[0]
            starts.append((started_at - said_at) * 1000)
            stop_at = time.monotonic()
            speaker.stop()
            if not _poll(lambda pid=pid: not _alive(pid), 2.0):
                raise RuntimeError("the audio player did not stop")
            stops.append((time.monotonic() - stop_at) * 1000)
    finally:
        speaker.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "start_p50_ms": round(statistics.median(starts), 1),
        "start_p95_ms": round(_percentile(starts, 0.95), 1),
        "stop_p50_ms": round(statistics.median(stops), 1),
        "stop_p95_ms": round(_percentile(stops, 0.95), 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exit status 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("-n", type=int, default=30, help="number of utterances (default 30)")
    parser.add_argument("--fake-player", action="store_true", help="use the stand-in aplay")
    parser.add_argument("--settle", type=float, default=0.2, help="pause between rounds (s)")
    args = parser.parse_args(argv)
    fake = args.fake_player or not sound_card_present()
    try:
        figures = run(max(1, args.n), fake, max(0.0, args.settle))
    except RuntimeError as error:  # no engine: skip unless speech is required
        print(json.dumps({"skipped": str(error)}) if args.json else f"skipped: {error}")
        return 2 if os.environ.get("CANVAS_REQUIRE_SPEECH", "") not in ("", "0") else 0
    met = figures["start_p95_ms"] <= START_TARGET_MS and figures["stop_p95_ms"] <= STOP_TARGET_MS
    if args.json:
        print(json.dumps(figures))
    else:
        player = "fake aplay" if fake else "aplay"
        print(f"speech latency over {args.n} utterances ({player})")
        print(f"  say -> player start: p50 {figures['start_p50_ms']:6.1f} ms   "
              f"p95 {figures['start_p95_ms']:6.1f} ms   (target <= {START_TARGET_MS:g})")
        print(f"  stop -> silence:     p50 {figures['stop_p50_ms']:6.1f} ms   "
              f"p95 {figures['stop_p95_ms']:6.1f} ms   (target <= {STOP_TARGET_MS:g})")
        print("  targets met" if met else "  TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
