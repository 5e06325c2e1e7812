"""How long the language model takes to answer, as the keyboard asks it: predict() and
letter_distribution() at every position of a text and for cold queries (bench.text_entry
prints these as `latency`)."""

from __future__ import annotations

import random
import time

from app.access.prediction import Predictor
from app.access.text_context import split_context
from bench.stats import percentile


def predict_latency(predictor: Predictor, text: str, samples: int = 3000) -> dict[str, float]:
    """Times (ms) of predict() and letter_distribution().

    Calls: every position of *text* (after learning it, as a member's history),
    then *samples* cold queries: a random general word's first 0-3 letters
    after another random general word (fixed seed).
    """
    pred = predictor.fresh()
    pred.learn(text)
    queries = [split_context(text[:i]) for i in range(len(text))]
    rng = random.Random(1)
    vocab = sorted(pred.base_words())
    for _ in range(samples if vocab else 0):
        word = rng.choice(vocab)
        queries.append(split_context(f"{rng.choice(vocab)} {word[:rng.randint(0, 3)]}"))
    times, letters = [], []
    for ctx in queries:
        t0 = time.perf_counter()
        pred.predict(ctx.prefix, ctx.previous, 5, earlier=ctx.earlier)
        t1 = time.perf_counter()
        pred.letter_distribution(ctx.prefix, ctx.previous, after=ctx.after, earlier=ctx.earlier)
        times.append((t1 - t0) * 1000)
        letters.append((time.perf_counter() - t1) * 1000)

    def pct(values: list[float], q: int) -> float:
        return percentile(values, q / 100)

    return {"vocabulary": pred.vocabulary_size, "calls": len(times), "predict_p50_ms": pct(times, 50),
            "predict_p95_ms": pct(times, 95), "predict_max_ms": max(times),
            "letters_p50_ms": pct(letters, 50), "letters_p95_ms": pct(letters, 95)}
