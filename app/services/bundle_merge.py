"""Merging a checked bundle into the database: the plan (what is new, what wins), then the writes.

Rules, one record kind at a time:
- a record whose id is already here is skipped: nothing that exists is overwritten;
- a member whose id is new but whose display name is already in the project is the same
  person: the incoming id is mapped to the one here (display names are unique per project);
- a definition whose id is new for a prompt that already has one is mapped to that
  definition, and its versions are re-pointed to it (one definition per prompt);
- "me too"s (per contribution and member) and stances (per version and member) keep the
  newer one by updated_at (ties: the larger id, then the larger value), replacing the older row;
- every reference must name a record of the same project, in the bundle or already here;
- records of a member who has withdrawn here (their keywords, "me too"s, stances and comments,
  and what hangs on those) are left out, so an older bundle cannot bring back what a withdrawal
  removed; versions, review notes and events of theirs come in without their name.
Whatever the order of imports, the same set of bundles gives the same rows (up to which
of two same-named members or same-prompt definitions keeps its id).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from app.services.bundle_format import BY_NAME, KINDS, BundleError, Kind, Manifest
from app.store.models import Definition, DraftVersion, Member, Project, Prompt

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
CHUNK = 500
INSERT_BATCH = 2_000


@dataclass(frozen=True)
class BundlePreview:
    """What importing a bundle does (or did): new records by kind, and whose they are."""

    bundle_id: str
    project_id: str
    project_name: str
    project_is_new: bool
    source_machine: str
    created_at: datetime
    scope: str  # "whole" or "changes"
    since: datetime | None
    new: dict[str, int]  # kind -> records added
    updated: dict[str, int]  # kind -> "me too"s / stances replaced by a newer one
    already_here: int
    withheld: int  # records of members who have withdrawn here, left out
    authors: dict[str, int]  # display name ("anonymous" for unnamed contributions) -> records
    new_members: list[str]
    matched_members: list[str]  # incoming members taken to be the member here of that name
    already_imported: bool

    @property
    def total_new(self) -> int:
        """Records added plus records replaced by a newer one."""
        return sum(self.new.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        """The preview as short lines to show or speak."""
        made = self.created_at.strftime("%Y-%m-%d %H:%M UTC")
        scope = "the whole project" if self.scope == "whole" else "changes since " + (
            self.since.strftime("%Y-%m-%d %H:%M UTC") if self.since else "the last bundle")
        out = [
            f"Project: {self.project_name} ({'new here' if self.project_is_new else 'already here'})",
            f"From machine {self.source_machine}, made {made}: {scope}.",
        ]
        new = [BY_NAME[k].count(n) for k, n in self.new.items() if n]
        out.append("New: " + ", ".join(new) + "." if new else "Nothing new: all of it is already here.")
        updated = [BY_NAME[k].count(n) for k, n in self.updated.items() if n]
        if updated:
            out.append("Newer on the other machine: " + ", ".join(updated) + ".")
        if self.authors:
            out.append("From: " + ", ".join(f"{name} ({n})" for name, n in self.authors.items()) + ".")
        if self.new_members:
            out.append("New members: " + ", ".join(self.new_members) + ".")
        if self.matched_members:
            out.append("Same person as here: " + ", ".join(self.matched_members) + ".")
        if self.withheld:
            out.append(f"Left out: {self.withheld} records of members who have withdrawn here.")
        if self.already_imported:
            out.append("This bundle was imported here before.")
        return out


@dataclass
class Plan:
    """The checked merge: rows to add and replace, the id maps, and the preview."""

    manifest: Manifest
    preview: BundlePreview
    inserts: dict[str, list[dict[str, Any]]]
    updates: dict[str, list[dict[str, Any]]]  # same id, newer state
    replaced: dict[str, list[str]]  # ids of older rows to delete before the inserts
    pairs: list[tuple[str, str]]  # new prompt id, its pair (set after every prompt is in)
    oldest_change: datetime | None


def _ids_in(s: Session, table: Any, ids: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(ids)
    for i in range(0, len(ordered), CHUNK):
        found.update(s.scalars(select(table.c.id).where(table.c.id.in_(ordered[i:i + CHUNK]))))
    return found


def project_id_queries(project_id: str) -> dict[str, Select[tuple[str]]]:
    """For each kind, a query for the ids of the project's records of that kind: those naming the
    project, or else the project's records they belong to (a comment: its version or contribution)."""
    queries: dict[str, Select[tuple[str]]] = {}
    for kind in KINDS:
        c = kind.model.__table__.c
        if kind.name == "project" or "project_id" in c:
            queries[kind.name] = select(c.id).where((c.id if kind.name == "project" else c.project_id)
                                                    == project_id)
            continue
        owners = {f: t for f, t in kind.refs().items() if t not in ("member", kind.name)}
        required = [f for f in owners if not c[f].nullable] or list(owners)
        queries[kind.name] = select(c.id).where(or_(*(c[f].in_(queries[owners[f]]) for f in required)))
    return queries


class _Planner:
    """Works out the plan for one bundle against the database, refusing anything inconsistent."""

    def __init__(self, s: Session, manifest: Manifest, records: dict[str, list[dict[str, Any]]]) -> None:
        self.s, self.m, self.records = s, manifest, records
        self.local = {k: set(s.scalars(q)) for k, q in project_id_queries(manifest.project_id).items()}
        self.ids = {kind: set(ids) for kind, ids in self.local.items()}  # after the import
        self.maps: dict[str, dict[str, str]] = {"member": {}, "definition": {}}
        self.inserts: dict[str, list[dict[str, Any]]] = {k.name: [] for k in KINDS}
        self.updates: dict[str, list[dict[str, Any]]] = {k: [] for k in NATURAL}
        self.replaced: dict[str, list[str]] = {k: [] for k in NATURAL}
        self.already_here = 0
        self.names: dict[str, str] = dict(
            s.execute(select(Member.id, Member.display_name).where(Member.project_id == manifest.project_id))
            .all()
        )
        self.matched: list[str] = []
        self.withdrawn = set(s.scalars(select(Member.id).where(
            Member.project_id == manifest.project_id, Member.withdrawn_at.is_not(None))))
        self.withheld: dict[str, str] = {}  # id -> kind

    def _withhold(self, kind: str, record: dict[str, Any]) -> bool:
        """Leave out a record of a member who has withdrawn here, and whatever hangs on one."""
        member = record.get(WITHHELD_BY.get(kind, ""))
        if self.maps["member"].get(member, member) in self.withdrawn or (
            record.get("contribution_id") in self.withheld
        ):
            self.withheld[record["id"]] = kind
            return True
        return False

    def resolve(self, kind: Kind, record: dict[str, Any], where: str) -> dict[str, Any]:
        """The record with its references mapped; BundleError if one names nothing here or there."""
        out = record  # copied only if a reference is mapped: most records are used as they came
        for fname, target in _refs_of(kind.name):
            value = record[fname]
            if value is None:
                continue
            value = self.maps.get(target, {}).get(value, value)
            if value != record[fname]:
                out = dict(record) if out is record else out
                out[fname] = value
            if target == "project":
                if value != self.m.project_id:
                    raise BundleError(f"{where} belongs to another project than the bundle's.")
            elif value not in self.ids[target]:
                elsewhere = _ids_in(self.s, BY_NAME[target].model.__table__, {value})
                if elsewhere:
                    raise BundleError(f"{where} refers to a {target} of another project.")
                raise BundleError(
                    f"{where} refers to {target} {value}, which is neither in the bundle nor here "
                    "(ask for a whole-project bundle)."
                )
        return out

    def plan(self) -> Plan:
        project = self.records["project"]
        m = self.m
        if len(project) != 1 or project[0]["id"] != m.project_id or project[0]["name"] != m.project_name:
            raise BundleError("The bundle's project record does not match its manifest.")
        project_is_new = not self.local["project"]
        if project_is_new:
            clash = self.s.scalar(select(Project.id).where(Project.name == m.project_name))
            if clash is not None:
                raise BundleError(
                    f"This database already has a different project called {m.project_name!r}; "
                    "rename one of the two first."
                )
        incoming: dict[str, set[str]] = {}
        for kind in KINDS:
            self._collect(kind)
            incoming[kind.name] = {r["id"] for r in self.inserts[kind.name]}
        for kind in KINDS:
            self._check_refs(kind)
        self._check_new_ids_are_free(incoming)
        versions = self._order_versions(self.inserts["draft_version"])
        self.inserts["draft_version"] = versions
        pairs = [(r["id"], r["paired_with_id"]) for r in self.inserts["prompt"] if r["paired_with_id"]]
        self.inserts["prompt"] = [{**r, "paired_with_id": None} for r in self.inserts["prompt"]]
        return Plan(m, self._preview(project_is_new), self.inserts, self.updates, self.replaced, pairs,
                    self._oldest_change())

    def _collect(self, kind: Kind) -> None:
        """Sort one kind's records into new, already here, mapped, and newer-wins."""
        name = kind.name
        if name in NATURAL:
            self._collect_natural(kind)
            return
        for record in self.records[name]:
            rid = record["id"]
            if rid in self.local[name]:
                self.already_here += 1
                continue
            if self._withhold(name, record):
                continue
            if name == "member":
                same = next((i for i, n in self.names.items() if n == record["display_name"]), None)
                if same is not None:
                    if same not in self.local["member"]:
                        raise BundleError(f"The bundle has two members called {record['display_name']!r}.")
                    self.maps["member"][rid] = same
                    self.matched.append(record["display_name"])
                    continue
                self.names[rid] = record["display_name"]
            if name == "definition":
                prompt = record["prompt_id"]
                same = next((r["id"] for r in self.inserts[name] if r["prompt_id"] == prompt), None)
                if same is not None:
                    raise BundleError("The bundle has two definitions for one prompt.")
                here = self.s.scalar(select(Definition.id).where(Definition.prompt_id == prompt))
                if here is not None:
                    self.maps["definition"][rid] = here
                    continue
            self.inserts[name].append(record)
            self.ids[name].add(rid)

    def _collect_natural(self, kind: Kind) -> None:
        """"Me too"s and stances: the newest per (target, member) among the bundle's and ours."""
        keys, values = NATURAL[kind.name]
        table = kind.model.__table__
        here: dict[tuple[str, str], dict[str, Any]] = {}
        local = sorted(self.local[kind.name])
        for i in range(0, len(local), CHUNK):
            for row in self.s.execute(select(table).where(table.c.id.in_(local[i:i + CHUNK]))).mappings():
                here[(row[keys[0]], row[keys[1]])] = dict(row)
        here_ids = {row["id"]: key for key, row in here.items()}
        best: dict[tuple[str, str], dict[str, Any]] = {}
        records = [r for r in self.records[kind.name]
                   if r["id"] in self.local[kind.name] or not self._withhold(kind.name, r)]
        for record in records:
            resolved = self.resolve(kind, record, f"{kind.part}, record {record['id']}")
            key = (resolved[keys[0]], resolved[keys[1]])
            if here_ids.get(record["id"], key) != key:
                raise BundleError(f"{kind.part}: record {record['id']} is here for another target.")
            if key not in best or _rank(resolved, values) > _rank(best[key], values):
                best[key] = resolved
        written = 0
        for key, record in best.items():
            old = here.get(key)
            if old is None:
                self.inserts[kind.name].append(record)
            elif _rank(record, values) <= _rank(old, values):
                continue
            elif old["id"] == record["id"]:
                self.updates[kind.name].append(record)
            else:
                self.replaced[kind.name].append(old["id"])
                self.inserts[kind.name].append(record)
            self.ids[kind.name].add(record["id"])
            written += 1
        self.already_here += len(records) - written

    def _check_refs(self, kind: Kind) -> None:
        if kind.name in NATURAL:
            return  # resolved while collecting
        inserts = self.inserts[kind.name] = [
            self.resolve(kind, r, f"{kind.part}, record {r['id']}") for r in self.inserts[kind.name]
        ]
        inserted = {r["id"] for r in inserts}
        for record in self.records[kind.name]:
            if record["id"] not in self.withheld and record["id"] not in inserted:  # those were just checked
                self.resolve(kind, record, f"{kind.part}, record {record['id']}")
        unnamed = UNNAMED_BY.get(kind.name)
        for i, record in enumerate(inserts):
            if unnamed and record[unnamed] in self.withdrawn:
                record = inserts[i] = dict(record)  # the bundle's own record stays as it came
                record[unnamed] = None
                if kind.name == "event":
                    record["detail"] = {}

    def _check_new_ids_are_free(self, incoming: dict[str, set[str]]) -> None:
        for kind in KINDS:
            fresh = incoming[kind.name] - self.local[kind.name]
            if kind.name in NATURAL:
                fresh -= {r["id"] for r in self.updates[kind.name]}
            taken = _ids_in(self.s, kind.model.__table__, fresh) if fresh else set()
            if taken:
                raise BundleError(f"{kind.part}: record {sorted(taken)[0]} is here in another project.")

    def _order_versions(self, versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """New versions, parents first; a parent must belong to the same definition."""
        pending = {v["id"]: v for v in versions}
        parents = sorted({v["parent_id"] for v in versions if v["parent_id"]} - set(pending))
        table = DraftVersion.__table__
        defs = {v["id"]: v["definition_id"] for v in versions}
        for i in range(0, len(parents), CHUNK):
            defs.update(self.s.execute(select(table.c.id, table.c.definition_id).where(
                table.c.id.in_(parents[i:i + CHUNK]))).all())
        ordered: list[dict[str, Any]] = []
        while pending:
            ready = [v for v in pending.values() if v["parent_id"] not in pending]
            if not ready:
                raise BundleError("The bundle's definition versions form a loop of parents.")
            for v in ready:
                if v["parent_id"] and defs.get(v["parent_id"]) != v["definition_id"]:
                    raise BundleError(f"Version {v['id']} has a parent from another definition.")
                ordered.append(pending.pop(v["id"]))
        return ordered

    def _preview(self, project_is_new: bool) -> BundlePreview:
        authors: Counter[str] = Counter()
        for name, fname in AUTHOR_FIELD.items():
            for record in self.inserts[name] + self.updates.get(name, []):
                member = record[fname]
                authors[self.names.get(member, "someone") if member else "anonymous"] += 1
        new_members = sorted(r["display_name"] for r in self.inserts["member"])
        m = self.m
        return BundlePreview(
            bundle_id=m.bundle_id, project_id=m.project_id, project_name=m.project_name,
            project_is_new=project_is_new, source_machine=m.machine_id, created_at=m.created_at,
            scope=m.scope, since=m.since,
            new={k.name: len(self.inserts[k.name]) - len(self.replaced.get(k.name, [])) for k in KINDS},
            updated={k: len(self.updates[k]) + len(self.replaced[k]) for k in NATURAL},
            already_here=self.already_here, withheld=len(self.withheld),
            authors=dict(sorted(authors.items())), new_members=new_members,
            matched_members=sorted(self.matched), already_imported=False,
        )

    def _oldest_change(self) -> datetime | None:
        times = [
            r[kind.changed or "created_at"]
            for kind in KINDS
            for r in self.inserts[kind.name] + self.updates.get(kind.name, [])
        ]
        return min(times, default=None)


@cache
def _refs_of(name: str) -> tuple[tuple[str, str], ...]:
    """Kind.refs() of a kind, worked out once (it is asked for every record)."""
    return tuple(BY_NAME[name].refs().items())


def _rank(record: dict[str, Any], values: tuple[str, ...]) -> tuple[Any, ...]:
    return (record["updated_at"], record["id"], *(record[v] for v in values))


def plan_merge(s: Session, manifest: Manifest, records: dict[str, list[dict[str, Any]]]) -> Plan:
    """Check the bundle against the database and work out the merge; writes nothing."""
    return _Planner(s, manifest, records).plan()


def apply_merge(s: Session, plan: Plan) -> None:
    """Write the plan inside the caller's transaction."""
    for kind in KINDS:
        table = kind.model.__table__
        for old in plan.replaced.get(kind.name, []):
            s.execute(delete(table).where(table.c.id == old))
        for record in plan.updates.get(kind.name, []):
            changes = {f: record[f] for f in (*NATURAL[kind.name][1], "updated_at")}
            s.execute(update(table).where(table.c.id == record["id"]).values(**changes))
        rows = plan.inserts[kind.name]  # versions come parents first
        for i in range(0, len(rows), INSERT_BATCH):  # a batch at a time: the driver copies each batch
            s.execute(insert(table), rows[i:i + INSERT_BATCH])
    prompts = Prompt.__table__
    for prompt_id, pair in plan.pairs:
        s.execute(update(prompts).where(prompts.c.id == prompt_id).values(paired_with_id=pair))
