"""The facilitator's meeting screen: plan today's meeting, start it, move the group from step to
step, reveal keywords and vote results, see and answer asks (oldest first), mark who is here,
end it. While a meeting runs it is rebuilt when others change something (new asks, dots)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from app.services.meeting.dto import MeetingInfo, StepInfo
from app.services.review.involvement_dto import day_text
from app.ui.context import UiContext
from app.ui.screens.base import Screen
from app.ui.screens.confirm import question
from app.ui.screens.facilitator.agenda import large
from app.ui.widgets import Tile, action, tile_rows

AGENDA = (("talk", "Introductions"), ("keywords", "Keywords for NOW"), ("vote", "Vote"),
          ("break", "Break"), ("draft", "Draft"))


class MeetingScreen(Screen):
    """Today's meeting as the facilitator runs it."""

    key = "meeting"
    refresh_on_change = True  # asks and dots from the members' screens show up here

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx, "Facilitator: the meeting")
        self.session = ctx.state.facilitator
        self.m = ctx.services.meetings
        meetings = self.m.meetings(self.session)  # newest first
        today = date.today()
        # A meeting of an earlier day never started here was held without the app's pacing: it
        # is among those held (its attendance and time can be entered), not the one to start.
        upcoming = [x for x in meetings if x.started_at is None and x.held_on >= today]
        self.meeting: MeetingInfo | None = next((x for x in meetings if x.running), None) or (
            upcoming[-1] if upcoming else None)
        held = [x for x in meetings if x.ended_at is not None
                or (x.started_at is None and x.held_on < today)]
        actions = [action("Back", ctx.nav.back)]
        if self.meeting is None:
            self.add_text("No meeting is planned. “Plan today's meeting” makes one with the usual "
                          "agenda: introductions, keywords for NOW (think first), a vote of 3 dots, "
                          "a break and the draft; then plan its agenda as you wish.")
            actions.insert(0, action("Plan today's meeting", self._plan))
        elif not self.meeting.running:
            steps = "; ".join(f"{i}. {st.title}" for i, st in enumerate(self.meeting.steps, 1))
            self.add_text(f"{self.meeting.title}: planned for {day_text(self.meeting.held_on)}. "
                          + (f"The agenda: {steps}." if steps else "No steps yet."))
            self.add_row("plan", "The agenda and everyone's time",
                         [Tile("Plan the agenda", self._agenda),
                          Tile("Who came, and their time", self._attendance)])
            actions.insert(0, action("Start the meeting", self._start))
        else:
            self._running(self.meeting)
            actions.append(action("End the meeting", self._end))  # last: never the first highlight
        if self.meeting is None or not self.meeting.running:
            self._earlier(held[:3])
        self.body.addStretch(1)
        self.set_actions(actions, first=True)

    def spoken_title(self) -> str:
        """Says the first waiting ask, if any."""
        asks = self._asks()
        return f"{self.title}. {len(asks)} waiting: {asks[0].spoken()}" if asks else self.title

    def _asks(self):  # noqa: ANN202 - the services' plain values
        if self.meeting is None or not self.meeting.running:
            return ()
        return self.m.waiting_asks(self.session, self.meeting.id)

    def _running(self, meeting: MeetingInfo) -> None:
        now = meeting.current
        asks = self._asks()
        if asks:
            tiles = [Tile(f"{a.spoken()}\n(choose when answered)", self._answerer(a.id),
                          speech=f"{a.spoken()}. Choose when answered") for a in asks]
            holder, groups = tile_rows("asks", "Asks, oldest first", tiles, per_row=3)
            self.add_text(f"Asks waiting: {len(asks)}, oldest first.")
            self.body.addWidget(holder)
            self.groups.extend(groups)
        else:
            self.add_text("No asks waiting.", muted=True)
        self.add_text(f"The group is on: {now.title}. {self._progress(now)}" if now else "No step yet.")
        if now is not None and now.kind in ("keywords", "vote") and now.revealed_at is None:
            what = "Reveal the results" if now.kind == "vote" else "Reveal everyone's keywords"
            reveal = Tile(what, lambda: self._do(self.m.reveal(self.session, now.id)))
            self.add_row("reveal", "Reveal", [reveal])
        if now is not None and now.kind == "vote" and now.revealed_at is not None:
            rows = self.ctx.services.live.results(self._viewer(), now.id) if self._viewer() else ()
            most = max((r.dots for r in rows), default=0)
            for r in rows[:8]:
                self.add_text(f"{r.text}  {r.bar(most)}  {r.dots}")
        steps = [Tile(f"{'▶ ' if now and st.id == now.id else ''}{i}. {st.title}", self._mover(st),
                      speech=f"Move the group to {st.title}") for i, st in enumerate(meeting.steps, 1)]
        holder, groups = tile_rows("steps", "Agenda", steps, per_row=2 if large(self.ctx) else 3)
        self.body.addWidget(holder)
        self.groups.extend(groups)
        self.add_row("plan", "The agenda and everyone's time",
                     [Tile("Change the agenda", self._agenda),
                      Tile("Minutes and preparation", self._attendance)])
        here = {a.member_id for a in self.m.attendance(self.session, meeting.id)}
        people = [p for p in self.ctx.services.projects.list_members(self.ctx.state.project_id)
                  if p.role == "participant"]
        tiles = [Tile(f"{'✔ ' if p.id in here else ''}{p.display_name}",
                      self._present(p.id, p.id not in here),
                      speech=f"{p.display_name}, {'here' if p.id in here else 'not marked here'}")
                 for p in people]
        holder, groups = tile_rows("here", "Who is here", tiles, per_row=5)
        self.add_text("Who is here (minutes: the meeting's length unless typed; "
                      "“Minutes and preparation” types them):")
        self.body.addWidget(holder)
        self.groups.extend(groups)

    def _earlier(self, ended: list[MeetingInfo]) -> None:
        """The last meetings held: who came and their time can still be entered."""
        if not ended:
            return
        tiles = [Tile(f"{m.title}, {day_text(m.held_on)}: who came, and their time",
                      lambda m=m: self.ctx.nav.show_attendance(m.id)) for m in ended]
        holder, groups = tile_rows("earlier", "Meetings held", tiles, per_row=3)
        self.add_text("Meetings held (minutes and preparation time can be entered after):")
        self.body.addWidget(holder)
        self.groups.extend(groups)

    def _agenda(self) -> None:
        assert self.meeting is not None
        self.ctx.nav.show_agenda(self.meeting.id)

    def _attendance(self) -> None:
        assert self.meeting is not None
        self.ctx.nav.show_attendance(self.meeting.id)

    def _viewer(self) -> str | None:
        return self.session.member_id if self.session else None

    def _progress(self, step: StepInfo) -> str:
        if step.kind == "vote":
            voters = self.m.voters(self.session, step.id)
            return f"{voters} {'has' if voters == 1 else 'have'} voted."
        if step.kind == "keywords":
            # the members' own count ("3 of 5 have added"), beside how many keywords there are
            added, _people = self.m.keywords_added(self.session, step.id)
            who = self.ctx.services.live.added(step.id).text()
            hidden = " Hidden until you reveal them." if step.hides else ""
            return f"{added} {'keyword' if added == 1 else 'keywords'} so far; {who}.{hidden}"
        return ""

    def _do(self, outcome) -> None:  # noqa: ANN001 - an Outcome
        self.ctx.announce(outcome.message)
        self.ctx.nav.refresh()

    def _mover(self, step: StepInfo) -> Callable[[], None]:
        return lambda: self._do(self.m.move_to(self.session, step.id))

    def _answerer(self, ask_id: str) -> Callable[[], None]:
        return lambda: self._do(self.m.answer(self.session, ask_id))

    def _present(self, member_id: str, present: bool) -> Callable[[], None]:
        assert self.meeting is not None
        meeting_id = self.meeting.id
        return lambda: self._do(self.m.set_attendance(self.session, meeting_id, member_id, present))

    def _plan(self) -> None:
        prompts = self.ctx.services.projects.list_prompts(self.ctx.state.project_id)
        now = next((p.id for p in prompts if p.pair_role == "now"), prompts[0].id if prompts else None)
        start = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        planned = self.m.plan(self.session, date.today(), self._new_title(start), start,
                              start + timedelta(hours=1))
        for kind, title in AGENDA:
            needs = kind in ("keywords", "vote")
            if needs and now is None:
                continue
            self.m.add_step(self.session, planned.record_id, kind, title, now if needs else None,
                            think_first=kind == "keywords")
        self._do(planned)

    def _new_title(self, start: datetime) -> str:
        """A name no other meeting has: every one was "Today's meeting", so two held on one day
        made two tiles alike, and the name was wrong from the next day on (seen under Xvfb)."""
        taken = {m.title for m in self.m.meetings(self.session)}
        base = f"Meeting at {start.astimezone().strftime('%H:%M')}"
        return next(t for n in range(1, len(taken) + 2)
                    if (t := base if n == 1 else f"{base} ({n})") not in taken)

    def _start(self) -> None:
        assert self.meeting is not None
        self._do(self.m.start(self.session, self.meeting.id))

    def _end(self) -> None:
        # It cannot be undone (a meeting ended is not started again), so it asks first.
        meeting = self.meeting
        assert meeting is not None
        self.ctx.nav.ask_first(question("end-meeting", title=meeting.title),
                               lambda: self._do(self.m.end(self.session, meeting.id)))
