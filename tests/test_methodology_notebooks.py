"""The Methodology notebooks define the page's own code (lib/methodology/notebook.py): each default notebook
defines exactly the functions its tab shows, statement for statement as in lib, and the constants they read are
lib's own lines with lib's values; the own-table notebooks define only lib code too."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks.notebook_source import DEFINITION, cell_python, is_from_lib
from lib.core.notebook_cells import constants_source
from lib.methodology import demos, own_data
from lib.methodology.notebook import OWN_BUILDERS
from lib.methodology.own_data import to_safe_csv
from lib.notebooks import build_notebook
from lib.registry import demos_of, shown_objects
from tests.test_own_data import visitor_table

DEMO_IDS = [demo.id for demo in demos_of("methodology") if demo.shows]
OWN_COLUMNS = {"overfitting": {"x": "x", "y": "y"}, "roc": {"label": "label", "score": "probability"},
               "baseline": {"target": "label"}, "bias": {"group": "group", "target": "label"}}


def definitions(notebook) -> list:
    """Top-level functions and classes of the code cells after the install cell."""
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"][1:]
    return [node for cell in cells for node in cell_python(cell.source).body if isinstance(node, DEFINITION)]


def test_every_demonstration_but_the_checklist_shows_lib_code() -> None:
    assert DEMO_IDS == ["overfitting", "accuracy", "roc", "losses", "hypothesis", "baseline", "bias"]


@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_a_default_notebook_defines_exactly_what_its_tab_shows(demo_id: str) -> None:
    defined = definitions(build_notebook(demo_id, {}))
    assert [node.name for node in defined] == [item.__name__ for item in shown_objects(demo_id)]
    assert all(is_from_lib(node) for node in defined)


@pytest.mark.parametrize("demo_id", sorted(OWN_BUILDERS))
def test_an_own_table_notebook_defines_only_lib_code(demo_id: str) -> None:
    own = {"csv": to_safe_csv(visitor_table()), "name": "mine.csv", "columns": OWN_COLUMNS[demo_id]}
    defined = definitions(build_notebook(demo_id, {"methodology.own_table": own}))
    assert defined and [node.name for node in defined if not is_from_lib(node)] == []


def test_the_constants_cell_is_libs_lines_with_libs_values() -> None:
    names = ("AIM_DIRECTION", "CLASSIC_CASES", "OWN_UPKEEP_UNITS", "UPKEEP_UNITS", "POWER_SIZES")
    source = constants_source(demos, "UPKEEP_UNITS", *names) + "\n" + constants_source(own_data, "MAX_LABELS")
    assert "# a biased aim drifts up and to the right" in source  # lib's comment comes along
    namespace: dict[str, object] = {"np": np}
    exec(source, namespace)  # noqa: S102 - fixed text from lib's own source, in a test
    for name in names:
        assert np.array_equal(np.asarray(namespace[name], dtype=object), np.asarray(getattr(demos, name), dtype=object))
    assert namespace["MAX_LABELS"] == own_data.MAX_LABELS
    with pytest.raises(KeyError):
        constants_source(demos, "not_a_constant")
