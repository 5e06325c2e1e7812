"""The recogniser on espeak-ng's speech: words the dictionary lacks, grammars, the endpointer."""

from __future__ import annotations

import math
from array import array

import pytest

from app.voice import pronounce
from app.voice import recogniser as recogniser_module
from app.voice.audio import Resampler, read_wav, wav_at_16k, write_wav
from app.voice.phrases import letter_names_on, phrase_of, words_of
from app.voice.pronounce import Pronouncer, ipa_to_arpabet, spelling_to_arpabet
from tests.voice import require_recogniser, say

SCREEN = ["unheard", "health before social", "tickbox", "medicalised", "patronising",
          "just a number", "fighting for care", "add keyword", "our definition", "read all", "undo",
          "back", "next", "choose", "read it", "page", "stop listening"]


@pytest.fixture(scope="module")
def recogniser():
    require_recogniser()
    from app.voice.recogniser import Recogniser

    return Recogniser()


def hear(recogniser, path):
    return [h.text for h in recogniser.feed(wav_at_16k(path).tobytes())] + \
        [h.text for h in recogniser.flush()]


def test_words_the_dictionary_lacks_get_a_pronunciation_and_the_grammar_takes_them(recogniser):
    for word in ("patronising", "medicalised", "tickbox"):
        assert recogniser.decoder.lookup_word(word) is None or word in recogniser.pronouncer._done
    kept = recogniser.set_phrases(SCREEN)
    assert kept == tuple(SCREEN)
    for word in ("patronising", "medicalised", "tickbox"):
        assert recogniser.decoder.lookup_word(word)  # now it can be heard


@pytest.mark.parametrize("label", ["tickbox", "medicalised", "patronising", "our definition"])
def test_a_label_said_is_heard_as_that_label(recogniser, tmp_path, label):
    recogniser.set_phrases(SCREEN)
    assert hear(recogniser, say(label, tmp_path, voice="en-us")) == [label]


def test_silence_and_a_click_are_not_words(recogniser, tmp_path):
    recogniser.set_phrases(SCREEN)
    samples = array("h", bytes(32000))
    samples[8000:8040] = array("h", [20000, -20000] * 20)  # a 2.5 ms click
    path = tmp_path / "click.wav"
    write_wav(path, samples)
    assert hear(recogniser, path) == []


def test_ipa_maps_to_the_models_phones():
    assert ipa_to_arpabet("t ˈɪ k b ɑː k s") == "T IH K B AA K S"
    assert ipa_to_arpabet("bˈʌʔn̩") == "B AH T AH N"
    assert ipa_to_arpabet("tʃˈɜːtʃ") == "CH ER CH"


def test_without_espeak_the_spelling_still_gives_every_word_a_pronunciation(monkeypatch):
    monkeypatch.setattr(pronounce, "espeak_ipa", lambda words, voice="en-us": None)
    made = dict(Pronouncer(lambda word: None).additions(["tickbox", "zzz"]))
    assert made == {"tickbox": spelling_to_arpabet("tickbox"), "zzz": "Z Z Z"}


def test_labels_become_the_words_said():
    assert words_of("✚ Add keyword") == ["add", "keyword"]
    assert words_of("Step-scan\n2 switches") == ["step", "scan", "two", "switches"]
    assert phrase_of("What should social care be in the future?") == "what should social care be"


def test_resampling_keeps_a_tone_and_reads_what_sox_and_espeak_write(tmp_path):
    tone = [int(8000 * math.sin(2 * math.pi * 440 * i / 22050)) for i in range(22050)]
    out = Resampler(22050).process(tone)
    expected = [int(8000 * math.sin(2 * math.pi * 440 * i / 16000)) for i in range(100, 200)]
    assert max(abs(a - b) for a, b in zip(out[100:200], expected, strict=True)) < 80
    stereo = tmp_path / "x.wav"
    write_wav(stereo, array("h", [100, 300] * 50), rate=8000)
    samples, rate = read_wav(stereo)
    assert rate == 8000 and len(samples) == 100


def test_words_not_on_the_screen_are_rejected_not_chosen(recogniser, tmp_path):
    recogniser.set_phrases(SCREEN)
    for word in ("coffee", "hello", "good morning", "i don't know", "football"):
        heard = recogniser.feed(wav_at_16k(say(word, tmp_path)).tobytes()) + recogniser.flush()
        assert [h.text for h in heard] == [""], word  # heard as an utterance, matched to nothing
        if heard[0].rejected:  # the grammar gave a label; it fitted too badly to be chosen
            assert heard[0].margin < recogniser_module.ACCEPT_MARGIN
    # and a label said the same way is still chosen
    assert hear(recogniser, say("our definition", tmp_path)) == ["our definition"]


MEMBERS_SCREEN = ["alex", "sam", "jordan", "priya", "kai", "ruth facilitator", "switch test",
                  "import a bundle", "facilitator", "quit", "what happened", "next", "back",
                  "choose", "undo", "read it", "page", "stop listening"]


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
def test_thank_you_is_turned_away_on_the_members_screen(recogniser, tmp_path, voice):
    """The grammar alone gives a member's name for "thank you", and it fits better than free
    phones do (margin +9 to +18): it is turned away because "Sam" leaves "you" to silence."""
    recogniser.set_phrases(MEMBERS_SCREEN)
    heard = recogniser.feed(wav_at_16k(say("thank you", tmp_path, voice=voice)).tobytes())
    heard += recogniser.flush()
    assert [h.text for h in heard] == [""]
    assert heard[0].rejected in MEMBERS_SCREEN  # the grammar gave a name; it was turned away
    assert recogniser.unexplained() > recogniser_module.MAX_UNEXPLAINED


def test_a_word_with_an_inner_h_is_also_heard_without_it(monkeypatch):
    monkeypatch.setattr(pronounce, "espeak_ipa", lambda words, voice="en-us": None)
    lookup = {"unheard": "AH N HH ER D", "hello": "HH AH L OW"}.get
    made = Pronouncer(lookup).additions(["unheard", "hello"])
    assert made == [("unheard(2)", "AH N ER D")]  # a first "h" stays: "hello" is not "ello"


def test_a_letters_name_is_offered_unless_a_word_on_screen_sounds_the_same():
    assert letter_names_on("b", {"care", "bravo"}) == ["b."]
    assert letter_names_on("B", {"be", "bravo"}) == []  # the prediction "be" is what is heard
    assert letter_names_on("u", {"you"}) == [] and letter_names_on("i", {"i"}) == []
    assert letter_names_on("z", {"the"}) == ["z.", "zed"]  # British and American
    assert letter_names_on("h", set()) == ["h.", "haitch"]
    assert letter_names_on("1", set()) == []


@pytest.mark.parametrize("letter", ["y", "q", "u"])
def test_a_letters_name_is_heard_as_that_letter_among_the_keys(recogniser, tmp_path, letter):
    recogniser.set_phrases([*SCREEN, *(f"{c}." for c in "abcdefghijklmnopqrstuvwxyz"), "zed"])
    assert hear(recogniser, say(letter, tmp_path, voice="en-gb")) == [f"{letter}."]


def test_a_letters_name_is_not_typed_as_a_letter_that_sounds_alike(recogniser, tmp_path):
    """"dee" and "tee" are heard as "bee" or "dee" by turns (the grammar alone gives "b" for
    "dee"); a name is typed only when it beats every other phrase clearly, so never as "b"."""
    recogniser.set_phrases([*SCREEN, "b.", "d.", "t."])
    for letter in ("d", "t"):
        for voice in ("en-us", "en-gb"):
            heard = recogniser.feed(wav_at_16k(say(letter, tmp_path, voice=voice)).tobytes())
            heard += recogniser.flush()
            assert [h.text for h in heard] in ([f"{letter}."], [""]), (letter, voice, heard)


def test_a_word_of_one_letter_stays_a_word_beside_the_letters_names(recogniser):
    """The prediction "a" is the word (AH or EY), never the letter's name "a." (EY alone)."""
    assert recogniser.set_phrases([*SCREEN, "a", "b."])[-2:] == ("a", "b.")
    assert recogniser.decoder.lookup_word("a") != recogniser.decoder.lookup_word("a.")
