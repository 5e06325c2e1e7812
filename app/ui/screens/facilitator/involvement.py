"""The involvement record (facilitator mode only): each member's meetings, minutes, preparation
time, expenses and notes; involvement.csv and a Word statement per member.

Amounts are typed on the keyboard like any text ("90", "1:30"; "12.50") and read by the
service's parsers, which refuse bad or negative input with the reason. What is typed here is
the facilitator's personal data: never kept unfinished, saved as a phrase or learned from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from app.services.dto import Outcome
from app.services.errors import DomainError
from app.services.export.involvement import statement_name
from app.services.review.involvement_dto import (
    InvolvementLine,
    InvolvementRecord,
    hours_text,
    money_text,
    parse_minutes,
    parse_pence,
)
from app.services.review.review_dto import FacilitatorSession
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.write import WriteRequest
from app.ui.widgets import Tile, action, tile_rows

PERIODS = ("All time", "Last 30 days", "Last 90 days", "This tax year")


def period_days(period: str, today: date) -> tuple[date | None, date | None]:
    """(since, until) of a period's name; a UK tax year starts on 6 April."""
    if period == "Last 30 days":
        return today - timedelta(days=30), today
    if period == "Last 90 days":
        return today - timedelta(days=90), today
    if period == "This tax year":
        start = date(today.year, 4, 6)
        return (start if today >= start else date(today.year - 1, 4, 6)), today
    return None, None


class _Involvement(Screen):
    """What both involvement screens share: the period, the names, the export folder."""

    def __init__(self, ctx: UiContext, title: str, folder: Path) -> None:
        super().__init__(ctx, title)
        self.folder = folder
        self.since, self.until = period_days(ctx.state.involvement_period, date.today())

    @property
    def session(self) -> FacilitatorSession | None:
        """The live facilitator session (every screen here is opened through one)."""
        return self.ctx.state.facilitator

    def _choices(self) -> None:
        """The period and names rows: each choice applies at once and is kept this session."""
        state = self.ctx.state
        tiles = []
        for name in PERIODS:
            tile = Tile(name, self._period(name))
            tile.mark_chosen(name, name == state.involvement_period, "Period: ")
            tiles.append(tile)
        self.add_row("period", "Period", tiles, caption="Period")
        names = []
        for label, real in (("Pseudonyms", False), ("Real names where recorded", True)):
            tile = Tile(label, self._names(real, label))
            tile.mark_chosen(label, real == state.export_real_names, "Names: ")
            names.append(tile)
        self.add_row("names", "Names", names, caption="Names on files")

    def _period(self, name: str) -> Callable[[], None]:
        def choose() -> None:
            self.ctx.state.involvement_period = name
            self.ctx.nav.refresh()
            self.ctx.announce(f"Period: {name}")

        return choose

    def _names(self, real: bool, label: str) -> Callable[[], None]:
        def choose() -> None:
            self.ctx.state.export_real_names = real
            self.ctx.nav.refresh()
            self.ctx.announce(f"Names: {label}")

        return choose

    def _stamp(self) -> str:
        return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")

    def _export(self, write: Callable[[], Outcome]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            result = write()
        except (DomainError, OSError) as exc:
            self.ctx.announce(getattr(exc, "message", str(exc)))
            return
        self.ctx.announce(result.message)


class InvolvementScreen(_Involvement):
    """Every participant's record in one line each; the kept payment records; the exports."""

    key = "involvement"

    def __init__(self, ctx: UiContext, folder: Path) -> None:
        super().__init__(ctx, "Involvement: time and expenses", folder)
        self.add_text("Each member's time in meetings, preparation time and expenses, for payment and "
                      "benefits paperwork. Only facilitator mode shows this; it never travels in a bundle.",
                      muted=True)
        self._choices()
        self.records = ctx.services.involvement.records(self.session, self.since, self.until)
        tiles = [Tile(f"{r.display_name}: {r.summary}", self._open(r)) for r in self.records]
        holder, groups = tile_rows("members", "Members", tiles, per_row=1)
        self.body.addWidget(holder)
        self.groups.extend(groups)
        for kept in ctx.services.involvement.kept_payments(self.session):
            minutes = kept.meeting_minutes + kept.preparation_minutes
            self.add_text(f"{kept.pseudonym} (withdrawn): {hours_text(minutes)}, expenses "
                          f"{money_text(kept.expenses_pence)}. {kept.reason}", muted=True)
        self.body.addStretch(1)
        self.set_actions([action("Export involvement.csv", self._csv),
                          action("Word statements for everyone", self._statements),
                          action("Back", ctx.nav.back)], first=True)

    def _open(self, record: InvolvementRecord) -> Callable[[], None]:
        return lambda: self.ctx.nav.show_member_involvement(record.member_id)

    def _csv(self) -> None:
        exports = self.ctx.services.exports
        self._export(lambda: exports.involvement_csv(
            self.session, self.folder / f"involvement-{self._stamp()}", self.since, self.until,
            real_names=self.ctx.state.export_real_names))

    def _statements(self) -> None:
        exports = self.ctx.services.exports
        self._export(lambda: exports.statements(
            self.session, self.folder / f"statements-{self._stamp()}", self.since, self.until,
            real_names=self.ctx.state.export_real_names))


class MemberInvolvementScreen(_Involvement):
    """One member's lines (each opens to change it); add time, expenses or a note for today."""

    key = "member-involvement"

    def __init__(self, ctx: UiContext, member_id: str, folder: Path) -> None:
        since, until = period_days(ctx.state.involvement_period, date.today())
        self.record = ctx.services.involvement.record(ctx.state.facilitator, member_id, since, until)
        name = self.record.display_name
        super().__init__(ctx, f"Involvement: {name}", folder)
        self.add_text(f"{ctx.state.involvement_period}: {self.record.summary}.")
        self._choices()
        tiles = [Tile(line.label, self._line(line)) for line in self.record.lines]
        if tiles:
            holder, groups = tile_rows("lines", "Days", tiles, per_row=1)
            self.body.addWidget(holder)
            self.groups.extend(groups)
        else:
            self.add_text("Nothing is recorded in this period.", muted=True)
        self.body.addStretch(1)
        self.set_actions([action("Add preparation time", self._add_time),
                          action("Add expenses", self._add_money),
                          action("Add a note", self._add_note), action("Word statement", self._statement),
                          action("Back", ctx.nav.back)], first=True)

    def _add_time(self) -> None:
        ask(self.ctx, f"Preparation time for {self.record.display_name} today (minutes, like 90 or 1:30)",
            f"prep:{self.record.member_id}", lambda text: self._add(
                preparation_minutes=parse_minutes(text, "The preparation time")), numbers=True)

    def _add_money(self) -> None:
        ask(self.ctx, f"Expenses for {self.record.display_name} today (pounds, like 12.50)",
            f"expenses:{self.record.member_id}", lambda text: self._add(expenses_pence=parse_pence(text)),
            numbers=True)

    def _add_note(self) -> None:
        ask(self.ctx, f"A note on {self.record.display_name}'s involvement today (e.g. carer's costs)",
            f"note:{self.record.member_id}", lambda text: self._add(note=text))

    def _add(self, **given: object) -> Outcome:
        sv = self.ctx.services.involvement
        return sv.add(self.session, self.record.member_id, **given)  # type: ignore[arg-type]

    def _line(self, line: InvolvementLine) -> Callable[[], None]:
        member = self.record.member_id
        return lambda: self.ctx.nav.show_involvement_line(member, line.entry_id, line.meeting_id)

    def _statement(self) -> None:
        real = self.ctx.state.export_real_names
        exports = self.ctx.services.exports
        file = statement_name(self.record, real).replace(".docx", f"-{self._stamp()}.docx")
        self._export(lambda: exports.statement(self.session, self.record.member_id, self.folder / file,
                                               self.since, self.until, real_names=real))


class InvolvementLineScreen(Screen):
    """One day's line: set its preparation time, expenses or note, or remove the entry."""

    key = "involvement-line"

    def __init__(self, ctx: UiContext, member_id: str, entry_id: str | None, meeting_id: str | None) -> None:
        record = ctx.services.involvement.record(ctx.state.facilitator, member_id)
        line = next((x for x in record.lines if (entry_id and x.entry_id == entry_id)
                     or (not entry_id and x.meeting_id == meeting_id and x.entry_id is None)), None)
        if line is None:  # removed meanwhile: a fresh line for the meeting, else nothing to show
            line = InvolvementLine(date.today(), None, meeting_id)
        super().__init__(ctx, f"{record.display_name}: {line.label}")
        self.line, self.member_id = line, member_id
        self.body.addStretch(1)
        actions = [action("Preparation time", self._time), action("Expenses", self._money),
                   action("Note", self._note)]
        if line.entry_id:
            actions.append(action("Remove this entry", self._remove))
        self.set_actions([*actions, action("Back", ctx.nav.back)], first=True)

    def _time(self) -> None:
        ask(self.ctx, "Preparation time (minutes, like 90 or 1:30)", f"line-prep:{self.member_id}",
            lambda text: self._save(preparation_minutes=parse_minutes(text, "The preparation time")),
            str(self.line.preparation_minutes or ""), numbers=True)

    def _money(self) -> None:
        pence = self.line.expenses_pence
        ask(self.ctx, "Expenses (pounds, like 12.50)", f"line-expenses:{self.member_id}",
            lambda text: self._save(expenses_pence=parse_pence(text)), f"{pence / 100:.2f}" if pence else "",
            numbers=True)

    def _note(self) -> None:
        ask(self.ctx, "Note (e.g. carer's costs)", f"line-note:{self.member_id}",
            lambda text: self._save(note=text), self.line.note)

    def _save(self, **change: object) -> Outcome:
        sv, session = self.ctx.services.involvement, self.ctx.state.facilitator
        if self.line.entry_id:
            return sv.edit(session, self.line.entry_id, **change)  # type: ignore[arg-type]
        return sv.add(session, self.member_id, self.line.day, meeting_id=self.line.meeting_id,
                      **change)  # type: ignore[arg-type]

    def _remove(self) -> None:
        outcome = self.ctx.services.involvement.remove(self.ctx.state.facilitator, self.line.entry_id or "")
        self.ctx.nav.back()
        self.ctx.announce(outcome.message)


def ask(ctx: UiContext, title: str, target: str, submit: Callable[[str], Outcome], initial: str = "",
        numbers: bool = False) -> None:
    """Ask for one value on the keyboard (`numbers`: on the page of digits); private, so it is
    never kept unfinished or learned from."""
    ctx.nav.show_write(WriteRequest(title=title, target=f"involvement-{target}", initial=initial,
                                    private=True, numbers=numbers,
                                    submit=lambda text, _o: submit(text)))
