"""The involvement record never travels: no format has a place for it, no sender may carry it,
and a bundle made on the facilitator's computer holds none of it."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from app.services.exchange.bundle_format import FORMATS, BundleError
from app.services.exchange.carry import CARRIES, NEVER_CARRIED, check_kinds
from app.services.exchange.exchange import ExchangeService
from app.services.exchange.signers import AS_COMPUTER, AS_FACILITATOR, AS_UNSIGNED, Sender
from app.store.models import InvolvementEntry, PaymentRecord

from .conftest import Project

SECRET_NOTE = "carer's costs for the night shift"


def test_no_format_and_no_sender_carries_it():
    tables = {InvolvementEntry.__tablename__, PaymentRecord.__tablename__}
    assert tables <= NEVER_CARRIED
    for version, kinds in FORMATS.items():
        assert not {k.name for k in kinds} & NEVER_CARRIED, version
    for role, allowed in CARRIES.items():
        assert not allowed & NEVER_CARRIED, role


@pytest.mark.parametrize("role", [AS_FACILITATOR, AS_COMPUTER, AS_UNSIGNED])
def test_a_bundle_holding_it_is_refused_whoever_sent_it(role):
    sender = Sender(role, "00000000-0000-4000-8000-000000000001", "someone")
    for table in sorted(NEVER_CARRIED):
        with pytest.raises(BundleError, match="never travel"):
            check_kinds(sender, {"contribution": 1, table: 1})


def test_the_facilitators_bundle_holds_none_of_it(services, demo: Project, fs, tmp_path: Path):
    entry = services.involvement.add(fs, demo.member("Jordan"), date(2026, 11, 5), preparation_minutes=47,
                                     expenses_pence=31337, note=SECRET_NOTE).record_id
    services.involvement.add(fs, demo.member("Kai"), date(2026, 11, 6), expenses_pence=2222)
    services.participants.withdraw(fs, demo.member("Kai"), "delete")  # a payment record is kept
    kept = services.involvement.kept_payments(fs)[0]
    path = tmp_path / "group.canvas"
    ExchangeService(services.involvement.store).export_bundle(demo.id, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        everything = b"".join(zf.read(n) for n in names)
    assert not [n for n in names if "involvement" in n or "payment" in n]
    for secret in (SECRET_NOTE, entry, kept.id, "31337", "2222", kept.reason[:30]):
        assert secret.encode() not in everything, secret
