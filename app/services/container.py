"""All services built over one store, handed to the UI by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.exchange.exchange import ExchangeService
from app.services.export import ExportService
from app.services.group.contributions import ContributionService
from app.services.group.drafts import DraftService
from app.services.group.inprogress import InProgressService
from app.services.group.phrases import PhraseService
from app.services.group.projects import ProjectService
from app.services.group.search import SearchService
from app.services.group.summary import SummaryService
from app.services.group.undo import UndoService
from app.services.group.words import WordService
from app.services.meeting.live import LiveMeetingService
from app.services.meeting.plan import MeetingService
from app.services.review.facilitator import FacilitatorService
from app.services.review.involvement import InvolvementService
from app.services.review.participants import ParticipantService
from app.services.review.review import ReviewService
from app.store.database import Store


@dataclass(frozen=True)
class Services:
    """The operations the screens may call; each is one transaction."""

    projects: ProjectService
    contributions: ContributionService
    drafts: DraftService
    inprogress: InProgressService
    undo: UndoService
    words: WordService
    phrases: PhraseService
    exchange: ExchangeService
    facilitator: FacilitatorService
    review: ReviewService
    participants: ParticipantService
    exports: ExportService
    search: SearchService
    involvement: InvolvementService
    summaries: SummaryService
    meetings: MeetingService
    live: LiveMeetingService

    @classmethod
    def build(cls, store: Store) -> Services:
        """Build every service over the same store."""
        facilitator = FacilitatorService(store)
        return cls(
            projects=ProjectService(store),
            contributions=ContributionService(store),
            drafts=DraftService(store),
            inprogress=InProgressService(store),
            undo=UndoService(store),
            words=WordService(store),
            phrases=PhraseService(store),
            exchange=ExchangeService(store),
            facilitator=facilitator,
            review=ReviewService(store, facilitator),
            participants=ParticipantService(store, facilitator),
            exports=ExportService(store, facilitator),
            search=SearchService(store),
            involvement=InvolvementService(store, facilitator),
            summaries=SummaryService(store),
            meetings=MeetingService(store, facilitator.check),
            live=LiveMeetingService(store),
        )
