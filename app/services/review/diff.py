"""Word-level differences between two texts: pure, no store, no Qt.

Texts are cut into tokens: a word (letters, digits and inner apostrophes, as in
"don't") or one punctuation mark, each carrying the whitespace that follows it.
Tokens are compared on their core (the whitespace is ignored), with difflib, so a
changed line break or double space is not a change, while a changed comma is.

The result is given three ways, so nothing relies on colour:

- `segments`: (kind, text) pieces, kind "equal", "insert" or "delete". The equal and
  insert pieces joined together give the newer text exactly.
- `marked`: plain text with changes marked in brackets, e.g.
  "Care that is [- scary -] [+ joined up and coordinated +]."
- `spoken`: what a screen reader or the app's speech says, e.g.
  "removed: scary; added: joined up and coordinated".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

EQUAL, INSERT, DELETE = "equal", "insert", "delete"

_TOKEN = re.compile(r"(\w+(?:['’]\w+)*|[^\w\s])(\s*)", re.UNICODE)
_LEADING_SPACE = re.compile(r"\s*")

# Spoken names for a change that is only a punctuation mark.
_PUNCTUATION_NAMES = {
    ".": "full stop", ",": "comma", ";": "semicolon", ":": "colon", "!": "exclamation mark",
    "?": "question mark", "-": "dash", "–": "dash", "—": "dash", "(": "open bracket",
    ")": "close bracket", '"': "quote", "'": "apostrophe", "…": "ellipsis", "/": "slash",
}


@dataclass(frozen=True)
class DiffSegment:
    """One piece of a diff: kind is "equal", "insert" or "delete"; text keeps its spacing."""

    kind: str
    text: str


@dataclass(frozen=True)
class WordDiff:
    """The difference from an older text to a newer one, in three forms (see the module)."""

    segments: tuple[DiffSegment, ...]
    marked: str
    spoken: str
    words_added: int
    words_removed: int

    @property
    def changed(self) -> bool:
        """True when the texts differ by more than spacing."""
        return any(seg.kind != EQUAL for seg in self.segments)


@dataclass(frozen=True)
class _Token:
    core: str
    raw: str


def tokenize(text: str) -> list[tuple[str, str]]:
    """Cut text into (core, raw) tokens; raw is the core plus the whitespace after it.

    Leading whitespace becomes a token with an empty core. Joining every raw part
    gives the text back exactly.
    """
    tokens: list[tuple[str, str]] = []
    lead = _LEADING_SPACE.match(text)
    start = 0
    if lead and lead.end():
        tokens.append(("", lead.group()))
        start = lead.end()
    for match in _TOKEN.finditer(text, start):
        tokens.append((match.group(1), match.group(0)))
    return tokens


def _count_words(text: str) -> int:
    return sum(1 for core, _raw in tokenize(text) if core[:1].isalnum() or core[:1] == "_")


def _merge(segments: list[DiffSegment]) -> list[DiffSegment]:
    merged: list[DiffSegment] = []
    for seg in segments:
        if not seg.text.strip():
            if seg.kind == DELETE or not seg.text:
                continue  # only spacing went: not a change
            seg = DiffSegment(EQUAL, seg.text)  # only spacing came: keep it, unmarked
        if merged and merged[-1].kind == seg.kind:
            merged[-1] = DiffSegment(seg.kind, merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return merged


def _mark(segments: list[DiffSegment]) -> str:
    out: list[str] = []
    for seg in segments:
        if seg.kind == EQUAL:
            out.append(seg.text)
            continue
        core = seg.text.strip()
        if not core:
            out.append(seg.text)
            continue
        lead = seg.text[: len(seg.text) - len(seg.text.lstrip())]
        trail = seg.text[len(seg.text.rstrip()):]
        open_, close = ("[+ ", " +]") if seg.kind == INSERT else ("[- ", " -]")
        if not lead and out and not out[-1][-1:].isspace():
            lead = " "  # keep a marker from touching the word before it
        out.append(f"{lead}{open_}{core}{close}{trail}")
    return "".join(out)


def _say(text: str) -> str:
    core = " ".join(text.split())
    return _PUNCTUATION_NAMES.get(core, core)


def _speak(segments: list[DiffSegment]) -> str:
    parts = [
        f"{'added' if seg.kind == INSERT else 'removed'}: {_say(seg.text)}"
        for seg in segments
        if seg.kind != EQUAL and seg.text.strip()
    ]
    return "; ".join(parts) if parts else "no changes"


def word_diff(older: str, newer: str) -> WordDiff:
    """The word-level difference from `older` to `newer` (see the module docstring)."""
    if not isinstance(older, str) or not isinstance(newer, str):
        raise TypeError("word_diff compares two texts")
    a = tokenize(older)
    b = tokenize(newer)
    matcher = SequenceMatcher(None, [core for core, _ in a], [core for core, _ in b], autojunk=False)
    segments: list[DiffSegment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(DiffSegment(EQUAL, "".join(raw for _, raw in b[j1:j2])))
            continue
        if op in ("delete", "replace"):
            segments.append(DiffSegment(DELETE, "".join(raw for _, raw in a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(DiffSegment(INSERT, "".join(raw for _, raw in b[j1:j2])))
    merged = _merge(segments)
    return WordDiff(
        segments=tuple(merged),
        marked=_mark(merged),
        spoken=_speak(merged),
        words_added=sum(_count_words(s.text) for s in merged if s.kind == INSERT),
        words_removed=sum(_count_words(s.text) for s in merged if s.kind == DELETE),
    )
