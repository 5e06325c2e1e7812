"""The live meeting's services: planning, pacing, think first, dot votes, asks, attendance,
and the refusals that write nothing (on SQLite, and PostgreSQL when CANVAS_TEST_PG_URL is set)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.services.container import Services
from app.services.errors import DomainError, FacilitatorLocked
from tests.services.conftest import Project


def _now_prompt(demo: Project) -> str:
    return next(p.id for p in demo.prompts if p.pair_role == "now")


def _meeting(services: Services, fs, demo: Project, think_first: bool = True, several: bool = True):
    prompt = _now_prompt(demo)
    start = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)
    m = services.meetings.plan(fs, date(2026, 12, 2), "Second meeting", start, start + timedelta(hours=1))
    ids = [services.meetings.add_step(fs, m.record_id, "talk", "Introductions").record_id,
           services.meetings.add_step(fs, m.record_id, "keywords", "Keywords for NOW", prompt,
                                      think_first=think_first).record_id,
           services.meetings.add_step(fs, m.record_id, "vote", "Vote", prompt, dots=3,
                                      several_on_one=several).record_id]
    return m.record_id, ids, prompt


def test_a_meeting_from_plan_to_results(services: Services, fs, demo: Project, counts):
    meeting, (talk, keywords, vote), prompt = _meeting(services, fs, demo)
    alex, sam, jordan = demo.member("Alex"), demo.member("Sam"), demo.member("Jordan")
    assert services.live.running(demo.id) is None
    services.meetings.start(fs, meeting)
    live = services.live.running(demo.id)
    assert live is not None and live.current.id == talk
    assert services.meetings.move_to(fs, keywords).message == "The group is now on: Keywords for NOW"
    assert services.live.running(demo.id).current.hides
    before = services.contributions.list_for_prompt(prompt, sam)
    assert {c.author for c in before} <= {"Sam"}  # others' keywords are kept back while thinking first
    added = {who: services.contributions.add(who, prompt, f"word of {who[:4]}").record_id
             for who in (alex, sam, jordan)}
    mine = [c.text for c in services.contributions.list_for_prompt(prompt, sam)]
    assert mine == [c.text for c in before] + [f"word of {sam[:4]}"]
    assert services.meetings.keywords_added(fs, keywords) == (3, 3)
    services.meetings.reveal(fs, keywords)
    assert len(services.contributions.list_for_prompt(prompt, sam)) > len(mine) + 1
    services.meetings.move_to(fs, vote)
    for who in (alex, sam, jordan):
        for _ in range(3):
            services.live.vote(who, vote, added[alex])
        assert services.live.dots(who, vote).left == 0
    with pytest.raises(DomainError, match="hidden until"):
        services.live.results(alex, vote)
    assert services.meetings.voters(fs, vote) == 3
    services.meetings.reveal(fs, vote)
    [top] = services.live.results(alex, vote)
    assert (top.contribution_id, top.dots) == (added[alex], 9)
    assert top.spoken() == f"word of {alex[:4]}: 9 dots" and top.bar(9) == "█" * 20
    # what was added in the meeting is stamped with it
    from app.store.models import Contribution
    with services.projects.store.read() as s:
        assert {s.get(Contribution, cid).meeting_id for cid in added.values()} == {meeting}
    services.meetings.end(fs, meeting)
    assert services.live.running(demo.id) is None


def test_asks_wait_oldest_first_until_answered(services: Services, fs, demo: Project):
    meeting, _ids, _prompt = _meeting(services, fs, demo)
    alex, sam = demo.member("Alex"), demo.member("Sam")
    with pytest.raises(DomainError, match="No meeting is running"):
        services.live.ask(alex, "break")
    services.meetings.start(fs, meeting)
    services.live.ask(sam, "again")
    services.live.ask(alex, "break")
    assert "already" in services.live.ask(alex, "break").message  # asked twice: one ask
    waiting = services.meetings.waiting_asks(fs, meeting)
    assert [a.spoken() for a in waiting] == ["Sam: Please say that again", "Alex: I need a break"]
    assert [a.member for a in services.live.waiting_asks(demo.id, alex)] == ["Alex"]
    services.meetings.answer(fs, waiting[0].id)
    assert [a.member for a in services.meetings.waiting_asks(fs, meeting)] == ["Alex"]
    with pytest.raises(DomainError):
        services.live.ask(alex, "dance")


def test_attendance_and_minutes(services: Services, fs, demo: Project):
    meeting, _ids, _prompt = _meeting(services, fs, demo)
    services.meetings.set_attendance(fs, meeting, demo.member("Alex"))
    services.meetings.set_attendance(fs, meeting, demo.member("Sam"), minutes=45)
    got = {a.member: a.minutes for a in services.meetings.attendance(fs, meeting)}
    assert got == {"Alex": 60, "Sam": 45}  # unset: the planned length
    with pytest.raises(DomainError, match="negative"):
        services.meetings.set_attendance(fs, meeting, demo.member("Kai"), minutes=-5)
    services.meetings.set_attendance(fs, meeting, demo.member("Sam"), present=False)
    assert [a.member for a in services.meetings.attendance(fs, meeting)] == ["Alex"]


def test_bad_votes_are_refused_and_nothing_is_written(services: Services, fs, demo: Project, counts):
    meeting, (_talk, keywords, vote), prompt = _meeting(services, fs, demo, think_first=False,
                                                        several=False)
    alex = demo.member("Alex")
    keyword = services.contributions.list_for_prompt(prompt, alex)[0].id
    services.meetings.start(fs, meeting)
    with pytest.raises(DomainError, match="not on this vote"):
        services.live.vote(alex, vote, keyword)
    services.meetings.move_to(fs, vote)
    services.live.vote(alex, vote, keyword)
    before = counts()
    with pytest.raises(DomainError, match="one dot per keyword"):
        services.live.vote(alex, vote, keyword)
    hidden = services.contributions.list_for_prompt(prompt, alex)[1]
    services.review.hide(fs, hidden.id, "off topic")
    with pytest.raises(DomainError, match="hidden or withdrawn"):
        services.live.vote(alex, vote, hidden.id)
    others = [c.id for c in services.contributions.list_for_prompt(prompt, alex)[1:]]
    services.live.vote(alex, vote, others[0])
    services.live.vote(alex, vote, others[1])
    before = counts()
    with pytest.raises(DomainError, match="dots are used"):
        services.live.vote(alex, vote, others[2])
    assert counts() == before
    assert services.live.take_back(alex, vote).message == "Dot taken back."
    services.meetings.reveal(fs, vote)
    with pytest.raises(DomainError, match="closed"):
        services.live.vote(alex, vote, others[2])
    with pytest.raises(DomainError):
        services.live.vote(alex, keywords, keyword)  # not a vote step


def test_planning_refusals(services: Services, fs, demo: Project, counts):
    start = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)
    before = counts()
    with pytest.raises(DomainError, match="ends before it starts"):
        services.meetings.plan(fs, date(2026, 12, 2), "Backwards", start, start - timedelta(minutes=1))
    with pytest.raises(DomainError, match="dots"):
        m = services.meetings.plan(fs, date(2026, 12, 2), "M")
        services.meetings.add_step(fs, m.record_id, "vote", "Vote", _now_prompt(demo), dots=0)
    with pytest.raises(FacilitatorLocked):
        services.meetings.plan(object(), date(2026, 12, 2), "No session")
    assert counts()["agenda_step"] == before["agenda_step"]


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_a_withdrawal_takes_the_members_dots_and_asks(services: Services, fs, demo: Project, mode: str):
    meeting, (_talk, _keywords, vote), prompt = _meeting(services, fs, demo, think_first=False)
    alex, sam = demo.member("Alex"), demo.member("Sam")
    keyword = next(c.id for c in services.contributions.list_for_prompt(prompt, sam) if c.author == "Sam")
    services.meetings.start(fs, meeting)
    services.meetings.move_to(fs, vote)
    services.live.vote(alex, vote, keyword)
    services.live.vote(sam, vote, keyword)
    services.live.ask(alex, "speak")
    services.meetings.set_attendance(fs, meeting, alex, minutes=30)
    preview = services.participants.withdrawal_preview(fs, alex, mode)
    assert (preview.counts["votes"], preview.counts["asks"]) == (1, 1)
    services.participants.withdraw(fs, alex, mode)
    services.meetings.reveal(fs, vote)
    assert [r.dots for r in services.live.results(sam, vote)] == [1]
    assert services.meetings.waiting_asks(fs, meeting) == ()
    # the payment record stays, under the placeholder name
    [kept] = services.meetings.attendance(fs, meeting)
    assert kept.minutes == 30 and kept.member != "Alex"


def test_think_first_counts_who_has_added_never_who(services: Services, fs, demo: Project):
    meeting, (_talk, keywords, vote), prompt = _meeting(services, fs, demo)
    alex, sam, jordan = demo.member("Alex"), demo.member("Sam"), demo.member("Jordan")
    services.meetings.start(fs, meeting)
    services.meetings.move_to(fs, keywords)
    # the demo's keywords came before the group got here: nobody has added yet, of 5 participants
    assert services.live.added(keywords).text() == "0 of 5 have added"
    services.contributions.add(alex, prompt, "first thought")
    services.contributions.add(alex, prompt, "second thought")  # one person, however many keywords
    services.contributions.add(demo.facilitator, prompt, "the facilitator's")  # not a participant
    assert services.live.added(keywords).text() == "1 of 5 has added"
    services.contributions.add(sam, prompt, "sam's thought")
    services.contributions.add(jordan, prompt, "jordan's thought")
    assert (services.live.added(keywords).added, services.live.added(keywords).participants) == (3, 5)
    services.participants.withdraw(fs, jordan, "delete")  # their keyword and their place go
    assert services.live.added(keywords).text() == "2 of 4 have added"
    with pytest.raises(DomainError, match="not a keyword step"):
        services.live.added(vote)
