"""Audio plumbing without numpy or sox: WAV files in, 16 kHz mono 16-bit PCM out.

PocketSphinx's US English model wants 16 kHz mono; espeak-ng writes 22,050 Hz and microphones
often give 44.1 or 48 kHz. :class:`Resampler` converts block by block (so a live stream and a
file go through the same code) with a windowed-sinc low-pass, evaluated as a polyphase filter.
"""

from __future__ import annotations

import math
import struct
import wave
from array import array
from fractions import Fraction
from pathlib import Path

RATE = 16000  # what the recogniser listens at
TAPS = 16  # filter length per output sample: clean enough for speech, quick in pure Python


def pcm_array(data: bytes) -> array:
    """16-bit little-endian PCM bytes as an array of ints."""
    samples = array("h")
    samples.frombytes(data[: len(data) - len(data) % 2])
    return samples


class Resampler:
    """Streams 16-bit mono audio from ``source_rate`` to ``target_rate``."""

    def __init__(self, source_rate: int, target_rate: int = RATE) -> None:
        self.source_rate = int(source_rate)
        self.target_rate = int(target_rate)
        ratio = Fraction(self.source_rate, self.target_rate)  # input samples per output sample
        self._step_num, self._step_den = ratio.numerator, ratio.denominator
        cutoff = min(1.0, self.target_rate / self.source_rate) * 0.9  # of the input's Nyquist
        half = TAPS // 2
        # One row of taps per fractional position (den phases); taps weight input[i - half + 1 + k].
        self._phases: list[list[float]] = []
        for phase in range(self._step_den):
            frac = phase / self._step_den
            row = []
            for k in range(TAPS):
                x = (k - half + 1) - frac
                sinc = 1.0 if x == 0 else math.sin(math.pi * cutoff * x) / (math.pi * cutoff * x)
                window = 0.5 + 0.5 * math.cos(math.pi * x / (half + 1))  # Hann
                row.append(cutoff * sinc * window)
            total = sum(row)
            self._phases.append([tap / total for tap in row])
        self._buffer: list[int] = [0] * (half - 1)  # history before the first sample
        self._pos_num = 0  # where the next output falls, in input samples * den past buffer[0]

    def process(self, samples: array | list[int]) -> array:
        """Resample one block; returns the output samples it completes."""
        out = array("h")
        if self.source_rate == self.target_rate:
            out.extend(samples)
            return out
        buffer = self._buffer
        buffer.extend(samples)
        den, num = self._step_den, self._step_num
        phases = self._phases
        pos = self._pos_num
        limit = (len(buffer) - TAPS + 1) * den  # the last tap reads buffer[index + TAPS - 1]
        while pos < limit:
            index, phase = divmod(pos, den)  # buffer[index + half - 1] is the sample at or before pos
            value = sum(map(float.__mul__, phases[phase], buffer[index : index + TAPS]))
            out.append(max(-32768, min(32767, int(round(value)))))
            pos += num
        drop = pos // den
        del buffer[:drop]
        self._pos_num = pos - drop * den
        return out


def read_wav(path: str | Path) -> tuple[array, int]:
    """A WAV file's samples as 16-bit mono (channels averaged) and its sample rate.

    Reads plain and "extensible" PCM WAV (as sox writes), 8, 16 or 32 bits; a data size past the end
    of the file (as a program that streams its WAV writes) means "to the end".
    Raises ValueError for anything else."""
    raw = Path(path).read_bytes()
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise ValueError(f"{path} is not a WAV file")
    fmt: tuple[int, int, int, int] | None = None
    data: bytes | None = None
    offset = 12
    while offset + 8 <= len(raw) and data is None:
        chunk, size = raw[offset : offset + 4], struct.unpack_from("<I", raw, offset + 4)[0]
        body = raw[offset + 8 : offset + 8 + size]
        if chunk == b"fmt " and len(body) >= 16:
            fmt = struct.unpack_from("<HHIxxxxxxH", body)  # format, channels, rate, bits
            if fmt[0] == 0xFFFE and len(body) >= 26:  # extensible: the real format follows
                fmt = (struct.unpack_from("<H", body, 24)[0], *fmt[1:])
        elif chunk == b"data":
            data = body
        offset += 8 + size + (size & 1)
    if fmt is None or data is None:
        raise ValueError(f"{path} has no audio in it")
    format_tag, channels, rate, bits = fmt
    if format_tag != 1 or bits not in (8, 16, 32) or channels < 1:
        raise ValueError(f"{path}: only 8-, 16- and 32-bit PCM WAV files can be read")
    if bits == 8:
        samples = array("h", ((b - 128) << 8 for b in data))
    elif bits == 32:
        wide = array("i")
        wide.frombytes(data[: len(data) - len(data) % 4])
        samples = array("h", (v >> 16 for v in wide))
    else:
        samples = pcm_array(data)
    if channels > 1:
        samples = array("h", (sum(samples[i : i + channels]) // channels
                              for i in range(0, len(samples) - channels + 1, channels)))
    return samples, rate


def wav_at_16k(path: str | Path) -> array:
    """A WAV file as 16 kHz mono samples, ready for the recogniser."""
    samples, rate = read_wav(path)
    resampler = Resampler(rate)
    out = resampler.process(samples)
    out.extend(resampler.process([0] * TAPS))  # flush the filter's tail
    return out


def write_wav(path: str | Path, samples: array, rate: int = RATE) -> None:
    """Write 16-bit mono samples as a WAV file."""
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())


def level_db(samples: array | list[int]) -> float:
    """The RMS level of a block in dB below full scale (-100 for silence)."""
    if not samples:
        return -100.0
    power = sum(s * s for s in samples) / len(samples)
    if power <= 0:
        return -100.0
    return max(-100.0, 10 * math.log10(power / (32768.0 * 32768.0)))
