"""benchmarks.room_load: the protocol its visitors speak, read on built messages and against real servers.

The real runs are short: the app's Kids page (two visitors on the Garden tab, a few seconds), and a
one-file app that draws an exception and an st.error, which the benchmark must report.
"""
from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import room_load
from benchmarks.latency import percentile, summary
from benchmarks.serving import running_server, wait_healthy
from benchmarks.st_protocol import Connection, MessageCache, PageView, grid_values, moved_state, query_with
from tests.helpers import in_own_thread

SLIDER_ID = "$$ID-0123abcd-kids.garden_k"
FRAGMENT = "f00d"


# ---------------------------------------------------------------- recorded messages


def _message(build) -> ForwardMsg:
    """A ForwardMsg as the server sends it: built, serialised, read back."""
    message = ForwardMsg()
    build(message)
    return ForwardMsg.FromString(message.SerializeToString())


def _new_session(fragments: tuple[str, ...] = ()) -> ForwardMsg:
    def build(m: ForwardMsg) -> None:
        m.new_session.page_script_hash = "page-hash"
        m.metadata.run.script_run_id = "run"
        m.metadata.run.fragment_ids.extend(fragments)
    return _message(build)


def _slider(value: float | None, path: list[int], fragment: str = FRAGMENT) -> ForwardMsg:
    def build(m: ForwardMsg) -> None:
        m.metadata.delta_path.extend(path)
        m.delta.fragment_id = fragment
        slider = m.delta.new_element.slider
        slider.id, slider.label, slider.min, slider.max, slider.step = SLIDER_ID, "k", 1, 6, 1
        slider.data_type = slider.INT
        slider.default.append(1)
        if value is not None:
            slider.value.append(value)
            slider.set_value = True
    return _message(build)


def _toggle(path: list[int]) -> ForwardMsg:
    def build(m: ForwardMsg) -> None:
        m.metadata.delta_path.extend(path)
        toggle = m.delta.new_element.checkbox
        toggle.id, toggle.label, toggle.default = "$$ID-99-presenter", "Presenter mode", False
    return _message(build)


def _tabs() -> list[ForwardMsg]:
    def bar(m: ForwardMsg) -> None:
        m.metadata.delta_path.extend([0, 4])
        m.delta.add_block.tab_container.id = "$$ID-77-kids.tab"
        m.delta.add_block.tab_container.query_param_key = "kids.tab"
        m.delta.add_block.tab_container.default_tab_index = 1

    def tab(index: int, label: str):
        def build(m: ForwardMsg) -> None:
            m.metadata.delta_path.extend([0, 4, index])
            m.delta.add_block.tab.label = label
        return build
    return [_message(bar), _message(tab(0, "✋ Hands")), _message(tab(1, "🐞 Garden"))]


def _exception_and_error() -> list[ForwardMsg]:
    def exception(m: ForwardMsg) -> None:
        m.metadata.delta_path.extend([0, 4, 1, 0, 5])
        m.delta.new_element.exception.type = "ValueError"
        m.delta.new_element.exception.message = "bad bins"

    def error(m: ForwardMsg) -> None:
        m.metadata.delta_path.extend([0, 4, 1, 0, 6])
        m.delta.new_element.alert.body = "Something went wrong in this tab."
        m.delta.new_element.alert.format = m.delta.new_element.alert.ERROR

    def warning(m: ForwardMsg) -> None:
        m.metadata.delta_path.extend([0, 4, 1, 0, 7])
        m.delta.new_element.alert.body = "The shipped data is modelled."
        m.delta.new_element.alert.format = m.delta.new_element.alert.WARNING
    return [_message(exception), _message(error), _message(warning)]


def _finished(status=ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY) -> ForwardMsg:
    return _message(lambda m: setattr(m, "script_finished", status))


def _first_run() -> PageView:
    view = PageView()
    for message in [_new_session(), _toggle([1, 2]), *_tabs(), _slider(3, [0, 4, 1, 0, 2]), *_exception_and_error(),
                    _finished()]:
        view.read(message)
    return view


def test_percentiles_are_nearest_rank_and_summaries_are_milliseconds() -> None:
    samples = [float(n) for n in range(1, 21)]
    assert percentile(samples, 0.95) == 19.0
    assert percentile(samples, 0.5) == 10.0
    assert percentile([0.2], 0.95) == 0.2
    assert summary([0.010, 0.020, 0.030]) == {"runs": 3, "p50_ms": 20, "p95_ms": 30, "max_ms": 30}
    assert summary([]) == {"runs": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}


def test_the_page_view_reads_sliders_their_fragment_tabs_and_errors() -> None:
    view = _first_run()
    [slider] = view.movable()  # the sidebar toggle is a widget, but not one a visitor moves
    assert (slider.key, slider.fragment_id, slider.value) == ("kids.garden_k", FRAGMENT, [3.0])
    assert (slider.minimum, slider.maximum, slider.step, slider.integer) == (1, 6, 1, True)
    [bar] = view.tab_bars.values()
    assert (bar.query_param_key, bar.labels) == ("kids.tab", ["✋ Hands", "🐞 Garden"])
    assert view.errors == ["ValueError: bad bins", "Something went wrong in this tab."]  # the warning is no error
    sent = {state.id: state for state in view.widget_states()}
    assert set(sent) == {SLIDER_ID, "$$ID-99-presenter", "$$ID-77-kids.tab"}
    assert sent["$$ID-77-kids.tab"].string_value == "🐞 Garden"  # the tab the server opened (default_tab_index)


def test_a_page_the_router_does_not_know_is_an_error() -> None:
    view = PageView()
    view.read(_message(lambda m: setattr(m.page_not_found, "page_name", "nowhere")))
    assert view.errors == ["page not found: 'nowhere'"]


def test_a_move_sends_every_widget_and_the_browser_keeps_its_value_through_a_fragment_run() -> None:
    view = _first_run()
    slider = view.widget("kids.garden_k")
    moved = moved_state(slider, random.Random(0))
    [new_value] = moved.double_array_value.data
    assert new_value in grid_values(slider) and new_value != 3.0
    sent = view.widget_states(moved)
    assert [s.double_array_value.data[0] for s in sent if s.id == SLIDER_ID] == [new_value]
    assert "$$ID-99-presenter" in {s.id for s in sent}
    view.keep(moved)
    for message in [_new_session((FRAGMENT,)), _slider(None, [0, 4, 1, 0, 2]), _finished()]:
        view.read(message)  # the server redraws the slider without setting it: the browser keeps the move
    assert view.widget("kids.garden_k").value == [new_value]
    assert view.widget("presenter") is not None  # outside the fragment: a fragment run leaves it alone
    for message in [_new_session(), _toggle([1, 2]), _finished()]:
        view.read(message)  # a full run that draws no slider: the browser drops it
    assert view.widget("kids.garden_k") is None


def test_number_inputs_step_within_their_bounds_and_select_sliders_pick_another_option() -> None:
    def number(m: ForwardMsg) -> None:
        m.metadata.delta_path.extend([0, 1])
        box = m.delta.new_element.number_input
        box.id, box.has_min, box.has_max, box.min, box.max, box.step = "$$ID-1-x", True, True, 0.0, 1.0, 0.25
        box.data_type, box.default = box.FLOAT, 1.0

    def choices(m: ForwardMsg) -> None:
        m.metadata.delta_path.extend([0, 2])
        slider = m.delta.new_element.slider
        slider.id = "$$ID-2-mnist.learning_rate"
        slider.options.extend(["0.001", "0.01", "0.1"])
        slider.default.append(1)

    view = PageView()
    for message in (_message(number), _message(choices)):
        view.read(message)
    box, rate = view.widget("x"), view.widget("mnist.learning_rate")
    assert moved_state(box, random.Random(0)).double_value == 0.75  # at the top: one step down
    assert rate.value == ["0.01"]
    assert moved_state(rate, random.Random(0)).string_array_value.data[0] in {"0.001", "0.1"}


def test_a_range_slider_moves_one_thumb_and_keeps_the_two_in_order() -> None:
    view = PageView()
    view.read(_slider(None, [0, 1]))
    slider = view.widget("kids.garden_k")
    slider.state.double_array_value.data[:] = [2.0, 5.0]
    for seed in range(20):
        low, high = moved_state(slider, random.Random(seed)).double_array_value.data
        assert 1 <= low <= high <= 6 and (low, high) != (2.0, 5.0) and (low == 2.0 or high == 5.0)


def test_a_large_element_sent_again_by_reference_is_read_from_the_cache() -> None:
    cache = MessageCache(max_age=2)
    original = _slider(4, [0, 3])
    original.hash, original.metadata.cacheable = "h1", True
    cache.resolve(original)
    assert cache.hashes() == ["h1"]

    def reference(m: ForwardMsg) -> None:
        m.ref_hash = "h1"
        m.metadata.delta_path.extend([0, 9])
    resolved = cache.resolve(_message(reference))
    assert resolved.delta.new_element.slider.id == SLIDER_ID
    assert list(resolved.metadata.delta_path) == [0, 9]
    for _ in range(3):
        cache.finished_run()
    assert cache.hashes() == []  # unused for more runs than the server's max age: dropped, as the browser does


# ---------------------------------------------------------------- real servers


@pytest.fixture(scope="module")
def app_server():
    with running_server() as server:
        in_own_thread(asyncio.run, wait_healthy(server))
        yield server


def _http():
    from tornado.httpclient import AsyncHTTPClient

    return AsyncHTTPClient(force_instance=True)


async def _garden(server_url: str) -> str:
    """The Garden tab's link, read from the Kids page's tab bar."""
    kids = Connection(server_url, "kids")
    await kids.open(_http(), room_load.OPEN_LIMIT_S)
    [bar] = kids.view.tab_bars.values()
    await kids.close()
    return query_with("", **{bar.query_param_key: next(label for label in bar.labels if "Garden" in label)})


def test_a_widget_state_message_moves_the_slider_inside_its_fragment(app_server) -> None:
    async def move() -> tuple[float, float, list[list[str]], str, str]:
        runs: list[list[str]] = []
        connection = Connection(app_server.url, "kids", await _garden(app_server.url),
                                on_message=lambda m: runs.append(list(m.metadata.run.fragment_ids))
                                if m.WhichOneof("type") == "new_session" else None)
        await connection.open(_http(), room_load.OPEN_LIMIT_S)
        slider = connection.view.widget("kids.garden_k")
        moved = moved_state(slider, random.Random(1))
        runs.clear()
        seconds = await connection.rerun(moved, slider.fragment_id)
        await connection.close()
        return seconds, moved.double_array_value.data[0], runs, connection.view.query_string, slider.fragment_id

    seconds, new_value, runs, query, fragment = in_own_thread(asyncio.run, move())
    assert seconds > 0
    assert fragment and runs == [[fragment]]  # the rerun was the tab's fragment, not the whole page
    assert dict(parse_qsl(query))["kids.garden_k"] == str(int(new_value))  # the page ran with the new value


def test_a_short_room_measures_moves_reruns_cpu_and_memory(app_server) -> None:
    args = room_load.parse_args(["--url", app_server.url, "--page", "kids", "--demo", "Garden", "--visitors", "2",
                                 "--trainers", "0", "--think", "0.4", "--seconds", "4", "--solo-moves", "2"])
    result = in_own_thread(asyncio.run, room_load.run(args))
    assert result["demos"] and all("Garden" in name for name in result["demos"])
    assert result["lone_moves"]["runs"] == 2
    assert result["room_moves"]["runs"] > 0 and result["room_moves"]["p50_ms"] > 0
    assert result["room"]["reruns_per_s"] > 0
    assert result["server_pids"] == [app_server.pid]
    assert result["room"]["server_cpu_cores"] is not None
    assert [row["pid"] for row in result["room"]["peak_rss_per_process"]][:1] == [app_server.pid]
    assert result["failures"] == [] and result["errors_drawn"] == []
    assert result["first_page_staggered"]["runs"] == 2


BROKEN_APP = '''
import streamlit as st

level = st.slider("Level", 0, 10, 3, key="level")
st.exception(ValueError(f"drawn on purpose at {level}"))
st.error("an st.error on purpose")
'''


def test_an_exception_drawn_on_a_page_is_reported_as_an_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BROKEN_APP, encoding="utf-8")
    with running_server(app="app.py", cwd=tmp_path) as server:
        in_own_thread(asyncio.run, wait_healthy(server))
        args = room_load.parse_args(["--url", server.url, "--page", "", "--visitors", "1", "--trainers", "0",
                                     "--think", "0.3", "--seconds", "1.5", "--solo-moves", "1"])
        result = in_own_thread(asyncio.run, room_load.run(args))
    by_text = {row["error"]: row["visitors"] for row in result["errors_drawn"]}
    assert any("ValueError: drawn on purpose" in text for text in by_text)
    [(_, seen_by)] = [(text, count) for text, count in by_text.items() if text.endswith("an st.error on purpose")]
    assert seen_by == 3  # the scout, the lone visitor, the room's one visitor: each once, however many reruns
    assert room_load.failed(result)


def test_the_room_store_logs_each_statement_only_when_the_benchmark_asks(tmp_path: Path, monkeypatch) -> None:
    from lib.room.store import STATEMENT_LOG_ENV_VAR, RoomStore

    log = tmp_path / "statements.log"
    quiet = RoomStore(f"sqlite:///{tmp_path / 'quiet.sqlite'}")
    monkeypatch.setenv(STATEMENT_LOG_ENV_VAR, str(log))
    quiet.create_room()  # its engine was made without the variable: nothing is logged
    quiet.dispose()
    assert not log.exists()
    store = RoomStore(f"sqlite:///{tmp_path / 'rooms.sqlite'}")
    code, _ = store.create_room()
    before = len(log.read_text().splitlines())
    store.room_view(code)
    store.dispose()
    lines = [line.split(" ") for line in log.read_text().splitlines()]
    assert before > 0
    assert [verb for _, _, verb in lines[before:]] == ["BEGIN", "SELECT"]  # room_view is one query
    assert {pid for _, pid, _ in lines} == {str(os.getpid())}


def test_statements_are_counted_in_the_window_and_not_the_benchmarks_own(tmp_path: Path) -> None:
    log = tmp_path / "statements.log"
    log.write_text(f"10.0 1 SELECT\n11.0 1 SELECT\n11.5 2 BEGIN\n12.0 2 SELECT\n12.5 {os.getpid()} SELECT\n30.0 1 SELECT\n")
    counted = room_load.statements_between(log, 10.5, 12.5)
    assert counted["selects"] == 2 and counted["selects_by_process"] == {"1": 1, "2": 1}
    assert counted["selects_per_s"] == 1.0 and counted["statements_per_s"] == 1.5
    assert room_load.statements_between(None, 0, 1) is None


def test_a_short_follow_run_times_every_follower_and_counts_database_reads() -> None:
    args = room_load.parse_args(["--follow", "--followers", "3", "--presenter-every", "3", "--seconds", "9",
                                 "--page", "kids", "--demo", "Garden", "--visitors", "1", "--think", "1",
                                 "--solo-moves", "1"])
    result = in_own_thread(asyncio.run, room_load.run(args))
    follow = result["follow"]
    assert result["failures"] == [] and result["errors_drawn"] == []
    assert follow["followers"] == 3 and follow["presenter_changes"] == 2
    assert len(follow["changes_shown_per_follower"]) == 3 and min(follow["changes_shown_per_follower"]) >= 1
    assert follow["from_presenter_move"]["runs"] + follow["missed"] == 6
    assert follow["from_presenter_move"]["p50_ms"] > 0
    assert follow["counts_at_end"] == {"following": 3, "exploring": 0}  # taking a view is not exploring
    assert follow["db_reads"]["selects"] > 0 and follow["db_reads"]["selects_per_s"] > 0
    assert follow["slider_moves_without_followers"]["runs"] > 0 and follow["slider_moves_with_followers"]["runs"] > 0
