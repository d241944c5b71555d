"""Past one machine: app hosts, a database host and a load balancer as separate hosts, and faults mid-room.

    python -m benchmarks.cluster [--followers-per-host 2] [--outage 30] [--moves 4] [--json]

Five test hosts in network namespaces on this machine (tests/netns.py; root and iproute2 needed):
db (PostgreSQL 15), app1 and app2 (`streamlit run Home.py`, DSC_ROOM_DB pointing at db), lb (HAProxy
with the SRV cookie, health checks on /_stcore/health) and client, where this process runs its
protocol-level visitors (benchmarks/st_protocol.py) against lb. The scenario, in order:

1. Members join a room on both hosts and share their hands into it (pooled results); a presenter screen
   on app1 (the laptop) and one on app2 (the phone); the laptop moves the Garden's k and every
   follower's screen must show each move: the followers' p95, by host.
2. Two runs train on app1 (the two slots of DSC_TRAINING_SLOTS' minimum); a third, on app2, queues and
   starts when an app1 run is stopped.
3. app2 gets SIGKILL. Its visitors' websockets close, they reconnect through lb to app1 with their
   cookies (the member token included): same members, the phone still the presenter, nothing lost,
   the run that was on app2 leaves its slot (its lease runs out). Failover time: from the kill to
   each visitor's first finished run on app1. app2 is started again.
4. A new member and a new presenter screen arrive on app2; app2's link is taken down: the same again.
5. db's link is down for `--outage` seconds: pages keep working, the Room box says rooms are
   unavailable; when db is back, following works again with no restart.
6. app2 is back: new visitors go to it again, and no visitor moved host except at a fault of its host.

It prints the figures and the checks; exit status 1 when a check failed (anything lost, a visitor who
saw an error other than its connection closing, a host that did not come back).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.latency import summary
from benchmarks.room_load import JOIN_BUTTON, Change, FollowRun, answer_timers
from benchmarks.room_load import Log as RoomLog
from benchmarks.st_protocol import Connection, RunTimeout, moved_state, query_with
from ui.room import AVAILABLE_RECHECK_S, ROOMS_UNAVAILABLE

KIDS, GARDEN, HANDS = "kids", "🐞 Garden bug detective", "✋ Hands and fingers"
FOLLOW_SETTING, SHARE_BUTTON = "kids.garden_k", "kids.hands_share"
MNIST, TRAIN_KEY, STOP_KEY = "mnist", "mnist.train", "mnist.stop"
# The talk's recipe with the widest hidden layer and the most epochs a visitor may ask for: a run that lasts.
TRAIN_QUERY = {"mnist.tab": "Train", "mnist.preset": "talk", "mnist.epochs": "10", "mnist.hidden": "1000"}
MEMBER_COOKIE = "dsc_room_member"
TOKEN_PATTERN = re.compile(MEMBER_COOKIE + r"=([A-Za-z0-9_-]*);")
OPEN_LIMIT_S = 180.0
RUN_LIMIT_S = 120.0
SHOW_LIMIT_S = 30.0  # a follower shows a presenter's move within this, or it counts as missed
RECONNECT_LIMIT_S = 120.0
RECONNECT_PAUSE_S = 0.5
LEASE_LIMIT_S = 60.0  # the queue's lease (20 s) plus its holders' heartbeat, with room to spare
STATE_POLL_S = 0.5
KEEP_OPEN_S = 3600.0


class Tab(Connection):
    """A browser tab's websocket, which also asks for upload URLs (a BackMsg that starts no run)."""

    async def send(self, message: BackMsg) -> None:
        await self._socket.write_message(message.SerializeToString(), binary=True)


@dataclass
class Visitor:
    """One browser tab: its cookies (the proxy's SRV, the member token the page's script sets) outlive its
    websocket, as a browser's do, so a reconnection is the same person."""

    name: str
    page: str
    query: str
    cookies: dict[str, str]
    follow: FollowRun | None = None
    connection: Connection | None = None
    hosts: list[str] = field(default_factory=list)  # the host of each connection, in order
    failovers: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown and alerts drawn, newest last
    closed: list[str] = field(default_factory=list)
    files: dict[str, object] = field(default_factory=dict)  # the last download button, file uploader, upload URLs

    @property
    def host(self) -> str:
        return self.cookies.get("SRV", "?")

    def read_message(self, connection: Connection | None, message) -> None:
        """What a browser keeps from each message: the member token its page's script writes, the text drawn."""
        if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            kind = element.WhichOneof("type")
            if kind == "html":
                found = TOKEN_PATTERN.search(element.html.body)
                if found:  # what the page's script would write into the browser's cookie jar
                    self.cookies[MEMBER_COOKIE] = found.group(1)
            elif kind in ("markdown", "alert", "text"):
                self.texts.append(getattr(element, kind).body)
                del self.texts[:-200]
            elif kind == "download_button":
                self.files[f"download: {element.download_button.label}"] = element.download_button
            elif kind == "file_uploader":
                self.files[kind] = element.file_uploader
        elif message.WhichOneof("type") == "file_urls_response":
            self.files["file_urls_response"] = message.file_urls_response
        if self.follow is not None:
            self.follow.saw(connection, message)

    async def open(self, http, base_url: str) -> float:
        connection = Tab(base_url, self.page, self.query,
                                on_message=lambda message: self.read_message(connection, message))
        connection.cookies.update(self.cookies)
        self.connection = connection
        seconds = await connection.open(http, OPEN_LIMIT_S)
        self.cookies.update({k: v for k, v in connection.cookies.items() if k != MEMBER_COOKIE})
        self.hosts.append(self.host)
        self.page, self.query = connection.page, connection.view.query_string
        self.take_errors()
        return seconds

    def take_errors(self) -> None:
        if self.connection is not None:
            self.errors.extend(self.connection.view.errors)
            self.connection.view.errors.clear()

    async def press(self, key: str) -> None:
        button = self.connection.view.widget(key)
        if button is None:
            raise RuntimeError(f"{self.name}: no {key!r} button on the page")
        state = type(button.state)()
        state.id, state.trigger_value = button.id, True
        await self.connection.rerun(state, button.fragment_id, limit_s=RUN_LIMIT_S)
        self.take_errors()

    def has(self, key: str) -> bool:
        return self.connection is not None and self.connection.view.widget(key) is not None

    def says(self, text: str, since: int = 0) -> bool:
        return any(text in said for said in self.texts[since:])


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class Scenario:
    """What the run holds: the cluster, the room, the visitors, the figures and the checks."""

    args: argparse.Namespace
    cluster: object
    http: object
    store: object = None
    code: str = ""
    key: str = ""
    follow: FollowRun | None = None
    visitors: list[Visitor] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    faults: list[dict[str, object]] = field(default_factory=list)
    follow_latency: dict[str, list[float]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    keepers: dict[str, asyncio.Task] = field(default_factory=dict)
    fault_at: float = 0.0
    load_at_start: list[float] = field(default_factory=lambda: [round(x, 2) for x in os.getloadavg()])

    @property
    def base_url(self) -> str:
        return self.cluster.url

    def check(self, name: str, passed: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(passed), detail))
        return bool(passed)

    def of_role(self, prefix: str) -> list[Visitor]:
        return [v for v in self.visitors if v.name.startswith(prefix)]

    async def db(self, work: Callable[[], object]) -> object:
        return await asyncio.to_thread(work)


# ---------------------------------------------------------------- visitors that stay, and come back after a fault


async def keep_alive(s: Scenario, visitor: Visitor) -> None:
    """A tab left open: it answers its page's timers; when its websocket closes, it reconnects."""
    log = RoomLog()
    while True:
        connection = visitor.connection
        if connection is not None and connection.closed_reason is None:
            try:  # until the websocket closes (or the run's end cancels this task)
                await answer_timers(connection, time.perf_counter() + KEEP_OPEN_S, log)
            except RunTimeout as error:
                visitor.errors.append(f"a timer's run: {error}")
            except (ConnectionError, OSError):
                pass  # closed: the next turn reconnects
            visitor.take_errors()
            continue
        visitor.closed.append(connection.closed_reason if connection is not None else "never opened")
        await reconnect(s, visitor)


async def reconnect(s: Scenario, visitor: Visitor) -> None:
    """Open the visitor's page again with its cookies until a run finishes; the seconds since the fault
    are its failover time."""
    began = time.perf_counter()
    while time.perf_counter() - began < RECONNECT_LIMIT_S:
        if visitor.connection is not None:
            await visitor.connection.close()
        visitor.texts.clear()
        try:
            await visitor.open(s.http, s.base_url)
        except Exception:  # noqa: BLE001 (any failure to reach a host is a reason to try again shortly)
            await asyncio.sleep(RECONNECT_PAUSE_S)
            continue
        visitor.failovers.append(time.perf_counter() - s.fault_at)
        return
    visitor.errors.append(f"could not reconnect within {RECONNECT_LIMIT_S:.0f} s")
    await asyncio.sleep(RECONNECT_LIMIT_S)


def keep(s: Scenario, visitor: Visitor) -> Visitor:
    s.visitors.append(visitor)
    s.keepers[visitor.name] = asyncio.create_task(keep_alive(s, visitor))
    return visitor


async def until(condition: Callable[[], bool], limit_s: float) -> float | None:
    """Seconds until `condition()` holds, or None at the limit."""
    began = time.perf_counter()
    while not condition():
        if time.perf_counter() - began > limit_s:
            return None
        await asyncio.sleep(STATE_POLL_S)
    return time.perf_counter() - began


async def until_async(condition: Callable[[], Awaitable[bool]], limit_s: float) -> float | None:
    began = time.perf_counter()
    while not await condition():
        if time.perf_counter() - began > limit_s:
            return None
        await asyncio.sleep(STATE_POLL_S)
    return time.perf_counter() - began


# ---------------------------------------------------------------- who is in the room


async def member(s: Scenario, name: str, host: str, share: bool = True) -> Visitor:
    """A phone that opened the join link on the Hands tab, joined, and (before the presenter shows a screen, which
    it would follow at once) shared its hands; it follows from now on."""
    visitor = Visitor(name, KIDS, query_with("", room=s.code, **{"kids.tab": HANDS}), {"SRV": host}, follow=s.follow)
    await visitor.open(s.http, s.base_url)
    await visitor.press(JOIN_BUTTON)
    s.check(f"{name} joined on {host} and has a member token", MEMBER_COOKIE in visitor.cookies
            and visitor.host == host, f"served by {visitor.host}")
    if share:
        if visitor.has(SHARE_BUTTON):
            await visitor.press(SHARE_BUTTON)
        s.check(f"{name} shared its hands into the room", visitor.says("Shared with room"))
    return keep(s, visitor)


async def presenter_screen(s: Scenario, name: str, host: str) -> Visitor:
    """The presenter link opened on `host`, on the Garden tab: a member with the presenter's role."""
    query = query_with("", room=s.code, presenter=s.key, **{"kids.tab": GARDEN})
    visitor = Visitor(name, KIDS, query, {"SRV": host})
    await visitor.open(s.http, s.base_url)
    for _ in range(5):  # the link is read in the Room box, after the page: its next run publishes
        if visitor.says("You are the presenter") and visitor.has(FOLLOW_SETTING):
            break
        visitor.texts.clear()
        await visitor.connection.rerun(limit_s=RUN_LIMIT_S)
    s.check(f"{name} on {host} is the presenter", visitor.says("You are the presenter") and visitor.host == host,
            f"served by {visitor.host}")
    return keep(s, visitor)


async def room_counts(s: Scenario) -> dict[str, int]:
    def read() -> dict[str, int]:
        return {"members": s.store.room_info(s.code).member_count, "results": len(s.store.entries(s.code, "hands"))}

    return await s.db(read)


async def queue_counts(s: Scenario) -> tuple[int, int]:
    """(running, waiting) in the training queue every app host shares, as the queue counts them."""
    from lib.background.shared_queue import SharedSlotQueue

    def read() -> tuple[int, int]:
        queue = SharedSlotQueue(s.cluster.local_db_url, 2)
        try:
            return queue.counts()
        finally:
            queue.close()

    return await s.db(read)


# ---------------------------------------------------------------- following


def followers(s: Scenario) -> list[Visitor]:
    return [v for v in s.visitors if v.follow is not None]


def showed(s: Scenario, visitor: Visitor, index: int) -> float | None:
    connection = visitor.connection
    return s.follow.shown.get((connection.serial, index)) if connection is not None else None


async def presenter_moves(s: Scenario, presenter: Visitor, moves: int, phase: str, timed: bool = False) -> bool:
    """`presenter` moves the Garden's k `moves` times; after each, every follower's screen must show it.
    With `timed`, the seconds from each move to each follower's run showing it go into the figures, by host."""
    missed: list[str] = []
    for _ in range(moves):
        widget = presenter.connection.view.widget(FOLLOW_SETTING) if presenter.connection else None
        if widget is None:
            return s.check(f"{phase}: {presenter.name} can move k", False, "no k slider on its screen")
        moved = moved_state(widget, s.rng)
        change = Change(moved.double_array_value.data[0], time.perf_counter())
        s.follow.changes.append(change)
        index = len(s.follow.changes) - 1
        try:
            change.finished = change.sent + await presenter.connection.rerun(moved, widget.fragment_id,
                                                                             limit_s=RUN_LIMIT_S)
        except (RunTimeout, ConnectionError) as error:
            return s.check(f"{phase}: {presenter.name} moved k", False, str(error))
        presenter.take_errors()
        everyone = followers(s)
        await until(lambda i=index, group=everyone: all(showed(s, v, i) is not None for v in group), SHOW_LIMIT_S)
        for visitor in everyone:
            seen = showed(s, visitor, index)
            if seen is None:
                missed.append(visitor.name)
            elif timed:
                s.follow_latency.setdefault(visitor.host, []).append(seen - change.sent)
    return s.check(f"{phase}: every follower showed each of {presenter.name}'s {moves} moves", not missed,
                   f"missed: {sorted(set(missed))}" if missed else f"{len(followers(s))} followers")


# ---------------------------------------------------------------- the training queue across hosts


async def trainer(s: Scenario, name: str, host: str) -> Visitor:
    visitor = Visitor(name, MNIST, query_with("", **TRAIN_QUERY), {"SRV": host})
    await visitor.open(s.http, s.base_url)
    keep(s, visitor)
    await visitor.press(TRAIN_KEY)
    return visitor


async def training(s: Scenario) -> tuple[Visitor, Visitor, Visitor]:
    """Both slots taken on app1, a run queued on app2 that starts when an app1 run stops."""
    first, second = await trainer(s, "trainer 1", "app1"), await trainer(s, "trainer 2", "app1")
    running = await until(lambda: first.has(STOP_KEY) and second.has(STOP_KEY), RUN_LIMIT_S)
    s.check("two runs train on app1", running is not None)
    third = await trainer(s, "trainer 3", "app2")
    queued = await until(lambda: third.has(f"{STOP_KEY}.cancel"), RUN_LIMIT_S)
    counts = await queue_counts(s)
    s.check("a run on app2 queues behind them", queued is not None and counts == (2, 1),
            f"(running, waiting) = {counts}")
    await first.press(STOP_KEY)
    started = await until(lambda: third.has(STOP_KEY), LEASE_LIMIT_S)
    s.check("the run queued on app2 starts when app1's slot frees", started is not None,
            f"{started:.1f} s after Stop" if started is not None else f"it never started: {await queue_counts(s)}")
    if started is not None:
        s.timings["queued_run_started_after_stop_s"] = round(started, 2)
    return first, second, third


# ---------------------------------------------------------------- uploads and downloads


async def fetch(s: Scenario, visitor: Visitor, method: str, path: str, host: str, body: bytes | None = None,
                headers: dict[str, str] | None = None):
    """One HTTP request through lb with the visitor's cookies, SRV set to `host`."""
    from tornado.httpclient import HTTPRequest

    cookies = {**visitor.cookies, "SRV": host}
    url = path if path.startswith("http") else f"{s.base_url}{path if path.startswith('/') else '/' + path}"
    request = HTTPRequest(url, method=method, body=body, request_timeout=RUN_LIMIT_S, headers={
        **(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    return await s.http.fetch(request, raise_error=False)


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = f"dsc-{secrets.token_hex(8)}"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/json\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


async def download_and_upload(s: Scenario, host: str) -> None:
    """The checklist's answers downloaded from the visitor's own host, then uploaded back into its session there;
    the other host has neither the file nor the session."""
    other = "app1" if host == "app2" else "app2"
    project = f"Tin mine forecast on {host}"  # this visitor's own answers: a file no other session has
    visitor = Visitor(f"saving answers on {host}", "methodology", query_with("", **{"methodology.project": project}),
                      {"SRV": host})
    await visitor.open(s.http, s.base_url)
    button = next((b for label, b in visitor.files.items() if label.startswith("download:") and "JSON" in label), None)
    got = await fetch(s, visitor, "GET", button.url, host) if button is not None and button.url else None
    elsewhere = await fetch(s, visitor, "GET", button.url, other) if got is not None else None
    s.check(f"a download reaches its visitor's own host ({host})", got is not None and got.code == 200
            and project.encode() in got.body and elsewhere.code == 404,
            f"{got.code if got else 'no download button'} here, {elsewhere.code if elsewhere else '-'} on {other}")
    if got is None or "file_uploader" not in visitor.files:
        return
    ask = BackMsg()
    ask.file_urls_request.request_id, ask.file_urls_request.session_id = "1", visitor.connection.session_id
    ask.file_urls_request.file_names.append("answers.json")
    await visitor.connection.send(ask)
    await until(lambda: "file_urls_response" in visitor.files, RUN_LIMIT_S)
    urls = visitor.files["file_urls_response"].file_urls[0]
    body, content_type = multipart("answers.json", got.body)
    headers = {"Content-Type": content_type, "X-Xsrftoken": visitor.cookies.get("_streamlit_xsrf", "")}
    wrong = await fetch(s, visitor, "PUT", urls.upload_url, other, body, headers)
    put = await fetch(s, visitor, "PUT", urls.upload_url, host, body, headers)
    state = WidgetState(id=visitor.files["file_uploader"].id)
    info = state.file_uploader_state_value.uploaded_file_info.add()
    info.file_id, info.name, info.size = urls.file_id, "answers.json", len(got.body)
    info.file_urls.CopyFrom(urls)
    visitor.texts.clear()
    await visitor.connection.rerun(state, limit_s=RUN_LIMIT_S)
    visitor.take_errors()
    s.check(f"an upload reaches its visitor's own host ({host}) and the page loads it", put.code == 204
            and wrong.code == 400 and visitor.says("Loaded the answers from answers.json"),
            f"PUT {put.code} here, {wrong.code} on {other}")
    await visitor.connection.close()
    visitor.connection = None  # gone before the faults
    s.visitors.append(visitor)


# ---------------------------------------------------------------- faults


def on_host(s: Scenario, host: str) -> list[Visitor]:
    return [v for v in s.visitors if v.host == host and v.connection is not None]


async def fault(s: Scenario, name: str, act: Callable[[], None], moved: list[Visitor]) -> dict[str, object]:
    """Do `act` (in a thread), then wait for every visitor in `moved` to come back on app1: figures and checks."""
    before = await room_counts(s)
    marks = {v.name: len(v.hosts) for v in moved}
    s.fault_at = time.perf_counter()
    await s.db(act)
    back = await until(lambda: all(len(v.hosts) > marks[v.name] for v in moved), RECONNECT_LIMIT_S + 10)
    after = await room_counts(s)
    came_back = [v for v in moved if len(v.hosts) > marks[v.name]]
    record = {"fault": name, "before": before, "after": after, "visitors_moved": len(moved),
              "failover": summary([v.failovers[-1] for v in came_back]),
              "by_visitor": {v.name: round(v.failovers[-1], 2) for v in came_back}}
    s.faults.append(record)
    s.check(f"{name}: app2's {len(moved)} visitors reconnected to app1", back is not None
            and all(v.host == "app1" for v in moved), f"{[(v.name, v.hosts) for v in moved]}")
    s.check(f"{name}: no member made or lost, no result lost", before == after, f"{before} -> {after}")
    for visitor in came_back:
        if MEMBER_COOKIE in visitor.cookies:
            resumed = await until(lambda v=visitor: v.says(f"In room **{s.code}**"), SHOW_LIMIT_S)
            s.check(f"{name}: {visitor.name} is the same member on app1 (its token)", resumed is not None
                    and not visitor.has(JOIN_BUTTON))
    return record


async def kill_app2(s: Scenario, trainers: tuple[Visitor, Visitor, Visitor], phone: Visitor) -> None:
    """SIGKILL on app2 while it serves followers, a presenter screen and a training run."""
    third = trainers[2]
    for visitor in trainers[1:]:  # on an idle machine a run can end before the kill: one trains through it again
        await train_again_if_done(visitor)
    s.check("app2's run is training when app2 is killed", third.has(STOP_KEY))
    app2_ticket = max(await s.db(lambda: live_tickets(s)), default=None)  # the newest running ticket: app2's
    record = await fault(s, "app2 killed (SIGKILL)", lambda: s.cluster.kill_app("app2"), on_host(s, "app2"))
    s.check("app1's run kept training through the kill", trainers[1].has(STOP_KEY))

    async def app2_ticket_gone() -> bool:
        return app2_ticket not in await s.db(lambda: live_tickets(s))

    freed = await until_async(app2_ticket_gone, LEASE_LIMIT_S)
    freed_after = None if freed is None else round(time.perf_counter() - s.fault_at, 1)
    record["slot_of_app2_run_freed_after_s"] = freed_after
    s.check("the run that was on app2 left its slot (its lease ran out)", freed is not None,
            f"{freed_after} s after the kill" if freed is not None else "still counted as running")
    s.check("the run that was on app2 shows as not running on app1", not third.has(STOP_KEY)
            and third.host == "app1" and not third.has(f"{STOP_KEY}.cancel"))
    if trainers[1].has(STOP_KEY):  # it may have finished by itself while the lease ran out
        await trainers[1].press(STOP_KEY)
    stopped = await until_async(lambda: _queue_is(s, (0, 0)), LEASE_LIMIT_S)
    s.check("the queue is empty after the last run stops", stopped is not None)
    await presenter_moves(s, phone, 1, "after the kill, the presenter phone (now on app1)")
    await restart_app2(s, "after the kill", lambda: s.cluster.start_app("app2"))


async def train_again_if_done(visitor: Visitor) -> None:
    """Press Train again where the visitor's run has finished, and wait until it trains."""
    if not visitor.has(STOP_KEY):
        await visitor.press(TRAIN_KEY)
        await until(lambda: visitor.has(STOP_KEY), RUN_LIMIT_S)


def live_tickets(s: Scenario) -> list[int]:
    """The ids of the running tickets whose lease still holds: the slots taken, as every host counts them."""
    import sqlalchemy as sa

    from lib.background.shared_queue import tickets_table

    engine = sa.create_engine(s.cluster.local_db_url)
    try:
        with engine.connect() as connection:
            table = tickets_table.c
            return list(connection.execute(sa.select(table.ticket_id).where(
                table.state == "running", table.lease_until >= time.time())).scalars())
    finally:
        engine.dispose()


async def _queue_is(s: Scenario, counts: tuple[int, int]) -> bool:
    return await queue_counts(s) == counts


async def restart_app2(s: Scenario, label: str, act: Callable[[], None]) -> None:
    began = time.perf_counter()
    await s.db(act)
    try:
        await s.db(lambda: s.cluster.wait_states({"app1": "UP", "app2": "UP"}))
    except RuntimeError as error:
        s.check(f"app2 is up again {label}", False, str(error))
        return
    s.timings[f"app2_up_again_{label.replace(' ', '_')}_s"] = round(time.perf_counter() - began, 2)


async def cut_app2(s: Scenario) -> None:
    """A new member and a new presenter screen on app2, then app2's cable pulled: the same promises."""
    await member(s, f"member {len(followers(s)) + 1} (after the restart)", "app2", share=False)
    phone = await presenter_screen(s, "presenter phone 2", "app2")
    await fault(s, "app2's link down", lambda: s.cluster.network.cut("app2"), on_host(s, "app2"))
    await presenter_moves(s, phone, 1, "after the link went down, presenter phone 2 (now on app1)")
    await restart_app2(s, "after the link came back", lambda: s.cluster.network.restore("app2"))


async def walk(s: Scenario, name: str, host: str) -> Visitor:
    """Someone outside the room opens the Garden on `host` and moves its k: the page must just work."""
    visitor = Visitor(name, KIDS, query_with("", **{"kids.tab": GARDEN}), {"SRV": host})
    began = time.perf_counter()
    try:
        await visitor.open(s.http, s.base_url)
        widget = visitor.connection.view.widget(FOLLOW_SETTING)
        await visitor.connection.rerun(moved_state(widget, s.rng), widget.fragment_id, limit_s=RUN_LIMIT_S)
        visitor.take_errors()
        worked = visitor.host == host and not visitor.errors
    except (RunTimeout, ConnectionError, OSError, AttributeError) as error:
        worked, visitor.errors = False, [*visitor.errors, f"{type(error).__name__}: {error}"]
    s.check(f"{name}: opened the Garden and moved k", worked,
            f"{time.perf_counter() - began:.1f} s; {visitor.errors or 'no errors'}")
    s.visitors.append(visitor)
    return visitor


async def full_rerun(visitor: Visitor) -> bool:
    """The visitor's whole page runs again (a reload keeps its session in a browser; here, a rerun)."""
    visitor.texts.clear()
    try:
        await visitor.connection.rerun(limit_s=RUN_LIMIT_S)
    except (RunTimeout, ConnectionError) as error:
        visitor.errors.append(f"a full rerun: {error}")
        return False
    visitor.take_errors()
    return True


async def db_outage(s: Scenario, laptop: Visitor) -> None:
    """db's cable pulled for `--outage` s: pages work, the Room box says rooms are unavailable; then back."""
    before = await room_counts(s)
    s.cluster.network.cut("db")
    began = time.perf_counter()
    await asyncio.sleep(min(5.0, s.args.outage / 3))
    walkers = [await walk(s, f"a visitor on {host} during the outage", host) for host in ("app1", "app2")]
    members = [v for v in s.visitors if MEMBER_COOKIE in v.cookies and v.connection is not None]
    rerun_began = time.perf_counter()
    reran = await asyncio.gather(*(full_rerun(v) for v in members))
    s.timings["members_full_reruns_during_outage_s"] = round(time.perf_counter() - rerun_began, 1)
    told = [v.name for v in members if v.says(ROOMS_UNAVAILABLE)]
    s.check("during the outage every member's page ran, and its Room box said rooms are unavailable",
            all(reran) and len(told) == len(members), f"{len(told)} of {len(members)} told")
    await asyncio.sleep(max(0.0, s.args.outage - (time.perf_counter() - began)))
    s.cluster.network.restore("db")
    s.timings["db_outage_s"] = round(time.perf_counter() - began, 1)
    await presenter_moves(s, laptop, 2, "after the database came back, with no restart")
    await asyncio.sleep(AVAILABLE_RECHECK_S)
    cleared = await asyncio.gather(*(full_rerun(w) for w in walkers))
    s.check("after the outage the Room box offers rooms again by itself",
            all(cleared) and not any(w.says(ROOMS_UNAVAILABLE) for w in walkers))
    after = await room_counts(s)
    s.faults.append({"fault": f"db's link down {s.timings['db_outage_s']} s", "before": before, "after": after,
                     "visitors_moved": 0, "failover": summary([]), "by_visitor": {}})
    s.check("db outage: no member or result lost", before == after, f"{before} -> {after}")


async def app2_back(s: Scenario, laptop: Visitor) -> None:
    """New visitors go to app2 again; nobody moved host except when their own host failed."""
    hosts = []
    for number in (1, 2):
        newcomer = Visitor(f"newcomer {number}", KIDS, "", {})
        await newcomer.open(s.http, s.base_url)
        newcomer.take_errors()
        hosts.append(newcomer.host)
        s.visitors.append(newcomer)
    s.check("app2 takes new visitors again", set(hosts) == {"app1", "app2"}, f"new visitors went to {hosts}")
    bounced = [v.name for v in s.visitors
               if any(a != b and (a, b) != ("app2", "app1") for a, b in zip(v.hosts, v.hosts[1:], strict=False))]
    stayed = [v.name for v in s.visitors if v.hosts[:1] == ["app1"] and v.closed]
    s.check("nobody was bounced between hosts", not bounced and not stayed,
            f"moved other than app2 -> app1: {bounced}; app1 visitors who lost their connection: {stayed}")
    await presenter_moves(s, laptop, 2, "at the end, everyone")


# ---------------------------------------------------------------- the run


async def scenario(s: Scenario) -> None:
    from tornado.httpclient import AsyncHTTPClient

    from lib.room.store import RoomStore

    s.http = AsyncHTTPClient(force_instance=True, max_clients=1000, defaults={"request_timeout": OPEN_LIMIT_S})
    s.store = RoomStore(s.cluster.local_db_url)
    s.code, s.key = await s.db(s.store.create_room)
    s.follow = FollowRun(s.code, watching=True)
    try:
        for number in range(2 * s.args.followers_per_host):
            await member(s, f"member {number + 1}", ("app1", "app2")[number % 2])
        phone = await presenter_screen(s, "presenter phone", "app2")
        laptop = await presenter_screen(s, "presenter laptop", "app1")
        await presenter_moves(s, laptop, s.args.moves, "before the faults", timed=True)
        for host in ("app1", "app2"):
            await download_and_upload(s, host)
        trainers = await training(s)
        await kill_app2(s, trainers, phone)
        await cut_app2(s)
        await db_outage(s, laptop)
        await app2_back(s, laptop)
    finally:
        for task in s.keepers.values():
            task.cancel()
        await asyncio.gather(*s.keepers.values(), return_exceptions=True)
        await asyncio.gather(*(v.connection.close() for v in s.visitors if v.connection is not None))
        s.http.close()
        s.store.dispose()


def result_of(s: Scenario, seconds: float) -> dict[str, object]:
    every = [x for samples in s.follow_latency.values() for x in samples]
    errors = {v.name: v.errors for v in s.visitors if v.errors}
    tracebacks = {host: len(s.cluster.log_lines(host, "Traceback")) for host in ("app1", "app2")}
    exceptions = {host: s.cluster.exceptions_logged(host) for host in ("app1", "app2")}
    return {
        "hosts": {host: s.cluster.network.address(host) for host in s.cluster.network.hosts},
        "url": s.base_url, "room": s.code, "seconds": round(seconds, 1), "outage_s": s.args.outage,
        "machine": {"cpu_cores": os.cpu_count(), "load_average_at_start": s.load_at_start,
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "followers_per_host": s.args.followers_per_host, "moves_timed": s.args.moves,
        "follow_from_presenter_move": {**{host: summary(x) for host, x in sorted(s.follow_latency.items())},
                                        "all": summary(every)},
        "faults": s.faults, "timings": s.timings,
        "checks": [{"check": c.name, "passed": c.passed, "detail": c.detail} for c in s.checks],
        "visitor_errors": errors,
        "reconnections": {v.name: v.closed for v in s.visitors if v.closed},
        "server_log_tracebacks": tracebacks, "server_log_exceptions": exceptions,
        "passed": passed(s.checks, errors),
    }


def passed(checks: list[Check], visitor_errors: dict[str, list[str]]) -> bool:
    """Every check held (there were some) and no visitor saw an error; a reconnection is not an error."""
    return bool(checks) and all(check.passed for check in checks) and not any(visitor_errors.values())


def print_tables(result: dict[str, object]) -> None:
    machine = result["machine"]
    print(f"Several hosts in network namespaces: {result['hosts']}; room {result['room']}; "
          f"{result['seconds']} s in all")
    print(f"  machine: {machine['cpu_cores']} cores, load average {machine['load_average_at_start']} at the start, "
          f"{machine['load_average_at_end']} at the end")
    print(f"\n  {'followers, presenter move -> screen showing it':<48} {'runs':>6} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'max ms':>7}")
    for host, row in result["follow_from_presenter_move"].items():
        cells = " ".join(f"{str(row[name]):>7}" for name in ("p50_ms", "p95_ms", "max_ms"))
        print(f"    {host:<46} {row['runs']:>6} {cells}")
    print(f"\n  {'fault':<28} {'moved':>5} {'failover p50 / max s':>21} {'members':>12} {'results':>12}")
    for row in result["faults"]:
        failover = row["failover"]
        took = "-" if not failover["runs"] else f"{failover['p50_ms'] / 1e3:.1f} / {failover['max_ms'] / 1e3:.1f}"
        members = f"{row['before']['members']} -> {row['after']['members']}"
        results = f"{row['before']['results']} -> {row['after']['results']}"
        print(f"    {row['fault'][:26]:<26} {row['visitors_moved']:>5} {took:>21} {members:>12} {results:>12}")
    print(f"\n  timings: {result['timings']}")
    print(f"  server log tracebacks: {result['server_log_tracebacks']}")
    for host, lines in result["server_log_exceptions"].items():
        for line in lines[:10]:
            print(f"    {host}: {line}")
    print("\n  checks:")
    for check in result["checks"]:
        detail = f": {check['detail']}" if check["detail"] else ""
        print(f"    {'ok  ' if check['passed'] else 'FAIL'} {check['check']}{detail}")
    for name, errors in result["visitor_errors"].items():
        print(f"  errors seen by {name}: {errors[:5]}")
    print(f"\n  {'PASSED' if result['passed'] else 'FAILED'}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--followers-per-host", type=int, default=2, help="members who follow, on each app host")
    parser.add_argument("--moves", type=int, default=4, help="presenter moves timed before the faults")
    parser.add_argument("--outage", type=float, default=30.0, help="seconds the database host is cut off")
    parser.add_argument("--limit", type=float, default=900.0, help="the whole run stops after this many seconds")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args(argv)
    if args.followers_per_host < 1 or args.moves < 1 or not 0 < args.outage <= 300:
        parser.error("--followers-per-host and --moves must be at least 1, --outage between 0 and 300")
    return args


def missing_reason() -> str | None:
    """Why the cluster cannot run here: namespaces, PostgreSQL or HAProxy missing; None when it can."""
    from lib.serve import find_haproxy
    from tests import netns, room_pg

    reason = netns.missing_reason() or room_pg.missing_reason()
    if reason is None and find_haproxy() is None:
        reason = "HAProxy is not installed (apt-get install haproxy)"
    return reason


def run(args: argparse.Namespace) -> dict[str, object]:
    from benchmarks.cluster_hosts import Cluster
    from tests.netns import enter

    cluster = Cluster(app_env={"DSC_TRAINING_WORKERS": "threads"})
    began = time.perf_counter()
    try:
        cluster.create_network()
        enter(cluster.network.netns("client"))  # before any thread: the visitors reach only lb's network
        cluster.start_db()
        for host in ("app1", "app2"):
            cluster.start_app(host)
        cluster.start_lb()
        s = Scenario(args, cluster, None)
        s.timings["cluster_up_s"] = round(cluster.wait_states({"app1": "UP", "app2": "UP"}), 2)
        try:
            asyncio.run(asyncio.wait_for(scenario(s), args.limit))
        except Exception as error:  # noqa: BLE001 (the run stops; the table says where and why)
            s.check("the scenario ran to its end", False, f"{type(error).__name__}: {error}")
        return result_of(s, time.perf_counter() - began)
    finally:
        cluster.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    reason = missing_reason()
    if reason is not None:
        print(f"benchmarks.cluster cannot run here: {reason}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stop from outside still tears everything down
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        print_tables(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
