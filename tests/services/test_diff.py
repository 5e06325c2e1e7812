"""Word-level diffs: known pairs, the three forms, and the invariants on any texts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.review.diff import DELETE, EQUAL, INSERT, tokenize, word_diff


def kinds(older: str, newer: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in word_diff(older, newer).segments]


KNOWN = [
    # (older, newer, marked, spoken)
    ("Social care is scary", "Social care is scary and coordinated",
     "Social care is scary [+ and coordinated +]", "added: and coordinated"),
    ("Care that is scary and slow.", "Care that is slow.",
     "Care that is [- scary and -] slow.", "removed: scary and"),
    ("Care that is scary.", "Care that is proactive and coordinated.",
     "Care that is [- scary -] [+ proactive and coordinated +].",
     "removed: scary; added: proactive and coordinated"),
    ("We are unheard, tickbox.", "We are unheard tickbox.",
     "We are unheard [- , -] tickbox.", "removed: comma"),
    ("We keep fighting", "We keep fighting.", "We keep fighting [+ . +]", "added: full stop"),
    ("don't leave us", "do not leave us", "[- don't -] [+ do not +] leave us",
     "removed: don't; added: do not"),
    ("", "A new start", "[+ A new start +]", "added: A new start"),
    ("Gone now", "", "[- Gone now -]", "removed: Gone now"),
    ("same text", "same text", "same text", "no changes"),
]


@pytest.mark.parametrize(("older", "newer", "marked", "spoken"), KNOWN)
def test_known_pairs(older: str, newer: str, marked: str, spoken: str):
    diff = word_diff(older, newer)
    assert diff.marked == marked
    assert diff.spoken == spoken
    assert diff.changed == (spoken != "no changes")


def test_segments_of_a_replacement():
    assert kinds("It is scary.", "It is worrying.") == [
        (EQUAL, "It is "), (DELETE, "scary"), (INSERT, "worrying"), (EQUAL, "."),
    ]


def test_word_counts():
    diff = word_diff("Care that is scary.", "Care that is proactive and coordinated.")
    assert (diff.words_added, diff.words_removed) == (3, 1)
    assert word_diff("unheard, tickbox", "unheard tickbox").words_removed == 0  # a comma is no word


def test_spacing_alone_is_no_change():
    diff = word_diff("We  are\nunheard", "We are unheard")
    assert not diff.changed and diff.spoken == "no changes"
    assert diff.marked == "We are unheard"
    assert not word_diff("  leading", "leading").changed
    assert not word_diff("leading", "   leading").changed


def test_case_and_punctuation_are_changes():
    assert word_diff("care", "Care").spoken == "removed: care; added: Care"
    assert word_diff("care!", "care?").spoken == "removed: exclamation mark; added: question mark"


def test_markup_never_relies_on_colour_and_keeps_words_apart():
    marked = word_diff("one two three", "one three four").marked
    assert marked == "one [- two -] three [+ four +]"
    assert "[-" in marked and "[+" in marked  # the change is in the text itself


def test_tokens_rebuild_the_text():
    text = "  Hello, world!  It's   fine.\n"
    assert "".join(raw for _, raw in tokenize(text)) == text
    assert [core for core, _ in tokenize(text)] == ["", "Hello", ",", "world", "!", "It's", "fine", "."]


def test_non_text_is_refused():
    with pytest.raises(TypeError):
        word_diff("a", None)  # type: ignore[arg-type]


@given(st.text(), st.text())
def test_equal_and_inserted_pieces_give_the_newer_text(older: str, newer: str):
    diff = word_diff(older, newer)
    assert "".join(s.text for s in diff.segments if s.kind != DELETE) == newer
    assert all(s.kind in (EQUAL, INSERT, DELETE) and s.text for s in diff.segments)
    for a, b in zip(diff.segments, diff.segments[1:], strict=False):
        assert a.kind != b.kind  # neighbours are merged


@given(st.text())
def test_a_text_against_itself_has_no_changes(text: str):
    diff = word_diff(text, text)
    assert not diff.changed and diff.spoken == "no changes" and diff.marked == text
