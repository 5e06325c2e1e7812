"""A pronunciation for every word on screen, in the phone set of PocketSphinx's US model.

The wheel's dictionary (CMUdict) lacks British spellings ("patronising", "medicalised") and new
words ("tickbox"), and a grammar naming a word it lacks is refused outright. So a word the
dictionary has is taken from there; any other is spoken by espeak-ng as IPA phonemes (its US
voice, the model's accent) and each phoneme mapped to its ARPAbet neighbour; and where
espeak-ng is missing too, a rough spelling-to-sound table gives something, so no label is ever
left out of the grammar.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable

# IPA as espeak-ng writes it (--sep=' ') -> ARPAbet. Longest match first. The British short
# "a" of "Sam" is nearer the US model's AA than its AE (measured: "Sam" and "Alex" said by the
# en-gb voice went from never heard to always).
IPA_TO_ARPABET: dict[str, str] = {
    "aɪ": "AY", "aʊ": "AW", "ɔɪ": "OY", "eɪ": "EY", "oʊ": "OW", "əʊ": "OW", "tʃ": "CH", "dʒ": "JH",
    "ɜː": "ER", "ɜ": "ER", "ɚ": "ER", "ɝ": "ER", "iː": "IY", "i": "IY", "uː": "UW", "u": "UW",
    "ɑː": "AA", "ɑ": "AA", "ɒ": "AA", "ɔː": "AO", "ɔ": "AO", "ɪ": "IH", "ᵻ": "IH", "ɛ": "EH",
    "e": "EH", "æ": "AE", "a": "AA", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ʊ": "UH", "o": "OW",
    "ɾ": "D", "ʔ": "T", "ŋ": "NG", "ʃ": "SH", "ʒ": "ZH", "θ": "TH", "ð": "DH", "ɹ": "R", "r": "R",
    "j": "Y", "w": "W", "h": "HH", "ɡ": "G", "g": "G", "x": "K", "l": "L", "ɫ": "L", "ɬ": "L",
    "n": "N", "m": "M", "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "f": "F", "v": "V",
    "s": "S", "z": "Z", "ç": "HH", "ʍ": "W", "ɲ": "N Y",
}
_SYLLABIC = "\u0329"  # n̩, l̩: "button" is B AH T AH N
_DROP = set("ˈˌ‍\u0361.|‖ ")  # stress, joiners and ties carry no phone

# The last resort: letters (and pairs) to phones, enough to give the decoder a path.
SPELLING_TO_ARPABET: dict[str, str] = {
    "sh": "SH", "ch": "CH", "th": "TH", "ph": "F", "ng": "NG", "ck": "K", "qu": "K W", "ee": "IY",
    "oo": "UW", "ou": "AW", "ai": "EY", "ay": "EY", "oa": "OW", "ea": "IY", "er": "ER", "ir": "ER",
    "ur": "ER", "ar": "AA R", "or": "AO R", "igh": "AY",
    "a": "AE", "b": "B", "c": "K", "d": "D", "e": "EH", "f": "F", "g": "G", "h": "HH", "i": "IH",
    "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "o": "AA", "p": "P", "q": "K", "r": "R",
    "s": "S", "t": "T", "u": "AH", "v": "V", "w": "W", "x": "K S", "y": "IY", "z": "Z", "'": "",
}


def ipa_to_arpabet(ipa: str) -> str:
    """Map one word's IPA (espeak-ng's, phonemes separated or not) to ARPAbet phones."""
    phones: list[str] = []
    text = "".join(ch for ch in ipa if ch not in _DROP)
    i = 0
    while i < len(text):
        if text[i] == _SYLLABIC:
            if phones:
                phones.insert(len(phones) - 1, "AH")
            i += 1
            continue
        if text[i] == "ː":
            i += 1
            continue
        for size in (2, 1):
            piece = text[i : i + size]
            if piece in IPA_TO_ARPABET:
                phones.extend(IPA_TO_ARPABET[piece].split())
                i += size
                break
        else:
            i += 1  # a symbol with no English neighbour: leave it out
    return " ".join(phones)


def spelling_to_arpabet(word: str) -> str:
    """A rough pronunciation from the spelling alone (used only without espeak-ng)."""
    phones: list[str] = []
    i, word = 0, word.lower()
    while i < len(word):
        for size in (3, 2, 1):
            piece = word[i : i + size]
            if piece in SPELLING_TO_ARPABET:
                phones.extend(SPELLING_TO_ARPABET[piece].split())
                i += size
                break
        else:
            i += 1
    if len(word) > 2 and word.endswith("e") and phones and phones[-1] == "EH":
        phones.pop()  # a silent final e
    return " ".join(phones) or "AH"


def _without_inner_h(phones: str) -> str:
    """The pronunciation with any HH after its first phone left out ("" if it has none)."""
    split = phones.split()
    if "HH" not in split[1:]:
        return ""
    return " ".join([split[0], *(p for p in split[1:] if p != "HH")])


def espeak_ipa(words: list[str], voice: str = "en-us", timeout: float = 10.0) -> list[str] | None:
    """espeak-ng's IPA for each word (one call for all), or None if espeak-ng is missing."""
    program = shutil.which("espeak-ng") or shutil.which("espeak")
    if program is None or not words:
        return None if program is None else []
    try:
        result = subprocess.run(
            [program, "-q", "-v", voice, "--ipa", "--sep= "], input="\n".join(words) + "\n",
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 or len(lines) != len(words):
        return None
    return lines


class Pronouncer:
    """Gives every word the pronunciations it needs: the dictionary's (``lookup`` returns None
    when it lacks one), plus espeak-ng's US and British ones where they differ (the group is
    British, the model American: "back" said B AA K is still "back"), else the spelling's."""

    ACCENTS = ("en-us", "en-gb")
    MAX_VARIANTS = 6

    def __init__(self, lookup: Callable[[str], str | None]) -> None:
        self._lookup = lookup
        self._done: set[str] = set()

    def known(self, word: str) -> list[str]:
        """The pronunciations the dictionary has for ``word`` (``word``, ``word(2)`` …)."""
        found = []
        for n in range(1, self.MAX_VARIANTS + 1):
            phones = self._lookup(word if n == 1 else f"{word}({n})")
            if not phones:
                break
            found.append(phones)
        return found

    def additions(self, words: Iterable[str]) -> list[tuple[str, str]]:
        """``(entry, phones)`` to add to the dictionary so every one of ``words`` can be heard
        (entries like ``back(2)`` are further pronunciations of ``back``)."""
        new = [w for w in dict.fromkeys(words) if w not in self._done]
        if not new:
            return []
        spoken = [self._espeak(new, accent) for accent in self.ACCENTS]
        added: list[tuple[str, str]] = []
        for i, word in enumerate(new):
            have = self.known(word)
            candidates = [ipa_to_arpabet(ipas[i]) for ipas in spoken if ipas is not None]
            candidates = [c for c in dict.fromkeys(candidates) if c and c not in have]
            if not have and not candidates:
                candidates = [spelling_to_arpabet(word)]
            # An "h" inside a word is often dropped or barely said (espeak-ng's "unheard" is
            # heard as "undo" without it): the word without it too (bench: "unheard" heard
            # as "undo" 3 -> 2 times in 6, false accepts 0.76 -> 0.51 per 100, in-process).
            dropped = [_without_inner_h(p) for p in [*have, *candidates]]
            candidates += [p for p in dict.fromkeys(dropped) if p and p not in have and p not in candidates]
            for phones in candidates[: self.MAX_VARIANTS - len(have)]:
                entry = word if not have else f"{word}({len(have) + 1})"
                added.append((entry, phones))
                have.append(phones)
            self._done.add(word)
        return added

    @staticmethod
    def _espeak(words: list[str], accent: str) -> list[str] | None:
        spoken = espeak_ipa(words, accent)
        if spoken is None and len(words) > 1:
            # One odd word can throw the batch's lines out of step: ask word by word.
            spoken = [(espeak_ipa([w], accent) or [""])[0] for w in words]
        return spoken
