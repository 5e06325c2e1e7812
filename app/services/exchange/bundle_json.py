"""Strict JSON for bundles: no repeated keys, no NaN or Infinity, and a list read one item at a time.

`parse_json` reads a small part (the manifest, the signature) whole; `json_items` parses a part's
JSON list from a stream of UTF-8 chunks one record at a time, so that a large bundle is never all
in memory, and refuses a record too large to be one. Errors are BundleErrors naming the part.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from app.services.exchange.bundle_format import BundleError

MAX_RECORD_CHARS = 16 * 1024 * 1024  # one record's JSON: far beyond any the app writes
_SPACE = re.compile(r"[ \t\n\r]*")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a JSON object repeats a key")
    return found


def _no_constants(name: str) -> object:
    raise ValueError(f"JSON holds {name}, which is not a number")


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)


def _not_json(what: str, exc: BaseException | str) -> BundleError:
    # A stream's positions count from the last chunk read, so they are left out.
    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc).splitlines()[0][:120]
    reason = reason or type(exc).__name__
    return BundleError(f"{what} is not valid JSON ({reason}).")


def parse_json(data: bytes, what: str) -> object:
    """Strict JSON from UTF-8 bytes: no repeated keys, no NaN or Infinity."""
    try:
        return _DECODER.decode(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _not_json(what, exc) from exc


class _Text:
    """UTF-8 chunks as text, buffered from the first character not yet used."""

    def __init__(self, chunks: Iterable[bytes], what: str) -> None:
        self.chunks, self.what = iter(chunks), what
        self.decode = codecs.getincrementaldecoder("utf-8")().decode
        self.buf, self.pos, self.ended = "", 0, False

    def more(self) -> bool:
        """Read on; False once everything has been read."""
        if self.ended:
            return False
        chunk = next(self.chunks, None)
        try:
            text = self.decode(b"", final=True) if chunk is None else self.decode(chunk)
        except UnicodeDecodeError as exc:
            raise _not_json(self.what, exc) from exc
        self.ended = chunk is None
        self.buf, self.pos = self.buf[self.pos:] + text, 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), not used yet."""
        if self.pos < len(self.buf) and self.buf[self.pos] not in " \t\n\r":
            return self.buf[self.pos]  # the app writes no white space: this is nearly always so
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def value(self) -> object:
        """The next JSON value, reading on as far as it needs."""
        self.peek()
        while True:
            try:
                item, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # Cut off by the end of what is read so far (an error near the end, or an open string)?
                cut = exc.pos >= len(self.buf) - 16 or exc.msg.startswith("Unterminated string")
                if cut and len(self.buf) - self.pos > MAX_RECORD_CHARS:
                    raise BundleError(f"{self.what} holds a record too large to be one.") from exc
                if cut and self.more():
                    continue
                raise _not_json(self.what, exc) from exc
            except (ValueError, RecursionError) as exc:
                raise _not_json(self.what, exc) from exc
            if not isinstance(item, (dict, list, str)) and end >= len(self.buf) - 16 and self.more():
                continue  # a number may go on in the next chunk ("1." of "1.5")
            self.pos = end
            return item


def json_items(chunks: Iterable[bytes], what: str) -> Iterator[object]:
    """The items of one JSON list, parsed one at a time from UTF-8 chunks; BundleError naming
    `what` if the text is not valid JSON, or not a list."""
    text = _Text(chunks, what)
    if text.peek() != "[":
        text.value()  # BundleError if it is not JSON at all
        raise BundleError(f"{what} must hold a list of records.")
    text.pos += 1
    if text.peek() == "]":
        text.pos += 1
    else:
        while True:
            yield text.value()
            found = text.peek()
            text.pos += 1
            if found == "]":
                break
            if found != ",":
                raise _not_json(what, "Expecting ',' delimiter" if found else "it ends too soon")
    if text.peek():
        raise _not_json(what, "Extra data")
