"""Sentence splitting and keyword coverage."""

from __future__ import annotations

import pytest

from app.services.group.text_tools import join_sentences, keyword_coverage, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("Are we heard? Not often! We fight.", ["Are we heard?", "Not often!", "We fight."]),
        ("It is a tickbox, e.g. forms. Next one.", ["It is a tickbox, e.g. forms.", "Next one."]),
        ("No full stop at the end", ["No full stop at the end"]),
        ("First line\nSecond line.", ["First line", "Second line."]),
        ("Care costs £5.50 a day. Too much.", ["Care costs £5.50 a day.", "Too much."]),
        ("  ", []),
        ("“Being known.” That matters.", ["“Being known.”", "That matters."]),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_join_gives_back_the_text():
    text = "Social care leaves us unheard. It feels like a tickbox."
    assert join_sentences(split_sentences(text)) == text


def test_word_forms_match():
    coverage = keyword_coverage("We keep fighting. She fights. They fought.", ["fight", "fights"])
    assert coverage.used == ["fight", "fights"]
    assert keyword_coverage("Caring matters", ["care"]).used == ["care"]
    assert keyword_coverage("We were engaged", ["engaging"]).used == ["engaging"]


def test_case_is_ignored():
    assert keyword_coverage("UNHEARD and Tickbox", ["unheard", "TICKBOX"]).used == ["unheard", "TICKBOX"]


def test_multi_word_keywords_need_the_words_in_order():
    text = "Health comes before social life. We are fighting for care."
    coverage = keyword_coverage(text, ["fighting for care", "health before social", "being known"])
    assert coverage.used == ["fighting for care"]
    assert coverage.unused == ["health before social", "being known"]
    assert keyword_coverage("health before social", ["health before social"]).used


def test_hyphens_join_words_and_partial_words_do_not_match():
    assert keyword_coverage("a tick-box exercise", ["tickbox"]).used == ["tickbox"]
    assert keyword_coverage("unheard", ["heard"]).unused == ["heard"]
