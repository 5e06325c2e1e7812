"""How the app connects to a shared PostgreSQL server: TLS off this computer, and timeouts.

A server on another computer is reached only over TLS that checks the server's certificate
(`sslmode=verify-full` unless the connection line asks for another mode that still encrypts);
a plain connection to it is refused before anything is sent. Every connection gives up after
CONNECT_TIMEOUT_S and every statement after STATEMENT_TIMEOUT_MS, so a server that stops
answering costs the app seconds, never a frozen window (the window's polling and saving run on
a worker thread as well: app/ui/db_worker.py).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy.engine import URL

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 10_000
ENCRYPTED = ("require", "verify-ca", "verify-full")
LOCAL_NAMES = ("localhost", "localhost.localdomain")


class ConnectionRefused(ValueError):
    """The connection line would send the group's data in the clear; the message says how to fix it."""


def is_local(host: str | None) -> bool:
    """Whether `host` is this computer (a Unix socket, `localhost` or a loopback address)."""
    if not host or host.startswith("/") or host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def sslmode(url: URL) -> str:
    """The TLS mode this URL will use: as given, else verify-full for another computer."""
    given = url.query.get("sslmode")
    if isinstance(given, tuple):
        given = given[-1]
    if given:
        return str(given)
    return "prefer" if is_local(url.host) else "verify-full"


def check_tls(url: URL) -> None:
    """Refuse a connection line that would reach another computer without TLS."""
    mode = sslmode(url)
    if not is_local(url.host) and mode not in ENCRYPTED:
        raise ConnectionRefused(
            f"The shared database at {url.host} is on another computer, and sslmode={mode} would "
            "send names and writing across the network unprotected, so the app did not connect. "
            "Leave sslmode out (the app then uses sslmode=verify-full) and give the server's "
            "certificate with sslrootcert=PATH (see the README's shared-database section).")


def connect_args(url: URL) -> dict[str, Any]:
    """psycopg's connection settings: TLS mode and both timeouts."""
    check_tls(url)
    given = url.query.get("options", "")
    options = " ".join([*(given if isinstance(given, tuple) else [given]),
                        f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"]).strip()
    args: dict[str, Any] = {"options": options}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    # A network that goes quiet (no reset, no answer) ends the connection too, in seconds.
    for name, value in (("keepalives", 1), ("keepalives_idle", 5), ("keepalives_interval", 2),
                        ("keepalives_count", 3), ("tcp_user_timeout", STATEMENT_TIMEOUT_MS)):
        if name not in url.query:
            args[name] = value
    if "sslmode" not in url.query:
        args["sslmode"] = sslmode(url)
    return args
