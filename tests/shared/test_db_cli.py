"""`main.py db add-member / remove-member` as the research team runs them."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.commands import run
from app.services.group.demo import DEMO_NAME
from tests.shared.conftest import Shared


def test_add_and_remove_a_member_from_the_command_line(shared: Shared, capsys):
    assert run(["db", "add-member", "--admin-url", shared.admin, "--project", DEMO_NAME,
                "--member", "Priya"]) == 0
    out = capsys.readouterr().out
    line = next(w for w in out.split() if w.startswith("postgresql+psycopg://"))
    plain = make_url(line).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as conn:
        assert conn.execute("SELECT canvas_kind()").fetchone() == ("member",)
    assert run(["db", "remove-member", "--admin-url", shared.admin, "--project", DEMO_NAME,
                "--member", "Priya"]) == 0
    assert "removed" in capsys.readouterr().out
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(plain, connect_timeout=5)


def test_a_plain_failure_is_one_line(shared: Shared, capsys):
    assert run(["db", "add-member", "--admin-url", shared.admin, "--project", "No such project",
                "--member", "Priya"]) == 1
    assert "no project called 'No such project'" in capsys.readouterr().err
    assert run(["db", "setup", "--admin-url", "sqlite:///x.db", "--project", "P"]) == 1
    assert "PostgreSQL" in capsys.readouterr().err
