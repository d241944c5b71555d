"""Latency figures as every benchmark here prints them: nearest-rank percentiles, in milliseconds."""
from __future__ import annotations

import math
import statistics


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest rank: with 20 samples the p95 is the 19th fastest, a time somebody really waited."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def summary(samples_s: list[float]) -> dict[str, object]:
    """Count, p50, p95 and max of samples in seconds, as whole milliseconds (None when there is none)."""
    if not samples_s:
        return {"runs": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    return {"runs": len(samples_s), "p50_ms": round(statistics.median(samples_s) * 1e3),
            "p95_ms": round(percentile(samples_s, 0.95) * 1e3), "max_ms": round(max(samples_s) * 1e3)}
