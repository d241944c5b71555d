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

from app_pages.kids import GARDEN, SPY, XRAYS
from app_pages.maps import COLOUR, MOVE, TYPE
from app_pages.maps import PROJECTIONS_TAB as PROJECTIONS
from app_pages.mnist import SCALING, TRAIN
from app_pages.pytorch_basics import AUTOGRAD as AUTOGRAD_TAB
from tests import helpers

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")
Step = Callable[[AppTest], object]


def show(key: str, value: object) -> Step:
    """An untimed step that brings a widget into view (a tab of a radio, say)."""
    return lambda at: at.radio(key=key).set_value(value)


def open_tab(page: str, label: str) -> Step:
    """An untimed step that opens a lazy tab, as a click on it (or a link carrying it) would."""
    return lambda at: helpers.open_tab(at, page, label)


def nudge(kind: str, key: str, first: object, second: object) -> Step:
    """Change a widget to a value it does not already hold, so the rerun really has work to do."""
    def step(at: AppTest) -> object:
        widget = getattr(at, kind)(key=key)
        return widget.set_value(second if widget.value == first else first)
    return step


AUTOGRAD = open_tab("pytorch_basics", AUTOGRAD_TAB)

# For each page: (what changes, an untimed step to reach the widget or None, the change itself).
# Only changes that train nothing; training and timing runs are measured by their own benchmarks.
INTERACTIONS: dict[str, list[tuple[str, Step | None, Step]]] = {
    "app_pages/welcome.py": [],
    "app_pages/pytorch_basics.py": [
        ("slider: x", AUTOGRAD, nudge("slider", "pytorch_basics.x", 1.25, 2.0)),
        ("text: formula", AUTOGRAD, lambda at: at.text_input(key="pytorch_basics.expression").set_value("sin(x)*x**2")),
        ("radio: example", AUTOGRAD, lambda at: at.radio(key="pytorch_basics.example").set_value("Two inputs: a and b")),
        ("button: km step", None, lambda at: at.button(key="pytorch_basics.km_next").click()),
        ("select slider: lr", None, nudge("select_slider", "pytorch_basics.lr", 0.5, 0.8)),
    ],
    "app_pages/methodology.py": [
        ("radio: demo shown", None, lambda at: at.radio(key="methodology.view").set_value("roc")),
        ("slider: polynomial degree", show("methodology.view", "overfitting"),
         nudge("slider", "methodology.fit.degree", 6, 7)),
        ("slider: ROC threshold", show("methodology.view", "roc"),
         nudge("slider", "methodology.roc.threshold", 0.3, 0.4)),
        ("slider: outlier", show("methodology.view", "losses"),
         nudge("slider", "methodology.loss.outlier_y", 20.0, 25.0)),
        ("slider: effect size", show("methodology.view", "hypothesis"),
         nudge("slider", "methodology.test.effect", 0.8, 1.0)),
        ("slider: minority share", show("methodology.view", "bias"),
         nudge("slider", "methodology.bias.minority_share", 0.2, 0.3)),
    ],
    "app_pages/mnist.py": [
        ("number: record to draw", None, nudge("number_input", "mnist.record", 7, 8)),
        ("radio: preset", open_tab("mnist", TRAIN), lambda at: at.radio(key="mnist.preset").set_value("cnn")),
        ("slider: hidden nodes", open_tab("mnist", TRAIN), nudge("slider", "mnist.hidden", 300, 400)),
        ("slider: images per timing", open_tab("mnist", SCALING),
         nudge("slider", "mnist.scaling_samples", 100, 150)),
    ],
    "app_pages/maps.py": [
        ("tab: open Move a country", None, open_tab("maps", MOVE)),
        ("slider: latitude", open_tab("maps", MOVE), nudge("slider", "maps.lat", 20.0, 30.0)),
        ("select: country", open_tab("maps", MOVE),
         lambda at: at.selectbox(key="maps.country").set_value("Brazil")),
        ("select: campus vision", None, lambda at: at.selectbox(key="maps.campus_vision").set_value("deuteranopia")),
        ("toggle: Tissot", open_tab("maps", PROJECTIONS), lambda at: at.toggle(key="maps.tissot").set_value(True)),
        ("slider: palette classes", open_tab("maps", COLOUR), nudge("slider", "maps.classes", 7, 6)),
        ("slider: type size", open_tab("maps", TYPE), nudge("slider", "maps.type_size", 18, 24)),
    ],
    "app_pages/kids.py": [
        ("slider: k-means k", open_tab("kids", GARDEN),
         nudge("slider", "kids.garden_k", 3, 4)),
        ("slider: spy copies added", open_tab("kids", SPY),
         nudge("slider", "kids.spy_added", 10, 12)),
        ("number: x-ray threshold", open_tab("kids", XRAYS),
         nudge("number_input", "kids.xray_highest", 0.6, 0.7)),
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
        for label, prepare, change in interactions:
            samples = []
            for _ in range(repeats):
                at, _ = open_fresh(page)
                if prepare is not None:
                    prepare(at)
                    at.run()
                change(at)
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
