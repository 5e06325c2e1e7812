"""A filter as one scan row of choices, a few at a time, so no choice is ever out of reach."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.ui.guard import run_action
from app.ui.screens.base import Screen
from app.ui.widgets import GroupFrame, ScanGroup, Tile

PER_ROW = 7  # choices shown at once; "Others ▶" shows the next few (after the last: the first again)


class FilterRow:
    """One filter's choices as a scan row (named `name`, else "Filter by <label>"), each spoken
    "<label>: <choice>"; the one in force is marked ✔.

    With more choices than fit, "Others ▶" comes first in the row and shows the next few in
    place. The row's tiles are kept and relabelled, so it keeps its place in the scan and in the
    Tab order, and a switch user presses again to go on.
    """

    def __init__(self, screen: Screen, label: str, options: Sequence[tuple[str, str | None]],
                 current: str | None, go: Callable[[str | None], None], per_row: int = PER_ROW,
                 name: str | None = None) -> None:
        self.screen, self.label, self.go, self.per_row = screen, label, go, per_row
        self.options, self.current = list(options), current
        name = name or f"Filter by {label.lower()}"
        self.frame = GroupFrame(name)
        self.more = Tile("Others ▶", self._turn, speech=f"Other {label.lower()} choices") \
            if len(self.options) > per_row else None
        self.slots: list[Tile] = []
        self.values: list[str | None] = []
        for i in range(min(per_row, len(self.options))):
            slot = Tile("", None)
            slot.setProperty("role", "key")
            # through the window's guard, as every tile's action (app/ui/guard.py)
            slot.clicked.connect(lambda _checked=False, i=i, slot=slot: run_action(
                slot, lambda: self.go(self.values[i])))
            self.slots.append(slot)
        for tile in [*([self.more] if self.more else []), *self.slots]:
            self.frame.row.addWidget(tile, 1)
        self.group = ScanGroup(f"filter-{label}", name, self.frame, [])
        screen.body.addWidget(self.frame)
        screen.groups.append(self.group)
        chosen = next((i for i, (_text, value) in enumerate(self.options) if value == current), 0)
        self._show(chosen // per_row)

    @property
    def pages(self) -> int:
        """How many rows of choices there are."""
        return max(1, -(-len(self.options) // self.per_row))

    def _show(self, page: int) -> None:
        """Show the `page`th few choices in the row's tiles."""
        self.page = page
        chunk = self.options[page * self.per_row:(page + 1) * self.per_row]
        self.values = [value for _text, value in chunk]
        for slot, (text, value) in zip(self.slots, chunk, strict=False):
            slot.mark_chosen(text, value == self.current, f"{self.label}: ")
            slot.setVisible(True)
        for slot in self.slots[len(chunk):]:
            slot.setVisible(False)
        self.group.items[:] = [*([self.more] if self.more else []), *self.slots[:len(chunk)]]

    def _turn(self) -> None:
        self._show((self.page + 1) % self.pages)
        self.screen.ctx.nav.rescan()
