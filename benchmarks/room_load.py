"""A room at the server: protocol-level visitors moving sliders while some train, timed by the server's replies.

    python -m benchmarks.room_load [--visitors 30] [--trainers 5] [--think 2] [--seconds 60] [--url URL]
                                   [--arrive-together] [--soak] [--server-pids PID,...] [--json]
                                   [--page PATH] [--demo TEXT] [--save-demos FILE | --demos FILE]
                                   [--follow [--followers 100] [--presenter-every 5] [--room-db URL] [--db-read-log FILE]
                                             [--runsheet]]

One asyncio process speaks Streamlit's own websocket protocol (benchmarks/st_protocol.py) for every
visitor and draws nothing, so the figures are the server's, not a browser's:

1. A scout opens every page of the router (the `navigation` message) and every tab bound to the URL
   (or view, for a page of views), and keeps each one with a widget to move as a demo: its link.
   With `--arrive-together` on a server it starts itself, the scout uses a throwaway server first,
   so the room meets a server that has just started.
2. With `--arrive-together`, all visitors open their demo at the same moment: first-page time runs
   from the first HTTP request to the end of the first script run.
3. A lone visitor opens each demo and moves its sliders (`--solo-moves` each): the same mix, alone.
4. The room: `--trainers` of the visitors open the MNIST Train tab (talk preset), press Train and
   answer the server's `auto_rerun` requests as the browser's timer does; the others move a slider
   of their demo every `--think` seconds (jittered +-50%) to another valid value, sending the state
   of every widget on the page, inside its fragment where it sits in one. A move's time runs from
   the send to that run's `script_finished`. For `--seconds`, the server's processes and their
   children are sampled in /proc every 0.5 s (CPU cores used, peak RSS per process).
   `--soak`: 20 minutes (unless `--seconds`) of visitors who stay 1-4 minutes each and are replaced
   by new ones; prints the servers' RSS over time and its end against its value after 2 minutes.

`--follow` (docs/performance.md): a room made in the server's room database, a presenter on the
Garden tab moving `kids.garden_k` every `--presenter-every` s, and `--followers` who open the join link,
press the join card's button and answer the follow poll's timer. The visitors move sliders for
`--seconds` without the followers, then for `--seconds` with them; it prints the time from each
presenter move to each follower's run showing it, the SELECTs per second the server processes ran on
the room database (from the DSC_DB_READ_LOG statement log), and the movers' p95 in both phases.
With `--runsheet` (docs/presenting.md) the room keeps a run-sheet whose steps open the Garden with a new k
each, and the presenter presses the step bar's Next instead: the time from a presenter's step to each
follower's finished run showing it.

Without `--url` it starts `streamlit run Home.py --server.headless true` on a free 127.0.0.1 port
(full MNIST from --mnist-dir, by default ../shared/data/mnist when present) and stops it after.
With `--url` (a server or a proxy in front of several), cookies the proxy sets on the page's
first GET go with the websocket, and CPU/RSS are read from `--server-pids` or from every
`streamlit run` process on this machine. Exit status 1 when any page drew an error or a run failed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from contextlib import ExitStack, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from benchmarks.latency import summary
from benchmarks.serving import SHARED_MNIST, ProcessWatch, running_server, servers_behind, wait_healthy
from benchmarks.st_protocol import EARLY, MAIN, Connection, RunTimeout, moved_state, query_with

OPEN_LIMIT_S = 180.0  # the first visit to a torch page imports torch in the server
RUN_LIMIT_S = 120.0
TRAIN_KEY, STOP_KEY, PRESET_KEY, TALK_PRESET = "mnist.train", "mnist.stop", "mnist.preset", "talk"
STAGGERED_ARRIVALS = 4  # without --arrive-together, people arrive a few at a time
SOAK_SECONDS, SOAK_WARM_S, SOAK_STAY_S = 1200.0, 120.0, (60.0, 240.0)
SOLO_PAUSE_S = 0.2  # the lone visitor looks at the page a moment between moves


@dataclass(frozen=True)
class Demo:
    """A page's tab or view as a link opens it, and what the scout found on it."""

    page: str  # URL path ("" for the default page)
    name: str  # "kids: 🐞 Garden bug detective"
    query: str  # the link's query string (its tab or view)
    movable: tuple[str, ...] = ()  # keys (or ids) of the sliders and number inputs a visitor can move
    buttons: tuple[str, ...] = ()


@dataclass
class Log:
    """What every visitor measured and saw; one per phase."""

    moves: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # demo name -> seconds
    opens: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    auto_reruns: list[float] = field(default_factory=list)
    train_presses: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)  # "demo: text" -> visitors who saw it
    failures: list[str] = field(default_factory=list)
    nothing_to_move: int = 0
    runs_of_leavers: int = 0  # script runs of the soak's visitors who have left
    _seen: set[tuple[int, str]] = field(default_factory=set)

    def saw(self, demo: Demo, connection: Connection) -> None:
        """Count each error a visitor's page drew once per visitor, however often it was drawn again."""
        for text in connection.view.errors:
            error = f"{demo.name}: {text}"
            if (connection.serial, error) not in self._seen:
                self._seen.add((connection.serial, error))
                self.errors[error] += 1
        connection.view.errors.clear()

    def all_moves(self) -> list[float]:
        return [s for samples in self.moves.values() for s in samples]


def demo_name(page: str, tab: str | None = None) -> str:
    return f"{page or 'welcome'}" + (f": {tab}" if tab else "")


async def open_demo(base_url: str, http, demo: Demo, log: Log | None = None, extra_query: str = "") -> Connection:
    connection = Connection(base_url, demo.page, query_with(demo.query, **dict(parse_qsl(extra_query))))
    seconds = await connection.open(http, OPEN_LIMIT_S)
    if log is not None:
        log.opens[demo.name].append(seconds)
        log.saw(demo, connection)
    return connection


def _found(page: str, name: str, query: str, connection: Connection) -> Demo:
    view = connection.view
    buttons = tuple(w.key or w.id for w in view.widgets.values() if w.kind == "button" and w.path[:1] == (MAIN,))
    return Demo(page, name, query, tuple(w.key or w.id for w in view.movable()), buttons)


async def discover(base_url: str, http, log: Log, only_pages: list[str] | None = None) -> tuple[list[Demo], list[str]]:
    """Every tab (or view) of every page (or of `only_pages`), as a link opens it; the demos with something
    to move (or to train), and the names of the others. Errors drawn on any of them go to `log`."""
    if only_pages:
        pages = only_pages
    else:
        home = Connection(base_url, "")
        await home.open(http, OPEN_LIMIT_S)
        pages = list(home.view.pages)
        await home.close()
    found: list[Demo] = []
    for page in pages:
        connection = Connection(base_url, page)
        await connection.open(http, OPEN_LIMIT_S)
        bars = sorted((bar for bar in connection.view.tab_bars.values() if bar.path[:1] == (MAIN,)),
                      key=lambda bar: len(bar.path))
        views = _views_radio(connection)
        if bars:
            bar = bars[0]
            await connection.close()
            for label in bar.labels:
                query = query_with("", **{bar.query_param_key: label})
                tab = await open_demo(base_url, http, Demo(page, demo_name(page, label), query), log)
                found.append(_found(page, demo_name(page, label), query, tab))
                await tab.close()
        elif views is not None:
            found.extend(await _each_view(base_url, http, page, connection, views, log))
            await connection.close()
        else:
            log.saw(Demo(page, demo_name(page), ""), connection)
            found.append(_found(page, demo_name(page), "", connection))
            await connection.close()
    return [d for d in found if d.movable or TRAIN_KEY in d.buttons], [d.name for d in found if not d.movable]


def _views_radio(connection: Connection):
    """A page of views (page_ui's `views=`): its first main-area radio whose key the page writes to the URL."""
    in_url = dict(parse_qsl(connection.view.query_string))
    radios = [w for w in connection.view.widgets.values()
              if w.kind == "radio" and w.path[:1] == (MAIN,) and w.key in in_url and not w.fragment_id]
    return min(radios, key=lambda w: w.path) if radios else None


async def _each_view(base_url: str, http, page: str, connection: Connection, radio, log: Log) -> list[Demo]:
    """Click each option of the views radio (as a browser would) and keep the link the page writes for it."""
    demos = []
    for option in radio.options:
        state = type(radio.state)()
        state.CopyFrom(radio.state)
        state.string_value = option
        await connection.rerun(state, limit_s=OPEN_LIMIT_S)
        value = dict(parse_qsl(connection.view.query_string)).get(radio.key, option)
        query = query_with("", **{radio.key: value})
        name = demo_name(page, value)
        view = await open_demo(base_url, http, Demo(page, name, query), log)
        demos.append(_found(page, name, query, view))
        await view.close()
    return demos


# ---------------------------------------------------------------- visitors


async def move_once(connection: Connection, demo: Demo, rng: random.Random, log: Log) -> bool:
    """Move one of the demo's sliders to another valid value; False when the page has nothing to move."""
    widgets = connection.view.movable()
    if not widgets:
        log.nothing_to_move += 1
        return False
    widget = rng.choice(widgets)
    seconds = await connection.rerun(moved_state(widget, rng), widget.fragment_id, limit_s=RUN_LIMIT_S)
    log.moves[demo.name].append(seconds)
    log.saw(demo, connection)
    return True


async def lone_visitor(base_url: str, http, demos: list[Demo], moves: int, seed: int) -> Log:
    """One visitor alone: each demo opened, then `moves` moves of its sliders."""
    log, rng = Log(), random.Random(seed)
    for demo in demos:
        if not demo.movable:
            continue
        try:
            connection = await open_demo(base_url, http, demo, log)
            for _ in range(moves):
                await move_once(connection, demo, rng, log)
                await asyncio.sleep(SOLO_PAUSE_S)
            await connection.close()
        except (RunTimeout, ConnectionError, OSError) as error:
            log.failures.append(f"lone visitor, {demo.name}: {type(error).__name__}: {error}")
    return log


async def answer_timers(connection: Connection, until: float, log: Log) -> None:
    """The browser's timer for `st.fragment(run_every=...)`: a rerun of that fragment every interval
    (sent at once when the last one took longer than the interval, never piling up)."""
    next_fire: dict[str, float] = {}
    while time.perf_counter() < until and connection.closed_reason is None:
        timers = dict(connection.view.auto_reruns)
        for gone in set(next_fire) - set(timers):
            del next_fire[gone]
        for fragment_id, interval in timers.items():
            next_fire.setdefault(fragment_id, time.perf_counter() + interval)
        if not next_fire:
            await connection.view_changed(until - time.perf_counter())
            continue
        fragment_id = min(next_fire, key=next_fire.get)
        wait = next_fire[fragment_id] - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(min(wait, max(0.0, until - time.perf_counter())))
            continue
        if fragment_id not in connection.view.auto_reruns:
            continue
        fired = time.perf_counter()
        log.auto_reruns.append(await connection.rerun(fragment_id=fragment_id, auto=True, limit_s=RUN_LIMIT_S))
        next_fire[fragment_id] = max(fired + timers[fragment_id], time.perf_counter())


async def trainer(connection: Connection, demo: Demo, until: float, log: Log) -> None:
    """Press Train whenever it can be pressed (a finished run: press again) while the timer answers the poller."""
    timers = asyncio.create_task(answer_timers(connection, until, log))
    try:
        while time.perf_counter() < until and connection.closed_reason is None:
            button = connection.view.widget(TRAIN_KEY)
            if button is not None and not button.disabled and not connection.view.auto_reruns:
                press = type(button.state)()
                press.id, press.trigger_value = button.id, True
                log.train_presses.append(await connection.rerun(press, button.fragment_id, limit_s=RUN_LIMIT_S))
                log.saw(demo, connection)
            else:
                await connection.view_changed(until - time.perf_counter())
    finally:
        await timers
    log.saw(demo, connection)


async def press_stop(connection: Connection) -> None:
    """Leave nothing training behind on a server this run did not start."""
    button = connection.view.widget(STOP_KEY)
    if button is not None and connection.closed_reason is None:
        press = type(button.state)()
        press.id, press.trigger_value = button.id, True
        try:
            await connection.rerun(press, button.fragment_id, limit_s=RUN_LIMIT_S)
        except (RunTimeout, ConnectionError):
            return


async def mover(connection: Connection, demo: Demo, until: float, think_s: float, rng: random.Random, log: Log) -> None:
    timers = asyncio.create_task(answer_timers(connection, until, log))
    try:
        while connection.closed_reason is None:
            pause = think_s * rng.uniform(0.5, 1.5)
            if time.perf_counter() + pause >= until:
                return
            await asyncio.sleep(pause)  # a person looks at the chart before the next move
            await move_once(connection, demo, rng, log)
    finally:
        timers.cancel()


@dataclass
class Visitor:
    demo: Demo
    rng: random.Random
    training: bool = False
    pool: tuple[Demo, ...] = ()  # where a newcomer who replaces this visitor in a soak may go
    connection: Connection | None = None


async def arrive(base_url: str, http, visitor: Visitor, log: Log, gate: asyncio.Semaphore | None) -> None:
    extra = f"{PRESET_KEY}={TALK_PRESET}" if visitor.training else ""
    async with gate or nullcontext():
        try:
            visitor.connection = await open_demo(base_url, http, visitor.demo, log, extra)
        except (RunTimeout, ConnectionError, OSError) as error:
            log.failures.append(f"arriving at {visitor.demo.name}: {type(error).__name__}: {error}")


async def stay(base_url: str, http, visitor: Visitor, until: float, think_s: float, log: Log, soak: bool) -> None:
    """One visitor's time in the room; in a soak, a visitor who leaves is replaced by a newcomer on another demo."""
    while time.perf_counter() < until:
        if visitor.connection is None:
            await arrive(base_url, http, visitor, log, None)
            if visitor.connection is None:
                return
        leave = min(until, time.perf_counter() + visitor.rng.uniform(*SOAK_STAY_S)) if soak and not visitor.training else until
        try:
            if visitor.training:
                await trainer(visitor.connection, visitor.demo, leave, log)
            else:
                await mover(visitor.connection, visitor.demo, leave, think_s, visitor.rng, log)
        except (RunTimeout, ConnectionError, OSError) as error:
            log.failures.append(f"{visitor.demo.name}: {type(error).__name__}: {error}")
            return
        if soak and not visitor.training and time.perf_counter() < until:
            log.runs_of_leavers += visitor.connection.runs_finished
            await visitor.connection.close()
            visitor.connection = None
            visitor.demo = visitor.rng.choice(visitor.pool or (visitor.demo,))


def cast(demos: list[Demo], train_demo: Demo | None, visitors: int, trainers: int, seed: int) -> list[Visitor]:
    """Who does what: `trainers` on the MNIST Train tab, the rest spread evenly over the demos (shuffled)."""
    rng = random.Random(seed)
    movable = [d for d in demos if d.movable]
    if trainers and train_demo is None:
        raise RuntimeError(f"no demo has a {TRAIN_KEY!r} button: nobody can train (scout the mnist page)")
    if visitors > trainers and not movable:
        raise RuntimeError("no demo has a slider to move")
    order = movable[:]
    rng.shuffle(order)
    crowd = [Visitor(train_demo, random.Random(rng.random()), training=True) for _ in range(min(trainers, visitors))]
    for index in range(visitors - len(crowd)):
        crowd.append(Visitor(order[index % len(order)], random.Random(rng.random()), pool=tuple(movable)))
    return crowd


async def room(base_url: str, http, crowd: list[Visitor], args: argparse.Namespace, watch: ProcessWatch | None,
               log: Log, alongside: Callable[[float], Awaitable[None]] | None = None) -> dict[str, object]:
    """Everyone in the room for `args.seconds`: CPU, RSS and reruns counted over that window; `alongside(until)`
    runs with them (the follow mode's presenter and followers)."""
    gate = asyncio.Semaphore(STAGGERED_ARRIVALS)
    await asyncio.gather(*(arrive(base_url, http, v, log, gate) for v in crowd if v.connection is None))
    present = [v for v in crowd if v.connection is not None]
    runs_before = sum(v.connection.runs_finished for v in present)
    cpu_before = watch.cpu_seconds() if watch else None
    client_before = time.process_time()
    began = time.perf_counter()
    until = began + args.seconds
    stop = asyncio.Event()
    sampler = asyncio.create_task(watch.run(stop)) if watch else None
    warm_rss: dict[str, float] = {}

    async def note_warm_rss() -> None:
        await asyncio.sleep(min(SOAK_WARM_S, args.seconds))
        warm_rss["mb"] = watch.rss_mb() if watch else math.nan

    warm = asyncio.create_task(note_warm_rss()) if args.soak else None
    await asyncio.gather(*(stay(base_url, http, v, until, args.think, log, args.soak) for v in present),
                         *([alongside(until)] if alongside else []))
    wall = time.perf_counter() - began
    cpu = (watch.cpu_seconds() - cpu_before) if watch else None
    client_cpu = time.process_time() - client_before
    stop.set()
    if sampler:
        await sampler
    if warm:
        warm.cancel()
    runs = sum(v.connection.runs_finished for v in present if v.connection) + log.runs_of_leavers - runs_before
    for visitor in present:
        if visitor.connection is not None:
            log.saw(visitor.demo, visitor.connection)
    result: dict[str, object] = {
        "window_s": round(wall, 1), "present": len(present),
        "reruns_per_s": round(max(0, runs) / wall, 2),
        "moves_per_s": round(len(log.all_moves()) / wall, 2),
        "server_cpu_cores": round(cpu / wall, 2) if cpu is not None else None,
        "cpu_count": os.cpu_count(),
        "client_cpu_cores": round(client_cpu / wall, 2),  # this process: visitors share the machine with the server
    }
    if watch:
        result["peak_rss_per_process"] = watch.peaks_mb()
        result["processes_watched"] = len(watch.peak_rss_kb)
    if args.soak and watch:
        end_mb = watch.rss_mb()
        result["soak"] = {"rss_mb_after_2_min": round(warm_rss.get("mb", math.nan), 1), "rss_mb_at_end": round(end_mb, 1),
                          "end_over_2_min": round(end_mb / warm_rss["mb"], 3) if warm_rss.get("mb") else None,
                          "rss_mb_by_minute": [round(mb, 1) for t, mb in _by_minute(watch.rss_timeline)]}
    return result


def _by_minute(timeline: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept, next_minute = [], 0.0
    for moment, mb in timeline:
        if moment >= next_minute:
            kept.append((moment, mb))
            next_minute += 60.0
    return kept


def phase_tables(lone: Log, crowd: Log, arrivals: Log | None) -> dict[str, object]:
    """Per demo and per page, the room's moves against the lone visitor's; first pages; the ratio of p95s."""
    by_page: dict[str, list[float]] = defaultdict(list)
    lone_by_page: dict[str, list[float]] = defaultdict(list)
    for name, samples in crowd.moves.items():
        by_page[name.split(":")[0]].extend(samples)
    for name, samples in lone.moves.items():
        lone_by_page[name.split(":")[0]].extend(samples)
    lone_p95 = summary(lone.all_moves())["p95_ms"]
    room_p95 = summary(crowd.all_moves())["p95_ms"]
    tables: dict[str, object] = {
        "lone_moves": summary(lone.all_moves()),
        "room_moves": summary(crowd.all_moves()),
        "room_p95_over_lone_p95": round(room_p95 / lone_p95, 2) if lone_p95 and room_p95 else None,
        "by_demo": [{"demo": name, **summary(crowd.moves.get(name, [])), "lone_p95_ms": summary(lone.moves.get(name, []))["p95_ms"]}
                    for name in sorted(set(crowd.moves) | set(lone.moves))],
        "by_page": [{"page": page, **summary(by_page.get(page, [])), "lone_p95_ms": summary(lone_by_page.get(page, []))["p95_ms"]}
                    for page in sorted(set(by_page) | set(lone_by_page))],
        "auto_reruns": summary(crowd.auto_reruns),
        "train_presses": summary(crowd.train_presses),
        "nothing_to_move": crowd.nothing_to_move,
    }
    if arrivals is not None:
        every = [s for samples in arrivals.opens.values() for s in samples]
        tables["first_page_together"] = summary(every)
        tables["first_page_together_by_page"] = [
            {"page": page, **summary([s for name, samples in arrivals.opens.items() if name.split(":")[0] == page for s in samples])}
            for page in sorted({name.split(":")[0] for name in arrivals.opens})]
    else:
        tables["first_page_staggered"] = summary([s for samples in crowd.opens.values() for s in samples])
    return tables


async def scout(args: argparse.Namespace, http, stack: ExitStack, log: Log, result: dict[str, object]):
    """The server to measure (started here unless --url) and the demos: from --demos, or scouted on a
    throwaway server first (--arrive-together on a server started here), or on the measured server."""
    demos, skipped = (_load_demos(args.demos), []) if args.demos else (None, [])
    result["scouted_on"] = f"none: demos from {args.demos}" if args.demos else "the measured server"
    extra_env = dict(item.split("=", 1) for item in args.server_env or [])
    if demos is None and args.url is None and args.arrive_together:
        with running_server(args.mnist_dir, extra_env) as throwaway:
            await wait_healthy(throwaway)
            demos, skipped = await discover(throwaway.url, http, log, args.page)
        result["scouted_on"] = "a throwaway server"  # the room meets a server that has just started
    server = None if args.url else stack.enter_context(running_server(args.mnist_dir, extra_env))
    base_url = args.url.rstrip("/") if args.url else server.url
    if server is not None:
        result["server_healthy_s"] = round(await wait_healthy(server), 2)
    if demos is None:
        demos, skipped = await discover(base_url, http, log, args.page)
    train_demo = next((d for d in demos if TRAIN_KEY in d.buttons), None)
    demos = [d for d in demos if d.movable and (not args.demo or any(part in d.name for part in args.demo))]
    if args.save_demos:
        kept = demos + ([train_demo] if train_demo and train_demo not in demos else [])
        Path(args.save_demos).write_text(json.dumps([asdict(d) for d in kept], indent=1, ensure_ascii=False))
    result.update(url=base_url, demos=[d.name for d in demos], nothing_to_move_on=skipped,
                  mnist_dir=str(args.mnist_dir) if server is not None and args.mnist_dir else "as the server finds it")
    return server, base_url, demos, train_demo


async def run(args: argparse.Namespace) -> dict[str, object]:
    from tornado.httpclient import AsyncHTTPClient

    http = AsyncHTTPClient(force_instance=True, max_clients=10_000, defaults={"request_timeout": OPEN_LIMIT_S})
    result: dict[str, object] = {"machine": {"cpu_cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]},
                                 "visitors": args.visitors, "trainers": args.trainers, "think_s": args.think,
                                 "seconds": args.seconds, "soak": args.soak}
    if args.follow:
        result.update(followers=args.followers, presenter_every_s=args.presenter_every)
    scout_log, arrivals, crowd_log, follow = Log(), None, Log(), None
    with ExitStack() as stack:
        db = follow_db(args, stack) if args.follow else None
        server, base_url, demos, train_demo = await scout(args, http, stack, scout_log, result)
        roots = args.server_pids or ([server.pid] if server else servers_behind(urlsplit(base_url).port or 80))
        result["server_pids"] = roots
        crowd = cast(demos, train_demo, args.visitors, args.trainers, args.seed)
        if args.arrive_together:
            arrivals = Log()
            await asyncio.gather(*(arrive(base_url, http, v, arrivals, None) for v in crowd))
        lone = await lone_visitor(base_url, http, demos, args.solo_moves, args.seed)
        watch = ProcessWatch(roots) if roots else None
        if args.follow:
            follow = await follow_phases(args, base_url, http, crowd, watch, db, crowd_log, result)
        else:
            result["room"] = await room(base_url, http, crowd, args, watch, crowd_log)
        if args.url:
            await asyncio.gather(*(press_stop(v.connection) for v in crowd if v.training and v.connection))
        await asyncio.gather(*(v.connection.close() for v in crowd if v.connection))
        result["server_log_errors"] = server.errors_logged()[:50] if server else None
    http.close()
    result.update(phase_tables(lone, crowd_log, arrivals))
    logs = [scout_log, lone, crowd_log] + ([arrivals] if arrivals else [])
    errors = sum((log.errors for log in logs), Counter())
    result["errors_drawn"] = [{"error": text, "visitors": count} for text, count in errors.most_common()]
    result["failures"] = [failure for log in logs for failure in log.failures] + (follow.failures if follow else [])
    return result


def _load_demos(path: str) -> list[Demo]:
    return [Demo(d["page"], d["name"], d["query"], tuple(d["movable"]), tuple(d["buttons"]))
            for d in json.loads(Path(path).read_text())]


# ---------------------------------------------------------------- follow mode: a presenter, followers, the movers


FOLLOW_PAGE, FOLLOW_TAB, FOLLOW_SETTING = "kids", "Garden", "kids.garden_k"  # a setting the Garden's share link carries
JOIN_BUTTON = "room.card_join"  # the join card's button (ui.room.join_card_ui)
JOINING_AT_ONCE = 8  # followers arrive a few at a time, as people scanning a QR code do
PRESENTER_PUBLISH_LIMIT_S = 30.0


RUNSHEET_NEXT = "present.next"  # the step bar's Next button (ui.present.step_bar_ui)
RUNSHEET_KS = (3, 5, 2, 6, 4, 1)  # each step shows a k the one before did not


def runsheet_steps(args: argparse.Namespace) -> list[int]:
    """The Garden's k at each step of `--runsheet`: enough steps for every change the measured phase makes."""
    count = int(args.seconds / args.presenter_every) + 2
    return [RUNSHEET_KS[index % len(RUNSHEET_KS)] for index in range(count)]


def garden_runsheet(steps: list[int]) -> str:
    """A run-sheet file whose steps open the Garden with each k in turn (lib.runsheets checks it as a link)."""
    from lib.runsheets import dump, load

    lines = "".join(f"- {{page: kids, tab: garden, title: k = {k}, settings: {{garden_k: {k}}}}}\n" for k in steps)
    return dump(load(f"version: 1\ntitle: Follow benchmark\nsteps:\n{lines}"))


@dataclass
class Change:
    """One move of the presenter's slider: its new value, when it was sent and when the presenter's run ended."""

    value: float
    sent: float
    finished: float | None = None


@dataclass
class FollowRun:
    """What the presenter changed and when each follower's screen showed it."""

    code: str
    changes: list[Change] = field(default_factory=list)
    shown: dict[tuple[int, int], float] = field(default_factory=dict)  # (follower serial, change index) -> seen
    joins: list[float] = field(default_factory=list)
    polls: Log = field(default_factory=Log)  # the followers' answers to the follow fragment's (and Room box's) timers
    failures: list[str] = field(default_factory=list)
    watching: bool = False  # changes are timed only during the measured phase

    def saw(self, connection: Connection, message) -> None:
        """On each of a follower's runs that ends: the presenter's latest value, first shown now?"""
        if not self.watching or not self.changes or message.WhichOneof("type") != "script_finished":
            return
        if message.script_finished == EARLY:
            return
        index = len(self.changes) - 1
        widget = connection.view.widget(FOLLOW_SETTING)
        if (connection.serial, index) not in self.shown and widget is not None and widget.value == [self.changes[index].value]:
            self.shown[(connection.serial, index)] = time.perf_counter()


def follow_db(args: argparse.Namespace, stack: ExitStack) -> tuple[str, Path | None]:
    """The room database (and the statement log) the server uses: chosen here for a server this starts."""
    if args.url:
        return args.room_db, (Path(args.db_read_log) if args.db_read_log else None)
    import tempfile

    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="room-follow-")))
    url, log = f"sqlite:///{folder / 'rooms.sqlite'}", folder / "db-statements.log"
    args.server_env = [*(args.server_env or []), f"DSC_ROOM_DB={url}", f"DSC_DB_READ_LOG={log}"]
    return url, log


def statements_between(log_path: Path | None, began: float, ended: float) -> dict[str, object] | None:
    """SELECTs (and all statements) the server processes ran on the room database in [began, ended] (wall clock)."""
    if log_path is None or not log_path.exists():
        return None
    selects, statements, by_process = 0, 0, Counter()
    for line in log_path.read_text().splitlines():
        moment, pid, verb = line.split(" ", 2)
        if not began <= float(moment) <= ended or int(pid) == os.getpid():
            continue
        statements += 1
        if verb == "SELECT":
            selects += 1
            by_process[pid] += 1
    window = max(ended - began, 1e-9)
    return {"selects": selects, "selects_per_s": round(selects / window, 2), "statements_per_s": round(statements / window, 2),
            "selects_by_process": dict(by_process), "window_s": round(window, 1)}


async def open_presenter(base_url: str, http, store, code: str, key: str) -> Connection:
    """The presenter's screen on the Garden tab, opened from the presenter link; waits until it is published."""
    kids = Connection(base_url, FOLLOW_PAGE)
    await kids.open(http, OPEN_LIMIT_S)
    bar = next(bar for bar in kids.view.tab_bars.values() if bar.path[:1] == (MAIN,))
    await kids.close()
    tab = next(label for label in bar.labels if FOLLOW_TAB in label)
    presenter = Connection(base_url, FOLLOW_PAGE, query_with("", room=code, presenter=key, **{bar.query_param_key: tab}))
    await presenter.open(http, OPEN_LIMIT_S)
    deadline = time.perf_counter() + PRESENTER_PUBLISH_LIMIT_S
    while (await asyncio.to_thread(store.room_view, code)).view is None:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the presenter's screen was not published within {PRESENTER_PUBLISH_LIMIT_S:.0f} s")
        await presenter.rerun(limit_s=RUN_LIMIT_S)  # the presenter link is read in the Room box, after the page
    return presenter


async def join_follower(base_url: str, http, follow: FollowRun, gate: asyncio.Semaphore) -> Connection | None:
    """A phone that scanned the QR code: the join link, then the join card's button; it lands on the presenter's page."""
    connection = Connection(base_url, "", query_with("", room=follow.code),
                            on_message=lambda message: follow.saw(connection, message))
    async with gate:
        try:
            started = time.perf_counter()
            await connection.open(http, OPEN_LIMIT_S)
            button = connection.view.widget(JOIN_BUTTON)
            if button is None:
                raise RuntimeError("the join link drew no join card")
            press = type(button.state)()
            press.id, press.trigger_value = button.id, True
            await connection.rerun(press, button.fragment_id, limit_s=RUN_LIMIT_S)
            if connection.view.widget(FOLLOW_SETTING) is None:
                raise RuntimeError(f"after joining, the follower's screen has no {FOLLOW_SETTING} slider")
            follow.joins.append(time.perf_counter() - started)
            return connection
        except (RunTimeout, ConnectionError, OSError, RuntimeError) as error:
            follow.failures.append(f"follower joining: {type(error).__name__}: {error}")
            await connection.close()
            return None


async def present(presenter: Connection, follow: FollowRun, until: float, every_s: float, rng: random.Random,
                  steps: list[int] | None = None) -> None:
    """Every `every_s` seconds the presenter moves the Garden's k (or, with a run-sheet's `steps`, presses Next);
    the last move leaves at least half that to follow it."""
    timers = asyncio.create_task(answer_timers(presenter, until, follow.polls))
    try:
        next_at = time.perf_counter() + every_s
        while next_at + every_s / 2 <= until and presenter.closed_reason is None:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            key = FOLLOW_SETTING if steps is None else RUNSHEET_NEXT
            widget = presenter.view.widget(key)
            if widget is None or (steps is not None and len(follow.changes) + 1 >= len(steps)):
                follow.failures.append(f"presenter: the screen lost its {key}" if widget is None else "the run-sheet ended")
                return
            if steps is None:
                moved = moved_state(widget, rng)
                change = Change(moved.double_array_value.data[0], time.perf_counter())
            else:
                moved = type(widget.state)()
                moved.id, moved.trigger_value = widget.id, True
                change = Change(float(steps[len(follow.changes) + 1]), time.perf_counter())
            follow.changes.append(change)
            change.finished = change.sent + await presenter.rerun(moved, widget.fragment_id, limit_s=RUN_LIMIT_S)
            next_at += every_s
    except (RunTimeout, ConnectionError, OSError) as error:
        follow.failures.append(f"presenter: {type(error).__name__}: {error}")
    finally:
        await timers


async def keep_following(connection: Connection, until: float, follow: FollowRun) -> None:
    try:
        await answer_timers(connection, until, follow.polls)
    except (RunTimeout, ConnectionError, OSError) as error:
        follow.failures.append(f"follower: {type(error).__name__}: {error}")


def follow_tables(follow: FollowRun, followers: list[Connection], reads: dict[str, object] | None,
                  reads_before: dict[str, object] | None, counts) -> dict[str, object]:
    """Per follower and presenter change: seconds from the presenter's move (and from its run's end) to the follower's
    screen showing it; changes a follower never showed before the next one; the database reads."""
    from_move, from_presenter_run, missed = [], [], 0
    for index, change in enumerate(follow.changes):
        for follower in followers:
            seen = follow.shown.get((follower.serial, index))
            if seen is None:
                missed += 1
                continue
            from_move.append(seen - change.sent)
            if change.finished is not None:
                from_presenter_run.append(seen - change.finished)
    return {"room": follow.code, "followers": len(followers), "presenter_changes": len(follow.changes),
            "from_presenter_move": summary(from_move),
            "from_presenter_run_end": summary([max(0.0, s) for s in from_presenter_run]),
            "shown_before_presenter_run_ended": sum(1 for s in from_presenter_run if s < 0),
            "missed": missed, "changes_shown_per_follower": [
                sum(1 for i in range(len(follow.changes)) if (f.serial, i) in follow.shown) for f in followers],
            "followers_showing_every_change": sum(
                1 for f in followers if all((f.serial, i) in follow.shown for i in range(len(follow.changes)))),
            "presenter_runs": summary([c.finished - c.sent for c in follow.changes if c.finished is not None]),
            "joins": summary(follow.joins), "follow_polls": summary(follow.polls.auto_reruns),
            "db_reads": reads, "db_reads_without_followers": reads_before,
            "counts_at_end": {"following": counts.following, "exploring": counts.exploring} if counts else None}


async def follow_phases(args: argparse.Namespace, base_url: str, http, crowd: list[Visitor], watch, db: tuple[str, Path | None],
                        crowd_log: Log, result: dict[str, object]) -> FollowRun:
    """The movers alone for `--seconds`, then the same movers with the presenter and `--followers` for `--seconds`."""
    from lib.room import RoomError, RoomStorageError
    from lib.room.store import RoomStore

    store = RoomStore(db[0])
    code, key = await asyncio.to_thread(store.create_room)
    follow = FollowRun(code)
    steps = runsheet_steps(args) if args.runsheet else None
    if steps is not None:  # the presenter link resumes the room's run-sheet (ui.present.resume_room_sheet)
        await asyncio.to_thread(store.set_runsheet, code, key, garden_runsheet(steps), 0)
    presenter = await open_presenter(base_url, http, store, code, key)
    alone_log, began = Log(), time.time()
    result["room_without_followers"] = await room(  # the presenter's screen is open: its browser answers its timers
        base_url, http, crowd, args, watch, alone_log, alongside=lambda until: answer_timers(presenter, until, Log()))
    reads_before = statements_between(db[1], began, time.time())
    gate = asyncio.Semaphore(JOINING_AT_ONCE)
    joined = await asyncio.gather(*(join_follower(base_url, http, follow, gate) for _ in range(args.followers)))
    followers = [connection for connection in joined if connection is not None]
    follow.watching, began = True, time.time()

    async def presenter_and_followers(until: float) -> None:
        await asyncio.gather(present(presenter, follow, until, args.presenter_every, random.Random(args.seed), steps),
                             *(keep_following(f, until, follow) for f in followers))

    result["room"] = await room(base_url, http, crowd, args, watch, crowd_log, alongside=presenter_and_followers)
    reads = statements_between(db[1], began, time.time())
    try:
        counts = await asyncio.to_thread(store.follow_counts, code)
    except (RoomError, RoomStorageError) as error:  # the counts are a check on the run, not a figure of it
        follow.failures.append(f"follow counts: {error}")
        counts = None
    result["follow"] = follow_tables(follow, followers, reads, reads_before, counts)
    result["follow"]["presenter_action"] = "pressed the run-sheet's Next" if args.runsheet else "moved the Garden's k"
    # A browser's timer asks once a second per follower; fewer answered a second means the server fell behind.
    result["follow"]["timer_reruns_per_s"] = round(len(follow.polls.auto_reruns) / result["room"]["window_s"], 1)
    result["follow"]["slider_moves_without_followers"] = summary(alone_log.all_moves())
    result["follow"]["slider_moves_with_followers"] = summary(crowd_log.all_moves())
    without, with_ = (result["follow"][f"slider_moves_{w}_followers"]["p95_ms"] for w in ("without", "with"))
    result["follow"]["slider_p95_with_over_without"] = round(with_ / without, 2) if with_ and without else None
    for connection in (presenter, *followers):
        crowd_log.saw(Demo(FOLLOW_PAGE, "presenter" if connection is presenter else "follower", ""), connection)
    await asyncio.gather(presenter.close(), *(f.close() for f in followers))
    store.dispose()
    for name, samples in alone_log.opens.items():
        crowd_log.opens[name].extend(samples)  # the movers arrived in the first phase
    follow.failures.extend(alone_log.failures)
    crowd_log.errors.update(alone_log.errors)
    return follow


# ---------------------------------------------------------------- printing


def _cells(row: dict[str, object], names: tuple[str, ...] = ("runs", "p50_ms", "p95_ms", "max_ms")) -> str:
    return " ".join(f"{'-' if row.get(n) is None else row[n]:>7}" for n in names)


def print_tables(result: dict[str, object]) -> None:
    room_ = result["room"]
    print(f"Room at the server: {result['visitors']} visitors ({result['trainers']} training the talk preset), "
          f"a move every {result['think_s']} s +-50%, {room_['window_s']} s, {result['url']}")
    print(f"  machine: {result['machine']['cpu_cores']} cores, load average before {result['machine']['load_average']}; "
          f"demos scouted on {result.get('scouted_on')}; full MNIST: {result['mnist_dir']}")
    print(f"\n  {'':<44} {'runs':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'lone p95':>8}")
    print(f"  {'lone visitor, same mix':<44} {_cells(result['lone_moves'])}")
    print(f"  {'room, every move':<44} {_cells(result['room_moves'])}   room p95 / lone p95: {result['room_p95_over_lone_p95']}")
    for label, rows, key in (("by page", result["by_page"], "page"), ("by demo", result["by_demo"], "demo")):
        print(f"  {label}:")
        for row in rows:
            print(f"    {str(row[key])[:42]:<42} {_cells(row)} {'-' if row['lone_p95_ms'] is None else row['lone_p95_ms']:>8}")
    print(f"  {'poller auto-reruns (trainers, queues)':<44} {_cells(result['auto_reruns'])}")
    print(f"  {'Train presses':<44} {_cells(result['train_presses'])}")
    if "first_page_together" in result:
        print(f"  {'first page, all arriving together':<44} {_cells(result['first_page_together'])}")
        for row in result["first_page_together_by_page"]:
            print(f"    {row['page']:<42} {_cells(row)}")
    else:
        print(f"  {'first page, arriving 4 at a time':<44} {_cells(result['first_page_staggered'])}")
    print(f"\n  reruns per second: {room_['reruns_per_s']}   moves per second: {room_['moves_per_s']}")
    print(f"  server CPU: {room_['server_cpu_cores']} cores of {room_['cpu_count']} "
          f"({room_.get('processes_watched', 0)} processes under {result['server_pids']}); "
          f"the visitors' own process: {room_['client_cpu_cores']} cores")
    for row in room_.get("peak_rss_per_process", []):
        print(f"  peak RSS {row['peak_rss_mb']:>8.1f} MB  pid {row['pid']}  {row['process']}")
    if soak := room_.get("soak"):
        print(f"  soak RSS: {soak['rss_mb_after_2_min']} MB after 2 min, {soak['rss_mb_at_end']} MB at the end "
              f"(x{soak['end_over_2_min']}); by minute: {soak['rss_mb_by_minute']}")
    if follow := result.get("follow"):
        print_follow(result, follow)
    if result["nothing_to_move_on"]:
        print(f"  pages with nothing to move (left out): {', '.join(result['nothing_to_move_on'])}")
    print(f"\n  errors drawn: {len(result['errors_drawn'])}")
    for row in result["errors_drawn"][:30]:
        print(f"    {row['visitors']:>3} x {row['error'][:200]}")
    for failure in result["failures"][:20]:
        print(f"  failure: {failure}")
    for line in (result.get("server_log_errors") or [])[:20]:
        print(f"  server log: {line[:200]}")


def print_follow(result: dict[str, object], follow: dict[str, object]) -> None:
    without = result["room_without_followers"]
    print(f"\n  Follow: {follow['followers']} followers in room {follow['room']}, the presenter "
          f"{follow.get('presenter_action', 'moved the Garden k')} {follow['presenter_changes']} times, "
          f"every {result['presenter_every_s']} s")
    print(f"  {'':<44} {'runs':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    print(f"  {'presenter move -> follower run showing it':<44} {_cells(follow['from_presenter_move'])}")
    print(f"  {'presenter run end -> follower run showing it':<44} {_cells(follow['from_presenter_run_end'])}")
    print(f"  {'presenter runs':<44} {_cells(follow['presenter_runs'])}")
    print(f"  {'followers joining (link + join card)':<44} {_cells(follow['joins'])}")
    print(f"  {'follow polls (run_every fragments)':<44} {_cells(follow['follow_polls'])}   "
          f"{follow['timer_reruns_per_s']} a second (the presenter's and {follow['followers']} followers' timers)")
    print(f"  {'sliders, room without followers':<44} {_cells(follow['slider_moves_without_followers'])}")
    print(f"  {'sliders, room with followers':<44} {_cells(follow['slider_moves_with_followers'])}   "
          f"p95 with / without: {follow['slider_p95_with_over_without']}")
    print(f"  changes a follower never showed: {follow['missed']}; followers who showed every change: "
          f"{follow['followers_showing_every_change']}; shown before the presenter's run ended: "
          f"{follow['shown_before_presenter_run_ended']}; at the end: {follow['counts_at_end']}")
    for label, reads in (("with followers", follow["db_reads"]), ("without followers", follow["db_reads_without_followers"])):
        if reads is None:
            print(f"  database reads {label}: not counted (no DSC_DB_READ_LOG)")
        else:
            print(f"  database reads {label}: {reads['selects_per_s']} SELECTs/s ({reads['selects']} in {reads['window_s']} s; "
                  f"all statements {reads['statements_per_s']}/s; by process {reads['selects_by_process']})")
    print(f"  server CPU without followers: {without['server_cpu_cores']} cores; with: {result['room']['server_cpu_cores']}")


def failed(result: dict[str, object]) -> bool:
    return bool(result["errors_drawn"] or result["failures"] or result.get("server_log_errors"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.room_load", description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=30, help="visitors in the room, trainers included")
    parser.add_argument("--trainers", type=int, default=None, help="visitors who train the talk preset (default 5; 0 with --follow)")
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a visitor's moves (jittered +-50%%)")
    parser.add_argument("--seconds", type=float, default=None, help="how long the room is measured (default 60; 1200 with --soak)")
    parser.add_argument("--url", help="a running server or a proxy in front of several (default: start one)")
    parser.add_argument("--server-pids", type=lambda text: [int(p) for p in text.split(",")], default=None,
                        help="with --url: the server processes to watch (default: the streamlit process listening on the URL's "
                             "port, or those under the proxy's launcher, else every `streamlit run` here)")
    parser.add_argument("--arrive-together", action="store_true", help="all visitors open their page at the same moment")
    parser.add_argument("--soak", action="store_true", help="visitors come and go; RSS over time")
    parser.add_argument("--solo-moves", type=int, default=5, help="moves per demo for the lone visitor")
    parser.add_argument("--page", action="append", default=None,
                        help="scout only this page, by URL path (repeatable; default: every page of the router)")
    parser.add_argument("--demo", action="append", default=None, help="only demos whose name contains this (repeatable)")
    parser.add_argument("--demos", help="a demo list saved with --save-demos (skips the scout)")
    parser.add_argument("--save-demos", help="write the scouted demos to this JSON file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mnist-dir", type=Path, default=SHARED_MNIST if SHARED_MNIST.is_dir() else None,
                        help=f"full MNIST for a server this starts (default {SHARED_MNIST} when present)")
    parser.add_argument("--server-env", action="append", default=None, metavar="NAME=VALUE",
                        help="an environment variable for a server this starts (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--follow", action="store_true",
                        help="a presenter and --followers in a room: the visitors move sliders without, then with them")
    parser.add_argument("--followers", type=int, default=100, help="with --follow: room members who follow the presenter")
    parser.add_argument("--presenter-every", type=float, default=5.0,
                        help="with --follow: seconds between the presenter's changes of the Garden's k")
    parser.add_argument("--runsheet", action="store_true",
                        help="with --follow: the presenter presses the run-sheet's Next (each step a Garden k) "
                             "instead of moving the slider")
    parser.add_argument("--room-db", help="with --follow and --url: the servers' DSC_ROOM_DB (the room is made there)")
    parser.add_argument("--db-read-log", help="with --follow and --url: the DSC_DB_READ_LOG file the servers were "
                                              "started with (without it, database reads are not counted)")
    args = parser.parse_args(argv)
    if args.trainers is None:
        args.trainers = 0 if args.follow else 5
    if args.follow and args.soak:
        parser.error("--follow and --soak are separate runs")
    if args.follow and args.url and not args.room_db:
        parser.error("--follow with --url needs --room-db (the servers' DSC_ROOM_DB)")
    if args.seconds is None:
        args.seconds = SOAK_SECONDS if args.soak else 60.0
    if args.trainers > args.visitors:
        parser.error("--trainers cannot exceed --visitors")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        print_tables(result)
    return 1 if failed(result) else 0


if __name__ == "__main__":
    sys.exit(main())
