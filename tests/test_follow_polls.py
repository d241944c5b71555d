"""A follower's poll with nothing new draws nothing: checked over Streamlit's websocket protocol.

A follower's browser answers the follow fragment's timer once a second. A poll that finds the room as the
screen shows it must send no element (only the one delta Streamlit sends on every fragment run: the
fragment's own container block), so thirty phones polling cost the
server only Streamlit's own fragment run; a new presenter view, or a status line that no longer says what
is so, reruns the app, which draws it. AppTest always reruns the whole script, so it cannot tell this.
"""
from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from app_pages.kids import GARDEN
from lib.room import RoomStore
from lib.room.follow import EXPLORE
from tests.e2e.conftest import running_app
from tests.protocol_session import Run, Visitor, visitor

FOLLOWING = "Following the presenter"
EXPLORING = "The presenter lets everyone explore"
# The server keeps a room's view 0.5 s (ui.room.READ_TTL_S); a timer answered this often sees a change long before.
POLLS_UNTIL_SEEN = 400


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> Iterator[tuple[str, RoomStore, str, str]]:
    """A server on a fresh room database, and a room whose presenter shows the Garden with k = 3."""
    url = f"sqlite:///{tmp_path_factory.mktemp('rooms') / 'rooms.sqlite'}"
    store = RoomStore(url)
    code, key = store.create_room()
    store.join(code, "Presenter", presenter_key=key)
    store.publish_view(code, key, "kids", GARDEN, {"kids.garden_k": "3"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DSC_ROOM_DB", url)
        with running_app() as app_url:
            yield app_url, store, code, key


def _join(member: Visitor, code: str) -> Run:
    first = member.open_page("", urlencode({"room": code}))
    join = [e for e in first.elements if e.kind == "button" and "room.card_join" in e.proto.id]
    assert join, "the join link shows no join card"
    return member.move_widget(join[0], WidgetState(trigger_value=True))


def _poll(member: Visitor, poll_id: str) -> Run:
    return member.answer_timer(poll_id)


def _drew_nothing(run: Run) -> bool:
    """A fragment run that sent no element: at most its own container block (Streamlit sends it every run)."""
    return run.fragment_run and not run.elements and run.deltas <= 1


def _texts(run: Run) -> list[str]:
    return [getattr(e.proto, "body", "") for e in run.elements if e.kind == "markdown"]


def _garden_k(run: Run) -> float:
    return run.widget("slider", "How many groups should the computer look for? (k)").proto.value[0]


def _poll_until_app_run(member: Visitor, poll_id: str) -> tuple[Run, list[Run]]:
    quiet = []
    for _ in range(POLLS_UNTIL_SEEN):
        run = _poll(member, poll_id)
        if run.app_run:
            return run, quiet
        quiet.append(run)
    raise AssertionError(f"no poll of {POLLS_UNTIL_SEEN} took the room's change")


def test_a_poll_with_nothing_new_sends_nothing_and_a_new_view_reruns_the_app(room) -> None:
    app_url, store, code, key = room
    with visitor(app_url) as member:
        joined = _join(member, code)
        assert joined.app_run and _garden_k(joined) == 3
        assert any(FOLLOWING in text for text in _texts(joined)), "the status line is drawn by the full run"
        assert joined.timers_started, "a follower's screen starts the follow poll's timer"
        poll_id = joined.timers_started[-1]

        quiet = [_poll(member, poll_id) for _ in range(5)]
        assert all(map(_drew_nothing, quiet)), f"a poll with nothing new drew {[r.elements for r in quiet]}"

        store.publish_view(code, key, "kids", GARDEN, {"kids.garden_k": "5"})
        moved, before = _poll_until_app_run(member, poll_id)
        assert _garden_k(moved) == 5
        assert all(map(_drew_nothing, before))
        assert all(_drew_nothing(_poll(member, poll_id)) for _ in range(3))


def test_a_changed_room_mode_reruns_the_app_once_to_redraw_the_status_line(room) -> None:
    app_url, store, code, key = room
    with visitor(app_url) as member:
        poll_id = _join(member, code).timers_started[-1]
        store.set_follow_mode(code, key, EXPLORE)
        try:
            changed, before = _poll_until_app_run(member, poll_id)
            assert all(map(_drew_nothing, before))
            assert any(EXPLORING in text for text in _texts(changed))
            assert not any(FOLLOWING in text for text in _texts(changed))
            assert all(_drew_nothing(_poll(member, poll_id)) for _ in range(3))
        finally:
            store.set_follow_mode(code, key, "follow")
