"""The facilitator plans a meeting's agenda: each step in order with what it is ("Vote on NOW ·
5 dots each · one per keyword"), moved up or down, changed (agenda_step.py) or removed (after
asking); "✚ Add a step" adds one at the end. A step the group has reached keeps its place, so
it offers only "Change" (its title); an ended meeting's agenda is shown, not changed. Every
refusal comes from the service, shown and spoken, nothing written."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.services.dto import Outcome, PromptInfo
from app.services.meeting.dto import StepInfo
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.confirm import question
from app.ui.widgets import Tile, action, tile_rows

# The kinds of step, as the facilitator chooses them (the store's STEP_KINDS).
KIND_NAMES = {"talk": "Introductions or talk", "keywords": "Keywords for a question",
              "vote": "Vote with dots", "draft": "Draft the definition", "break": "Break"}
SHORT_KIND = {"talk": "Talk", "keywords": "Keywords", "vote": "Vote", "draft": "Draft", "break": "Break"}


def large(ctx: UiContext) -> bool:
    """At 150 % and more a row's words go above its tiles, so each tile has the room it needs."""
    return ctx.state.profile.size_percent >= 150


def captioned_row(screen: Screen, key: str, label: str, slots: list[Tile | None], caption: str,
                  wide_words: bool = False, per_row: int | None = None) -> None:
    """A row of tiles named by `caption`: beside them (the words getting three times a tile's
    room when `wide_words`), or above them at a large size, where more than `per_row` tiles
    make rows of that many. A None in `slots` is an empty place, keeping tiles in columns."""
    tiles = [tile for tile in slots if tile is not None]
    if large(screen.ctx):
        screen.add_text(caption)
        if per_row is not None and len(tiles) > per_row:
            holder, groups = tile_rows(key, label, tiles, per_row)
            screen.body.addWidget(holder)
            screen.groups.extend(groups)
            return
        group, first = screen.add_row(key, label, tiles), 0
    else:
        group, first = screen.add_row(key, label, tiles, caption=caption), 1
        if wide_words:
            group.frame.row.setStretch(0, 3)
    for place, tile in enumerate(slots, first):
        if tile is None:
            group.frame.row.insertWidget(place, QWidget(), 1)


def prompt_name(prompt: PromptInfo | None) -> str:
    """A question in a few words: "NOW", "FUTURE", else its first words."""
    if prompt is None:
        return "no question"
    if prompt.pair_role:
        return prompt.pair_role.upper()
    words = prompt.text.split()
    return "“" + " ".join(words[:6]) + ("…" if len(words) > 6 else "") + "”"


def describe(step: StepInfo, prompts: dict[str, PromptInfo]) -> str:
    """What a step is, e.g. "Vote on NOW · 5 dots each · one dot per keyword"."""
    head = SHORT_KIND[step.kind]
    if step.prompt_id is not None:
        on = "on" if step.kind == "vote" else "for"
        head += f" {on} {prompt_name(prompts.get(step.prompt_id))}"
    parts = [head]
    if step.kind == "vote":
        parts.append(f"{step.dots} {'dot' if step.dots == 1 else 'dots'} each")
        parts.append("several on one keyword" if step.several_on_one else "one dot per keyword")
    if step.kind == "keywords":
        parts.append("think first: others' keywords hidden until revealed" if step.think_first
                     else "everyone's keywords shown")
    return " · ".join(parts)


class AgendaScreen(Screen):
    """A meeting's steps in order, each with its moves."""

    key = "agenda"

    def __init__(self, ctx: UiContext, meeting_id: str) -> None:
        self.session = ctx.state.facilitator
        self.m = ctx.services.meetings
        self.meeting = self.m.meeting(self.session, meeting_id)
        super().__init__(ctx, f"Facilitator: the agenda of {self.meeting.title}")
        prompts = {p.id: p for p in ctx.services.projects.list_prompts(ctx.state.project_id)}
        ended = self.meeting.ended_at is not None
        steps = self.meeting.steps
        if ended:
            self.add_text("This meeting has ended: its agenda stays as it was.")
        else:
            self.add_text("The steps in the order the group takes them. A step the group has reached "
                          "keeps its place; the others can be moved, changed or removed. A new step "
                          "goes at the end.", muted=True)
        if not steps:
            self.add_text("No steps yet: “✚ Add a step” adds the first.")
        current = self.meeting.current.id if self.meeting.current else None
        for i, step in enumerate(steps, 1):
            reached = step.opened_at is not None
            mark = " ▶ the group is here" if step.id == current else (" (reached)" if reached else "")
            caption = f"{i}. {step.title}{mark}\n{describe(step, prompts)}"
            if ended:
                self.add_text(caption)
            else:
                captioned_row(self, f"step-{step.id}", f"Step {i}: {step.title}",
                              self._tiles(step, i), caption, wide_words=True)
        self.body.addStretch(1)
        actions = [] if ended else [action("✚ Add a step", lambda: ctx.nav.show_agenda_step(meeting_id),
                                           speech="Add a step")]
        self.set_actions([*actions, action("Back", ctx.nav.back)], first=True)

    def _tiles(self, step: StepInfo, number: int) -> list[Tile | None]:
        """Up, Down, Change, Remove; None where a move is not possible: past either end, or
        changing places with a step the group has reached (the service refuses those too)."""
        steps = self.meeting.steps
        name = f"step {number}, {step.title}"

        def free(index: int) -> bool:
            return 0 <= index < len(steps) and steps[index].opened_at is None

        here = number - 1
        return [Tile("↑ Up", self._mover(step, -1), speech=f"Move {name}, up")
                if free(here) and free(here - 1) else None,
                Tile("↓ Down", self._mover(step, 1), speech=f"Move {name}, down")
                if free(here) and free(here + 1) else None,
                Tile("✎ Change", lambda: self.ctx.nav.show_agenda_step(self.meeting.id, step.id),
                     speech=f"Change {name}"),
                Tile("✖ Remove", self._remover(step), speech=f"Remove {name}") if free(here) else None]

    def _do(self, outcome: Outcome) -> None:
        self.ctx.announce(outcome.message)
        self.ctx.nav.refresh()

    def _mover(self, step: StepInfo, by: int) -> Callable[[], None]:
        return lambda: self._do(self.m.move_step(self.session, step.id, by))

    def _remover(self, step: StepInfo) -> Callable[[], None]:
        def remove() -> None:
            self._do(self.m.remove_step(self.session, step.id))

        return lambda: self.ctx.nav.ask_first(question("remove-step", title=step.title), remove)
