"""Take-home notebooks: every demo builds a valid, standalone notebook; settings are validated; visitor text
never becomes code. (Running the notebooks is in test_notebooks_execute.py.)"""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from app_pages.methodology_checklist import VIEWS
from lib.core.notebook_cells import code, markdown
from lib.core.notebook_requirements import MINIMUM_VERSIONS, PIP_NAMES, TORCH_TESTED_OLDEST, check_source
from lib.methodology.checklist import Answer, answers_to_json, blank_answers, load_checklist
from lib.mnist.data import DEFAULT_MIRRORS, FILE_MD5S
from lib.notebooks import (
    DEMOS,
    MAX_NOTEBOOK_BYTES,
    NotebookSettingsError,
    build_notebook,
    notebook_file_name,
)
from lib.notebooks.__main__ import main as notebooks_cli
from lib.notebooks.core import assemble
from lib.pytorch_basics.notebook_formula import canonical_expression
from lib.registry import DECLARATIONS
from tests.conftest import ROOT

HOSTILE = '"); import os; ("'
# What a notebook may import: the libraries the talks used and the standard library, never this app.
ALLOWED_IMPORTS = {"ast", "collections", "dataclasses", "functools", "gzip", "hashlib", "importlib", "io", "math", "os",
                   "pathlib", "random", "statistics", "threading", "time", "typing", "urllib", "warnings",
                   "numpy", "pandas", "matplotlib", "scipy", "sklearn", "torch", "geopandas", "shapely", "pyproj",
                   "IPython"}


def code_sources(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def python_of(source: str) -> ast.Module:
    """A code cell as Python (IPython's %magics turned into calls), parsed."""
    return ast.parse(TransformerManager().transform_cell(source))


def settings_source(notebook) -> str:
    return next(source for source in code_sources(notebook) if source.startswith("# Your settings")
                or source.startswith("# Your guess") or source.startswith("# Your settings from the page, and"))


def settings_constants(notebook) -> dict[str, object]:
    """The NAME = value lines of the settings cell, evaluated as literals."""
    constants = {}
    for statement in ast.parse(settings_source(notebook)).body:
        constants[statement.targets[0].id] = ast.literal_eval(statement.value)
    return constants


@pytest.fixture(scope="module")
def default_notebooks() -> dict[str, nbformat.NotebookNode]:
    return {demo_id: build_notebook(demo_id, {}) for demo_id in DEMOS}


def test_demos_are_the_declared_ids_with_titles():
    assert list(DEMOS) == [demo.id for demo in DECLARATIONS]  # one notebook per declared demo, in page order
    assert set(VIEWS) <= set(DEMOS)
    assert all(isinstance(title, str) and title for title in DEMOS.values())


@pytest.mark.parametrize("demo_id", sorted(DEMOS))
def test_every_default_notebook_is_valid_standalone_and_small(demo_id, default_notebooks):
    notebook = default_notebooks[demo_id]
    nbformat.validate(notebook)
    assert len(nbformat.writes(notebook).encode()) <= MAX_NOTEBOOK_BYTES
    first, second = notebook.cells[0], notebook.cells[1]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert second.cell_type == "code" and "%pip install" in second.source
    for source in code_sources(notebook):
        tree = python_of(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
            else:
                continue
            assert set(names) <= ALLOWED_IMPORTS, f"{demo_id} imports {names}"
        assert not re.search(r"\blib\.", source) and "streamlit" not in source


def test_the_install_cell_asks_for_the_minimum_of_each_package_the_notebook_imports(default_notebooks):
    for demo_id, notebook in default_notebooks.items():
        imported = set()
        for source in code_sources(notebook)[1:]:
            for node in ast.walk(python_of(source)):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom):
                    imported.add((node.module or "").split(".")[0])
        needed = first_cell_needed(notebook)
        assert {PIP_NAMES[module] for module in imported & set(PIP_NAMES)} <= set(needed), demo_id
        assert needed == {package: MINIMUM_VERSIONS[package] for package in needed}, demo_id
    assert first_cell_needed(default_notebooks["mnist_train"])["torch"] == MINIMUM_VERSIONS["torch"]
    assert first_cell_needed(default_notebooks["move_country"])["shapely"] == "2.0.6"


def first_cell_needed(notebook) -> dict[str, str]:
    line = next(line for line in notebook.cells[1].source.splitlines() if line.startswith("NEEDED = "))
    return ast.literal_eval(line.removeprefix("NEEDED = "))


def check_namespace(source: str) -> dict[str, object]:
    """A first cell's code run as plain Python, keeping what it defined."""
    namespace: dict[str, object] = {}
    exec(compile(source, "<first cell>", "exec"), namespace)  # noqa: S102 (the notebook's own fixed text)
    return namespace


# A real IPython shell whose %pip only records its line: the first cell finds get_ipython() as in Jupyter.
IPYTHON_RUN = """
import sys
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
shell.register_magic_function(lambda line: print("%pip", line), magic_kind="line", magic_name="pip")
result = shell.run_cell(sys.stdin.read())
sys.exit(0 if result.success else 1)
"""


def run_first_cell(arguments: list[str], source: str, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *arguments], input=source, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(folder)}, check=False)


def fake_installed(folder: Path, package: str, release: str) -> Path:
    """A folder that, first on the path, makes importlib.metadata report `package` at `release`."""
    info = folder / f"{package}-{release}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: {release}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("installed", "wanted"), [
    ({"shapely": "2.0.6", "numpy": "2.4.6"}, []),  # exactly the minimum is enough
    ({"shapely": "2.0.1", "numpy": "2.4.6"}, ["shapely>=2.0.6"]),
    ({"shapely": None, "numpy": "2.4.6"}, ["shapely>=2.0.6"]),  # missing
    ({"shapely": "10.0", "numpy": "1.26.4"}, ["numpy>=2.0.2"]),  # numbers, not text: 10 > 2, 26 < 0 never
    ({"shapely": "2.1.0rc1", "numpy": "2.0.2.post1"}, []),
    ({"shapely": "2.0", "numpy": "2.0.2+local"}, ["shapely>=2.0.6"]),
])
def test_the_version_check_asks_only_for_what_is_missing_or_below_the_minimum(installed, wanted):
    namespace = check_namespace(check_source(["numpy", "shapely"]))
    needed = {"numpy": "2.0.2", "shapely": "2.0.6"}
    assert sorted(namespace["to_install"](needed, installed)) == sorted(wanted)
    assert namespace["to_install"]({"torch": "2.11"}, {"torch": "2.13.0+cpu"}) == []


def test_below_a_minimum_ipython_upgrades_just_that_package(tmp_path):
    folder = fake_installed(tmp_path, "shapely", "2.0.1")
    done = run_first_cell(["-c", IPYTHON_RUN], check_source(["numpy", "shapely", "matplotlib"]), folder)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == '%pip install -q "shapely>=2.0.6"'
    assert lines[1].startswith("Installed shapely>=2.0.6. If one was upgraded, restart the kernel")


def test_with_everything_new_enough_ipython_installs_nothing(tmp_path):
    done = run_first_cell(["-c", IPYTHON_RUN], check_source(["numpy", "shapely", "torch"]), tmp_path)
    assert done.returncode == 0 and done.stdout == "All packages present.\n", done.stdout + done.stderr


def test_below_a_minimum_plain_python_prints_the_one_line_to_run(tmp_path):
    folder = fake_installed(tmp_path, "shapely", "2.0.1")
    fake_installed(folder, "pyproj", "3.6.1")
    done = run_first_cell(["-"], build_notebook("move_country", {}).cells[1].source, folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout == 'Please install first: pip install "pyproj>=3.7.0" "shapely>=2.0.6"\n'


def test_the_minimums_are_the_versions_ci_runs_the_notebooks_on():
    pins = dict(line.split("==", 1) for line in
                (ROOT / "requirements-notebooks-oldest.txt").read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#"))
    assert set(MINIMUM_VERSIONS) == set(PIP_NAMES.values()) and set(MINIMUM_VERSIONS) <= set(pins)
    assert {package: pins[package] for package in MINIMUM_VERSIONS if package != "torch"} == {
        package: minimum for package, minimum in MINIMUM_VERSIONS.items() if package != "torch"}
    assert pins["torch"] == TORCH_TESTED_OLDEST  # the oldest torch CI can run offline (requirements.py says why)


def test_the_download_is_the_notebook_as_utf8_json():
    downloaded = nbformat.writes(build_notebook("spy", {"spy_message": "héllo ♥"})).encode("utf-8")
    notebook = nbformat.reads(downloaded.decode("utf-8"), as_version=4)
    nbformat.validate(notebook)
    assert "MESSAGE = 'HLLO ♥'" in settings_source(notebook)


def test_the_same_settings_give_the_same_file():
    assert nbformat.writes(build_notebook("garden", {"garden_k": 3})) == nbformat.writes(
        build_notebook("garden", {"kids.garden_k": 3}))


def test_settings_are_shown_in_the_settings_cell_from_full_short_and_text_keys():
    notebook = build_notebook("overfitting", {"methodology.fit.degree": 9, "fit.noise": "0.35", "fit.seed": 7.0,
                                              "unrelated.key": "ignored", "methodology.view": "roc"})
    assert settings_constants(notebook) == {"POINTS": 30, "NOISE": 0.35, "DEGREE": 9, "TRAIN_SHARE": 0.7,
                                            "FOLDS": 5, "SEED": 7}


@pytest.mark.parametrize(("demo_id", "settings"), [
    ("overfitting", {"fit.points": 1000}),  # above the slider's maximum
    ("overfitting", {"fit.noise": "lots"}),  # not a number
    ("overfitting", {"fit.degree": 2.5}),  # not a whole number
    ("overfitting", {"fit.seed": True}),  # a bool is not a number here
    ("roc", {"roc.threshold": float("nan")}),
    ("km_miles", {"lr": 0.4}),  # not one of the select slider's choices
    ("km_miles", {"pytorch_basics.examples": "9999"}),
    ("projections", {"tissot": "maybe"}),
    ("projections", {"tissot": 1}),
    ("baseline", {"baseline.dataset": "iris"}),
    ("mnist_train", {"mnist.epochs": 11}),
    ("move_country", {"country": "Atlantis"}),
    ("autograd", {"expression": "__import__('os')"}),
    ("autograd", {"expression": "x.__class__"}),
    ("autograd", {"expression": HOSTILE}),
    ("autograd", {"expression": "x" * 300}),
    ("spy", {"spy_message": ["not", "text"]}),
    ("checklist", {"answers": "{not json"}),
    ("checklist", {"answers": json.dumps({"format": "something else"})}),
    ("checklist", {"answers": 42}),
])
def test_invalid_settings_raise_value_error(demo_id, settings):
    assert issubclass(NotebookSettingsError, ValueError)
    with pytest.raises(NotebookSettingsError):
        build_notebook(demo_id, settings)


@pytest.mark.parametrize("demo_id", ["nope", "", None, 3, "Checklist", "roc "])
def test_unknown_demo_raises_value_error(demo_id):
    with pytest.raises(ValueError, match="unknown demo"):
        build_notebook(demo_id, {})
    with pytest.raises(ValueError):
        notebook_file_name(demo_id)


def test_settings_must_be_a_mapping():
    with pytest.raises(ValueError):
        build_notebook("roc", [("roc.seed", 1)])


def test_an_invalid_setting_of_another_tab_does_not_stop_this_one():
    """The skeleton passes every page setting: a broken formula on the autograd tab must not block km->miles."""
    notebook = build_notebook("km_miles", {"pytorch_basics.expression": "__import__('os')", "pytorch_basics.lr": 1.0})
    assert settings_constants(notebook)["LEARNING_RATE"] == 1.0


def test_the_autograd_formula_is_rebuilt_in_canonical_form_from_the_checked_tree():
    assert canonical_expression(" (x-1)*(x-2) *(x-3) ") == "(x - 1) * (x - 2) * (x - 3)"
    notebook = build_notebook("autograd", {"expression": "  x**2   +  3*x "})
    assert settings_constants(notebook)["FORMULA"] == "x ** 2 + 3 * x"
    assert "x**2   +  3*x" not in nbformat.writes(notebook)


def test_hostile_spy_message_is_only_a_string_of_font_characters():
    notebook = build_notebook("spy", {"kids.spy_message": HOSTILE})
    assert settings_constants(notebook)["MESSAGE"] == "IMPORT OS"
    text = nbformat.writes(notebook)
    assert HOSTILE not in text and "import os" not in "\n".join(code_sources(notebook))
    for source in code_sources(notebook):
        python_of(source)  # every cell is still plain, parseable code


def test_hostile_checklist_text_stays_escaped_markdown_and_never_reaches_code(default_notebooks):
    checklist = load_checklist(ROOT / "data" / "methodology" / "checklist.yaml")
    answers = blank_answers(checklist)
    answers["why.problem"] = Answer("done", f"{HOSTILE}\n```python\nimport os\n```\n<script>alert(1)</script> [x](y)")
    answers["how-well.split"] = Answer("in progress", "# not a heading")
    saved = answers_to_json(checklist, HOSTILE, answers)
    notebook = build_notebook("checklist", {"methodology.project": "", "answers": saved})
    assert code_sources(notebook) == code_sources(default_notebooks["checklist"])
    text = "\n".join(cell.source for cell in notebook.cells)
    assert "<script>" not in text and "```" not in text and HOSTILE not in text
    assert "\\<script\\>" in text and "\\# not a heading" in text
    assert notebook.cells[0].source.startswith('# Methodology checklist: "\\); import os; \\("')
    assert "(done)" in text and "(in progress)" in text


def test_checklist_has_a_code_cell_per_measurement_item_and_takes_parsed_answers():
    checklist = load_checklist(ROOT / "data" / "methodology" / "checklist.yaml")
    measures = next(section for section in checklist.sections if section.section_id == "how-well").items
    answers = json.loads(answers_to_json(checklist, "Tin prices", blank_answers(checklist)))
    notebook = build_notebook("checklist", {"answers": answers})
    assert notebook.cells[0].source.startswith("# Methodology checklist: Tin prices")
    starters = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"][1:]
    assert len(starters) == len(measures)
    for index, item in zip(starters, measures, strict=True):
        assert item.question in notebook.cells[index - 1].source


def test_training_notebooks_say_how_to_run_the_talks_three_epochs(default_notebooks):
    for demo_id in ("mnist_train", "mnist_evaluate"):
        notebook = default_notebooks[demo_id]
        words = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        assert "three epochs" in words and "QUICK_RUN = False" in words
        constants = settings_constants(notebook)
        assert constants["QUICK_RUN"] is True and constants["EPOCHS"] == 3 and constants["SAMPLES"] == 60_000
        assert (constants["HIDDEN"], constants["LOSS"], constants["OPTIMISER"], constants["LEARNING_RATE"],
                constants["BATCH_SIZE"]) == (200, "bce", "sgd", 0.01, 1)


def test_mnist_notebooks_read_mnist_dir_then_download_with_the_apps_mirrors_and_md5s(default_notebooks):
    source = "\n".join(code_sources(default_notebooks["mnist_explore"]))
    assert 'os.environ.get("MNIST_DIR")' in source and '"mnist"' in source
    for name, md5 in FILE_MD5S.items():
        assert f"'{name}': '{md5}'" in source
        assert (ROOT / "data" / "mnist-sample" / name).exists()  # the sample carries the names the notebook reads
    for mirror in DEFAULT_MIRRORS:
        assert repr(mirror) in source


def test_custom_mnist_settings_become_the_config_the_page_would_train():
    notebook = build_notebook("mnist_train", {"mnist.preset": "custom", "mnist.batch_size": "64", "mnist.optimiser": "adam",
                                              "mnist.hidden": 500, "mnist.activation": "relu"})
    constants = settings_constants(notebook)
    assert (constants["BATCH_SIZE"], constants["SHUFFLE"], constants["RECORD_EVERY"], constants["DECAY_LR"]) == (
        64, True, 64, False)
    assert (constants["HIDDEN"], constants["OPTIMISER"], constants["ACTIVATION"]) == (500, "adam", "relu")


def test_maps_notebooks_carry_only_the_countries_they_need():
    notebook = build_notebook("move_country", {"maps.country": "Brazil"})
    data_cell = next(source for source in code_sources(notebook) if "COUNTRIES_GEOJSON = " in source)
    geojson = json.loads(ast.literal_eval(data_cell.split("COUNTRIES_GEOJSON = ", 1)[1].split("\n", 1)[0]))
    assert [feature["properties"]["name"] for feature in geojson["features"]] == ["Brazil", "Japan", "United Kingdom"]
    numbers = re.findall(r"-?\d+\.\d+", json.dumps(geojson["features"][0]["geometry"]))
    assert numbers and all(len(number.split(".")[1]) <= 2 for number in numbers)


def test_a_notebook_over_the_size_limit_is_refused():
    with pytest.raises(ValueError, match="limit"):
        assemble("too big", [markdown("# big"), code("x = " + repr("0" * (MAX_NOTEBOOK_BYTES + 10)))])


def test_the_command_line_writes_every_default_notebook(tmp_path, capsys):
    assert notebooks_cli(["--all", "--out", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.glob("*.ipynb"))
    assert written == sorted(notebook_file_name(demo_id) for demo_id in DEMOS)
    nbformat.validate(nbformat.read(tmp_path / "dscl-autograd.ipynb", as_version=4))
    assert notebooks_cli(["--demo", "spy", "--out", str(tmp_path / "one")]) == 0
    assert [path.name for path in (tmp_path / "one").iterdir()] == ["dscl-spy.ipynb"]
