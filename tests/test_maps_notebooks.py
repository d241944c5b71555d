"""The Maps notebooks' glue: the constants it writes before lib's functions are lib's own values, and the Type
tab and its notebook set the same HTML."""
from __future__ import annotations

import numpy as np

from lib.core import colour_vision
from lib.core.notebook_cells import constant_values
from lib.maps import colour, geo, typography
from lib.maps.notebook import machado_table, simulation_imports, split_before
from lib.maps.typography import SANS, SERIF, counters_html, pairing_html
from lib.notebooks import build_notebook


def run_glue(source: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(compile(source, "<glue>", "exec"), namespace)  # noqa: S102 (text this module writes from lib's values)
    return namespace


def test_the_simulations_constants_are_libs_values() -> None:
    namespace = run_glue(simulation_imports())
    assert namespace["MACHADO_2009_TABLE"] == colour_vision.MACHADO_2009_TABLE
    for name in ("TYPICAL", "CVD_KINDS", "SEVERITY_STEPS", "Matrix"):
        assert namespace[name] == getattr(colour_vision, name), name
    assert namespace["KIND_OF_DEFICIENCY"] == colour.KIND_OF_DEFICIENCY
    assert namespace["DEFICIENCIES"] == colour.DEFICIENCIES
    assert "# 0.5" in machado_table()  # each matrix on a line of its own, by severity


def test_arrays_and_plain_constants_are_written_as_literals() -> None:
    namespace = run_glue("import numpy as np\n" + constant_values(colour, "XYZ_FROM_LINEAR_SRGB", "CONFUSABLE_DELTA_E")
                         + "\n" + constant_values(geo, "E2", "WGS84"))
    assert np.array_equal(namespace["XYZ_FROM_LINEAR_SRGB"], colour.XYZ_FROM_LINEAR_SRGB)
    assert (namespace["CONFUSABLE_DELTA_E"], namespace["E2"], namespace["WGS84"]) == (12.0, geo.E2, "EPSG:4326")


def test_split_before_keeps_the_order_and_every_object() -> None:
    objects = (colour.key_warning, colour.confusable_pairs, colour.delta_e76, colour.quantile_breaks)
    assert split_before(objects, "confusable_pairs", "quantile_breaks") == [
        (colour.key_warning,), (colour.confusable_pairs, colour.delta_e76), (colour.quantile_breaks,)]


def test_a_pairing_sets_the_body_in_one_face_and_the_heading_in_the_other() -> None:
    html = pairing_html(SERIF, 22)
    assert f"font:600 1.5rem/1.2 {SANS}" in html and f"font-family:{SERIF};font-size:22px" in html
    assert "sans-serif heading, serif body" in html and typography.SAMPLE in html
    assert "font-size:66px" in counters_html(SANS, "Sans-serif", 22)  # three times the body size


def test_the_type_notebook_shows_the_pages_html() -> None:
    notebook = build_notebook("type", {"maps.type_size": 24})
    namespace = run_glue("\n".join(cell.source for cell in notebook.cells[2:4]).replace(
        "from IPython.display import HTML, display", ""))
    assert namespace["pairing_html"](SERIF, namespace["BODY_SIZE_PX"]) == pairing_html(SERIF, 24)


def test_the_colour_notebook_simulates_at_the_pages_severity() -> None:
    from tests.test_notebooks import settings_constants

    assert settings_constants(build_notebook("colour", {"maps.severity": 50}))["SEVERITY"] == 0.5
    assert settings_constants(build_notebook("colour", {}))["SEVERITY"] == 1.0
