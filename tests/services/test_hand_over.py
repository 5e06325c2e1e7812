"""Handing over the texts a computer kept while the shared database could not be reached."""

from __future__ import annotations

from datetime import timedelta

from app.services.container import Services
from app.store.draft_text import KeptText
from app.store.models import utcnow

from .conftest import Project


def test_kept_texts_are_handed_over_and_a_newer_database_copy_stays(services: Services, demo: Project):
    sam = demo.members["Sam"].id
    now = utcnow()
    inprogress = services.inprogress
    # On another computer Sam went on writing this one after the server went away here.
    assert inprogress.save(sam, "contribution:a", "newer on the other computer", 3,
                           now, "computer-b")
    waiting = [
        ("contribution:a", KeptText("older here", 5, now - timedelta(minutes=5), "computer-a"), None),
        ("contribution:b", KeptText("only here", 4, now - timedelta(minutes=1), "computer-a"),
         KeptText("before that", 2, now - timedelta(minutes=9), "computer-a")),
    ]

    assert inprogress.hand_over(sam, waiting) == 2

    a = inprogress.load(sam, "contribution:a")
    assert (a.text, a.written_on) == ("newer on the other computer", "computer-b")
    assert a.earlier is not None and a.earlier.text == "older here"  # kept, never lost
    b = inprogress.load(sam, "contribution:b")
    assert (b.text, b.cursor) == ("only here", 4)
    assert b.earlier is not None and b.earlier.text == "before that"


def test_nothing_to_hand_over(services: Services, demo: Project):
    assert services.inprogress.hand_over(demo.members["Alex"].id, []) == 0
