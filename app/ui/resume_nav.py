"""Coming back after a crash: the window keeps where the member is (a LastPlace file) and,
started again by the supervisor with --resume, opens the same screens, so the member is back
on their own screen with their unfinished text (saved in the database at every selection).

Only the member's own screens are kept, as the moves that opened them; facilitator mode is
never reopened (it needs the passphrase again), nor is anything once a step cannot be replayed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtWidgets import QApplication

from app.ui.widgets import Tile

if TYPE_CHECKING:
    from app.services.container import Services
    from app.services.dto import MemberInfo
    from app.store.local_drafts import LastPlace
    from app.ui.context import UiContext, UiState

RESTARTED = "Sorry, the app had to restart. Your text is safe."
# The moves that may be replayed (each opens one of the member's own screens).
RESUMABLE = frozenset({"show_prompt", "show_definition", "show_sentence", "show_versions", "show_pair",
                       "show_settings", "show_phrases", "show_summary"})
Step = list[Any]  # [move, args, kwargs], or ["tile", the name of the tile that opened a keyboard]
F = TypeVar("F", bound=Callable[..., None])


def remembered(move: F) -> F:
    """Mark a move of the window as one the trail keeps (its arguments are plain values)."""

    @functools.wraps(move)
    def recorded(self: ResumeNavigation, *args: Any, **kwargs: Any) -> None:
        self._step = [move.__name__, list(args), kwargs]
        try:
            move(self, *args, **kwargs)
        finally:
            self._step = None

    return recorded  # type: ignore[return-value]


class ResumeNavigation:
    """Mixed into MainWindow: the trail of moves beside its history, kept and replayed."""

    ctx: UiContext
    state: UiState
    last_place: LastPlace | None
    _step: Step | None = None
    _replaying: str | None = None  # the tile a replay is clicking (it has no focus)

    if TYPE_CHECKING:  # MainWindow's, named here for the type checker only
        _trail: list[Step | None]

        @property
        def services(self) -> Services: ...
        def pick_member(self, member: MemberInfo) -> None: ...
        def tiles(self) -> list[Tile]: ...

    def _opening_step(self) -> Step | None:
        """The step for a keyboard about to open: the tile that opened it (still focused)."""
        if self._replaying is not None:
            return ["tile", self._replaying]
        focus = QApplication.focusWidget()
        return ["tile", focus.accessibleName()] if isinstance(focus, Tile) else None

    def _keep_place(self) -> None:
        """Write down where the member is (after every change of screen)."""
        if self.last_place is None:
            return
        member = self.state.member
        if member is None or self.state.facilitator is not None:
            self.last_place.keep(None)
            return
        # The trail's first two screens are the members screen and the member's home.
        self.last_place.keep({"project": self.state.project_id, "member": member.id,
                              "trail": self._trail[2:]})

    def resume(self) -> None:
        """Started again after a crash: the last member's own screens, and an apology."""
        place = self.last_place.previous if self.last_place is not None else {}
        if place.get("project") == self.state.project_id and isinstance(place.get("member"), str):
            try:
                member = self.services.projects.get_member(place["member"])
            except Exception:  # noqa: BLE001 - gone or withdrawn: the members screen it is
                member = None
            if member is not None and member.role != "facilitator":
                self.pick_member(member)
                trail = place.get("trail")
                for step in trail if isinstance(trail, list) else []:
                    if not self._replay(step):
                        break
        self.ctx.announce(RESTARTED)

    def _replay(self, step: object) -> bool:
        if not isinstance(step, list) or not step:
            return False
        try:
            if step[0] == "tile" and len(step) == 2:
                tile = next((t for t in self.tiles() if t.accessibleName() == step[1]), None)
                if tile is None:
                    return False
                self._replaying = step[1]
                try:
                    tile.click()
                finally:
                    self._replaying = None
                return True
            name, args, kwargs = step
            if name not in RESUMABLE or not isinstance(args, list) or not isinstance(kwargs, dict):
                return False
            getattr(self, name)(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a prompt or version that is gone: stop where we are
            return False
        return True
