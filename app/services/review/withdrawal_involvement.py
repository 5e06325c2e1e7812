"""What a withdrawal does to the involvement record (called by review/withdrawal.py's plan).

The member's involvement entries go with everything else: "delete" deletes them,
"anonymise" keeps their days, minutes and amounts under the placeholder with the notes
erased (a note may say something about their health or name someone). What they were paid
for is kept in both modes as one PaymentRecord: the totals and the dated lines (no notes),
under the placeholder name, with the reason it is kept, as the law on payments requires.
Other members' notes that name them have the name replaced, as every other text does.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.review.involvement_dto import hours_text, money_text
from app.services.review.involvement_read import read_records
from app.store.models import InvolvementEntry, PaymentRecord, new_id

if TYPE_CHECKING:
    from app.services.review.withdrawal import WithdrawalPlan

KEPT = "kept under the placeholder name, with the reason"
REASON = ("Kept at the withdrawal of {placeholder} on {day} ({mode}): what was paid for stays on record, "
          "as the law on payments requires. The name is replaced by the placeholder; notes are not kept.")


def plan_involvement(s: Session, project_id: str, plan: WithdrawalPlan, pattern: re.Pattern[str],
                     replace: str) -> None:
    """Add the member's involvement entries, their kept payment record and other notes naming them."""
    member, deleting = plan.member, plan.mode == "delete"
    mine = list(s.scalars(select(InvolvementEntry).where(InvolvementEntry.member_id == member.id)))
    for e in mine:
        what = ", ".join(x for x in (hours_text(e.preparation_minutes) if e.preparation_minutes else "",
                                     money_text(e.expenses_pence) if e.expenses_pence else "", e.note) if x)
        plan.add("involvement", e, f"{e.held_on.isoformat()}: {what}",
                 "deleted" if deleting else "kept without the note")
        if deleting:
            plan.deleted.append(e)
        elif e.note:
            plan.mentions.append((e, "note", ""))
    for e in s.scalars(select(InvolvementEntry).where(InvolvementEntry.project_id == project_id,
                                                      InvolvementEntry.member_id != member.id)):
        after = pattern.sub(replace, e.note)
        if after != e.note:
            plan.mentions.append((e, "note", after))
            plan.add("mentions", e, f"involvement note: {e.note}", "name replaced")
    record = read_records(s, project_id, [member.id])[0] if member.withdrawn_at is None else None
    lines = record.lines if record is not None else ()
    paid = [x for x in lines if x.meeting_minutes or x.preparation_minutes or x.expenses_pence]
    if not paid:
        return
    kept = PaymentRecord(
        id=new_id(), project_id=project_id, member_id=member.id, pseudonym=plan.placeholder,
        first_day=paid[0].day, last_day=paid[-1].day,
        meetings=len({x.meeting_id for x in paid if x.meeting_id and x.meeting_minutes}),
        meeting_minutes=sum(x.meeting_minutes for x in paid),
        preparation_minutes=sum(x.preparation_minutes for x in paid),
        expenses_pence=sum(x.expenses_pence for x in paid),
        lines=[{"day": x.day.isoformat(), "meeting": pattern.sub(replace, x.meeting) if x.meeting else None,
                "meeting_minutes": x.meeting_minutes, "preparation_minutes": x.preparation_minutes,
                "expenses_pence": x.expenses_pence} for x in paid],
        reason=REASON.format(placeholder=plan.placeholder, day=date.today().isoformat(), mode=plan.mode))
    plan.added.append(kept)
    total = hours_text(kept.meeting_minutes + kept.preparation_minutes)
    plan.add("payment_record", kept, f"{total}, expenses {money_text(kept.expenses_pence)}", KEPT)
