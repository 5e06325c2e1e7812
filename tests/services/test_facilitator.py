"""Facilitator mode: the stored passphrase, wrong tries and their throttle, sessions, the audit log."""

from __future__ import annotations

import json
import stat
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.errors import DomainError, NotFound
from app.services.review.facilitator import (
    FREE_TRIES,
    FacilitatorLocked,
    FacilitatorService,
    verify_passphrase,
)
from app.services.review.passphrase import FIRST_WAIT, LONGEST_WAIT, PassphraseFile, passphrase_problem
from app.services.review.review_dto import FacilitatorSession
from app.store.database import Store
from app.store.models import Event

from .conftest import Project as Demo

PASS = "kettle on at four"


class Clock:
    """A settable UTC clock: tests move time on instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc) + timedelta(minutes=1)  # after the demo's own events

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fac(store: Store, clock: Clock) -> FacilitatorService:
    return FacilitatorService(store, now=clock)


def secret(store: Store, project_id: str) -> str | None:
    return PassphraseFile(store.data_folder() / "keys", project_id).stored()


def actions(store: Store) -> list[str]:
    with store.read() as s:
        return [e.action for e in s.scalars(select(Event).order_by(Event.created_at))]


# --- the passphrase --------------------------------------------------------------------------


def test_first_use_sets_a_hashed_passphrase_and_enters(store: Store, fac: FacilitatorService, demo: Demo):
    assert not fac.has_passphrase(demo.id)
    result = fac.set_passphrase(demo.id, PASS)
    assert result.ok and result.session is not None and fac.is_unlocked(result.session)
    assert result.session.member_id == demo.facilitator
    assert fac.has_passphrase(demo.id)
    stored = secret(store, demo.id)
    assert stored is not None and PASS not in stored and PASS.encode().hex() not in stored
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_passphrase(PASS, stored) and not verify_passphrase(PASS + "!", stored)
    assert "passphrase_set" in actions(store)


def test_the_same_passphrase_gets_a_new_salt(store: Store, fac: FacilitatorService, demo: Demo, other: Demo):
    fac.set_passphrase(demo.id, PASS)
    fac.set_passphrase(other.id, PASS)
    assert secret(store, demo.id) != secret(store, other.id)


BAD = ["short", "", "1234567", None, 12345678, "x" * 1025, "abcdefgh\x00", "eleven char", "two words",
       "Password123!", "qwertyuiop12", "aaaaaaaaaaaaaa", "123456789012345", "lone \ud800 surrogate here",
       "What social care means to us"]


@pytest.mark.parametrize("bad", BAD)
def test_a_bad_new_passphrase_writes_nothing(store: Store, fac: FacilitatorService, demo: Demo, counts, bad):
    before = counts()
    with pytest.raises(DomainError):
        fac.set_passphrase(demo.id, bad)
    assert counts() == before and secret(store, demo.id) is None


@pytest.mark.parametrize(("text", "reason"), [
    ("short one", "too short: use at least 12 characters, or 3 words"),
    ("Password 2024!", "one of the first that people try"),
    ("abcdefghijklm", "a run of letters"),
    ("zzzzzzzzzzzzzzz", "repeats one or two characters"),
    ("\udc80\udc81 three words here", "not valid text"),
])
def test_a_refused_passphrase_says_why(text: str, reason: str):
    assert reason in (passphrase_problem(text) or "")


@pytest.mark.parametrize("good", ["kettle on at four", "sun and rain", "twelve chars", "caf\u00e9 au lait"])
def test_long_or_three_word_passphrases_are_accepted(good: str):
    assert passphrase_problem(good) is None


def test_the_hash_and_throttle_live_in_a_private_file_not_in_the_database(
        store: Store, fac: FacilitatorService, demo: Demo):
    fac.set_passphrase(demo.id, PASS)
    fac.unlock(demo.id, "wrong wrong wrong")
    path = store.data_folder() / "keys" / f"{demo.id}.passphrase.json"
    data = json.loads(path.read_text())
    assert data["failures"] == 1 and data["hash"].startswith("$argon2id$")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            dump = "\n".join(conn.connection.driver_connection.iterdump())
        assert "argon2" not in dump and data["hash"] not in dump


def test_unlock_events_in_the_database_cannot_lock_the_facilitator_out(
        store: Store, fac: FacilitatorService, demo: Demo):
    fac.set_passphrase(demo.id, PASS)
    with store.transaction() as s:  # as a forged bundle or a member's login could once write them
        for _ in range(10):
            s.add(Event(project_id=demo.id, action="unlock_failed", target_kind="project", target_id=demo.id,
                        detail={"failures": 99}, created_at=datetime(2099, 1, 1, tzinfo=timezone.utc)))
    assert fac.wait_seconds(demo.id) == 0 and fac.unlock(demo.id, PASS).ok


def test_a_clock_put_back_never_makes_a_wait_longer_than_the_longest(
        store: Store, fac: FacilitatorService, clock: Clock, demo: Demo):
    fac.set_passphrase(demo.id, PASS)
    for _ in range(FREE_TRIES + 30):
        fac.unlock(demo.id, "wrong wrong wrong")
    clock.advance(-10 * 365 * 86400)
    assert 0 < fac.wait_seconds(demo.id) <= LONGEST_WAIT


def test_a_lone_surrogate_in_a_try_is_refused_plainly(fac: FacilitatorService, demo: Demo):
    fac.set_passphrase(demo.id, PASS)
    with pytest.raises(DomainError, match="not valid text"):
        fac.unlock(demo.id, "kettle \ud800 four")


def test_unlock_before_any_passphrase_is_refused(fac: FacilitatorService, demo: Demo, counts):
    before = counts()
    with pytest.raises(DomainError, match="No passphrase"):
        fac.unlock(demo.id, PASS)
    with pytest.raises(NotFound):
        fac.unlock("no-such-project", PASS)
    assert counts() == before


def test_a_wrong_passphrase_is_refused(store: Store, fac: FacilitatorService, demo: Demo):
    fac.set_passphrase(demo.id, PASS)
    result = fac.unlock(demo.id, "kettle on at five")
    assert not result.ok and result.session is None and result.wait_seconds == 0
    assert "not right" in result.message and "4 tries left" in result.message
    assert actions(store)[-1] == "unlock_failed"
    good = fac.unlock(demo.id, PASS)
    assert good.ok and good.session is not None and actions(store)[-1] == "unlock_ok"


def test_normalised_unicode_passphrase(fac: FacilitatorService, demo: Demo):
    fac.set_passphrase(demo.id, "caf\u00e9 au lait")
    assert fac.unlock(demo.id, "cafe\u0301 au lait").ok  # the same text, decomposed


def test_wrong_tries_are_throttled_by_the_clock(store: Store, fac: FacilitatorService, clock: Clock,
                                                demo: Demo):
    fac.set_passphrase(demo.id, PASS)
    for i in range(FREE_TRIES):
        clock.advance(1)
        result = fac.unlock(demo.id, f"wrong guess {i}")
        assert not result.ok
    assert result.wait_seconds == FIRST_WAIT
    clock.advance(10)
    refused = fac.unlock(demo.id, PASS)  # even the right one is not checked while waiting
    assert not refused.ok and refused.session is None and refused.wait_seconds == FIRST_WAIT - 10
    assert actions(store)[-1] == "unlock_refused"
    assert fac.wait_seconds(demo.id) == FIRST_WAIT - 10
    clock.advance(FIRST_WAIT - 10 - 1)
    assert fac.unlock(demo.id, PASS).wait_seconds == 1
    clock.advance(1)
    assert fac.wait_seconds(demo.id) == 0
    # After the wait, another wrong try means a wait twice as long.
    again = fac.unlock(demo.id, "still wrong")
    assert not again.ok and again.wait_seconds == 2 * FIRST_WAIT
    clock.advance(2 * FIRST_WAIT)
    assert fac.unlock(demo.id, PASS).ok
    # A right try resets the count: four wrong ones do not make anyone wait.
    for _ in range(FREE_TRIES - 1):
        clock.advance(1)
        assert fac.unlock(demo.id, "nope nope").wait_seconds == 0
    clock.advance(1)
    assert fac.unlock(demo.id, PASS).ok


def test_the_throttle_survives_a_restart(store: Store, fac: FacilitatorService, clock: Clock, demo: Demo):
    fac.set_passphrase(demo.id, PASS)
    for _ in range(FREE_TRIES):
        fac.unlock(demo.id, "wrong wrong")
    restarted = FacilitatorService(store, now=clock)
    clock.advance(5)
    assert restarted.unlock(demo.id, PASS).wait_seconds == FIRST_WAIT - 5
    clock.advance(FIRST_WAIT)
    assert restarted.unlock(demo.id, PASS).ok


def test_the_throttle_is_per_project(fac: FacilitatorService, demo: Demo, other: Demo):
    fac.set_passphrase(demo.id, PASS)
    fac.set_passphrase(other.id, PASS)
    for _ in range(FREE_TRIES):
        fac.unlock(demo.id, "wrong wrong")
    assert fac.unlock(other.id, PASS).ok


def test_changing_the_passphrase_needs_the_old_one(store: Store, fac: FacilitatorService, demo: Demo, counts):
    fac.set_passphrase(demo.id, PASS)
    before = counts()
    with pytest.raises(DomainError, match="current passphrase"):
        fac.set_passphrase(demo.id, "a brand new one")
    assert counts() == before
    wrong = fac.set_passphrase(demo.id, "a brand new one", old="not the old one")
    assert not wrong.ok and wrong.session is None and actions(store)[-1] == "unlock_failed"
    changed = fac.set_passphrase(demo.id, "a brand new one", old=PASS)
    assert changed.ok and actions(store)[-1] == "passphrase_changed"
    assert not fac.unlock(demo.id, PASS).ok
    assert fac.unlock(demo.id, "a brand new one").ok


def test_changing_is_throttled_too(fac: FacilitatorService, clock: Clock, demo: Demo):
    fac.set_passphrase(demo.id, PASS)
    for _ in range(FREE_TRIES):
        fac.unlock(demo.id, "wrong wrong")
    result = fac.set_passphrase(demo.id, "a brand new one", old=PASS)
    assert not result.ok and result.wait_seconds == FIRST_WAIT
    assert fac.unlock(demo.id, "a brand new one").wait_seconds > 0  # nothing changed


@pytest.mark.parametrize("call", ["set", "unlock ok", "unlock wrong", "unlock refused", "lock"])
def test_each_action_writes_one_event(store: Store, fac: FacilitatorService, demo: Demo, event_ids, call):
    session = fac.set_passphrase(demo.id, PASS).session
    if call == "unlock refused":
        for _ in range(FREE_TRIES):
            fac.unlock(demo.id, "wrong wrong")
    before = event_ids()
    run = {
        "set": lambda: fac.set_passphrase(demo.id, "a brand new one", old=PASS),
        "unlock ok": lambda: fac.unlock(demo.id, PASS),
        "unlock wrong": lambda: fac.unlock(demo.id, "wrong wrong"),
        "unlock refused": lambda: fac.unlock(demo.id, PASS),
        "lock": lambda: fac.lock(session),
    }[call]
    run()
    assert len(event_ids() - before) == 1


# --- sessions --------------------------------------------------------------------------------


def test_a_forged_or_missing_session_is_refused(services: Services, demo: Demo):
    services.facilitator.set_passphrase(demo.id, PASS)
    forged = FacilitatorSession(project_id=demo.id, member_id=demo.facilitator, token="guess")
    for session in (forged, None, "token", demo.id):
        with pytest.raises(FacilitatorLocked):
            services.review.dashboard(session)
        with pytest.raises(FacilitatorLocked):
            services.participants.list_members(session)
        with pytest.raises(FacilitatorLocked):
            services.facilitator.audit_log(session)
    assert "guess" not in repr(forged)


def test_lock_ends_the_session(services: Services, demo: Demo):
    session = services.facilitator.set_passphrase(demo.id, PASS).session
    assert services.review.dashboard(session)
    assert services.facilitator.lock(session).message == "Facilitator mode is off."
    assert not services.facilitator.is_unlocked(session)
    with pytest.raises(FacilitatorLocked):
        services.review.dashboard(session)
    assert services.facilitator.lock(session).message == "Facilitator mode is already locked."


def test_an_idle_session_locks_itself(fac: FacilitatorService, clock: Clock, demo: Demo):
    session = fac.set_passphrase(demo.id, PASS).session
    clock.advance(29 * 60)
    fac.check(session)  # use keeps it alive
    clock.advance(29 * 60)
    assert fac.is_unlocked(session)
    clock.advance(31 * 60)
    with pytest.raises(FacilitatorLocked, match="long pause"):
        fac.check(session)


def test_a_session_is_for_one_project(services: Services, demo: Demo, other: Demo):
    services.facilitator.set_passphrase(other.id, PASS)
    session = services.facilitator.unlock(other.id, PASS).session
    with pytest.raises(FacilitatorLocked):
        services.facilitator.check(session, demo.id)
    with pytest.raises(NotFound):
        services.review.prompt_review(session, demo.now)


def test_a_session_from_another_service_instance_is_refused(store: Store, demo: Demo):
    first = FacilitatorService(store)
    session = first.set_passphrase(demo.id, PASS).session
    assert not FacilitatorService(store).is_unlocked(session)  # as after closing the app


# --- the audit log ---------------------------------------------------------------------------


def test_audit_log_filters(services: Services, demo: Demo):
    session = services.facilitator.set_passphrase(demo.id, PASS).session
    services.contributions.add(demo.member("Alex"), demo.now, "dignity")
    services.contributions.add(demo.member("Sam"), demo.now, "being asked", anonymous=True)
    services.contributions.endorse(demo.member("Sam"), services.contributions.list_for_prompt(demo.now)[0].id)
    log = services.facilitator.audit_log(session)
    assert [r.created_at for r in log] == sorted((r.created_at for r in log), reverse=True)
    alex = services.facilitator.audit_log(session, member_id=demo.member("Alex"))
    assert [(r.action, r.member) for r in alex] == [("contribution_added", "Alex")]
    added = services.facilitator.audit_log(session, action="contribution_added")
    assert {r.member for r in added} == {"Alex", None}  # the anonymous one names no one
    assert {r.target_kind for r in services.facilitator.audit_log(session, target_kind="contribution")} == {
        "contribution"}
    today = log[0].created_at.date()
    assert len(services.facilitator.audit_log(session, since=today, until=today)) == len(log)
    assert services.facilitator.audit_log(session, since=today + timedelta(days=1)) == ()
    assert len(services.facilitator.audit_log(session, until=log[1].created_at)) == len(log) - 1
    assert services.facilitator.audit_log(session, until=date(2000, 1, 1)) == ()
    assert len(services.facilitator.audit_log(session, limit=2)) == 2
    assert "contribution_added" in services.facilitator.audit_actions(session)
    assert "contribution" in services.facilitator.audit_target_kinds(session)


def test_audit_log_bad_filters(services: Services, demo: Demo, counts):
    session = services.facilitator.set_passphrase(demo.id, PASS).session
    before = counts()
    for kwargs in ({"since": datetime(2024, 1, 1)}, {"until": "yesterday"}, {"limit": 0}, {"offset": -1},
                   {"member_id": 5}):
        with pytest.raises(DomainError):
            services.facilitator.audit_log(session, **kwargs)
    assert counts() == before
