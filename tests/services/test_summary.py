"""What happened to your words: the easy-read summary of a meeting, and its Word file."""

from __future__ import annotations

from docx import Document
from docx.shared import Pt

from app.services.container import Services

from .conftest import Project


def _part(summary, heading):
    return next(p.sentences for p in summary.parts if p.heading == heading)


def test_a_members_summary_of_the_meeting(services: Services, demo: Project):
    sv, alex, sam = services, demo.member("Alex"), demo.member("Sam")
    mine = sv.contributions.add(alex, demo.now, "left waiting", meeting_id=demo.meeting).record_id
    sv.contributions.endorse(sam, mine)
    sv.contributions.endorse(demo.member("Priya"), mine)
    sv.contributions.add(alex, demo.now, "a secret thought", anonymous=True, meeting_id=demo.meeting)
    hidden = sv.contributions.add(alex, demo.now, "off topic words", meeting_id=demo.meeting).record_id
    first = sv.drafts.current_version(demo.now)
    longer = first.text + " We are often left waiting."
    version = sv.drafts.save_version(sam, demo.now, longer, first.id).record_id
    sv.drafts.set_stance(sam, version, "agree")
    sv.drafts.set_stance(demo.member("Kai"), version, "agree")
    fs = sv.facilitator.set_passphrase(demo.id, "a long passphrase").session
    sv.review.hide(fs, hidden, "off topic")

    summary = sv.summaries.for_member(alex)
    assert summary.meeting.startswith("First meeting on ")
    assert "You added “left waiting”." in _part(summary, "What you added")
    assert not [s for s in summary.sentences if "secret thought" in s or "off topic" in s]
    assert "Sam and Priya said “me too” to “left waiting”." in _part(summary, "Who said “me too”")
    words = _part(summary, "Your words in the definitions")
    assert "Your words “left waiting” are in the definition for NOW." in words
    decided = _part(summary, "What the group decided")
    assert any(s.startswith("The definition for NOW now says: “Social care now") for s in decided)
    assert "2 people agree with it." in decided
    # short sentences, as easy read asks
    assert all(len(s.split()) <= 45 for s in summary.sentences)
    assert summary.spoken.startswith("What you added. You added")


def test_a_member_who_added_nothing_is_told_so_plainly(services: Services, demo: Project, fs):
    noor = services.participants.add_member(fs, "Noor").record_id
    summary = services.summaries.for_member(noor)
    assert _part(summary, "What you added") == ("You did not add words this time.",)
    assert _part(summary, "Who said “me too”") == ("There is nothing here yet.",)
    assert _part(summary, "Your words in the definitions") == ("Your words are not in a definition yet.",)


def test_summaries_as_easy_read_word_files(services: Services, demo: Project, fs, tmp_path):
    result = services.exports.summaries(fs, tmp_path / "words")
    names = sorted(p.name for p in result.paths)
    assert "words-Alex.docx" in names and not [n for n in names if "Facilitator" in n]
    doc = Document(str(tmp_path / "words" / "words-Alex.docx"))
    assert doc.styles["Normal"].font.size == Pt(20)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["What you added", "Who said “me too”", "Your words in the definitions",
                        "What the group decided"]
    text = [p.text for p in doc.paragraphs]
    assert "For Alex." in text
    assert (tmp_path / "words" / "words-Alex.docx").stat().st_mode & 0o777 == 0o600
