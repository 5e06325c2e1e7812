"""The fixed letter tables under the word model: the characters the keyboard model gives a
probability to, how often each letter comes in running English (the floor that lets a word
nobody has written be typed), and what follows a finished word before the member has shown
their own habits."""

from __future__ import annotations

CHARSET = " abcdefghijklmnopqrstuvwxyz'.,?!-\":;()/&@%£+=#*0123456789"
"""Every character :meth:`Predictor.letter_distribution` gives a probability to."""
ENGLISH = dict(zip(" etaoinsrhldcumfgypwbvk'jxqz.,?-", (  # % of running text (wordfreq's English)
    18.3, 9.76, 7.52, 6.68, 6.45, 6.0, 5.74, 5.22, 4.88, 4.1, 3.38, 3.01, 2.39, 2.37, 2.08, 1.78,
    1.74, 1.69, 1.63, 1.61, 1.29, 0.86, 0.72, 0.31, 0.18, 0.15, 0.07, 0.07, 0.9, 0.9, 0.1, 0.1), strict=True))
END_PRIOR = {" ": 85.0, ".": 6.0, ",": 5.0, "?": 0.6, "!": 0.4, ":": 0.3, ";": 0.2, "-": 0.5,
           ")": 0.2, '"': 0.3, "'": 0.2}
AFTER_PRIOR = {" ": 90.0, '"': 1.0, ")": 1.0, ".": 0.5}
FALLBACK = {ch: ENGLISH.get(ch, 0.0) + 0.01 for ch in CHARSET}
FALLBACK = {ch: v / sum(FALLBACK.values()) for ch, v in FALLBACK.items()}
