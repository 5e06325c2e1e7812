"""Entering facilitator mode: the passphrase (set on first use), typed as dots."""

from __future__ import annotations

from app.services.dto import Outcome
from app.services.errors import DomainError
from app.services.review.passphrase import MIN_LENGTH, MIN_WORDS
from app.ui.context import UiContext
from app.ui.screens.write import WriteRequest


def switch_note(ctx: UiContext) -> str:
    """On one computer the screen scans with the last member's profile, and their switch keys
    only scan: a facilitator typing the passphrase saw its spaces move the highlight and Enter
    choose a row, with nothing said why (tried under Xvfb). So the title says so."""
    profile = ctx.state.profile
    keys = [k for k in (profile.switch1, profile.switch2) if k and not k.startswith("Mouse:")]
    if profile.scan_mode == "off" or not keys:
        return ""
    named = " and ".join(keys)
    ways = [way for key, way in (("Space", "type a space with “␣ space”"), ("Return", "finish with “✔ done”"))
            if key in keys]
    use = "; ".join(ways) if ways else "use the keys on the screen for them"
    return f". {named} {'is a switch' if len(keys) == 1 else 'are switches'} here, not typing: {use}"


def passphrase_request(ctx: UiContext) -> WriteRequest:
    """The keyboard, in secret mode, asking for (or setting) the passphrase."""
    project_id = ctx.state.project_id
    first_time = not ctx.services.facilitator.has_passphrase(project_id)

    def submit(text: str, _options: dict[str, str]) -> Outcome:
        service = ctx.services.facilitator
        result = service.set_passphrase(project_id, text) if first_time else service.unlock(project_id, text)
        if not result.ok or result.session is None:
            raise DomainError(result.message)
        ctx.nav.facilitator_unlocked(result.session)
        return Outcome(result.message)

    title = (f"Set the facilitator passphrase (at least {MIN_LENGTH} characters or {MIN_WORDS} words)"
             if first_time else "Facilitator passphrase")
    title += switch_note(ctx)
    return WriteRequest(title=title, target="facilitator", submit=submit, secret=True,
                        then=ctx.nav.show_facilitator)
