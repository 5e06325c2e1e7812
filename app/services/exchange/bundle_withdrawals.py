"""Withdrawals that travel: a member withdrawn on the machine a bundle comes from is withdrawn
here too when the bundle is imported.

The merge (bundle_merge) finds them: a member whose record in the bundle is withdrawn and whose
record here is not. It leaves out the member's records the bundle brings; `withdraw_here` then
withdraws the member here, inside the import's transaction, with the participants' own plan
(app/services/review/withdrawal.py): the same mode ("delete" or "anonymise", as the bundle's record of
the withdrawal says; "delete" when it holds none), the same rewriting of every mention of
their name, their placeholder name from there (or the next free one if that is taken here) and
the time it was made there. The bundle brings the withdrawal's audit entry itself, so none is
added. Once the import has committed, `tidy_after` does what the participants service does
after a withdrawal on SQLite: the file is rebuilt and checkpointed, and the backups beside it
that still hold the member are replaced by a fresh one (app/store/backup_purge.py).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.services.review.withdrawal import REMOVED, apply_plan, checkpoint, plan_withdrawal
from app.store.backup_purge import backups_holding, replace_backups
from app.store.database import Store
from app.store.local_drafts import LocalDrafts
from app.store.models import Member

MODES = ("delete", "anonymise")


@dataclass(frozen=True)
class Withdrawal:
    """A member here who has withdrawn on the machine the bundle comes from."""

    member_id: str  # here
    name: str  # here, before the withdrawal
    placeholder: str  # the name the member has there
    withdrawn_at: datetime
    mode: str  # "delete" or "anonymise": the bundle's record of it says which ("delete" if none)


def withdraw_here(s: Session, project_id: str,
                  withdrawals: Sequence[Withdrawal]) -> list[tuple[str, re.Pattern[str]]]:
    """Withdraw here, in the caller's transaction, the members withdrawn on the other machine.
    Returns each one's id and the pattern of their names, for `forget_here` once committed."""
    done: list[tuple[str, re.Pattern[str]]] = []
    if not withdrawals:
        return done
    with _secure_delete(s):
        for withdrawal in withdrawals:
            member = s.get(Member, withdrawal.member_id)
            if member is None or member.withdrawn_at is not None:
                continue
            taken = set(s.scalars(select(Member.display_name).where(Member.project_id == project_id)))
            placeholder = free_name(taken, withdrawal.placeholder)
            plan = plan_withdrawal(s, project_id, member, withdrawal.mode, placeholder)
            apply_plan(s, plan)
            member.withdrawn_at = withdrawal.withdrawn_at
            s.flush()
            done.append((member.id, plan.pattern))
    return done


def describe(s: Session, project_id: str, withdrawals: Sequence[Withdrawal]) -> list[str]:
    """What each withdrawal will change here, one line each, for the preview (reads only)."""
    lines = []
    for withdrawal in withdrawals:
        member = s.get(Member, withdrawal.member_id)
        if member is None or member.withdrawn_at is not None:
            continue
        plan = plan_withdrawal(s, project_id, member, withdrawal.mode, withdrawal.placeholder)
        counts = [f"{n} {kind.replace('_', ' ')}" for kind, n in plan.counts().items() if n]
        effect = "deleted" if withdrawal.mode == "delete" else "anonymised"
        what = ", ".join(counts) or "no records"
        lines.append(f"{withdrawal.name} withdrew: {what} will be {effect} here, "
                     f"and the backups on this computer that still hold {withdrawal.name} are replaced once "
                     "the import has been written.")
    return lines


def forget_here(local_drafts: LocalDrafts | None, withdrawn: Sequence[tuple[str, re.Pattern[str]]]) -> None:
    """This computer's unsaved texts of members withdrawn by a bundle go too, and mentions of
    them in others' texts are replaced, as a withdrawal made here does."""
    if local_drafts is None:
        return
    for member_id, pattern in withdrawn:
        local_drafts.erase_member(member_id, pattern, REMOVED)


def tidy_after(store: Store, withdrawals: Sequence[Withdrawal]) -> None:
    """After the import has committed: rebuild and checkpoint an SQLite file, and replace the
    backups that still hold a withdrawn member (as the participants service does)."""
    url = store.engine.url
    if not withdrawals or url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    try:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("VACUUM")
    except OperationalError:
        pass  # another copy of the app is writing: secure_delete has already cleared the rows
    checkpoint(store)
    database = Path(url.database).expanduser()
    holding = sorted({b for w in withdrawals for b in backups_holding(database, w.member_id)})
    # Should this fail, the withdrawal stands and older backups keep the member until removed by hand.
    with suppress(OSError, sqlite3.Error):
        if holding:
            replace_backups(database, holding)


@contextmanager
def _secure_delete(s: Session) -> Iterator[None]:
    """On SQLite, deleted and replaced text is overwritten with zeros in the file meanwhile."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    was = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    conn.exec_driver_sql("PRAGMA secure_delete=ON")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA secure_delete={int(was or 0)}")


def free_name(taken: set[str], name: str) -> str:
    """`name`, or if that is taken the first "<its stem> N" that is not (placeholders such as
    "Withdrawn participant 2" name no one: two machines may each give one to another member)."""
    if name not in taken:
        return name
    stem = re.sub(r"[\d\s]+$", "", name) or name
    return next(f"{stem} {n}" for n in range(1, len(taken) + 2) if f"{stem} {n}" not in taken)
