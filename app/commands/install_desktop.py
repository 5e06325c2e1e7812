"""`canvas install-desktop [--uninstall]`: put Co-production Canvas in the applications menu
of a Linux desktop (freedesktop.org: a desktop entry and its icon, under $XDG_DATA_HOME, by
default ~/.local/share), so that a participant starts it like any other app.

The entry starts the copy of the app that ran this command: the frozen build itself, or the
`canvas` script of the environment it is installed in (a checkout's .venv, pipx, a venv).
The entry and the icon are data files under resources/desktop/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from app.child_process import is_frozen
from app.data_files import resource_path

APP_ID = "coproduction-canvas"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the install-desktop subcommand."""
    p = subparsers.add_parser("install-desktop", help="add the app to the desktop's applications menu")
    p.add_argument("--uninstall", action="store_true", help="take the menu entry and icon away again")


def data_home() -> Path:
    """$XDG_DATA_HOME, else ~/.local/share (the XDG base directory default)."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def installed_files(home: Path) -> dict[Path, Path]:
    """Where each file goes: {destination: source}."""
    icons = home / "icons" / "hicolor"
    return {
        home / "applications" / f"{APP_ID}.desktop": resource_path("desktop", f"{APP_ID}.desktop"),
        icons / "scalable" / "apps" / f"{APP_ID}.svg": resource_path("desktop", f"{APP_ID}.svg"),
        icons / "256x256" / "apps" / f"{APP_ID}.png": resource_path("desktop", f"{APP_ID}.png"),
    }


def launcher() -> Path:
    """The program the menu entry starts: this frozen app, or the environment's `canvas`."""
    if is_frozen():
        return Path(sys.executable).absolute()
    script = Path(sys.executable).with_name("canvas.exe" if os.name == "nt" else "canvas")
    if not script.exists():
        raise FileNotFoundError(f"no canvas command beside {sys.executable}: install the app first "
                                "(pip install ., pipx install . or make run)")
    return script.absolute()


def exec_quoted(path: Path) -> str:
    """A path as a desktop entry's Exec key needs it (quoted, with its reserved characters escaped)."""
    text = str(path).replace("%", "%%")  # a field code otherwise
    if not any(c in text for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return text
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in text) + '"'


def entry_text(template: str, program: Path) -> str:
    """The template's entry with Exec and TryExec naming `program`."""
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_quoted(program)}"
        elif line.startswith("TryExec="):
            line = f"TryExec={program}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Install (or with --uninstall remove) the entry and icons; 0, or 2 with a reason."""
    home = data_home()
    files = installed_files(home)
    if args.uninstall:
        for destination in files:
            destination.unlink(missing_ok=True)
            print(f"removed {destination}")
        _refresh(home)
        return 0
    try:
        program = launcher()
        for destination, source in files.items():
            destination.parent.mkdir(parents=True, exist_ok=True)
            if destination.suffix == ".desktop":
                destination.write_text(entry_text(source.read_text(encoding="utf-8"), program),
                                       encoding="utf-8")
            else:
                shutil.copyfile(source, destination)
            print(f"wrote {destination}")
    except OSError as exc:
        print(f"canvas: the menu entry could not be installed: {exc}", file=sys.stderr)
        return 2
    _refresh(home)
    print(f"\"Co-production Canvas\" is in the applications menu; it starts {program}")
    return 0


def _refresh(home: Path) -> None:
    """Tell the desktop's caches, where their tools exist (menus also notice on their own)."""
    for command in (["update-desktop-database", "-q", str(home / "applications")],
                    ["gtk-update-icon-cache", "-q", "-t", str(home / "icons" / "hicolor")]):
        if shutil.which(command[0]):
            subprocess.run(command, check=False, capture_output=True, timeout=30)
