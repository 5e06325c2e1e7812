"""What every screen is handed: services, speaker, the current member, navigation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from app.access.profile import AccessProfile
from app.services.dto import MemberInfo
from app.speech.speaker import Speaker, SpeechKind
from app.store.local_drafts import LocalDrafts

if TYPE_CHECKING:
    from app.services.container import Services
    from app.services.review.review_dto import FacilitatorSession
    from app.ui.db_worker import DatabaseWorker
    from app.ui.guard import ActionGuard
    from app.ui.screens.confirm import Question
    from app.ui.screens.write import WriteRequest


T = TypeVar("T")
STILL_SAVING = "Still saving your last choice: a moment."
SLOW = "Saving… the database is slow to answer."


def _reraise(error: BaseException) -> None:
    raise error


class Navigator(Protocol):
    """The moves between screens that screens may ask for."""

    def show_members(self) -> None: ...
    def show_home(self) -> None: ...
    def show_prompt(self, prompt_id: str, page: int = 0, replace: bool = False) -> None: ...
    def show_settings(self, section: str = "") -> None: ...
    def show_switch_test(self) -> None: ...
    def show_write(self, request: WriteRequest) -> None: ...
    def show_definition(self, prompt_id: str, version_id: str | None = None) -> None: ...
    def show_sentence(self, prompt_id: str, version_id: str, index: int) -> None: ...
    def show_versions(self, prompt_id: str, chosen: str | None = None, replace: bool = False,
                      page: int = 0) -> None: ...
    def show_pair(self, prompt_id: str) -> None: ...
    def show_summary(self, page: int = 0, replace: bool = False) -> None: ...
    def show_facilitator_entry(self) -> None: ...
    def facilitator_unlocked(self, session: FacilitatorSession) -> None: ...
    def facilitator_locked(self) -> None: ...
    def show_facilitator(self) -> None: ...
    def show_dashboard(self, prompt_id: str, page: int = 0, replace: bool = False,
                       theme: str | None = None) -> None: ...
    def show_keyword_review(self, prompt_id: str, contribution_id: str) -> None: ...
    def show_history(self, prompt_id: str, page: int = 0, replace: bool = False) -> None: ...
    def show_version_review(self, prompt_id: str, version_id: str) -> None: ...
    def show_compare(self, prompt_id: str, older_id: str, newer_id: str) -> None: ...
    def show_participants(self) -> None: ...
    def show_participant(self, member_id: str) -> None: ...
    def show_withdrawal(self, member_id: str, mode: str) -> None: ...
    def show_audit(self, action: str | None = None, member_id: str | None = None, page: int = 0,
                   replace: bool = False) -> None: ...
    def show_exports(self) -> None: ...
    def show_involvement(self) -> None: ...
    def show_member_involvement(self, member_id: str) -> None: ...
    def show_involvement_line(self, member_id: str, entry_id: str | None, meeting_id: str | None) -> None: ...
    def show_meeting(self) -> None: ...
    def show_agenda(self, meeting_id: str) -> None: ...
    def show_agenda_step(self, meeting_id: str, step_id: str | None = None) -> None: ...
    def show_attendance(self, meeting_id: str) -> None: ...
    def show_bundles(self) -> None: ...
    def show_bundle_preview(self, path: str) -> None: ...
    def show_inbox(self) -> None: ...
    def show_inbox_preview(self, path: str) -> None: ...
    def send_work(self) -> None: ...
    def show_projects(self) -> None: ...
    def open_project(self, project_id: str) -> None: ...
    def show_phrases(self) -> None: ...
    def ask_first(self, asked: Question, on_yes: Callable[[], None]) -> None: ...
    def rescan(self) -> None: ...
    def back(self) -> None: ...
    def refresh(self) -> None: ...
    def apply_profile(self, profile: AccessProfile) -> None: ...


@dataclass
class UiState:
    """Who is taking part now, their profile, and what they can undo."""

    project_id: str
    member: MemberInfo | None = None
    profile: AccessProfile = field(default_factory=AccessProfile)
    undo_tokens: list[str] = field(default_factory=list)
    facilitator: FacilitatorSession | None = None
    export_real_names: bool = False  # the facilitator's choice on the export screen, this session
    involvement_period: str = "All time"  # the facilitator's choice on the involvement screens
    profile_before_facilitator: AccessProfile | None = None  # put back when facilitator mode ends
    meeting: Any = None  # the running meeting (app.services.meeting.dto.MeetingInfo), as last polled


@dataclass
class UiContext:
    """Handed to every screen by the main window."""

    source: ServicesSource
    speaker: Speaker
    state: UiState
    nav: Navigator
    status: StatusSink
    local_drafts: LocalDrafts
    db: DatabaseWorker | None = None  # the window's worker thread for saving (app/ui/db_worker.py)
    #: voice control (app.ui.voice.VoiceControl), for the settings screen's reason and meter
    voice: Any = None
    guard: ActionGuard | None = None  # the window's guard (app/ui/guard.py)
    slow_told: bool = False  # SLOW was spoken and no answer has come since

    @property
    def services(self) -> Services:
        """The services; at start-up this waits (briefly) until they are loaded."""
        return self.source.get()

    def announce(self, text: str) -> None:
        """Show a short message in the status line and speak it."""
        self.status.show_status(text)
        self.speak(text)

    def act(self, key: str, job: Callable[[], T], then: Callable[[T], None]) -> None:
        """Run a member's database action `job` on the worker thread and `then` with its result
        in the window's thread, both through the guard: a locked or slow database leaves the
        window scanning (app/ui/db_worker.py), and its failure is told when it comes. `job`
        must touch no widget."""
        worker, guard = self.db, self.guard
        if worker is None or guard is None:
            then(job())
            return

        def done(result: T, error: BaseException | None) -> None:
            self.slow_told = False  # an answer came: the next slow action is told again
            if error is not None:
                guard.run(lambda: _reraise(error))
            else:
                guard.run(lambda: then(result))

        answer = worker.call(key, job, done)
        if answer is False:
            self.announce(STILL_SAVING)  # the press did nothing: a member who cannot see hears why
        elif answer is None and not self.slow_told:
            self.slow_told = True  # said once while the database is slow, not at every action
            self.announce(SLOW)
        elif answer is None:
            self.status.show_status(SLOW)

    def what_happened(self) -> None:
        """Say the last message again: the member may have missed it, or a failure was told."""
        self.speak(self.status.last_status() or "Nothing has happened yet.")

    def speak(self, text: str) -> None:
        """Read text aloud with the main voice (announcements, screen titles, "Speak", "Read
        all"); the next scan cue waits for it instead of cutting it off."""
        if self.state.profile.speech_on:
            self.speaker.say(text, SpeechKind.SPEECH, interrupt=True)
            self.status.spoke()


class ServicesSource(Protocol):
    """Hands out the services: at once, or once a background start-up has loaded them."""

    @property
    def done(self) -> bool: ...
    @property
    def failed(self) -> BaseException | None: ...
    def get(self) -> Services: ...


class StatusSink(Protocol):
    """Where announcements are shown."""

    def show_status(self, text: str) -> None: ...
    def last_status(self) -> str: ...
    def spoke(self) -> None: ...
