"""Members, consent and withdrawal: the preview, both modes, and nothing of the name left anywhere."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from app.services.container import Services
from app.services.errors import DomainError, NotFound
from app.services.review.review_dto import ConsentRecord, FacilitatorSession
from app.store.database import Store
from app.store.models import (
    Base,
    Comment,
    Contribution,
    DraftVersion,
    Endorsement,
    Event,
    InProgressText,
    Member,
    Stance,
)

from .conftest import Project

NAME = "Jordan"
NAME_RE = re.compile(r"jordan", re.IGNORECASE)
# What Jordan wrote that "delete" must remove (and "anonymise" keeps, nameless).
OWN_TEXTS = ("secret garden words", "I waited nine months", "too long for me", "needs waiting lists",
             "half typed secret")
OTHERS_ON_OWN = "happened to me as well"  # Sam's comment on Jordan's contribution



def every_value(store: Store) -> list[str]:
    """Every value of every column of every table, as text."""
    out = []
    with store.read() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)):
                out += [json.dumps(v) if isinstance(v, (dict, list)) else str(v) for v in row]
    return out


@pytest.fixture
def jordan(services: Services, demo: Project, fs: FacilitatorSession) -> dict[str, str]:
    """Jordan takes part in every way; others mention Jordan by name."""
    sv, j, sam = services, demo.member(NAME), demo.member("Sam")
    first = sv.drafts.list_versions(demo.now)[0].id
    mine = sv.contributions.add(j, demo.now, OWN_TEXTS[0]).record_id
    sv.contributions.add(j, demo.now, OWN_TEXTS[1], kind="experience")
    anon = sv.contributions.add(j, demo.future, "an anonymous thought", anonymous=True).record_id
    sv.contributions.endorse(sam, mine)
    sv.contributions.endorse(j, sv.contributions.list_for_prompt(demo.now)[0].id)  # on Alex's "unheard"
    own_version = sv.drafts.save_version(j, demo.now, "Care that listens first.", first, "my go").record_id
    sv.drafts.set_stance(j, first, "disagree", OWN_TEXTS[2])
    sv.drafts.comment(j, first, OWN_TEXTS[3])
    sv.inprogress.save(j, f"contribution:{demo.now}", OWN_TEXTS[4], 4)
    with services.projects.store.transaction() as s:
        s.add(Comment(contribution_id=mine, member_id=sam, text=OTHERS_ON_OWN))
    # Mentions by others: a comment, a version note (copied into its event), unfinished text, my note.
    sv.drafts.comment(sam, first, "I agree with jordan here")
    sv.drafts.save_version(sam, demo.now, "Care that listens first, always.", own_version,
                           f"after talking with {NAME}")
    sv.inprogress.save(demo.member("Priya"), "comment:x", f"ask {NAME} about it", 3)
    sv.review.set_note(fs, own_version, f"{NAME} wrote this alone")
    return {"mine": mine, "anon": anon, "own_version": own_version, "first": first}


def assert_no_name(values: list[str]) -> None:
    found = [v for v in values if NAME_RE.search(v)]
    assert found == []


# --- members and consent ----------------------------------------------------------------------


def test_add_edit_and_consent(services: Services, demo: Project, fs: FacilitatorSession):
    consent = ConsentRecord(date(2024, 5, 1), True, True, "anonymous", date(2030, 1, 1))
    new = services.participants.add_member(fs, "  Robin ", consent=consent).record_id
    info = next(m for m in services.participants.list_members(fs) if m.id == new)
    assert (info.display_name, info.role, info.consent) == ("Robin", "participant", consent)
    assert "Robin" in [m.display_name for m in services.projects.list_members(demo.id)]
    services.participants.edit_member(fs, new, display_name="Robin B")
    services.participants.set_consent(fs, new, ConsentRecord(date(2024, 5, 2), True, False, "named"))
    info = next(m for m in services.participants.list_members(fs) if m.id == new)
    assert info.display_name == "Robin B" and info.consent.credit == "named" and not info.consent.quote
    helper = services.participants.add_member(fs, "Second facilitator", role="facilitator").record_id
    services.participants.edit_member(fs, demo.facilitator, role="participant")
    assert services.projects.get_member(helper).role == "facilitator"


@pytest.mark.parametrize("call", [
    lambda sv, fs, d: sv.participants.add_member(fs, "alex"),  # taken, case ignored
    lambda sv, fs, d: sv.participants.add_member(fs, "   "),
    lambda sv, fs, d: sv.participants.add_member(fs, "x" * 101),
    lambda sv, fs, d: sv.participants.add_member(fs, "Withdrawn participant 9"),
    lambda sv, fs, d: sv.participants.add_member(fs, "Robin", role="boss"),
    lambda sv, fs, d: sv.participants.add_member(fs, "Robin", consent={"participate": True}),
    lambda sv, fs, d: sv.participants.add_member(fs, "Robin", consent=ConsentRecord(credit="maybe")),
    lambda sv, fs, d: sv.participants.add_member(fs, "Robin", consent=ConsentRecord(consent_date="2024")),
    lambda sv, fs, d: sv.participants.add_member(fs, "Robin", consent=ConsentRecord(participate=1)),
    lambda sv, fs, d: sv.participants.add_member(
        fs, "Robin", consent=ConsentRecord(date(2024, 5, 1), keep_until=date(2024, 1, 1))),
    lambda sv, fs, d: sv.participants.edit_member(fs, d.member("Sam"), display_name="Alex"),
    lambda sv, fs, d: sv.participants.edit_member(fs, d.member("Sam")),  # nothing to change
    lambda sv, fs, d: sv.participants.edit_member(fs, d.facilitator, role="participant"),  # the only one
    lambda sv, fs, d: sv.participants.edit_member(fs, "nobody", display_name="X"),
    lambda sv, fs, d: sv.participants.set_consent(fs, d.member("Sam"), None),
    lambda sv, fs, d: sv.participants.withdrawal_preview(fs, d.member("Sam"), "erase"),
    lambda sv, fs, d: sv.participants.withdraw(fs, d.member("Sam"), "Delete"),
    lambda sv, fs, d: sv.participants.withdraw(fs, d.facilitator, "delete"),  # not oneself
    lambda sv, fs, d: sv.participants.add_member(None, "Robin"),
])
def test_bad_member_input_writes_nothing(services: Services, demo: Project, fs: FacilitatorSession,
                                         counts, call):
    before = counts()
    with pytest.raises(DomainError):
        call(services, fs, demo)
    assert counts() == before


def test_members_of_another_project_are_out_of_reach(services: Services, demo: Project, other: Project,
                                                     fs: FacilitatorSession):
    with pytest.raises(NotFound):
        services.participants.edit_member(fs, other.member("Sam"), display_name="Sammy")
    with pytest.raises(NotFound):
        services.participants.withdrawal_preview(fs, other.member("Sam"), "delete")


# --- withdrawal ----------------------------------------------------------------------------------


def test_the_preview_changes_nothing_and_lists_everything(services: Services, demo: Project,
                                                          fs: FacilitatorSession, jordan, counts):
    before, values = counts(), every_value(services.projects.store)
    preview = services.participants.withdrawal_preview(fs, demo.member(NAME), "delete")
    assert counts() == before and every_value(services.projects.store) == values
    assert preview.display_name == NAME and preview.placeholder == "Withdrawn participant 1"
    c = preview.counts
    with services.projects.store.read() as s:
        me_toos = s.scalar(select(func.count()).select_from(Endorsement)
                           .where(Endorsement.member_id == demo.member(NAME)))
    assert (c["contributions"], c["me_toos"], c["stances"], c["comments"], c["versions"],
            c["unfinished_texts"], c["review_notes"]) == (2 + 2, me_toos, 1, 1, 1, 1, 0)  # + 2 demo keywords
    assert c["others_me_toos"] >= 1 and c["others_comments"] == 1
    assert c["mentions"] == 5  # comment, version note, its event, Priya's unfinished text, my note
    texts = " | ".join(i.text for i in preview.items)
    for text in (*OWN_TEXTS, OTHERS_ON_OWN, "I agree with jordan here"):
        assert text in texts
    assert "an anonymous thought" not in texts  # never linked to anyone
    assert "their keywords and phrases: 4 deleted" in preview.summary
    assert list(c)[:3] == ["contributions", "others_me_toos", "others_comments"]
    anonymise = services.participants.withdrawal_preview(fs, demo.member(NAME), "anonymise")
    assert "others_me_toos" not in anonymise.counts and anonymise.counts["contributions"] == 4
    assert anonymise.counts["review_notes"] == 0
    assert "their keywords and phrases: 4 anonymised" in anonymise.summary


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_withdrawal_leaves_nothing_of_the_name(store: Store, services: Services, demo: Project,
                                               fs: FacilitatorSession, jordan, mode: str, tmp_path: Path,
                                               event_ids):
    member_id = demo.member(NAME)
    endorsements_before = {c.text: c.endorsements for c in services.contributions.list_for_prompt(demo.now)}
    with store.read() as s:
        own_me_toos = s.scalar(select(func.count()).select_from(Endorsement)
                               .where(Endorsement.member_id == member_id))
    before = event_ids()
    outcome = services.participants.withdraw(fs, member_id, mode)
    assert len(event_ids() - before) == 1
    assert NAME not in outcome.message and "Withdrawn participant 1 has withdrawn" in outcome.message

    values = every_value(store)
    assert_no_name(values)
    assert "[name removed]" in " ".join(values)
    with store.read() as s:
        member = s.get(Member, member_id)
        assert member.withdrawn_at is not None and member.display_name == "Withdrawn participant 1"
        assert member.access_profile == {} and member.credit is None and not member.consent_participate
        assert s.scalar(select(func.count()).select_from(Event).where(Event.member_id == member_id)) == 0
        assert s.scalar(select(func.count()).select_from(InProgressText)
                        .where(InProgressText.member_id == member_id)) == 0
        version = s.get(DraftVersion, jordan["own_version"])
        assert version.text == "Care that listens first." and version.author_id is None
        assert s.get(Contribution, jordan["anon"]) is not None
        left = s.scalar(select(func.count()).select_from(Contribution)
                        .where(Contribution.member_id == member_id))
        assert left == 0
        stances = s.scalar(select(func.count()).select_from(Stance).where(Stance.member_id == member_id))
        endorsements = s.scalar(select(func.count()).select_from(Endorsement)
                                .where(Endorsement.member_id == member_id))
    joined = "\n".join(values)
    if mode == "delete":
        for text in (*OWN_TEXTS, OTHERS_ON_OWN):
            assert text not in joined
        assert (stances, endorsements) == (0, 0)
    else:
        for text in OWN_TEXTS[:4]:
            assert text in joined  # kept, with no name
        assert OWN_TEXTS[4] not in joined  # unfinished text always goes
        assert (stances, endorsements) == (1, own_me_toos)
        after = {c.text: c.endorsements for c in services.contributions.list_for_prompt(demo.now)}
        assert after["unheard"] == endorsements_before["unheard"]
        tile = next(c for c in services.contributions.list_for_prompt(demo.now) if c.text == OWN_TEXTS[0])
        assert tile.author is None
    # The member is gone from every list and cannot act.
    assert NAME not in [m.display_name for m in services.projects.list_members(demo.id)]
    with pytest.raises(DomainError):
        services.contributions.add(member_id, demo.now, "back again")
    with pytest.raises(NotFound):
        services.participants.withdraw(fs, member_id, mode)

    # Nor in any export.
    services.exports.docx(fs, tmp_path / "r.docx")
    services.exports.markdown(fs, tmp_path / "r.md")
    services.exports.csv(fs, tmp_path / "csv")
    doc = Document(str(tmp_path / "r.docx"))
    exported = [p.text for p in doc.paragraphs]
    exported += [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
    exported.append((tmp_path / "r.md").read_text(encoding="utf-8"))
    for path in (tmp_path / "csv").glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            exported += [v for row in csv.reader(handle) for v in row]
    assert_no_name(exported)
    assert "Withdrawn participant" not in "\n".join(exported)  # shown as anonymous
    if mode == "delete":
        assert not any(text in "\n".join(exported) for text in OWN_TEXTS)


@pytest.mark.parametrize("mode", ["delete", "anonymise", None])
def test_removed_text_leaves_the_database_file(store: Store, services: Services, demo: Project,
                                               fs: FacilitatorSession, jordan, mode: str | None):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("raw file bytes are an SQLite matter")
    if mode is not None:
        services.participants.withdraw(fs, demo.member(NAME), mode)
    path = Path(store.engine.url.database)
    store.close()
    raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    gone = {"delete": (NAME, NAME.lower(), *OWN_TEXTS), "anonymise": (NAME, NAME.lower(), OWN_TEXTS[4]),
            None: ()}[mode]
    for text in gone:
        assert text.encode() not in raw, text
    if mode is None:  # the check can see: before a withdrawal, all of it is in the file
        assert all(text.encode() in raw for text in (NAME, *OWN_TEXTS))


def test_a_second_withdrawal_gets_the_next_placeholder(services: Services, demo: Project,
                                                      fs: FacilitatorSession):
    services.participants.withdraw(fs, demo.member("Kai"), "anonymise")
    services.participants.withdraw(fs, demo.member("Sam"), "delete")
    names = [m.display_name for m in services.participants.list_members(fs, include_withdrawn=True)]
    assert "Withdrawn participant 1" in names and "Withdrawn participant 2" in names
    assert not {"Kai", "Sam"} & set(names)
    assert len(services.participants.list_members(fs)) == 4
