"""Take-home notebooks, executed: every default notebook runs offline in a fresh kernel (nbclient + ipykernel)
with no error, and its key numbers match what the page shows. A notebook built from other settings runs too.

Slow (a kernel per notebook, some train or time things): run alone with `pytest -m slow tests/test_notebooks_execute.py`.
MNIST comes from ../shared/data/mnist where present (CI), else the sample shipped in data/mnist-sample.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from lib.maps.geo import load_countries, true_area_km2
from lib.methodology import demos
from lib.notebooks import DEMOS, build_notebook
from lib.notebooks.execute import execute_notebook, text_outputs
from lib.pytorch_basics.autograd import value_and_gradient
from tests.conftest import ROOT, SHARED_MNIST

pytestmark = pytest.mark.slow

MNIST_DIR = SHARED_MNIST if (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists() else ROOT / "data" / "mnist-sample"
_executed: dict[str, str] = {}  # demo id -> everything its default notebook printed, each run once per session


def run(notebook, folder: Path) -> str:
    execute_notebook(notebook, folder, env={"MNIST_DIR": str(MNIST_DIR)})
    return text_outputs(notebook)


def default_output(demo_id: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if demo_id not in _executed:
        _executed[demo_id] = run(build_notebook(demo_id, {}), tmp_path_factory.mktemp(demo_id))
    return _executed[demo_id]


def number_after(label: str, text: str) -> float:
    match = re.search(re.escape(label) + r"\s*(-?[\d,]+(?:\.\d+)?)", text)
    assert match, f"{label!r} not found in:\n{text[-2000:]}"
    return float(match.group(1).replace(",", ""))


@pytest.mark.parametrize("demo_id", list(DEMOS))
def test_default_notebook_runs_offline_without_error(demo_id, tmp_path_factory):
    output = default_output(demo_id, tmp_path_factory)
    assert "All packages present." in output  # the install cell did nothing: everything was already there


def test_autograd_prints_the_talks_gradient(tmp_path_factory):
    output = default_output("autograd", tmp_path_factory)
    assert "x = 3.5: y = 1.875, dy/dx = 5.75" in output
    assert "dz/dx = 14" in output and "dz/da = 64, dz/db = 33" in output


def test_km_to_miles_ends_near_the_true_factor(tmp_path_factory):
    c = number_after("c =", default_output("km_miles", tmp_path_factory).split("After 20 examples")[1])
    assert c == pytest.approx(0.621371, abs=0.002)


def test_garden_k_means_recovers_the_three_kinds(tmp_path_factory):
    output = default_output("garden", tmp_path_factory)
    assert "match the real kinds for 120 of 120 items (3 different kinds found)" in output


def test_xrays_finds_the_four_point_eight_hour_orbit(tmp_path_factory):
    hours = number_after("The strongest beat repeats every", default_output("xrays", tmp_path_factory))
    assert hours == pytest.approx(4.79, abs=0.05)


def test_japan_is_about_one_point_six_times_the_uk(tmp_path_factory):
    ratio = number_after("Japan / United Kingdom true area ratio:", default_output("move_country", tmp_path_factory))
    countries = load_countries().set_index("name").geometry
    page_ratio = true_area_km2(countries["Japan"]) / true_area_km2(countries["United Kingdom"])
    assert ratio == pytest.approx(1.6, abs=0.1)
    assert ratio == pytest.approx(page_ratio, abs=0.02)  # rounded outlines, same answer as the page


def test_methodology_numbers_match_the_pages(tmp_path_factory):
    roc_output = default_output("roc", tmp_path_factory)
    sample = demos.make_scored_sample(2000, 0.3, 2.0, 0)
    assert number_after("AUC", roc_output) == pytest.approx(demos.roc_auc(sample), abs=0.001)
    bias_output = default_output("bias", tmp_path_factory)
    rates = demos.group_error_rates(0.1, 1000, 0.3, 0).set_index("group")["error_rate"]
    assert number_after("Error rate, group A:", bias_output) == pytest.approx(rates["A"], abs=0.001)
    assert number_after("training rows):", bias_output) == pytest.approx(rates["B"], abs=0.001)
    fit_output = default_output("overfitting", tmp_path_factory)
    sample = demos.make_curve_sample(30, 0.2, 0)
    errors = demos.train_validation_errors(sample, 15, 0.7, 0)
    assert number_after("Best degree on one split:", fit_output) == demos.best_degree(errors, "validation_mse")


def test_mnist_training_learns_something_in_the_quick_run(tmp_path_factory):
    output = default_output("mnist_train", tmp_path_factory)
    assert "Trained on 1 x " in output
    assert number_after("test accuracy", output) > 40.0  # chance is 10%


def test_non_default_settings_run_and_show(tmp_path):
    km = build_notebook("km_miles", {"pytorch_basics.lr": "1.0", "examples": 5})
    km_output = run(km, tmp_path / "km")
    assert "LEARNING_RATE = 1.0\nEXAMPLES = 5" in km.cells[2].source
    assert "After 5 examples c = 0.6214" in km_output  # a rate of 1 fixes each example exactly

    formula = build_notebook("autograd", {"expression": "sin(x) * x + 2**x", "x": "-1.25"})
    formula_output = run(formula, tmp_path / "formula")
    value, gradient = value_and_gradient("sin(x) * x + 2**x", -1.25)
    assert f"x = -1.25: y = {value:.6g}, dy/dx = {gradient:.6g}" in formula_output

    spy = build_notebook("spy", {"kids.spy_message": "Hi <3", "spy_added": 20, "spy_noise": 1.0})
    spy_output = run(spy, tmp_path / "spy")
    assert "MESSAGE = 'HI ♥'" in spy.cells[2].source
    assert number_after("The message stands out", spy_output) > 3.0  # twenty copies beat the noise
