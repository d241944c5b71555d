"""Streamlit's websocket protocol, spoken as its browser frontend speaks it, for benchmarks that draw nothing.

A browser opens `/_stcore/stream` with the `streamlit` subprotocol, sends a `rerun_script` BackMsg
(the page's URL path as `page_name`, its query string, what it knows of the browser in
`context_info`), and then reads ForwardMsgs: `new_session`, deltas that build the page tree, the
query string the script writes (`page_info_changed`), `auto_rerun` timers for
`st.fragment(run_every=...)`, and `script_finished`. Each later rerun sends the page's script hash
and the state of every widget on the page (`WidgetStates`), with `fragment_id` set when the widget
that changed sits inside a fragment. Large elements come once and are then referred to by hash
(`ref_hash`), as long as the client lists them in `cached_message_hashes`.

`PageView` is the page tree's widgets, tabs and errors, read from ForwardMsgs alone (no network), so
it can be tested on recorded messages. `Connection` is one visitor's websocket (tornado's client).
"""
from __future__ import annotations

import asyncio
import itertools
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "_stcore/stream"
SUBPROTOCOL = "streamlit"
MAX_MESSAGE_BYTES = 1 << 30  # a page can send a few MB of chart rows in one message
EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR
MAIN, SIDEBAR = 0, 1  # the first number of a delta path: which root container the element is in
MOVABLE = ("slider", "select_slider", "number_input")  # what a visitor "moves"
ERROR_ALERT = Alert.Format.ERROR  # st.error


def element_key(element_id: str) -> str | None:
    """The user key inside a keyed element's id (`$$ID-<hash>-<key>`), else None."""
    parts = element_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" and parts[2] != "None" else None


@dataclass
class Widget:
    """One widget on the page and the state the browser holds for it (what it sends back on each rerun)."""

    id: str
    kind: str  # "slider", "select_slider", "number_input", "checkbox", "radio", "selectbox", "text_input", "tabs", ...
    fragment_id: str  # "" outside any fragment
    path: tuple[int, ...]
    state: WidgetState
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    integer: bool = False
    options: tuple[str, ...] = ()
    disabled: bool = False

    @property
    def key(self) -> str | None:
        return element_key(self.id)

    @property
    def movable(self) -> bool:
        if self.disabled or self.kind not in MOVABLE:
            return False
        if self.kind == "select_slider":
            return len(self.options) > 1
        return self.minimum is not None and self.maximum is not None and self.maximum > self.minimum

    @property
    def value(self) -> object:
        """The widget's current value as the browser holds it (a list for sliders)."""
        kind = self.state.WhichOneof("value")
        if kind == "double_array_value":
            return list(self.state.double_array_value.data)
        if kind == "string_array_value":
            return list(self.state.string_array_value.data)
        return None if kind is None else getattr(self.state, kind)


def _state(widget_id: str) -> WidgetState:
    state = WidgetState()
    state.id = widget_id
    return state


def widget_from_element(element, fragment_id: str, path: tuple[int, ...]) -> Widget | None:
    """The widget a `new_element` delta draws, with the value a browser would hold right after drawing it."""
    kind = element.WhichOneof("type")
    proto = getattr(element, kind, None) if kind else None
    widget_id = getattr(proto, "id", "") if proto is not None else ""
    if not widget_id:
        return None
    state = _state(widget_id)
    set_value = getattr(proto, "set_value", False)
    widget = Widget(widget_id, kind, fragment_id, path, state, disabled=getattr(proto, "disabled", False))
    if kind == "slider":
        if proto.options:  # st.select_slider: a Slider of formatted options, sent back as strings
            widget.kind, widget.options = "select_slider", tuple(proto.options)
            chosen = list(proto.raw_value) if set_value and proto.raw_value else [proto.options[int(i)] for i in proto.default]
            state.string_array_value.data.extend(chosen)
        else:
            state.double_array_value.data.extend(proto.value if set_value else proto.default)
            widget.minimum, widget.maximum, widget.step = proto.min, proto.max, proto.step
            widget.integer = proto.data_type == proto.INT
    elif kind == "number_input":
        widget.integer = proto.data_type == proto.INT
        value = proto.value if set_value else proto.default
        if widget.integer:
            state.int_value = int(value)
        else:
            state.double_value = value
        widget.minimum = proto.min if proto.has_min else None
        widget.maximum = proto.max if proto.has_max else None
        widget.step = proto.step
    elif kind == "checkbox":
        state.bool_value = proto.value if set_value else proto.default
    elif kind in ("radio", "selectbox"):
        widget.options = tuple(proto.options)
        if set_value and proto.raw_value:
            state.string_value = proto.raw_value
        elif proto.options and 0 <= proto.default < len(proto.options):
            state.string_value = proto.options[proto.default]
    elif kind in ("text_input", "text_area"):
        state.string_value = proto.value if set_value else proto.default
    elif kind in ("button", "download_button", "form_submit_button"):
        pass  # a trigger: sent as true only in the rerun its click starts
    else:
        return None  # components, uploads, charts with selections: their values come from the browser's own code
    return widget


def grid_values(widget: Widget) -> list[float]:
    """Every value a slider's thumb can sit on: min, min + step, ... max (bounded to 10,000 positions)."""
    low, high = float(widget.minimum), float(widget.maximum)
    step = widget.step or (1.0 if widget.integer else (high - low) / 100)
    count = min(10_000, int(math.floor((high - low) / step + 1e-9)) + 1)
    return [round(low + index * step, 10) for index in range(count)]


def _moved_thumbs(places: list[int], positions: int, rng: random.Random) -> list[int]:
    """One thumb moved to another of `positions` places; a range's two thumbs stay in order."""
    moved = list(places)
    end = rng.randrange(len(places))
    low = moved[0] if end == 1 else 0
    high = moved[1] if end == 0 and len(moved) == 2 else positions - 1
    choices = [place for place in range(low, high + 1) if place != moved[end]]
    if choices:
        moved[end] = rng.choice(choices)
    return moved


def moved_state(widget: Widget, rng: random.Random) -> WidgetState:
    """The widget's state after a person moves it to another valid value (a slider: anywhere on its grid)."""
    state = WidgetState()
    state.CopyFrom(widget.state)
    if widget.kind == "select_slider":
        options = list(widget.options)
        places = [options.index(option) for option in widget.state.string_array_value.data if option in options] or [0]
        del state.string_array_value.data[:]
        state.string_array_value.data.extend(options[place] for place in _moved_thumbs(places, len(options), rng))
    elif widget.kind == "slider":
        grid = grid_values(widget)
        current = list(widget.state.double_array_value.data) or [grid[0]]
        places = [min(range(len(grid)), key=lambda i: abs(grid[i] - value)) for value in current]
        del state.double_array_value.data[:]
        state.double_array_value.data.extend(grid[place] for place in _moved_thumbs(places, len(grid), rng))
    elif widget.kind == "number_input":  # the +/- buttons: one step, turning back at a bound
        now = widget.state.int_value if widget.integer else widget.state.double_value
        step = widget.step or 1
        moved = now + step if widget.maximum is None or now + step <= widget.maximum else now - step
        if widget.minimum is not None and moved < widget.minimum:
            moved = now
        if widget.integer:
            state.int_value = int(moved)
        else:
            state.double_value = round(moved, 10)
    else:
        raise ValueError(f"{widget.kind} is not a widget a visitor moves")
    return state


@dataclass
class TabBar:
    """An `st.tabs` bound to the URL: its query-string key and its labels."""

    id: str
    query_param_key: str
    labels: list[str] = field(default_factory=list)
    path: tuple[int, ...] = ()
    open_index: int = 0


@dataclass
class PageView:
    """What the browser's page tree holds: widgets by id, tab bars, errors drawn; updated per ForwardMsg."""

    widgets: dict[str, Widget] = field(default_factory=dict)
    tab_bars: dict[tuple[int, ...], TabBar] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    query_string: str = ""
    page_script_hash: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # URL path -> page script hash, from the router
    auto_reruns: dict[str, float] = field(default_factory=dict)  # fragment id -> seconds between reruns
    _drawn: set[str] = field(default_factory=set)
    _run_fragments: tuple[str, ...] = ()

    def read(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self._run_fragments = tuple(message.metadata.run.fragment_ids)
            self._drawn = set()
            self.page_script_hash = message.new_session.page_script_hash or self.page_script_hash
            if not self._run_fragments:
                self.auto_reruns.clear()  # a full run starts the page again: the browser drops its timers
        elif kind == "navigation":
            self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
            self.page_script_hash = message.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment_id, None)
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "delta":
            self._read_delta(message)
        elif kind == "script_finished" and message.script_finished != EARLY:
            self._forget_undrawn()

    def _read_delta(self, message: ForwardMsg) -> None:
        delta, path = message.delta, tuple(message.metadata.delta_path)
        which = delta.WhichOneof("type")
        if which == "new_element":
            element = delta.new_element
            element_kind = element.WhichOneof("type")
            replaced = {i: w for i, w in self.widgets.items() if w.path == path}
            for widget_id in replaced:
                del self.widgets[widget_id]  # the element at this place was replaced
            if element_kind == "exception":
                self.errors.append(f"{element.exception.type}: {element.exception.message}".strip())
            elif element_kind == "alert" and element.alert.format == ERROR_ALERT:
                self.errors.append(element.alert.body)
            widget = widget_from_element(element, delta.fragment_id, path)
            if widget is not None:
                old = replaced.get(widget.id) or self.widgets.get(widget.id)
                if old is not None and old.state.WhichOneof("value") and not _server_sets(element):
                    widget.state = old.state  # the browser keeps what the visitor chose
                self.widgets[widget.id] = widget
                self._drawn.add(widget.id)
        elif which == "add_block":
            self._read_block(delta, path)

    def _read_block(self, delta, path: tuple[int, ...]) -> None:
        """A tab bar bound to the URL, and its tabs; a stateful tab bar is a widget holding the open tab's label."""
        block = delta.add_block
        if block.WhichOneof("type") == "tab_container" and block.tab_container.query_param_key:
            bar = block.tab_container
            self.tab_bars[path] = TabBar(bar.id, bar.query_param_key, path=path, open_index=bar.default_tab_index)
            if bar.id:
                old = self.widgets.get(bar.id)
                widget = Widget(bar.id, "tabs", delta.fragment_id, path, old.state if old else _state(bar.id))
                self.widgets[bar.id] = widget
                self._drawn.add(bar.id)
        elif block.WhichOneof("type") == "tab" and path[:-1] in self.tab_bars:
            bar = self.tab_bars[path[:-1]]
            del bar.labels[path[-1]:]
            bar.labels.append(block.tab.label)
            tabs = self.widgets.get(bar.id)
            if tabs is not None and path[-1] == bar.open_index:
                tabs.state.string_value = block.tab.label  # the tab the server opened, as the browser shows it

    def _forget_undrawn(self) -> None:
        """At a run's end the browser drops widgets that run should have drawn and did not."""
        for widget_id, widget in list(self.widgets.items()):
            in_run = not self._run_fragments or widget.fragment_id in self._run_fragments
            if in_run and widget_id not in self._drawn:
                del self.widgets[widget_id]

    def movable(self) -> list[Widget]:
        """Widgets in the main area a visitor can move (sliders, select sliders, number inputs), in drawing order."""
        return [w for w in self.widgets.values() if w.movable and w.path and w.path[0] == MAIN]

    def widget(self, key: str) -> Widget | None:
        return next((w for w in self.widgets.values() if w.key == key), None)

    def widget_states(self, changed: WidgetState | None = None) -> list[WidgetState]:
        """Every widget's state, as the browser sends them; `changed` replaces its widget's (or adds a trigger)."""
        states = [w.state for w in self.widgets.values() if w.state.WhichOneof("value") is not None]
        if changed is not None:
            states = [s for s in states if s.id != changed.id] + [changed]
        return states

    def keep(self, state: WidgetState) -> None:
        """Remember a value the visitor set (not a trigger: a click is sent once)."""
        widget = self.widgets.get(state.id)
        if widget is not None and state.WhichOneof("value") != "trigger_value":
            widget.state = state


def _server_sets(element) -> bool:
    proto = getattr(element, element.WhichOneof("type"))
    return bool(getattr(proto, "set_value", False))


@dataclass
class MessageCache:
    """Large elements kept by hash, as the browser keeps them, dropped after `max_age` runs unused."""

    max_age: int = 2
    runs: int = 0
    _messages: dict[str, tuple[ForwardMsg, int]] = field(default_factory=dict)

    def resolve(self, message: ForwardMsg) -> ForwardMsg | None:
        """The message itself, or the one a `ref_hash` points to (None when it was never received)."""
        if message.WhichOneof("type") == "ref_hash":
            kept = self._messages.get(message.ref_hash)
            if kept is None:
                return None
            resolved = ForwardMsg()
            resolved.CopyFrom(kept[0])
            resolved.metadata.CopyFrom(message.metadata)
            self._messages[message.ref_hash] = (kept[0], self.runs)
            return resolved
        if message.metadata.cacheable and message.hash:
            self._messages[message.hash] = (message, self.runs)
        return message

    def finished_run(self) -> None:
        self.runs += 1
        for digest, (_, used) in list(self._messages.items()):
            if self.runs - used > self.max_age:
                del self._messages[digest]

    def hashes(self) -> list[str]:
        return list(self._messages)


class RunTimeout(RuntimeError):
    """No `script_finished` came back within the limit."""


class Connection:
    """One visitor's websocket: rerun requests as the browser sends them, the page as the server draws it.

    `rerun` returns the seconds from its send to the first `script_finished` after it that is not
    "finished early for a rerun" (a run that `st.rerun()` restarts is timed to its end).
    """

    _serials = itertools.count()

    def __init__(self, base_url: str, page: str, query: str = "", *, on_message: Callable[[ForwardMsg], None] | None = None):
        self.serial = next(self._serials)  # tells visitors apart in the figures, after they have left too
        self.base_url = base_url.rstrip("/")
        self.page = page
        self.view = PageView(query_string=query)
        self.cache = MessageCache()
        self.cookies: dict[str, str] = {}
        self.session_id = ""
        self.runs_finished = 0
        self.on_message = on_message
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._waiters: list[asyncio.Future] = []
        self._changed = asyncio.Event()
        self.closed_reason: str | None = None

    @property
    def page_url(self) -> str:
        query = self.view.query_string
        return f"{self.base_url}/{self.page}" + (f"?{query}" if query else "")

    async def open(self, http_client, limit_s: float) -> float:
        """Load the page as a browser does (its HTML, keeping cookies a proxy sets), open the websocket,
        and request the first run; seconds from the start to that run's end."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        started = time.perf_counter()
        for url in (self.page_url, f"{self.base_url}/_stcore/health", f"{self.base_url}/_stcore/host-config"):
            reply = await http_client.fetch(HTTPRequest(url, headers=self._cookie_header(), request_timeout=limit_s),
                                            raise_error=False)
            self._keep_cookies(reply.headers.get_list("Set-Cookie"))
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        request = HTTPRequest(f"{scheme}://{parts.netloc}{parts.path}/{STREAM_PATH}", headers=self._cookie_header(),
                              connect_timeout=limit_s, request_timeout=limit_s)
        self._socket = await websocket_connect(request, subprotocols=[SUBPROTOCOL], max_message_size=MAX_MESSAGE_BYTES,
                                               compression_options={})
        self._keep_cookies(self._socket.headers.get_list("Set-Cookie") if self._socket.headers else [])
        self._reader = asyncio.create_task(self._read_forever())
        await self._request(self._first_run(), limit_s)
        return time.perf_counter() - started

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})

    def _context(self, message: BackMsg) -> None:
        info = message.rerun_script.context_info
        info.timezone, info.timezone_offset, info.locale = "Europe/London", 0, "en-GB"
        info.url, info.is_embedded, info.color_scheme = self.page_url, False, "light"

    def _first_run(self) -> BackMsg:
        message = BackMsg()
        message.rerun_script.query_string = self.view.query_string
        message.rerun_script.page_name = self.page
        self._context(message)
        return message

    def rerun_message(self, changed: WidgetState | None = None, fragment_id: str = "", auto: bool = False) -> BackMsg:
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.view.query_string
        rerun.page_script_hash = self.view.page_script_hash
        rerun.widget_states.widgets.extend(self.view.widget_states(changed))
        rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = auto
        rerun.cached_message_hashes.extend(self.cache.hashes())
        self._context(message)
        return message

    async def rerun(self, changed: WidgetState | None = None, fragment_id: str = "", *, auto: bool = False,
                    limit_s: float = 120.0) -> float:
        """Send the page's widget states (with `changed`) and wait for the run's end; seconds from the send."""
        message = self.rerun_message(changed, fragment_id, auto)
        if changed is not None:
            self.view.keep(changed)
        return await self._request(message, limit_s)

    async def _request(self, message: BackMsg, limit_s: float) -> float:
        if self.closed_reason is not None:
            raise ConnectionError(self.closed_reason)
        finished = asyncio.get_running_loop().create_future()
        self._waiters.append(finished)
        sent = time.perf_counter()
        await self._socket.write_message(message.SerializeToString(), binary=True)
        try:
            await asyncio.wait_for(finished, limit_s)
        except TimeoutError as error:
            raise RunTimeout(f"no script_finished within {limit_s:.0f} s") from error
        return finished.result() - sent

    async def _read_forever(self) -> None:
        try:
            while True:
                raw = await self._socket.read_message()
                if raw is None:
                    self._close(f"the server closed the websocket ({self._socket.close_code})")
                    return
                self._received(ForwardMsg.FromString(raw), time.perf_counter())
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a malformed frame ends this visitor, and says why
            self._close(f"{type(error).__name__}: {error}")

    def _received(self, message: ForwardMsg, at: float) -> None:
        resolved = self.cache.resolve(message)
        if resolved is None:
            return
        if resolved.WhichOneof("type") == "new_session":
            self.session_id = resolved.new_session.initialize.session_id or self.session_id
            self.cache.max_age = resolved.new_session.config.max_cached_message_age or self.cache.max_age
        self.view.read(resolved)
        if self.on_message is not None:
            self.on_message(resolved)
        if resolved.WhichOneof("type") in ("auto_rerun", "stop_auto_rerun", "script_finished"):
            self._changed.set()
        if resolved.WhichOneof("type") == "script_finished" and resolved.script_finished != EARLY:
            self.runs_finished += 1
            self.cache.finished_run()
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(at)

    async def view_changed(self, limit_s: float) -> None:
        """Until a run ends, a timer is set or dropped, or the socket closes (at most `limit_s`)."""
        self._changed.clear()
        try:
            await asyncio.wait_for(self._changed.wait(), max(0.0, limit_s))
        except TimeoutError:
            return

    def _close(self, reason: str) -> None:
        self.closed_reason = reason
        self._changed.set()
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(ConnectionError(reason))
        self._waiters = []

    async def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):  # closing: whatever the reader was doing is over
                pass


def query_with(query: str, **pairs: str) -> str:
    """`query` with these keys set (a demo's link: its tab or view on top of the page's own settings)."""
    merged = dict(parse_qsl(query, keep_blank_values=True)) | pairs
    return urlencode(merged)
