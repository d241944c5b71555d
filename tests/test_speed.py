"""What keeps the app quick: the welcome page imports no heavy library, chart specs are kept per structure
with their rows handed over by name (and those rows are the chart's), and the speed benchmarks run. No
timings are asserted: figures come from benchmarks/."""
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


def _drawn(chart: object) -> str:
    """A drawn chart's spec as JSON, each named dataset in it replaced by the rows Streamlit sent for it."""
    import pyarrow

    rows = {dataset.name: pyarrow.ipc.open_stream(dataset.data.data).read_pandas().to_dict("records")
            for dataset in chart.proto.datasets}
    text = json.dumps(json.loads(chart.proto.spec), sort_keys=True)
    for name, records in rows.items():
        text = text.replace(json.dumps(name), json.dumps(records, sort_keys=True, default=str))
    return text


def test_kept_and_converted_specs_draw_the_same_charts_and_rows_as_altair_chart() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_chart_page, default_timeout=60)
    at.run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert len(charts) == 6
    drawn = [_drawn(chart) for chart in charts]
    assert drawn[0] == drawn[1] == drawn[2]  # altair_chart, and the kept spec drawn twice
    assert drawn[3] != drawn[0] and '"y": 25' in drawn[3]  # other arguments: another chart, with its 6 rows
    assert drawn[4] == drawn[5]
    assert charts[4].proto.selection_mode == charts[5].proto.selection_mode == ["place"]
    for chart in charts:  # every chart's data arrived: a named dataset per data reference
        assert chart.proto.datasets and all(len(dataset.data.data) > 0 for dataset in chart.proto.datasets)


def _named_rows_page() -> None:
    import altair as alt
    import pandas as pd
    import streamlit as st

    from ui.page import kept_chart_ui

    def bars(colour: str) -> alt.Chart:
        return alt.Chart(alt.NamedData("counts")).mark_bar(color=colour).encode(
            x=alt.X("digit:O"), y=alt.Y("count:Q")).properties(title="")

    for count in st.session_state.setdefault("counts", [[3, 5], [7, 1, 4]]):
        rows = pd.DataFrame({"digit": range(len(count)), "count": count})
        kept_chart_ui(bars, ("grey",), "a takeaway", rows, datasets={"counts": rows}, title=f"{len(count)} digits")


def test_a_kept_spec_draws_the_rows_handed_to_each_drawing_and_stays_as_kept() -> None:
    import pyarrow
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_named_rows_page, default_timeout=60)
    at.run()
    assert not at.exception
    first, second = at.get("vega_lite_chart")
    for chart, counts, title in ((first, [3, 5], "2 digits"), (second, [7, 1, 4], "3 digits")):
        spec = json.loads(chart.proto.spec)
        assert spec["title"] == title and spec["description"].startswith(title)
        (dataset,) = chart.proto.datasets
        assert dataset.name == "counts"
        assert pyarrow.ipc.open_stream(dataset.data.data).read_pandas()["count"].tolist() == counts
    assert '"counts"' not in json.dumps(json.loads(first.proto.spec).get("datasets", {}))  # rows go as Arrow only


def test_one_spec_made_by_many_visitors_at_once_is_made_whole_once() -> None:
    """Thirty visitors arriving together ask for the Garden's first chart on a fresh server: each gets its 360 rows."""
    import threading

    from app_pages.kids_garden import garden_long, measurements_chart
    from ui.charts import _kept_spec, plain_key, qualified_name

    _kept_spec.clear()
    builds = []

    def counted() -> object:
        builds.append(1)
        return measurements_chart()

    start, specs = threading.Barrier(30), []

    def visitor() -> None:
        start.wait()
        specs.append(_kept_spec(key=plain_key((qualified_name(measurements_chart), (), False)), _build=counted, _args=(),
                                _presenter=False))

    visitors = [threading.Thread(target=visitor) for _ in range(30)]
    for thread in visitors:
        thread.start()
    for thread in visitors:
        thread.join(timeout=120)
    assert len(specs) == 30 and len(builds) == 1
    assert all(spec is specs[0] for spec in specs)
    (rows,) = specs[0]["datasets"].values()
    assert len(rows) == len(garden_long()) == 360  # an Arrow table, made once (ui.charts.tabled_rows)
    assert specs[0]["data"] == {"name": next(iter(specs[0]["datasets"]))}
    with pytest.raises(TypeError):  # shared by every visitor: read-only
        specs[0]["title"] = "changed"


def test_a_chart_that_breaks_the_schema_is_still_refused() -> None:
    import altair as alt
    import pandas as pd

    from ui.charts import vega_lite_spec

    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")
    chart.mark = "no such mark"
    with pytest.raises(Exception, match="no such mark|was expected"):
        vega_lite_spec(chart)


def _pages_and_tabs() -> list[tuple[str, str, str]]:
    """(page, widget key, choice) for every tab of every page with charts, and every Methodology view."""
    from app_pages import kids, maps, mnist, pytorch_basics
    from app_pages.methodology_checklist import VIEWS

    opened = [("methodology", "methodology.view", view) for view in VIEWS]
    for page, module in (("kids", kids), ("maps", maps), ("mnist", mnist), ("pytorch_basics", pytorch_basics)):
        opened += [(page, f"{page}.tab", label) for label in module.TABS]
    return opened


def test_every_chart_a_page_draws_fits_the_vega_lite_schema() -> None:
    """Charts drawn on every rerun skip Altair's schema check (ui.page.chart_ui): it is made here instead."""
    from altair.vegalite.v6.schema.core import Root

    from tests.helpers import open_page

    checked, apps = 0, {}
    for page, key, choice in _pages_and_tabs():
        at = apps.get(page) or apps.setdefault(page, open_page(page))
        at.session_state[key] = choice
        at.query_params[key] = choice
        at.run()
        assert not at.exception, (page, choice, at.exception)
        for chart in at.get("vega_lite_chart"):
            Root.validate(json.loads(chart.proto.spec))
            checked += 1
    assert checked >= 30
