"""One step of a meeting's agenda: a new one (its kind, question, title, a vote's dots and
whether several may go on one keyword, a keyword step's "think first"), or one already there
to change (its title; a vote's dots while the group has not reached it).

The title and the dots are typed on the keyboard ("5") and checked by the meeting service
(check_title, parse_dots), which refuses an empty title or dots outside 1-20 with the reason,
leaving the text there to correct. What is typed is never kept unfinished or learned from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.services.dto import Outcome, PromptInfo
from app.services.meeting.agenda import DEFAULT_DOTS, check_title, parse_dots
from app.services.meeting.dto import StepInfo
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.facilitator.agenda import KIND_NAMES, captioned_row, describe, prompt_name
from app.ui.screens.write import WriteRequest
from app.ui.widgets import Tile, action

ASKS_A_QUESTION = ("keywords", "vote", "draft")
SEVERAL = (("Several dots on one keyword", True), ("One dot per keyword", False))
THINK = (("Think first: others' keywords hidden until revealed", True),
         ("Everyone's keywords shown at once", False))
SEVERAL_SAID = ((True, "Several dots may go on one keyword"), (False, "One dot per keyword"))
THINK_SAID = ((True, "Think first"), (False, "Everyone's keywords shown"))


@dataclass
class StepForm:
    """The new step's choices so far (kept while its screen is rebuilt, e.g. after typing)."""

    kind: str = "talk"
    prompt_id: str | None = None  # None: the NOW question (else the first)
    title: str | None = None  # None: the kind's own title
    dots: int = DEFAULT_DOTS
    several_on_one: bool = True
    think_first: bool = True

    def default_title(self, prompt: PromptInfo | None) -> str:
        """E.g. "Keywords for NOW", "Vote", "Introductions"."""
        if self.kind == "keywords":
            return f"Keywords for {prompt_name(prompt)}"
        if self.kind == "draft":
            return f"Draft for {prompt_name(prompt)}"
        return {"talk": "Introductions", "vote": "Vote", "break": "Break"}[self.kind]


def type_in(ctx: UiContext, title: str, target: str, initial: str, submit: Callable[[str], Outcome],
            numbers: bool = False) -> None:
    """Ask for one value on the keyboard (`numbers`: on the page of digits); private: never kept
    unfinished or learned from."""
    ctx.nav.show_write(WriteRequest(title=title, target=f"agenda-{target}", initial=initial, private=True,
                                    submit=lambda text, _o: submit(text), numbers=numbers))


class _StepScreen(Screen):
    """What both step screens share: a row of one choice out of a few."""

    def _choice(self, key: str, caption: str, options: tuple[tuple[str, bool], ...], value: bool,
                choose: Callable[[bool], None]) -> None:
        tiles: list[Tile | None] = []
        for label, option in options:
            tile = Tile(label, lambda option=option: choose(option))
            tile.mark_chosen(label, option == value, f"{caption}: ")
            tiles.append(tile)
        captioned_row(self, key, caption, tiles, caption)

    def _one(self, key: str, label: str, tile: Tile, caption: str) -> None:
        captioned_row(self, key, label, [tile], caption)


class NewStepScreen(_StepScreen):
    """A step to add at the end of the agenda, chosen part by part, then "✚ Add this step"."""

    key = "agenda-new-step"

    def __init__(self, ctx: UiContext, meeting_id: str, form: StepForm) -> None:
        self.session = ctx.state.facilitator
        self.meeting = ctx.services.meetings.meeting(self.session, meeting_id)
        super().__init__(ctx, f"Facilitator: a new step for {self.meeting.title}")
        self.form = form
        self.prompts = ctx.services.projects.list_prompts(ctx.state.project_id)
        prompt = self._prompt()
        kinds: list[Tile | None] = []
        for kind, name in KIND_NAMES.items():
            tile = Tile(name, self._setter(f"Kind: {name}", kind=kind))
            tile.mark_chosen(name, kind == form.kind, "Kind: ")
            kinds.append(tile)
        big = ctx.state.profile.size_percent > 200
        captioned_row(self, "kind", "Kind of step", kinds, "Kind of step", per_row=2 if big else 3)
        if form.kind in ASKS_A_QUESTION and self.prompts:
            tiles: list[Tile | None] = []
            for p in self.prompts:
                label = f"{p.pair_role.upper()}: {p.text}" if p.pair_role else p.text
                tile = Tile(label, self._setter(f"Question: {prompt_name(p)}", prompt_id=p.id))
                tile.mark_chosen(label, prompt is not None and p.id == prompt.id, "Question: ")
                tiles.append(tile)
            captioned_row(self, "question", "Question", tiles, "Question", per_row=2)
        title = form.title or form.default_title(prompt)
        self._one("title", "Title", Tile(f"Title: {title}", self._type_title,
                                         speech=f"Title: {title}. Choose to type another"),
                  "Title (choose it to type another)")
        if form.kind == "vote":
            self._one("dots", "Dots", Tile(f"Dots per member: {form.dots}", self._type_dots,
                                           speech=f"Dots per member: {form.dots}. Choose to change"),
                      "Each member's dots (1 to 20)")
            self._choice("several", "Several on one keyword", SEVERAL, form.several_on_one,
                         lambda v: self._setter(dict(SEVERAL_SAID)[v], several_on_one=v)())
        if form.kind == "keywords":
            self._choice("think", "Think first", THINK, form.think_first,
                         lambda v: self._setter(dict(THINK_SAID)[v], think_first=v)())
        self.body.addStretch(1)
        self.set_actions([action("✚ Add this step", self._add, speech="Add this step"),
                          action("Back", ctx.nav.back)], first=True)

    def _prompt(self) -> PromptInfo | None:
        chosen = next((p for p in self.prompts if p.id == self.form.prompt_id), None)
        return chosen or next((p for p in self.prompts if p.pair_role == "now"),
                              self.prompts[0] if self.prompts else None)

    def _setter(self, said: str, **change: object) -> Callable[[], None]:
        def choose() -> None:
            for name, value in change.items():
                setattr(self.form, name, value)
            self.ctx.nav.refresh()
            self.ctx.announce(f"{said}.")

        return choose

    def _type_title(self) -> None:
        def submit(text: str) -> Outcome:
            self.form.title = check_title(text)
            return Outcome(f"Title: {self.form.title}.")

        type_in(self.ctx, "The step's title", "new-title", self.form.title or "", submit)

    def _type_dots(self) -> None:
        def submit(text: str) -> Outcome:
            self.form.dots = parse_dots(text)
            return Outcome(f"Dots per member: {self.form.dots}.")

        type_in(self.ctx, "Dots per member (1 to 20)", "new-dots", str(self.form.dots), submit, numbers=True)

    def _add(self) -> None:
        form, prompt = self.form, self._prompt()
        asks = form.kind in ASKS_A_QUESTION
        outcome = self.ctx.services.meetings.add_step(
            self.session, self.meeting.id, form.kind, form.title or form.default_title(prompt),
            prompt.id if asks and prompt is not None else None, dots=form.dots,
            several_on_one=form.several_on_one, think_first=form.think_first)
        self.ctx.nav.back()
        self.ctx.announce(outcome.message)


class StepScreen(_StepScreen):
    """A step already on the agenda: its title; a vote's dots until the group reaches it."""

    key = "agenda-step"

    def __init__(self, ctx: UiContext, meeting_id: str, step_id: str) -> None:
        self.session = ctx.state.facilitator
        self.m = ctx.services.meetings
        meeting = self.m.meeting(self.session, meeting_id)
        found = [(i, st) for i, st in enumerate(meeting.steps, 1) if st.id == step_id]
        number, step = found[0] if found else (0, None)
        super().__init__(ctx, f"Facilitator: step {number}, {step.title}" if step else "Facilitator: a step")
        self.step: StepInfo | None = step
        if step is None:
            self.add_text("This step is no longer on the agenda.")
        else:
            prompts = {p.id: p for p in ctx.services.projects.list_prompts(ctx.state.project_id)}
            self.add_text(describe(step, prompts))
            self._one("title", "Title", Tile(f"Title: {step.title}", self._type_title,
                                             speech=f"Title: {step.title}. Choose to rename"),
                      "Title (choose it to rename the step)")
            if step.kind == "vote" and step.opened_at is None:
                self._one("dots", "Dots", Tile(f"Dots per member: {step.dots}", self._type_dots,
                                               speech=f"Dots per member: {step.dots}. Choose to change"),
                          "Each member's dots (1 to 20)")
                self._choice("several", "Several on one keyword", SEVERAL, step.several_on_one,
                             lambda v: self._vote(step.dots, v))
            elif step.kind == "vote":
                self.add_text("The group has reached this vote: its dots stay as they are.", muted=True)
        self.body.addStretch(1)
        self.set_actions([action("Back", ctx.nav.back)], first=True)

    def _vote(self, dots: int, several: bool) -> None:
        assert self.step is not None
        self.ctx.announce(self.m.set_vote(self.session, self.step.id, dots, several).message)
        self.ctx.nav.refresh()

    def _type_title(self) -> None:
        step = self.step
        assert step is not None
        type_in(self.ctx, f"A new title for {step.title}", f"title:{step.id}", step.title,
                lambda text: self.m.rename_step(self.session, step.id, text))

    def _type_dots(self) -> None:
        step = self.step
        assert step is not None
        type_in(self.ctx, f"Dots per member in {step.title} (1 to 20)", f"dots:{step.id}", str(step.dots),
                lambda text: self.m.set_vote(self.session, step.id, parse_dots(text), step.several_on_one),
                numbers=True)
