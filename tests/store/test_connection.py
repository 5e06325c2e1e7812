"""The connection rules for a shared server: TLS off this computer, timeouts, the saved line."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy.engine import make_url

from app.store.connection import ConnectionRefused, check_tls, connect_args, is_local
from app.store.database import Store, StoreError
from app.store.settings import save_database, saved_database


@pytest.mark.parametrize("host, local", [
    (None, True), ("localhost", True), ("127.0.0.1", True), ("127.8.0.1", True), ("::1", True),
    ("/var/run/postgresql", True), ("db.example.org", False), ("192.168.1.20", False),
])
def test_what_counts_as_this_computer(host, local):
    assert is_local(host) is local


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer"])
def test_a_plain_connection_to_another_computer_is_refused(mode):
    url = make_url(f"postgresql+psycopg://alex:pw@db.example.org/canvas?sslmode={mode}")
    with pytest.raises(ConnectionRefused, match="another computer.*sslmode=verify-full"):
        check_tls(url)


def test_the_app_refuses_before_sending_anything():
    with pytest.raises(StoreError, match="on another computer"):
        Store.open("postgresql+psycopg://alex:pw@db.example.org/canvas?sslmode=disable")


def test_another_computer_is_verified_by_default_and_every_connection_has_timeouts():
    args = connect_args(make_url("postgresql+psycopg://alex:pw@db.example.org/canvas"))
    assert args["sslmode"] == "verify-full"
    assert args["connect_timeout"] == 5
    assert "-c statement_timeout=10000" in args["options"]
    kept = connect_args(make_url("postgresql+psycopg://a@db.example.org/c?sslmode=verify-ca"
                                 "&options=-c%20TimeZone%3DUTC"))
    assert "sslmode" not in kept  # the line's own mode stays
    assert kept["options"].startswith("-c TimeZone=UTC") and "statement_timeout" in kept["options"]
    assert connect_args(make_url("postgresql+psycopg://a@localhost/c"))["sslmode"] == "prefer"


def test_the_saved_line_is_the_owners_alone(tmp_path):
    path = tmp_path / "data" / "settings.json"
    assert saved_database(path) is None
    save_database("postgresql+psycopg://alex:secret@db.example.org/canvas", path)
    assert saved_database(path) == "postgresql+psycopg://alex:secret@db.example.org/canvas"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    path.write_text("not json")
    assert saved_database(path) is None


def test_main_starts_with_the_saved_line(tmp_path, monkeypatch):
    import main

    monkeypatch.delenv("CANVAS_DB", raising=False)
    monkeypatch.setattr("app.store.settings.settings_path", lambda: tmp_path / "settings.json")
    assert main.database_target(None) == str(main.default_db_path())
    save_database("postgresql+psycopg://alex:pw@localhost/canvas")
    assert main.database_target(None) == "postgresql+psycopg://alex:pw@localhost/canvas"
    assert main.database_target("other.db") == "other.db"


def test_a_server_that_is_not_there_is_said_plainly():
    import socket

    with socket.socket() as probe:  # a loopback port no server listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreError, match="cannot be reached"):
        Store.open(f"postgresql+psycopg://alex:pw@127.0.0.1:{port}/canvas")
