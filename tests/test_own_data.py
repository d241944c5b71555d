"""A visitor's own table: load_table's reading and refusals, defused write-back, the demos and notebooks on it."""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from lib.kids.garden import GardenTableError, check_own_table, find_own_groups, guess_own_item, slider_range
from lib.methodology import demos
from lib.methodology.own_data import (
    MAX_BYTES,
    OwnDataError,
    check_labels,
    defuse_formulas,
    load_pasted,
    load_table,
    suggested_columns,
    task_of,
    to_safe_csv,
)
from lib.notebooks import build_notebook

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def visitor_table(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    """x, a noisy sine of it, a group, a two-valued label and a model's probability for it."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"x": rng.uniform(0, 10, rows), "group": rng.choice(["a", "b"], rows, p=[0.8, 0.2]),
                          "other": rng.normal(size=rows)})
    table["y"] = np.sin(table["x"]) + rng.normal(0, 0.3, rows)
    signal = table["y"] + table["other"] + rng.normal(0, 0.5, rows)
    table["label"] = np.where(signal > 0, "yes", "no")
    table["probability"] = 1 / (1 + np.exp(-signal))
    return table


# ---------------------------------------------------------------- load_table: what loads


def test_a_good_csv_loads_with_its_types() -> None:
    table = load_table(b"height,weight,team\n1.62,58,red\n1.75,71,blue\n")
    assert list(table.columns) == ["height", "weight", "team"]
    assert table["weight"].tolist() == [58, 71]
    assert table["team"].tolist() == ["red", "blue"]


def test_a_tsv_is_sniffed() -> None:
    table = load_table(b"a\tb\tc\n1\t2\t3\n4\t5\t6\n")
    assert list(table.columns) == ["a", "b", "c"] and table["c"].tolist() == [3, 6]


def test_a_semicolon_table_with_commas_inside_text_is_sniffed() -> None:
    table = load_table(b"name;score\nSmith, J;1\nJones, K;2\n")
    assert table["name"].tolist() == ["Smith, J", "Jones, K"]


def test_a_european_csv_reads_its_decimal_commas() -> None:
    table = load_table("Größe;Gewicht\n1,62;58,5\n1,75;71\n".encode("latin-1"))
    assert list(table.columns) == ["Größe", "Gewicht"]
    assert table["Größe"].tolist() == [1.62, 1.75] and table["Gewicht"].tolist() == [58.5, 71.0]


def test_a_latin_1_file_loads() -> None:
    table = load_table("place,visitors\nCamborne Café,12\nSão Paulo,30\n".encode("latin-1"))
    assert table["place"].tolist() == ["Camborne Café", "São Paulo"]


def test_a_utf_8_file_with_a_byte_order_mark_keeps_its_first_column_name() -> None:
    table = load_table("\ufeffmass,size\n1,2\n".encode())
    assert list(table.columns) == ["mass", "size"]


def test_a_pasted_table_loads() -> None:
    table = load_pasted("x,y\n1,2\n3,4\n")
    assert table.shape == (2, 2) and table["y"].sum() == 6


# ---------------------------------------------------------------- load_table: what is refused


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty"),
    (b"  \n\n", "The file is empty"),
    (PNG, "This is not a table"),
    (b"name,colour\nAda,red\nBob,blue\n", "no numeric column"),
    (b"a,b\n", "no rows of data"),
    (b"a,,c\n1,2,3\n", "needs a name"),
])
def test_refusals_say_why_in_one_line(data: bytes, message: str) -> None:
    with pytest.raises(OwnDataError, match=message) as refusal:
        load_table(data)
    assert "\n" not in str(refusal.value)


def test_a_60000_row_file_is_refused() -> None:
    data = ("a,b\n" + "1,2\n" * 60_000).encode()
    with pytest.raises(OwnDataError, match="more than 50,000 rows"):
        load_table(data)


def test_a_table_of_201_columns_is_refused() -> None:
    header = ",".join(f"c{number}" for number in range(201))
    with pytest.raises(OwnDataError, match="201 columns; the limit is 200"):
        load_table(f"{header}\n{','.join(['1'] * 201)}\n".encode())


def test_a_file_over_20_mb_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(OwnDataError, match="the limit is 20 MB"):
        load_table(b"a,b\n" + b"1,2\n" * (MAX_BYTES // 4 + 1))


def test_a_one_class_label_is_refused() -> None:
    table = load_table(b"label,score\nyes,0.1\nyes,0.9\nyes,0.5\n")
    with pytest.raises(OwnDataError, match="one class only"):
        check_labels(table, "label")


def test_a_label_column_of_400_values_is_refused() -> None:
    rows = "\n".join(f"id{number},{number / 400}" for number in range(400))
    table = load_table(f"label,score\n{rows}\n".encode())
    with pytest.raises(OwnDataError, match="400 different values"):
        check_labels(table, "label")
    with pytest.raises(OwnDataError, match="400 different values"):
        demos.own_scored_sample(table, "label", "score")


def test_scores_outside_0_to_1_are_refused_for_roc() -> None:
    table = visitor_table().assign(probability=lambda frame: frame["probability"] * 10)
    with pytest.raises(OwnDataError, match="probabilities between 0 and 1"):
        demos.own_scored_sample(table, "label", "probability")


# ---------------------------------------------------------------- formulas stay text, and are defused on write


def test_formula_cells_are_read_as_text_and_defused_on_write() -> None:
    data = b'name,amount\n=cmd|\' /C calc\'!A0,1\n+SUM(1),2\n-2+3,3\n@SUM(1),4\n"\tTAB",5\nplain,6\n'
    table = load_table(data)
    assert table["name"].iloc[0] == "=cmd|' /C calc'!A0"  # kept as text, nothing evaluated
    written = pd.read_csv(io.StringIO(to_safe_csv(table)))
    assert written["name"].tolist() == ["'=cmd|' /C calc'!A0", "'+SUM(1)", "'-2+3", "'@SUM(1)", "'\tTAB", "plain"]
    assert written["amount"].tolist() == [1, 2, 3, 4, 5, 6]  # numbers, negative ones too, are not touched


def test_defusing_leaves_the_visitors_frame_alone_and_covers_column_names() -> None:
    table = pd.DataFrame({"=HYPERLINK(1)": ["=1+1"], "n": [-1]})
    safe = defuse_formulas(table)
    assert list(safe.columns) == ["'=HYPERLINK(1)", "n"] and safe.iloc[0, 0] == "'=1+1"
    assert table.iloc[0, 0] == "=1+1" and safe["n"].iloc[0] == -1


# ---------------------------------------------------------------- the demos on a table


def test_overfitting_on_a_table_rescales_x_and_samples_big_tables() -> None:
    table = visitor_table(rows=8000)
    curve = demos.own_curve_sample(table, "x", "y", seed=0)
    assert len(curve.sample.x) == demos.OWN_FIT_ROWS and curve.rows_complete == 8000
    assert curve.sample.x.min() == 0.0 and curve.sample.x.max() == 1.0
    cv = demos.cross_validated_errors(curve.sample, 15, 5, seed=0)
    assert demos.best_degree(cv, "cv_mse") >= 3  # a sine over 10 units is no straight line
    points = demos.own_sample_points(curve, 0.7, seed=0)
    assert points["x"].min() == pytest.approx(curve.x_low) and points["x"].max() == pytest.approx(curve.x_high)


def test_roc_on_a_table_matches_scikit_learn() -> None:
    table = visitor_table()
    sample, negative, positive = demos.own_scored_sample(table, "label", "probability")
    assert (negative, positive) == ("no", "yes")
    assert demos.roc_auc(sample) == pytest.approx(roc_auc_score(table["label"] == "yes", table["probability"]))
    metrics = demos.threshold_metrics(sample, 0.5)
    assert metrics.true_positives + metrics.false_negatives == int((table["label"] == "yes").sum())


def test_the_baseline_detects_the_task() -> None:
    table = visitor_table()
    assert task_of(table["label"]) == "classification" and task_of(table["y"]) == "regression"
    assert task_of(pd.Series([0, 1, 2] * 50)) == "classification"
    data = demos.own_baseline_data(table, "y", seed=0)
    assert data.task == "regression" and "y" not in data.feature_names
    results = demos.compare_own_baselines(data, folds=3, seed=0)
    assert results["model"].iloc[0] == "dummy (mean)" and abs(results["score"].iloc[0]) < 0.05  # R² of the mean
    assert results["score"].max() > 0.3
    value = demos.own_value_against_cost(results, 1000, 3000)
    assert value["points_over_baseline"].iloc[0] == 0.0


def test_bias_reports_every_group_on_held_out_rows() -> None:
    table = visitor_table(rows=1000)
    rates = demos.own_group_error_rates(table, "group", "label", seed=0)
    assert rates["group"].tolist() == ["a", "b"]
    assert rates["test_rows"].sum() == 300 and rates["training_rows"].sum() == 700
    assert (rates["error_rate"] < 0.3).all()


def test_suggested_columns_pick_columns_that_fit_each_role() -> None:
    suggested = suggested_columns(visitor_table())
    assert suggested["roc.label"] == "label" and suggested["roc.score"] == "probability"
    assert suggested["bias.group"] == "group" and suggested["bias.target"] == "label"


# ---------------------------------------------------------------- take-home notebooks


def notebook_text(notebook) -> str:
    return "\n".join(cell.source for cell in notebook.cells)


def test_a_small_table_goes_inside_the_notebook_defused() -> None:
    table = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 5.0], "note": ["=cmd|calc", "ok", "ok"]})
    own = {"csv": to_safe_csv(table), "name": "mine.csv", "columns": {"x": "x", "y": "y"}}
    text = notebook_text(build_notebook("overfitting", {"methodology.own_table": own}))
    assert "MY_DATA_CSV = " in text and "'=cmd|calc" in text and "my_data.csv" not in text
    assert "X_COLUMN = 'x'" in text


def test_a_table_over_1_mb_is_read_from_my_data_csv() -> None:
    own = {"csv": "a,b\n" + "1.2345678,2.3456789\n" * 60_000, "name": "big.csv", "columns": {"label": "a", "score": "b"}}
    notebook = build_notebook("roc", {"methodology.own_table": own})
    text = notebook_text(notebook)
    assert 'pd.read_csv("my_data.csv")' in text and "MY_DATA_CSV" not in text
    assert any(cell.cell_type == "markdown" and "my_data.csv" in cell.source for cell in notebook.cells)


def test_notebooks_without_a_table_are_unchanged() -> None:
    assert notebook_text(build_notebook("bias", {})) == notebook_text(build_notebook("bias"))
    assert "MY_DATA_CSV" not in notebook_text(build_notebook("baseline", {"methodology.baseline.folds": 4}))


def test_column_names_reach_the_notebook_only_through_repr() -> None:
    own = {"csv": None, "name": "x", "columns": {"group": 'g"); import os; ("', "target": "t"}}
    text = notebook_text(build_notebook("bias", {"methodology.own_table": own}))
    assert "GROUP_COLUMN = 'g\"); import os; (\"'" in text
    json.loads(json.dumps(own))  # plain values only


def test_a_malformed_own_table_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="column must be a column name"):
        build_notebook("roc", {"methodology.own_table": {"csv": None, "columns": {"label": 3}}})


# ---------------------------------------------------------------- the garden on a child's table


def test_a_child_table_needs_two_number_columns() -> None:
    with pytest.raises(GardenTableError, match="at least two columns of numbers, like width and length"):
        check_own_table(pd.DataFrame({"thing": ["leaf"], "width": [3.0]}))


def test_a_child_table_finds_its_groups_and_classifies_a_new_item() -> None:
    table = pd.DataFrame({"width": [1.0, 1.2, 0.9, 10.0, 10.5, 9.8, None], "length": [2.0, 2.1, 1.9, 20, 21, 19, 5]})
    complete, columns = check_own_table(table)
    assert len(complete) == 6 and columns == ["width", "length"]  # the half-typed row waits
    model = find_own_groups(complete, columns, 2)
    assert len(set(model.labels_[:3])) == 1 and model.labels_[0] != model.labels_[3]
    assert guess_own_item(model, [10.2, 20.5]) == model.labels_[3]
    low, high, middle = slider_range(complete["width"])
    assert low < 0.9 and high > 10.5 and low < middle < high
    with pytest.raises(GardenTableError, match="only 6 things"):
        find_own_groups(complete, columns, 7)


def test_the_garden_notebook_carries_the_childs_table_and_runs(tmp_path) -> None:
    from lib.notebooks.execute import execute_notebook, text_outputs

    table = pd.DataFrame({"width": [1.0, 1.2, 0.9, 10.0, 10.5, 9.8], "length": [2.0, 2.1, 1.9, 20, 21, 19]})
    own = {"csv": to_safe_csv(table), "columns": ["width", "length"], "across": "width", "up": "length",
           "new_item": [10.2, 20.5]}
    notebook = build_notebook("garden", {"kids.own_garden_table": own, "kids.garden_k": 2})
    assert "MY_TABLE_CSV = 'width,length\\n1.0,2.0" in notebook_text(notebook)
    model = find_own_groups(table, ["width", "length"], 2)
    expected = guess_own_item(model, [10.2, 20.5]) + 1
    outputs = text_outputs(execute_notebook(notebook, tmp_path))
    assert f"Rolo says: your new thing [10.2, 20.5] is in group {expected}!" in outputs


def test_the_own_table_overfitting_notebook_finds_the_pages_best_degree(tmp_path) -> None:
    from lib.notebooks.execute import execute_notebook, text_outputs

    table = visitor_table()
    own = {"csv": to_safe_csv(table), "name": "mine.csv", "columns": {"x": "x", "y": "y"}}
    curve = demos.own_curve_sample(table, "x", "y", seed=0)
    page_best = demos.best_degree(demos.cross_validated_errors(curve.sample, 15, 5, seed=0), "cv_mse")
    outputs = text_outputs(execute_notebook(build_notebook("overfitting", {"methodology.own_table": own}), tmp_path))
    assert f"Best degree by 5-fold cross-validation: {page_best}" in outputs


def test_the_other_own_table_notebooks_run_the_pages_code_and_print_its_numbers(tmp_path) -> None:
    """ROC, baseline and bias on the visitor's table: each notebook defines only lib code, runs, and prints what
    the page shows for the same table and settings."""
    from benchmarks.notebook_source import DEFINITION, cell_python, is_from_lib
    from lib.notebooks.execute import execute_notebook, text_outputs

    table = visitor_table()
    csv = to_safe_csv(table)
    columns = {"roc": {"label": "label", "score": "probability"}, "baseline": {"target": "label"},
               "bias": {"group": "group", "target": "label"}}
    outputs = {}
    for demo, roles in columns.items():
        notebook = build_notebook(demo, {"methodology.own_table": {"csv": csv, "name": "mine.csv", "columns": roles}})
        defined = [node for cell in notebook.cells[2:] if cell.cell_type == "code"
                   for node in cell_python(cell.source).body if isinstance(node, DEFINITION)]
        assert defined and all(is_from_lib(node) for node in defined), demo
        outputs[demo] = text_outputs(execute_notebook(notebook, tmp_path / demo))
    sample, _, _ = demos.own_scored_sample(table, "label", "probability")
    assert f"AUC {demos.roc_auc(sample):.3f}; at threshold 0.5: accuracy " in outputs["roc"]
    assert "'label' is a classification target, so the models are scored by accuracy (300 rows)" in outputs["baseline"]
    assert "dummy (most frequent)" in outputs["baseline"]
    rates = demos.own_group_error_rates(table, "group", "label", seed=0).round(3)
    for row in rates.itertuples():
        assert f"{row.error_rate}" in outputs["bias"]


def test_a_regression_baseline_prices_its_upkeep_like_the_classifiers() -> None:
    results = pd.DataFrame({"model": ["dummy (mean)", "linear regression", "decision tree", "small neural network"],
                            "score": [0.0, 0.5, 0.6, 0.7], "fit_seconds": [0.0, 0.1, 0.1, 1.0]})
    value = demos.own_value_against_cost(results, 100.0, 1000.0).set_index("model")
    assert value["cost"].tolist() == [0.0, 1000.0, 1000.0, 4000.0]
    assert value.loc["small neural network", "net_value"] == pytest.approx(100.0 * 70.0 - 4000.0)
