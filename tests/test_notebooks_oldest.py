"""Take-home notebooks on the oldest stack we claim to support: every default notebook, executed offline in a
kernel of its own virtual environment holding requirements-notebooks-oldest.txt, runs and prints the page's
key numbers.

The environment is made by this test in .cache/venv-notebooks-oldest (git-ignored) and reused while the
requirements file and Python are unchanged, so a local rerun only executes. Where it cannot be made (no
package index, pip fails) the tests skip with pip's reason; in CI (CI=true, or DSC_REQUIRE_OLDEST_NOTEBOOKS=1
as .ci/run sets) they fail instead. Slow: `pytest -m slow tests/test_notebooks_oldest.py`.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lib.maps.geo import load_countries, true_area_km2
from lib.notebooks import DEMOS, notebook_file_name
from lib.notebooks.execute import execute_notebook, text_outputs
from tests.conftest import ROOT
from tests.test_notebooks_execute import MNIST_DIR, number_after

pytestmark = pytest.mark.slow

REQUIREMENTS = ROOT / "requirements-notebooks-oldest.txt"
VENV = ROOT / ".cache" / "venv-notebooks-oldest"
STAMP = VENV / "requirements.sha256"  # written last: a half-made environment is never reused
INSTALL_TIMEOUT_S = 1800
REQUIRED = os.environ.get("CI") == "true" or os.environ.get("DSC_REQUIRE_OLDEST_NOTEBOOKS") == "1"


def unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"the oldest-versions environment is required here (CI): {reason}")
    pytest.skip(f"the oldest-versions environment could not be made: {reason}")


def wanted_stamp() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()


def run_step(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        unavailable(f"{' '.join(command[:4])} ... took over {INSTALL_TIMEOUT_S} s")
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if "is ignored" not in line]
        unavailable(f"{' '.join(command[:4])} ... exited {done.returncode}: {' | '.join(lines[-5:])}")


@pytest.fixture(scope="module")
def oldest_python() -> str:
    python = VENV / "bin" / "python"
    if python.exists() and STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted_stamp():
        return str(python)
    shutil.rmtree(VENV, ignore_errors=True)
    run_step([sys.executable, "-m", "venv", str(VENV)])
    run_step([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(REQUIREMENTS)])
    STAMP.write_text(wanted_stamp(), encoding="utf-8")
    return str(python)


@pytest.fixture(scope="module")
def default_files(tmp_path_factory) -> Path:
    """The notebooks as a visitor downloads them with the page's defaults, written by the app's own CLI."""
    folder = tmp_path_factory.mktemp("oldest-notebooks")
    subprocess.run([sys.executable, "-m", "lib.notebooks", "--all", "--out", str(folder)], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    return folder


_outputs: dict[str, str] = {}  # demo id -> what its notebook printed on the oldest stack, each run once


@pytest.fixture
def oldest_output(oldest_python, default_files, tmp_path_factory):
    def output(demo_id: str) -> str:
        if demo_id not in _outputs:
            notebook = nbformat.read(default_files / notebook_file_name(demo_id), as_version=4)
            # an empty PYTHONPATH keeps the kernel on the old environment's packages alone
            execute_notebook(notebook, tmp_path_factory.mktemp(f"oldest-{demo_id}"), python=oldest_python,
                             env={"MNIST_DIR": str(MNIST_DIR), "PYTHONPATH": ""})
            _outputs[demo_id] = text_outputs(notebook)
        return _outputs[demo_id]

    return output


def test_the_environment_holds_exactly_the_pinned_versions(oldest_python):
    pins = dict(line.split("==", 1) for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#"))
    script = "import importlib.metadata as m, sys; print('\\n'.join(f'{p}=={m.version(p)}' for p in sys.argv[1:]))"
    done = subprocess.run([oldest_python, "-c", script, *pins], capture_output=True, text=True, check=True, timeout=60)
    found = dict(line.split("==", 1) for line in done.stdout.splitlines())
    assert {package: found[package].split("+")[0] for package in pins} == pins


@pytest.mark.parametrize("demo_id", list(DEMOS))
def test_default_notebook_runs_on_the_oldest_versions(demo_id, oldest_output):
    assert "All packages present." in oldest_output(demo_id)  # the oldest pins meet every minimum


def test_key_numbers_on_the_oldest_versions_are_the_pages(oldest_output):
    assert "x = 3.5: y = 1.875, dy/dx = 5.75" in oldest_output("autograd")
    miles = number_after("c =", oldest_output("km_miles").split("After 20 examples")[1])
    assert miles == pytest.approx(0.621371, abs=0.002)
    assert "match the real kinds for 120 of 120 items (3 different kinds found)" in oldest_output("garden")
    hours = number_after("The strongest beat repeats every", oldest_output("xrays"))
    assert hours == pytest.approx(4.79, abs=0.05)
    ratio = number_after("Japan / United Kingdom true area ratio:", oldest_output("move_country"))
    countries = load_countries().set_index("name").geometry
    assert ratio == pytest.approx(true_area_km2(countries["Japan"]) / true_area_km2(countries["United Kingdom"]),
                                  abs=0.02)
    assert ratio == pytest.approx(1.6, abs=0.1)
