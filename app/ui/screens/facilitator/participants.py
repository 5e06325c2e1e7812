"""Participants: pseudonyms, real names, roles, consent, and withdrawal with a preview first.

Real names appear only here, in facilitator mode; they are typed on the keyboard like any
text but never kept unfinished, saved as a phrase or learned for predictions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from app.services.review.review_dto import ConsentRecord, ParticipantInfo, kind_name
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.confirm import question
from app.ui.screens.write import WriteRequest
from app.ui.widgets import Tile, action, tile_rows


def real_name_line(member: ParticipantInfo) -> str:
    """A member's real name as the facilitator sees it."""
    return f"Real name: {member.real_name}" if member.real_name else "No real name recorded"


def consent_line(c: ConsentRecord) -> str:
    """A member's consent in words."""
    when = c.consent_date.isoformat() if c.consent_date else "no date"
    keep = c.keep_until.isoformat() if c.keep_until else "not set"
    return (f"Consent {when}: taking part {'yes' if c.participate else 'no'}, "
            f"quoted {'yes' if c.quote else 'no'}, credit {c.credit or 'not chosen'}, keep until {keep}")


class ParticipantsScreen(Screen):
    """Every member with their consent; add a member."""

    key = "participants"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx, "Participants and consent")
        members = ctx.services.participants.list_members(ctx.state.facilitator, include_withdrawn=True)
        tiles = []
        for m in members:
            state = " · WITHDRAWN" if m.withdrawn_at else ""
            real = f" · {m.real_name}" if m.real_name else ""
            tiles.append(Tile(f"{m.display_name}{real} ({m.role}){state}\n{consent_line(m.consent)}",
                              self._open(m), speech=f"{m.display_name}, {m.role}{state}"))
        holder, groups = tile_rows("people", "Members", tiles, per_row=1)
        self.body.addWidget(holder)
        self.body.addStretch(1)
        self.groups.extend(groups)
        self.set_actions([action("Add a member", self._add), action("Back", ctx.nav.back)], first=True)

    def _open(self, member: ParticipantInfo) -> Callable[[], None]:
        return lambda: self.ctx.nav.show_participant(member.id)

    def _add(self) -> None:
        session = self.ctx.state.facilitator
        self.ctx.nav.show_write(WriteRequest(
            title="Pseudonym of the new member", target="new-member",
            submit=lambda text, _o: self.ctx.services.participants.add_member(session, text),
        ))


class ParticipantScreen(Screen):
    """One member: consent choices (each saved at once), renaming, role, withdrawal."""

    key = "participant"

    def __init__(self, ctx: UiContext, member_id: str) -> None:
        members = ctx.services.participants.list_members(ctx.state.facilitator, include_withdrawn=True)
        self.member = next(m for m in members if m.id == member_id)
        super().__init__(ctx, f"{self.member.display_name} ({self.member.role})")
        c = self.member.consent
        self.add_text(real_name_line(self.member), muted=True)
        self.add_text(consent_line(c), muted=True)
        today = date.today()
        rows = [
            ("Taking part", [("Yes", replace(c, participate=True)), ("No", replace(c, participate=False))]),
            ("Agrees to be quoted", [("Yes", replace(c, quote=True)), ("No", replace(c, quote=False))]),
            ("Credit", [("Named", replace(c, credit="named")),
                        ("Anonymous", replace(c, credit="anonymous"))]),
            ("Consent date", [("Today", replace(c, consent_date=today))]),
            ("Keep the data until", [
                ("1 year", replace(c, keep_until=today + timedelta(days=365))),
                ("3 years", replace(c, keep_until=today + timedelta(days=3 * 365))),
                ("Not set", replace(c, keep_until=None)),
            ]),
        ]
        if self.member.withdrawn_at is None:
            for label, choices in rows:
                self._row(label, choices, c)
        self.body.addStretch(1)
        actions = [action("Rename", self._rename)]
        if self.member.withdrawn_at is None:
            actions.append(action("Real name", self._real_name, speech="Change the real name"))
        if self.member.withdrawn_at is None and self.member.role == "participant":
            actions += [action("Withdraw: delete their words", lambda: self._withdraw("delete")),
                        action("Withdraw: anonymise", lambda: self._withdraw("anonymise"))]
        self.set_actions([*actions, action("Back", ctx.nav.back)], first=True)

    def _row(self, label: str, choices: list[tuple[str, ConsentRecord]], current: ConsentRecord) -> None:
        """One question of the consent record: its name, then its answers (the one on record ticked)."""
        tiles = []
        for name, record in choices:
            tile = Tile(name, self._consent(record, f"{label}: {name}"))
            tile.mark_chosen(name, record == current, f"{label}: ")
            tiles.append(tile)
        self.add_row(f"consent-{label}", label, tiles, caption=label)

    def _consent(self, record: ConsentRecord, message: str) -> Callable[[], None]:
        def save() -> None:
            self.ctx.services.participants.set_consent(self.ctx.state.facilitator, self.member.id, record)
            self.ctx.announce(f"Saved. {message}")
            self.ctx.nav.refresh()

        return save

    def _rename(self) -> None:
        session = self.ctx.state.facilitator
        mid = self.member.id
        self.ctx.nav.show_write(WriteRequest(
            title="New pseudonym", target=f"rename:{mid}", initial=self.member.display_name,
            submit=lambda text, _o: self.ctx.services.participants.edit_member(session, mid, text),
        ))

    def _real_name(self) -> None:
        session = self.ctx.state.facilitator
        mid = self.member.id
        self.ctx.nav.show_write(WriteRequest(
            title=f"Real name of {self.member.display_name} (leave empty to erase)",
            target=f"real-name:{mid}", initial=self.member.real_name or "", private=True,
            submit=lambda text, _o: self.ctx.services.participants.set_real_name(session, mid, text),
        ))

    def _withdraw(self, mode: str) -> None:
        self.ctx.nav.show_withdrawal(self.member.id, mode)


class WithdrawalScreen(Screen):
    """What withdrawing would change, shown before anything changes; then confirm."""

    key = "withdrawal"

    def __init__(self, ctx: UiContext, member_id: str, mode: str) -> None:
        self.preview = ctx.services.participants.withdrawal_preview(ctx.state.facilitator, member_id, mode,
                                                                    local_drafts=ctx.local_drafts)
        self.mode = mode
        verb = "delete" if mode == "delete" else "anonymise"
        super().__init__(ctx, f"Withdraw {self.preview.display_name}: {verb}")
        self.add_text(f"They will be shown as “{self.preview.placeholder}”. {self.preview.summary}")
        for item in self.preview.items[:40]:
            what = kind_name(item.kind).capitalize()
            self.add_text(f"{what}: “{item.text}” will be {item.effect}", muted=True)
        if len(self.preview.items) > 40:
            self.add_text(f"… and {len(self.preview.items) - 40} more.", muted=True)
        self.body.addStretch(1)
        confirm = f"Confirm: withdraw and {verb}"
        self.set_actions([action("Cancel", ctx.nav.back), action(confirm, self._ask)], first=True)

    def spoken_title(self) -> str:
        """The preview is read out, so a choice is never blind."""
        return f"{self.title}. {self.preview.summary}"

    def _ask(self) -> None:
        verb = "delete" if self.mode == "delete" else "anonymise"
        self.ctx.nav.ask_first(question("withdraw", name=self.preview.display_name, verb=verb),
                               self._confirm)

    def _confirm(self) -> None:
        outcome = self.ctx.services.participants.withdraw(
            self.ctx.state.facilitator, self.preview.member_id, self.mode, local_drafts=self.ctx.local_drafts)
        self.ctx.nav.back()
        self.ctx.nav.back()
        self.ctx.announce(outcome.message)
