"""Bad bundles are refused with one plain line, and nothing at all is written.

Each case starts from a sound bundle of the demo project (with a record of every kind) and
breaks it one way. The target database holds another project; after the refusal every row of
every table is as it was (a stronger check than equal row counts). The sound bundle is an
invitation, signed with the project's key; every edited copy is signed again with that key (as
if whoever holds it had made it), so that each case is refused for its own fault and not only
for its signature (tests/stress/test_forged_bundles.py attacks the signatures themselves).
"""

from __future__ import annotations

import hashlib
import json
import struct
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.services.container import Services
from app.services.exchange.bundle_format import KINDS, BundleError
from app.services.exchange.exchange import ExchangeService
from app.services.exchange.keyring import sign
from app.services.group.demo import create_demo
from app.store.database import Store, sqlite_url
from app.store.models import Comment, Prompt, ReviewNote, Theme

from .conftest import dump_rows

UNKNOWN = "0badbad0-0000-4000-8000-000000000000"
MB = 1024 * 1024
SIGNING_KEY: list[bytes] = []  # the sound bundle's project key, to sign edited copies again


@pytest.fixture(scope="module")
def sound_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of the demo project holding at least one record of every kind."""
    folder = tmp_path_factory.mktemp("bundles")
    source = Store.open(sqlite_url(folder / "source.db"))
    try:
        project_id = create_demo(source)
        services = Services.build(source)
        members = services.projects.list_members(project_id)
        prompt = services.projects.list_prompts(project_id)[0]
        version = services.drafts.current_version(prompt.id)
        services.drafts.set_stance(members[0].id, version.id, "agree")
        services.drafts.comment(members[1].id, version.id, "Nice")
        with source.transaction() as s:
            s.add(Theme(prompt_id=prompt.id, name="Being heard"))
            s.add(ReviewNote(version_id=version.id, author_id=members[-1].id, text="ok", decision="agreed"))
            contribution = services.contributions.list_for_prompt(prompt.id)[0]
            s.add(Comment(contribution_id=contribution.id, member_id=members[2].id, text="Yes"))
        path = folder / "sound.canvas"
        exchange = ExchangeService(source)
        _computer, result = exchange.invite_computer(project_id, "B", [m.id for m in members], path)
        assert all(result.counts[k.name] for k in KINDS)
        SIGNING_KEY[:] = [exchange.keyring.get(project_id).signing_key]
        return path
    finally:
        source.close()


@pytest.fixture
def target(store: Store) -> Store:
    create_demo(store, name="Another project")
    return store


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def resign(files: dict[str, bytes]) -> None:
    """Sign the (changed) manifest again with the project's key."""
    files["signature.json"] = json.dumps({"signature": sign(SIGNING_KEY[0], files["manifest.json"])}).encode()


def write_zip(path: Path, files: dict[str, bytes] | list[tuple[str, bytes]]) -> Path:
    items = files.items() if isinstance(files, dict) else files
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            zf.writestr(name, data)
    return path


def edited(sound: Path, out: Path, records: Callable[[dict[str, Any]], None] | None = None,
           manifest: Callable[[dict[str, Any]], None] | None = None, fix_sums: bool = True) -> Path:
    """A copy of the bundle with its records and/or manifest changed (checksums redone)."""
    files = entries(sound)
    parts = {k.name: json.loads(files[k.part]) for k in KINDS}
    meta = json.loads(files["manifest.json"])
    if records is not None:
        records(parts)
        for kind in KINDS:
            files[kind.part] = json.dumps(parts[kind.name]).encode()
            if fix_sums:
                meta["sha256"][kind.part] = hashlib.sha256(files[kind.part]).hexdigest()
                meta["counts"][kind.name] = len(parts[kind.name])
    if manifest is not None:
        manifest(meta)
    files["manifest.json"] = json.dumps(meta).encode()
    resign(files)
    return write_zip(out, files)


def first(which: str, /, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(parts: dict[str, Any]) -> None:
        for key, value in changes.items():
            if value is DROP:
                del parts[which][0][key]
            else:
                parts[which][0][key] = value
    return change


DROP = object()


def raw_manifest(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda meta: meta.update(changes)


# --- the bad files, each with the words its refusal must contain -----------------------------


def not_a_zip(sound: Path, out: Path) -> Path:
    out.write_text("Minutes of the meeting\n" * 50)
    return out


def empty_file(sound: Path, out: Path) -> Path:
    out.write_bytes(b"")
    return out


def truncated(sound: Path, out: Path) -> Path:
    out.write_bytes(sound.read_bytes()[: sound.stat().st_size // 2])
    return out


def cut_before_the_end(sound: Path, out: Path) -> Path:
    out.write_bytes(sound.read_bytes()[:-30])
    return out


def changed_after_signing(sound: Path, out: Path) -> Path:
    return edited(sound, out, first("contribution", text="changed on the way"), fix_sums=False)


def newer_format(sound: Path, out: Path) -> Path:
    return edited(sound, out, manifest=raw_manifest(format_version=3, new_field=1))


def unknown_version(sound: Path, out: Path) -> Path:
    return edited(sound, out, manifest=raw_manifest(format_version=0))


def version_as_text(sound: Path, out: Path) -> Path:
    return edited(sound, out, manifest=raw_manifest(format_version="1"))


def other_format(sound: Path, out: Path) -> Path:
    return edited(sound, out, manifest=raw_manifest(format="some-other-app"))


def entry(name: str, data: bytes = b"x") -> Callable[[Path, Path], Path]:
    def make(sound: Path, out: Path) -> Path:
        return write_zip(out, [*entries(sound).items(), (name, data)])
    return make


def missing_part(sound: Path, out: Path) -> Path:
    files = entries(sound)
    del files["records/stance.json"]
    return write_zip(out, files)


def no_manifest(sound: Path, out: Path) -> Path:
    files = entries(sound)
    del files["manifest.json"]
    return write_zip(out, files)


def same_entry_twice(sound: Path, out: Path) -> Path:
    files = entries(sound)
    with pytest.warns(UserWarning):
        return write_zip(out, [*files.items(), ("records/theme.json", files["records/theme.json"])])


def over_200_mb(sound: Path, out: Path) -> Path:
    with out.open("wb") as f:  # sparse: costs no disk
        f.truncate(200 * MB + 1)
    return out


def bomb_by_ratio(sound: Path, out: Path) -> Path:
    """A part padded with 20 MB of spaces (still valid JSON), packed a thousand to one."""
    files = entries(sound)
    files["records/theme.json"] = files["records/theme.json"] + b" " * (20 * MB)
    meta = json.loads(files["manifest.json"])
    meta["sha256"]["records/theme.json"] = hashlib.sha256(files["records/theme.json"]).hexdigest()
    files["manifest.json"] = json.dumps(meta).encode()
    resign(files)
    return write_zip(out, files)


def bomb_with_false_sizes(sound: Path, out: Path) -> Path:
    """A part that unpacks to 8 MB while both of the zip's headers say 10 bytes."""
    files = entries(sound)
    files["records/theme.json"] = b"[" + b" " * (8 * MB) + b"]"
    write_zip(out, files)
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo("records/theme.json")
    struct.pack_into("<I", data, info.header_offset + 22, 10)  # local header: uncompressed size
    pos = data.find(b"PK\x01\x02")
    while pos != -1:  # central directory entries
        length = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46: pos + 46 + length]) == b"records/theme.json":
            struct.pack_into("<I", data, pos + 24, 10)
        pos = data.find(b"PK\x01\x02", pos + 4)
    out.write_bytes(bytes(data))
    with zipfile.ZipFile(out) as zf:
        assert zf.getinfo("records/theme.json").file_size == 10
    return out


def _record(which: str, /, **changes: Any) -> Callable[[Path, Path], Path]:
    return lambda sound, out: edited(sound, out, first(which, **changes))


def _parts(change: Callable[[dict[str, Any]], None]) -> Callable[[Path, Path], Path]:
    return lambda sound, out: edited(sound, out, change)


def _twice(kind: str, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(parts: dict[str, Any]) -> None:
        parts[kind].append({**parts[kind][0], "id": str(uuid.uuid4()), **changes})
    return change


def _version_loop(parts: dict[str, Any]) -> None:
    base = parts["draft_version"][0]
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    parts["draft_version"] += [{**base, "id": one, "parent_id": two}, {**base, "id": two, "parent_id": one}]


def _count_off(meta: dict[str, Any]) -> None:
    meta["counts"]["theme"] += 1


def _bad_json(sound: Path, out: Path) -> Path:
    files = entries(sound)
    files["records/theme.json"] = b'[{"id": '
    meta = json.loads(files["manifest.json"])
    meta["sha256"]["records/theme.json"] = hashlib.sha256(files["records/theme.json"]).hexdigest()
    files["manifest.json"] = json.dumps(meta).encode()
    resign(files)
    return write_zip(out, files)


def _nan(sound: Path, out: Path) -> Path:
    files = entries(sound)
    theme = json.loads(files["records/theme.json"])
    text = json.dumps(theme).replace('"position": 0', '"position": NaN')
    assert "NaN" in text
    files["records/theme.json"] = text.encode()
    meta = json.loads(files["manifest.json"])
    meta["sha256"]["records/theme.json"] = hashlib.sha256(text.encode()).hexdigest()
    files["manifest.json"] = json.dumps(meta).encode()
    resign(files)
    return write_zip(out, files)


CASES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "not-a-zip": (not_a_zip, "is not a Co-production Canvas bundle"),
    "empty-file": (empty_file, "is not a Co-production Canvas bundle"),
    "truncated-half": (truncated, "damaged or cut short"),
    "truncated-end": (cut_before_the_end, "damaged or cut short"),
    "checksum-mismatch": (changed_after_signing, "does not match its checksum"),
    "newer-format": (newer_format, "newer version of Co-production Canvas"),
    "unknown-format-version": (unknown_version, "unknown format version"),
    "format-version-as-text": (version_as_text, "unknown format version"),
    "another-format": (other_format, "not a Co-production Canvas bundle"),
    "dotdot-entry": (entry("../evil.json"), "unsafe file name"),
    "dotdot-inside-entry": (entry("records/../../evil.json"), "unsafe file name"),
    "absolute-entry": (entry("/etc/evil.json"), "unsafe file name"),
    "windows-drive-entry": (entry("C:\\evil.json"), "unsafe file name"),
    "backslash-entry": (entry("records\\..\\evil.json"), "unsafe file name"),
    "unexpected-entry": (entry("notes.txt"), "a file it should not"),
    "missing-part": (missing_part, "lacks records/stance.json"),
    "no-manifest": (no_manifest, "no manifest.json"),
    "same-entry-twice": (same_entry_twice, "same file twice"),
    "over-200-mb": (over_200_mb, "too large"),
    "zip-bomb-ratio": (bomb_by_ratio, "far too much"),
    "zip-bomb-false-sizes": (bomb_with_false_sizes, "damaged or cut short"),
    "dangling-prompt": (_record("contribution", prompt_id=UNKNOWN), "neither in the bundle nor here"),
    "dangling-member": (_record("endorsement", member_id=UNKNOWN), "neither in the bundle nor here"),
    "dangling-parent": (_record("draft_version", parent_id=UNKNOWN), "neither in the bundle nor here"),
    "dangling-pair": (_record("prompt", paired_with_id=UNKNOWN), "neither in the bundle nor here"),
    "wrong-project": (_record("member", project_id=UNKNOWN), "another project"),
    "project-not-manifest's": (_record("project", name="Renamed"), "does not match its manifest"),
    "bool-as-text": (_record("contribution", hidden="no"), "must be true or false"),
    "int-as-bool": (_record("theme", position=True), "must be a whole number"),
    "int-too-big": (_record("theme", position=2**40), "out of range"),
    "text-as-number": (_record("contribution", text=7), "must be text"),
    "missing-field": (_record("contribution", text=DROP), "lacks the field 'text'"),
    "null-field": (_record("contribution", text=None), "missing (null)"),
    "extra-field": (_record("stance", mood="cheerful"), "unknown field 'mood'"),
    "naive-time": (_record("stance", created_at="2026-01-01T10:00:00"), "UTC time"),
    "not-a-time": (_record("stance", created_at="yesterday"), "UTC time"),
    "review-notes-part": (entry("records/review_note.json", b"[]"), "never carries"),
    "audit-log-part": (entry("records/event.json", b"[]"), "never carries"),
    "unsigned-v2": (lambda s, o: write_zip(o, {k: v for k, v in entries(s).items() if k != "signature.json"}),
                    "not signed"),
    "bad-date": (_record("meeting", held_on="2026-02-30"), "not a date"),
    "bad-id": (_record("comment", id="123"), "not a record id"),
    "upper-case-id": (_record("theme", id=str(uuid.uuid4()).upper()), "not a record id"),
    "null-character": (_record("comment", text="a\x00b"), "null character"),
    "lone-surrogate": (_record("comment", text="a\ud800b"), "not valid Unicode"),
    "too-long": (_record("contribution", text="x" * 2001), "longer than 2,000"),
    "blank-text": (_record("contribution", text="   "), "is empty"),
    "bad-choice": (_record("contribution", kind="poem"), "must be one of"),
    "json-not-object": (_record("member", access_profile=[1, 2]), "must be a JSON object"),
    "two-targets": (_record("comment", contribution_id=UNKNOWN, version_id=UNKNOWN), "exactly one"),
    "record-not-object": (_parts(lambda p: p["theme"].append(5)), "is not a JSON object"),
    "part-not-list": (_parts(lambda p: p.update(theme={"a": 1})), "must hold a list"),
    "repeated-id": (_parts(lambda p: p["theme"].append(dict(p["theme"][0]))), "repeats the id"),
    "two-definitions": (_parts(_twice("definition")), "two definitions for one prompt"),
    "version-loop": (_parts(_version_loop), "loop of parents"),
    "count-mismatch": (lambda s, o: edited(s, o, manifest=_count_off), "different number"),
    "manifest-extra-key": (lambda s, o: edited(s, o, manifest=raw_manifest(x=1)), "malformed"),
    "manifest-bad-machine": (lambda s, o: edited(s, o, manifest=raw_manifest(machine_id="me")), "malformed"),
    "invalid-json": (_bad_json, "not valid JSON"),
    "nan-in-json": (_nan, "not valid JSON"),
}


@pytest.fixture
def make_bad(sound_bundle: Path, tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    yield lambda case: CASES[case][0](sound_bundle, tmp_path / f"{case}.canvas")


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_bundle_is_refused_and_nothing_is_written(target: Store, make_bad, case: str):
    path = make_bad(case)
    expected = CASES[case][1]
    before = dump_rows(target)
    exchange = ExchangeService(target)
    for attempt in (exchange.preview_import, exchange.import_bundle):
        with pytest.raises(BundleError) as caught:
            attempt(path)
        message = caught.value.message
        assert expected in message, message
        assert "\n" not in message and "Traceback" not in message and len(message) < 300
    assert dump_rows(target) == before


def test_the_sound_bundle_itself_imports(target: Store, sound_bundle: Path):
    """The cases above fail for their own fault: the bundle they start from is sound."""
    result = ExchangeService(target).import_bundle(sound_bundle)
    assert all(result.new[k.name] for k in KINDS)


def test_a_reference_into_another_project_is_refused(target: Store, sound_bundle: Path, tmp_path: Path):
    with target.read() as s:
        foreign = s.scalar(select(Prompt.id))  # a prompt of "Another project", here
    path = edited(sound_bundle, tmp_path / "foreign.canvas", first("contribution", prompt_id=foreign))
    before = dump_rows(target)
    with pytest.raises(BundleError, match="another project"):
        ExchangeService(target).import_bundle(path)
    assert dump_rows(target) == before


def test_a_missing_file_is_refused_plainly(target: Store, tmp_path: Path):
    with pytest.raises(BundleError, match="cannot be read"):
        ExchangeService(target).preview_import(tmp_path / "nowhere.canvas")
    with pytest.raises(BundleError, match="not a file"):
        ExchangeService(target).preview_import(tmp_path)
