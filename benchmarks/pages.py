"""Server time of every page: the first render and a rerun after each kind of widget change.

Runs the app in-process with AppTest (no browser, no network), so the figures are the script's own
time on this machine. Usage: python -m benchmarks.pages [--repeats N] [--json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")
Interaction = Callable[[AppTest], object]

# For each page: the widget changes a visitor makes that do not train anything.
INTERACTIONS: dict[str, list[tuple[str, Interaction]]] = {
    "pages/welcome.py": [],
    "pages/pytorch_basics.py": [
        ("slider: x", lambda at: at.slider(key="torch.x").set_value(1.25 if at.slider(key="torch.x").value != 1.25 else 2.0)),
        ("text: formula", lambda at: at.text_input(key="torch.expression").set_value("sin(x)*x**2")),
        ("radio: example", lambda at: at.radio(key="torch.example").set_value("Two inputs: a and b")),
        ("button: km step", lambda at: at.button(key="torch.km_next").click()),
        ("select slider: lr", lambda at: at.select_slider(key="torch.lr").set_value(0.5)),
    ],
}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def open_fresh(page: str) -> tuple[AppTest, float]:
    at = AppTest.from_file(HOME, default_timeout=120)
    at.run()
    started = time.perf_counter()
    at.switch_page(page).run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{page} raised: {at.exception}")
    return at, elapsed


def measure(repeats: int) -> list[dict[str, object]]:
    rows = []
    for page, interactions in INTERACTIONS.items():
        open_fresh(page)  # warm: imports and caches happen once per server process
        first = [open_fresh(page)[1] for _ in range(repeats)]
        rows.append({"page": page, "action": "first render (warm)", "runs": repeats,
                     "median_ms": statistics.median(first) * 1e3, "p95_ms": percentile(first, 0.95) * 1e3})
        for label, interact in interactions:
            samples = []
            for _ in range(repeats):
                at, _ = open_fresh(page)
                interact(at)
                started = time.perf_counter()
                at.run()
                samples.append(time.perf_counter() - started)
                if at.exception:
                    raise RuntimeError(f"{page} / {label} raised: {at.exception}")
            rows.append({"page": page, "action": label, "runs": repeats,
                         "median_ms": statistics.median(samples) * 1e3, "p95_ms": percentile(samples, 0.95) * 1e3})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.repeats)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'page':<28} {'action':<28} {'runs':>4} {'median ms':>10} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['page']:<28} {row['action']:<28} {row['runs']:>4} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f}")


if __name__ == "__main__":
    main()
