"""Start on login: `main.py autostart on|off|status` writes and removes the XDG autostart entry
(tried here); the Windows and macOS files are checked for what they hold (not tried here)."""

from __future__ import annotations

import os
import plistlib
import shlex
import subprocess
import sys
from pathlib import Path

from app.commands import run
from app.commands.autostart import entry_for, launch_command

ROOT = Path(__file__).resolve().parents[2]


def _autostart(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "autostart", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def _quick(capsys, *args: str) -> str:
    """The same command in this process (each start of main.py costs seconds here)."""
    assert run(["autostart", *args]) == 0
    return capsys.readouterr().out


def test_on_writes_an_xdg_entry_that_starts_the_app_supervised_and_off_removes_it(tmp_path: Path, capsys,
                                                                                   monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    db = tmp_path / "my data" / "canvas.db"
    done = _autostart(tmp_path, "on", "--db", str(db), "--start-scanning")
    assert done.returncode == 0, done.stderr
    entry = tmp_path / "config" / "autostart" / "coproduction-canvas.desktop"
    lines = dict(line.split("=", 1) for line in entry.read_text().splitlines()[1:])
    assert lines["Type"] == "Application" and lines["Name"] == "Co-production Canvas"
    command = shlex.split(lines["Exec"])  # the spec's quoting reads back like a shell's here
    assert command == [sys.executable, str(ROOT / "main.py"), "--supervised", "--db", str(db),
                       "--start-scanning"]
    assert "is on" in _quick(capsys, "status")
    _quick(capsys, "off")
    assert not entry.exists()
    assert "is off" in _quick(capsys, "status")


def test_the_windows_and_macos_entries_hold_the_same_command(tmp_path: Path) -> None:
    command = launch_command("C:/data/canvas.db")
    windows = entry_for("win32", command, tmp_path, {"APPDATA": str(tmp_path / "Roaming")})
    assert windows.path == (tmp_path / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs"
                            / "Startup" / "Co-production Canvas.cmd")
    assert windows.content.decode().startswith('@echo off\r\nstart "" ')
    assert '"--supervised"' in windows.content.decode()
    mac = entry_for("darwin", command, tmp_path, {})
    assert mac.path == tmp_path / "Library" / "LaunchAgents" / "org.coproduction-canvas.plist"
    plist = plistlib.loads(mac.content)
    assert plist["ProgramArguments"] == command and plist["RunAtLoad"] is True
