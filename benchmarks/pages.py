"""Server time of every page: the first render, opening each tab, and a rerun after every widget change.

Runs the app in-process with AppTest (no browser, no network), so the figures are the script's own
time on this machine; each page script is compiled once, as the server does (`compile_scripts_once`).
Pages come from Home.py's `st.Page` list; tabs and widgets are found in the element tree, so every tab
(and every view a small radio or select box reveals) is covered without a hand-kept list. Each widget is changed `--repeats` times in one session, to a value it has not held
in that session where it has enough values, so a cache keyed on it is usually missed: that is what
a presenter dragging a slider does. Buttons that start long work (training, timing, downloading)
are left out; the training benchmarks measure those.

    python -m benchmarks.pages [--repeats N] [--json] [--page NAME ...] [--one-per-kind]

`--json` prints a list of {"page", "tab", "action", "widget", "runs", "median_ms", "p95_ms",
"cpu_median_ms", "cpu_p95_ms"} rows: wall time, and the process's CPU time, which other work on a
shared machine disturbs less. It also prints (on stderr) how many full garbage collections ran while
measuring, their longest pause, and the process's peak RSS.
Widgets that cannot be measured here (uploads, downloads, table editors, long work) are listed on
stderr. The exit status is 1 when any rerun raised an exception on the page.
"""
from __future__ import annotations

import argparse
import ast
import gc
import json
import logging
import math
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.Block_pb2 import Block as BlockProto
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner
from streamlit.testing.v1.element_tree import Block, ButtonGroup, Element, Tab, Widget

ROOT = Path(__file__).resolve().parents[1]
HOME = str(ROOT / "Home.py")
SIDEBAR = "sidebar"
PAGE_LEVEL = ""  # widgets drawn above or below a page's tabs
# Widgets that start long work: timed by benchmarks.mnist, benchmarks.browser and the lib benchmarks.
LONG_WORK = frozenset({"mnist.train", "mnist.scale", "mnist.fetch", "pytorch_basics.matmul_run",
                       "pytorch_basics.km_auto", "methodology.baseline.run"})
# Widgets that open another page (a run-sheet's first step): the step is timed by benchmarks.room_load --runsheet.
OTHER_PAGE = frozenset({"present.start"})
UNMEASURED_KINDS = frozenset({"download_button", "file_uploader", "arrow_data_frame", "data_editor",
                              "chat_input", "camera_input", "audio_input"})
REVEAL_LIMIT = 8  # a radio or select box with at most this many options may switch between views
Step = tuple[str, str, str]  # ("tab", key, label) or ("choose", widget key, shown option): how a view is reached


def page_paths() -> list[str]:
    """The page files Home.py routes to, in its order (read from its `st.Page("...")` calls)."""
    tree = ast.parse(Path(HOME).read_text(encoding="utf-8"))
    paths = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "Page"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            paths.append(node.args[0].value)
    return paths or sorted(str(path.relative_to(ROOT)) for path in (ROOT / "app_pages").glob("*.py"))


def page_name(path: str) -> str:
    """One name per page (file, URL path and key prefix): app_pages/mnist.py and app_pages/mnist/ are `mnist`."""
    parts = Path(path).with_suffix("").parts
    return parts[1] if len(parts) > 1 and parts[0] == "app_pages" else parts[-1]


# ---------------------------------------------------------------- the element tree


@dataclass
class Found:
    widget: Widget
    tab: str  # the tab label, SIDEBAR, or PAGE_LEVEL


@dataclass
class TabBar:
    key: str | None  # the query-param key of a lazy tab bar; None when every tab runs anyway
    labels: list[str]


def walk(block: Block, tab: str) -> Iterator[tuple[Element | Block, str]]:
    for child in block.children.values():
        label = child.label if isinstance(child, Tab) else tab
        yield child, label
        if isinstance(child, Block):
            yield from walk(child, label)


def widgets_in(at: AppTest) -> list[Found]:
    found = []
    for position, section in enumerate(at._tree.children.values()):  # 0: the main area, 1: the sidebar
        for node, tab in walk(section, SIDEBAR if position == 1 else PAGE_LEVEL):
            if isinstance(node, Widget) and node.type != "tabs":
                found.append(Found(node, tab))
    return found


def tab_bars(at: AppTest) -> list[TabBar]:
    bars = []
    for node, _ in walk(at._tree, PAGE_LEVEL):
        proto = getattr(node, "proto", None)
        if type(node) is Block and isinstance(proto, BlockProto) and proto.WhichOneof("type") == "tab_container":
            labels = [child.label for child in node.children.values() if isinstance(child, Tab)]
            bars.append(TabBar(proto.tab_container.query_param_key or None, labels))
    return bars


def identity(widget: Widget) -> str:
    return widget.key or widget.id


def find(at: AppTest, ident: str) -> Widget | None:
    return next((found.widget for found in widgets_in(at) if identity(found.widget) == ident), None)


def describe(widget: Widget) -> str:
    label = " ".join(str(getattr(widget, "label", "") or "").split())
    label = label if len(label) <= 48 else label[:47] + "…"
    return f"{kind_of(widget)}: {label}" + (f" ({widget.key})" if widget.key else "")


def kind_of(widget: Widget) -> str:
    if isinstance(widget, ButtonGroup):
        return "segmented_control"
    return widget.type


# ---------------------------------------------------------------- changing a widget


CHOICE_KINDS = ("radio", "selectbox", "select_slider", "segmented_control", "multiselect")


def current_option(widget: Widget) -> str | None:
    """The formatted option a choice widget shows now (the text a browser sends back)."""
    value = widget.value
    if value is None or isinstance(value, list | tuple):
        return None
    try:
        return str(widget.format_func(value))
    except Exception:  # a format_func that fails on its own value: treat as no current option
        return None


def choose(widget: Widget, option: str) -> Widget:
    """Pick an option by its shown text, as a browser does, so raw values hidden by a format_func do not matter."""
    state = WidgetState()
    state.id = widget.id
    if kind_of(widget) in ("radio", "selectbox"):
        state.string_value = option
    else:
        state.string_array_value.data[:] = [option]
    widget.__class__ = type(f"Chosen{type(widget).__name__}", (type(widget),),
                            {"_widget_state": property(lambda _self: state)})
    return widget


def changes(widget: Widget, repeats: int) -> list[Callable[[Widget], object]]:
    """`repeats` changes, each to a value the widget has not held in this session where it has that many."""
    kind = kind_of(widget)
    if kind in ("slider", "number_input"):
        value = widget.value
        if isinstance(value, list | tuple) or value is None:
            return []
        step = widget.step or 1
        low = widget.min if widget.min is not None else value - repeats * step
        high = widget.max if widget.max is not None else value + repeats * step
        span = int(round((high - low) / step))
        if span < 1:
            return []
        cast = type(value)
        values = []
        position = int(round((value - low) / step))
        direction = 1 if position < span else -1
        for _ in range(repeats):
            if not 0 <= position + direction <= span:
                direction = -direction
            position += direction
            values.append(cast(round(low + position * step, 10)))
        return [lambda w, v=v: w.set_value(v) for v in values]
    if kind in CHOICE_KINDS:
        options = list(widget.options)
        current = current_option(widget)
        if current in options:
            index = options.index(current)
            options = options[index + 1:] + options[:index + 1]  # every other option, then back to the first
        if len(set(options)) < 2:
            return []
        sequence = [options[i % len(options)] for i in range(repeats)]
        return [lambda w, o=o: choose(w, o) for o in sequence]
    if kind in ("toggle", "checkbox"):
        return [lambda w: w.set_value(not w.value)] * repeats
    if kind in ("text_input", "text_area"):
        original = str(widget.value or "")
        texts = [original.rstrip() + " ", original.rstrip()]
        return [lambda w, t=texts[i % 2]: w.set_value(t) for i in range(repeats)]
    if kind in ("button", "form_submit_button"):
        return [lambda w: w.click()] * repeats
    if kind == "color_picker":
        colours = ["#112233", "#445566"]
        return [lambda w, c=colours[i % 2]: w.set_value(c) for i in range(repeats)]
    return []


# ---------------------------------------------------------------- measuring


@dataclass
class Target:
    page: str  # the page file
    tab: str
    ident: str
    description: str
    steps: list[Step] = field(default_factory=list)  # how to reach it from a fresh session


@dataclass
class Report:
    rows: list[dict[str, object]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: with 10 samples the p95 is the slowest, as a visitor would feel it."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


Sample = tuple[float, float]  # (wall seconds, CPU seconds of this process) of one run


def timed_run(at: AppTest) -> Sample:
    """Wall time, and the process's CPU time: steadier than wall time on a machine other work shares."""
    wall, cpu = time.perf_counter(), time.process_time()
    at.run()
    return time.perf_counter() - wall, time.process_time() - cpu


def row(page: str, tab: str, action: str, widget: str, samples: list[Sample]) -> dict[str, object]:
    walls, cpus = [wall for wall, _ in samples], [cpu for _, cpu in samples]
    return {"page": page_name(page), "tab": tab, "action": action, "widget": widget, "runs": len(samples),
            "median_ms": round(statistics.median(walls) * 1e3, 1),
            "p95_ms": round(percentile(walls, 0.95) * 1e3, 1),
            "cpu_median_ms": round(statistics.median(cpus) * 1e3, 1),
            "cpu_p95_ms": round(percentile(cpus, 0.95) * 1e3, 1)}


_SHARED_SCRIPT_CACHE = ScriptCache()


def compile_scripts_once() -> None:
    """One script cache for every AppTest run, as the server keeps one: it compiles each page script once.

    AppTest makes a new cache for each run, so every run compiled Home.py and its page again (7 ms for a
    500-line page): time the server never spends after a script's first run.
    """
    local_script_runner.ScriptCache = app_test.ScriptCache = lambda: _SHARED_SCRIPT_CACHE


def fresh(page: str) -> tuple[AppTest, Sample]:
    """A new visitor's session on `page`, and the time its first render took."""
    compile_scripts_once()
    at = AppTest.from_file(HOME, default_timeout=180)
    at.run()
    return at, timed_run(at.switch_page(page))


def reach(at: AppTest, steps: list[Step]) -> None:
    for how, key, value in steps:
        if how == "tab":  # a lazy tab opens from its key, as a click on it or a link carrying it would
            at.session_state[key] = value
            at.query_params[key] = value
        else:
            widget = find(at, key)
            if widget is None:
                raise LookupError(f"{key} is not drawn, so {value!r} cannot be chosen")
            choose(widget, value)
        at.run()


class CaughtErrors(logging.Handler):
    """Errors the page skeleton's error boundary caught: the visitor sees a friendly message, the log the error."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage() + (f": {record.exc_info[1]!r}" if record.exc_info else ""))


CAUGHT = CaughtErrors()
logging.getLogger("ui").addHandler(CAUGHT)


def exception_text(at: AppTest) -> str | None:
    """What went wrong in the last run: an exception on the page, or one the error boundary caught."""
    shown = [str(getattr(error, "message", error)) for error in at.exception]
    caught, CAUGHT.messages[:] = list(CAUGHT.messages), []
    return "; ".join(shown + caught) or None


def discover(page: str) -> tuple[list[TabBar], list[Target]]:
    """Every widget on every tab of `page`, and on every view that a small radio or select box reveals."""
    at, _ = fresh(page)
    bars = tab_bars(at)
    routes: list[tuple[str, list[Step]]] = [(PAGE_LEVEL, [])]
    for bar in bars:
        for label in bar.labels:
            routes.append((label, [("tab", bar.key, label)] if bar.key else []))
    targets: dict[str, Target] = {}

    def keep(found: Found, tab: str, steps: list[Step]) -> None:
        ident = identity(found.widget)
        if ident not in targets:
            targets[ident] = Target(page, tab, ident, describe(found.widget), list(steps))

    for tab, steps in routes:
        at, _ = fresh(page)
        reach(at, steps)
        for found in widgets_in(at):
            if found.tab == tab or (tab == PAGE_LEVEL and found.tab == SIDEBAR):
                keep(found, found.tab, steps)
        for found in [f for f in widgets_in(at) if f.tab == tab]:
            selector = found.widget
            if kind_of(selector) not in ("radio", "selectbox", "segmented_control") \
                    or len(selector.options) > REVEAL_LIMIT or not selector.key or selector.disabled:
                continue
            for option in selector.options:
                if option == current_option(selector):
                    continue
                view_steps = [*steps, ("choose", selector.key, option)]
                viewed, _ = fresh(page)
                reach(viewed, view_steps)
                view = f"{tab} / {option}" if tab else option
                for shown in widgets_in(viewed):
                    if shown.tab == tab:
                        keep(shown, view, view_steps)
    return bars, list(targets.values())


def measure_widget(target: Target, repeats: int, report: Report) -> None:
    at, _ = fresh(target.page)
    reach(at, target.steps)
    if error := exception_text(at):
        report.failures.append(f"{page_name(target.page)} / {target.tab or 'page'}: on opening: {error}")
        return
    widget = find(at, target.ident)
    if widget is None:
        report.skipped.append(f"{page_name(target.page)} / {target.description}: not drawn after its steps")
        return
    kind = kind_of(widget)
    if target.ident in LONG_WORK | OTHER_PAGE or kind in UNMEASURED_KINDS:
        why = ("starts long work" if target.ident in LONG_WORK else "opens another page" if target.ident in OTHER_PAGE
               else "not a change AppTest can make")
        report.skipped.append(f"{page_name(target.page)} / {target.description}: {why}")
        return
    if widget.disabled:
        report.skipped.append(f"{page_name(target.page)} / {target.description}: disabled at first")
        return
    plan = changes(widget, repeats)
    if not plan:
        report.skipped.append(f"{page_name(target.page)} / {target.description}: no other value to set")
        return
    samples = []
    for change in plan:
        widget = find(at, target.ident)
        if widget is None or widget.disabled:
            break  # a button that ran out of work (the last example) or a widget its own change removed
        change(widget)
        samples.append(timed_run(at))
        if error := exception_text(at):
            report.failures.append(f"{page_name(target.page)} / {target.description}: {error}")
            return
    if samples:
        report.rows.append(row(target.page, target.tab, target.description, target.ident, samples))


def one_per_kind(targets: list[Target]) -> list[Target]:
    """The first widget of each kind on each tab: a quick run that still covers every kind everywhere."""
    chosen: dict[tuple[str, str], Target] = {}
    for target in targets:
        chosen.setdefault((target.tab, target.description.split(":")[0]), target)
    return list(chosen.values())


def measure(repeats: int, pages: list[str] | None = None, quick: bool = False,
            progress: Callable[[str], None] | None = None, widgets: list[str] | None = None) -> Report:
    report = Report()
    for page in page_paths():
        if pages and page_name(page) not in pages:
            continue
        fresh(page)  # warm: imports and caches happen once per server process
        first = [fresh(page)[1] for _ in range(repeats)]
        if error := exception_text(fresh(page)[0]):
            report.failures.append(f"{page_name(page)}: on opening: {error}")
        report.rows.append(row(page, PAGE_LEVEL, "first render (warm)", "", first))
        bars, targets = discover(page)
        if widgets:
            targets = [target for target in targets if target.ident in widgets]
            bars = []
        for bar in bars:
            for label in bar.labels[1:] if bar.key else []:
                samples = []
                for _ in range(repeats):
                    at, _ = fresh(page)
                    at.session_state[bar.key] = label
                    at.query_params[bar.key] = label
                    samples.append(timed_run(at))
                    if error := exception_text(at):
                        report.failures.append(f"{page_name(page)} / {label}: on opening: {error}")
                report.rows.append(row(page, label, f"tab: open {label}", bar.key, samples))
        for target in one_per_kind(targets) if quick else targets:
            if progress is not None:
                progress(f"{page_name(page)} / {target.tab or '-'} / {target.description}")
            try:
                measure_widget(target, repeats, report)
            except Exception as error:  # one widget AppTest cannot drive must not hide the rest
                report.failures.append(f"{page_name(page)} / {target.description}: {type(error).__name__}: {error}")
    return report


@dataclass
class FullCollections:
    """The garbage collector's full (generation 2) collections while measuring: each one stalls the rerun it lands in."""
    pauses_ms: list[float] = field(default_factory=list)
    started: float = 0.0

    def watch(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses_ms.append((time.perf_counter() - self.started) * 1000)

    def summary(self) -> str:
        longest = max(self.pauses_ms, default=0.0)
        return (f"full garbage collections: {len(self.pauses_ms)}, {sum(self.pauses_ms):.0f} ms in all, the longest "
                f"{longest:.0f} ms; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="reruns per widget (default 10)")
    parser.add_argument("--json", action="store_true", help="print the rows as a JSON list")
    parser.add_argument("--page", action="append", default=None, help="only this page (repeatable), e.g. maps")
    parser.add_argument("--one-per-kind", action="store_true",
                        help="only the first widget of each kind on each tab (a quicker run)")
    parser.add_argument("--widget", action="append", default=None,
                        help="only the widget with this key (repeatable), e.g. maps.tissot")
    parser.add_argument("--verbose", action="store_true", help="name each widget on stderr as it is measured")
    args = parser.parse_args(argv)
    progress = (lambda text: print(text, file=sys.stderr, flush=True)) if args.verbose else None
    pauses = FullCollections()
    gc.callbacks.append(pauses.watch)
    report = measure(max(1, args.repeats), args.page, args.one_per_kind, progress, args.widget)
    gc.callbacks.remove(pauses.watch)
    if args.json:
        print(json.dumps(report.rows, indent=1, ensure_ascii=False))
    else:
        print(f"{'page':<15} {'tab':<26} {'action':<72} {'runs':>4} {'median ms':>10} {'p95 ms':>8} "
              f"{'CPU median':>10} {'CPU p95':>8}")
        for entry in report.rows:
            print(f"{entry['page']:<15} {str(entry['tab'])[:26]:<26} {str(entry['action'])[:72]:<72} "
                  f"{entry['runs']:>4} {entry['median_ms']:>10.1f} {entry['p95_ms']:>8.1f} "
                  f"{entry['cpu_median_ms']:>10.1f} {entry['cpu_p95_ms']:>8.1f}")
    print(pauses.summary(), file=sys.stderr)
    for line in report.skipped:
        print(f"not measured: {line}", file=sys.stderr)
    for line in report.failures:
        print(f"FAILED: {line}", file=sys.stderr)
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
