"""Bundles and the live meeting: dots, asks, attendance and agenda steps never travel."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from app.services.container import Services
from app.services.exchange.bundle_format import KINDS
from app.services.exchange.carry import STAYS_HERE
from app.store.models import Base
from tests.services.conftest import Project


def test_every_table_either_travels_or_says_why_it_stays():
    kinds = {k.name for k in KINDS}
    assert kinds.isdisjoint(STAYS_HERE)
    assert set(Base.metadata.tables) == kinds | set(STAYS_HERE)


def test_a_bundle_after_a_meeting_holds_no_dots_asks_or_attendance(
        services: Services, fs, demo: Project, tmp_path: Path):
    prompt = next(p.id for p in demo.prompts if p.pair_role == "now")
    meeting = services.meetings.plan(fs, date(2026, 12, 2), "Vote day").record_id
    vote = services.meetings.add_step(fs, meeting, "vote", "Vote", prompt).record_id
    services.meetings.start(fs, meeting)
    services.meetings.move_to(fs, vote)
    alex = demo.member("Alex")
    keyword = services.contributions.list_for_prompt(prompt, alex)[0]
    services.live.vote(alex, vote, keyword.id)
    services.live.ask(alex, "break")
    services.meetings.set_attendance(fs, meeting, alex, minutes=50)
    path = tmp_path / "out.canvas"
    services.exchange.export_bundle(demo.id, path)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        body = b"".join(z.read(n) for n in names)
    for table in ("vote", "ask", "attendance", "agenda_step"):
        assert f"records/{table}.json" not in names
    assert vote.encode() not in body  # not even named
