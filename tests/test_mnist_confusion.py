"""A confusion matrix you can open: its cells' images on the MNIST page's Evaluate tab and the Room's Digits view."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app_pages.mnist import EVALUATE
from lib.mnist import data as mnist
from lib.mnist.config import PRESETS
from lib.mnist.confusion import (
    MAX_CELL_IMAGES,
    cell_members,
    confusion_counts,
    confusion_long,
    most_confused_cell,
)
from lib.mnist.train import evaluate, train_model
from tests.helpers import open_page, open_tab
from ui.confusion_explorer import clicked_cell

SAMPLE = mnist.load_sample()


@pytest.fixture(autouse=True)
def _no_full_mnist(monkeypatch, tmp_path) -> None:
    """The page uses the shipped sample whatever this machine's cache holds."""
    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(tmp_path / "empty-cache"))


@pytest.fixture(scope="module")
def trained():
    """A quick MLP (1,000 images, one epoch): good enough to fill the diagonal and make some mistakes."""
    result = train_model(SAMPLE.train, replace(PRESETS["mlp"], epochs=1), max_samples=1000)
    return result, evaluate(result.model, result.config, SAMPLE.test)


def test_cells_hold_the_images_with_that_true_and_predicted_label() -> None:
    truth = np.array([3, 3, 3, 5, 5, 1])
    predictions = np.array([3, 5, 5, 5, 3, 1])
    counts = confusion_counts(truth, predictions)
    assert counts[3, 5] == 2 and counts[3, 3] == 1 and counts[5, 3] == 1 and counts.sum() == 6
    shown, count = cell_members(truth, predictions, 3, 5)
    assert shown.tolist() == [1, 2] and count == 2
    assert most_confused_cell(counts) == (3, 5)
    assert most_confused_cell(confusion_counts(truth, truth)) is None
    frame = confusion_long(counts)
    assert len(frame) == 100 and frame.query("true == '3' and predicted == '5'")["images"].item() == 2


def test_a_cell_shows_at_most_48_images() -> None:
    truth = np.full(200, 7)
    shown, count = cell_members(truth, truth, 7, 7)
    assert count == 200 and len(shown) == MAX_CELL_IMAGES == 48 and shown.tolist() == list(range(48))


def test_a_chart_click_names_its_cell() -> None:
    assert clicked_cell({"selection": {"cell": [{"true": "4", "predicted": "9"}]}}) == (4, 9)
    assert clicked_cell({"selection": {"cell": [], "cell_label": [{"true": "2", "predicted": "2"}]}}) == (2, 2)
    assert clicked_cell({"selection": {"cell": []}}) is None
    assert clicked_cell(None) is None


def _upload(trained) -> object:
    result, _ = trained
    at = open_page("app_pages/mnist.py")
    open_tab(at, "mnist", EVALUATE)
    at.file_uploader(key="mnist.upload").upload("mnist-model.pt", result.to_file()).run()
    assert not at.exception
    return at


def _gallery_captions(at) -> list[list[str]]:
    return [[picture.caption for picture in element.proto.imgs] for element in at.get("image")]


def test_choosing_a_cell_with_the_select_boxes_shows_its_images_and_one_images_outputs(trained) -> None:
    _, scores = trained
    at = _upload(trained)
    assert not any(len(captions) > 12 for captions in _gallery_captions(at))  # no cell open yet
    true_label, predicted_label = most_confused_cell(scores.confusion)
    at.selectbox(key="mnist.cell_true").set_value(true_label)
    at.selectbox(key="mnist.cell_predicted").set_value(predicted_label).run()
    assert not at.exception
    members = np.flatnonzero((scores.truth == true_label) & (scores.predictions == predicted_label))
    expected = [f"#{index}" for index in members[:48]]
    assert expected in _gallery_captions(at)  # the cell's images, in one gallery
    assert any(f"{len(members):,} test images" in md.value and f"a {true_label} read as {predicted_label}" in md.value
               for md in at.markdown)
    chosen = int(members[-1] if len(members) <= 48 else members[47])
    at.selectbox(key="mnist.cell_image").set_value(chosen).run()
    said = int(scores.outputs[chosen].argmax())
    assert [f"#{chosen}: a {true_label}, the network says {said}"] in _gallery_captions(at)
    assert any(f"The largest of the ten outputs, {scores.outputs[chosen, said]:.2f}, is for {said}." == caption.value
               for caption in at.caption)


def test_the_diagonal_cell_of_a_common_digit_shows_48_images(trained) -> None:
    _, scores = trained
    at = _upload(trained)
    at.selectbox(key="mnist.cell_true").set_value(1)
    at.selectbox(key="mnist.cell_predicted").set_value(1).run()
    assert scores.confusion[1, 1] > 48
    galleries = [captions for captions in _gallery_captions(at) if len(captions) > 1]
    assert len(galleries) == 1 and len(galleries[0]) == 48


def test_the_rooms_digits_open_by_cell(tmp_path, monkeypatch, trained) -> None:
    from streamlit.testing.v1 import AppTest

    from lib.room import RoomStore
    from tests.helpers import HOME, PAGE_TIMEOUT_S

    monkeypatch.setenv("DSC_ROOM_DB", f"sqlite:///{tmp_path / 'rooms.sqlite'}")
    result, scores = trained
    presenter = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    presenter.run()
    presenter.sidebar.button(key="room.start").click().run()
    code = presenter.session_state["room.code"]
    store = RoomStore(f"sqlite:///{tmp_path / 'rooms.sqlite'}")
    drawn = [int(index) for index in range(30)]  # MNIST test digits standing in for the room's drawings
    for index in drawn:
        store.post(code, presenter.session_state["room.member"], "digit",
                   {"label": int(SAMPLE.test.labels[index]), "pixels": SAMPLE.test.images[index].tolist()})
    presenter.session_state["mnist.result"] = result
    presenter.session_state["mnist.eval"] = ("MNIST sample", scores)
    presenter.switch_page("app_pages/room.py")
    presenter.session_state["room.tab"] = "✍️ Digits"
    presenter.query_params["room.tab"] = "✍️ Digits"
    presenter.run()
    assert not presenter.exception
    label = int(SAMPLE.test.labels[0])
    presenter.selectbox(key="room.digits.cell_true").set_value(label)
    presenter.selectbox(key="room.digits.cell_predicted").set_value(int(scores.predictions[0])).run()
    assert not presenter.exception
    members = [index for index in drawn
               if SAMPLE.test.labels[index] == label and scores.predictions[index] == scores.predictions[0]]
    assert [f"#{index}" for index in members] in _gallery_captions(presenter)
    assert any("digits the room drew" in md.value for md in presenter.markdown)
