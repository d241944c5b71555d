"""The Room box and the Room page under AppTest: a presenter and an attendee share one database file."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.room import RoomStore
from lib.room.payloads import FINGERS
from tests.conftest import HOME, PAGE_TIMEOUT_S
from ui.room import ROOMS_UNAVAILABLE

HANDS = {"left_cm": {finger: 5.0 + i for i, finger in enumerate(FINGERS)},
         "right_cm": {finger: 5.2 + i for i, finger in enumerate(FINGERS)}}
SCRIPT_NAME = "<img src=x onerror=alert(1)>"
VIEW_LABELS = {"hands": "✋ Hands", "digit": "✍️ Digits", "mnist_run": "📉 MNIST runs", "checklist": "🧭 Checklist"}


@pytest.fixture
def room_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    monkeypatch.setenv("DSC_ROOM_DB", url)
    return url


def _visitor(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _start_room() -> tuple[AppTest, str]:
    presenter = _visitor()
    presenter.sidebar.button(key="room.start").click().run()
    assert not presenter.exception, presenter.exception
    return presenter, presenter.session_state["room.code"]


def _join(code: str, name: str) -> AppTest:
    attendee = _visitor({"room": code.lower()})
    assert attendee.sidebar.text_input(key="room.join_code").value == code
    attendee.sidebar.text_input(key="room.join_name").set_value(name)
    attendee.sidebar.button(key="room.join").click().run()
    assert not attendee.exception, attendee.exception
    return attendee


def _room_page(at: AppTest, kind: str) -> AppTest:
    at.switch_page("app_pages/room.py")
    at.session_state["room.tab"] = VIEW_LABELS[kind]
    at.query_params["room.tab"] = VIEW_LABELS[kind]
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def _all_text(at: AppTest) -> str:
    parts = [element.value for element in (*at.markdown, *at.caption, *at.info, *at.warning, *at.success)]
    return "\n".join(str(part) for part in parts)


def test_presenter_starts_a_room_and_gets_a_code_link_qr_and_presenter_link(room_db: str) -> None:
    presenter, code = _start_room()
    key = presenter.session_state["room.presenter_key"]
    assert len(code) == 6 and key
    codes = [block.value for block in presenter.sidebar.code]
    assert f"http://localhost:8501/?room={code}" in codes
    assert any(f"presenter={key}" in value for value in codes)
    # The presenter link is shown once: hidden for good after the presenter confirms keeping it.
    presenter.sidebar.button(key="room.hide_presenter_link").click().run()
    assert not any("presenter=" in block.value for block in presenter.sidebar.code)
    assert RoomStore(room_db).members(code) == ["Presenter"]


def test_an_attendee_joins_by_link_posts_and_the_presenters_room_page_shows_it(room_db: str) -> None:
    presenter, code = _start_room()
    attendee = _join(code, SCRIPT_NAME)
    assert attendee.session_state["room.code"] == code
    assert any(SCRIPT_NAME in text.value for text in attendee.sidebar.text)
    RoomStore(room_db).post(code, attendee.session_state["room.member"], "hands", HANDS)

    _room_page(presenter, "hands")
    assert _metric(presenter, "Members") == "2"
    assert _metric(presenter, "Hands shared") == "1"
    names = [name for frame in presenter.dataframe for name in frame.value.get("name", [])]
    assert SCRIPT_NAME in names  # shown literally, in a table
    assert "<img" not in _all_text(presenter)  # never as markdown or HTML
    assert any("Longer right hand: 1 child;" in caption.value for caption in presenter.caption)
    tables = [element.proto.body for element in presenter.get("html")]  # the numbers behind each chart
    assert any("&lt;img src=x onerror=alert(1)&gt;" in table for table in tables)
    assert not any("<img" in table for table in tables)


def test_a_presenter_link_restores_presenter_rights_and_leaves_the_address_bar(room_db: str) -> None:
    presenter, code = _start_room()
    key = presenter.session_state["room.presenter_key"]
    other_device = _visitor({"room": code, "presenter": key})
    assert other_device.session_state["room.presenter_key"] == key
    assert "presenter" not in other_device.query_params
    stranger = _visitor({"room": code, "presenter": "guessed-key"})
    assert "room.presenter_key" not in stranger.session_state
    assert any("does not open room" in error.value for error in stranger.sidebar.error)


def test_closing_the_room_stops_joins_and_tells_members(room_db: str) -> None:
    presenter, code = _start_room()
    attendee = _join(code, "Curious Otter")
    presenter.sidebar.button(key="room.close").click().run()
    attendee.run()
    assert any("closed" in warning.value for warning in attendee.sidebar.warning)
    late = _join(code, "Late Badger")
    assert "room.code" not in late.session_state
    assert any("closed" in error.value for error in late.sidebar.error)


def test_leaving_removes_the_member(room_db: str) -> None:
    presenter, code = _start_room()
    attendee = _join(code, "Curious Otter")
    attendee.sidebar.button(key="room.leave").click().run()
    assert "room.code" not in attendee.session_state
    assert RoomStore(room_db).members(code) == ["Presenter"]


def test_a_wrong_code_is_refused_plainly(room_db: str) -> None:
    visitor = _visitor()
    visitor.sidebar.text_input(key="room.join_code").set_value("ABCDE0")
    visitor.sidebar.button(key="room.join").click().run()
    assert any("not a room code" in error.value for error in visitor.sidebar.error)
    visitor.sidebar.text_input(key="room.join_code").set_value("ZZZZZZ")
    visitor.sidebar.button(key="room.join").click().run()
    assert any("no room ZZZZZZ" in error.value for error in visitor.sidebar.error)


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/a-file/rooms.sqlite", "nosuchdialect://nowhere"])
def test_an_unusable_database_switches_rooms_off_and_nothing_else(tmp_path, monkeypatch, url: str) -> None:
    (tmp_path / "a-file").write_text("a file where a folder should be")
    monkeypatch.setenv("DSC_ROOM_DB", url.format(tmp=tmp_path))
    visitor = _visitor()
    assert [warning.value for warning in visitor.sidebar.warning] == [ROOMS_UNAVAILABLE]
    assert visitor.title[0].value == "Data Science Cornwall Lab"
    visitor.switch_page("app_pages/room.py").run()
    assert not visitor.exception
    assert any("not in a room" in info.value for info in visitor.info)


def test_presenter_clears_a_kind_from_the_room_page(room_db: str) -> None:
    presenter, code = _start_room()
    store = RoomStore(room_db)
    store.post(code, presenter.session_state["room.member"], "digit", {"label": 3, "pixels": [0] * 784})
    _room_page(presenter, "digit")
    assert _metric(presenter, "Digits shared") == "1"
    presenter.button(key="room.clear.digit").click().run()
    assert not presenter.exception
    assert store.entries(code, "digit") == []
    assert _metric(presenter, "Digits shared") == "0"


def test_an_attendee_sees_the_pooled_views_without_presenter_controls(room_db: str) -> None:
    _, code = _start_room()
    attendee = _join(code, "Curious Otter")
    _room_page(attendee, "checklist")
    assert any("Only the presenter" in caption.value for caption in attendee.caption)
    assert not [button for button in attendee.button if button.key == "room.clear.checklist"]


def test_post_to_room_reports_success_and_refusals(room_db: str) -> None:
    _, code = _start_room()
    attendee = _join(code, "Curious Otter")

    def script() -> None:
        import streamlit as st

        from ui.room import post_to_room

        st.session_state["outcome"] = post_to_room(st.session_state["kind"], st.session_state["payload"])

    helper = AppTest.from_function(script, default_timeout=PAGE_TIMEOUT_S)
    helper.session_state["room.code"] = code
    helper.session_state["room.member"] = attendee.session_state["room.member"]
    helper.session_state["kind"], helper.session_state["payload"] = "hands", HANDS
    helper.run()
    assert helper.session_state["outcome"] is None
    helper.session_state["payload"] = {"left_cm": {}, "right_cm": {}}
    helper.run()
    assert "exactly once" in helper.session_state["outcome"]
    assert len(RoomStore(room_db).entries(code, "hands")) == 1


def test_the_room_page_scores_the_presenters_model_on_the_rooms_digits(room_db: str) -> None:
    import numpy as np

    from lib.mnist.config import TrainConfig
    from lib.mnist.train import EvalResult, TrainResult, build_model, predict

    presenter, code = _start_room()
    rng = np.random.default_rng(0)
    digits = [{"label": int(label), "pixels": rng.integers(0, 256, 784).tolist()} for label in range(10)]
    store = RoomStore(room_db)
    for digit in digits:
        store.post(code, presenter.session_state["room.member"], "digit", digit)
    config = TrainConfig()
    model = build_model(config)
    presenter.session_state["mnist.result"] = TrainResult(model, config, [], 0, 0.0, None)
    no_images = np.zeros((0,), dtype=np.int64)
    presenter.session_state["mnist.eval"] = ("MNIST sample", EvalResult(
        0.875, np.zeros((10, 10), dtype=np.int64), no_images, np.zeros((0, 10), dtype=np.float32), no_images))
    _room_page(presenter, "digit")
    images = np.array([digit["pixels"] for digit in digits], dtype=np.uint8)
    expected = float((predict(model, config, images).argmax(axis=1) == np.arange(10)).mean())
    assert _metric(presenter, "Your model on the room's handwriting") == f"{expected:.1%}"
    assert _metric(presenter, "The same model on the MNIST test set") == "87.5%"
