"""The MNIST trainer page through the router, driven by widget key as a visitor would."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from app_pages.mnist import EVALUATE, EXPLORE, SCALING, STORIES, TABS, TRAIN
from lib.mnist import data as mnist
from lib.mnist.config import PRESETS
from lib.mnist.settings import SETTINGS
from lib.mnist.train import build_model, model_to_bytes
from tests.conftest import ROOT
from tests.helpers import open_page, open_tab
from ui.page import demo_tabs

PAGE = "app_pages/mnist.py"


@pytest.fixture(autouse=True)
def _no_full_mnist(monkeypatch, tmp_path: Path) -> None:
    """Each test sees an empty cache, so the page uses the shipped sample whatever this machine holds."""
    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(tmp_path / "empty-cache"))


def _chart_titles(at) -> str:
    return " ".join(str(chart.proto.spec) for chart in at.get("vega_lite_chart"))


def test_the_page_routes_and_each_tab_is_drawn_by_its_story_module() -> None:
    """app_pages/mnist.py holds the tabs and the data source; mnist_explore.py, mnist_train.py, mnist_evaluate.py
    and mnist_scaling.py each draw one tab, sharing mnist_shared.py's digits, session keys and charts."""
    stories = {tab.label: tab.draw.__module__ for tab in demo_tabs("mnist", SETTINGS, STORIES)}
    assert list(stories) == list(TABS)
    assert stories == {EXPLORE: "app_pages.mnist_explore", TRAIN: "app_pages.mnist_train",
                       EVALUATE: "app_pages.mnist_evaluate", SCALING: "app_pages.mnist_scaling"}
    for name in ("mnist.py", "mnist_explore.py", "mnist_train.py", "mnist_evaluate.py", "mnist_scaling.py",
                 "mnist_shared.py"):
        assert len((ROOT / "app_pages" / name).read_text().splitlines()) <= 550, name


def test_first_render_says_which_data_and_trains_nothing() -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "✍️ MNIST trainer"
    assert any("sample shipped with the app" in info.value for info in at.info)
    assert "mnist.job" not in at.session_state
    assert not at.warning and not at.error
    assert "record 4: label = 9" in _chart_titles(at)  # the talk's example: row 4 is a 9
    open_tab(at, "mnist", TRAIN)
    assert any("Nothing has been trained yet" in caption.value for caption in at.caption)
    assert "mnist.job" not in at.session_state


def test_picking_a_record_draws_it_with_its_label() -> None:
    at = open_page(PAGE)
    at.number_input(key="mnist.record").set_value(0).run()
    assert not at.exception
    assert "record 0: label = 5" in _chart_titles(at)


def test_choosing_a_preset_fills_the_controls() -> None:
    at = open_page(PAGE)
    open_tab(at, "mnist", TRAIN)
    at.radio(key="mnist.preset").set_value("cnn").run()
    assert at.selectbox(key="mnist.architecture").value == "cnn"
    assert at.selectbox(key="mnist.loss").value == "cross_entropy"
    assert at.select_slider(key="mnist.batch_size").value == PRESETS["cnn"].batch_size
    at.radio(key="mnist.preset").set_value("talk").run()
    assert at.slider(key="mnist.hidden").value == 200
    assert any("Exactly the talk's recipe" in caption.value for caption in at.caption)


def test_a_tiny_training_run_finishes_and_is_scored() -> None:
    at = open_page(PAGE)
    open_tab(at, "mnist", TRAIN)
    at.radio(key="mnist.preset").set_value("mlp").run()
    at.slider(key="mnist.epochs").set_value(1).run()
    at.number_input(key="mnist.samples").set_value(2000).run()
    at.button(key="mnist.train").click().run()
    assert not at.exception
    job = at.session_state["mnist.job"]
    job.join(timeout=120)  # the training thread, not a sleep: the page polls it in the browser
    assert not job.running
    at.run()
    at.run()  # the first rerun stores and scores the result, then asks for a full rerun
    assert not at.exception
    assert any("Trained on 2,000 images" in success.value for success in at.success)
    open_tab(at, "mnist", EVALUATE)
    accuracy = float(at.metric[0].value.rstrip("%")) / 100
    assert 0.5 < accuracy <= 1.0
    at.number_input(key="mnist.test_record").set_value(0).run()
    assert "record 0 (label 7)" in _chart_titles(at)


def test_uploading_a_model_scores_it_and_garbage_is_refused() -> None:
    at = open_page(PAGE)
    open_tab(at, "mnist", EVALUATE)
    config = PRESETS["talk"]
    at.file_uploader(key="mnist.upload").upload("mnist-model.pt", model_to_bytes(build_model(config), config)).run()
    assert not at.exception
    assert any("Model loaded" in success.value for success in at.success)
    accuracy = float(at.metric[0].value.rstrip("%")) / 100
    assert accuracy < 0.3  # an untrained network scores near chance
    at.file_uploader(key="mnist.upload").clear().upload("evil.pt", b"PK\x03\x04 not a model at all").run()
    assert not at.exception
    assert any("That file was refused" in error.value for error in at.error)


def test_scaling_experiment_runs_on_the_button() -> None:
    at = open_page(PAGE)
    open_tab(at, "mnist", SCALING)
    assert any("No GPU" in info.value or "GPU" in info.value for info in at.info) or at.get("info")
    at.slider(key="mnist.scaling_samples").set_value(50).run()
    at.button(key="mnist.scale").click().run()
    task = at.session_state["mnist.scaling_job"]
    task.join(timeout=120)
    at.run()
    at.run()
    assert not at.exception
    hidden_sizes = sorted({hidden for _, hidden, _ in task.items()})
    assert hidden_sizes == [200, 1000, 2000, 3000, 4000, 5000]
    assert "hidden nodes" in _chart_titles(at)


def test_fetched_full_mnist_is_used_and_named(shared_mnist: Path, monkeypatch) -> None:
    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(shared_mnist))  # the cache layout: the four files, verified
    at = open_page(PAGE)
    assert not at.exception
    assert any("full MNIST (60,000 + 10,000)" in success.value for success in at.success)
    assert not any(str(shared_mnist) in success.value for success in at.success)  # the folder is the operator's
    assert all(button.key != "mnist.fetch" for button in at.button)  # nothing left to fetch
    at.number_input(key="mnist.record").set_value(59_999).run()
    assert not at.exception
    assert "record 59999: label = 8" in _chart_titles(at)


def test_csvs_imported_while_the_app_runs_are_used_on_the_next_run(tmp_path: Path) -> None:
    sample = mnist.load_sample()
    train_csv, test_csv = tmp_path / "mnist_train.csv", tmp_path / "mnist_test.csv"
    mnist.write_csv_split(train_csv, mnist.MnistSplit(sample.train.images[:300], sample.train.labels[:300]))
    mnist.write_csv_split(test_csv, mnist.MnistSplit(sample.test.images[:100], sample.test.labels[:100]))
    at = open_page(PAGE)
    assert any("sample shipped with the app" in info.value for info in at.info)
    mnist.import_csv_pair(train_csv, test_csv)  # `python -m lib.mnist import-csv` into the page's cache folder
    at.run()
    assert not at.exception
    assert any("MNIST from your CSV files (300 train + 100 test images)" in info.value for info in at.info)
    assert "record 4: label = 9" in _chart_titles(at)


@pytest.mark.slow
def test_the_talks_full_csvs_imported_are_full_mnist_from_your_csv_files(shared_mnist: Path, tmp_path: Path) -> None:
    full = mnist.read_idx_folder(shared_mnist)
    paths = tmp_path / "mnist_train.csv", tmp_path / "mnist_test.csv"
    for path, split in zip(paths, (full.train, full.test), strict=True):
        np.savetxt(path, np.column_stack([split.labels, split.images]), fmt="%d", delimiter=",")
    assert os.environ[mnist.CACHE_ENV_VAR].endswith("empty-cache")
    mnist.import_csv_pair(*paths)
    at = open_page(PAGE)
    assert not at.exception
    assert any(success.value.startswith("Using full MNIST (from your CSV files): 60,000 training and 10,000 test")
               for success in at.success)
    assert all(button.key != "mnist.fetch" for button in at.button)
    at.number_input(key="mnist.record").set_value(59_999).run()
    assert "record 59999: label = 8" in _chart_titles(at)


def test_own_csv_files_replace_the_data_for_this_visitor(tmp_path: Path) -> None:
    sample = mnist.load_sample()
    train_csv, test_csv = tmp_path / "mnist_train.csv", tmp_path / "mnist_test.csv"
    mnist.write_csv_split(train_csv, mnist.MnistSplit(sample.train.images[:300], sample.train.labels[:300]))
    mnist.write_csv_split(test_csv, mnist.MnistSplit(sample.test.images[:100], sample.test.labels[:100]))
    at = open_page(PAGE)
    at.file_uploader(key="mnist.train_csv").upload("mnist_train.csv", train_csv.read_bytes(), "text/csv")
    at.file_uploader(key="mnist.test_csv").upload("mnist_test.csv", test_csv.read_bytes(), "text/csv").run()
    assert not at.exception
    assert any("your CSV files" in success.value and "300 training" in success.value for success in at.success)
    at.file_uploader(key="mnist.test_csv").clear().upload("broken.csv", b"1,2,3\n", "text/csv").run()
    assert any("Those files were not used: expected 785 numbers" in error.value for error in at.error)
    assert any("sample shipped with the app" in info.value for info in at.info)  # back to the shared data


def test_fetch_button_downloads_from_the_configured_mirror(shared_mnist: Path, monkeypatch, tmp_path: Path) -> None:
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(shared_mnist))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cache = tmp_path / "fetched"
    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(cache))
    monkeypatch.setenv(mnist.MIRRORS_ENV_VAR, f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        at = open_page(PAGE)
        at.button(key="mnist.fetch").click().run()
    finally:
        server.shutdown()
        server.server_close()
    assert not at.exception
    assert mnist.full_mnist_present(cache)
    assert any("full MNIST (60,000 + 10,000)" in success.value for success in at.success)
    assert not any(str(cache) in success.value for success in at.success)


def test_fetch_button_with_every_mirror_down_keeps_the_sample(monkeypatch) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv(mnist.MIRRORS_ENV_VAR, f"http://127.0.0.1:{closed_port}/")
    at = open_page(PAGE)
    at.button(key="mnist.fetch").click().run()
    assert not at.exception
    assert any("could not be fetched from any mirror" in error.value for error in at.error)
    assert any("sample shipped with the app" in info.value for info in at.info)


def test_a_link_opens_the_tab_the_presenter_was_on() -> None:
    from streamlit.testing.v1 import AppTest

    from tests.helpers import HOME, PAGE_TIMEOUT_S

    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.query_params.update({"mnist.tab": SCALING, "mnist.scaling_samples": "100"})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.slider(key="mnist.scaling_samples").value == 100
    assert not [widget for widget in at.number_input if widget.key == "mnist.record"]  # Explore is closed
