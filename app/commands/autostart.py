"""`python main.py autostart on|off|status [--db PATH] [--start-scanning] [--fullscreen]`.

Start with the computer, so that a switch user finds the app already open: on Linux an XDG
autostart entry (~/.config/autostart/coproduction-canvas.desktop), on Windows a command in the
Startup folder, on macOS a login item (a LaunchAgent with RunAtLoad). Each starts the app
under its supervisor (--supervised), so it also comes back after a crash. Only the Linux entry
is tried on these machines; the Windows and macOS files are written as documented there.
"""

from __future__ import annotations

import argparse
import os
import plistlib
import sys
from dataclasses import dataclass
from pathlib import Path

NAME = "coproduction-canvas"
TITLE = "Co-production Canvas"
MAIN_PY = Path(__file__).resolve().parents[2] / "main.py"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the autostart subcommand."""
    p = subparsers.add_parser("autostart", help="start the app when this user logs in (or stop that)")
    p.add_argument("state", choices=("on", "off", "status"))
    p.add_argument("--db", help="the database the app opens at login (default: the usual one)")
    p.add_argument("--start-scanning", action="store_true",
                   help="a computer nobody has used yet starts in one-switch auto-scan")
    p.add_argument("--fullscreen", action="store_true", help="start filling the screen")


def launch_command(db: str | None = None, start_scanning: bool = False,
                   fullscreen: bool = False) -> list[str]:
    """The command that starts the app under its supervisor, as login runs it."""
    base = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, str(MAIN_PY)]
    command = [*base, "--supervised"]
    if db:
        command += ["--db", db if "://" in db else str(Path(db).expanduser().resolve())]
    if start_scanning:
        command.append("--start-scanning")
    if fullscreen:
        command.append("--fullscreen")
    return command


@dataclass(frozen=True)
class Entry:
    """Where this platform's start-on-login file goes, and what it holds."""

    path: Path
    content: bytes


def entry_for(platform: str, command: list[str], home: Path, env: dict[str, str]) -> Entry:
    """The start-on-login file for `platform` (sys.platform's names)."""
    if platform.startswith("win"):
        appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        folder = appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
        return Entry(folder / f"{TITLE}.cmd", _windows_cmd(command).encode("utf-8"))
    if platform == "darwin":
        plist = {"Label": f"org.{NAME}", "ProgramArguments": command, "RunAtLoad": True}
        return Entry(home / "Library" / "LaunchAgents" / f"org.{NAME}.plist", plistlib.dumps(plist))
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    return Entry(config / "autostart" / f"{NAME}.desktop", _desktop_entry(command).encode("utf-8"))


def _desktop_entry(command: list[str]) -> str:
    exec_line = " ".join(_desktop_quote(a) for a in command)
    return ("[Desktop Entry]\nType=Application\n"
            f"Name={TITLE}\nComment=Switch-accessible co-production, started at login\n"
            f"Exec={exec_line}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n")


def _desktop_quote(arg: str) -> str:
    """Quote one argument as the Desktop Entry specification asks (its Exec key)."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    escaped = "".join(f"\\{c}" if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def _windows_cmd(command: list[str]) -> str:
    program = command[0]
    pythonw = Path(program).with_name("pythonw.exe")
    if Path(program).name.lower() == "python.exe" and pythonw.exists():
        program = str(pythonw)  # no console window at login
    quoted = " ".join(f'"{a}"' for a in [program, *command[1:]])
    return f'@echo off\r\nstart "" {quoted}\r\n'


def run(args: argparse.Namespace) -> int:
    """Turn start on login on or off, or say whether it is on."""
    command = launch_command(args.db, args.start_scanning, args.fullscreen)
    entry = entry_for(sys.platform, command, Path.home(), dict(os.environ))
    if args.state == "status":
        print(f"Start on login is {'on' if entry.path.exists() else 'off'} ({entry.path}).")
        return 0
    if args.state == "off":
        entry.path.unlink(missing_ok=True)
        print(f"Start on login is off (removed {entry.path}).")
        return 0
    try:
        entry.path.parent.mkdir(parents=True, exist_ok=True)
        entry.path.write_bytes(entry.content)
    except OSError as exc:
        print(f"canvas: could not write {entry.path}: {exc}", file=sys.stderr)
        return 2
    print(f"Start on login is on: {entry.path} starts {' '.join(command)}")
    return 0
