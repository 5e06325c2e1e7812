"""The bundle's parts read as streams: a JSON list parsed one item at a time, however it is cut
into chunks, and refused plainly when it is not one; the records handed on in batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.exchange import bundle_json
from app.services.exchange.bundle_file import open_bundle
from app.services.exchange.bundle_format import KINDS, BundleError
from app.services.exchange.bundle_json import json_items
from app.services.exchange.exchange import ExchangeService
from app.services.group.demo import create_demo
from app.store.database import Store

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def cut(data: bytes, sizes: list[int]) -> list[bytes]:
    """`data` in chunks of the given sizes, in turn (the last one repeated)."""
    chunks, i, n = [], 0, 0
    while i < len(data):
        size = sizes[min(n, len(sizes) - 1)]
        chunks.append(data[i:i + size])
        i, n = i + size, n + 1
    return chunks


@settings(max_examples=200, deadline=None)
@given(items=st.lists(values, max_size=8), sizes=st.lists(st.integers(1, 40), min_size=1, max_size=6),
       spaced=st.booleans(), ascii_only=st.booleans())
def test_a_list_reads_the_same_however_it_is_cut(items, sizes, spaced, ascii_only):
    text = json.dumps(items, ensure_ascii=ascii_only, indent=1 if spaced else None)
    assert list(json_items(cut(text.encode("utf-8"), sizes), "part")) == json.loads(text)


BAD = {
    b"": "not valid JSON", b"   ": "not valid JSON", b"[": "not valid JSON", b"[1": "not valid JSON",
    b"[1,": "not valid JSON", b"[1 2]": "not valid JSON", b"[1,]": "not valid JSON",
    b"[]x": "not valid JSON", b"[1] [2]": "not valid JSON", b'[{"a":1,"a":2}]': "repeats a key",
    b"[NaN]": "not a number", b"[-Infinity]": "not a number", b"[\xff]": "not valid JSON",
    b'[{"a":"open]': "not valid JSON", b"[tru]": "not valid JSON", b'{"a":1}': "must hold a list",
    b"x": "not valid JSON", b"[1.5e]": "not valid JSON",
}


@pytest.mark.parametrize("data", list(BAD))
@pytest.mark.parametrize("size", [1, 3, 1000])
def test_what_is_not_a_json_list_is_refused_plainly(data: bytes, size: int):
    with pytest.raises(BundleError, match=BAD[data]) as caught:
        list(json_items(cut(data, [size]), "records/theme.json"))
    assert caught.value.message.startswith("records/theme.json ")


def test_a_record_too_large_to_be_one_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(bundle_json, "MAX_RECORD_CHARS", 1000)
    data = b'[{"text": "' + b"x" * 5000 + b'"}]'
    with pytest.raises(BundleError, match="too large"):
        list(json_items(cut(data, [100]), "part"))


def test_records_come_in_batches_of_checked_values(store: Store, tmp_path: Path):
    project = create_demo(store)
    path = tmp_path / "demo.canvas"
    result = ExchangeService(store).export_bundle(project, path)
    with open_bundle(path) as bundle:
        for kind in KINDS:
            batches = list(bundle.batches(kind, size=2))
            assert all(0 < len(batch) <= 2 for batch in batches)
            records = [record for batch in batches for record in batch]
            assert len(records) == result.counts[kind.name]
            assert all(set(record) == set(kind.fields) for record in records)
