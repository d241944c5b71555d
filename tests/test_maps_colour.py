"""Palettes, the Machado 2009 simulation and CIE delta E, against published reference values."""
from __future__ import annotations

import numpy as np
import pytest

from lib.maps.colour import (
    DEFICIENCIES,
    MACHADO_2009,
    OKABE_ITO,
    confusable_pairs,
    delta_e76,
    key_warning,
    linear_to_srgb,
    palette,
    quantile_breaks,
    simulate_colour_blindness,
    srgb_to_lab,
    threshold_classes,
)


def test_cielab_of_srgb_primaries_matches_published_values() -> None:
    # sRGB red and blue in CIELAB (D65), as in the CIE/Lindbloom reference tables
    assert srgb_to_lab("#ff0000") == pytest.approx([53.2408, 80.0925, 67.2032], abs=0.01)
    assert srgb_to_lab("#0000ff") == pytest.approx([32.2970, 79.1875, -107.8602], abs=0.01)
    assert srgb_to_lab("#ffffff") == pytest.approx([100.0, 0.0, 0.0], abs=0.01)


def test_delta_e_from_black_to_white_is_one_hundred() -> None:
    assert delta_e76("#000000", "#ffffff") == pytest.approx(100.0, abs=0.01)


def test_machado_matrices_keep_greys_grey() -> None:
    # each row of the paper's severity-1 matrices sums to 1 (to its 6 printed decimals), so white stays white
    for matrix in MACHADO_2009.values():
        assert matrix.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    for deficiency in DEFICIENCIES:
        assert simulate_colour_blindness(["#808080", "#ffffff"], deficiency) == ["#808080", "#ffffff"]


def test_pure_red_as_seen_with_protanopia_is_the_models_dark_olive() -> None:
    # linear red (1, 0, 0) times the protanopia matrix is its first column: (0.152286, 0.114503, -0.003882)
    expected = linear_to_srgb(np.array([0.152286, 0.114503, 0.0]))
    # by hand: 1.055 * 0.152286 ** (1 / 2.4) - 0.055 = 0.4266, and 0.3726 for green
    assert expected == pytest.approx([0.4266, 0.3726, 0.0], abs=5e-4)
    assert simulate_colour_blindness(["#ff0000"], "protanopia") == ["#6d5f00"]


def test_red_and_green_of_a_traffic_light_scheme_merge_for_deuteranopes() -> None:
    colours = palette("RdYlGn", 7)
    pairs = confusable_pairs(colours, "deuteranopia")
    assert pairs, "RdYlGn should have pairs a deuteranope cannot tell apart"
    # a red-side class is confused with a green-side class of the same lightness
    assert any(pair["first"] < 3 < pair["second"] for pair in pairs)
    assert all(pair["delta_e_seen"] < 12.0 <= pair["delta_e_normal"] for pair in pairs)


def test_okabe_ito_stays_distinct_for_all_three_deficiencies() -> None:
    for deficiency in DEFICIENCIES:
        assert confusable_pairs(list(OKABE_ITO[:7]), deficiency) == []


def test_colorbrewer_palettes_by_class_count() -> None:
    assert palette("Blues", 5) == ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
    assert palette("PuOr", 3) == ["#f1a340", "#f7f7f7", "#998ec3"]
    assert len(palette("Okabe-Ito", 8)) == 8
    with pytest.raises(ValueError, match="3 to 9 classes"):
        palette("Blues", 10)


def test_more_than_seven_colours_gets_a_warning() -> None:
    assert key_warning(7) is None
    assert "8 colours" in key_warning(8)


def test_quantile_breaks_split_into_equal_counts() -> None:
    values = list(range(1, 13))
    breaks = quantile_breaks(values, 4)
    assert breaks == pytest.approx([3.75, 6.5, 9.25])
    assert np.bincount(np.searchsorted(breaks, values)).tolist() == [3, 3, 3, 3]


def test_a_value_on_a_break_belongs_to_the_class_above_as_on_a_threshold_scale() -> None:
    # Vega-Lite's threshold scale: [b0, b1) is class 1, so b0 itself is in class 1, not 0
    assert threshold_classes([1.0, 3.75, 3.76, 9.25, 100.0], [3.75, 6.5, 9.25]).tolist() == [0, 1, 1, 3, 3]


def test_normal_vision_gives_the_colours_back_in_lower_case_and_an_unknown_one_is_refused() -> None:
    assert simulate_colour_blindness(["#E41A1C", "#377eb8"], "normal") == ["#e41a1c", "#377eb8"]
    with pytest.raises(ValueError, match="Unknown deficiency"):
        simulate_colour_blindness(["#e41a1c"], "monochromacy")
