"""`canvas install-desktop`: a menu entry (checked by desktop-file-validate) and an icon under
$XDG_DATA_HOME, starting the copy of the app that installed them."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import main
from app.commands.install_desktop import exec_quoted
from tests.packaging.conftest import ROOT


def _entry(home: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(home / "applications" / "coproduction-canvas.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_entry_and_icons_are_installed_and_valid(monkeypatch, tmp_path: Path, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main.main(["install-desktop"]) == 0
    entry_file = tmp_path / "applications" / "coproduction-canvas.desktop"
    validator = shutil.which("desktop-file-validate")
    assert validator, "desktop-file-utils is missing: run .ci/system-deps.sh test"
    checked = subprocess.run([validator, str(entry_file)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    entry = _entry(tmp_path)
    assert entry["Name"] == "Co-production Canvas"
    assert entry["Comment"] and entry["GenericName"]  # what a screen reader says for the icon
    program = Path(entry["Exec"])
    assert program == Path(sys.executable).with_name("canvas").absolute() and program.is_file()
    icons = tmp_path / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / f"{entry['Icon']}.svg").read_bytes() == (
        ROOT / "resources" / "desktop" / "coproduction-canvas.svg").read_bytes()
    assert (icons / "256x256" / "apps" / f"{entry['Icon']}.png").is_file()
    assert str(program) in capsys.readouterr().out


def test_a_frozen_app_puts_itself_in_the_entry(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/Co-production Canvas/coproduction-canvas")
    assert main.main(["install-desktop"]) == 0
    entry = _entry(tmp_path)
    assert entry["Exec"] == '"/opt/Co-production Canvas/coproduction-canvas"'
    assert entry["TryExec"] == "/opt/Co-production Canvas/coproduction-canvas"


def test_uninstall_takes_it_all_away(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main.main(["install-desktop"]) == 0
    assert main.main(["install-desktop", "--uninstall"]) == 0
    assert [p for p in tmp_path.rglob("coproduction-canvas*")] == []


def test_exec_paths_are_quoted_as_the_desktop_entry_spec_says():
    assert exec_quoted(Path("/usr/bin/canvas")) == "/usr/bin/canvas"
    assert exec_quoted(Path("/home/a b/canvas")) == '"/home/a b/canvas"'
    assert exec_quoted(Path('/x/$HOME"/c')) == '"/x/\\$HOME\\"/c"'
    assert exec_quoted(Path("/x/100%/c")) == "/x/100%%/c"


def test_make_install_desktop_runs_it():
    assert "install-desktop: $(STAMP)" in (ROOT / "Makefile").read_text()
