"""Every page's open tab (or view) is a fragment: a widget move reruns that tab, not the router.

These talk to a real `streamlit run Home.py` over Streamlit's websocket protocol, as a browser does
(tests/protocol_session.py): AppTest always reruns the whole script, so it cannot tell a fragment rerun
from a full one. A full run sends the router's navigation and the sidebar (the device, presenter mode
and the Room box); a fragment run sends neither and finishes as FINISHED_FRAGMENT_RUN_SUCCESSFULLY.
"""
from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from app_pages.kids import GARDEN, SPY
from tests.e2e.conftest import running_app
from tests.protocol_session import Run, visitor


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with running_app() as url:
        yield url


def toggle_state(on: bool) -> WidgetState:
    return WidgetState(bool_value=on)


def slider_state(values: list[float]) -> WidgetState:
    state = WidgetState()
    state.double_array_value.data.extend(values)
    return state


def assert_full_run(run: Run) -> None:
    assert not run.fragment_run and run.navigation_sent
    assert run.sidebar_elements(), "a full run draws the sidebar"


def assert_tab_run(run: Run) -> None:
    """A rerun of the open tab only: no router, no sidebar, nothing outside the tab's fragment."""
    assert run.fragment_run, f"finished as {run.finished}, not as a fragment run"
    assert not run.navigation_sent, "the router (Home.py) ran"
    assert not run.sidebar_elements(), "the sidebar (and its Room box) was drawn again"
    outside = [element.kind for element in run.elements if not element.fragment_id]
    assert not outside, f"drawn outside the tab's fragment: {outside}"


def share_link(run: Run) -> str:
    codes = [element.proto.code_text for element in run.elements if element.kind == "code"
             and element.proto.code_text.startswith("http")]
    assert codes, "no share link in this run"
    return codes[-1]


def test_a_slider_in_a_methodology_view_reruns_that_view_and_updates_the_link(app_url: str) -> None:
    with visitor(app_url) as room_member:
        first = room_member.open_page("methodology", "methodology.view=roc")
        assert_full_run(first)
        view_radio = first.widget("radio", "Show")
        assert not view_radio.fragment_id, "the view radio must rerun the whole page"
        threshold = first.widget("slider", "Threshold")
        assert threshold.fragment_id, "the view's slider sits in a fragment"

        moved = room_member.move_widget(threshold, slider_state([0.8]))

    assert_tab_run(moved)
    assert moved.address_bar().get("methodology.roc.threshold") == "0.8"
    assert "methodology.roc.threshold=0.8" in share_link(moved)
    assert "methodology.view=roc" in share_link(moved)


def test_a_slider_in_a_kids_story_reruns_that_story_and_a_tab_switch_reruns_the_app(app_url: str) -> None:
    with visitor(app_url) as visitor_session:
        first = visitor_session.open_page("kids", urlencode({"kids.tab": GARDEN}))
        assert_full_run(first)
        groups = first.widget("slider", "How many groups should the computer look for? (k)")
        assert groups.fragment_id

        moved = visitor_session.move_widget(groups, slider_state([4]))
        assert_tab_run(moved)
        assert moved.address_bar().get("kids.garden_k") == "4"
        assert "kids.garden_k=4" in share_link(moved)

        spy = visitor_session.open_page("kids", urlencode({"kids.tab": SPY}))
    assert_full_run(spy)
    spy.widget("slider", "How noisy is the baddie? (noise)")


def test_the_km_machines_auto_run_starts_in_its_tab_and_stops_with_a_full_run(app_url: str) -> None:
    with visitor(app_url) as presenter:
        first = presenter.open_page("pytorch_basics")
        auto = first.widget("checkbox", "Auto-run, one example every half second")
        assert auto.fragment_id and not first.timers_started

        started = presenter.move_widget(auto, toggle_state(True))
        assert_tab_run(started)
        assert started.timers_started, "the auto-run fragment got no timer"

        stopped = presenter.move_widget(auto, toggle_state(False))
    # The browser drops a fragment's timer only on a full run; a tab rerun would leave it ticking.
    assert_full_run(stopped)
    assert not stopped.timers_started
