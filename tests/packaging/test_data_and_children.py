"""The one place data files are found (app/data_files.py), and the app's child processes
started the way a frozen build starts them: the app itself again, with a hidden argument."""

from __future__ import annotations

import re
import sys
import wave
from pathlib import Path

import pytest

import main
from app import child_process, data_files
from app.speech import VoiceSettings, render_to_wav
from tests.packaging.conftest import ROOT
from tests.speech import require_speech_engine


def test_from_the_checkout_the_top_level_folders_are_read():
    assert data_files.data_root() == ROOT
    assert data_files.resource_path("themes") == ROOT / "resources" / "themes"
    assert data_files.migrations_path() == ROOT / "db" / "migrations"


def test_no_other_module_works_out_where_the_data_is():
    # Every reader goes through app.data_files, so the checkout, the wheel and the frozen build
    # agree; a module finding resources/ or db/migrations/ beside its own file would not.
    pattern = re.compile(r"__file__.*(resources|migrations)|(resources|migrations).*__file__", re.S)
    sources = [*(ROOT / "app").rglob("*.py"), ROOT / "main.py"]
    offenders = [path.relative_to(ROOT).as_posix() for path in sources
                 if path.name != "data_files.py" and pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_a_child_from_python_is_a_fresh_interpreter():
    command = child_process.child_command("speech", "render")
    assert command[:2] == [sys.executable, "-c"]
    assert "app.speech.worker" in command[2] and command[3:] == ["render"]


def test_a_child_of_a_frozen_app_is_the_app_with_the_hidden_argument(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/canvas/coproduction-canvas")
    assert child_process.child_command("speech") == [
        "/opt/canvas/coproduction-canvas", child_process.CHILD_FLAG, "speech"]


def test_an_unknown_child_is_refused(capsys):
    assert main.main([child_process.CHILD_FLAG, "shell"]) == 2
    assert "unknown child process" in capsys.readouterr().err


@pytest.mark.speech
def test_a_frozen_style_start_renders_speech(monkeypatch, tmp_path: Path):
    """The speech worker really runs when started as `<app> --child-process speech`."""
    require_speech_engine()
    app = tmp_path / "coproduction-canvas"  # stands in for the frozen executable
    app.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'main.py'} \"$@\"\n")
    app.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app))
    wav = tmp_path / "hello.wav"
    render_to_wav("Hello from the frozen app.", wav, VoiceSettings())
    with wave.open(str(wav), "rb") as audio:
        assert audio.getnframes() / audio.getframerate() > 0.5


def test_every_child_process_is_started_through_child_command():
    # `sys.executable -c ...` does not exist in a frozen build (sys.executable is the app):
    # a worker started that way would be missing from the double-clickable build.
    python_c = re.compile(r"""sys\.executable\s*,\s*["']-[cm]["']""")
    sources = [*(ROOT / "app").rglob("*.py"), ROOT / "main.py"]
    offenders = [path.relative_to(ROOT).as_posix() for path in sources
                 if path.name != "child_process.py" and python_c.search(path.read_text(encoding="utf-8"))]
    assert offenders == [], "start them with app.child_process.child_command (add the worker to CHILDREN)"
