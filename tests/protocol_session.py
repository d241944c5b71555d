"""One visitor speaking Streamlit's own websocket protocol (BackMsg / ForwardMsg), with no browser.

A test opens a page as a browser would (`open_page`), reads what the run drew (`Run`), and moves a
widget with the state a browser would send, inside the widget's fragment (`move_widget`). Every run
is read to its `script_finished`, so what a rerun sent, and what kind of rerun it was, can be checked.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import ClientConnection, connect

SIDEBAR_ROOT = 1  # a delta path starts with its root container: 0 is the main area, 1 the sidebar
RUN_LIMIT_S = 120  # a first run imports torch or geopandas in the server


@dataclass
class Element:
    kind: str  # the element's proto name: "slider", "vega_lite_chart", ...
    proto: object  # that element's message
    fragment_id: str  # "" outside any fragment
    delta_path: tuple[int, ...]


@dataclass
class Run:
    """What one run sent: its elements, the address bar it wrote, how it finished, and whether the router ran."""
    elements: list[Element] = field(default_factory=list)
    query_strings: list[str] = field(default_factory=list)  # each page_info_changed, in order
    finished: int | None = None  # a ForwardMsg.ScriptFinishedStatus
    navigation_sent: bool = False  # st.navigation (Home.py, the router) ran
    timers_started: list[str] = field(default_factory=list)  # fragment ids given a run_every timer
    tabs: list[tuple[str, list[str]]] = field(default_factory=list)  # each st.tabs: its query-param key, its labels
    page_script_hash: str = ""
    deltas: int = 0  # every ForwardMsg delta (element, block, ...) the run sent

    @property
    def app_run(self) -> bool:
        """The run finished as a full run of the app (a fragment's st.rerun(scope="app") ends in one)."""
        return self.finished == ForwardMsg.FINISHED_SUCCESSFULLY

    @property
    def fragment_run(self) -> bool:
        return self.finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY

    def sidebar_elements(self) -> list[Element]:
        return [element for element in self.elements if element.delta_path[:1] == (SIDEBAR_ROOT,)]

    def widget(self, kind: str, label: str) -> Element:
        found = [e for e in self.elements if e.kind == kind and getattr(e.proto, "label", None) == label]
        assert found, f"no {kind} labelled {label!r} in this run: {[(e.kind, getattr(e.proto, 'label', '')) for e in self.elements]}"
        return found[0]

    def address_bar(self) -> dict[str, str]:
        """The query string the run left in the address bar (its last page_info_changed)."""
        return dict(parse_qsl(self.query_strings[-1])) if self.query_strings else {}


class Visitor:
    """One session on a running server; `open_page` runs a page, `move_widget` moves one of its widgets."""

    def __init__(self, connection: ClientConnection, url: str) -> None:
        self._connection = connection
        self._url = url
        self.page_name = ""
        self.query_string = ""
        self.page_script_hash = ""

    def open_page(self, page_name: str, query_string: str = "") -> Run:
        if page_name != self.page_name:
            self.page_script_hash = ""  # as a link opens: the server finds the page by its URL path
        self.page_name, self.query_string = page_name, query_string
        run = self._rerun([], fragment_id="")
        self.page_script_hash = run.page_script_hash or self.page_script_hash
        return run

    def move_widget(self, widget: Element, state: WidgetState) -> Run:
        """Send the widget's new state as a browser does: inside the widget's fragment, where it sits in one."""
        state.id = widget.proto.id
        run = self._rerun([state], fragment_id=widget.fragment_id)
        self.page_script_hash = run.page_script_hash or self.page_script_hash  # st.switch_page moves the browser too
        return run

    def answer_timer(self, fragment_id: str) -> Run:
        """What the browser's `run_every` timer sends: a rerun of that fragment, no widget moved."""
        run = self._rerun([], fragment_id=fragment_id)
        self.page_script_hash = run.page_script_hash or self.page_script_hash
        return run

    def _rerun(self, states: Sequence[WidgetState], fragment_id: str) -> Run:
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query_string
        client.page_name = self.page_name
        client.page_script_hash = self.page_script_hash
        client.fragment_id = fragment_id
        client.widget_states.widgets.extend(states)
        client.context_info.CopyFrom(ContextInfo(url=f"{self._url}/{self.page_name}?{self.query_string}",
                                                 timezone="UTC", locale="en-GB"))
        self._connection.send(message.SerializeToString())
        return self._read_run()

    def _read_run(self) -> Run:
        run = Run()
        while run.finished is None:
            reply = ForwardMsg()
            reply.ParseFromString(self._connection.recv(timeout=RUN_LIMIT_S))
            kind = reply.WhichOneof("type")
            run.deltas += kind == "delta"
            if kind == "new_session":
                run.page_script_hash = reply.new_session.page_script_hash
            elif kind == "navigation":
                run.navigation_sent = True
                run.page_script_hash = reply.navigation.page_script_hash
            elif kind == "page_info_changed":
                run.query_strings.append(reply.page_info_changed.query_string)
                self.query_string = reply.page_info_changed.query_string  # the browser's address bar follows
            elif kind == "delta" and reply.delta.WhichOneof("type") == "add_block":
                self._read_block(reply.delta.add_block, run)
            elif kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
                element = reply.delta.new_element
                name = element.WhichOneof("type") or ""
                run.elements.append(Element(name, getattr(element, name) if name else element,
                                            reply.delta.fragment_id, tuple(reply.metadata.delta_path)))
            elif kind == "auto_rerun":
                run.timers_started.append(reply.auto_rerun.fragment_id)
            elif kind == "script_finished":
                if reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    run.finished = reply.script_finished
        return run

    @staticmethod
    def _read_block(block: object, run: Run) -> None:
        kind = block.WhichOneof("type")
        if kind == "tab_container":
            run.tabs.append((block.tab_container.query_param_key, []))
        elif kind == "tab" and run.tabs:
            run.tabs[-1][1].append(block.tab.label)


@contextmanager
def visitor(url: str) -> Iterator[Visitor]:
    """A fresh session on the server at `url` (http://host:port), closed on leaving."""
    parts = urlsplit(url)
    with connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit"], origin=url,
                 max_size=None, open_timeout=RUN_LIMIT_S) as connection:
        yield Visitor(connection, url)
