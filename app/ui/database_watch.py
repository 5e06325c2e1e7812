"""The window's watch on the database: a poll for others' changes (on a shared database every
member's screen follows the group), the message when the server does not answer, and the text
kept on this computer meanwhile handed over when it answers again. A mixin of MainWindow, like
the navigation mixins: it uses the window's worker (`db`), services, state and status line."""

from __future__ import annotations


class DatabaseWatch:
    """Mixed into MainWindow; `_offline` and `_marker` are set in its __init__."""

    def _look_for_changes(self) -> None:
        if not self.source.done or self.source.failed is not None:
            return
        projects, project_id = self.services.projects, self.state.project_id
        self.db.submit("poll", lambda: projects.change_marker(project_id), self._changes_seen)

    def database_unreachable(self, error: BaseException) -> None:
        """The shared database did not answer (or refused this login): say so, speaking it once."""
        from app.store.database import LoginRefused

        cause = error if isinstance(error, LoginRefused) else getattr(error, "__cause__", None)
        if isinstance(cause, LoginRefused):
            message = cause.MESSAGE
        else:
            message = "The shared database cannot be reached. Your writing is kept on this computer."
        if not self._offline:
            self._offline = True
            self.ctx.announce(message)
        else:
            self.show_status(message)

    def _changes_seen(self, marker: tuple[int, str] | None, error: BaseException | None) -> None:
        if error is not None or marker is None:
            self.database_unreachable(error or RuntimeError("no answer"))
            return
        if self._offline:
            self._offline = False
            self._save_waiting()
        if marker == self._marker:
            return
        first, self._marker = self._marker is None, marker
        if first:
            return  # the services have just loaded: nothing has changed since the snapshot
        # the meeting decides: follow the group, or refresh (writing is never disturbed; the
        # facilitator's screens are not rebuilt, which would keep an unattended session unlocked,
        # except the meeting screen while it is open)
        self.look_at_meeting()

    def _save_waiting(self) -> None:
        """The server answers again: hand it the text kept on this computer meanwhile."""
        member = self.state.member
        if member is None:
            self.show_status("The shared database answers again.")
            return
        drafts, inprogress = self.ctx.local_drafts, self.services.inprogress
        waiting = drafts.waiting(member.id)

        def saved(count: int | None, error: BaseException | None) -> None:
            if error is not None:
                self.database_unreachable(error)
                return
            for target, kept, _earlier in waiting:
                drafts.forget(member.id, target, only=kept)
            self.show_status("The shared database answers again. Your writing is saved there."
                             if count else "The shared database answers again.")

        self.db.submit("save-waiting", lambda: inprogress.hand_over(member.id, waiting), saved)
