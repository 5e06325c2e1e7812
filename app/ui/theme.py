"""Themes are data files under resources/themes; this turns one into a Qt style sheet."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from app.data_files import resource_path

THEMES_DIR = resource_path("themes")
THEME_NAMES = ("high-contrast", "light", "dark")
BASE_TARGET_PX = 64
MIN_TARGET_PX = 44
BASE_FONT_PX = 20
BASE_KEY_PX = 50


@dataclass(frozen=True)
class Theme:
    """The colours of one theme, as #RRGGBB strings."""

    name: str
    window: str
    text: str
    muted_text: str
    tile: str
    tile_text: str
    tile_border: str
    action: str
    action_text: str
    action_border: str
    status: str
    status_text: str
    highlight: str
    highlight_inner: str


def load_theme(key: str, folder: Path = THEMES_DIR) -> Theme:
    """Read `resources/themes/<key>.json`; unknown keys fall back to high contrast."""
    path = folder / f"{key}.json"
    if not path.exists():
        path = folder / "high-contrast.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    names = {f.name for f in fields(Theme)}
    missing = names - set(data)
    if missing:
        raise ValueError(f"theme {path.name} lacks {sorted(missing)}")
    return Theme(**{k: data[k] for k in names})


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of #RRGGBB."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio between two #RRGGBB colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# The status line sits under every screen and may hold a sentence or two: above 200 % it stays at
# the 200 % size (WCAG's resize to 200 % holds), so a failure told while writing cannot push the
# keys under 44 px; every message is also spoken, whole.
STATUS_MAX_PERCENT = 200


def target_px(size_percent: int) -> int:
    """The minimum height of a target at this size setting, never below 44 px."""
    return max(MIN_TARGET_PX, round(BASE_TARGET_PX * size_percent / 100))


def key_px(size_percent: int) -> int:
    """The height of an on-screen keyboard key: smaller than a tile, never below 44 px."""
    return max(MIN_TARGET_PX, round(BASE_KEY_PX * size_percent / 100))


def font_px(size_percent: int) -> int:
    """The base font size at this size setting."""
    return round(BASE_FONT_PX * size_percent / 100)


def stylesheet(theme: Theme, size_percent: int = 100, highlight: str = "") -> str:
    """A Qt style sheet for the whole window at the given size and highlight colour. A list
    that has the keyboard focus (a screen reader's stop of its own) gets a dashed frame: without
    it a Tab there showed no highlight at all, as if the key had been lost (tried under Xvfb).
    The frame is always there, clear until then, so the focus never moves anything."""
    mark = highlight or theme.highlight
    t = target_px(size_percent)
    f = font_px(size_percent)
    return f"""
QWidget {{ background: {theme.window}; color: {theme.text}; font-size: {f}px; }}
QLabel#title {{ font-size: {round(f * 1.4)}px; font-weight: bold; }}
QLabel#muted {{ color: {theme.muted_text}; }}
QLabel#status {{
    background: {theme.status}; color: {theme.status_text}; padding: 6px;
    font-size: {font_px(min(size_percent, STATUS_MAX_PERCENT))}px;
}}
QPushButton, QToolButton {{
    background: {theme.tile}; color: {theme.tile_text};
    border: 3px solid {theme.tile_border}; border-radius: 8px;
    min-height: {t}px; min-width: {t}px; padding: 6px 14px;
}}
QPushButton[role="action"] {{
    background: {theme.action}; color: {theme.action_text}; border-color: {theme.action_border};
    font-weight: bold;
}}
QPushButton[selected="true"] {{ border-style: double; border-width: 6px; }}
QPushButton:pressed {{ background: {theme.tile_border}; color: {theme.tile}; }}
QPushButton[role="key"] {{ min-height: {key_px(size_percent)}px; padding: 2px 6px; }}
QPlainTextEdit {{
    background: {theme.tile}; color: {theme.tile_text}; border: 3px solid {theme.tile_border};
    border-radius: 6px; font-size: {round(f * 1.3)}px; padding: 4px;
}}
QPushButton[easyread="true"] {{ font-size: {round(f * 1.5)}px; text-align: left; padding: 10px 18px; }}
QLabel#easyread {{ font-size: {round(f * 1.5)}px; font-weight: bold; }}
QPushButton[inset="true"] {{ border: 6px dashed {mark}; background: {theme.tile}; }}
QFrame#group {{ border: none; }}
QScrollArea {{ border: 4px dashed transparent; }}
QScrollArea:focus {{ border-color: {mark}; }}
"""
