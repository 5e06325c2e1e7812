"""Render each main screen into PNG files (for the README), without a visible window."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.access.profile import AccessProfile
from app.ui.main_window import MainWindow

SIZE = (1280, 860)


def _save(window: MainWindow, folder: Path, name: str) -> Path:
    QApplication.processEvents()
    path = folder / f"{name}.png"
    window.grab().save(str(path))
    return path


def save_screenshots(window: MainWindow, folder: Path, size_percent: int | None = None,
                     window_size: tuple[int, int] = SIZE) -> list[Path]:
    """Walk the main screens as the first member would, saving one picture of each; with
    `size_percent`, every member's profile is at that size first (as Settings sets it)."""
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(*window_size)
    window.show()
    members = window.services.projects.list_members(window.state.project_id)
    if size_percent is not None:
        for member in members:
            profile = AccessProfile.stored(member.profile).to_dict()
            window.services.projects.save_profile(member.id, {**profile, "size_percent": size_percent})
        members = window.services.projects.list_members(window.state.project_id)
        window.apply_profile(AccessProfile.stored(members[0].profile))
        window.show_members()
    saved = [_save(window, folder, "members")]
    window.pick_member(members[0])
    saved.append(_save(window, folder, "home"))
    prompts = window.services.projects.list_prompts(window.state.project_id)
    if prompts:
        window.show_prompt(prompts[0].id)
        saved.append(_save(window, folder, "prompt"))
        saved.append(_dwell_shot(window, folder))
        window.show_definition(prompts[0].id)
        saved.append(_save(window, folder, "definition"))
        window.show_versions(prompts[0].id)
        saved.append(_save(window, folder, "versions"))
        window.show_prompt(prompts[0].id)
        window.predictors.wait(30)  # as a member finds it: their words learned by now
        window.current.add_keyword()
        screen = window.current
        for key in ("char:c", "char:a"):
            screen.panel.press_id(key)
        saved.append(_save(window, folder, "keyboard"))
        window.back()
        window.show_pair(prompts[0].id)
        saved.append(_save(window, folder, "pair"))
    window.show_settings()
    saved.append(_save(window, folder, "settings"))
    window.show_switch_test()
    saved.append(_save(window, folder, "switch-test"))
    saved.extend(_facilitator_shots(window, folder, prompts))
    window.show_members()
    return saved


def _dwell_shot(window: MainWindow, folder: Path) -> Path:
    """The prompt screen in "Point and dwell", the pointer resting on a tile: its highlight
    with its progress bar part filled, and the pause tile in the corner (the member's saved profile
    is left as it is)."""
    profile = window.state.profile
    window.apply_profile(dataclasses.replace(profile, scan_mode="dwell"))
    tiles = getattr(window.current, "tiles", None) or window.tiles()  # a keyword, on a prompt
    tile = tiles[min(3, len(tiles) - 1)]
    window.pointer.move(QPointF(tile.mapTo(window, tile.rect().center())))
    for _ in range(200):  # until the bar is six tenths full (the dwell itself takes 1 s)
        if window.pointer.engine.progress(window.pointer.clock.now()) >= 0.6:
            break
        QTest.qWait(10)
    path = _save(window, folder, "dwell")
    window.pointer.leave()
    window.apply_profile(profile)
    return path


def _facilitator_shots(window: MainWindow, folder: Path, prompts: list) -> list[Path]:
    """The facilitator's home, a keyword review, a word diff, a participant's record and the
    exports (a demo passphrase is set)."""
    services, project_id = window.services, window.state.project_id
    if services.facilitator.has_passphrase(project_id):
        return []
    result = services.facilitator.set_passphrase(project_id, "screenshots only")
    window.state.member = None
    window.state.facilitator = result.session
    window.show_facilitator()
    shots = [_save(window, folder, "facilitator")]
    if prompts:
        window.show_dashboard(prompts[0].id)
        shots.append(_save(window, folder, "review"))
        versions = services.drafts.list_versions(prompts[0].id)
        if versions:
            first = versions[0]
            member = services.projects.list_members(project_id)[1]
            newer = services.drafts.save_version(
                member.id, prompts[0].id, first.text.replace("unheard", "unheard and not believed"),
                first.id, "Added not believed").record_id
            window.show_compare(prompts[0].id, first.id, newer)
            shots.append(_save(window, folder, "compare"))
    participant = services.projects.list_members(project_id)[0]
    window.show_participant(participant.id)
    shots.append(_save(window, folder, "participant"))
    window.show_exports()
    shots.append(_save(window, folder, "exports"))
    services.facilitator.lock(result.session)
    window.state.facilitator = None
    return shots
