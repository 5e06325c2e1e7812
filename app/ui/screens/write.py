"""Writing with the on-screen keyboard: text saved at every selection, options, done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.access.adaptive import MORE
from app.access.prediction import Predictor
from app.access.text_entry import KeyboardModel, TextState
from app.services.dto import Outcome
from app.services.errors import DomainError
from app.ui.context import UiContext
from app.ui.keyboard import KeyboardPanel
from app.ui.screens.base import Screen
from app.ui.screens.confirm import question
from app.ui.screens.unfinished import UnfinishedText
from app.ui.widgets import GroupFrame, ScanGroup, Tile, action
from app.ui.write_fit import FitArea

PHRASES_SHOWN = 4
EARLIER_OFFER = "An earlier version of this text is kept: choose to see it"


@dataclass
class Option:
    """A choice shown beside the keyboard, e.g. keyword / phrase / experience."""

    key: str
    label: str
    choices: list[tuple[str, str]]
    value: str
    tiles: list[Tile] = field(default_factory=list)


@dataclass
class WriteRequest:
    """What is being written, and what to do with it when done."""

    title: str
    target: str
    submit: Callable[[str, dict[str, str]], Outcome]
    options: list[Option] = field(default_factory=list)
    multiline: bool = False
    initial: str = ""
    keywords: list[str] = field(default_factory=list)
    back_steps: int = 1
    secret: bool = False  # a passphrase: shown as dots, never saved, spoken or learned from
    then: Callable[[], None] | None = None  # after a successful submit and going back
    private: bool = False  # a real name: shown and spoken, but never kept unfinished or learned from
    # `submit` touches no widget: it runs on the window's database worker (UiContext.act), so a
    # locked or slow database leaves the window scanning.
    off_thread: bool = False
    # Minutes, an amount, a count: the keyboard opens on the page of digits and stays there, with
    # no word predictions (they mean nothing for "1:30").
    numbers: bool = False

    @property
    def keeps_nothing(self) -> bool:
        """True when the text must not be saved unfinished, kept as a phrase or learned from."""
        return self.secret or self.private


class WriteScreen(Screen):
    """The keyboard over a text field; Escape or Cancel keeps the text for later.

    Nothing here scrolls: the title, the text, the keys and the rows under them are placed by
    a FitArea (app/ui/write_fit.py) to fit the window at every Size, in place of the scrolling
    body the other screens have.
    """

    key = "write"
    refresh_on_change = False  # writing is never disturbed; the news shows on return

    def __init__(self, ctx: UiContext, request: WriteRequest, predictor: Predictor) -> None:
        super().__init__(ctx, request.title)
        self.request = request
        profile = ctx.state.profile
        predictor.set_keywords(request.keywords)
        saved = None
        self.unfinished: UnfinishedText | None = None
        if ctx.state.member is not None and not request.keeps_nothing:
            self.unfinished = UnfinishedText(ctx, ctx.state.member.id, request.target)
            if not (ctx.db is not None and ctx.db.busy(f"clear:{ctx.state.member.id}:{request.target}")):
                saved = self.unfinished.open()  # (not while it is being cleared, a moment after use)
        text = saved.text if saved else request.initial
        predictions = 0 if request.secret or request.numbers else profile.predictions
        self.model = KeyboardModel(predictor, profile.keyboard_layout, predictions, text=text,
                                   learn="off" if request.keeps_nothing else "word",
                                   home_page="symbols" if request.numbers else "letters")
        if saved is not None:
            self.model.state = TextState(saved.text, saved.cursor)
            self.model.refresh()
        self.panel = KeyboardPanel(self.model, self._result, self._word, request.multiline,
                                   request.secret)
        self.panel.changed.connect(self._changed)
        self.fit = FitArea(self.heading, self.panel.field, self.panel,
                           lambda: ctx.state.profile.size_percent)
        self._outer.removeWidget(self.heading)
        self._outer.removeWidget(self.scroll)
        self.scroll.hide()
        self.scroll.deleteLater()  # (the body that scrolls on other screens; nothing here does)
        self._outer.insertWidget(0, self.fit, 1)
        self.option_groups = [self._option_row(o) for o in request.options]
        self.phrase_group = None if request.keeps_nothing else self._phrase_row()
        self.more_tile = Tile("Other choices", None, speech="Other choices", role="action")
        self.more_tile.setProperty("scan_only", True)
        self.more_tile.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.more_tile.setVisible(False)
        actions = [action("Cancel: keep for later", self._cancel)]
        if saved is not None and saved.earlier is not None:
            actions.insert(0, action(EARLIER_OFFER, self._bring_back))
        self.set_actions(actions)
        self.bar_holder.addWidget(self.more_tile)
        while self.bar_holder.count():  # the action bar (and any asks) are fitted too
            widget = self.bar_holder.takeAt(0).widget()
            if widget is not None:
                self.fit.add(widget)
        self._opened_with = self.panel.text  # leaving with other text than this asks first
        self._left = False
        if saved is not None and saved.earlier is not None:
            ctx.status.show_status(f"Your unfinished text is back. {EARLIER_OFFER}.")
        elif saved is not None:
            ctx.status.show_status("Your unfinished text is back.")

    def scan_groups(self) -> list[ScanGroup]:
        """Predictions and keys first (cheapest), then the options, then Cancel."""
        phrases = [self.phrase_group] if self.phrase_group is not None else []
        return [*self.panel.groups, *phrases, *self.option_groups, *self.groups]

    def typing_field(self) -> QWidget:
        """The text field: a physical keyboard types into it whatever has the focus."""
        return self.panel.field

    def adaptive_provider(self) -> WriteScreen:
        """The keys adaptive scanning works over (this screen answers for them)."""
        self.more_tile.setVisible(True)
        return self

    def key_probabilities(self) -> dict[str, float]:
        """The keyboard's odds for each key."""
        return self.panel.key_probabilities()

    def tile_for(self, key_id: str) -> QWidget | None:
        """A key's tile; "other choices" leads to the phrases, options and Cancel."""
        return self.more_tile if key_id == MORE else self.panel.tile_for(key_id)

    def perform(self, key_id: str) -> None:
        """Press a key chosen by adaptive scanning."""
        self.panel.perform(key_id)

    def spoken_title(self) -> str:
        """Say what is being written, and any text already there."""
        text = self.panel.text
        return f"{self.title}. {text}" if text else self.title

    # ---------------------------------------------------------------- phrases
    def _phrase_row(self) -> ScanGroup:
        frame = GroupFrame("My phrases")
        frame.row.setContentsMargins(6, 3, 6, 3)
        member = self.ctx.state.member
        phrases = self.ctx.services.phrases.list(member.id)[:PHRASES_SHOWN] if member else []
        tiles = [Tile("Save as a phrase", self._save_phrase, speech="Save this text as a phrase")]
        for phrase in phrases:
            tiles.append(Tile(phrase, lambda p=phrase: self.panel.insert_phrase(p),
                              speech=f"Phrase: {phrase}"))
        for tile in tiles:
            tile.setProperty("role", "key")
            frame.row.addWidget(tile, 1)
        self.fit.add(frame)
        return ScanGroup("phrases", "My phrases", frame, tiles)

    def _save_phrase(self) -> None:
        member = self.ctx.state.member
        text = self.panel.text.strip()
        if member is None or not text:
            self.ctx.announce("Write the phrase first, then save it.")
            return
        try:
            outcome = self.ctx.services.phrases.save(member.id, text)
        except DomainError as exc:
            self.ctx.announce(exc.message)
            return
        self.ctx.announce(outcome.message)

    # ---------------------------------------------------------------- options
    def _option_row(self, option: Option) -> ScanGroup:
        frame = GroupFrame(option.label)
        frame.row.setContentsMargins(6, 3, 6, 3)
        for value, name in option.choices:
            tile = Tile(name, self._chooser(option, value), speech=f"{option.label}: {name}")
            tile.setProperty("role", "key")
            option.tiles.append(tile)
            frame.row.addWidget(tile, 1)
        self._mark(option)
        self.fit.add(frame)
        return ScanGroup(f"option-{option.key}", option.label, frame, option.tiles)

    def _chooser(self, option: Option, value: str) -> Callable[[], None]:
        def choose() -> None:
            option.value = value
            self._mark(option)
            self.ctx.announce(f"{option.label}: {dict(option.choices)[value]}")
            self.ctx.nav.rescan()

        return choose

    @staticmethod
    def _mark(option: Option) -> None:
        for (value, name), tile in zip(option.choices, option.tiles, strict=True):
            tile.mark_chosen(name, value == option.value, f"{option.label}: ")

    # ------------------------------------------------------------------ keys
    def _changed(self) -> None:
        if self.unfinished is not None:
            self.unfinished.changed(self.model.state.text, self.model.state.cursor)
        self.ctx.nav.rescan()
        self.fit.refit()  # new labels (predictions), new rows (a page of symbols), the cursor

    def _bring_back(self) -> None:
        """Swap in the earlier version of the text; the one it replaces is kept in its place."""
        if self.unfinished is None:
            return
        back = self.unfinished.bring_back()
        if back is None:
            return
        self.panel.set_text(back.text, back.cursor)
        self.ctx.announce(f"The other version is shown: {back.text or 'empty'}. The one you had is kept: "
                          "choose again to go back to it.")

    def _word(self, word: str) -> None:
        if not self.request.secret:
            self.ctx.speak(word)

    def _result(self, result: str) -> None:
        if result == "speak" and self.request.secret:
            self.ctx.speak(f"{len(self.panel.text)} characters, not read aloud.")
        elif result == "speak":
            self.ctx.speak(self.panel.text or "Nothing written yet.")
        elif result == "confirm-clear":
            self.ctx.nav.ask_first(question("clear"), self.panel.clear_confirmed)
        elif result == "done":
            self._submit()

    def _submit(self) -> None:
        # A space typed last is not part of the words (but may be part of a passphrase).
        text = self.panel.text if self.request.secret else self.panel.text.strip()
        values = {o.key: o.value for o in self.request.options}
        submit = self.request.submit
        if self.request.off_thread:
            self.ctx.act(f"submit:{self.request.target}", lambda: submit(text, values), self._submitted)
            return
        try:
            outcome = submit(text, values)
        except DomainError as exc:
            self.ctx.announce(exc.message)
            return
        self._submitted(outcome)

    def _submitted(self, outcome: Outcome) -> None:
        member = self.ctx.state.member
        if member is not None and not self.request.keeps_nothing:
            if self.unfinished is not None:
                self.unfinished.clear()
            if outcome.undo_token:
                self.ctx.state.undo_tokens.append(outcome.undo_token)
        if not self._left:  # told late (a slow database) after the member left: stay where they are
            for _ in range(self.request.back_steps):
                self.ctx.nav.back()
        self.ctx.announce(outcome.message)
        if self.request.then is not None:
            self.request.then()

    def detach(self) -> None:
        """The screen is closing: a submit told after this leaves the member where they are."""
        self._left = True
        super().detach()

    def escape(self) -> None:
        """Escape is Cancel: it asks first when there is new text."""
        self._cancel()

    def _cancel(self) -> None:
        if self.panel.text == self._opened_with:
            self._leave()
            return
        kind = "leave-write-unkept" if self.request.keeps_nothing else "leave-write"
        self.ctx.nav.ask_first(question(kind), self._leave)

    def _leave(self) -> None:
        if not self.request.keeps_nothing:
            self.ctx.announce("Kept for later. It will be here when you come back.")
        self.ctx.nav.back()
