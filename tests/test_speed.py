"""What keeps the app quick: the welcome page imports no heavy library, Altair's class table is
built once, and the speed benchmarks run. No timings are asserted: figures come from benchmarks/."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy import stats

from lib.methodology import demos
from tests.conftest import ROOT

HEAVY = ("torch", "sklearn", "scipy", "geopandas", "altair")


def run_python(code: str, timeout: float = 180) -> str:
    """Run code in a fresh interpreter (a clean sys.modules) from the repo root; its stdout."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_welcome_page_and_the_settings_import_no_heavy_library() -> None:
    loaded = json.loads(run_python(f"""
        import json, sys
        from streamlit.testing.v1 import AppTest
        import lib.methodology.settings, lib.kids.settings, lib.pytorch_basics.settings
        import lib.mnist.settings, lib.maps.settings
        at = AppTest.from_file({str(ROOT / "Home.py")!r}, default_timeout=120)
        at.run()
        assert not at.exception, at.exception
        assert "shown once a page uses PyTorch" in str(at.sidebar.markdown[0].value)
        print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
    """))
    assert loaded == []


def test_each_pages_first_tab_imports_only_what_it_draws() -> None:
    loaded = json.loads(run_python(f"""
        import json, sys
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file({str(ROOT / "Home.py")!r}, default_timeout=120)
        at.run()
        found = {{}}
        for page in ("methodology", "pytorch_basics", "mnist", "kids"):
            at.switch_page(f"app_pages/{{page}}.py").run()
            assert not at.exception, at.exception
            found[page] = [name for name in ("torch", "sklearn", "scipy", "geopandas") if name in sys.modules]
        print(json.dumps(found))
    """, timeout=300))
    # The checklist, kilometres to miles, the MNIST data and the hands story need none of them.
    assert loaded == {"methodology": [], "pytorch_basics": [], "mnist": [], "kids": []}


def test_the_device_label_appears_once_pytorch_is_loaded() -> None:
    out = run_python("""
        from lib.core.device import device_label_if_loaded
        print(device_label_if_loaded())
        import torch
        print(device_label_if_loaded())
    """)
    before, after = out.split("\n")[:2]
    assert before == "None"
    assert after.startswith(("CPU (", "CUDA: ", "Apple MPS"))


def test_altair_builds_the_same_charts_with_its_class_table_kept() -> None:
    out = run_python("""
        import json
        import altair as alt
        import pandas as pd
        from altair.utils import schemapi
        from ui.charts import remember_altair_schema_classes

        frame = pd.DataFrame({"x": [1, 2], "y": [3, 4], "kind": ["a", "b"]})
        def chart():
            return alt.Chart(frame).mark_point().encode(x="x:Q", y=alt.Y("y:Q"), color="kind:N",
                                                        tooltip=["x", "y", alt.Tooltip("kind:N")])
        before = chart().to_dict()
        remember_altair_schema_classes()
        remember_altair_schema_classes()
        chart()
        hashes = 0
        original = schemapi._FromDict.hash_schema.__func__
        def counting(cls, schema, use_json=True):
            global hashes
            hashes += 1
            return original(cls, schema, use_json)
        schemapi._FromDict.hash_schema = classmethod(counting)
        after = chart().to_dict()
        print(json.dumps({"same": before == after, "hashes": hashes}))
    """)
    result = json.loads(out)
    assert result["same"]
    assert result["hashes"] < 50  # one per channel looked up, not one per schema class (about 500)


@pytest.mark.parametrize(("effect", "n_per_group", "seed"), [(0.0, 5, 3), (0.55, 30, 0), (1.5, 200, 9)])
def test_simulated_experiments_equal_scipys_t_test_on_the_raw_draws(effect: float, n_per_group: int,
                                                                    seed: int) -> None:
    rng = np.random.default_rng(seed)
    control = rng.normal(0.0, 1.0, (2, 500, n_per_group))
    treated = rng.normal(0.0, 1.0, (2, 500, n_per_group))
    treated[1] += effect
    expected = stats.ttest_ind(treated, control, axis=2).pvalue
    results = demos.simulate_experiments(effect, n_per_group, 0.05, 500, seed)
    np.testing.assert_allclose(results.null_p_values, expected[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(results.effect_p_values, expected[1], rtol=1e-9, atol=1e-12)


def test_the_power_curve_is_the_analytic_power_at_each_size() -> None:
    sizes = (5, 30, 64, 200)
    curve = demos.power_curve(0.5, 0.05, sizes)
    assert curve["power"].tolist() == pytest.approx([demos.analytic_power(0.5, n, 0.05) for n in sizes])


def test_the_pages_benchmark_finds_and_changes_the_widgets_of_a_page() -> None:
    out = run_python("""
        import contextlib, io, json
        from benchmarks import pages
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            status = pages.main(["--repeats", "1", "--json", "--page", "welcome"])
        rows = json.loads(buffer.getvalue())
        compiled = sorted(pages._SHARED_SCRIPT_CACHE._cache)  # each script once, shared by every run
        print(json.dumps({"status": status, "actions": [row["action"] for row in rows],
                          "keys": sorted(rows[0]), "compiled": [path.rsplit("/", 1)[-1] for path in compiled]}))
    """, timeout=300)
    result = json.loads(out)
    assert result["status"] == 0
    assert result["compiled"] == ["Home.py", "welcome.py"]
    assert "first render (warm)" in result["actions"]
    assert "toggle: Presenter mode (presenter)" in result["actions"]
    assert {"page", "action", "median_ms", "p95_ms"} <= set(result["keys"])


def test_the_mnist_table_holds_the_talks_csv_rows_as_columns() -> None:
    from lib.mnist.data import load_sample

    split = load_sample().train
    table = split.head_table(20)
    assert (table.num_rows, table.num_columns) == (20, 785)
    assert table.column_names[:3] == ["label", "0", "1"]
    np.testing.assert_array_equal(np.column_stack([column.to_numpy() for column in table.columns]), split.head(20))


def test_the_browser_benchmark_knows_how_streamlit_names_keyed_widgets() -> None:
    from benchmarks.browser import DEMOS, key_class, pages_in_order

    assert key_class("methodology.test.effect") == "st-key-methodology-test-effect"
    paths = [path for path, _ in pages_in_order()]
    assert {demo.path for demo in DEMOS} <= set(paths)


def _chart_page() -> None:
    import altair as alt
    import pandas as pd
    import streamlit as st

    from ui.layout import styled_chart
    from ui.page import chart_ui, kept_chart_ui

    def scatter(points: int, colour: str) -> alt.Chart:
        frame = pd.DataFrame({"x": range(points), "y": [value * value for value in range(points)]})
        return alt.Chart(frame).mark_point(color=colour).encode(x="x:Q", y="y:Q", tooltip=["x", "y"])

    def clickable(points: int) -> alt.LayerChart:
        place = alt.selection_point(name="place", fields=["x"], on="click")
        return alt.layer(scatter(points, "blue").add_params(place), scatter(points, "red").mark_line()).properties(
            height=200, title=f"{points} points")

    # chart_ui is st.altair_chart of the accessible chart: its title and takeaway are its text alternative
    st.altair_chart(styled_chart(scatter(5, "red"), description="a takeaway"), width="stretch")
    numbers = pd.DataFrame({"x": [1]})
    kept_chart_ui(scatter, (5, "red"), "a takeaway", numbers)
    kept_chart_ui(scatter, (5, "red"), "a takeaway", numbers)
    kept_chart_ui(scatter, (6, "red"), "a takeaway", numbers)
    st.altair_chart(styled_chart(clickable(4), description="a takeaway"), width="stretch", key="direct",
                    on_select="rerun")
    chart_ui(clickable(4), "a takeaway", numbers, key="through_chart_ui", on_select="rerun")


def test_kept_and_converted_specs_draw_the_same_charts_as_altair_chart() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_chart_page, default_timeout=60)
    at.run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    specs = [json.loads(chart.proto.spec) for chart in charts]
    datasets = [[(dataset.name, dataset.data.data) for dataset in chart.proto.datasets] for chart in charts]
    assert len(specs) == 6
    assert specs[0] == specs[1] == specs[2] and datasets[0] == datasets[1] == datasets[2]
    assert datasets[3] != datasets[0]  # other arguments, another chart
    assert specs[4] == specs[5] and datasets[4] == datasets[5]
    assert charts[4].proto.selection_mode == charts[5].proto.selection_mode == ["place"]


def test_a_chart_that_breaks_the_schema_is_still_refused() -> None:
    import altair as alt
    import pandas as pd

    from ui.charts import vega_lite_spec

    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")
    chart.mark = "no such mark"
    with pytest.raises(Exception, match="no such mark|was expected"):
        vega_lite_spec(chart)


def test_charts_copied_without_their_constructors_come_out_as_altairs_own() -> None:
    out = run_python("""
        import json
        import altair as alt
        import pandas as pd
        from ui.charts import speed_up_altair

        frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 4, 5], "kind": ["a", "b", "a"]})
        def charts():
            pick = alt.selection_point(fields=["kind"], name="pick")
            zoom = alt.selection_interval(bind="scales", name="zoom")
            points = alt.Chart(frame).mark_point().encode(x="x:Q", y="y:Q", color="kind:N").add_params(pick)
            line = alt.Chart().mark_line().encode(x="x:Q", y="y:Q").transform_filter(pick)
            inner = alt.layer(line, alt.Chart().mark_rule().encode(y="mean(y):Q"))
            layered = alt.layer(points, inner, data=frame).properties(title="t", width=200, height=100)
            nested = alt.layer(layered.properties(description="d"), data=frame).add_params(zoom)
            both = alt.hconcat(layered, points.properties(title="p")).properties(title="both")
            added = (points + line).interactive().properties(width=300)
            faceted = alt.Chart(frame).mark_bar().encode(x="x:Q", y="y:Q").facet("kind:N").properties(title="f")
            stacked = alt.vconcat(points, line, data=frame).add_params(zoom).properties(title="v")
            other = frame.assign(y=frame.y * 2)
            plain = alt.layer(alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q"),
                              alt.Chart(other).mark_point().encode(x="x:Q", y="y:Q"))
            shared = alt.layer(alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q"),
                               alt.Chart(frame).mark_point().encode(x="x:Q", y="y:Q"))
            plains = [plain.properties(title="plain", height=80), alt.layer(plain, shared).properties(title="n"),
                      shared.properties(title="s").properties(description="d"),
                      (plain + alt.Chart(other).mark_rule().encode(y="y:Q")).properties(title="a"),
                      plain.interactive().properties(title="i")]
            copies = [*plains, layered.copy(), layered.copy(deep=False), layered.copy(deep=["layer"]),
                      nested.properties(title="again"), layered.properties(title="x").interactive(),
                      layered.properties(height=50).add_params(alt.selection_point(name="later")),
                      both.properties(title="again"), stacked.properties(title="w")]
            return [chart.to_dict() for chart in (layered, nested, both, added, faceted, stacked, *copies,
                                                  layered, both)]  # the originals unchanged by their copies
        before = charts()
        speed_up_altair()
        speed_up_altair()
        after = charts()
        print(json.dumps({"same": before == after, "count": len(after)}))
    """)
    assert json.loads(out) == {"same": True, "count": 21}


def test_a_bad_property_is_refused_when_the_spec_is_made() -> None:
    import altair as alt
    import pandas as pd

    from ui.charts import speed_up_altair, vega_lite_spec

    speed_up_altair()
    chart = alt.layer(alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")).properties(
        height={"not": "a height"}, title=alt.TitleParams("refused", subtitleFontStyle="italic"))
    with pytest.raises(Exception, match="not|was expected|valid"):
        vega_lite_spec(chart)


def _spec_with_data_by_content(spec: dict) -> str:
    """The spec as JSON with each dataset's name replaced by a digest of the rows it holds."""
    import hashlib

    from streamlit import dataframe_util

    text = json.dumps({name: value for name, value in spec.items() if name != "datasets"}, sort_keys=True)
    for name, data in spec.get("datasets", {}).items():
        rows = data if isinstance(data, bytes) else dataframe_util.convert_anything_to_arrow_bytes(data)
        text = text.replace(f'"{name}"', f'"rows-{hashlib.sha256(rows).hexdigest()[:16]}"')
    return text


def test_a_chart_drawn_again_with_other_rows_reuses_its_spec_with_the_new_rows() -> None:
    import altair as alt
    import pandas as pd

    from ui.charts import _converted, _templates, vega_lite_spec

    def build(points: pd.DataFrame, rule: pd.DataFrame, title: str) -> alt.LayerChart:
        return alt.layer(alt.Chart(points).mark_line().encode(x="x", y="y:Q", tooltip=["x", "y"]),
                         alt.Chart(rule).mark_rule().encode(y="level:Q")).properties(title=title)

    first = (pd.DataFrame({"x": [1, 2, 3], "y": [1.0, 4.0, 9.0]}), pd.DataFrame({"level": [2.5]}))
    second = (pd.DataFrame({"x": [4, 5], "y": [16.0, 25.0]}), pd.DataFrame({"level": [7.0]}))
    vega_lite_spec(build(*first, "Squares"))
    kept = len(_templates)
    reused = vega_lite_spec(build(*second, "Squares"))
    assert len(_templates) == kept  # the second drawing found the first one's template
    converted, _ = _converted(build(*second, "Squares"), [])
    assert _spec_with_data_by_content(reused) == _spec_with_data_by_content(converted)

    # Another type of column changes the spec (x is inferred nominal), and another title is another chart.
    as_text = pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]})
    nominal = vega_lite_spec(build(as_text, first[1], "Squares"))
    assert nominal["layer"][0]["encoding"]["x"]["type"] == "nominal"
    kept = len(_templates)
    assert vega_lite_spec(build(*second, "Cubes"))["title"] == "Cubes"  # its title is put into the kept spec
    titled = vega_lite_spec(build(*second, "Squares").properties(title=alt.Title("k = 3", anchor="start")))
    assert titled["title"] == {"text": "k = 3", "anchor": "start"}
    retitled = vega_lite_spec(build(*second, "Squares").properties(title=alt.Title("k = 4", anchor="start"),
                                                                   description="four groups"))
    assert retitled["title"] == {"text": "k = 4", "anchor": "start"} and retitled["description"] == "four groups"
    assert len(_templates) == kept + 2  # a title given as alt.Title, and a description, change the chart's shape


def test_cache_keys_kept_per_code_object_equal_streamlits_and_follow_source_changes(tmp_path) -> None:
    script = tmp_path / "page.py"
    keys = json.loads(run_python(f"""
        import json
        from pathlib import Path
        from streamlit.runtime.caching import cache_utils
        from streamlit.runtime.caching.cache_type import CacheType
        from ui.cache_keys import remember_function_keys

        original = cache_utils._make_function_key
        remember_function_keys()
        remember_function_keys()
        kept = cache_utils._make_function_key
        assert kept.original is original
        script = Path({str(script)!r})

        def reruns(source, times):
            # as Streamlit reruns a page: its file compiled once, a new function on each run
            script.write_text(source)
            code = compile(source, str(script), "exec")
            functions = []
            for _ in range(times):
                space = {{"__name__": "__main__"}}
                exec(code, space)
                functions.append(space["area"])
            return functions

        first = reruns("def area(side):\\n    return side * side\\n", 2)
        kept_first = [kept(CacheType.DATA, f) for f in first]
        streamlit_first = [original(CacheType.DATA, f) for f in first]
        edited = reruns("def area(side):\\n    return side * side * 1.0\\n", 1)[0]
        print(json.dumps({{"kept": kept_first, "streamlit": streamlit_first,
                          "edited": kept(CacheType.DATA, edited),
                          "edited_streamlit": original(CacheType.DATA, edited)}}))
    """))
    assert keys["kept"] == keys["streamlit"]
    assert keys["kept"][0] == keys["kept"][1]
    assert keys["edited"] == keys["edited_streamlit"] != keys["kept"][0]
