"""Through the app's services with each person's own login: what they may do still works,
a member's app never migrates, and a removed login stops the app with a plain message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from app.services.container import Services
from app.services.group.demo import DEMO_NAME
from app.services.review.review_dto import ConsentRecord
from app.store import shared_admin
from app.store.database import LoginRefused, SharedDatabaseBehind, Store
from tests.shared.conftest import Shared


@pytest.fixture
def as_login(shared: Shared, tmp_path) -> Iterator:
    opened: list[Store] = []

    def open_as(who: str) -> Services:
        opened.append(Store.open(shared.logins[who]))
        opened[-1].data_path = tmp_path / who  # that person's computer (the passphrase file)
        return Services.build(opened[-1])

    yield open_as
    for store in opened:
        store.close()


def test_a_members_work_through_the_services(as_login):
    services = as_login("Alex")
    projects = services.projects.list_projects()
    assert [p.name for p in projects] == [DEMO_NAME], "another project's name is not shown"
    project = projects[0].id
    members = {m.display_name: m for m in services.projects.list_members(project)}
    alex, sam = members["Alex"].id, members["Sam"].id
    services.projects.start_session(alex)
    assert services.projects.last_session_member(project).id == alex
    prompt = services.projects.list_prompts(project)[0].id
    marker = services.projects.change_marker(project)

    added = services.contributions.add(alex, prompt, "from my own login")
    assert "from my own login" in [c.text for c in services.contributions.list_for_prompt(prompt, alex)]
    assert services.projects.change_marker(project) != marker
    listed = services.contributions.list_for_prompt(prompt, alex)
    others = [c for c in listed if c.text != "from my own login"]
    services.contributions.endorse(alex, others[0].id, True)
    services.contributions.endorse(alex, others[0].id, False)
    assert "removed" in services.undo.undo(alex, added.undo_token).message
    anonymous = services.contributions.add(alex, prompt, "no name on it", anonymous=True)
    assert anonymous.record_id is not None

    version = services.drafts.save_version(alex, prompt, "Care that we choose.", None).record_id
    services.drafts.set_stance(alex, version, "agree", "it is ours")
    services.drafts.comment(alex, version, "I like this")
    assert [c.text for c in services.drafts.list_comments(version)] == ["I like this"]
    assert services.drafts.stance_summary(version) is not None

    services.inprogress.save(alex, "draft:x", "half", 4)
    assert services.inprogress.load(alex, "draft:x").text == "half"
    services.inprogress.clear(alex, "draft:x")
    services.phrases.save(alex, "thank you")
    assert "thank you" in services.phrases.list(alex)
    assert services.search is not None and sam


def test_what_one_member_adds_moves_the_others_change_marker(as_login):
    """Polling for changes works although a member reads only their own audit entries."""
    alex, sam = as_login("Alex"), as_login("Sam")
    project = alex.projects.list_projects()[0].id
    before = alex.projects.change_marker(project)
    sam_id = next(m.id for m in sam.projects.list_members(project) if m.display_name == "Sam")
    sam.contributions.add(sam_id, sam.projects.list_prompts(project)[0].id, "seen by alex")
    assert alex.projects.change_marker(project) != before


def test_each_login_knows_its_member(as_login):
    alex, facilitator = as_login("Alex"), as_login("facilitator")
    project = alex.projects.list_projects()[0].id
    names = {m.id: m.display_name for m in alex.projects.list_members(project)}
    assert names[alex.projects.login_member()] == "Alex"
    assert facilitator.projects.login_member() is None  # the facilitator's computer offers everyone


def test_a_member_cannot_act_as_another_through_the_services(as_login):
    services = as_login("Alex")
    project = services.projects.list_projects()[0].id
    sam = next(m.id for m in services.projects.list_members(project) if m.display_name == "Sam")
    prompt = services.projects.list_prompts(project)[0].id
    with pytest.raises(Exception, match="row-level security|permission denied"):
        services.contributions.add(sam, prompt, "in sam's name")


def test_the_facilitators_screens_work_with_their_login(as_login):
    services = as_login("facilitator")
    project = services.projects.list_projects()[0].id
    result = services.facilitator.set_passphrase(project, "a long enough passphrase")
    if not result.ok:
        result = services.facilitator.unlock(project, "a long enough passphrase")
    session = result.session
    assert session is not None
    assert services.review.dashboard(session)
    prompt = services.projects.list_prompts(project)[0].id
    people = services.participants.list_members(session)
    kai = next(p for p in people if p.display_name == "Kai")
    services.participants.set_real_name(session, kai.id, "Kai Realname")
    services.participants.set_consent(session, kai.id, ConsentRecord(date(2026, 1, 5), True, True, "named"))
    page = services.review.keyword_page(session, prompt)
    assert page is not None
    theme = services.review.create_theme(session, prompt, "Staff").record_id
    assert theme is not None
    keyword = services.contributions.list_for_prompt(prompt)[0].id
    services.review.hide(session, keyword, "off topic")
    services.review.unhide(session, keyword)
    version = services.drafts.current_version(prompt)
    if version is not None:
        services.review.set_note(session, version.id, "looks right")
        services.review.set_decision(session, version.id, "agreed")
    assert services.facilitator.audit_log(session)
    assert "withdrawn" in services.participants.withdraw(session, kai.id, "anonymise").message.lower()


def test_a_members_app_does_not_migrate_a_database_behind(shared: Shared):
    owner = shared_admin.owner_store(shared.admin)
    try:
        with owner.engine.begin() as conn:
            head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0006'")
        behind = "ask your research team to update the shared database"
        with pytest.raises(SharedDatabaseBehind, match=behind):
            Store.open(shared.logins["Alex"])
        with owner.engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0006"
    finally:
        with owner.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head}'")
        owner.close()


def test_removing_a_login_stops_the_app_at_its_next_action(shared: Shared):
    url = shared_admin.add_member(shared.admin, DEMO_NAME, "Jordan").url
    store = Store.open(url)
    try:
        services = Services.build(store)
        project = services.projects.list_projects()[0].id
        jordan = next(m.id for m in services.projects.list_members(project) if m.display_name == "Jordan")
        prompt = services.projects.list_prompts(project)[0].id
        services.contributions.add(jordan, prompt, "before removal")
        assert shared_admin.remove_member(shared.admin, DEMO_NAME, "Jordan")
        with pytest.raises(LoginRefused, match="no longer accepts this computer's login"):
            services.contributions.add(jordan, prompt, "after removal")
    finally:
        store.close()
    with pytest.raises(LoginRefused):
        Store.open(url)
