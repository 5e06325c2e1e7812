"""Merging a bundle into the database: one kind of record at a time, a batch at a time.

Rules, one record kind at a time:
- a record whose id is already here is skipped: nothing that exists is overwritten;
- a member is known by id: a new id whose display name is already used in the project is kept
  as a separate member under the next free name ("Sam 2") and flagged in the preview ("two
  members called Sam"), for the facilitator to merge or rename; nothing is merged on a name;
- what the sender may bring is checked record by record (carry.py): a computer's records must be
  its own members', and leave what only the facilitator sets as it is here; security events of a
  format 1 bundle are left out;
- a definition whose id is new for a prompt that already has one is mapped to that
  definition, and its versions are re-pointed to it (one definition per prompt);
- "me too"s (per contribution and member) and stances (per version and member) keep the
  newer one by updated_at (ties: the larger id, then the larger value), replacing the older row;
- every reference must name a record of the same project, in the bundle or already here;
- records of a member who has withdrawn, here or on the machine the bundle comes from (their
  keywords, "me too"s, stances and comments, and what hangs on those), are left out, so an older
  bundle cannot bring back what a withdrawal removed; versions, review notes and events of theirs
  come in without their name. A member withdrawn there but not here is listed in
  `Merged.withdrawals`, for the caller to withdraw here too.
Whatever the order of imports, the same set of bundles gives the same rows (up to which
of two same-named members or same-prompt definitions keeps its id).

How: the kinds come in an order where references come before what refers to them, each part
read as a stream of checked batches (bundle_file). For each batch the ids already here are
looked up at once, references are checked against the ids the bundle brings and those here,
and the new records are written at once (a preview only counts them). Kept across batches:
the ids of the kinds others refer to, and the "me too"s and stances themselves (the newer of two
wins, so they are written when their kind has been read). Versions and paired questions are
written without their link to their own kind, which is set once the whole kind is in.
Everything runs in the caller's transaction: a bundle found bad part-way is rolled back whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.services.exchange.bundle_file import BundleFile
from app.services.exchange.bundle_format import BundleError, Kind
from app.services.exchange.bundle_preview import BundlePreview
from app.services.exchange.bundle_refs import CHUNK, References, check_version_tree, chunks, owners
from app.services.exchange.bundle_withdrawals import MODES, Withdrawal, free_name
from app.services.exchange.carry import SET_BY_FACILITATOR, check_record, travels
from app.services.exchange.signers import AS_COMPUTER, Sender
from app.store.models import Definition, Member, Project

# Kinds kept per (target, member): the newer one wins. Key fields, then the fields that change.
NATURAL = {
    "endorsement": (("contribution_id", "member_id"), ("active",)),
    "stance": (("version_id", "member_id"), ("position", "reason")),
}
AUTHOR_FIELD = {
    "contribution": "member_id", "endorsement": "member_id", "draft_version": "author_id",
    "stance": "member_id", "comment": "member_id", "review_note": "author_id",
}
WITHHELD_BY = {"contribution": "member_id", "endorsement": "member_id", "stance": "member_id",
               "comment": "member_id"}
UNNAMED_BY = {"draft_version": "author_id", "review_note": "author_id", "event": "member_id"}


@dataclass(frozen=True)
class Merged:
    """What a merge did (or would do)."""

    preview: BundlePreview
    oldest_change: datetime | None
    withdrawals: tuple[Withdrawal, ...]


def _rank(record: dict[str, Any], values: tuple[str, ...]) -> tuple[Any, ...]:
    return (record["updated_at"], record["id"], *(record[v] for v in values))


def merge_bundle(s: Session, bundle: BundleFile, write: bool, sender: Sender,
                 give_way: str | None = None) -> Merged:
    """Check the bundle against the database and what its sender may bring, and merge it in the
    caller's transaction (`write`), or only work out what merging it would do; BundleError if
    anything is inconsistent or not the sender's to bring. `give_way`: a project here that will
    have given its name up by the time this bundle is written (invitations.giving_way)."""
    return _Merge(s, bundle, write, sender, give_way).run()


class _Merge:
    """One bundle against the database (see the module docstring)."""

    def __init__(self, s: Session, bundle: BundleFile, write: bool, sender: Sender,
                 give_way: str | None = None) -> None:
        self.s, self.bundle, self.m, self.write, self.sender = s, bundle, bundle.manifest, write, sender
        self.give_way = give_way
        pid = self.m.project_id
        self.refs = References(s, pid)
        members = s.execute(select(Member.id, Member.display_name, Member.withdrawn_at)
                            .where(Member.project_id == pid)).all()
        self.names = {i: n for i, n, _ in members}
        self.withdrawn = {i for i, _, w in members if w is not None}
        self.definitions: dict[str, str | None] = dict(s.execute(select(Definition.prompt_id, Definition.id)
                                          .where(Definition.id.in_(self.refs.here["definition"]))).all())
        self.withheld: set[str] = set()  # contributions left out: what hangs on them is too
        self.counts: Counter[str] = Counter()  # "new:<kind>", "updated:<kind>", "here", "withheld"
        self.authors: Counter[str] = Counter()
        self.new_members: list[str] = []
        self.same_name: list[tuple[str, str]] = []  # (the name here, the name the newcomer is kept as)
        self.oldest: datetime | None = None
        self.pairs: list[tuple[str, str]] = []
        self.versions: dict[str, tuple[str | None, str]] = {}  # new version -> (parent, definition)
        self.withdrawals: dict[str, Withdrawal] = {}  # by the member's id in the bundle
        self.projects = 0
        self.fetched: set[str] = set()  # targets whose "me too"s or stances here have been read

    # --- the kinds in turn ---------------------------------------------------------------------

    def run(self) -> Merged:
        for kind in self.bundle.kinds:
            best: dict[tuple[str, str], dict[str, Any]] = {}
            here: dict[tuple[str, str], dict[str, Any]] = {}
            for batch in self.bundle.batches(kind):
                if kind.name == "project":
                    self._project(batch)
                if kind.name in NATURAL:
                    self._natural(kind, batch, best, here)
                else:
                    self._batch(kind, batch)
            if kind.name == "project" and self.projects != 1 and not self._project_here():
                raise BundleError("The bundle's project record does not match its manifest.")
            if kind.name in NATURAL:
                self._newest(kind, best, here)
                self.fetched.clear()
            self._own_links(kind)
        m = self.m
        preview = BundlePreview(
            bundle_id=m.bundle_id, project_id=m.project_id, project_name=m.project_name,
            project_is_new=not self.refs.here["project"], source_machine=m.machine_id,
            created_at=m.created_at,
            scope=m.scope, since=m.since,
            new={k.name: self.counts["new:" + k.name] for k in self.bundle.kinds},
            updated={k: self.counts["updated:" + k] for k in NATURAL}, already_here=self.counts["here"],
            withheld=self.counts["withheld"], authors=dict(sorted(self.authors.items())),
            new_members=sorted(self.new_members), same_name=sorted(self.same_name),
            already_imported=False, withdrawn_there=sorted(w.name for w in self.withdrawals.values()),
        )
        return Merged(preview, self.oldest, tuple(self.withdrawals.values()))

    def _project_here(self) -> bool:
        """A computer's bundle carries no project record: the project must be here already."""
        return self.sender.role == AS_COMPUTER and self.projects == 0 and bool(self.refs.here["project"])

    def _project(self, batch: list[dict[str, Any]]) -> None:
        for record in batch:
            self.projects += 1
            m = self.m
            if self.projects > 1 or record["id"] != m.project_id or record["name"] != m.project_name:
                raise BundleError("The bundle's project record does not match its manifest.")
        if not self.refs.here["project"]:
            clash = self.s.scalar(select(Project.id).where(Project.name == self.m.project_name,
                                                            Project.id != self.give_way))
            if clash is not None:
                raise BundleError(
                    f"This database already has a different project called {self.m.project_name!r}; "
                    "rename one of the two first."
                )

    def _batch(self, kind: Kind, batch: list[dict[str, Any]]) -> None:
        """One batch of a kind that is never replaced: skip what is here, add the rest."""
        name = kind.name
        found = self.refs.found(kind, [r["id"] for r in batch])
        fixed = self._as_here(kind, [r["id"] for r in batch if r["id"] in found])
        kept = []
        for record in batch:
            check_record(self.sender, name, record, fixed.get(record["id"]))
            if not travels(self.sender, name, record):
                continue
            if name == "event":
                self._withdrawal_mode(record)
            here = found.get(record["id"])
            if here is None:
                if self._withhold(name, record):
                    continue
                if name == "member":
                    record = self._new_member(record)
                elif name == "definition" and self._same_definition(record):
                    continue
                if record is None:
                    continue
            kept.append((record, here))
        self.refs.look_up_refs(kind, [r for r, _ in kept])
        fresh = []
        for record, here in kept:
            resolved = self.refs.resolve(kind, record)
            if here is None:
                fresh.append(self._unnamed(name, resolved))
                continue
            if here != tuple(resolved[f] for f in owners(name)):
                raise BundleError(f"{kind.part}: record {record['id']} is here in another project.")
            self.counts["here"] += 1
            if name in self.refs.known:
                self.refs.known[name].add(record["id"])
            if name == "member":
                self._withdrawn_there(record, record["id"])
        self._add(kind, fresh)

    def _natural(self, kind: Kind, batch: list[dict[str, Any]], best: dict[tuple[str, str], dict[str, Any]],
                 here: dict[tuple[str, str], dict[str, Any]]) -> None:
        """One batch of "me too"s or stances: keep the newest per key, to be written at the end."""
        keys, values = NATURAL[kind.name]
        table = kind.model.__table__
        found = {}
        for chunk in chunks(r["id"] for r in batch):
            found.update((row["id"], dict(row)) for row in
                         self.s.execute(select(table).where(table.c.id.in_(chunk))).mappings())
        kept = []
        for record in batch:
            check_record(self.sender, kind.name, record, None)
            if self._withhold(kind.name, record):
                if record["id"] in found:  # left as it is, not counted as left out
                    self.counts["withheld"] -= 1
                    self.counts["here"] += 1
                continue
            kept.append(record)
        self.refs.look_up_refs(kind, kept)
        targets = set()
        for record in (self.refs.resolve(kind, r) for r in kept):
            key = (record[keys[0]], record[keys[1]])
            old = found.get(record["id"])
            if old is not None and (old[keys[0]], old[keys[1]]) != key:
                raise BundleError(f"{kind.part}: record {record['id']} is here for another target.")
            self.counts["natural"] += 1
            if key not in best or _rank(record, values) > _rank(best[key], values):
                best[key] = record
            targets.add(key[0])
        targets -= self.fetched
        self.fetched |= targets
        for chunk in chunks(targets):
            for row in self.s.execute(select(table).where(table.c[keys[0]].in_(chunk))).mappings():
                here[(row[keys[0]], row[keys[1]])] = dict(row)

    def _newest(self, kind: Kind, best: dict[tuple[str, str], dict[str, Any]],
                here: dict[tuple[str, str], dict[str, Any]]) -> None:
        """Write the "me too"s or stances that are newer than those here (or not here at all)."""
        name = kind.name
        values = NATURAL[name][1]
        inserts, updates, replaced = [], [], []
        for key, record in best.items():
            old = here.get(key)
            if old is None:
                inserts.append(record)
            elif _rank(record, values) <= _rank(old, values):
                continue
            elif old["id"] == record["id"]:
                updates.append(record)
            else:
                replaced.append(old["id"])
                inserts.append(record)
        self.counts["here"] += self.counts.pop("natural", 0) - len(inserts) - len(updates)
        self.counts["new:" + name] += len(inserts) - len(replaced)
        self.counts["updated:" + name] += len(updates) + len(replaced)
        self._note(kind, inserts + updates)
        if not self.write:
            return
        table = kind.model.__table__
        for chunk in chunks(replaced):
            self.s.execute(delete(table).where(table.c.id.in_(chunk)))
        if updates:
            changed = (*values, "updated_at")
            self.s.execute(
                update(table).where(table.c.id == bindparam("b_id"))
                .values({f: bindparam("b_" + f) for f in changed}),
                [{"b_id": r["id"], **{"b_" + f: r[f] for f in changed}} for r in updates])
        for i in range(0, len(inserts), CHUNK):
            self.s.execute(insert(table), inserts[i:i + CHUNK])

    def _own_links(self, kind: Kind) -> None:
        """Check a kind's links to its own kind (paired questions, parent versions), and set them."""
        self.refs.check_links(kind)
        table = kind.model.__table__
        if kind.name == "prompt" and self.write and self.pairs:
            self.s.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values(paired_with_id=bindparam("b_pair")),
                           [{"b_id": a, "b_pair": b} for a, b in self.pairs])
        if kind.name != "draft_version" or not self.versions:
            return
        versions = self.versions
        check_version_tree(self.s, table, versions)
        parents = [{"b_id": v, "b_parent": p} for v, (p, _) in versions.items() if p]
        if self.write and parents:
            self.s.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values(parent_id=bindparam("b_parent")), parents)

    def _as_here(self, kind: Kind, ids: list[str]) -> dict[str, dict[str, Any]]:
        """What only the facilitator sets, as it is here, for a computer's records already here."""
        fields = SET_BY_FACILITATOR.get(kind.name)
        if self.sender.role != AS_COMPUTER or not fields or not ids:
            return {}
        table = kind.model.__table__
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(ids):
            query = select(table.c.id, *(table.c[f] for f in fields)).where(table.c.id.in_(chunk))
            rows = self.s.execute(query)
            found.update((row["id"], dict(row)) for row in rows.mappings())
        return found

    # --- one record ----------------------------------------------------------------------------

    def _withhold(self, kind: str, record: dict[str, Any]) -> bool:
        """Leave out a record of a member who has withdrawn, and whatever hangs on one."""
        member = record.get(WITHHELD_BY.get(kind, ""))
        if (member is not None and self.refs.maps["member"].get(member, member) in self.withdrawn) or (
            record.get("contribution_id") in self.withheld
        ):
            if kind == "contribution":
                self.withheld.add(record["id"])
            self.counts["withheld"] += 1
            return True
        return False

    def _new_member(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """A member whose id is not here: a new one, under a free name if theirs is taken (flagged)."""
        rid, name = record["id"], record["display_name"]
        if name in self.names.values():
            record = {**record, "display_name": free_name(set(self.names.values()), name)}
            if record["withdrawn_at"] is None:  # a withdrawn member's placeholder names no one
                self.same_name.append((name, record["display_name"]))
        if record["withdrawn_at"] is not None:
            self.withdrawn.add(rid)
        self.names[rid] = record["display_name"]
        self.new_members.append(record["display_name"])
        return record

    def _same_definition(self, record: dict[str, Any]) -> bool:
        """Map a new definition to the one here for its prompt, if there is one (True)."""
        prompt = record["prompt_id"]
        if prompt in self.definitions:
            if self.definitions[prompt] is None:
                raise BundleError("The bundle has two definitions for one prompt.")
            self.refs.maps["definition"][record["id"]] = self.definitions[prompt]
            return True
        self.definitions[prompt] = None  # one from the bundle
        return False

    def _withdrawn_there(self, record: dict[str, Any], member: str) -> None:
        if record["withdrawn_at"] is not None and member not in self.withdrawn:
            self.withdrawn.add(member)
            mode = (self.m.withdrawals or {}).get(record["id"], "delete")  # format 2 says in its manifest
            self.withdrawals[record["id"]] = Withdrawal(member, self.names[member], record["display_name"],
                                                        record["withdrawn_at"], mode)

    def _withdrawal_mode(self, event: dict[str, Any]) -> None:
        """The bundle's own record of a withdrawal says how it was done."""
        withdrawal = self.withdrawals.get(event["target_id"] or "")
        mode = event["detail"].get("mode")
        if withdrawal is not None and event["action"] == "member_withdrawn" and mode in MODES:
            self.withdrawals[event["target_id"]] = replace(withdrawal, mode=mode)

    def _unnamed(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        field = UNNAMED_BY.get(kind)
        if field and record[field] in self.withdrawn:
            record = {**record, field: None}
            if kind == "event":
                record["detail"] = {}
        return record

    def _add(self, kind: Kind, fresh: list[dict[str, Any]]) -> None:
        """Count new records of a kind and write them (versions and pairs without their links)."""
        if not fresh:
            return
        name = kind.name
        self.counts["new:" + name] += len(fresh)
        if name in self.refs.known:
            self.refs.known[name].update(r["id"] for r in fresh)
        self._note(kind, fresh)
        if name == "prompt":
            self.pairs += [(r["id"], r["paired_with_id"]) for r in fresh if r["paired_with_id"]]
            fresh = [{**r, "paired_with_id": None} if r["paired_with_id"] else r for r in fresh]
        elif name == "draft_version":
            self.versions.update((r["id"], (r["parent_id"], r["definition_id"])) for r in fresh)
            fresh = [{**r, "parent_id": None} if r["parent_id"] else r for r in fresh]
        if self.write:
            self.s.execute(insert(kind.model.__table__), fresh)

    def _note(self, kind: Kind, records: list[dict[str, Any]]) -> None:
        """Whose the written records are, and the oldest change among them."""
        if not records:
            return
        author = AUTHOR_FIELD.get(kind.name)
        if author:
            self.authors.update(self.names.get(r[author], "someone") if r[author] else "anonymous"
                                for r in records)
        oldest = min(r[kind.changed or "created_at"] for r in records)
        self.oldest = oldest if self.oldest is None else min(self.oldest, oldest)
