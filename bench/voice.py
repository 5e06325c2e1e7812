"""Voice recognition benchmark: "say what you see" on the demo project's screens.

    python -m bench.voice [--labels FILE] [--json] [--voices en-us,en-gb,en-gb-x-rp] [--speeds 130,175]

espeak-ng speaks each label of each screen (every voice at every speed); the audio, with a quiet
room's hiss mixed in, goes to the real recogniser process (the one the app starts) set up with
exactly the grammar the window sends for that screen: its targets' labels plus the commands.
Screens of 12 to 40 targets (commands included) are measured against the targets; the keyboard
(about 85 targets) is measured too and reported apart, under "keyboard". With ``--labels`` the
screens are made from a file of labels (one a line), 24 to a screen, plus the commands.

Figures: ``accuracy`` (the target said was chosen), ``false_accepts_per_100`` (a different
target was chosen), ``latency_p95_ms`` (from the end of the spoken audio to the choice arriving
in the app: the endpointer's wait for silence, the decoding after it and the pipe).
Targets: accuracy >= 0.95, false accepts <= 1 per 100, latency p95 <= 600 ms. Also
``unknown_accepts_per_100``: words that are on no screen ("hello", "coffee"), said the same way,
for which a target was chosen anyway (out-of-grammar rejection; no target set by the issue).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.voice.audio import level_db, wav_at_16k, write_wav
from app.voice.endpoint import FRAME_BYTES
from app.voice.phrases import COMMANDS, LETTER_NAMES, WAKE, phrase_of
from bench.scale import percentile

ACCURACY_TARGET = 0.95
FALSE_ACCEPT_TARGET = 1.0
LATENCY_TARGET_MS = 600.0
MIN_TARGETS, MAX_TARGETS = 12, 40
KEYBOARD = "write"  # the keyboard screen is measured too, though it has more targets (about 85)
HISS = 30  # peak amplitude of the room noise mixed in (about -63 dBFS)
Screen = tuple[str, dict[str, str]]  # name, phrase -> target id
#: Said to every screen; none is a label or command on any of them.
UNKNOWN_WORDS = ("hello", "coffee", "yesterday", "football", "television", "thank you")


# ------------------------------------------------------------------------------ screens
def demo_screens(letter_names: bool = False) -> tuple[list[Screen], list[str]]:
    """The grammar of each demo screen as the window builds it; and the screens left out."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.access.prediction import Predictor
    from app.services.container import Services
    from app.services.group.demo import create_demo
    from app.speech.speaker import NullSpeaker
    from app.store.database import Store
    from app.store.local_drafts import LocalDrafts
    from app.ui.main_window import MainWindow
    from app.ui.screens.write import WriteRequest
    from app.ui.voice import screen_targets

    QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        project = create_demo(store)
        services = Services.build(store)
        window = MainWindow(services, NullSpeaker(), project, Predictor({"the": 0.1, "care": 0.01}),
                            local_drafts=LocalDrafts(Path(folder) / "unsaved.json"))
        window.resize(1280, 860)
        members = {m.display_name: m for m in services.projects.list_members(project)}
        prompts = services.projects.list_prompts(project)
        steps = [
            ("members", window.show_members),
            ("home", lambda: window.pick_member(members["Alex"])),
            *[(f"prompt {i + 1}", lambda p=p: window.show_prompt(p.id)) for i, p in enumerate(prompts)],
            ("definition", lambda: window.show_definition(prompts[0].id)),
            ("pair", lambda: window.show_pair(prompts[0].id)),
            ("versions", lambda: window.show_versions(prompts[0].id)),
            ("write", lambda: window.show_write(
                WriteRequest("Add a keyword", "keyword", lambda _t, _o: None))),
            ("settings", window.show_settings),
        ]
        screens, skipped = [], []
        for name, go in steps:
            try:
                go()
            except Exception as error:  # noqa: BLE001 - a screen that cannot open here is reported
                skipped.append(f"{name} (could not open: {error})")
                continue
            tiles = window.tiles()
            targets = {phrase: f"{name}#{tiles.index(chosen[0])}"
                       for phrase, chosen in screen_targets(tiles, letter_names).items()}
            if MIN_TARGETS <= len(grammar(targets)) <= MAX_TARGETS or name == KEYBOARD:
                screens.append((name, targets))
            else:
                skipped.append(f"{name} ({len(grammar(targets))} targets)")
        window.close()
        store.close()
    return screens, skipped


def label_screens(path: Path, size: int = 24) -> list[Screen]:
    """Screens of `size` labels each from a file of labels."""
    labels = [phrase_of(line) for line in path.read_text(encoding="utf-8").splitlines()]
    labels = list(dict.fromkeys(label for label in labels if label))
    return [(f"labels {i // size + 1}", {label: label for label in labels[i : i + size]})
            for i in range(0, len(labels), size)]


def is_letter_name(phrase: str) -> bool:
    """A letter's name ("b.", "zed") rather than a word on a key."""
    return any(phrase in names for names in LETTER_NAMES.values())


def grammar(targets: dict[str, str]) -> list[str]:
    """What the window sends for a screen: its targets, then the commands not already there."""
    return list(dict.fromkeys([*targets, *(c for c in COMMANDS if c != WAKE)]))


# -------------------------------------------------------------------------------- audio
def spoken(text: str, voice: str, speed: int, folder: Path, rng: random.Random) -> tuple[Path, float]:
    """A WAV of `text` said by espeak-ng between pauses, with room hiss; and the audio time
    (s, from the file's start) at which the speech ends."""
    raw = folder / "said.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
    speech = wav_at_16k(raw)
    frame = FRAME_BYTES // 2
    last = max((i for i in range(0, len(speech), 160) if level_db(speech[i : i + 160]) > -50), default=0)
    lead, tail = 8000, 16000
    total = lead + len(speech) + tail
    total += -total % frame  # whole frames, so the recogniser's clock stays in step with ours
    mixed = array("h", bytes(2 * total))
    for i, value in enumerate(speech):
        mixed[lead + i] = value
    for i in range(total):
        mixed[i] = max(-32768, min(32767, mixed[i] + rng.randint(-HISS, HISS)))
    path = folder / "input.wav"
    write_wav(path, mixed)
    return path, (lead + last + 160) / 16000


@contextmanager
def recogniser() -> Iterator[tuple[object, list[dict], threading.Condition]]:
    """The app's recogniser process, hearing files; its notices gathered in a list."""
    from app.voice.listener import make_listener

    notices: list[dict] = []
    cond = threading.Condition()

    def on_notice(notice: dict | None) -> None:
        with cond:
            if notice is not None:
                notice["received"] = time.monotonic()
                notices.append(notice)
            cond.notify_all()

    listener = make_listener(on_notice, files_only=True)
    if not listener.available and not getattr(listener, "wait_ready", lambda: False)():
        raise SystemExit(f"bench.voice: {listener.reason}")
    listener.listen("words", -30.0)
    try:
        yield listener, notices, cond
    finally:
        listener.close()


class Tally:
    """The counts behind the figures, for one group of screens."""

    def __init__(self) -> None:
        self.trials = self.correct = self.wrong = self.unknown = self.unknown_accepted = 0
        self.latencies: list[float] = []

    def figures(self) -> dict[str, object]:
        """accuracy, false accepts and latency as the targets name them."""
        trials, unknown = self.trials, self.unknown
        return {
            "trials": trials,
            "accuracy": round(self.correct / trials, 4) if trials else 0.0,
            "false_accepts_per_100": round(100 * self.wrong / trials, 2) if trials else 0.0,
            "latency_p50_ms": round(percentile(self.latencies, 0.5), 1) if self.latencies else 0.0,
            "latency_p95_ms": round(percentile(self.latencies, 0.95), 1) if self.latencies else 0.0,
            "unknown_trials": unknown,
            "unknown_accepts_per_100": round(100 * self.unknown_accepted / unknown, 2) if unknown else 0.0,
        }


def run(screens: list[Screen], voices: list[str], speeds: list[int]) -> dict[str, object]:
    """Say every label of every screen; the figures. The targets are for screens of 12 to 40
    targets (the issue's); the keyboard (about 85) is reported on its own, under "keyboard"."""
    rng = random.Random(18)
    tallies = {"screens": Tally(), "keyboard": Tally(), "letter_names": Tally()}
    misses: list[str] = []
    clock = 0.0  # the recogniser's audio time: every file's length, added up
    with tempfile.TemporaryDirectory() as folder, recogniser() as (listener, notices, cond):
        for number, (name, targets) in enumerate(screens, start=1):
            listener.set_phrases(number, grammar(targets))
            for phrase, target in targets.items():
                tally = tallies["screens" if name != KEYBOARD else
                                "letter_names" if is_letter_name(phrase) else "keyboard"]
                for voice in voices:
                    for speed in speeds:
                        path, speech_end = spoken(phrase, voice, speed, Path(folder), rng)
                        with cond:
                            start = len(notices)
                        listener.feed(str(path))
                        with cond:
                            cond.wait_for(lambda s=start: any(n["ev"] == "fed" for n in notices[s:]), 30)
                            got = [n for n in notices[start:] if n["ev"] == "heard" and n["text"]]
                            rej = [(n.get("rejected"), n.get("margin")) for n in notices[start:]
                                   if n["ev"] == "heard" and not n["text"]]
                        clock_before, clock = clock, clock + len(wav_at_16k(path)) / 16000
                        tally.trials += 1
                        chosen = [n for n in got if n["text"] in targets or n["text"] in COMMANDS]
                        if any(targets.get(n["text"]) == target for n in chosen):
                            tally.correct += 1
                            hit = next(n for n in chosen if targets.get(n["text"]) == target)
                            waited = hit["end"] - (clock_before + speech_end)
                            pipe = hit["received"] - hit["sent"]
                            tally.latencies.append(1000 * (waited + pipe) + hit["compute_ms"])
                        else:
                            tally.wrong += bool(chosen)
                            misses.append(f"{name}: {phrase!r} ({voice}, {speed}) -> "
                                          f"{[n['text'] for n in chosen] or rej or 'nothing'}")
            tally = tallies["keyboard" if name == KEYBOARD else "screens"]
            for word in (w for w in UNKNOWN_WORDS if w not in targets):
                for voice in voices:
                    for speed in speeds:
                        path, _end = spoken(word, voice, speed, Path(folder), rng)
                        got = _hear(listener, notices, cond, path)
                        clock += len(wav_at_16k(path)) / 16000
                        tally.unknown += 1
                        if any(n["text"] in targets or n["text"] in COMMANDS for n in got):
                            tally.unknown_accepted += 1
                            misses.append(f"{name}: unknown {word!r} ({voice}, {speed}) -> "
                                          f"{[n['text'] for n in got]}")
    figures = tallies["screens"].figures()
    for group in ("keyboard", "letter_names"):
        if tallies[group].trials:
            figures[group] = tallies[group].figures()
    figures["misses"] = misses
    return figures


def _hear(listener: object, notices: list[dict], cond: threading.Condition, path: Path) -> list[dict]:
    """Feed one file; the phrases heard in it."""
    with cond:
        start = len(notices)
    listener.feed(str(path))  # type: ignore[attr-defined]
    with cond:
        cond.wait_for(lambda: any(n["ev"] == "fed" for n in notices[start:]), 30)
        return [n for n in notices[start:] if n["ev"] == "heard" and n["text"]]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.voice", description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, help="a file of labels, one a line")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--voices", default="en-us,en-gb,en-gb-x-rp", help="espeak-ng voices")
    parser.add_argument("--speeds", default="130,175", help="espeak-ng speeds, words a minute")
    parser.add_argument("--screens", default="", help="only these demo screens (comma separated)")
    parser.add_argument("--letter-names", action="store_true",
                        help="the keyboard's letters also by name (the member's setting; off by default)")
    args = parser.parse_args(argv)
    skipped: list[str] = []
    if args.labels:
        screens = label_screens(args.labels)
    else:
        screens, skipped = demo_screens(args.letter_names)
        wanted = {name.strip() for name in args.screens.split(",") if name.strip()}
        screens = [screen for screen in screens if not wanted or screen[0] in wanted]
    voices = [v for v in args.voices.split(",") if v]
    speeds = [int(s) for s in args.speeds.split(",") if s]
    began = time.monotonic()
    figures = run(screens, voices, speeds)
    figures.update(
        screens={name: len(grammar(targets)) for name, targets in screens}, screens_left_out=skipped,
        voices=voices, speeds=speeds, seconds=round(time.monotonic() - began, 1),
        targets={"accuracy": ACCURACY_TARGET, "false_accepts_per_100": FALSE_ACCEPT_TARGET,
                 "latency_p95_ms": LATENCY_TARGET_MS},
    )
    figures["met"] = bool(figures["accuracy"] >= ACCURACY_TARGET
                          and figures["false_accepts_per_100"] <= FALSE_ACCEPT_TARGET
                          and figures["latency_p95_ms"] <= LATENCY_TARGET_MS)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    for key in ("trials", "accuracy", "false_accepts_per_100", "latency_p50_ms", "latency_p95_ms",
                "unknown_trials", "unknown_accepts_per_100"):
        print(f"{key}: {figures[key]}")
    if "keyboard" in figures:
        print(f"keyboard ({KEYBOARD!r}, not in the figures above): {figures['keyboard']}")
    if "letter_names" in figures:
        print(f"letter names on the keyboard (not in either above): {figures['letter_names']}")
    print(f"screens: {figures['screens']}; left out: {', '.join(skipped) or 'none'}")
    print(f"voices: {', '.join(voices)} at {', '.join(map(str, speeds))} words a minute")
    for miss in figures["misses"]:
        print(f"  miss: {miss}")
    print("targets met" if figures["met"] else "targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
