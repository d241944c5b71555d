"""Where a slider move's CPU goes, demo by demo: the page's compute, chart building, serialising, Streamlit.

    python -m benchmarks.rerun_cost [--moves N] [--page NAME ...] [--demo TEXT ...] [--json]

The mix is room_load's: every tab (and every view a small radio reveals) of every page that has a
slider, select slider or number input in the main area, found in the element tree as benchmarks.pages
finds them. Each demo is opened in one AppTest session (in-process, no browser, every page script
compiled once as the server does) and its movable widgets are moved in turn to values not held before,
`--moves` times plain and `--moves` times under cProfile, alternately.

- `cpu ms`: the script thread's CPU per move, from the plain moves: the process's CPU time less the
  calling thread's (AppTest's own parsing of the messages, which a server never does).
- The split comes from the profiled moves' call tree (cProfile's caller edges, in gprof's way: a function
  called from several places shares its time among them in proportion to each caller's cumulative time).
  A function's own time goes to the outermost categorised function above it:
    compute    anything under lib.* (numpy, scikit-learn, torch it calls included);
    charts     Altair, pandas, ui.charts / ui.accessible_charts / ui.layout, and the numbers tables (ui.page);
    serialise  pyarrow, json, protobuf, and Streamlit's dataframe conversion (streamlit.dataframe_util);
    streamlit  everything else: the script run, widgets, caches' hashing and copying, the page's own lines.
  The fractions are applied to the plain moves' CPU, so the profiler's own overhead is not in the figures.
  cProfile's clock is the wall clock: a function that waits (OpenMP threads spinning for each other, say)
  weighs more in the split than in the CPU it burns.
AppTest reruns the whole app on each move where the server reruns the open tab's fragment: the router
and sidebar (a few ms) fall in `streamlit`. `--json` prints the rows and the mean over the mix.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import logging
import pstats
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.latency import percentile
from benchmarks.pages import (
    PAGE_LEVEL,
    SIDEBAR,
    Target,
    changes,
    discover,
    exception_text,
    find,
    fresh,
    kind_of,
    page_name,
    page_paths,
    reach,
)

ROOT = Path(__file__).resolve().parents[1]
MOVABLE = ("slider", "select_slider", "number_input")  # what room_load's visitors move
CATEGORIES = ("compute", "charts", "serialise", "streamlit")
CHART_MODULES = ("altair", "pandas", "ui.charts", "ui.accessible_charts", "ui.layout", "narwhals")
SERIALISE_MODULES = ("pyarrow", "json", "google", "streamlit.dataframe_util", "streamlit.elements.lib.arrow_utils")
NUMBERS_TABLES = ("_numbers_html", "_cell_text", "_kept_numbers_html")  # ui.page's text alternative tables
FunctionKey = tuple[str, int, str]  # cProfile's (file, line, name)


def module_of(filename: str) -> str:
    """The dotted module a profiled function lives in ('' for built-ins), from its file path."""
    path = Path(filename)
    parts = path.with_suffix("").parts
    if "site-packages" in parts:
        return ".".join(parts[parts.index("site-packages") + 1:])
    try:
        return ".".join(path.resolve().with_suffix("").relative_to(ROOT).parts)
    except ValueError:
        return ".".join(parts[-2:]) if len(parts) >= 2 else path.stem


def category_of(key: FunctionKey) -> str | None:
    """The category a function starts (None: it takes its caller's)."""
    filename, _, name = key
    if filename == "~":  # a built-in: named by its type or module
        text = name.lower()
        if "pyarrow" in text or "upb" in text or "protobuf" in text or "json" in text:
            return "serialise"
        if "pandas" in text:
            return "charts"
        return None
    module = module_of(filename)
    if module.startswith("lib."):
        return "compute"
    if module.startswith(SERIALISE_MODULES) or "/json/" in filename:
        return "serialise"
    if module.startswith(CHART_MODULES) or (module == "ui.page" and name in NUMBERS_TABLES):
        return "charts"
    return None


def split_by_category(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of own time per category, each function's time going to its outermost categorised caller."""
    table = stats.stats  # {function: (calls, primitive calls, own time, cumulative time, {caller: edge})}
    inherited: dict[FunctionKey, dict[str | None, float]] = {}

    def passed_down(function: FunctionKey, visiting: frozenset) -> dict[str | None, float]:
        """The share of `function`'s time spent under each outer category (None: under none)."""
        if function in inherited:
            return inherited[function]
        callers = {caller: edge for caller, edge in table[function][4].items()
                   if caller != function and caller not in visiting and caller in table}
        weights = {caller: edge[3] or edge[1] or 1 for caller, edge in callers.items()}
        total = sum(weights.values())
        shares: dict[str | None, float] = defaultdict(float)
        if not total:
            shares[None] = 1.0
        for caller, weight in weights.items():
            for category, share in handed_on(caller, visiting | {function}).items():
                shares[category] += share * weight / total
        inherited[function] = dict(shares)
        return inherited[function]

    def handed_on(function: FunctionKey, visiting: frozenset) -> dict[str | None, float]:
        own = category_of(function)
        shares = passed_down(function, visiting)
        if own is None or None not in shares:
            return shares
        return {**{c: s for c, s in shares.items() if c is not None}, own: shares[None] + shares.get(own, 0.0)}

    seconds = dict.fromkeys(CATEGORIES, 0.0)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        for function, (_, _, own_time, _, _) in table.items():
            for category, share in handed_on(function, frozenset()).items():
                seconds[category or "streamlit"] += own_time * share
    finally:
        sys.setrecursionlimit(limit)
    return seconds


class ScriptThreadProfile:
    """cProfile in the threads AppTest starts for its script runs (a profiler sees only its own thread)."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []

    def _start_in_thread(self, *_: object) -> None:
        profile = cProfile.Profile()
        self.profiles.append(profile)
        profile.enable()  # replaces this hook in the new thread: the hook runs once per thread

    def __enter__(self) -> ScriptThreadProfile:
        threading.setprofile(self._start_in_thread)
        return self

    def __exit__(self, *_: object) -> None:
        threading.setprofile(None)  # type: ignore[arg-type]

    def stats(self) -> pstats.Stats | None:
        if not self.profiles:
            return None
        for profile in self.profiles:
            profile.disable()  # harmless from another thread once the script thread has ended
        stats = pstats.Stats(self.profiles[0])
        for profile in self.profiles[1:]:
            stats.add(profile)
        return stats


def script_cpu_of(run: Callable[[], object]) -> float:
    """CPU seconds of `run` outside the calling thread: the script thread's work."""
    process, caller = time.process_time(), time.thread_time()
    run()
    return (time.process_time() - process) - (time.thread_time() - caller)


@dataclass
class DemoCost:
    page: str
    tab: str
    widgets: list[str]
    cpu_s: list[float] = field(default_factory=list)
    profiled_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0.0))
    failure: str | None = None

    def row(self) -> dict[str, object]:
        mean_ms = statistics.fmean(self.cpu_s) * 1e3 if self.cpu_s else 0.0
        profiled = sum(self.profiled_s.values()) or 1.0
        split = {f"{category}_ms": round(mean_ms * self.profiled_s[category] / profiled, 1) for category in CATEGORIES}
        return {"page": self.page, "tab": self.tab, "widgets": self.widgets, "moves": len(self.cpu_s),
                "cpu_mean_ms": round(mean_ms, 1),
                "cpu_p95_ms": round(percentile(self.cpu_s, 0.95) * 1e3, 1) if self.cpu_s else None, **split}


def demos_of(page: str) -> dict[str, list[Target]]:
    """The page's demos (tab or view) and the widgets a visitor moves on each."""
    grouped: dict[str, list[Target]] = defaultdict(list)
    _, targets = discover(page)
    for target in targets:
        if target.tab != SIDEBAR and target.description.split(":")[0] in MOVABLE:
            grouped[target.tab or PAGE_LEVEL].append(target)
    return grouped


def planned_moves(at, targets: list[Target], moves: int) -> Iterator[tuple[str, Callable]]:
    """Round-robin over the demo's widgets, each to values it has not held in this session."""
    plans = {}
    for target in targets:
        widget = find(at, target.ident)
        if widget is not None and not widget.disabled and kind_of(widget) in MOVABLE:
            plans[target.ident] = iter(changes(widget, moves))
    for _ in range(moves):
        for ident, plan in list(plans.items()):
            change = next(plan, None)
            if change is not None:
                yield ident, change


def measure_demo(page: str, tab: str, targets: list[Target], moves: int) -> DemoCost:
    cost = DemoCost(page_name(page), tab or "(page)", [target.ident for target in targets])
    at, _ = fresh(page)
    reach(at, targets[0].steps)
    if error := exception_text(at):
        cost.failure = f"on opening: {error}"
        return cost
    for number, (ident, change) in enumerate(planned_moves(at, targets, 2 * moves)):
        if number >= 2 * moves:
            break
        widget = find(at, ident)
        if widget is None or widget.disabled:
            continue
        change(widget)
        if number % 2:
            with ScriptThreadProfile() as profile:
                at.run()
            if (stats := profile.stats()) is not None:
                for category, seconds in split_by_category(stats).items():
                    cost.profiled_s[category] += seconds
        else:
            cost.cpu_s.append(script_cpu_of(at.run))
        if error := exception_text(at):
            cost.failure = f"{ident}: {error}"
            return cost
    return cost


def measure(moves: int, pages: list[str] | None, demo_filter: list[str] | None,
            progress: Callable[[str], None] | None = None) -> list[DemoCost]:
    costs = []
    for page in page_paths():
        if pages and page_name(page) not in pages:
            continue
        fresh(page)  # warm: imports and first-time caches happen once per server process
        for tab, targets in demos_of(page).items():
            name = f"{page_name(page)}: {tab}"
            if demo_filter and not any(text in name for text in demo_filter):
                continue
            if progress is not None:
                progress(name)
            costs.append(measure_demo(page, tab, targets, moves))
    return costs


def mix_summary(rows: list[dict[str, object]]) -> dict[str, object]:
    measured = [r for r in rows if r["moves"]]
    if not measured:
        return {"demos": 0}
    summary: dict[str, object] = {"demos": len(measured)}
    for column in ("cpu_mean_ms", *(f"{c}_ms" for c in CATEGORIES)):
        summary[column] = round(statistics.fmean(float(r[column]) for r in measured), 1)
    return summary


def print_table(rows: list[dict[str, object]], summary: dict[str, object]) -> None:
    print(f"{'demo':<48} {'moves':>5} {'cpu ms':>7} {'p95':>6} {'compute':>8} {'charts':>7} {'serialise':>9} "
          f"{'streamlit':>9}")
    for entry in rows:
        name = f"{entry['page']}: {entry['tab']}"[:48]
        print(f"{name:<48} {entry['moves']:>5} {entry['cpu_mean_ms']:>7.1f} {entry['cpu_p95_ms'] or 0:>6.1f} "
              f"{entry['compute_ms']:>8.1f} {entry['charts_ms']:>7.1f} {entry['serialise_ms']:>9.1f} "
              f"{entry['streamlit_ms']:>9.1f}")
    if summary.get("demos"):
        print(f"{'mean over the mix (' + str(summary['demos']) + ' demos)':<48} {'':>5} {summary['cpu_mean_ms']:>7.1f} "
              f"{'':>6} {summary['compute_ms']:>8.1f} {summary['charts_ms']:>7.1f} {summary['serialise_ms']:>9.1f} "
              f"{summary['streamlit_ms']:>9.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rerun_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=6, help="plain moves per demo, and as many profiled (default 6)")
    parser.add_argument("--page", action="append", default=None, help="only this page (repeatable), e.g. maps")
    parser.add_argument("--demo", action="append", default=None, help="only demos whose name contains this")
    parser.add_argument("--json", action="store_true", help="print {rows, mix} as JSON")
    parser.add_argument("--verbose", action="store_true", help="name each demo on stderr as it is measured")
    args = parser.parse_args(argv)
    # AppTest's main thread has no script context: Streamlit warns once per cached call, which says nothing here.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    progress = (lambda text: print(text, file=sys.stderr, flush=True)) if args.verbose else None
    costs = measure(max(1, args.moves), args.page, args.demo, progress)
    rows = [cost.row() for cost in costs]
    summary = mix_summary(rows)
    if args.json:
        print(json.dumps({"rows": rows, "mix": summary}, indent=1, ensure_ascii=False))
    else:
        print_table(rows, summary)
    failures = [f"{cost.page}: {cost.tab}: {cost.failure}" for cost in costs if cost.failure]
    for line in failures:
        print(f"FAILED: {line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
