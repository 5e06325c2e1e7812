"""The scale bench runs in its small mode and reports every figure (a smoke test: nothing is timed)."""

from __future__ import annotations

import json
import math

from bench import scale
from bench.scale_data import Sizes

KEYS = {
    "build_s", "prompt_screen_p50_ms", "prompt_screen_p95_ms", "write_screen_p50_ms", "write_screen_p95_ms",
    "versions_screen_p50_ms",
    "versions_screen_p95_ms", "history_screen_p50_ms", "history_screen_p95_ms",
    "version_review_screen_p50_ms", "version_review_screen_p95_ms", "compare_screen_p50_ms",
    "compare_screen_p95_ms", "dashboard_screen_p50_ms", "dashboard_screen_p95_ms", "audit_screen_p50_ms",
    "audit_screen_p95_ms", "diff_p50_ms", "diff_p95_ms", "search_p50_ms", "search_p95_ms",
    "search_unicode_ms", "export_docx_s", "export_csv_s", "bundle_export_s", "bundle_mb", "bundle_import_s",
    "imported_contributions_count", "imported_versions_count", "contributions_count", "endorsements_count",
    "versions_count", "stances_count", "events_count", "peak_rss_after_screens_mb",
    "peak_rss_after_exports_mb", "peak_rss_after_bundle_export_mb", "peak_rss_after_bundle_import_mb",
    "peak_rss_mb", "change_marker_p50_ms", "change_marker_p95_ms", "predictor_ready_s",
}


def test_small_run_prints_every_figure_as_json(qapp, capsys):
    status = scale.main(["--small", "--json", "--reps", "2"])
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == KEYS
    assert all(isinstance(v, (int, float)) and math.isfinite(v) and v >= 0 for v in printed.values())
    sizes = Sizes().scaled(50)
    assert printed["contributions_count"] == sizes.contributions
    # the bench adds one keyword before each of its --reps keyboard opens; the bundle carries them
    assert printed["imported_contributions_count"] == sizes.contributions + 2
    assert printed["versions_count"] == printed["imported_versions_count"] == sizes.versions
    assert printed["endorsements_count"] == sizes.endorsements
    assert printed["events_count"] > sizes.contributions + sizes.endorsements + sizes.versions
    assert printed["prompt_screen_p50_ms"] <= printed["prompt_screen_p95_ms"]
    assert printed["peak_rss_mb"] > 0 and printed["bundle_mb"] > 0
    assert status in (0, 1)  # 1 only says a target was missed: not a test failure


def test_percentile_is_nearest_rank_and_targets_are_checked():
    values = [float(v) for v in range(1, 21)]
    assert scale.percentile(values, 0.5) == 10.0
    assert scale.percentile(values, 0.95) == 19.0
    assert math.isnan(scale.percentile([], 0.5))
    good = {key: limit for key, limit in scale.TARGETS.items()}
    assert scale.missed(good) == []
    assert scale.missed({**good, "diff_p95_ms": 31.0}) == ["diff_p95_ms"]
    assert "MISSED" in scale.table({**good, "peak_rss_mb": 301.0})
