"""Following the presenter under AppTest: a presenter and followers share one database file.

The presenter's screen (page, tab, settings as the share link encodes them) goes through the room
database; a follower's next run shows it. Hostile views are refused, and only the presenter sets one.
"""
from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.kids import GARDEN, HANDS
from lib.room import RoomError, RoomStore
from lib.room.follow import FollowerState, PresenterView, RoomView, follow_step
from tests.conftest import HOME, PAGE_TIMEOUT_S
from ui.follow import FOLLOW_RUNS_AT_ONCE, FOLLOW_TURNS, TURN_KEY, follow_turn, forget_room_reads

KIDS = "app_pages/kids.py"


@pytest.fixture
def room_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    monkeypatch.setenv("DSC_ROOM_DB", url)
    return url


def _run(at_or_widget) -> AppTest:
    """Run the app (after an interaction on one of its widgets) and check nothing raised."""
    at = at_or_widget.run()
    assert not at.exception, at.exception
    return at


def _visitor(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return _run(at)



def _presenter_on_the_garden() -> tuple[AppTest, str]:
    presenter = _visitor()
    _run(presenter.sidebar.button(key="room.start").click())
    presenter.switch_page(KIDS)
    presenter.session_state["kids.tab"] = GARDEN
    presenter.query_params["kids.tab"] = GARDEN
    return _run(presenter), presenter.session_state["room.code"]


def _follower(code: str, name: str = "Brave Puffin") -> AppTest:
    """A phone that opened the join link: the main area's card joins with one tap."""
    follower = _visitor({"room": code})
    follower.text_input(key="room.card_name").set_value(name)
    _run(follower.button(key="room.card_join").click())
    assert follower.session_state["room.code"] == code
    return _run(follower)


def test_a_follower_shows_the_garden_k_the_presenter_chose(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code)
    _run(presenter.slider(key="kids.garden_k").set_value(4))

    _run(follower)
    assert follower.session_state["kids.tab"] == GARDEN
    assert follower.slider(key="kids.garden_k").value == 4
    assert follower.query_params["kids.garden_k"] == "4"  # the address bar carries it too


class _Store(RoomStore):
    """The room store as another process sees it: after each change, this process's kept reads are dropped
    (as they would expire within a second), so the test does not wait for them."""

    def publish_view(self, code: str, *args, **kwargs) -> int:
        version = super().publish_view(code, *args, **kwargs)
        forget_room_reads(code)
        return version


def _store(url: str) -> RoomStore:
    return _Store(url)


def test_a_follower_who_moves_a_slider_explores_until_back_to_the_presenter(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code)
    _run(presenter.slider(key="kids.garden_k").set_value(3))
    _run(follower)
    assert follower.slider(key="kids.garden_k").value == 3
    assert "follow.back" not in [button.key for button in follower.button]

    _run(follower.slider(key="kids.garden_k").set_value(2))
    _run(presenter.slider(key="kids.garden_k").set_value(5))
    _run(follower)
    assert follower.slider(key="kids.garden_k").value == 2  # exploring: the presenter's 5 does not arrive
    assert "follow.back" in [button.key for button in follower.button]
    assert _store(room_db).follow_counts(code).exploring == 1

    _run(follower.button(key="follow.back").click())
    _run(follower)
    assert follower.slider(key="kids.garden_k").value == 5
    assert "follow.back" not in [button.key for button in follower.button]
    assert _store(room_db).follow_counts(code).following == 1


def test_bring_everyone_here_and_let_everyone_explore(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code)
    _run(follower.slider(key="kids.garden_k").set_value(6))  # exploring on their own
    presenter.switch_page("app_pages/room.py")
    _run(presenter)
    assert [metric.value for metric in presenter.metric if metric.label == "Exploring"] == ["1"]

    _run(presenter.button(key="follow.gather").click())
    _run(follower)
    assert follower.slider(key="kids.garden_k").value == 2  # the presenter's k (the default)
    assert "follow.back" not in [button.key for button in follower.button]

    _run(presenter.button(key="follow.explore").click())
    key = presenter.session_state["room.presenter_key"]
    _store(room_db).publish_view(code, key, "kids", GARDEN, {"kids.garden_k": "4"})
    _run(follower)
    assert follower.slider(key="kids.garden_k").value == 2  # everyone explores: nothing moves them
    assert any("lets everyone explore" in caption.value for caption in follower.caption)


def test_hostile_presenter_views_are_refused_and_never_crash_a_follower(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code)
    store, key = _store(room_db), presenter.session_state["room.presenter_key"]
    _run(presenter.slider(key="kids.garden_k").set_value(3))
    _run(follower)

    store.publish_view(code, key, "kids", GARDEN, {"kids.garden_k": "99", "kids.spy_noise": "nan"})
    _run(follower)
    assert follower.slider(key="kids.garden_k").value == 3  # out of range: the follower keeps theirs
    assert any("cannot use" in toast.value for toast in follower.toast)

    store.publish_view(code, key, "nowhere", None, {"kids.garden_k": "4"})
    _run(follower)
    assert follower.session_state["kids.garden_k"] == 3  # an unknown page: nobody moves

    store.publish_view(code, key, "kids", "Not one of its tabs", {})
    _run(follower)
    assert follower.session_state["kids.tab"] == GARDEN
    with pytest.raises(RoomError):
        store.publish_view(code, key, "kids", "<script>alert(1)</script>", {})
    with pytest.raises(RoomError):
        store.publish_view(code, key, "kids", HANDS, {"kids.garden_k": "2\n<b>"})
    with pytest.raises(RoomError):
        store.publish_view(code, key, "../room", None, {})


def test_only_the_presenter_sets_the_rooms_view(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code)
    store = _store(room_db)
    member_id, token = follower.session_state["room.member"], follower.session_state["room.token"]
    for not_a_key in ("", "wrong", member_id, token):
        with pytest.raises(RoomError):
            store.publish_view(code, not_a_key, "kids", HANDS, {})
        with pytest.raises(RoomError):
            store.set_follow_mode(code, not_a_key, "explore")
    assert store.room_view(code).view.tab == GARDEN


def test_a_replayed_member_token_acts_only_as_that_member(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code, name="Quiet Heron")
    store = _store(room_db)

    resumed = store.resume(follower.session_state["room.token"])
    assert (resumed.code, resumed.member_id, resumed.name) == (code, follower.session_state["room.member"],
                                                                "Quiet Heron")
    assert resumed.presenter_key is None
    assert store.resume(follower.session_state["room.member"]) is None  # the posting id is not a token
    with pytest.raises(RoomError):  # a follower cannot make their token a presenter's
        store.issue_token(code, resumed.member_id, presenter_key="guessed")
    with pytest.raises(RoomError):  # nor take the presenter's place with the key
        store.issue_token(code, resumed.member_id, presenter_key=presenter.session_state["room.presenter_key"])

    as_presenter = store.resume(presenter.session_state["room.token"])
    assert as_presenter.presenter_key == presenter.session_state["room.presenter_key"]

    token = follower.session_state["room.token"]
    _run(follower.sidebar.button(key="room.leave").click())
    assert store.resume(token) is None  # left: the token resumes nobody


def test_a_closed_room_releases_its_followers_with_one_line(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code)
    _run(presenter.sidebar.button(key="room.close").click())
    _run(follower)
    assert [info.value for info in follower.info if code in info.value] == [
        f"Room {code} is closed: you are exploring on your own now."]


def test_the_presenter_who_leaves_releases_the_followers(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code)
    _run(presenter.sidebar.button(key="room.leave").click())
    _run(follower)
    assert any(info.value == f"The presenter has left room {code}: you are exploring on your own now."
               for info in follower.info)


def test_follow_step_takes_each_version_once_and_gather_ends_exploring() -> None:
    view = RoomView(3, PresenterView("kids", GARDEN, {"kids.garden_k": "4"}), "follow", 0, None)
    state, take = follow_step(FollowerState(), view)
    assert take and state.applied_version == 3
    assert follow_step(state, view) == (state, False)
    exploring = FollowerState(applied_version=3, exploring=True)
    assert follow_step(exploring, RoomView(4, view.view, "follow", 0, None))[1] is False
    gathered, take = follow_step(exploring, RoomView(5, view.view, "follow", 1, None))
    assert take and not gathered.exploring and gathered.seen_gather == 1


def test_methodology_views_follow_but_a_typed_project_name_stays(room_db) -> None:
    presenter, code = _presenter_on_the_garden()
    follower = _follower(code)
    follower.switch_page("app_pages/methodology.py")
    _run(follower)
    _run(follower.text_input(key="methodology.project").set_value("Tin prices"))
    _run(follower.button(key="follow.back").click())  # typing is their own work, yet it left the presenter's page
    presenter.switch_page("app_pages/methodology.py")
    _run(presenter)
    _run(presenter.text_input(key="methodology.project").set_value("The presenter's secret project"))
    _run(presenter.radio(key="methodology.view").set_value("roc"))

    _run(follower)
    assert follower.session_state["methodology.view"] == "roc"
    assert follower.session_state["methodology.project"] == "Tin prices"
    assert "The presenter's secret project" not in str(_store(room_db).room_view(code).view.settings)


def test_the_welcome_page_box_joins_by_code(room_db) -> None:
    _, code = _presenter_on_the_garden()
    visitor = _visitor()
    visitor.text_input(key="room.welcome_code").set_value(code.lower())
    _run(visitor.button(key="room.welcome_join").click())
    assert visitor.session_state["room.code"] == code


@pytest.mark.parametrize("page", ["kids", "maps", "mnist", "pytorch_basics"])
def test_every_tab_and_every_default_setting_of_a_page_can_travel(page: str) -> None:
    """A label or a value that check_view refused would leave followers behind on that tab, silently."""
    import importlib

    from lib.room.follow import check_view, is_followed, shareable_settings

    module = importlib.import_module(f"app_pages.{page}")
    settings = {param.key: param.encode(param.default) for param in module.SETTINGS if is_followed(param)}
    assert shareable_settings(settings) == settings
    for label in module.TABS:
        assert check_view(page, label, settings).tab == label


def test_runs_the_follow_poll_started_take_turns_and_every_other_run_goes_straight_ahead() -> None:
    """A presenter's change starts every follower's run at once: they run FOLLOW_RUNS_AT_ONCE at a time, a
    run the poll did not start never waits, and a run that fails gives its turn back."""
    going, most, counted = [0], [0], threading.Lock()

    def follower_run() -> None:
        with follow_turn({TURN_KEY: True}):
            with counted:
                going[0] += 1
                most[0] = max(most[0], going[0])
            time.sleep(0.02)  # a run's work, long enough for the others to arrive while it holds the turn
            with counted:
                going[0] -= 1

    threads = [threading.Thread(target=follower_run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == FOLLOW_RUNS_AT_ONCE

    state = {TURN_KEY: True}
    with follow_turn(state):
        assert TURN_KEY not in state, "the mark is taken by the run it started"
        moved = threading.Event()

        def visitor_run() -> None:
            with follow_turn({}):
                moved.set()

        mover = threading.Thread(target=visitor_run)
        mover.start()
        mover.join()
        assert moved.is_set(), "a visitor's own run waited for a follower's turn"

    with pytest.raises(RuntimeError), follow_turn({TURN_KEY: True}):
        raise RuntimeError("a page's run that failed")
    assert all(FOLLOW_TURNS.acquire(blocking=False) for _ in range(FOLLOW_RUNS_AT_ONCE)), "a turn was not given back"
    for _ in range(FOLLOW_RUNS_AT_ONCE):
        FOLLOW_TURNS.release()
