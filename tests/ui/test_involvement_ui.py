"""The involvement record in facilitator mode, driven by the keyboard alone."""

from __future__ import annotations

import csv

from docx import Document
from PySide6.QtCore import Qt

from app.ui.screens.facilitator.involvement import InvolvementScreen, MemberInvolvementScreen
from app.ui.screens.write import WriteScreen
from tests.ui.test_facilitator import _tab_to, _unlock


def _type(app, text):
    screen = app.window.current
    assert isinstance(screen, WriteScreen)
    assert screen.request.private  # never kept unfinished, saved as a phrase or learned from
    screen.panel.field.setFocus()
    app.qtbot.keyClicks(screen.panel.field, text)
    app.qtbot.keyClick(screen.panel.field, Qt.Key.Key_Return)


def _open_alex(app):
    _unlock(app)
    _tab_to(app, "Involvement: time and expenses")
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, InvolvementScreen)
    alex = next(t.accessibleName() for t in app.window.tiles() if t.accessibleName().startswith("Alex: "))
    _tab_to(app, alex)
    app.key(Qt.Key.Key_Return)
    assert isinstance(app.window.current, MemberInvolvementScreen)


def test_preparation_time_and_expenses_with_keys(make_app, tmp_path):
    app = make_app()
    app.window.exports_folder = tmp_path / "exports"
    _open_alex(app)
    _tab_to(app, "Add preparation time")
    app.key(Qt.Key.Key_Return)
    _type(app, "1:30")
    assert isinstance(app.window.current, MemberInvolvementScreen)
    assert "1 h 30 min preparing" in app.window.current.record.summary
    assert "Saved for Alex" in app.window.status.text()

    _tab_to(app, "Add expenses")
    app.key(Qt.Key.Key_Return)
    _type(app, "-5")  # refused with the reason, nothing written, the text still there to correct
    assert isinstance(app.window.current, WriteScreen)
    assert app.window.status.text() == "The expenses cannot be negative."
    field = app.window.current.panel.field
    field.selectAll()
    app.qtbot.keyClick(field, Qt.Key.Key_Backspace)
    _type(app, "12.50")
    record = app.window.current.record
    assert record.expenses_pence == 1250 and len(record.lines) == 2

    _tab_to(app, "Add a note")
    app.key(Qt.Key.Key_Return)
    _type(app, "PA came too")
    assert "PA came too" in app.window.current.record.notes

    # a line opens to be changed
    line = next(t.accessibleName() for t in app.window.tiles() if "expenses £12.50" in t.accessibleName())
    _tab_to(app, line)
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Expenses")
    app.key(Qt.Key.Key_Return)
    assert app.window.current.panel.text == "12.50"
    field = app.window.current.panel.field
    field.selectAll()
    app.qtbot.keyClick(field, Qt.Key.Key_Backspace)
    _type(app, "£14")
    _tab_to(app, "Back")
    app.key(Qt.Key.Key_Return)
    assert app.window.current.record.expenses_pence == 1400

    _tab_to(app, "Word statement")
    app.key(Qt.Key.Key_Return)
    statements = list((tmp_path / "exports").glob("statement-Alex-*.docx"))
    assert len(statements) == 1, app.window.status.text()
    text = "\n".join(p.text for p in Document(str(statements[0])).paragraphs)
    assert "Name: Alex" in text and "Expenses: £14.00." in text

    _tab_to(app, "Back")
    app.key(Qt.Key.Key_Return)
    _tab_to(app, "Export involvement.csv")
    app.key(Qt.Key.Key_Return)
    found = list((tmp_path / "exports").glob("involvement-*/involvement.csv"))
    assert len(found) == 1, app.window.status.text()
    with found[0].open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["member"] for r in rows} == {"Alex"} and sum(int(r["expenses_pence"]) for r in rows) == 1400
    # nothing typed here was kept for predictions or as unfinished text
    assert "PA came too" not in str(app.services.phrases.list(app.members()["Alex"]))


def test_the_period_choice_narrows_the_record(make_app):
    app = make_app()
    _open_alex(app)
    _tab_to(app, "Period: Last 30 days")
    app.key(Qt.Key.Key_Return)
    assert app.window.state.involvement_period == "Last 30 days"
    _tab_to(app, "Period: Last 30 days, chosen")
