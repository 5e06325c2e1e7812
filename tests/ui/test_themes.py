"""The theme files, checked by computation: contrast (WCAG), completeness, fallback and size.

Text needs 7:1 in the high-contrast theme (WCAG AAA) and 4.5:1 in light and dark (AA).
The highlight frame needs 3:1 (WCAG non-text contrast): its outer band is the theme's
``highlight`` colour, its inner band ``highlight_inner``; the outer band must stand out
from every background a target sits on, and the inner band must differ from the outer
band or from the background, so the frame shows on any tile.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields

import pytest

from app.access.profile import THEMES
from app.ui.screens.settings import COLOURS
from app.ui.theme import (
    MIN_TARGET_PX,
    THEME_NAMES,
    THEMES_DIR,
    Theme,
    contrast_ratio,
    load_theme,
    stylesheet,
)

TEXT_MINIMUM = {"high-contrast": 7.0, "light": 4.5, "dark": 4.5}
NON_TEXT_MINIMUM = 3.0
TEXT_PAIRS = (
    ("text", "window"),
    ("tile_text", "tile"),
    ("action_text", "action"),
    ("status_text", "status"),
    ("muted_text", "window"),
    ("tile", "tile_border"),  # a pressed tile swaps to these (QPushButton:pressed)
)
BACKGROUNDS = ("window", "tile", "action")
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


def colour(theme: Theme, name: str) -> str:
    return getattr(theme, name)


def test_theme_names_match_the_files_and_the_profile_choices():
    files = {path.stem for path in THEMES_DIR.glob("*.json")}
    assert set(THEME_NAMES) == files == set(THEMES) == set(TEXT_MINIMUM)


@pytest.mark.parametrize("name", THEME_NAMES)
def test_theme_file_has_every_field_as_a_colour(name):
    data = json.loads((THEMES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    expected = {f.name for f in fields(Theme)}
    assert expected <= set(data), f"{name} lacks {sorted(expected - set(data))}"
    assert isinstance(data["name"], str) and data["name"].strip()
    bad = {k: data[k] for k in expected - {"name"} if not COLOUR_RE.match(str(data[k]))}
    assert not bad, f"{name}: not #RRGGBB colours: {bad}"
    assert load_theme(name) == Theme(**{k: data[k] for k in expected})


def test_a_theme_lacking_a_field_is_refused(tmp_path):
    data = json.loads((THEMES_DIR / "high-contrast.json").read_text(encoding="utf-8"))
    del data["highlight_inner"]
    (tmp_path / "high-contrast.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="highlight_inner"):
        load_theme("high-contrast", folder=tmp_path)


@pytest.mark.parametrize("unknown", ["sepia", "", "../light", "HIGH-CONTRAST-2"])
def test_unknown_theme_falls_back_to_high_contrast(unknown):
    assert load_theme(unknown) == load_theme("high-contrast")


@pytest.mark.parametrize("name", THEME_NAMES)
@pytest.mark.parametrize(("fore", "back"), TEXT_PAIRS)
def test_text_contrast(name, fore, back):
    theme = load_theme(name)
    ratio = contrast_ratio(colour(theme, fore), colour(theme, back))
    assert ratio >= TEXT_MINIMUM[name], f"{name}: {fore} on {back} is only {ratio:.2f}:1"


@pytest.mark.parametrize("name", THEME_NAMES)
@pytest.mark.parametrize("back", BACKGROUNDS)
def test_highlight_stands_out_from_the_background(name, back):
    theme = load_theme(name)
    ratio = contrast_ratio(theme.highlight, colour(theme, back))
    assert ratio >= NON_TEXT_MINIMUM, f"{name}: highlight on {back} is only {ratio:.2f}:1"


def frame_visible(outer: str, inner: str, background: str) -> bool:
    """Both bands together show: one stands out from the background, and they differ."""
    stands_out = max(contrast_ratio(outer, background), contrast_ratio(inner, background))
    inner_shows = max(contrast_ratio(inner, outer), contrast_ratio(inner, background))
    return stands_out >= NON_TEXT_MINIMUM and inner_shows >= NON_TEXT_MINIMUM


@pytest.mark.parametrize("name", THEME_NAMES)
@pytest.mark.parametrize("back", BACKGROUNDS)
def test_inner_band_shows_against_the_outer_band_or_the_background(name, back):
    theme = load_theme(name)
    against_outer = contrast_ratio(theme.highlight_inner, theme.highlight)
    against_back = contrast_ratio(theme.highlight_inner, colour(theme, back))
    assert max(against_outer, against_back) >= NON_TEXT_MINIMUM, (
        f"{name}: inner band {against_outer:.2f}:1 to the outer band, "
        f"{against_back:.2f}:1 to {back}"
    )
    assert frame_visible(theme.highlight, theme.highlight_inner, colour(theme, back))


@pytest.mark.parametrize("name", THEME_NAMES)
@pytest.mark.parametrize(("member_colour", "colour_name"), COLOURS)
def test_every_member_highlight_colour_shows_in_every_theme(name, member_colour, colour_name):
    # The frame's outer band is the member's chosen colour ("" = the theme's), the inner the theme's.
    theme = load_theme(name)
    outer = member_colour or theme.highlight
    hidden = [
        back for back in BACKGROUNDS
        if not frame_visible(outer, theme.highlight_inner, colour(theme, back))
    ]
    assert not hidden, f"{colour_name} frame does not show on {hidden} in {name}"


def pixel_values(sheet: str, prop: str) -> list[int]:
    return [int(v) for v in re.findall(rf"(?<![-\w]){prop}:\s*(\d+)px", sheet)]


@pytest.mark.parametrize("name", THEME_NAMES)
def test_stylesheet_targets_are_at_least_44px_at_size_100(name):
    sheet = stylesheet(load_theme(name), 100)
    heights, widths = pixel_values(sheet, "min-height"), pixel_values(sheet, "min-width")
    assert heights and widths
    assert min(heights) >= 44 and min(widths) >= 44
    assert MIN_TARGET_PX >= 44


@pytest.mark.parametrize("name", THEME_NAMES)
def test_stylesheet_grows_with_size_and_uses_the_theme(name):
    theme = load_theme(name)
    small, large = stylesheet(theme, 100), stylesheet(theme, 300)
    assert min(pixel_values(large, "min-height")) > min(pixel_values(small, "min-height"))
    assert min(pixel_values(large, "font-size")) > min(pixel_values(small, "font-size"))
    for value in (theme.window, theme.text, theme.tile, theme.tile_text, theme.action_text):
        assert value in small
