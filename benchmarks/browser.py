"""What a person feels: cold start and one visitor alone, timed in a real browser.

Starts its own `streamlit run Home.py` on a free 127.0.0.1 port (only loopback traffic) and drives
Debian's Chromium through Playwright:

- cold start: seconds from starting the server process to the first page drawn, then, for the
  first visitor, from a click on each page's link in the sidebar to that page drawn and idle;
- one visitor alone: per demo, from a key press on a slider (or a click on a choice) until the
  app is idle and redrawn, as p50/p95 over `--repeats` presses.

A room is measured at the server, not here: `python -m benchmarks.room_load` (a browser per visitor
on the same cores measures Chromium, not the app).

"Idle" is read from the app's own websocket messages: the key press sends a rerun request, and
the time stops once a script run that started after it has finished, no run is going, and the
browser has painted two frames since. Every loop is bounded by a count and a deadline.

    python -m benchmarks.browser [--parts cold,solo] [--repeats 10] [--demo NAME] [--mnist-dir DIR] [--json]

Short smoke run: `--repeats 3`. The exit status is 1 when an exception showed on a page or an
interaction never came back to idle.
"""
from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.latency import summary
from benchmarks.serving import MNIST_ENV_VAR, SHARED_MNIST, Server, running_server, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]
PAGE_LIMIT_S = 180.0  # the first visit to a torch page imports torch in the server
ACTION_LIMIT_S = 60.0
SKELETON_LIMIT_S = 10.0  # a widget's code loads on first use and shows a placeholder until then
VIEWPORT = {"width": 1400, "height": 1000}
SMALL_FRAME_BYTES = 1024  # run-state messages are tiny; page content (deltas) is never decoded


@dataclass(frozen=True)
class Demo:
    """One demo and the widget that drives it: a slider, a number, a choice, a toggle or a button."""

    name: str
    path: str  # the page's URL path
    key: str  # the widget's key
    tab: str | None = None  # a pattern matching the tab to open first, when the demo sits in a tab
    query: tuple[tuple[str, str], ...] = ()  # settings in the link (a view of the methodology page)


DEMOS: tuple[Demo, ...] = (
    Demo("methodology: checklist", "methodology", "methodology.checklist.section",
         query=(("methodology.view", "checklist"),)),
    Demo("methodology: over-fitting", "methodology", "methodology.fit.degree", query=(("methodology.view", "overfitting"),)),
    Demo("methodology: accuracy", "methodology", "methodology.shots.bias", query=(("methodology.view", "accuracy"),)),
    Demo("methodology: ROC", "methodology", "methodology.roc.threshold", query=(("methodology.view", "roc"),)),
    Demo("methodology: losses", "methodology", "methodology.loss.outlier_y", query=(("methodology.view", "losses"),)),
    Demo("methodology: hypothesis", "methodology", "methodology.test.effect", query=(("methodology.view", "hypothesis"),)),
    Demo("methodology: baseline", "methodology", "methodology.baseline.value_per_point",
         query=(("methodology.view", "baseline"),)),
    Demo("methodology: bias", "methodology", "methodology.bias.minority_share", query=(("methodology.view", "bias"),)),
    Demo("pytorch_basics: km to miles", "pytorch_basics", "pytorch_basics.km_next", tab="Kilometres"),
    Demo("pytorch_basics: autograd", "pytorch_basics", "pytorch_basics.x", tab="Autograd"),
    Demo("pytorch_basics: matmul", "pytorch_basics", "pytorch_basics.matmul_max", tab="GPU"),
    Demo("mnist: explore", "mnist", "mnist.record", tab="Explore"),
    Demo("mnist: train settings", "mnist", "mnist.hidden", tab="Train"),
    Demo("mnist: CPU vs GPU", "mnist", "mnist.scaling_samples", tab="CPU vs GPU"),
    Demo("maps: campus", "maps", "maps.campus_vision", tab="Campus"),
    Demo("maps: projections", "maps", "maps.tissot", tab="Projections"),
    Demo("maps: move a country", "maps", "maps.lat", tab="Move a country"),
    Demo("maps: colour", "maps", "maps.classes", tab="Colour"),
    Demo("maps: type", "maps", "maps.type_size", tab="Type"),
    Demo("kids: hands", "kids", "kids.hands_guess", tab="Hands"),
    Demo("kids: garden", "kids", "kids.garden_k", tab="Garden"),
    Demo("kids: spy", "kids", "kids.spy_added", tab="[Ss]py"),
    Demo("kids: x-rays", "kids", "kids.xray_highest", tab="X-rays"),
)


def key_class(key: str) -> str:
    """The CSS class Streamlit gives a keyed widget's container (its frontend's own rule)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def pages_in_order() -> list[tuple[str, str]]:
    """(URL path, title) of each page Home.py routes to, in its order, from its `st.Page(...)` calls."""
    tree = ast.parse((ROOT / "Home.py").read_text(encoding="utf-8"))
    pages = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "Page" \
                and node.args and isinstance(node.args[0], ast.Constant):
            options = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            default_path = Path(str(node.args[0].value)).with_suffix("").name
            pages.append((str(options.get("url_path", default_path)), str(options.get("title", default_path))))
    return pages


# ---------------------------------------------------------------- one visitor


class NeverIdle(RuntimeError):
    """An action whose rerun did not finish within its deadline."""


@dataclass
class Visitor:
    """One browser context and page, and what its websocket says about the app's script runs."""

    page: object
    base_url: str
    rerun_requests: list[float] = field(default_factory=list)  # perf_counter of each rerun request sent
    runs_finished: list[float] = field(default_factory=list)  # perf_counter of each completed run
    runs_started: list[float] = field(default_factory=list)  # perf_counter of each run's first message
    last_script_s: float | None = None  # the last action's run: its first message to its end, as the browser saw them
    running: bool = False
    directions: dict[str, int] = field(default_factory=dict)  # which way each slider is being pushed

    def attach(self) -> None:
        self.page.on("websocket", self._watch)

    def _watch(self, socket_) -> None:
        socket_.on("framesent", self._sent)
        socket_.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if isinstance(payload, bytes | bytearray) and len(payload) < 64 * SMALL_FRAME_BYTES:
            try:
                message = BackMsg.FromString(bytes(payload))
            except Exception:  # not a BackMsg: nothing to learn from it
                return
            if message.WhichOneof("type") == "rerun_script":
                self.rerun_requests.append(time.perf_counter())

    def _received(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes | bytearray) or len(payload) > SMALL_FRAME_BYTES:
            return
        try:
            message = ForwardMsg.FromString(bytes(payload))
        except Exception:  # not a ForwardMsg: nothing to learn from it
            return
        kind = message.WhichOneof("type")
        if kind == "session_status_changed":
            self.running = message.session_status_changed.script_is_running
        elif kind == "script_finished":
            if message.script_finished != ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                self.runs_finished.append(time.perf_counter())
        elif kind == "new_session":
            self.running = True
            self.runs_started.append(time.perf_counter())

    async def painted(self) -> None:
        """Two animation frames, then until no lazily loaded widget still shows its placeholder."""
        await self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        try:
            await self.page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stMain\"] [data-testid=\"stSkeleton\"]')",
                timeout=SKELETON_LIMIT_S * 1e3, polling="raf")
        except Exception:  # a placeholder that stays (an empty st.empty, say) must not stall the benchmark
            return

    async def wait_idle(self, since: float, limit_s: float = ACTION_LIMIT_S) -> float:
        """perf_counter once a run requested after `since` has finished, nothing runs, and the page is painted."""
        deadline = time.perf_counter() + limit_s
        while time.perf_counter() < deadline:
            requests = [t for t in self.rerun_requests if t >= since]
            if requests and not self.running and any(t >= requests[-1] for t in self.runs_finished):
                await self.painted()
                if not self.running and not [t for t in self.rerun_requests if t > requests[-1]]:
                    self._note_script_time(requests[0])
                    return time.perf_counter()
            await asyncio.sleep(0.003)  # yields to Playwright's event dispatch, which updates the fields above
        raise NeverIdle(f"no finished script run within {limit_s:.0f} s")

    def _note_script_time(self, requested: float) -> None:
        started = next((t for t in self.runs_started if t >= requested), None)
        finished = [t for t in self.runs_finished if started is not None and t >= started]
        self.last_script_s = finished[-1] - started if finished else None

    async def open(self, path: str, query: tuple[tuple[str, str], ...] = (), tab: str | None = None) -> float:
        """Load a page (and tab) as a visitor following a link would; seconds until it is drawn and idle."""
        from urllib.parse import urlencode

        started = time.perf_counter()
        url = f"{self.base_url}/{path}" + (f"?{urlencode(query)}" if query else "")
        await self.page.goto(url, timeout=PAGE_LIMIT_S * 1e3)
        await self.wait_idle(started, PAGE_LIMIT_S)
        if tab is not None:
            await self.open_tab(tab)
        return time.perf_counter() - started

    async def open_tab(self, pattern: str) -> None:
        tab = self.page.get_by_role("tab", name=re.compile(pattern)).first
        if await tab.get_attribute("aria-selected") == "true":
            return
        started = time.perf_counter()
        await tab.click()
        await self.wait_idle(started, PAGE_LIMIT_S)

    async def follow_link(self, path: str) -> float:
        """Click a page's link in the sidebar; seconds until that page is drawn and idle."""
        link = self.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first
        started = time.perf_counter()
        await link.click(timeout=PAGE_LIMIT_S * 1e3)
        await self.wait_idle(started, PAGE_LIMIT_S)
        return time.perf_counter() - started

    async def exceptions(self) -> int:
        return await self.page.locator('[data-testid="stException"]').count()

    async def act(self, key: str) -> float:
        """Change the widget with this key the way a person would; seconds until the app is idle again."""
        container = self.page.locator(f".{key_class(key)}").first
        await container.locator("input, button").first.wait_for(timeout=ACTION_LIMIT_S * 1e3)
        await container.scroll_into_view_if_needed(timeout=ACTION_LIMIT_S * 1e3)
        thumb = container.locator('input[type="range"], [role="slider"]')
        if await thumb.count():
            return await self._press_slider(key, thumb.first)
        step_up = container.locator('[data-testid="stNumberInputStepUp"]')
        if await step_up.count():
            step_down = container.locator('[data-testid="stNumberInputStepDown"]').first
            direction = self.directions.get(key, 1)
            button = step_up.first if direction > 0 else step_down
            if await button.is_disabled():
                direction = -direction
                button = step_up.first if direction > 0 else step_down
            self.directions[key] = direction
            return await self._timed_click(button)
        radios = container.locator('[role="radiogroup"] label')
        if await radios.count():
            choices = await radios.count()
            checked = await container.locator("input").evaluate_all("inputs => inputs.findIndex(i => i.checked)")
            return await self._timed_click(radios.nth((checked + 1) % choices))
        combobox = container.locator('[role="combobox"]')
        if await combobox.count():
            current = await combobox.first.input_value()
            opener = container.locator('button[aria-haspopup="listbox"]')
            await (opener.first if await opener.count() else combobox.first).click()
            options = self.page.locator('[role="listbox"] [role="option"]')
            await options.first.wait_for(timeout=ACTION_LIMIT_S * 1e3)
            texts = [text.strip() for text in await options.all_inner_texts()]
            index = texts.index(current) if current in texts else -1
            choice = next(i % len(texts) for i in range(index + 1, index + 1 + len(texts)) if texts[i % len(texts)] != current)
            return await self._timed_click(options.nth(choice))
        toggle = container.locator('input[type="checkbox"]')
        if await toggle.count():
            return await self._timed_click(container.locator("label").first)
        return await self._timed_click(container.locator("button").first)

    async def _press_slider(self, key: str, thumb) -> float:
        now, low, high = await thumb.evaluate(
            "t => [t.value ?? t.getAttribute('aria-valuenow'), t.min ?? t.getAttribute('aria-valuemin'),"
            " t.max ?? t.getAttribute('aria-valuemax')].map(Number)")
        direction = self.directions.get(key, 1)
        if (direction > 0 and now >= high) or (direction < 0 and now <= low):
            direction = -direction
        self.directions[key] = direction
        await thumb.focus()
        started = time.perf_counter()
        await thumb.press("ArrowRight" if direction > 0 else "ArrowLeft")
        return await self.wait_idle(started) - started

    async def _timed_click(self, target) -> float:
        started = time.perf_counter()
        await target.click(timeout=ACTION_LIMIT_S * 1e3)
        return await self.wait_idle(started) - started


async def new_visitor(browser, base_url: str) -> Visitor:
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_LIMIT_S * 1e3)
    visitor = Visitor(await context.new_page(), base_url)
    visitor.attach()
    return visitor


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


# ---------------------------------------------------------------- the three runs


async def cold_start(browser, server: Server) -> dict[str, object]:
    """Seconds to the first page drawn from the process start, then from a click to each page for the same visitor."""
    visitor = await new_visitor(browser, server.url)
    health_s = await wait_healthy(server)
    await visitor.open("")
    first_page_s = time.perf_counter() - server.started
    pages = {}
    for path, title in pages_in_order()[1:]:
        pages[path] = {"title": title, "seconds": round(await visitor.follow_link(path), 2)}
    result = {"server_healthy_s": round(health_s, 2), "first_page_s": round(first_page_s, 2),
              "first_visit_by_page": pages, "exceptions": await visitor.exceptions(),
              "server_rss_mb_after": server.rss_mb()}
    await visitor.page.context.close()
    return result


async def solo(browser, server: Server, repeats: int, demos: tuple[Demo, ...]) -> list[dict[str, object]]:
    """One visitor alone: each demo's widget changed `repeats` times, each timed until idle."""
    rows = []
    visitor = await new_visitor(browser, server.url)
    for demo in demos:
        entry: dict[str, object] = {"demo": demo.name, "page": demo.path, "widget": demo.key}
        try:
            await visitor.open(demo.path, demo.query, demo.tab)
            samples, scripts = [], []
            for _ in range(repeats):
                samples.append(await visitor.act(demo.key))
                if visitor.last_script_s is not None:
                    scripts.append(visitor.last_script_s)
            entry.update(summary(samples), exceptions=await visitor.exceptions(),
                         script_p50_ms=round(statistics.median(scripts) * 1e3) if scripts else None)
        except Exception as error:  # one demo a browser cannot reach must not hide the rest
            entry.update(summary([]), exceptions=await visitor.exceptions(), error=f"{type(error).__name__}: {error}")
        rows.append(entry)
    await visitor.page.context.close()
    return rows


# ---------------------------------------------------------------- printing


def print_tables(result: dict[str, object]) -> None:
    if cold := result.get("cold_start"):
        print("Cold start (seconds)")
        print(f"  server healthy          {cold['server_healthy_s']:>7.2f}")
        print(f"  first page drawn        {cold['first_page_s']:>7.2f}   (from `streamlit run`)")
        for path, entry in cold["first_visit_by_page"].items():
            print(f"  first visit: {path:<16}{entry['seconds']:>7.2f}")
        print(f"  exceptions shown        {cold['exceptions']:>7}")
        print()
    if rows := result.get("solo"):
        print("One visitor alone: from the key press or click to idle and redrawn")
        print("  (script: from the run's first message to its last, as the browser received them; the rest of a")
        print("  press is the widget sending its value, the network and the browser drawing)")
        print(f"  {'demo':<32} {'widget':<36} {'runs':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'script':>7}")
        for entry in rows:
            cells = [entry.get(name) if entry.get(name) is not None else "-"
                     for name in ("runs", "p50_ms", "p95_ms", "max_ms", "script_p50_ms")]
            print(f"  {entry['demo']:<32} {entry['widget']:<36} {cells[0]:>4} {cells[1]:>7} {cells[2]:>7} {cells[3]:>7}"
                  f" {cells[4]:>7}"
                  + (f"  {entry['error']}" if entry.get("error") else "")
                  + (f"  {entry['exceptions']} exception(s)" if entry.get("exceptions") else ""))
        print()
    if logged := result.get("server_errors_logged"):
        print(f"\nErrors in the server's log ({len(logged)}):")
        for line in logged[:20]:
            print(f"  {line}")


# ---------------------------------------------------------------- main


async def run(args: argparse.Namespace) -> dict[str, object]:
    from playwright.async_api import async_playwright

    parts = set(args.parts.split(","))
    demos = tuple(d for d in DEMOS if not args.demo or any(p in d.name for p in args.demo))
    result: dict[str, object] = {"machine": {"cpu_cores": os.cpu_count(), "load_average": os.getloadavg()}}
    async with async_playwright() as playwright:
        browser = await launch(playwright)  # started before the server, so its start-up is not counted
        try:
            extra_env = dict(item.split("=", 1) for item in args.server_env or [])
            with running_server(args.mnist_dir, extra_env) as server:
                if "cold" in parts:
                    result["cold_start"] = await cold_start(browser, server)
                else:
                    await wait_healthy(server)
                if "solo" in parts:
                    result["solo"] = await solo(browser, server, args.repeats, demos)
                result["server_peak_rss_mb"] = server.peak_rss_mb()
                result["server_errors_logged"] = server.errors_logged()
        finally:
            await browser.close()
    return result


def failed(result: dict[str, object]) -> bool:
    cold = result.get("cold_start") or {}
    return bool(cold.get("exceptions")
                or result.get("server_errors_logged")
                or any(row.get("error") or row.get("exceptions") for row in result.get("solo") or []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="cold,solo", help="which runs, comma-separated: cold, solo")
    parser.add_argument("--repeats", type=int, default=10, help="presses per demo for one visitor alone")
    parser.add_argument("--demo", action="append", default=None, help="only demos whose name contains this")
    parser.add_argument("--mnist-dir", type=Path, default=SHARED_MNIST if SHARED_MNIST.is_dir() else None,
                        help=f"full MNIST for the server (default {SHARED_MNIST} when present)")
    parser.add_argument("--server-env", action="append", default=None, metavar="NAME=VALUE",
                        help="an environment variable for the server (repeatable), e.g. MALLOC_ARENA_MAX=2")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    if args.mnist_dir is not None:
        os.environ[MNIST_ENV_VAR] = str(args.mnist_dir)
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        print_tables(result)
    return 1 if failed(result) else 0


if __name__ == "__main__":
    raise SystemExit(main())
