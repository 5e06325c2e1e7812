"""Where the cursor stands in a text, for the keyboard's rules and for prediction: the word
being typed, the previous word, and whether a token goes on after a full stop (see the rules
in :mod:`app.access.text_entry`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.access.prediction import SENTENCE_START

__all__ = [
    "AUTO_SPACE_AFTER", "CLOSING", "I_WORDS", "SENTENCE_ENDS", "Context", "continues_token", "split_context",
    "trailing_word",
]

I_WORDS = frozenset({"i", "i'm", "i've", "i'll", "i'd"})
SENTENCE_ENDS = ".!?\n"
AUTO_SPACE_AFTER = ".,;:!?"
CLOSING = ".,;:!?)"
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'\u2019")
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*|[.!?\n]")
_DOTTED_RE = re.compile(r"([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)\. $")


@dataclass(frozen=True)
class Context:
    """Where the cursor is, for prediction.

    Attributes:
        previous: the previous word in lower case, or ``SENTENCE_START``.
        prefix: the partial word before the cursor, as typed ("" if none).
        after: the character just before *prefix* ("" at the start of the text).
        earlier: the word before *previous* in lower case, or ``SENTENCE_START``.
    """

    previous: str
    prefix: str
    after: str
    earlier: str = SENTENCE_START


def trailing_word(text: str) -> str:
    """The run of word characters (letters, digits, apostrophes) at the end of *text*."""
    i = len(text)
    while i and text[i - 1] in _WORD_CHARS:
        i -= 1
    return text[i:]


def continues_token(before: str, ch: str) -> bool:
    """True when *ch*, typed after *before* (ending in a full stop and its automatic space),
    goes on with the same token, so the space is taken back (see the module docstring)."""
    if not ch.isalnum() or not ch.isascii():
        return False
    found = _DOTTED_RE.search(before)
    if not found:
        return False
    parts = found.group(1).split(".")
    last = parts[-1]
    if last.isdigit():
        return ch.isdigit()  # "2.5", "10.30"; "3. Then" is a sentence
    if len(parts) == 1:
        return len(last) == 1 or last.lower() == "www"  # "e.g", "i.e", "www.example"
    return len(last) >= 2  # "www.example.org"; after "e.g." a new sentence


def split_context(text: str) -> Context:
    """The :class:`Context` at the end of *text* (the text before the cursor)."""
    text = text[-300:].replace("\u2019", "'")
    prefix = trailing_word(text).lstrip("'")
    start = len(text) - len(prefix)
    tokens = _TOKEN_RE.findall(text[max(0, start - 200):start])
    previous = SENTENCE_START if not tokens or tokens[-1] in SENTENCE_ENDS else tokens[-1].lower()
    earlier = SENTENCE_START if previous == SENTENCE_START or len(tokens) < 2 or tokens[-2] in SENTENCE_ENDS \
        else tokens[-2].lower()
    return Context(previous, prefix, text[start - 1] if start else "", earlier)
