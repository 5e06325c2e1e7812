"""What can be said: labels turned into the words a member says, and the fixed vocabulary
(commands, the spelling alphabet, letter names, numbers)."""

from __future__ import annotations

import re
import string

#: Commands that work on every screen, as said.
COMMANDS: tuple[str, ...] = (
    "next", "back", "choose", "undo", "read it", "page", "stop listening", "start listening",
)
#: While listening is stopped only this is heard.
WAKE = "start listening"

_NATO = (
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    "uniform", "victor", "whiskey", "x ray", "yankee", "zulu",
)
SPELLING_ALPHABET: dict[str, str] = dict(zip(string.ascii_lowercase, _NATO, strict=True))
#: A letter is also said by its name. The phrase for a name is the dictionary's entry for the
#: letter's name ("b." is B IY alone: not "be"'s sounds; "a." is EY, never the word "a"'s AH, so
#: a prediction "a" or "I" keeps its own phrase); British "zed" and "haitch" too.
LETTER_NAMES: dict[str, tuple[str, ...]] = {
    ch: (f"{ch}.", *{"z": ("zed",), "h": ("haitch",)}.get(ch, ())) for ch in string.ascii_lowercase
}
#: Words said exactly as a letter's name. When one is the whole label of another target on the
#: same screen (a prediction "be", "see", "you", "are", "I"), the screen's word wins and the
#: letter is then chosen by its spelling-alphabet word only: "say what you see".
HOMOPHONES: dict[str, tuple[str, ...]] = {
    "a": ("ay",), "b": ("be", "bee"), "c": ("see", "sea"), "d": ("dee",), "e": ("ee",), "g": ("gee",),
    "i": ("eye", "aye"), "j": ("jay",), "k": ("kay",), "l": ("el", "elle"), "m": ("em",), "n": ("en",),
    "o": ("oh", "owe"), "p": ("pee", "pea"), "q": ("queue", "cue"), "r": ("are",), "s": ("ess",),
    "t": ("tee", "tea"), "u": ("you", "ewe", "yew"), "v": ("vee",), "x": ("ex",), "y": ("why",),
    "z": ("zee",),
}
NUMBERS: tuple[str, ...] = ("one", "two", "three", "four", "five", "six")

_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+")
MAX_WORDS = 5  # a long label (a whole question) is chosen by its first words


def number_words(n: int) -> list[str]:
    """0–999 as words ("twenty one"); larger numbers digit by digit."""
    if n < 20:
        return [_UNITS[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_UNITS[n % 10]] if n % 10 else [])
    if n < 1000:
        return [_UNITS[n // 100], "hundred"] + (number_words(n % 100) if n % 100 else [])
    return [_UNITS[int(d)] for d in str(n)]


def is_letter_name(phrase: str) -> bool:
    """A letter's name as a phrase ("b."), not a word of one letter ("a", "I")."""
    return len(phrase) == 2 and phrase[1] == "." and phrase[0].isalpha()


def letter_names_on(letter: str, others: set[str]) -> list[str]:
    """The names that say ``letter`` on a screen whose other targets' phrases are ``others``:
    none of them when another target is said the same way (see :data:`HOMOPHONES`)."""
    letter = letter.lower()
    if letter not in LETTER_NAMES:
        return []
    if others & {letter, *HOMOPHONES.get(letter, ())}:
        return []
    return [name for name in LETTER_NAMES[letter] if name not in others]


def words_of(label: str) -> list[str]:
    """The words a label is said with: lower case, digits as words, symbols and emoji dropped."""
    text = label.lower().replace("&", " and ").replace("’", "'").replace("-", " ")
    words: list[str] = []
    for token in _WORD.findall(text):
        words.extend(number_words(int(token)) if token.isdigit() else [token])
    return words


def phrase_of(label: str) -> str:
    """The phrase that chooses a target with this label ("" when nothing sayable is left)."""
    return " ".join(words_of(label)[:MAX_WORDS])
