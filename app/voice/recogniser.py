"""The recogniser: PocketSphinx listening for the phrases of one screen.

Audio (16 kHz mono 16-bit PCM) goes through PocketSphinx's endpointer, which finds where an
utterance starts and ends; each utterance is then decoded whole against a grammar of exactly the
phrases on screen, so the answer is always one of them (or nothing). Audio time is counted in
samples fed, so a file fed faster than real time gives the same figures as a live microphone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.voice.audio import RATE
from app.voice.endpoint import FRAME_BYTES, Endpointer
from app.voice.phrases import words_of
from app.voice.pronounce import Pronouncer

ENDPOINT_WINDOW = 0.3  # seconds of (almost) no speech that end an utterance
MIN_UTTERANCE = 0.15  # shorter bursts (a click, a breath) are not words


class RecogniserError(RuntimeError):
    """PocketSphinx is missing or refused to start; the message says why in one line."""


@dataclass(frozen=True)
class Heard:
    """One utterance recognised as a phrase (``text`` is "" when nothing matched)."""

    text: str
    start: float  # audio time (s) the utterance began
    end: float  # audio time (s) the endpointer ended it
    compute_ms: float  # time spent decoding after the last audio of the utterance arrived
    score: float  # PocketSphinx's posterior probability of the hypothesis (0..1)


class Recogniser:
    """Endpointer + grammar decoder; ``set_phrases`` each time the screen changes."""

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError as error:  # the package, or its compiled part, is missing
            raise RecogniserError(
                "Voice is off: the pocketsphinx package is not installed. "
                "Install it with: pip install pocketsphinx"
            ) from error
        try:
            # dither: espeak-ng and digital silence hold exact zeros, whose log energy ruins
            # the features (measured: word accuracy falls by a third without it). A higher
            # silence probability lets a pause before or after the phrase be silence.
            self.decoder = Decoder(lm=None, dither=True, loglevel="FATAL", samprate=RATE, silprob=0.1)
            self.endpointer = Endpointer(ENDPOINT_WINDOW)
        except (RuntimeError, ValueError) as error:
            raise RecogniserError(f"Voice is off: the recogniser could not start ({error}).") from error
        self.pronouncer = Pronouncer(self.decoder.lookup_word)
        self._partial = b""  # audio not yet a whole endpointer frame
        self._search = 0
        self.phrases: tuple[str, ...] = ()
        self.samples = 0  # audio time fed, in samples

    # ------------------------------------------------------------------ grammar
    def set_phrases(self, phrases: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """Listen for exactly these phrases (any words; unknown ones get a pronunciation).
        Returns the phrases kept: each as its words joined by single spaces, duplicates once."""
        kept = tuple(dict.fromkeys(" ".join(words_of(p)) for p in phrases if words_of(p)))
        if kept == self.phrases:
            return kept
        words = [w for phrase in kept for w in phrase.split()]
        new = self.pronouncer.additions(words)
        for i, (word, phones) in enumerate(new):
            self.decoder.add_word(word, phones, i == len(new) - 1)  # the last one applies them all
        self.phrases = kept
        if not kept:
            return kept
        self._search += 1
        name = f"screen{self._search}"
        body = " | ".join(kept)
        self.decoder.add_jsgf_string(name, f"#JSGF V1.0;\ngrammar screen;\npublic <choice> = {body};\n")
        self.decoder.activate_search(name)
        if self._search > 1:
            self.decoder.remove_search(f"screen{self._search - 1}")
        return kept

    # -------------------------------------------------------------------- audio
    def reset(self) -> None:
        """Forget a half-heard utterance (listening paused, or the screen changed under it)."""
        self._partial = b""
        self.endpointer.reset()

    def skip(self, samples: int) -> None:
        """Audio time passes unheard (audio dropped while paused)."""
        self.samples += samples

    def feed(self, pcm: bytes) -> list[Heard]:
        """Take more audio; returns the utterances it completed."""
        data = self._partial + pcm
        results: list[Heard] = []
        usable = len(data) - len(data) % FRAME_BYTES
        for offset in range(0, usable, FRAME_BYTES):
            self.samples += FRAME_BYTES // 2
            utterance = self.endpointer.process(data[offset : offset + FRAME_BYTES])
            if utterance is not None:
                heard = self._decode(utterance)
                if heard is not None:
                    results.append(heard)
        self._partial = data[usable:]
        return results

    def flush(self) -> list[Heard]:
        """The audio has ended: finish an utterance still being heard."""
        self._partial = b""
        utterance = self.endpointer.end()
        heard = self._decode(utterance) if utterance else None
        return [heard] if heard is not None else []

    @property
    def hearing(self) -> bool:
        """True while an utterance is under way."""
        return self.endpointer.in_speech

    def _decode(self, speech: bytes) -> Heard | None:
        began = time.perf_counter()
        end = self.samples / RATE
        start = end - len(speech) / 2 / RATE
        if len(speech) < MIN_UTTERANCE * RATE * 2 or not self.phrases:
            return None
        self.decoder.start_utt()
        self.decoder.process_raw(speech, False, True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        text = hyp.hypstr.strip() if hyp is not None else ""
        score = float(hyp.prob) if hyp is not None else 0.0
        if text not in self.phrases:
            text = ""  # a path that stopped short of a whole phrase
        return Heard(text, start, end, (time.perf_counter() - began) * 1000, score)

