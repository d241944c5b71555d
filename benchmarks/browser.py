"""What a person feels: cold start, one visitor alone, and a meetup room, timed in a real browser.

Starts its own `streamlit run Home.py` on a free 127.0.0.1 port (only loopback traffic) and drives
Debian's Chromium through Playwright:

- cold start: seconds from starting the server process to the first page drawn, then, for the
  first visitor, from a click on each page's link in the sidebar to that page drawn and idle;
- one visitor alone: per demo, from a key press on a slider (or a click on a choice) until the
  app is idle and redrawn, as p50/p95 over `--repeats` presses;
- a room: `--visitors` browser contexts in one browser; `--trainers` of them press Train (the
  talk's preset, on full MNIST when it is present) while the rest move sliders for
  `--room-seconds`; reports their p50/p95, the server's peak RSS (VmHWM) and every exception
  shown on any page.

"Idle" is read from the app's own websocket messages: the key press sends a rerun request, and
the time stops once a script run that started after it has finished, no run is going, and the
browser has painted two frames since. Every loop is bounded by a count and a deadline.

    python -m benchmarks.browser [--parts cold,solo,room] [--repeats 10] [--visitors 30] [--trainers 5]
                                 [--room-seconds 60] [--mnist-dir DIR] [--json]

Short smoke run: `--repeats 3 --visitors 4 --trainers 1 --room-seconds 15`. The exit status is 1
when an exception showed on a page or an interaction never came back to idle.
"""
from __future__ import annotations

import argparse
import ast
import asyncio
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
MNIST_ENV_VAR = "MNIST_CACHE_DIR"  # the folder lib/mnist/data.py reads full MNIST from
SERVER_START_LIMIT_S = 120.0
PAGE_LIMIT_S = 180.0  # the first visit to a torch page imports torch in the server
ACTION_LIMIT_S = 60.0
SKELETON_LIMIT_S = 10.0  # a widget's code loads on first use and shows a placeholder until then
VIEWPORT = {"width": 1400, "height": 1000}
SMALL_FRAME_BYTES = 1024  # run-state messages are tiny; page content (deltas) is never decoded
TAB_FAILED = re.compile(r"page: the tab .* failed")  # what ui.page logs when its error boundary catches one


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
TRAIN_DEMO = Demo("mnist: train", "mnist", "mnist.train", tab="Train")
TRAIN_STOP_KEY = "mnist.stop"


def key_class(key: str) -> str:
    """The CSS class Streamlit gives a keyed widget's container (its frontend's own rule)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest rank: with 10 samples the p95 is the slowest, as the person who waited longest felt it."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def summary(samples_s: list[float]) -> dict[str, object]:
    if not samples_s:
        return {"runs": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    return {"runs": len(samples_s), "p50_ms": round(statistics.median(samples_s) * 1e3),
            "p95_ms": round(percentile(samples_s, 0.95) * 1e3), "max_ms": round(max(samples_s) * 1e3)}


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


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def proc_status_kb(pid: int, field_name: str) -> int | None:
    """A `VmHWM:`-style line of /proc/<pid>/status, in kB (None off Linux or once the process ended)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds of these processes (children that ended are not counted)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


def descendants(root_pid: int, exclude: int | None = None) -> list[int]:
    """Every live process under `root_pid` (the browser and Playwright's driver under this one)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [root_pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child != exclude:
                found.append(child)
                stack.append(child)
    return found


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    started: float  # perf_counter when the process was started
    log_path: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mb(self) -> float | None:
        peak = proc_status_kb(self.pid, "VmHWM")
        return None if peak is None else round(peak / 1024, 1)

    def errors_logged(self) -> list[str]:
        """Lines of the server's log where a tab failed (the skeleton shows a friendly message, the log the error)."""
        try:
            lines = Path(self.log_path).read_text(errors="replace").splitlines()
        except OSError:
            return []
        return [line.strip() for line in lines if TAB_FAILED.search(line) or line.startswith("Traceback")]

    def rss_mb(self) -> float | None:
        now = proc_status_kb(self.pid, "VmRSS")
        return None if now is None else round(now / 1024, 1)


@contextmanager
def running_server(mnist_dir: Path | None, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """`streamlit run Home.py` on a free loopback port; stopped (and waited for) on the way out."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    if mnist_dir is not None:
        env[MNIST_ENV_VAR] = str(mnist_dir)
    log = tempfile.NamedTemporaryFile("w", prefix="benchmark-browser-", suffix=".log", delete=False)  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        yield Server(process, f"http://127.0.0.1:{port}", started, log.name)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()


async def wait_healthy(server: Server) -> float:
    """Seconds from the process start until /_stcore/health answers."""
    deadline = time.perf_counter() + SERVER_START_LIMIT_S
    while not await asyncio.to_thread(healthy, server.url):
        if server.process.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"streamlit did not become healthy; its log is {server.log_path}")
        await asyncio.sleep(0.05)  # poll interval of the health endpoint
    return time.perf_counter() - server.started


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

    async def wait_idle(self, since: float, limit_s: float = ACTION_LIMIT_S, settle: bool = True) -> float:
        """perf_counter once a run requested after `since` has finished, nothing runs, and the page is painted.

        `settle=False` stops at the first finished run: for a page that keeps polling (a training run).
        """
        deadline = time.perf_counter() + limit_s
        while time.perf_counter() < deadline:
            requests = [t for t in self.rerun_requests if t >= since]
            if requests and not settle and any(t >= requests[0] for t in self.runs_finished):
                await self.painted()
                self._note_script_time(requests[0])
                return time.perf_counter()
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

    async def act(self, key: str, settle: bool = True) -> float:
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
            return await self._timed_click(options.nth(choice), settle)
        toggle = container.locator('input[type="checkbox"]')
        if await toggle.count():
            return await self._timed_click(container.locator("label").first, settle)
        return await self._timed_click(container.locator("button").first, settle)

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

    async def _timed_click(self, target, settle: bool = True) -> float:
        started = time.perf_counter()
        await target.click(timeout=ACTION_LIMIT_S * 1e3)
        return await self.wait_idle(started, settle=settle) - started


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


@dataclass
class RoomLog:
    moves: list[float] = field(default_factory=list)
    opens: list[float] = field(default_factory=list)
    train_clicks: list[float] = field(default_factory=list)
    training_refused: int = 0
    errors: list[str] = field(default_factory=list)
    exceptions: int = 0
    rss_samples: list[float] = field(default_factory=list)


async def room(browser, server: Server, visitors: int, trainers: int, seconds: float, seed: int,
               demos: tuple[Demo, ...]) -> dict[str, object]:
    """`visitors` at once: `trainers` press Train while the rest move sliders for `seconds`."""
    log = RoomLog()
    rng = random.Random(seed)
    crowd = [await new_visitor(browser, server.url) for _ in range(visitors)]
    roles = [TRAIN_DEMO if index < trainers else demos[index % len(demos)] for index in range(visitors)]
    arrivals = asyncio.Semaphore(4)  # people arrive over a minute, not all in the same millisecond

    async def arrive(visitor: Visitor, demo: Demo) -> bool:
        async with arrivals:
            try:
                log.opens.append(await visitor.open(demo.path, demo.query, demo.tab))
                return True
            except Exception as error:
                log.errors.append(f"{demo.name}: opening: {type(error).__name__}: {error}")
                return False

    arrived = await asyncio.gather(*(arrive(v, d) for v, d in zip(crowd, roles, strict=True)))
    client_pids_before = descendants(os.getpid(), exclude=server.pid)
    cpu_before = (cpu_seconds([server.pid]), cpu_seconds(client_pids_before), time.perf_counter())
    end = time.perf_counter() + seconds

    async def train(visitor: Visitor) -> None:
        try:
            log.train_clicks.append(await visitor.act(TRAIN_DEMO.key, settle=False))
            refused = visitor.page.get_by_text(re.compile("training runs are already going|runs are already going"))
            log.training_refused += int(await refused.count() > 0)
        except Exception as error:
            log.errors.append(f"{TRAIN_DEMO.name}: {type(error).__name__}: {error}")

    async def move(visitor: Visitor, demo: Demo, pause: random.Random) -> None:
        for _ in range(10_000):  # bounded; the deadline ends it long before
            if time.perf_counter() > end:
                return
            try:
                log.moves.append(await visitor.act(demo.key))
            except Exception as error:
                log.errors.append(f"{demo.name}: {type(error).__name__}: {error}")
                return
            await asyncio.sleep(pause.uniform(0.3, 1.2))  # a person looks at the chart before the next move

    async def watch_memory() -> None:
        while time.perf_counter() < end:
            if (now := server.rss_mb()) is not None:
                log.rss_samples.append(now)
            await asyncio.sleep(0.5)

    work = [watch_memory()]
    for visitor, demo, present in zip(crowd, roles, arrived, strict=True):
        if present:
            work.append(train(visitor) if demo is TRAIN_DEMO else move(visitor, demo, random.Random(rng.random())))
    await asyncio.gather(*work)
    client_pids = descendants(os.getpid(), exclude=server.pid)
    server_cpu = cpu_seconds([server.pid]) - cpu_before[0]
    client_cpu = cpu_seconds(client_pids) - cpu_before[1]
    wall = time.perf_counter() - cpu_before[2]
    for visitor in crowd:
        try:
            log.exceptions += await visitor.exceptions()
        except Exception as error:
            log.errors.append(f"counting exceptions: {type(error).__name__}: {error}")
    for visitor in crowd[:trainers]:
        stop = visitor.page.locator(f".{key_class(TRAIN_STOP_KEY)} button")
        if await stop.count():
            await stop.first.click()  # leaves nothing training once the room is over
    for visitor in crowd:
        await visitor.page.context.close()
    return {
        "visitors": visitors, "trainers": trainers, "seconds": seconds,
        "mnist": os.environ.get(MNIST_ENV_VAR) or "as the server finds it",
        "open": summary(log.opens), "slider_moves": summary(log.moves), "train_clicks": summary(log.train_clicks),
        "training_refused": log.training_refused, "exceptions": log.exceptions,
        "peak_rss_mb": server.peak_rss_mb(), "rss_mb_max_sampled": max(log.rss_samples, default=None),
        "cpu_cores": os.cpu_count(),
        "server_cpu_share": round(server_cpu / wall, 2) if wall else None,
        "client_cpu_share": round(client_cpu / wall, 2) if wall else None,
        "errors": log.errors,
    }


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
    if crowd := result.get("room"):
        print(f"A room: {crowd['visitors']} visitors, {crowd['trainers']} pressing Train, {crowd['seconds']:.0f} s "
              f"(MNIST: {crowd['mnist']})")
        for label, name in (("opening a page", "open"), ("slider moves", "slider_moves"), ("Train clicks", "train_clicks")):
            cells = crowd[name]
            print(f"  {label:<16} runs {cells['runs']:>4}  p50 {cells['p50_ms'] or '-':>6} ms  "
                  f"p95 {cells['p95_ms'] or '-':>6} ms  max {cells['max_ms'] or '-':>6} ms")
        print(f"  training refused (app-wide slot limit): {crowd['training_refused']}")
        print(f"  exceptions shown: {crowd['exceptions']}")
        print(f"  server peak RSS (VmHWM): {crowd['peak_rss_mb']} MB")
        print(f"  CPU use over the run, in cores of {crowd['cpu_cores']}: server {crowd['server_cpu_share']}, "
              f"browser and driver {crowd['client_cpu_share']}")
        for error in crowd["errors"][:20]:
            print(f"  error: {error}")
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
                if "room" in parts and args.visitors > 0:
                    result["room"] = await room(browser, server, args.visitors, min(args.trainers, args.visitors),
                                                args.room_seconds, args.seed, demos)
                result["server_peak_rss_mb"] = server.peak_rss_mb()
                result["server_errors_logged"] = server.errors_logged()
        finally:
            await browser.close()
    return result


def failed(result: dict[str, object]) -> bool:
    cold = result.get("cold_start") or {}
    crowd = result.get("room") or {}
    return bool(cold.get("exceptions") or crowd.get("exceptions") or crowd.get("errors")
                or result.get("server_errors_logged")
                or any(row.get("error") or row.get("exceptions") for row in result.get("solo") or []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="cold,solo,room", help="which runs, comma-separated: cold, solo, room")
    parser.add_argument("--repeats", type=int, default=10, help="presses per demo for one visitor alone")
    parser.add_argument("--visitors", type=int, default=30, help="browser contexts in the room")
    parser.add_argument("--trainers", type=int, default=5, help="visitors in the room who press Train")
    parser.add_argument("--room-seconds", type=float, default=60.0, help="how long the room moves sliders")
    parser.add_argument("--demo", action="append", default=None, help="only demos whose name contains this")
    parser.add_argument("--seed", type=int, default=0, help="seeds the room's pauses between moves")
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
