"""Every screen, checked as a switch user, a keyboard user and a low-vision user meets it.

For each screen (members, home, both prompts, settings, switch test) every interactive
widget (a visible, enabled button that is not a scanner-only Back tile) must be

* reachable by the scanner (an item of a scan group, mapped by the scan tree's key),
* reachable by Tab (real Tab key presses from the first tile),
* named for assistive technology (a non-empty accessible name),
* at least 44 px in both directions, at the smallest size and at the largest.

The scanner's own Back tiles, and the highlight frame (thickness, and its shape: dashed
round groups, solid round items), are checked while scanning.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QStyle, QStyleOptionButton, QWidget

from app.access.profile import AccessProfile
from app.ui.scan import is_scan_only
from app.ui.screens.base import Screen
from app.ui.screens.home import HomeScreen
from app.ui.screens.members import MemberScreen
from app.ui.screens.prompt import PromptScreen
from app.ui.screens.settings import SettingsScreen
from app.ui.screens.switch_test import SwitchTestScreen
from app.ui.theme import MIN_TARGET_PX
from app.ui.widgets import GroupFrame, Tile

MIN_PX = 44
SMALLEST, LARGEST = 100, 300


# ------------------------------------------------------------------ helpers
def settle() -> None:
    """Let posted layout requests run so sizes are final (no waiting on time)."""
    for _ in range(3):
        QApplication.processEvents()


def walk_screens(app) -> Iterator[tuple[str, Screen]]:
    """Open every screen in turn through the window's public navigation; yield each one."""
    window = app.window
    settle()
    assert isinstance(window.current, MemberScreen)
    yield "members", window.current
    alex = next(
        m for m in app.services.projects.list_members(app.project_id) if m.display_name == "Alex"
    )
    window.pick_member(alex)
    window.show_home()
    settle()
    assert isinstance(window.current, HomeScreen)
    yield "home", window.current
    prompts = app.services.projects.list_prompts(app.project_id)
    assert len(prompts) == 2
    for prompt in prompts:
        window.show_prompt(prompt.id)
        settle()
        assert isinstance(window.current, PromptScreen)
        assert window.current.tiles, "the demo prompts have keywords"
        yield f"prompt {prompt.pair_role or prompt.text!r}", window.current
    window.show_settings()
    settle()
    assert isinstance(window.current, SettingsScreen)
    yield "settings", window.current
    window.show_settings("size")  # a section: its rows placed to fit (app/ui/settings_fit.py)
    settle()
    assert isinstance(window.current, SettingsScreen)
    yield "settings: size and colours", window.current
    window.show_switch_test()
    settle()
    assert isinstance(window.current, SwitchTestScreen)
    yield "switch-test", window.current


def interactive(screen: QWidget) -> list[QAbstractButton]:
    """Visible, enabled buttons of the screen, without the scanner-only Back tiles."""
    return [
        b for b in screen.findChildren(QAbstractButton)
        if b.isVisible() and b.isEnabled() and not is_scan_only(b)
    ]


def scanner_widgets(window) -> dict[str, QWidget]:
    """Item keys of the scan tree mapped to their widgets by the scan controller."""
    found: dict[str, QWidget] = {}
    for group in window.current.scan_groups():
        for i in range(len(group.items)):
            key = f"{group.key}.{i}"
            widget = window.scan.widget_for(key)
            assert widget is not None, f"scan key {key} maps to no widget"
            found[key] = widget
    if window.scan.active:  # the engine's own tree (row-column: groups at the top)
        tree_keys = {
            node.key for root in window.scan.scanner.level for node in root.walk()
            if not node.is_group
        }
        assert tree_keys == set(found)
    return found


def label(widget: QWidget) -> str:
    return widget.accessibleName() or repr(widget)


def too_small(widgets: list[QAbstractButton]) -> list[str]:
    return [
        f"{label(w)}: {w.width()}x{w.height()}"
        for w in widgets if w.width() < MIN_PX or w.height() < MIN_PX
    ]


def grab(window) -> QImage:
    settle()
    return window.grab().toImage()


def same_colour(image: QImage, point: QPoint, colour: QColor) -> bool:
    return QColor(image.pixel(point)).rgb() == colour.rgb()


def frame_origin(window) -> QPoint:
    frame = window.scan.frame
    return frame.mapTo(window, QPoint(0, 0))


def top_band_row(window) -> list[QPoint]:
    """Points along the middle of the frame's top band, corners left out."""
    frame = window.scan.frame
    t = frame.thickness
    origin = frame_origin(window)
    return [origin + QPoint(x, t // 2) for x in range(t, frame.width() - t)]


# --------------------------------------------------- reachability and names
@pytest.mark.parametrize("scan_mode", ["off", "auto"])
def test_every_control_is_in_the_scan_tree(make_app, scan_mode):
    app = make_app(last_member="Alex", scan_mode=scan_mode)
    seen = []
    for name, screen in walk_screens(app):
        controls = interactive(screen)
        assert controls, f"{name}: no controls found"
        scanned = list(scanner_widgets(app.window).values())
        group_items = [t for g in screen.scan_groups() for t in g.items]
        missing = [label(w) for w in controls if w not in scanned or w not in group_items]
        assert not missing, f"{name}: not reachable by the scanner: {missing}"
        seen.append(name)
    assert len(seen) == 7


def test_every_control_is_reached_by_tab(make_app):
    app = make_app()
    frame = app.window.scan.frame
    for name, screen in walk_screens(app):
        controls = interactive(screen)
        first = app.window.tiles()[0]
        first.setFocus(Qt.FocusReason.TabFocusReason)
        app.qtbot.waitUntil(lambda first=first: QApplication.focusWidget() is first, timeout=1000)
        visited: list[QWidget | None] = [first]
        for _ in range(2 * len(controls) + 4):
            app.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            focus = QApplication.focusWidget()
            visited.append(focus)
            assert focus is not None and app.window.isAncestorOf(focus), (
                f"{name}: Tab left the window"
            )
            if isinstance(focus, Tile):  # keyboard users get the scanner's frame too
                assert frame.isVisible() and frame.target is focus and not frame.is_group
        missing = [label(w) for w in controls if w not in visited]
        assert not missing, f"{name}: Tab never reaches {missing}"
        assert visited.count(first) >= 2, f"{name}: Tab does not come round again"
        assert not [w for w in visited if isinstance(w, Tile) and is_scan_only(w)]


@pytest.mark.parametrize("scan_mode", ["off", "auto"])
def test_every_control_has_an_accessible_name(make_app, scan_mode):
    app = make_app(last_member="Alex", scan_mode=scan_mode)
    for name, screen in walk_screens(app):
        nameless = [repr(w) for w in interactive(screen) if not w.accessibleName().strip()]
        assert not nameless, f"{name}: controls without an accessible name: {nameless}"
        assert screen.accessibleName().strip()


# ----------------------------------------------------------------- target size
def target_sizes(app) -> dict[str, dict[str, tuple[int, int]]]:
    """Per screen: each control's accessible name -> (width, height); checks the minimum."""
    sizes: dict[str, dict[str, tuple[int, int]]] = {}
    for name, screen in walk_screens(app):
        controls = interactive(screen)
        small = too_small(controls)
        percent = app.window.state.profile.size_percent
        assert not small, f"{name} at {percent}%: targets under {MIN_PX} px: {small}"
        sizes[name] = {label(w): (w.width(), w.height()) for w in controls}
    return sizes


def test_targets_are_44px_at_the_smallest_size(make_app):
    assert AccessProfile.from_dict({"size_percent": 1}).size_percent == SMALLEST
    assert MIN_TARGET_PX >= MIN_PX
    app = make_app(last_member="Alex", size_percent=SMALLEST)
    assert len(target_sizes(app)) == 7


def test_targets_grow_at_the_largest_size_and_stay_over_44px(make_app):
    assert AccessProfile.from_dict({"size_percent": 1000}).size_percent == LARGEST
    small = target_sizes(make_app(last_member="Alex", size_percent=SMALLEST))
    large = target_sizes(make_app(last_member="Alex", size_percent=LARGEST))
    assert small.keys() == large.keys()
    for screen in small:
        low = min(h for _w, h in small[screen].values())
        high = min(h for _w, h in large[screen].values())
        assert high > low, f"{screen}: the smallest target does not grow ({low} -> {high} px)"
        common = small[screen].keys() & large[screen].keys()
        assert common
        shrunk = [n for n in common if large[screen][n][1] <= small[screen][n][1]]
        assert not shrunk, f"{screen}: targets not taller at {LARGEST}%: {shrunk}"


# ------------------------------------------------------- scanner's Back tiles
def step_until(app, predicate, limit: int = 50) -> None:
    """Let the manual clock fire scan steps until `predicate()` holds."""
    for _ in range(limit):
        if predicate():
            return
        assert app.clock.run_until_next(), "the scan stopped moving"
    assert predicate()


def test_each_scan_group_shows_a_named_back_tile_of_44px(make_app):
    # No repeat guard: presses here follow each other at the same manual instant.
    app = make_app(last_member="Alex", scan_mode="auto", first_item_extra=0.0, speech_on=False,
                   ignore_repeat=0.0)
    scan = app.window.scan
    checked = 0
    for name, screen in walk_screens(app):
        assert scan.active
        groups = screen.scan_groups()
        for index, group in enumerate(groups):
            step_until(app, lambda key=group.key: scan.highlighted_key() == key)
            assert isinstance(group.frame, GroupFrame)
            assert group.frame.back_tile is None or not group.frame.back_tile.isVisible()
            app.key(Qt.Key.Key_Space)  # enter the row
            assert scan.scanner.highlighted_path[0] == group.key
            assert not scan.scanner.highlighted.is_group, f"{name}: {group.label} not entered"
            step_until(app, lambda: scan.scanner.highlighted.is_back)
            settle()
            back = group.frame.back_tile
            where = f"{name}, {group.label}"
            assert back is not None and back.isVisible(), f"{where}: no Back tile shown"
            assert is_scan_only(back)
            assert scan.frame.target is back and not scan.frame.is_group
            assert back.accessibleName().strip(), f"{where}: Back tile has no name"
            assert group.label in back.accessibleName()
            assert back.width() >= MIN_PX and back.height() >= MIN_PX, (
                f"{where}: Back tile is {back.width()}x{back.height()}"
            )
            app.key(Qt.Key.Key_Space)  # leave the row again
            assert scan.highlighted_key() == group.key
            settle()
            assert not back.isVisible()
            if index + 1 < len(groups):
                app.clock.run_until_next()
            checked += 1
    assert checked >= 20


# ---------------------------------------------------------- highlight frame
def test_frame_thickness_is_the_members_and_at_least_6px(make_app):
    assert AccessProfile().highlight_thickness >= 6
    assert AccessProfile.from_dict({"highlight_thickness": 0}).highlight_thickness >= 6
    app = make_app(last_member="Alex", scan_mode="auto")
    frame = app.window.scan.frame
    assert frame.thickness == app.window.state.profile.highlight_thickness == 8
    assert frame.isVisible()


def test_frame_is_drawn_as_thick_as_the_member_chose(make_app):
    chunky = make_app(last_member="Alex", scan_mode="auto", highlight_thickness=14)
    frame = chunky.window.scan.frame
    assert frame.thickness == chunky.window.state.profile.highlight_thickness == 14
    chunky.key(Qt.Key.Key_Space)  # enter the row: an item, drawn solid
    assert not frame.is_group
    image = grab(chunky.window)
    origin = frame_origin(chunky.window)
    middle = frame.width() // 2
    # The inner band overlaps the outer one by half a pixel, so its last pixel is blended.
    band = [origin + QPoint(middle, y) for y in range(frame.thickness - 1)]
    assert all(same_colour(image, p, frame.colour) for p in band), "the band is thinner"
    beyond = origin + QPoint(middle, frame.thickness + 1)
    assert not same_colour(image, beyond, frame.colour), "the band is thicker"


def test_group_highlight_is_dashed_and_item_highlight_solid(make_app):
    app = make_app(last_member="Alex", scan_mode="auto")
    frame = app.window.scan.frame
    assert isinstance(frame.target, GroupFrame) and frame.is_group
    assert frame.geometry() == frame.geometry().intersected(app.window.centralWidget().rect())
    image = grab(app.window)
    row = top_band_row(app.window)
    coloured = sum(same_colour(image, p, frame.colour) for p in row)
    assert 0.3 * len(row) < coloured < 0.95 * len(row), "a group frame is not dashed"
    app.key(Qt.Key.Key_Space)  # into the row: the highlight is on an item
    assert isinstance(frame.target, Tile) and not frame.is_group
    image = grab(app.window)
    row = top_band_row(app.window)
    assert all(same_colour(image, p, frame.colour) for p in row), "an item frame is not solid"


def test_highlight_frame_leaves_the_target_visible(make_app):
    app = make_app(last_member="Alex", scan_mode="auto", theme="light")
    app.key(Qt.Key.Key_Space)
    frame = app.window.scan.frame
    target = frame.target
    assert isinstance(target, Tile)
    pad = frame.thickness + 2
    inside = target.rect().adjusted(pad + 2, pad + 2, -pad - 2, -pad - 2)
    origin = target.mapTo(app.window, QPoint(0, 0))

    def pixels(image: QImage, area: QRect) -> list[int]:
        return [
            image.pixel(origin + QPoint(x, y))
            for x in range(area.left(), area.right(), 3) for y in range(area.top(), area.bottom(), 3)
        ]

    shown = pixels(grab(app.window), inside)
    frame.hide()
    hidden = pixels(grab(app.window), inside)
    assert shown == hidden, "the highlight frame paints over the tile it marks"


def test_linear_scan_shows_no_back_tile_it_cannot_reach(make_app):
    # A linear scan has no Back items, so no row may show its "Leave row" tile.
    app = make_app(last_member="Alex", scan_mode="auto", layout="linear")
    scan = app.window.scan
    assert not any(node.is_back for node in scan.scanner.level)  # nothing to scan to
    for _ in range(len(scan.scanner.level)):
        shown = [
            g.label for g in app.window.current.scan_groups()
            if isinstance(g.frame, GroupFrame) and g.frame.back_tile is not None
            and g.frame.back_tile.isVisible()
        ]
        assert not shown, f"Back tiles shown in a linear scan: {shown}"
        app.clock.run_until_next()


# ------------------------------------------------------------ labels fit their tiles
def clipped(controls: list[QAbstractButton]) -> list[str]:
    """Buttons whose label is wider than the room inside them (a button clips, never wraps)."""
    found = []
    for button in controls:
        if not button.text():
            continue
        option = QStyleOptionButton()
        button.initStyleOption(option)
        room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button).width()
        widest = max(button.fontMetrics().horizontalAdvance(line) for line in button.text().split("\n"))
        if widest > room:
            found.append(f"{label(button)}: {widest} px of text in {room} px")
    return found


def test_no_label_is_cut_off_on_any_screen(make_app):
    app = make_app(last_member="Alex")
    for name, screen in walk_screens(app):
        assert not clipped(interactive(screen)), f"{name}: {clipped(interactive(screen))}"
    app.window.show_members()
    settle()
    facilitator = next(t for t in app.window.tiles() if t.accessibleName() == "Facilitator")
    facilitator.setFocus()
    app.key(Qt.Key.Key_Return)
    field = app.window.current.panel.field
    field.setFocus()
    app.qtbot.keyClicks(field, "a long passphrase")
    app.qtbot.keyClick(field, Qt.Key.Key_Return)
    settle()
    assert app.window.current.key == "facilitator"
    assert not clipped(interactive(app.window.current))
