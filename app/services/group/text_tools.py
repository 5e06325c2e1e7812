"""Pure text helpers for definitions and easy-read sentences: sentences, keyword coverage, quoting."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9À-ÖØ-Þ])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "Dr.", "Mr.", "Mrs.", "Ms.", "vs.", "St.", "No.")
_WORD = re.compile(r"[\w']+", re.UNICODE)
_SUFFIXES = ("ingly", "edly", "ings", "ing", "ied", "ies", "ers", "est", "ed", "er", "es", "ly", "s")


def split_sentences(text: str) -> list[str]:
    """Split a definition into sentences, keeping each sentence's own punctuation.

    A sentence ends at . ! ? or … followed by space and a capital or digit; common
    abbreviations ("e.g.") do not end one. Line breaks also end a sentence.
    """
    sentences: list[str] = []
    for block in re.split(r"\n\s*", text.strip()):
        if not block.strip():
            continue
        start = 0
        for match in _SENTENCE_END.finditer(block):
            candidate = block[start : match.start()].rstrip()
            if any(candidate.endswith(a) for a in _ABBREVIATIONS):
                continue
            sentences.append(block[start : match.end()].strip())
            start = match.end()
        tail = block[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def join_sentences(sentences: list[str]) -> str:
    """Put sentences back together as one text."""
    return " ".join(s.strip() for s in sentences if s.strip())


def stem(word: str) -> str:
    """A light stem so that "fight", "fights", "fighting" and "fought"-less forms match."""
    w = word.casefold().strip("'")
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if suffix in ("ied", "ies"):
                w += "y"
            break
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # "stopp" -> "stop"
    if w.endswith("e") and len(w) >= 4:
        w = w[:-1]  # "care" / "caring" -> "car"
    return w


def _stems(text: str) -> list[str]:
    joined = re.sub(r"(?<=\w)-(?=\w)", "", text)  # "tick-box" is "tickbox"
    return [stem(w) for w in _WORD.findall(joined)]


@dataclass(frozen=True)
class Coverage:
    """Which of a prompt's keywords a text uses, and which it does not yet."""

    used: list[str]
    unused: list[str]


def keyword_coverage(text: str, keywords: list[str]) -> Coverage:
    """Match keywords (also multi-word ones) against the text by word form, ignoring case."""
    words = _stems(text)
    used: list[str] = []
    unused: list[str] = []
    for keyword in keywords:
        target = _stems(keyword)
        found = bool(target) and any(
            words[i : i + len(target)] == target for i in range(len(words) - len(target) + 1)
        )
        (used if found else unused).append(keyword)
    return Coverage(used, unused)


def quoted(text: str, limit: int = 200) -> str:
    """`text` on one line in curly quotes, cut to `limit` characters ("“unheard”")."""
    one = " ".join(text.split())
    return f"“{one if len(one) <= limit else one[:limit - 1] + '…'}”"


def question_name(pair_role: str | None, text: str) -> str:
    """How easy-read sentences name a question: "NOW", "FUTURE", or its text in quotes."""
    return {"now": "NOW", "future": "FUTURE"}.get(pair_role or "", quoted(text))
