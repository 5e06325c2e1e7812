"""`.ci/system-deps.sh`: the one list of system packages that `make run`, `make test` and
`.ci/run` install. The script is run for real, with fake `dpkg-query`, `apt-get`, `apt-cache`,
`sudo` and `id` on PATH standing in for the machine's package database and root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "system-deps.sh"
REAL_TOOLS = ("bash", "env", "grep", "cat")  # all the script needs besides the faked ones

FAKE_DPKG_QUERY = """#!/bin/bash
# Like dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' NAMES: installed unless in $FAKE_MISSING.
shift 2
status=0
for name in "$@"; do
    if [[ " $FAKE_MISSING " == *" $name "* ]]; then
        echo "dpkg-query: no packages found matching $name" >&2; status=1
    else
        echo "$name:amd64 ii "
    fi
done
exit $status
"""
RECORDER = """#!/bin/bash
echo "{name} $*" >> "$FAKE_LOG"
"""
FAKE_APT_CACHE = """#!/bin/bash
# apt-cache policy NAME: a candidate only for the names in $FAKE_AVAILABLE.
if [[ " $FAKE_AVAILABLE " == *" $2 "* ]]; then echo "  Candidate: 1.0"; else echo "  Candidate: (none)"; fi
"""
FAKE_SUDO = """#!/bin/bash
echo "sudo $*" >> "$FAKE_LOG"
exec "$@"
"""


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path: Path):
    """A PATH holding only bash and a few tools, plus fakes; returns a runner."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in REAL_TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    _write(bin_dir / "python-ok", "#!/bin/bash\nexit 0\n")
    _write(bin_dir / "python-no-venv", "#!/bin/bash\nexit 1\n")
    log = tmp_path / "log"
    log.touch()

    def install_fakes(root: bool = True, sudo: bool = True) -> None:
        _write(bin_dir / "dpkg-query", FAKE_DPKG_QUERY)
        _write(bin_dir / "apt-get", RECORDER.format(name="apt-get"))
        _write(bin_dir / "apt-cache", FAKE_APT_CACHE)
        _write(bin_dir / "id", f"#!/bin/bash\necho {0 if root else 1000}\n")
        if sudo:
            _write(bin_dir / "sudo", FAKE_SUDO)

    def run(*args: str, missing: str = "", available: str = "", python: str = "python-ok"):
        env = {"PATH": str(bin_dir), "FAKE_MISSING": missing, "FAKE_AVAILABLE": available,
               "FAKE_LOG": str(log), "PYTHON": python}
        result = subprocess.run([str(bin_dir / "bash"), str(SCRIPT), *args], env=env,
                                capture_output=True, text=True, timeout=30)
        return result, log.read_text().splitlines()

    run.install_fakes = install_fakes
    return run


def test_check_names_the_package_of_a_missing_library(machine):
    machine.install_fakes()
    result, calls = machine("--check", missing="libxcb-cursor0")
    assert result.returncode == 1
    listed = [line.strip() for line in result.stdout.splitlines()[1:]]
    assert listed == ["libxcb-cursor0: Qt's xcb window plugin (Qt 6.5+ will not start without it)"]
    assert calls == []  # --check never installs


def test_installs_only_what_is_missing_as_root(machine):
    machine.install_fakes(root=True)
    result, calls = machine("test", missing="espeak-ng xvfb")
    assert result.returncode == 0, result.stderr
    assert calls == ["apt-get update -qq", "apt-get install -y -qq --no-install-recommends espeak-ng xvfb"]
    assert "espeak-ng: speech output" in result.stdout
    assert "xvfb: the tests and screenshots run on a virtual display" in result.stdout


def test_not_root_installs_through_sudo(machine):
    machine.install_fakes(root=False)
    result, calls = machine(missing="libportaudio2")
    assert result.returncode == 0, result.stderr
    assert calls[0] == "sudo apt-get update -qq"
    assert calls[-1] == "apt-get install -y -qq --no-install-recommends libportaudio2"
    assert any(c.startswith("sudo env DEBIAN_FRONTEND=noninteractive apt-get install") for c in calls)
    assert "through sudo" in result.stdout


def test_not_root_without_sudo_says_what_to_run_and_goes_on(machine):
    machine.install_fakes(root=False, sudo=False)
    result, calls = machine(missing="alsa-utils")
    assert result.returncode == 0
    assert calls == []
    assert "as root, run: apt-get install alsa-utils" in result.stdout


def test_with_everything_present_it_does_nothing_quickly(machine):
    machine.install_fakes()
    start = time.monotonic()
    result, calls = machine("test")
    elapsed = time.monotonic() - start
    assert (result.returncode, result.stdout, calls) == (0, "", [])
    assert elapsed < 1.0


def test_the_test_set_adds_the_display_and_postgresql(machine):
    machine.install_fakes()
    missing = "xvfb xauth postgresql"
    assert machine(missing=missing)[0].returncode == 0  # the run set does not need them
    result, _ = machine("--check", "test", missing=missing)
    assert result.returncode == 1
    assert [line.split(":")[0].strip() for line in result.stdout.splitlines()[1:]] == missing.split()


def test_python_without_venv_support_gets_python3_venv(machine):
    machine.install_fakes()
    assert machine("--check", missing="python3-venv")[0].returncode == 0  # not needed: not wanted
    result, _ = machine("--check", missing="python3-venv", python="python-no-venv")
    assert result.returncode == 1
    assert "python3-venv: make sets up .venv" in result.stdout
    # With no Python at all (the built app carries its own) it is not asked for.
    assert machine("--check", missing="python3-venv", python="no-python-here")[0].returncode == 0


def test_a_renamed_library_is_installed_under_the_name_apt_knows(machine):
    # Ubuntu 24.04 calls it libglib2.0-0t64, Debian 12 libglib2.0-0: either will do.
    machine.install_fakes()
    assert machine("--check", missing="libglib2.0-0")[0].returncode == 0
    result, calls = machine(missing="libglib2.0-0t64 libglib2.0-0", available="libglib2.0-0")
    assert result.returncode == 0, result.stderr
    assert calls[-1] == "apt-get install -y -qq --no-install-recommends libglib2.0-0"


def test_apt_failure_fails_and_says_what_to_run(machine, tmp_path):
    machine.install_fakes()
    _write(tmp_path / "bin" / "apt-get", '#!/bin/bash\n[ "$1" = update ] || exit 100\n')
    result, _ = machine(missing="espeak-ng")
    assert result.returncode == 1
    assert "apt-get failed; as root, run: apt-get install espeak-ng" in result.stderr


def test_without_dpkg_it_prints_one_line_and_goes_on(machine):
    result, calls = machine()  # no fakes: no dpkg-query, no apt-get
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    assert result.stdout.startswith("system-deps: not a Debian or Ubuntu system")
    assert "libxcb-cursor0" in result.stdout and "espeak-ng" in result.stdout


def test_this_machine_has_every_package(tmp_path):
    """On CI (after .ci/run) and after `make test`, nothing is missing."""
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(["bash", str(SCRIPT), "--check", "test"], env=env, capture_output=True,
                            text=True, timeout=30)
    if shutil.which("dpkg-query") is None:
        assert result.stdout.startswith("system-deps: not a Debian or Ubuntu system")
    else:
        assert (result.returncode, result.stdout) == (0, "")


def test_make_and_ci_install_from_the_one_list():
    ci = (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert ".ci/system-deps.sh test" in ci and ".ci/system-deps.sh --check test" in ci
    assert "apt-get install" not in ci
    assert ".ci/system-deps.sh $(DEPS)" in makefile
    assert "run: system-deps" in makefile and "test: system-deps" in makefile
