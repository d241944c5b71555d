"""The pages share into a room: a finished MNIST run, a drawn digit, a child's hands, a checklist answer;
and Train queues a run when every slot is busy instead of refusing it."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_pages.kids import HANDS
from app_pages.methodology_checklist import CHECKLIST_FILE
from app_pages.mnist import TRAIN
from lib.background.jobs import BackgroundJob, app_slots
from lib.methodology.checklist import load_checklist
from lib.mnist import data as mnist
from lib.room import RoomStore, room_db_url
from tests.helpers import PAGE_TIMEOUT_S, open_app, open_tab

TRAINING_LIMIT_S = 120  # a deadline for a 100-image run on a loaded CI machine, polled, not slept


@pytest.fixture
def room(tmp_path: Path, monkeypatch) -> tuple[RoomStore, str]:
    """A fresh room in a database of its own; the MNIST page on the shipped sample."""
    monkeypatch.setenv("DSC_ROOM_DB", f"sqlite:///{tmp_path / 'rooms.sqlite'}")
    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(tmp_path / "empty-cache"))
    store = RoomStore(f"sqlite:///{tmp_path / 'rooms.sqlite'}")
    code, _ = store.create_room()
    yield store, code
    store.dispose()


def _member(code: str, page: str) -> AppTest:
    at = open_app(room=code)
    at.sidebar.text_input(key="room.join_name").set_value("Curious Otter")
    at.sidebar.button(key="room.join").click().run()
    assert at.session_state["room.code"] == code
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_a_members_finished_run_is_shared_with_their_own_random_seed(room) -> None:
    store, code = room
    at = _member(code, "mnist")
    open_tab(at, "mnist", TRAIN)
    seed = at.number_input(key="mnist.seed").value
    assert seed != 0  # the page's default seed: inside a room each member draws their own
    assert any(f"You are in room {code}" in caption.value for caption in at.caption)
    at.radio(key="mnist.preset").set_value("mlp").run()
    at.slider(key="mnist.epochs").set_value(1).run()
    at.number_input(key="mnist.samples").set_value(1000).run()
    assert at.number_input(key="mnist.seed").value == seed  # drawn once per room, not on every rerun
    at.button(key="mnist.train").click().run()
    at.session_state["mnist.job"].join(timeout=TRAINING_LIMIT_S)
    at.run()
    at.run()  # the poller stores, scores and shares the result, then asks for a full rerun
    assert not at.exception, at.exception
    assert any("Shared with room" in info.value for info in at.info)
    [entry] = store.entries(code, "mnist_run")
    assert entry["name"] == "Curious Otter"
    assert entry["payload"]["preset"] == "mlp" and entry["payload"]["seed"] == seed
    assert 0 < len(entry["payload"]["losses"]) <= 2000 and 0 <= entry["payload"]["test_accuracy"] <= 1


def test_a_childs_hands_go_to_the_class_table(room) -> None:
    store, code = room
    at = _member(code, "kids")
    open_tab(at, "kids", HANDS)
    at.button(key="kids.hands_share").click().run()
    assert not at.exception, at.exception
    assert any("Shared with room" in success.value for success in at.success)
    [entry] = store.entries(code, "hands")
    assert entry["payload"]["left_cm"]["middle"] == 6.2  # the example table's left middle finger


def test_a_hands_table_with_gaps_cannot_be_shared(room) -> None:
    _, code = room
    at = _member(code, "kids")
    open_tab(at, "kids", HANDS)
    at.button(key="kids.hands_blank").click().run()
    assert at.button(key="kids.hands_share").disabled


def test_a_checklist_answer_is_shared_per_item(room) -> None:
    store, code = room
    first_item = load_checklist(CHECKLIST_FILE).sections[0].items[0].item_id
    at = _member(code, "methodology")
    at.radio(key=f"methodology.status.{first_item}").set_value("done").run()
    at.text_area(key=f"methodology.notes.{first_item}").set_value("**we** <b>agreed</b>").run()
    at.button(key=f"methodology.share.{first_item}").click().run()
    assert not at.exception, at.exception
    [entry] = store.entries(code, "checklist")
    assert entry["payload"] == {"item": first_item, "status": "done", "notes": "**we** <b>agreed</b>"}


def test_a_drawn_digit_is_given_with_the_digit_its_writer_meant(room) -> None:
    store, code = room
    member = store.join(code, "Brave Seal")

    def script() -> None:
        import numpy as np

        from app_pages.mnist import give_digit_ui

        drawing = np.zeros((28, 28), dtype=np.uint8)
        drawing[10:18, 13:15] = 255
        give_digit_ui(drawing)

    at = AppTest.from_function(script, default_timeout=PAGE_TIMEOUT_S)
    at.session_state["room.code"], at.session_state["room.member"] = code, member
    at.run()
    assert at.button(key="mnist.give_digit").disabled  # which digit was meant comes first
    at.selectbox(key="mnist.room_label").set_value(1).run()
    at.button(key="mnist.give_digit").click().run()
    assert not at.exception, at.exception
    [entry] = store.entries(code, "digit")
    assert entry["payload"]["label"] == 1
    assert np.array(entry["payload"]["pixels"]).reshape(28, 28)[12, 13] == 255


def test_train_queues_the_run_when_every_slot_is_busy_and_cancel_takes_it_out(room) -> None:
    _, code = room
    slots = app_slots(room_db_url())
    release = threading.Event()
    blockers = [BackgroundJob(lambda report, stop: release.wait(TRAINING_LIMIT_S)) for _ in range(slots.free)]
    try:
        assert all(slots.submit(blocker) for blocker in blockers)
        at = _member(code, "mnist")
        open_tab(at, "mnist", TRAIN)
        at.number_input(key="mnist.samples").set_value(100).run()
        at.button(key="mnist.train").click().run()
        assert not at.exception, at.exception
        assert any("number 1 of 1 in the queue" in info.value for info in at.info)
        at.run()  # the poller's next look
        assert any("number 1 of 1 in the queue" in info.value for info in at.info)
        assert at.button(key="mnist.train").disabled  # one queued or running run per visitor
        at.button(key="mnist.stop.cancel").click().run()
        assert "mnist.job" not in at.session_state
        assert slots.queue.counts()[1] == 0
    finally:
        release.set()
        deadline = time.monotonic() + TRAINING_LIMIT_S
        for blocker in blockers:
            blocker.join(max(0.0, deadline - time.monotonic()))


def test_a_queued_run_starts_by_itself_when_a_slot_frees(room) -> None:
    _, code = room
    slots = app_slots(room_db_url())
    release = threading.Event()
    blockers = [BackgroundJob(lambda report, stop: release.wait(TRAINING_LIMIT_S)) for _ in range(slots.free)]
    try:
        assert all(slots.submit(blocker) for blocker in blockers)
        at = _member(code, "mnist")
        open_tab(at, "mnist", TRAIN)
        at.radio(key="mnist.preset").set_value("mlp").run()
        at.slider(key="mnist.epochs").set_value(1).run()
        at.number_input(key="mnist.samples").set_value(1000).run()
        at.button(key="mnist.train").click().run()
        job = at.session_state["mnist.job"]
        assert not job.running and not job.finished
    finally:
        release.set()
        for blocker in blockers:
            blocker.join(TRAINING_LIMIT_S)  # each hands its slot on from its own thread before it ends
    job.join(TRAINING_LIMIT_S)
    assert job.finished and job.error is None
    at.run()
    at.run()
    assert any("Trained on 1,000 images" in success.value for success in at.success)
