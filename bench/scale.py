"""Scale benchmark: a large project, its screens, diffs, search, exports and bundles.

    python -m bench.scale [--json] [--small] [--reps 20] [--keep DIR]

What is built: a temporary SQLite file opened with ``Store.open`` (the real migrations),
then filled with SQLAlchemy core bulk inserts: one project of 30 members (29 participants
and the facilitator), 2 paired prompts ("now" and "future"), 26 meetings, 6 themes per
prompt, 100,000 contributions (55/45 over the prompts; a quarter in a theme, 10 %
anonymous, a few hidden or withdrawn; keywords, phrases and experiences made of the words of
the held-out texts in bench/data, unique per prompt), 20,000 "me too"s (half on a popular 2 %),
5,000 draft versions of about 2,000 characters (each edits one sentence of its parent,
one in ten branches from the version before), about 3 stances per version, comments,
review notes with decisions, and one event per record as the app writes. ``--small``
builds 1/50 of the counts (versions keep their 2,000 characters).

What is timed (``time.perf_counter``): a screen is opened in the real :class:`MainWindow`
(offscreen, 1280 x 860, ManualClock, RecordingSpeaker) and then drawn: ``processEvents`` and
``window.grab()``; one untimed warm-up, then ``--reps`` opens alternating the two prompts. The
prompt screen for a picked member, and from it the keyboard ("+ Add keyword"), each opened
after one more keyword was added, once the member's predictor (built in the background from
the pick: ``predictor_ready_s``) is ready; the participants' versions screen; the
facilitator's history screen with a live session, and from it one version's review and a
comparison (the newest version with the oldest); the facilitator's keywords and themes (first
page, last page, one theme's, those in no theme) and audit log (first page, by action, by
member, last page), each in turn. The diff is ``services.review.compare`` (reading both
versions and ``word_diff``): half the pairs a version and its parent, half two versions of the
same definition far apart. Search is ``services.search.search(project, query, 30)`` for common
and rare words, phrases, mixed case, a miss, a later page and a non-ASCII word. The change
marker is ``services.projects.change_marker`` (what open screens ask every second). Exports
are ``export_project`` (DOCX, CSV); the bundle is ``export_bundle`` of the whole project and
``import_bundle`` into a fresh empty store. Peak RSS is ``ru_maxrss`` of this process at the
end (and, to show what drives it, after the screens, after the DOCX and CSV exports, after the
bundle export and after its import); the project is built in a child process, so the builder
is not counted.

Targets: screens p95 <= 150 ms, diff p95 <= 30 ms, each export (DOCX, CSV, bundle) <= 5 s,
change marker p95 <= 5 ms, peak RSS <= 300 MB.
The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from app.services.container import Services
from app.services.exchange.exchange import ExchangeService
from app.services.export import export_project
from app.store.database import Store, sqlite_url
from app.store.models import Contribution, DraftVersion
from bench.scale_data import Built, Sizes, build_file
from bench.stats import percentile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCREENS = ("prompt", "write", "versions", "history", "version_review", "compare", "dashboard", "audit")
TARGETS = {**{f"{screen}_screen_p95_ms": 150.0 for screen in SCREENS},
           "diff_p95_ms": 30.0, "export_docx_s": 5.0, "export_csv_s": 5.0, "bundle_export_s": 5.0,
           "change_marker_p95_ms": 5.0, "peak_rss_mb": 300.0}
PASSPHRASE = "scale bench passphrase"
SMALL_ENGLISH = {"the": 0.05, "to": 0.03, "and": 0.03, "of": 0.03, "a": 0.02, "care": 0.001}


# -------------------------------------------------------------------------------- measuring
def _timed(action: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    action()
    return (time.perf_counter() - t0) * 1000


def _quiet(_kind: object, _context: object, message: str) -> None:
    """Qt's messages, less the offscreen platform's note that it cannot size windows."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def measure_screens(services: Services, built: Built, reps: int) -> dict[str, list[float]]:
    """Open-and-draw times (ms) of the participants' and the facilitator's screens in a real window."""
    from PySide6.QtCore import QCoreApplication, QEvent, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from app.access.clock import ManualClock
    from app.access.prediction import Predictor
    from app.speech.speaker import RecordingSpeaker
    from app.ui.main_window import MainWindow
    from app.ui.screens.prompt import PromptScreen

    app = QApplication.instance() or QApplication([])
    previous = qInstallMessageHandler(_quiet)
    window = MainWindow(services, RecordingSpeaker(), built.project_id, Predictor(SMALL_ENGLISH),
                        clock=ManualClock())
    window.resize(1280, 860)
    window.show()

    def settle() -> None:
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    def drawn(show: Callable[[], None]) -> float:
        def run() -> None:
            show()
            app.processEvents()
            window.grab()
        elapsed = _timed(run)
        settle()
        return elapsed

    def series(show: Callable[[str], None]) -> list[float]:
        drawn(lambda: show(built.prompts[0]))  # warm-up
        return [drawn(lambda i=i: show(built.prompts[i % 2])) for i in range(reps)]

    settle()
    member = next(m for m in services.projects.list_members(built.project_id) if m.role == "participant")
    window.pick_member(member)
    settle()
    picked = time.perf_counter()
    out = {"prompt": series(lambda p: window.show_prompt(p, replace=True)), "write": []}
    window.predictors.wait()  # the member's predictor, built in the background since the pick
    out["predictor_ready_s"] = [time.perf_counter() - picked]
    for i in range(reps):  # "+ Add keyword", each time after someone has added a keyword
        services.contributions.add(member.id, built.prompts[i % 2], f"bench keyword {i}")
        window.show_prompt(built.prompts[i % 2], replace=True)
        settle()
        screen = window.current
        assert isinstance(screen, PromptScreen)
        out["write"].append(drawn(screen.add_keyword))
    out["versions"] = series(lambda p: window.show_versions(p, replace=True))
    window.state.facilitator = services.facilitator.set_passphrase(built.project_id, PASSPHRASE).session
    window.show_facilitator()
    settle()
    out["history"] = series(lambda p: window.show_history(p, replace=True))
    newest = {p: versions[-1][0] for p, versions in built.versions.items()}
    out["version_review"] = series(lambda p: window.show_version_review(p, newest[p]))
    oldest = {p: versions[0][0] for p, versions in built.versions.items()}
    out["compare"] = series(lambda p: window.show_compare(p, oldest[p], newest[p]))
    # The review dashboard and the audit log, in turn at their first page, their last page and filtered.
    last, turns = 10**9, itertools.count()  # a page past the end shows the last page
    theme = {p: services.review.themes(window.state.facilitator, p)[0].id for p in built.prompts}
    dashboards: list[Callable[[str], None]] = [
        lambda p: window.show_dashboard(p, replace=True),
        lambda p: window.show_dashboard(p, last, replace=True),
        lambda p: window.show_dashboard(p, replace=True, theme=theme[p]),
        lambda p: window.show_dashboard(p, last, replace=True, theme="none")]
    out["dashboard"] = series(lambda p: dashboards[next(turns) // 2 % len(dashboards)](p))
    audits: list[Callable[[], None]] = [
        lambda: window.show_audit(replace=True), lambda: window.show_audit("stance_set", replace=True),
        lambda: window.show_audit(None, built.participants[0], replace=True),
        lambda: window.show_audit(page=last, replace=True)]
    out["audit"] = series(lambda _p: audits[next(turns) % len(audits)]())
    window.close()
    settle()
    qInstallMessageHandler(previous)
    return out


def measure_diffs(services: Services, built: Built, reps: int, rng: random.Random) -> list[float]:
    """review.compare times (ms): half parent and child, half two far-apart versions."""
    times = []
    for i in range(reps):
        versions = built.versions[built.prompts[i % 2]]
        if i % 4 < 2:
            vid, parent = rng.choice([v for v in versions if v[1] is not None])
            pair = (parent or vid, vid)
        else:
            a, b = sorted(rng.sample(range(len(versions)), 2))
            pair = (versions[a][0], versions[b][0])
        times.append(_timed(lambda pair=pair: services.review.compare(*pair)))
    return times


SEARCHES = ("care", "Support", "people feel", "time", "HELP", "life", "we need to", "zzzz not there",
            "a", "home", "health", "social", "family", "money", "work", "listen", "friends", "club")


def measure_search(services: Services, built: Built) -> tuple[list[float], float]:
    """search times (ms) for SEARCHES (the first five also at page 4), and one non-ASCII query."""
    times = [_timed(lambda q=q: services.search.search(built.project_id, q, 30)) for q in SEARCHES]
    times += [_timed(lambda q=q: services.search.search(built.project_id, q, 30, 90)) for q in SEARCHES[:5]]
    unicode_ms = _timed(lambda: services.search.search(built.project_id, "café", 30))
    return times, unicode_ms


def measure_files(store: Store, built: Built, folder: Path) -> dict[str, float]:
    """Export DOCX and CSV, then export the whole project as a bundle and import it into a fresh store."""
    pid = built.project_id
    out = {"export_docx_s": _timed(lambda: export_project(store, pid, "docx", folder / "report.docx")) / 1000,
           "export_csv_s": _timed(lambda: export_project(store, pid, "csv", folder / "csv")) / 1000,
           "peak_rss_after_exports_mb": peak_rss_mb()}
    bundle = folder / "whole.canvas"
    out["bundle_export_s"] = _timed(lambda: ExchangeService(store).export_bundle(pid, bundle)) / 1000
    out["bundle_mb"] = bundle.stat().st_size / 2**20
    out["peak_rss_after_bundle_export_mb"] = peak_rss_mb()
    fresh = Store.open(sqlite_url(folder / "fresh.db"))
    try:
        out["bundle_import_s"] = _timed(lambda: ExchangeService(fresh).import_bundle(bundle)) / 1000
        out["peak_rss_after_bundle_import_mb"] = peak_rss_mb()
        with fresh.read() as s:
            for name, model in (("contributions", Contribution), ("versions", DraftVersion)):
                out[f"imported_{name}_count"] = s.scalar(select(func.count()).select_from(model)) or 0
    finally:
        fresh.close()
    return out


def measure_marker(services: Services, built: Built, reps: int) -> list[float]:
    """change_marker times (ms): what every open screen asks every second."""
    return [_timed(lambda: services.projects.change_marker(built.project_id)) for _ in range(reps)]


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (ru_maxrss: KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


@contextmanager
def _folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        for old in (*keep.glob("canvas.db*"), *keep.glob("fresh.db*")):  # a run before: start afresh
            old.unlink()
        yield keep
        return
    path = Path(tempfile.mkdtemp(prefix="canvas-scale-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run(small: bool = False, reps: int | None = None, keep: Path | None = None) -> dict[str, float]:
    """Build the project, measure everything, and return the figures (see the module docstring)."""
    sizes = Sizes().scaled(50) if small else Sizes()
    reps = reps if reps is not None else (5 if small else 20)
    rng = random.Random(11)
    with _folder(keep) as folder:
        url = sqlite_url(folder / "canvas.db")
        t0 = time.perf_counter()
        # Built in a child process, so the builder's own memory is not counted in the peak RSS.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            built = pool.submit(build_file, url, sizes).result()
        figures: dict[str, float] = {"build_s": time.perf_counter() - t0}
        store = Store.open(url)
        try:
            services = Services.build(store)
            screens = measure_screens(services, built, reps)
            figures["predictor_ready_s"] = screens.pop("predictor_ready_s")[0]
            for name, values in screens.items():
                figures[f"{name}_screen_p50_ms"] = percentile(values, 0.5)
                figures[f"{name}_screen_p95_ms"] = percentile(values, 0.95)
            figures["peak_rss_after_screens_mb"] = peak_rss_mb()
            diffs = measure_diffs(services, built, max(reps * 2, 20), rng)
            figures["diff_p50_ms"], figures["diff_p95_ms"] = percentile(diffs, 0.5), percentile(diffs, 0.95)
            searches, unicode_ms = measure_search(services, built)
            figures["search_p50_ms"] = percentile(searches, 0.5)
            figures["search_p95_ms"] = percentile(searches, 0.95)
            figures["search_unicode_ms"] = unicode_ms
            marker = measure_marker(services, built, max(reps * 5, 50))
            figures["change_marker_p50_ms"] = percentile(marker, 0.5)
            figures["change_marker_p95_ms"] = percentile(marker, 0.95)
            figures.update(measure_files(store, built, folder))
        finally:
            store.close()
    figures.update({f"{k}_count": v for k, v in built.counts.items()})
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def missed(figures: dict[str, float]) -> list[str]:
    """The figures that miss their target."""
    return [k for k, limit in TARGETS.items() if not figures.get(k, math.inf) <= limit]


def table(figures: dict[str, float]) -> str:
    """The figures as readable lines, with their targets."""
    lines = []
    for key, value in figures.items():
        target = TARGETS.get(key)
        mark = "" if target is None else f"  (target <= {target:g}: {'ok' if value <= target else 'MISSED'})"
        lines.append(f"{key:32} {value:12.1f}{mark}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print JSON (--json) or a table. Exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object of figures")
    parser.add_argument("--small", action="store_true", help="1/50 of the sizes, for a quick run")
    parser.add_argument("--reps", type=int, default=None, help="timed opens per screen (default 20; small 5)")
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep it")
    args = parser.parse_args(argv)
    figures = run(small=args.small, reps=args.reps, keep=args.keep)
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}) if args.json else table(figures))
    return 1 if missed(figures) else 0


if __name__ == "__main__":
    sys.exit(main())
