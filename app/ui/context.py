"""What every screen is handed: services, speaker, the current member, navigation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from app.access.profile import AccessProfile
from app.services.container import Services
from app.services.dto import MemberInfo
from app.speech.speaker import Speaker, SpeechKind

if TYPE_CHECKING:
    from app.ui.screens.write import WriteRequest


class Navigator(Protocol):
    """The moves between screens that screens may ask for."""

    def show_members(self) -> None: ...
    def show_home(self) -> None: ...
    def show_prompt(self, prompt_id: str, page: int = 0, replace: bool = False) -> None: ...
    def show_settings(self) -> None: ...
    def show_switch_test(self) -> None: ...
    def show_write(self, request: WriteRequest) -> None: ...
    def show_definition(self, prompt_id: str, version_id: str | None = None) -> None: ...
    def show_sentence(self, prompt_id: str, version_id: str, index: int) -> None: ...
    def show_versions(self, prompt_id: str, chosen: str | None = None, replace: bool = False) -> None: ...
    def show_pair(self, prompt_id: str) -> None: ...
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


@dataclass
class UiContext:
    """Handed to every screen by the main window."""

    services: Services
    speaker: Speaker
    state: UiState
    nav: Navigator
    status: StatusSink

    def announce(self, text: str) -> None:
        """Show a short message in the status line and speak it."""
        self.status.show_status(text)
        if self.state.profile.speech_on:
            self.speaker.say(text, SpeechKind.SPEECH, interrupt=True)


    def speak(self, text: str) -> None:
        """Read text aloud with the main voice (the "Speak" and "Read all" actions)."""
        if self.state.profile.speech_on:
            self.speaker.say(text, SpeechKind.SPEECH, interrupt=True)
            self.status.spoke()


class StatusSink(Protocol):
    """Where announcements are shown."""

    def show_status(self, text: str) -> None: ...
    def spoke(self) -> None: ...
