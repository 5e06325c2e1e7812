"""Which of a project's records are here, and references checked against them (bundle merges).

Every reference in a bundle must name a record of the same project, brought by the bundle or
already here. The project's structure (project, members, meetings, questions, themes,
definitions) is small, so its ids here are read whole; the ids of the other kinds that records
refer to (keywords, versions) are learnt as the bundle brings them, or looked up a batch at a
time, so that a large project is never read whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.services.exchange.bundle_format import BY_NAME, KINDS, KINDS_V1, BundleError, Kind

STRUCTURE = tuple(k.name for k in KINDS if k.changed is None)
REFERRED = ("contribution", "draft_version")  # besides the structure, the kinds others refer to
CHUNK = 1_000  # ids per IN (...)


def project_id_queries(project_id: str) -> dict[str, Select[tuple[str]]]:
    """For each kind, a query for the ids of the project's records of that kind: those naming the
    project, or else the project's records they belong to (a comment: its version or contribution)."""
    queries: dict[str, Select[tuple[str]]] = {}
    for kind in KINDS_V1:  # every kind a format has held: a format 1 bundle is checked with them
        c = kind.model.__table__.c
        if kind.name == "project" or "project_id" in c:
            queries[kind.name] = select(c.id).where((c.id if kind.name == "project" else c.project_id)
                                                    == project_id)
            continue
        queries[kind.name] = select(c.id).where(or_(*(c[f].in_(queries[kind.refs()[f]])
                                                      for f in owners(kind.name))))
    return queries


@cache
def owners(name: str) -> tuple[str, ...]:
    """The fields that make a record of this kind part of its project: the project, or what the
    record belongs to (a comment: its version or its contribution)."""
    kind = BY_NAME[name]
    c = kind.model.__table__.c
    if name == "project":
        return ("id",)
    if "project_id" in c:
        return ("project_id",)
    belongs = [f for f, t in kind.refs().items() if t not in ("member", name)]
    return tuple([f for f in belongs if not c[f].nullable] or belongs)


@cache
def refs_of(name: str) -> tuple[tuple[str, str], ...]:
    """Kind.refs() of a kind, worked out once (it is asked for every record)."""
    return tuple(BY_NAME[name].refs().items())


def chunks(values: Iterable[str]) -> Iterator[list[str]]:
    """Ids in sorted runs of at most CHUNK, for IN (...)."""
    ordered = sorted(values)
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i:i + CHUNK]


class References:
    """The ids of one project, here and brought by a bundle; references checked against them."""

    def __init__(self, s: Session, project_id: str) -> None:
        self.s, self.project_id = s, project_id
        queries = project_id_queries(project_id)
        self.here = {name: set(s.scalars(queries[name])) for name in STRUCTURE}  # before the merge
        self.known = {name: set(ids) for name, ids in self.here.items()}  # in the project: here or brought
        self.known.update({name: set() for name in REFERRED})  # filled as they come or are looked up
        self.elsewhere: dict[str, set[str]] = defaultdict(set)  # ids here in another project
        self.maps: dict[str, dict[str, str]] = {"member": {}, "definition": {}}
        self.links: list[tuple[str, str]] = []  # (value, record id): links to the kind being read

    def found(self, kind: Kind, ids: list[str]) -> dict[str, tuple[Any, ...]]:
        """Of these ids, those here (in any project), with their `owners` fields."""
        table = kind.model.__table__
        whose = [table.c[f] for f in owners(kind.name)]
        found: dict[str, tuple[Any, ...]] = {}
        for chunk in chunks(ids):
            found.update((row[0], tuple(row[1:])) for row in
                         self.s.execute(select(table.c.id, *whose).where(table.c.id.in_(chunk))))
        return found

    def look_up_refs(self, kind: Kind, records: list[dict[str, Any]]) -> None:
        """Look up, at once, the records these refer to that are neither brought nor known yet."""
        for field, target in refs_of(kind.name):
            if target in ("project", kind.name):
                continue
            mapping = self.maps.get(target, {})
            values = {mapping.get(r[field], r[field]) for r in records if r[field] is not None}
            self.look_up(target, values - self.known[target] - self.elsewhere[target])

    def look_up(self, target: str, ids: set[str]) -> None:
        """Sort ids of a kind others refer to into this project's and another project's."""
        if not ids:
            return
        table = BY_NAME[target].model.__table__
        owner = owners(target)[0]
        owner_here = self.here.get(BY_NAME[target].refs().get(owner, ""), set())
        for chunk in chunks(ids):
            for rid, whose in self.s.execute(select(table.c.id, table.c[owner]).where(table.c.id.in_(chunk))):
                # The structure here was read whole: any other id of it is another project's.
                inside = target in REFERRED and whose in owner_here
                (self.known if inside else self.elsewhere)[target].add(rid)

    def resolve(self, kind: Kind, record: dict[str, Any]) -> dict[str, Any]:
        """The record with its references mapped; BundleError if one names nothing here or there.
        References to the record's own kind are kept for `check_links`, once the kind is read."""
        out = record  # copied only if a reference is mapped: most records are used as they came
        for field, target in refs_of(kind.name):
            value = record[field]
            if value is None:
                continue
            if target in self.maps:
                value = self.maps[target].get(value, value)
                if value != record[field]:
                    out = dict(record) if out is record else out
                    out[field] = value
            if target == "project":
                if value != self.project_id:
                    raise BundleError(f"{kind.part}, record {record['id']} belongs to another project "
                                      "than the bundle's.")
            elif target == kind.name:
                self.links.append((value, record["id"]))
            elif value not in self.known[target]:
                self.dangling(target, value, f"{kind.part}, record {record['id']}")
        return out

    def check_links(self, kind: Kind) -> None:
        """Check the references of a kind's records to records of the same kind (paired questions,
        parent versions), once every record of the kind has been read."""
        links, self.links = self.links, []
        if not links:
            return
        self.look_up(kind.name, {v for v, _ in links} - self.known[kind.name])
        for value, rid in links:
            if value not in self.known[kind.name]:
                self.dangling(kind.name, value, f"{kind.part}, record {rid}")

    def dangling(self, target: str, value: str, where: str) -> None:
        """Refuse a reference that names no record of this project."""
        if value in self.elsewhere[target]:
            raise BundleError(f"{where} refers to a {target} of another project.")
        raise BundleError(
            f"{where} refers to {target} {value}, which is neither in the bundle nor here "
            "(ask for a whole-project bundle)."
        )


def check_version_tree(s: Session, table: Any, versions: dict[str, tuple[str | None, str]]) -> None:
    """Refuse new definition versions (id -> (parent, definition)) whose parents form a loop, or
    whose parent (brought or here) belongs to another definition."""
    definition = {v: d for v, (_, d) in versions.items()}
    for chunk in chunks({p for p, _ in versions.values() if p and p not in versions}):
        definition.update(s.execute(select(table.c.id, table.c.definition_id)
                                    .where(table.c.id.in_(chunk))).all())
    safe: dict[str, bool] = {}  # False: on the path being followed; True: leads to no loop
    for start in versions:
        path, v = [], start
        while v in versions and safe.get(v) is not True:
            if v in safe:
                raise BundleError("The bundle's definition versions form a loop of parents.")
            safe[v] = False
            path.append(v)
            v = versions[v][0]
        safe.update(dict.fromkeys(path, True))
    for v, (parent, own) in versions.items():
        if parent and definition.get(parent) != own:
            raise BundleError(f"Version {v} has a parent from another definition.")
