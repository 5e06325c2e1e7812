"""The trigram index is made in a child process (never in the window's), written whole or not at
all, and a file that is not whole is made again, not read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from app.access import trigram_build, trigrams
from app.access.trigram_index import TrigramIndex
from app.access.trigrams import SphinxTrigrams
from app.child_process import child_command, child_env
from tests.access.test_trigram_index import model  # noqa: F401 - the small model fixture


def build_command(path: str, cache) -> list[str]:
    return child_command("trigram-index", "--build", path, str(cache))


def test_the_index_is_made_in_another_process(model, tmp_path, monkeypatch):  # noqa: F811
    path, _reader, _keep = model

    def not_here(_path):
        raise AssertionError("the index was built in the app's own process")

    monkeypatch.setattr(trigram_build, "build", not_here)
    triples = SphinxTrigrams(path, cache=tmp_path)
    assert triples.wait() and triples.index is not None
    assert triples.builder is not None and triples.builder.pid != os.getpid()
    assert triples.builder.returncode == 0
    assert triples.probability("car", "red", "the") == pytest.approx(10 ** -0.2, rel=2e-3)
    assert triples.masses("ca", "r", "red", "the")["r"] == pytest.approx(10 ** -0.2, rel=2e-3)


def test_without_building_the_words_are_asked_one_at_a_time(model, tmp_path):  # noqa: F811
    path, _reader, _keep = model
    triples = SphinxTrigrams(path, cache=tmp_path, build=False)
    assert triples.wait() is False and triples.builder is None
    assert triples.probability("car", "red", "the") == pytest.approx(10 ** -0.2, rel=2e-3)
    assert list(tmp_path.iterdir()) == []  # nothing written
    TrigramIndex.open(path, tmp_path)  # made elsewhere: then it is mapped at once
    assert SphinxTrigrams(path, cache=tmp_path, build=False).wait()


def test_the_command_line_makes_the_file_and_two_at_once_do_not_spoil_it(model, tmp_path):  # noqa: F811
    path, _reader, _keep = model
    first, second = (subprocess.Popen(build_command(path, tmp_path), env=child_env(), stderr=subprocess.PIPE)
                     for _ in range(2))
    assert [first.wait(timeout=60), second.wait(timeout=60)] == [0, 0], first.stderr.read()
    index = TrigramIndex.load(path, tmp_path)
    assert index.probability("car", "red", "the") == pytest.approx(10 ** -0.2, rel=2e-3)
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"sphinx-trigrams.lock", trigram_build.index_name(path)}  # no temporary file left
    bad = subprocess.run(build_command(str(tmp_path / "none.lm.bin"), tmp_path), env=child_env(),
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 1 and "none.lm.bin" in bad.stderr


@pytest.mark.parametrize("cut", [0, 10, 0.5, -1])
def test_a_file_that_is_not_whole_is_made_again_never_read(model, tmp_path, cut):  # noqa: F811
    path, _reader, _keep = model
    TrigramIndex.open(path, tmp_path)
    target = tmp_path / trigram_build.index_name(path)
    whole = target.read_bytes()
    target.unlink()  # (as the writer does: a file is replaced, never written over)
    target.write_bytes(whole[:int(len(whole) * cut) if isinstance(cut, float) else cut])
    (tmp_path / f".{target.name}.x1y2.tmp").write_bytes(whole[:100])  # a stopped build's
    with pytest.raises(ValueError, match="no whole trigram index"):
        TrigramIndex.load(path, tmp_path)
    triples = SphinxTrigrams(path, cache=tmp_path)
    assert triples.wait(), "the index is made again"
    assert triples.builder is not None  # by the child, not read half
    assert target.read_bytes() == whole
    assert not list(tmp_path.glob("*.tmp"))


def test_closing_the_app_stops_a_build_at_work(model, tmp_path, monkeypatch, caplog):  # noqa: F811
    path, _reader, _keep = model
    slow = [sys.executable, "-c", "import time; time.sleep(60)"]  # a build that would take a minute
    monkeypatch.setattr(trigrams, "child_command", lambda *_args: slow)
    triples = SphinxTrigrams(path, cache=tmp_path)
    assert triples.load() and triples.builder is not None and triples.builder.poll() is None
    triples.close()
    assert triples.builder.poll() is not None  # stopped, not left running after the app
    assert triples.wait() is False and triples.index is None
    assert triples.probability("car", "red", "the") == pytest.approx(10 ** -0.2, rel=2e-3)
    assert "not made" not in caplog.text  # a stop the app asked for is not a failure
    stopped = SphinxTrigrams(path, cache=tmp_path)
    stopped.close()  # closed before it loads: no child is started at all
    assert stopped.load() and stopped.builder is None


def _running(pid: int) -> bool:
    """Whether *pid* is a live process (a zombie waiting for its reaper is not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.isdir("/proc"), reason="needs a FIFO and /proc")
def test_a_build_ends_soon_after_its_app_is_killed(tmp_path):
    fifo = tmp_path / "model.lm.bin"
    os.mkfifo(fifo)  # reading it blocks: a build that would go on for ever
    app = (f"import subprocess, os; child = subprocess.Popen({build_command(str(fifo), tmp_path)!r} "
           "+ ['--parent', str(os.getpid())], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
           "print(child.pid, flush=True); os._exit(0)")  # gone at once, as if killed
    started = subprocess.run([sys.executable, "-c", app], env=child_env(), capture_output=True, text=True,
                             timeout=30, check=True)
    pid = int(started.stdout)
    deadline = time.monotonic() + 10
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # (another process's end: nothing to wait on but the clock)
    if _running(pid):
        os.kill(pid, signal.SIGKILL)  # (not left behind by a failing test)
        pytest.fail("the build went on after its app was gone")
