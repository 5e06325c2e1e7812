"""The double-clickable build: PyInstaller builds the one-folder app from
resources/packaging/canvas.spec, and the built app, started with no Python environment at all
(no PYTHONPATH, from another folder, a bare PATH), migrates a new database, draws every screen
and runs its own speech worker. Slow (minutes): marked `packaging`, run apart by .ci/run."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from app import __version__
from app.child_process import CHILD_FLAG
from tests.packaging.conftest import ROOT, assert_every_screen
from tests.speech import require_speech_engine

pytestmark = pytest.mark.packaging
SPEC = ROOT / "resources" / "packaging" / "canvas.spec"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built app's executable (built into a temporary folder, not the checkout's dist/)."""
    work = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC)],
        cwd=work, capture_output=True, text=True, timeout=1800, check=False)
    assert result.returncode == 0, result.stderr[-5000:]
    exe = work / "dist" / "coproduction-canvas" / "coproduction-canvas"
    assert exe.is_file()
    assert (exe.parent / "system-deps.sh").read_bytes() == (ROOT / ".ci" / "system-deps.sh").read_bytes()
    return exe


def _bare_env(home: Path, **extra: str) -> dict[str, str]:
    """What a desktop session gives a program: no Python variables, no virtual environment."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
            "XDG_DATA_HOME": str(home / "data"), **extra}


def _run(exe: Path, args: list[str], home: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run([str(exe), *args], cwd=home, env=_bare_env(home, **env), input=stdin,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_built_app_takes_every_screenshot(built: Path, tmp_path: Path):
    shots = tmp_path / "shots"
    done = _run(built, ["--db", str(tmp_path / "canvas.db"), "--demo", "--screenshot", str(shots)],
                tmp_path / "home", QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 0, done.stderr[-3000:]
    assert_every_screen(shots, done.stdout)


def test_the_built_app_prints_its_version(built: Path, tmp_path: Path):
    done = _run(built, ["--version"], tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, f"canvas {__version__}")


def test_the_built_app_renders_speech_in_its_own_worker(built: Path, tmp_path: Path):
    require_speech_engine()
    wav = tmp_path / "hello.wav"
    request = {"text": "Hello from the built app.", "path": str(wav), "settings": {}}
    done = _run(built, [CHILD_FLAG, "speech", "render"], tmp_path / "home", stdin=json.dumps(request))
    assert done.returncode == 0, done.stderr[-3000:]
    with wave.open(str(wav), "rb") as audio:
        assert audio.getnframes() / audio.getframerate() > 0.5


def test_the_built_speech_worker_plays_with_the_systems_libraries(built: Path, tmp_path: Path):
    """`aplay` is a system program: it must not inherit the bundle's library path."""
    require_speech_engine()
    bin_dir, log = tmp_path / "bin", tmp_path / "aplay.log"
    bin_dir.mkdir()
    aplay = bin_dir / "aplay"
    aplay.write_text(f'#!/bin/sh\necho "${{LD_LIBRARY_PATH:-none}} $1" >> {log}\n')
    aplay.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    worker = subprocess.Popen([str(built), CHILD_FLAG, "speech"], cwd=home, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              env=_bare_env(home, PATH=f"{bin_dir}:/usr/bin:/bin"))
    say = {"op": "say", "id": 1, "chunks": ["Hello there."], "interrupt": False, "settings": {}}
    try:  # the worker quits when its stdin closes, so it stays open until the "end"
        worker.stdin.write(json.dumps(say) + "\n")
        worker.stdin.flush()
        events: list[str] = []
        while not events or events[-1] not in ("end", "error"):
            line = worker.stdout.readline()
            assert line, f"the worker stopped after {events}"
            events.append(json.loads(line)["ev"])
        worker.stdin.write(json.dumps({"op": "quit"}) + "\n")
        worker.stdin.close()
        assert worker.wait(timeout=60) == 0
    finally:
        worker.kill()
    assert events == ["ready", "start", "end"]
    (played,) = log.read_text().splitlines()
    library_path, wav = played.split(" ", 1)
    assert "_internal" not in library_path and str(built.parent) not in library_path
    assert wav.endswith(".wav")


def test_the_built_app_adds_itself_to_the_menu(built: Path, tmp_path: Path):
    home = tmp_path / "home"
    done = _run(built, ["install-desktop"], home)
    assert done.returncode == 0, done.stderr[-3000:]
    entry = (home / "data" / "applications" / "coproduction-canvas.desktop").read_text()
    assert f"Exec={built}\n" in entry
    assert (home / "data" / "icons" / "hicolor" / "scalable" / "apps" / "coproduction-canvas.svg").is_file()
