"""A screen: a titled page that declares its scan groups in scan order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.access.profile import AccessProfile
from app.ui.context import UiContext
from app.ui.widgets import GroupFrame, Heading, ScanGroup, Tile, action_bar

if TYPE_CHECKING:
    from app.ui.scan import AdaptiveProvider

MAX_PER_BAR = 5


# A symbol before each ask, from glyphs DejaVu Sans has (regular and bold): "✋" drew as an
# empty box there (tests/ui/test_glyphs.py checks every tile's characters in its own font).
ASK_SYMBOLS = {"break": "☕", "again": "↻", "speak": "☝"}


class Screen(QWidget):
    """Base class: subclasses fill `self.body` and list their groups in `self.groups`."""

    #: a stable name used for screenshots and tests
    key = "screen"
    #: rebuilt when another machine changes the project (not while someone is writing)
    refresh_on_change = True

    def __init__(self, ctx: UiContext, title: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = title
        self.setAccessibleName(title)
        self.groups: list[ScanGroup] = []
        outer = self._outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)
        self.heading = Heading(title)
        outer.addWidget(self.heading)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        # A screen reader meets the scroll area as a focusable place of its own: it says whose.
        self.scroll.setAccessibleName(f"{title}: the list")
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(10)
        self.scroll.setWidget(inner)
        outer.addWidget(self.scroll, 1)
        self.bar_holder = QVBoxLayout()
        outer.addLayout(self.bar_holder)

    def adaptive_provider(self) -> AdaptiveProvider | None:
        """The keys adaptive (Huffman) scanning works over, on screens that have them."""
        return None

    def typing_field(self) -> QWidget | None:
        """Where a physical keyboard's typing goes while the focus is on a key or tile."""
        return None

    def detach(self) -> None:
        """Let go of anything outside the screen, before it is closed."""

    def escape(self) -> None:
        """Escape on this screen: back to the one before (the writing screen asks first)."""
        self.ctx.nav.back()

    def add_row(self, key: str, label: str, tiles: list[Tile], caption: str | None = None,
                vertical: bool = False) -> ScanGroup:
        """Put `tiles` in one framed row of the body, scanned as the group `label`; `caption`
        names the row on screen, before its tiles (a setting, a consent question)."""
        frame = GroupFrame(label)
        if vertical:
            frame.row.setDirection(frame.row.Direction.TopToBottom)
        if caption is not None:
            name = QLabel(caption)
            name.setWordWrap(True)
            name.setAccessibleName(caption)
            frame.row.addWidget(name, 1)
        for tile in tiles:
            frame.row.addWidget(tile, 1)
        self.body.addWidget(frame)
        group = ScanGroup(key, label, frame, tiles)
        self.groups.append(group)
        return group

    def add_fixed(self, widget: QWidget) -> None:
        """Put a widget under the title, outside the scrolling body (it never scrolls away)."""
        self._outer.insertWidget(1, widget)

    def add_under_list(self, text: str) -> QLabel:
        """A wrapped paragraph between the scrolling list and the action bar: always whole on
        screen (in the list, a scan that follows only tiles never scrolled to its last line)."""
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAccessibleName(text)
        self._outer.insertWidget(self._outer.indexOf(self.scroll) + 1, label)
        return label

    def scan_groups(self) -> list[ScanGroup]:
        """The groups in the order the scanner walks them."""
        return list(self.groups)

    def spoken_title(self) -> str:
        """What is said when the screen opens."""
        return self.title

    def news_since(self, before: Screen) -> str:
        """What to say after this screen was rebuilt over `before` because others changed
        something (nothing, unless a screen has news: a think-first count)."""
        return ""

    def add_text(self, text: str, muted: bool = False) -> QLabel:
        """Add a wrapped paragraph to the body."""
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAccessibleName(text)
        if muted:
            label.setObjectName("muted")
        self.body.addWidget(label)
        return label

    def set_actions(self, tiles: list[Tile], first: bool = False) -> ScanGroup:
        """Put the action bar at the bottom; `first` puts it first in scan order.

        More than five actions make two rows, "Actions" and "More actions", so that
        every label stays whole at the largest size.
        """
        half = (len(tiles) + 1) // 2 if len(tiles) > MAX_PER_BAR else len(tiles)
        rows = [tiles[:half], tiles[half:]] if half < len(tiles) else [tiles]
        # "What happened?" ends the bar everywhere: the last message, again (app/ui/guard.py).
        rows[-1] = [*rows[-1], Tile("What happened?", self.ctx.what_happened, role="action")]
        groups = []
        for i, row in enumerate(rows):
            frame, group = action_bar(f"{self.key}-actions{i or ''}", row)
            if i:
                frame.setAccessibleName("More actions")
                group.label = "More actions"
            self.bar_holder.addWidget(frame)
            groups.append(group)
        self.groups[0:0] = groups if first else []
        if not first:
            self.groups.extend(groups)
        self._add_asks(len(groups) if first else None)
        return groups[0]

    def _add_asks(self, at: int | None) -> None:
        """In a running meeting every participant's screen can ask in two activations: the
        "Ask" row, then what (a break, say that again, I want to say something)."""
        state = self.ctx.state
        meeting = state.meeting
        if meeting is None or not meeting.running or state.member is None or state.facilitator is not None:
            return
        from app.services.meeting.dto import ASK_LABELS

        member_id = state.member.id
        waiting = self.ctx.services.live.waiting_asks(state.project_id)
        step = f"The group is on: {meeting.current.title}. " if meeting.current else ""
        caption = step + ("Waiting: " + "; ".join(a.spoken() for a in waiting) if waiting else "Ask:")

        def asker(kind: str):  # noqa: ANN202
            return lambda: (self.ctx.announce(self.ctx.services.live.ask(member_id, kind).message),
                            self.ctx.nav.refresh())

        tiles = [Tile(f"{ASK_SYMBOLS[kind]} {label}", asker(kind), speech=label)
                 for kind, label in ASK_LABELS.items()]
        frame, group = action_bar(f"{self.key}-asks", tiles)
        frame.setAccessibleName("Ask")
        group.label = "Ask"
        note = QLabel(caption)
        note.setWordWrap(True)
        note.setAccessibleName(caption)
        self.bar_holder.addWidget(note)
        self.bar_holder.addWidget(frame)
        if at is None:
            self.groups.append(group)
        else:
            self.groups.insert(at, group)

    def undo_tile(self) -> Tile:
        """The action bar's Undo: reverses the member's last addition or change."""
        return Tile("↶ Undo", self._undo, speech="Undo", role="action")

    def _undo(self) -> None:
        state = self.ctx.state
        if state.member is None or not state.undo_tokens:
            self.ctx.announce("Nothing to undo.")
            return
        token = state.undo_tokens.pop()
        outcome = self.ctx.services.undo.undo(state.member.id, token)
        member = self.ctx.services.projects.get_member(state.member.id)
        state.member = member
        profile = AccessProfile.stored(member.profile)
        if profile != state.profile:  # a settings change was undone: restyle the window only then
            self.ctx.nav.apply_profile(profile)
        self.ctx.announce(outcome.message)
        self.ctx.nav.refresh()
