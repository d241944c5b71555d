"""Colour vision at any severity (Machado, Oliveira and Fernandes 2009) and the sidebar's "See this app as".

The expected matrices below are typed from the paper's published table, not read from lib, so a slip in
lib's copy of the table fails here.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from app_pages.maps import COLOUR
from lib.core.colour_vision import CVD_KINDS, MACHADO_2009_TABLE, svg_colour_matrix, vision_label
from lib.maps.colour import (
    MACHADO_2009,
    machado_matrix,
    simulate_colour_blindness,
    simulate_colours,
    simulate_srgb,
)
from tests.helpers import ROOT, open_app, open_page, open_tab

PUBLISHED_FULL_SEVERITY = {
    "protanomaly": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                    [-0.003882, -0.048116, 1.051998]],
    "deuteranomaly": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                      [-0.011820, 0.042940, 0.968881]],
    "tritanomaly": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                    [0.004733, 0.691367, 0.303900]],
}
PUBLISHED_HALF_SEVERITY = {
    "protanomaly": [[0.458064, 0.679578, -0.137642], [0.092785, 0.846313, 0.060902],
                    [-0.007494, -0.016807, 1.024301]],
    "deuteranomaly": [[0.547494, 0.607765, -0.155259], [0.181692, 0.781742, 0.036566],
                      [-0.010410, 0.027275, 0.983136]],
    "tritanomaly": [[1.017277, 0.027029, -0.044306], [-0.006113, 0.958479, 0.047634],
                    [0.006379, 0.248708, 0.744913]],
}
# Two more rows of the table, at the ends of the range where a shifted row would show.
PUBLISHED_OTHERS = {
    ("protanomaly", 0.1): [[0.856167, 0.182038, -0.038205], [0.029342, 0.955115, 0.015544],
                           [-0.002880, -0.001563, 1.004443]],
    ("tritanomaly", 0.9): [[1.278864, -0.125333, -0.153531], [-0.084748, 0.957674, 0.127074],
                           [-0.000989, 0.601151, 0.399838]],
}


@pytest.mark.parametrize("kind", CVD_KINDS)
def test_full_severity_is_machados_published_matrix(kind: str) -> None:
    assert machado_matrix(kind, 1.0) == pytest.approx(np.array(PUBLISHED_FULL_SEVERITY[kind]), abs=1e-9)


@pytest.mark.parametrize("kind", CVD_KINDS)
def test_half_severity_is_machados_published_matrix(kind: str) -> None:
    assert machado_matrix(kind, 0.5) == pytest.approx(np.array(PUBLISHED_HALF_SEVERITY[kind]), abs=1e-9)


@pytest.mark.parametrize(("kind", "severity"), list(PUBLISHED_OTHERS))
def test_other_severities_are_their_published_rows(kind: str, severity: float) -> None:
    assert machado_matrix(kind, severity) == pytest.approx(np.array(PUBLISHED_OTHERS[kind, severity]), abs=1e-9)


@pytest.mark.parametrize("kind", CVD_KINDS)
def test_zero_severity_is_the_identity(kind: str) -> None:
    assert np.array_equal(machado_matrix(kind, 0.0), np.eye(3))
    assert simulate_colours(["#e41a1c", "#377eb8", "#4daf4a"], kind, 0.0) == ["#e41a1c", "#377eb8", "#4daf4a"]


def test_the_table_has_eleven_matrices_per_kind_and_each_keeps_greys_grey() -> None:
    for kind in CVD_KINDS:
        assert len(MACHADO_2009_TABLE[kind]) == 11
        for step in range(11):
            # each published row sums to 1 (to its 6 decimals): white and greys are seen unchanged
            assert machado_matrix(kind, step / 10).sum(axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=2e-6)


def test_the_colour_tab_uses_the_same_table() -> None:
    for name, kind in (("protanopia", "protanomaly"), ("deuteranopia", "deuteranomaly"), ("tritanopia", "tritanomaly")):
        assert np.array_equal(MACHADO_2009[name], machado_matrix(kind, 1.0))
    assert simulate_colour_blindness(["#e41a1c"], "deuteranopia", 0.5) == simulate_colours(["#e41a1c"], "deuteranomaly", 0.5)
    assert simulate_colour_blindness(["#e41a1c"], "deuteranopia", 0.5) != simulate_colour_blindness(["#e41a1c"], "deuteranopia")


def test_the_matrix_acts_on_linear_light() -> None:
    # sRGB red (228, 26, 28) decodes to linear (0.7758, 0.0103, 0.0110); protanopia's first row then gives
    # 0.152286 * 0.7758 + 1.052583 * 0.0103 - 0.204868 * 0.0110 = 0.1264, encoded back as 0.3910 (99.7 of 255)
    seen = simulate_srgb(np.array([228, 26, 28]) / 255, "protanomaly", 1.0)
    assert seen[0] * 255 == pytest.approx(99.70, abs=0.05)
    # multiplying the sRGB values themselves would give 0.152286 * 228 + 1.052583 * 26 - 0.204868 * 28 = 56.3
    assert abs(seen[0] * 255 - 56.3) > 40


@pytest.mark.parametrize("severity", [0.55, 1.2, -0.1, float("nan")])
def test_a_severity_off_the_table_is_refused(severity: float) -> None:
    with pytest.raises(ValueError, match="severit"):
        machado_matrix("protanomaly", severity)


def test_an_unknown_vision_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown colour vision"):
        machado_matrix("<script>", 1.0)


def test_the_svg_filter_holds_the_matrix_and_keeps_alpha() -> None:
    values = [float(value) for value in svg_colour_matrix("deuteranomaly", 0.6).split()]
    assert len(values) == 20
    rows = np.array(values).reshape(4, 5)
    assert rows[:3, :3] == pytest.approx(machado_matrix("deuteranomaly", 0.6))
    assert rows[:3, 3:].tolist() == [[0.0, 0.0]] * 3  # no alpha mixed into colour, no offset
    assert rows[3].tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]


def test_vision_labels() -> None:
    assert vision_label("protanomaly", 100) == "protanopia"
    assert vision_label("deuteranomaly", 60) == "deuteranomaly, 60%"
    assert vision_label("typical", 40) == "typical colour vision"


# ---------------------------------------------------------------- the sidebar control, under AppTest


def _query(at, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def _filters(at) -> list[str]:
    return [block.value for block in at.sidebar.markdown if "<filter" in block.value]


def test_the_control_sets_the_link_and_the_filter() -> None:
    at = open_app()
    assert _filters(at) == [] and _query(at, "vision") is None  # typical vision: no filter, nothing in the link
    at.selectbox(key="vision").set_value("deuteranomaly").run()
    at.select_slider(key="vision.severity").set_value(60).run()
    assert not at.exception
    assert (_query(at, "vision"), _query(at, "vision.severity")) == ("deuteranomaly", "60")
    (drawn,) = _filters(at)
    assert svg_colour_matrix("deuteranomaly", 0.6) in drawn and 'color-interpolation-filters="linearRGB"' in drawn
    at.selectbox(key="vision").set_value("typical").run()
    assert _filters(at) == [] and _query(at, "vision") is None and _query(at, "vision.severity") is None


def test_every_pages_share_link_carries_the_choice_and_opens_with_it() -> None:
    at = open_page("maps")
    at.selectbox(key="vision").set_value("tritanomaly").run()
    at.select_slider(key="vision.severity").set_value(30).run()
    open_tab(at, "maps", COLOUR)
    link = at.code[-1].value
    assert "vision=tritanomaly" in link and "vision.severity=30" in link, link
    query = dict(pair.split("=", 1) for pair in link.split("?", 1)[1].split("&"))
    fresh = open_app(vision=query["vision"], **{"vision.severity": query["vision.severity"]})
    assert fresh.selectbox(key="vision").value == "tritanomaly"
    assert fresh.select_slider(key="vision.severity").value == 30
    assert svg_colour_matrix("tritanomaly", 0.3) in _filters(fresh)[0]


@pytest.mark.parametrize("query", [{"vision": "<script>alert(1)</script>"},
                                   {"vision": "protanomaly", "vision.severity": "999"},
                                   {"vision": "protanomaly", "vision.severity": "55"}],
                         ids=["script", "severity-999", "severity-55"])
def test_a_hostile_link_is_refused_with_a_message(query: dict[str, str]) -> None:
    at = open_app(**query)
    assert not at.exception
    refused = [key for key, raw in query.items() if key != "vision" or raw != "protanomaly"]
    assert any(all(key in toast.value for key in refused) and "not usable" in toast.value for toast in at.toast)
    drawn = " ".join(_filters(at))
    assert "<script" not in drawn and "alert" not in drawn
    if query["vision"] == "protanomaly":  # the good half of the link is kept, the bad severity falls back to 100%
        assert at.select_slider(key="vision.severity").value == 100
        assert svg_colour_matrix("protanomaly", 1.0) in drawn
    else:
        assert at.selectbox(key="vision").value == "typical" and drawn == ""
        assert _query(at, "vision") is None


def test_the_colour_tab_checks_a_palette_at_the_chosen_severity() -> None:
    at = open_tab(open_page("maps"), "maps", COLOUR)
    at.selectbox(key="maps.scheme").set_value("RdYlGn").run()
    at.slider(key="maps.classes").set_value(7).run()
    assert any("hard to tell apart" in warning.value for warning in at.warning)  # at the default 100%
    at.select_slider(key="maps.severity").set_value(0).run()
    assert not at.exception
    assert not any("hard to tell apart" in warning.value for warning in at.warning)
    assert any("at 0%" in success.value for success in at.success)
    at.select_slider(key="maps.severity").set_value(50).run()
    assert "maps.severity=50" in at.code[-1].value
    assert any("severity 50%" in caption.value for caption in at.caption)


def test_the_sidebar_control_loads_no_numpy() -> None:
    # every page's sidebar draws it, and the welcome page is drawn sooner without numpy (see tests/test_speed.py)
    code = "import sys, ui.colour_vision; print('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
