"""What makes a rerun light, checked: kept specs send the same rows, and the rerun-cost benchmark splits by call tree.

No timings are asserted: figures come from `python -m benchmarks.rerun_cost`.
"""
from __future__ import annotations

import cProfile
import pstats

import pandas as pd
import pyarrow
from streamlit.testing.v1 import AppTest


def _inline_rows_page() -> None:
    import altair as alt
    import pandas as pd

    from ui.page import chart_ui, kept_chart_ui

    def line() -> alt.Chart:
        rows = pd.DataFrame({"x": [1, 2, 3], "name": ["a", "b", "c"], "y": [0.5, None, 2.0]})
        return alt.Chart(rows).mark_line().encode(x="x:Q", y="y:Q", detail="name:N")

    kept_chart_ui(line, (), "kept", pd.DataFrame())
    chart_ui(line(), "built", pd.DataFrame())


def _rows(chart) -> pd.DataFrame:
    (dataset,) = chart.proto.datasets
    return pyarrow.ipc.open_stream(dataset.data.data).read_pandas()


def test_a_kept_specs_inline_rows_reach_the_browser_as_a_built_charts_do() -> None:
    at = AppTest.from_function(_inline_rows_page, default_timeout=60)
    at.run()
    assert not at.exception
    kept, built = at.get("vega_lite_chart")
    assert [d.name for d in kept.proto.datasets] == [d.name for d in built.proto.datasets]
    pd.testing.assert_frame_equal(_rows(kept), _rows(built))
    assert _rows(kept)["name"].tolist() == ["a", "b", "c"]


def test_geojson_features_stay_records_for_vega() -> None:
    from ui.charts import tabled_rows

    features = [{"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]
    assert tabled_rows(features) is features
    assert tabled_rows([{"a": 1}, {"a": 2}]).column("a").to_pylist() == [1, 2]


def _lib_work() -> float:
    from lib.methodology import demos

    return float(demos.make_curve_sample(40, 0.2, 0).y.sum())


def _chart_work() -> dict:
    import altair as alt

    return alt.Chart(pd.DataFrame({"a": range(50)})).mark_point().encode(x="a:Q").to_dict()


def test_the_split_gives_lib_and_altair_time_to_their_own_categories() -> None:
    from benchmarks.rerun_cost import CATEGORIES, split_by_category

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(20):
        _lib_work()
        _chart_work()
    profile.disable()
    split = split_by_category(pstats.Stats(profile))
    assert set(split) == set(CATEGORIES)
    assert split["compute"] > 0 and split["charts"] > 0
    total = sum(split.values())
    own = sum(entry[2] for entry in pstats.Stats(profile).stats.values())
    assert abs(total - own) < 1e-6 * max(1.0, own)  # every second of own time lands in exactly one category
