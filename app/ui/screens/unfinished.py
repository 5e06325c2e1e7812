"""A writing screen's unfinished text: kept at every key, never going backwards, nothing lost.

Every change is kept on this computer at once (app/store/local_drafts.py) and saved in the
database on the window's worker thread, with the time it was written and this computer's id.
On opening, the newer of the database's copy and this computer's copy wins wherever it is, and
the other is kept as the earlier draft (app/store/draft_text.py), which the member can bring
back from the writing screen; bringing it back keeps the one it replaces, so nothing is lost.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone

from app.services.dto import InProgress
from app.services.errors import StoreUnavailable
from app.store.draft_text import KeptText, newer_first
from app.ui.context import UiContext

KEPT_HERE = "The database cannot be reached. Your text is kept on this computer."
NOT_KEPT_HERE = ("Your text could not be kept on this computer (the disk may be full or read-only); "
                 "it is being saved in the database.")


class UnfinishedText:
    """The unfinished text of one member and target (e.g. "contribution:<prompt>")."""

    def __init__(self, ctx: UiContext, member_id: str, target: str) -> None:
        self.ctx, self.member_id, self.target = ctx, member_id, target
        self.latest: KeptText | None = None  # the newest text: what the worker saves
        self.earlier: KeptText | None = None

    def open(self) -> InProgress | None:
        """The text to start from, the newer copy of the two; the other becomes the earlier draft."""
        drafts, inprogress = self.ctx.local_drafts, self.ctx.services.inprogress
        local = drafts.entry(self.member_id, self.target)
        try:
            stored = inprogress.load(self.member_id, self.target)
        except StoreUnavailable:
            stored = None
        if local is None and stored is None:
            return None
        if local is None:
            assert stored is not None
            winner, earlier = stored.kept, stored.earlier
        elif stored is None:
            winner, earlier = local
        else:
            here, here_earlier = local
            winner, loser = newer_first(stored.kept, here)
            # A stale copy of the same writing (one computer, saved a moment later) is not a
            # draft of its own; any other older copy is kept for the member to bring back.
            same_line = loser.written_on is not None and loser.written_on == winner.written_on
            kept_apart = loser.text and loser.text != winner.text and not same_line
            earlier = loser if kept_apart else (stored.earlier or here_earlier)
            if stored.kept != winner or stored.earlier != earlier:
                self._store(winner, earlier)  # the database gets the newer copy and keeps the other
            else:
                drafts.forget(self.member_id, self.target)
        self.latest, self.earlier = winner, earlier
        if not winner.text and earlier is None:
            return None
        return InProgress(self.target, winner.text, winner.cursor, winner.written_at, winner.written_on,
                          earlier)

    def changed(self, text: str, cursor: int) -> None:
        """The member changed the text: keep it here now, save it in the database off-thread."""
        now = KeptText(text, cursor, datetime.now(timezone.utc), self.ctx.local_drafts.computer)
        self.latest = now
        try:
            self.ctx.local_drafts.keep(self.member_id, self.target, text, cursor, now.written_at)
        except OSError:  # the database copy below is still made; the guard's log has the detail
            self.ctx.status.show_status(NOT_KEPT_HERE)
        self._save()

    def bring_back(self) -> KeptText | None:
        """Swap the text and its earlier draft (nothing is dropped); returns the text now in use."""
        if self.earlier is None or self.latest is None:
            return None
        now = datetime.now(timezone.utc)
        back = KeptText(self.earlier.text, len(self.earlier.text), now, self.ctx.local_drafts.computer)
        replaced = self.latest
        self.earlier = replaced
        self._store(back, replaced)  # (sets `latest`)
        return back

    def clear(self) -> None:
        """The text was used: forget it here and in the database (an earlier draft stays). On
        the worker, the clear runs after any save still waiting, so it cannot come back."""
        inprogress, worker = self.ctx.services.inprogress, self.ctx.db
        self.latest = None
        self.ctx.local_drafts.forget(self.member_id, self.target)
        member_id, target = self.member_id, self.target
        if worker is None:
            inprogress.clear(member_id, target)
            return

        def cleared(_result: object, error: BaseException | None) -> None:
            if error is not None and not isinstance(error, StoreUnavailable):
                self.ctx.status.show_status(f"The unfinished text could not be cleared: {error}")

        worker.submit(f"clear:{member_id}:{target}", lambda: inprogress.clear(member_id, target), cleared)

    # ----------------------------------------------------------- internals
    def _store(self, kept: KeptText, earlier: KeptText | None) -> None:
        """Keep exactly this text and earlier draft here, then in the database."""
        try:
            self.ctx.local_drafts.keep_entry(self.member_id, self.target, kept, earlier)
        except OSError:
            self.ctx.status.show_status(NOT_KEPT_HERE)
        self.latest = kept
        inprogress, member_id, target = self.ctx.services.inprogress, self.member_id, self.target

        def earlier_kept() -> None:
            inprogress.keep_earlier(member_id, target, earlier)

        self._save(then=earlier_kept)

    def _save(self, then: object = None) -> None:
        drafts, inprogress, worker = self.ctx.local_drafts, self.ctx.services.inprogress, self.ctx.db
        member_id, target = self.member_id, self.target
        if worker is None:
            return
        key = f"save:{member_id}:{target}"

        def save() -> KeptText | None:
            latest = self.latest  # the newest text, read when the job runs (keys pressed meanwhile)
            if latest is not None:
                inprogress.save(member_id, target, latest.text, latest.cursor, latest.written_at,
                                latest.written_on)
            if callable(then):
                then()
            return latest

        def saved(latest: KeptText | None, error: BaseException | None) -> None:
            if error is not None:
                self.ctx.status.show_status(KEPT_HERE)
                return
            if latest is not None and self.latest == latest:
                with contextlib.suppress(OSError):  # else left here: handed over again later
                    drafts.forget(member_id, target, only=latest)
            elif self.latest is not None:  # typed while that save ran: save the newer text too
                self._save()  # (without `then`: that was done)

        if not worker.submit(key, save, saved) and callable(then):
            worker.submit(f"{key}:earlier", lambda: then(), lambda _r, _e: None)
