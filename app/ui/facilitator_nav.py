"""The facilitator's screens as moves of the main window (kept apart to keep it small)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.access.profile import AccessProfile

# The facilitator's screens are imported when first opened: participants never need them,
# and the start must not wait for them (bench/startup.py).

if TYPE_CHECKING:
    from app.services.review.review_dto import FacilitatorSession
    from app.ui.context import UiContext
    from app.ui.screens.base import Screen
    from app.ui.screens.write import WriteRequest


class FacilitatorNavigation:
    """Mixed into MainWindow: every facilitator screen needs a live facilitator session."""

    ctx: UiContext
    exports_folder: Path
    bundles_folder: Path

    if TYPE_CHECKING:  # MainWindow's, named here for the type checker only
        def _turn(self, factory: Callable[[], Screen], replace: bool) -> None: ...
        def show_write(self, request: WriteRequest) -> None: ...
        def apply_profile(self, profile: AccessProfile) -> None: ...
        def show_members(self) -> None: ...

    def show_facilitator_entry(self) -> None:
        """Ask for the facilitator's passphrase (set it on first use)."""
        from app.ui.screens.facilitator.entry import passphrase_request

        self.show_write(passphrase_request(self.ctx))

    def facilitator_unlocked(self, session: FacilitatorSession) -> None:
        """Facilitator mode is on: the facilitator's own access profile applies (a keyboard and
        mouse, or their own switches) instead of the participant's who was scanning."""
        state = self.ctx.state
        state.facilitator = session
        state.export_real_names = False  # each session starts with pseudonyms
        if state.profile_before_facilitator is None:
            state.profile_before_facilitator = state.profile
        members = self.ctx.services.projects.list_members(state.project_id)
        own = next((m for m in members if m.role == "facilitator"), None)
        if own is not None:
            self.apply_profile(AccessProfile.stored(own.profile))

    def facilitator_locked(self) -> None:
        """Facilitator mode is off: the profile in use before it applies again."""
        state = self.ctx.state
        state.facilitator = None
        if state.profile_before_facilitator is not None:
            self.apply_profile(state.profile_before_facilitator)
            state.profile_before_facilitator = None

    def facilitator_expired(self) -> None:
        """The session has ended (locked elsewhere or idle too long): ask for the passphrase,
        with nothing of facilitator mode left to go back to."""
        self.facilitator_locked()
        self.show_members()
        self.ctx.announce("Facilitator mode is locked. Give the passphrase again.")
        self.show_facilitator_entry()

    def _guarded(self, factory: Callable[[], Screen], replace: bool = False) -> None:
        session = self.ctx.state.facilitator
        if session is None or not self.ctx.services.facilitator.is_unlocked(session):
            self.facilitator_expired()
            return
        self._turn(factory, replace)

    def show_facilitator(self) -> None:
        """The facilitator's tools."""
        from app.ui.screens.facilitator.home import FacilitatorHome

        self._guarded(lambda: FacilitatorHome(self.ctx))

    def show_dashboard(self, prompt_id: str, page: int = 0, replace: bool = False,
                       theme: str | None = None) -> None:
        """Keywords and themes of a prompt (a page of them, all or one theme's); `replace` turns the page."""
        from app.ui.screens.facilitator.dashboard import DashboardScreen

        self._guarded(lambda: DashboardScreen(self.ctx, prompt_id, page, theme), replace)

    def show_keyword_review(self, prompt_id: str, contribution_id: str) -> None:
        """One keyword: themes and hiding."""
        from app.ui.screens.facilitator.dashboard import KeywordReviewScreen

        self._guarded(lambda: KeywordReviewScreen(self.ctx, prompt_id, contribution_id))

    def show_history(self, prompt_id: str, page: int = 0, replace: bool = False) -> None:
        """The version timeline of a prompt's definition (a page of it); `replace` turns the page."""
        from app.ui.screens.facilitator.history import HistoryScreen

        self._guarded(lambda: HistoryScreen(self.ctx, prompt_id, page), replace)

    def show_version_review(self, prompt_id: str, version_id: str) -> None:
        """One version with its marks and private note."""
        from app.ui.screens.facilitator.history import VersionReviewScreen

        self._guarded(lambda: VersionReviewScreen(self.ctx, prompt_id, version_id))

    def show_compare(self, prompt_id: str, older_id: str, newer_id: str) -> None:
        """A word diff of two versions."""
        from app.ui.screens.facilitator.history import CompareScreen

        self._guarded(lambda: CompareScreen(self.ctx, prompt_id, older_id, newer_id))

    def show_participants(self) -> None:
        """Members and consent."""
        from app.ui.screens.facilitator.participants import ParticipantsScreen

        self._guarded(lambda: ParticipantsScreen(self.ctx))

    def show_participant(self, member_id: str) -> None:
        """One member's record."""
        from app.ui.screens.facilitator.participants import ParticipantScreen

        self._guarded(lambda: ParticipantScreen(self.ctx, member_id))

    def show_withdrawal(self, member_id: str, mode: str) -> None:
        """The preview of a withdrawal, before anything changes."""
        from app.ui.screens.facilitator.participants import WithdrawalScreen

        self._guarded(lambda: WithdrawalScreen(self.ctx, member_id, mode))

    def show_audit(self, action: str | None = None, member_id: str | None = None, page: int = 0,
                   replace: bool = False) -> None:
        """The audit log, filtered."""
        from app.ui.screens.facilitator.audit import AuditScreen

        self._guarded(lambda: AuditScreen(self.ctx, action, member_id, page), replace)

    def show_bundles(self) -> None:
        """Bundles to import and to send."""
        from app.ui.screens.facilitator.bundles import BundlesScreen

        self._guarded(lambda: BundlesScreen(self.ctx, self.bundles_folder))

    def show_bundle_preview(self, path: str) -> None:
        """What a bundle would add."""
        from app.ui.screens.facilitator.bundles import BundlePreviewScreen

        self._guarded(lambda: BundlePreviewScreen(self.ctx, path))

    def show_involvement(self) -> None:
        """Every member's time and expenses (the involvement record)."""
        from app.ui.screens.facilitator.involvement import InvolvementScreen

        self._guarded(lambda: InvolvementScreen(self.ctx, self.exports_folder))

    def show_member_involvement(self, member_id: str) -> None:
        """One member's involvement record."""
        from app.ui.screens.facilitator.involvement import MemberInvolvementScreen

        self._guarded(lambda: MemberInvolvementScreen(self.ctx, member_id, self.exports_folder))

    def show_involvement_line(self, member_id: str, entry_id: str | None, meeting_id: str | None) -> None:
        """One day's line of a member's involvement record."""
        from app.ui.screens.facilitator.involvement import InvolvementLineScreen

        self._guarded(lambda: InvolvementLineScreen(self.ctx, member_id, entry_id, meeting_id))

    def show_meeting(self) -> None:
        """Today's meeting: plan, start, pace, reveal, asks, who is here."""
        from app.ui.screens.facilitator.meeting import MeetingScreen

        self._guarded(lambda: MeetingScreen(self.ctx))

    def show_agenda(self, meeting_id: str) -> None:
        """A meeting's agenda, to plan: each step moved up or down, changed or removed; add one."""
        from app.ui.screens.facilitator.agenda import AgendaScreen

        self._guarded(lambda: AgendaScreen(self.ctx, meeting_id))

    def show_agenda_step(self, meeting_id: str, step_id: str | None = None) -> None:
        """A new step for a meeting's agenda (`step_id` None), or one step to change."""
        from app.ui.screens.facilitator.agenda_step import NewStepScreen, StepForm, StepScreen

        if step_id is None:
            form = StepForm()  # the choices made so far, kept while the screen is rebuilt
            self._guarded(lambda: NewStepScreen(self.ctx, meeting_id, form))
        else:
            self._guarded(lambda: StepScreen(self.ctx, meeting_id, step_id))

    def show_attendance(self, meeting_id: str) -> None:
        """Who came to a meeting, each one's minutes in it and preparation time for it."""
        from app.ui.screens.facilitator.attendance import AttendanceScreen

        self._guarded(lambda: AttendanceScreen(self.ctx, meeting_id))

    def show_exports(self) -> None:
        """Exports for the research team."""
        from app.ui.screens.facilitator.exports import ExportScreen

        self._guarded(lambda: ExportScreen(self.ctx, self.exports_folder))
