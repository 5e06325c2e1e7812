"""The recogniser: PocketSphinx listening for the phrases of one screen.

Audio (16 kHz mono 16-bit PCM) goes through PocketSphinx's endpointer, which finds where an
utterance starts and ends; each utterance is then decoded whole against a grammar of exactly the
phrases on screen, so the answer is always one of them (or nothing). A phrase is then accepted
only if it fits the audio nearly as well as free phones do (a phone-loop decoder on the same
audio): words that are not on screen ("hello", "coffee") fit no phrase well and are rejected,
as are most near misses between two labels ("unheard" heard as "undo"). And the phrase must
account for all the speech: a path that calls a loud stretch silence (the "you" of "thank you"
after "Sam") was matched to part of what was said only, and is rejected. Audio time is counted in
samples fed, so a file fed faster than real time gives the same figures as a live microphone.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from app.voice.audio import RATE, level_db, pcm_array
from app.voice.endpoint import END, FRAME_BYTES, SPEECH, START, Endpointer
from app.voice.phrases import is_letter_name, words_of
from app.voice.pronounce import Pronouncer

ENDPOINT_WINDOW = 0.3  # seconds of (almost) no speech that end an utterance
MIN_UTTERANCE = 0.15  # shorter bursts (a click, a breath) are not words
#: Least (grammar score - phone-loop score) per frame, in the decoder's log units, for a phrase
#: to be accepted. Measured on espeak-ng's speech (3 voices, 2 speeds, the demo screens):
#: labels said fall below -5 about 1 in 100, words not on screen score -6 (median).
ACCEPT_MARGIN = -4.0
#: The longest stretch of loud audio (10 ms frames) the grammar's path may call silence.
#: Measured with the bench: "thank you" heard as "Sam" leaves 23-32 frames of speech to
#: silence; labels said and chosen mostly under 8, a soft first "m" 10, one "kilo" 16.
MAX_UNEXPLAINED = 15
LOUD_DB = 12.0  # a frame this much louder than the room is speech
WARM_UP = 3  # utterances decoded twice after a start, while the normalisation settles
#: Least (phrase score - best other phrase's score) per frame for a letter's name ("b") to be
#: accepted: the names are short and alike ("bee", "dee", "tee"), and a wrong letter typed
#: costs a delete, so a name that barely beats another is turned away (say "bravo" instead).
LETTER_MARGIN = 3.0


class RecogniserError(RuntimeError):
    """PocketSphinx is missing or refused to start; the message says why in one line."""


@dataclass(frozen=True)
class Heard:
    """One utterance recognised as a phrase (``text`` is "" when nothing matched)."""

    text: str
    start: float  # audio time (s) the utterance began
    end: float  # audio time (s) the endpointer ended it
    compute_ms: float  # time spent decoding after the last audio of the utterance arrived
    rejected: str = ""  # the phrase the grammar gave when it fitted too badly to be accepted
    margin: float = 0.0  # its (grammar - phone loop) score per frame


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
            # Live cepstral mean normalisation (the model's files ask for batch, which needs the
            # whole utterance first): decoding keeps up while the member talks, and it adapts
            # to the voice and microphone over the utterances (measured: more accurate too).
            config = self.decoder.config
            config["cmn"] = "live"
            self.decoder.reinit_feat(config)
            self.endpointer = Endpointer(ENDPOINT_WINDOW)
            self.phone_loop = _phone_loop()
        except (RuntimeError, ValueError) as error:
            raise RecogniserError(f"Voice is off: the recogniser could not start ({error}).") from error
        self.pronouncer = Pronouncer(self.decoder.lookup_word)
        self._partial = b""  # audio not yet a whole endpointer frame
        self._utterance: float | None = None  # audio time the utterance being decoded began
        self._audio = bytearray()  # its audio, for a second decoding
        self._decoded = 0
        self._search = 0
        self.phrases: tuple[str, ...] = ()
        self.samples = 0  # audio time fed, in samples

    # ------------------------------------------------------------------ grammar
    def set_phrases(self, phrases: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """Listen for exactly these phrases (any words; unknown ones get a pronunciation).
        Returns the phrases kept: each as its words joined by single spaces, duplicates once."""
        kept = tuple(dict.fromkeys(p if is_letter_name(p) else " ".join(words_of(p))
                                   for p in phrases if is_letter_name(p) or words_of(p)))
        if kept == self.phrases:
            return kept
        words = [w for phrase in kept for w in (phrase[0] if is_letter_name(phrase) else phrase).split()]
        new = self.pronouncer.additions(words)
        for i, (word, phones) in enumerate(new):
            self.decoder.add_word(word, phones, i == len(new) - 1)  # the last one applies them all
        self.phrases = kept
        if not kept:
            return kept
        self._search += 1
        name = f"screen{self._search}"
        self._add_grammar(name, kept)
        self.decoder.activate_search(name)
        if self._search > 1:
            self.decoder.remove_search(f"screen{self._search - 1}")
        return kept

    def _add_grammar(self, name: str, phrases: tuple[str, ...]) -> None:
        body = " | ".join(self._token(phrase) for phrase in phrases)
        self.decoder.add_jsgf_string(name, f"#JSGF V1.0;\ngrammar screen;\npublic <choice> = {body};\n")

    def _clear_winner(self, text: str) -> bool:
        """A letter's name must beat every other phrase by LETTER_MARGIN, and so must any
        phrase whose nearest rival is a letter's name: short names are easily taken for a
        short word and the other way round ("vee" heard as "delete", "done" as "d")."""
        if not is_letter_name(text) and not any(is_letter_name(p) for p in self.phrases):
            return True
        gap, other = self.rival(text)
        return gap >= LETTER_MARGIN or not (is_letter_name(text) or is_letter_name(other))

    def rival(self, text: str) -> tuple[float, str]:
        """(score of ``text`` - score of the best other phrase) per frame on the utterance just
        decoded, and that phrase ((+inf, "") when no other phrase is on screen)."""
        others = tuple(p for p in self.phrases if p != text)
        if not others:
            return math.inf, ""
        frames = max(1, self.decoder.n_frames())
        best = self._score(self.decoder)
        screen = self.decoder.current_search()
        self._add_grammar("rival", others)
        self.decoder.activate_search("rival")
        self.decoder.start_utt()
        self.decoder.process_raw(bytes(self._audio), False, True)
        self.decoder.end_utt()
        other = self._score(self.decoder)
        said = self._hypothesis()
        self.decoder.activate_search(screen)
        self.decoder.remove_search("rival")
        return (best - other) / frames, said

    def _token(self, phrase: str) -> str:
        """How a phrase is written in the grammar: as its words; a letter's name ("b.") is the
        dictionary's own entry for it, or the letter when the dictionary has none."""
        if is_letter_name(phrase) and not self.decoder.lookup_word(phrase):
            return phrase[0]
        return phrase

    # -------------------------------------------------------------------- audio
    def reset(self) -> None:
        """Forget a half-heard utterance (listening paused, or the screen changed under it)."""
        self._partial = b""
        self.endpointer.reset()
        if self._utterance is not None:
            self._utterance = None
            self.decoder.end_utt()

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
            began = time.perf_counter()
            event = self.endpointer.process(data[offset : offset + FRAME_BYTES])
            if event is None:
                continue
            kind, audio = event
            if kind == START and self.phrases:
                self._utterance = (self.samples - len(audio) // 2) / RATE
                self._audio.clear()
                self.decoder.start_utt()
            if kind in (START, SPEECH) and self._utterance is not None:
                self._audio.extend(audio)
                self.decoder.process_raw(audio, False, False)
            elif kind == END and self._utterance is not None:
                heard = self._finish(began)
                if heard is not None:
                    results.append(heard)
        self._partial = data[usable:]
        return results

    def flush(self) -> list[Heard]:
        """The audio has ended: finish an utterance still being heard."""
        self._partial = b""
        self.endpointer.reset()
        heard = self._finish(time.perf_counter()) if self._utterance is not None else None
        return [heard] if heard is not None else []

    @property
    def hearing(self) -> bool:
        """True while an utterance is under way."""
        return self.endpointer.in_speech

    def _hypothesis(self) -> str:
        hyp = self.decoder.hyp()
        text = hyp.hypstr.strip() if hyp is not None else ""
        if len(text) == 1 and f"{text}." in self.phrases:
            text = f"{text}."  # a letter's name the dictionary lacked (see _token)
        return text if text in self.phrases else ""  # not a path that stopped short of a phrase

    def _score(self, decoder: Any) -> float:
        """The best path's score (log units, against the best senone of each frame)."""
        hyp = decoder.hyp()
        if hyp is None or hyp.score <= 0.0:
            return -math.inf
        return float(decoder.get_logmath().log(hyp.score))

    def margin(self) -> float:
        """(grammar score - phone-loop score) per frame of the utterance just decoded."""
        frames = max(1, self.decoder.n_frames())
        grammar = self._score(self.decoder)
        self.phone_loop.start_utt()
        self.phone_loop.process_raw(bytes(self._audio), False, True)
        self.phone_loop.end_utt()
        return (grammar - self._score(self.phone_loop)) / frames

    def unexplained(self) -> int:
        """The longest run of loud 10 ms frames that the grammar's best path (just decoded)
        calls silence or a filler: speech the phrase does not account for."""
        audio = bytes(self._audio)
        step = RATE // 100 * 2  # one decoder frame of 16-bit samples
        levels = [level_db(pcm_array(audio[i : i + step])) for i in range(0, len(audio) - step + 1, step)]
        if not levels:
            return 0
        # The room's level: the endpointer's floor (which ignores digital silence, a file's
        # padding), or the utterance's quietest frame if that is louder.
        floor = max(min(levels), self.endpointer.floor)
        loud = [level > floor + LOUD_DB for level in levels]
        longest = 0
        for segment in self.decoder.seg():
            if not segment.word.startswith(("<", "[")):
                continue
            run = 0
            for frame in range(segment.start_frame, min(segment.end_frame + 1, len(loud))):
                run = run + 1 if loud[frame] else 0
                longest = max(longest, run)
        return longest

    def _finish(self, began: float) -> Heard | None:
        start, self._utterance = self._utterance or 0.0, None
        self.decoder.end_utt()
        end = self.samples / RATE
        if end - start < MIN_UTTERANCE + ENDPOINT_WINDOW:
            return None  # a click or a breath
        text = self._hypothesis()
        self._decoded += 1
        if not text or self._decoded <= WARM_UP:
            # Decode it once more, with the normalisation it has just learned: the first
            # utterances after a start (and the odd one that matched nothing) come right then.
            self.decoder.start_utt()
            self.decoder.process_raw(bytes(self._audio), False, True)
            self.decoder.end_utt()
            text = self._hypothesis() or text
        margin = self.margin() if text else 0.0
        rejected = ""
        if text and (margin < ACCEPT_MARGIN or self.unexplained() > MAX_UNEXPLAINED
                     or not self._clear_winner(text)):
            text, rejected = "", text
        return Heard(text, start, end, (time.perf_counter() - began) * 1000, rejected, margin)


def _phone_loop() -> Any:
    """A decoder of free phones (the model's phone bigram), set up as the grammar's is."""
    from pocketsphinx import Decoder, get_model_path

    phones = f"{get_model_path()}/en-us/en-us-phone.lm.bin"
    decoder = Decoder(allphone=phones, lm=None, dither=True, loglevel="FATAL", samprate=RATE)
    config = decoder.config
    config["cmn"] = "live"
    decoder.reinit_feat(config)
    return decoder
