"""What every benchmark here shares: a median of repeated timings, and a plain table."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(work: Callable[[], object], repeats: int = 5) -> float:
    """Median wall time of `work` in milliseconds: robust to one slow run on a shared machine."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def print_median_table(rows: list[tuple[str, float]], heading: str = "step") -> None:
    width = max(len(name) for name, _ in rows)
    print(f"{heading:<{width}}  median ms")
    print(f"{'-' * width}  ---------")
    for name, milliseconds in rows:
        print(f"{name:<{width}}  {milliseconds:9.1f}")
