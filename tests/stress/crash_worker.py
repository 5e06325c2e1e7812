"""The child process of the stress tests: random service actions on one database.

    python -m tests.stress.crash_worker DB SEED LOG [--seconds S] [--kill-after-tables K]

Opens DB as the app does (`Store.open`: damaged-file check, migrations), adds the demo
project if it is missing, then does random actions through the services: add a
contribution, set a "me too", save a version, take a stance, comment, save text in progress.
For each action it appends to LOG one JSON line *before* the call ("try", with everything
needed to check it) and one *after* the call returned, i.e. after its commit ("ok", with the
ids it made). Every line is flushed and fsynced. A test may SIGKILL it at any moment.

It runs until killed, or for S seconds and then exits 0. `--kill-after-tables K` kills the
process itself with SIGKILL while the migration creates its K-th table (a crash part-way
through a migration, at a chosen place).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event

from app.services.container import Services
from app.services.errors import DomainError
from app.services.group.authorship import split_token
from app.services.group.demo import DEMO_NAME, create_demo
from app.store.database import Store, sqlite_url

# Text that is awkward on purpose: accents, right-to-left, emoji, combining marks, quotes.
PIECES = ("care", "heard", "café", "مرحبا", "שלום", "🙂", "👩🏽‍🦽", "e\u0301", "'; --", "\"x\"", "\t", "漢字")
TARGETS = ("contribution:now", "contribution:future", "definition:now", "comment")


class Log:
    """Append-only JSON lines, each synced to disk before the next step."""

    def __init__(self, path: Path, name: str) -> None:
        torn = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
        self.file = path.open("a", encoding="utf-8")
        self.name = name
        if torn:  # the last run was killed half-way through a line: start on a fresh one
            self.file.write("\n")

    def write(self, phase: str, record: dict[str, Any]) -> None:
        """One line: who, which phase, and the record."""
        line = json.dumps({"worker": self.name, "phase": phase, **record}, ensure_ascii=False)
        self.file.write(line + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())


class Worker:
    """Chooses and runs actions; knows the ids it can act on."""

    def __init__(self, services: Services, project_id: str, rng: random.Random, name: str) -> None:
        self.sv = services
        self.rng = rng
        self.name = name
        self.members = [m.id for m in services.projects.list_members(project_id) if m.role == "participant"]
        self.prompts = [p.id for p in services.projects.list_prompts(project_id)]
        self.contributions = [c.id for p in self.prompts for c in services.contributions.list_for_prompt(p)]
        self.versions = {p: [v.id for v in services.drafts.list_versions(p)] for p in self.prompts}
        self.count = 0

    def text(self, low: int, high: int) -> str:
        """Random awkward text, unique to this worker and step."""
        words = [self.rng.choice(PIECES) for _ in range(self.rng.randint(low, high))]
        return f"{self.name}-{self.count} " + " ".join(words)

    def step(self, log: Log) -> None:
        """Choose one action, log it, run it, log that it returned."""
        self.count += 1
        op = self.rng.choice(("add", "add", "endorse", "version", "stance", "comment",
                              "inprogress", "inprogress", "inprogress"))
        member = self.rng.choice(self.members)
        record: dict[str, Any] = {"op": op, "member": member, "n": self.count}
        versions = [v for vs in self.versions.values() for v in vs]
        if op == "add":
            record.update(prompt=self.rng.choice(self.prompts), text=self.text(1, 4),
                          anonymous=self.rng.random() < 0.2)
        elif op == "endorse" and self.contributions:
            record.update(contribution=self.rng.choice(self.contributions), on=self.rng.random() < 0.7)
        elif op == "version":
            prompt = self.rng.choice(self.prompts)
            parent = self.versions[prompt][-1] if self.versions[prompt] else None
            record.update(prompt=prompt, text=self.text(5, 60), parent=parent)
        elif op in ("stance", "comment") and versions:
            record.update(version=self.rng.choice(versions))
            if op == "stance":
                record.update(position=self.rng.choice(("agree", "unsure", "disagree")),
                              reason=self.text(0, 3) if self.rng.random() < 0.5 else "")
            else:
                record.update(text=self.text(1, 10))
        elif op == "inprogress":
            text = "" if self.rng.random() < 0.1 else self.text(0, 200)
            record.update(target=self.rng.choice(TARGETS), text=text,
                          cursor=self.rng.randint(0, len(text)))
        else:
            return
        log.write("try", record)
        result = self.run(record)
        log.write("ok", {**record, **result})

    def run(self, r: dict[str, Any]) -> dict[str, Any]:
        """Call the service for a record; return the ids it made."""
        sv, op = self.sv, r["op"]
        if op == "add":
            out = sv.contributions.add(r["member"], r["prompt"], r["text"], anonymous=r["anonymous"])
            self.contributions.append(out.record_id or "")
        elif op == "endorse":
            out = sv.contributions.endorse(r["member"], r["contribution"], r["on"])
        elif op == "version":
            out = sv.drafts.save_version(r["member"], r["prompt"], r["text"], r["parent"])
            self.versions[r["prompt"]].append(out.record_id or "")
        elif op == "stance":
            out = sv.drafts.set_stance(r["member"], r["version"], r["position"], r["reason"])
        elif op == "comment":
            out = sv.drafts.comment(r["member"], r["version"], r["text"])
        else:
            sv.inprogress.save(r["member"], r["target"], r["text"], r["cursor"])
            return {}
        # An anonymous add's token is the audit entry's id plus the author's secret: the log
        # keeps only the entry's id, which is what the check looks for in the database.
        event_id, _secret = split_token(out.undo_token)
        return {"record_id": out.record_id, "event": event_id}


# --- checking a log against the database (used by the tests, in the parent process) ----------


def read_log(path: Path) -> list[dict[str, Any]]:
    """The complete lines of a log. A line cut short by a kill (a write of more than one page
    can be interrupted) is not one: it was never finished, so it acknowledges nothing."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").split("\n")[:-1]:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


ADDED = {"add": "contribution", "version": "draft_version", "comment": "comment"}


def _state(r: dict[str, Any]) -> tuple[tuple[str, ...], Any] | None:
    """For an action that sets a state: its key and the value it sets."""
    if r["op"] == "endorse":
        return ("endorse", r["contribution"], r["member"]), r["on"]
    if r["op"] == "stance":
        return ("stance", r["version"], r["member"]), (r["position"], r["reason"])
    if r["op"] == "inprogress":
        return ("inprogress", r["member"], r["target"]), (r["text"], r["cursor"]) if r["text"] else None
    return None


def _database_states(store: Store) -> tuple[dict[str, dict[str, str]], set[str], dict[tuple[str, ...], Any]]:
    with store.engine.connect() as c:
        rows = {t: dict(c.exec_driver_sql(f"SELECT id, text FROM {t}").all()) for t in set(ADDED.values())}
        events = {r[0] for r in c.exec_driver_sql("SELECT id FROM event")}
        states: dict[tuple[str, ...], Any] = {}
        for cid, mid, active in c.exec_driver_sql(
                "SELECT contribution_id, member_id, active FROM endorsement"):
            states["endorse", cid, mid] = bool(active)
        for vid, mid, pos, reason in c.exec_driver_sql(
                "SELECT version_id, member_id, position, reason FROM stance"):
            states["stance", vid, mid] = (pos, reason)
        for mid, target, text, cursor in c.exec_driver_sql(
                "SELECT member_id, target, text, cursor FROM in_progress_text"):
            # An emptied text whose earlier draft is still kept stays as a row with no text:
            # for the member it is cleared, as a deleted row is.
            states["inprogress", mid, target] = (text, cursor) if text else None
    return rows, events, states


def check(store: Store, records: list[dict[str, Any]]) -> list[str]:
    """Every problem found: an acknowledged action whose result is not in the database.

    Records made and acknowledged ("ok") must be there with their exact text, and their
    Event too. A state (a "me too", a stance, text in progress) must be the last one
    acknowledged or one tried after it (tried, committed, killed before it was logged).
    When more than one worker set the same state, it must be one of the values tried."""
    rows, events, states = _database_states(store)
    problems: list[str] = []
    possible: dict[tuple[str, ...], set[Any]] = {}
    acknowledged: set[tuple[str, ...]] = set()
    writers: dict[tuple[str, ...], set[str]] = {}
    tried: dict[tuple[str, ...], set[Any]] = {}
    for r in records:
        if r["phase"] == "refused":
            problems.append(f"{r['worker']} was refused: {r['message']}")
            continue
        state = _state(r)
        added = r["op"] in ADDED and r["phase"] == "ok"
        if added and rows[ADDED[r["op"]]].get(r["record_id"]) != r["text"]:  # unique texts: no me-too
            problems.append(f"lost or changed: {r['op']} {r['record_id']} ({r['worker']} #{r['n']})")
        if r["phase"] == "ok" and r.get("event") and r["event"] not in events:
            problems.append(f"lost event of {r['op']} ({r['worker']} #{r['n']})")
        if state is None:
            continue
        key, value = state
        writers.setdefault(key, set()).add(r["worker"])
        tried.setdefault(key, set()).add(_freeze(value))
        if r["phase"] == "ok":
            possible[key] = {_freeze(value)}
            acknowledged.add(key)
        else:
            possible.setdefault(key, set()).add(_freeze(value))
    for key in acknowledged:
        found = _freeze(states.get(key, False if key[0] == "endorse" else None))
        allowed = possible[key] if len(writers[key]) == 1 else tried[key]
        if found not in allowed:
            problems.append(f"{key[0]} {key[1:]} is {found!r}; acknowledged: {sorted(map(repr, allowed))}")
    return problems


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _kill_after_tables(count: int) -> None:
    """SIGKILL this process while the migration creates its `count`-th table."""
    made = 0

    def created(*_args: object, **_kw: object) -> None:
        nonlocal made
        made += 1
        if made >= count:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Table, "after_create", created)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the worker (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m tests.stress.crash_worker")
    parser.add_argument("db", type=Path)
    parser.add_argument("seed", type=int)
    parser.add_argument("log", type=Path)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--kill-after-tables", type=int, default=None)
    args = parser.parse_args(argv)
    if args.kill_after_tables:
        _kill_after_tables(args.kill_after_tables)
    store = Store.open(sqlite_url(args.db))
    try:
        services = Services.build(store)
        project_id = create_demo(store)
        if services.projects.find_project(DEMO_NAME).id != project_id:
            raise SystemExit("the demo project was not found")
        name = f"w{args.seed}"
        worker = Worker(services, project_id, random.Random(args.seed), name)
        log = Log(args.log, name)
        print("ready", flush=True)
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        while deadline is None or time.monotonic() < deadline:
            try:
                worker.step(log)
            except DomainError as exc:  # e.g. a version chain raced by another copy: say so, go on
                log.write("refused", {"message": exc.message})
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
