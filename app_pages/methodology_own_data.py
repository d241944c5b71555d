"""The Methodology page's four demos on the visitor's own table: over-fitting, ROC, baseline first and bias.

Part of app_pages/methodology.py: each of those demos starts with `own_data_chosen_ui(demo)` (an "Example
data / My own table" choice) and hands over to the drawing here when the visitor picks their own table.
The table and the results made from it live in the visitor's session (ui/own_data.py), never in a shared
cache; a share link cannot carry the table, so it opens the example data, and the page says so.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import altair as alt
import pandas as pd
import streamlit as st

from lib.core.palette import CATEGORY_COLOURS as PALETTE
from lib.core.settings import by_key
from lib.methodology import demos
from lib.methodology.own_data import OwnDataError, task_of
from lib.methodology.settings import SETTINGS
from ui.errors import visitor_message
from ui.own_data import OwnTable, column_choice_ui, current_table, own_table_ui, remembered, safe_download_ui
from ui.page import chart_ui
from ui.widgets import slider

SETTING = by_key(SETTINGS)
PREFIX = "methodology"
EXAMPLE, OWN = "Example data", "My own table"
OWN_DEMOS = ("overfitting", "roc", "baseline", "bias")
SHARE_NOTE = ("🔗 A share link cannot carry your table: the link below opens this demo on the example data "
              "(with these settings).")
COLUMNS_UNUSABLE = "These columns cannot run this demo: choose others."
HINTS = {"overfitting": "Pick an x and a y column of numbers.",
         "roc": "It needs a true-label column (two values) and a score column (a model's probabilities, 0 to 1).",
         "baseline": "It needs a target column and numeric columns to predict it from.",
         "bias": "It needs a group column, a target with two values and numeric columns to predict it from."}


def own_data_chosen_ui(demo: str) -> bool:
    """The "Example data / My own table" choice; with the own table chosen, draw the demo on it and say True."""
    choice = st.radio("Data", (EXAMPLE, OWN), key=f"{PREFIX}.{demo}.source", horizontal=True,
                      persist_state="session")
    if choice != OWN:
        return False
    table = own_table_ui(PREFIX, HINTS[demo])
    if table is None:
        st.info("Upload or paste a table to run this demo on it.")
    else:
        try:
            OWN_DRAW[demo](table)
        except OwnDataError as error:  # a column choice this demo cannot use: say why, keep everything
            st.error(visitor_message(error, COLUMNS_UNUSABLE))
        safe_download_ui(PREFIX, table)
    st.caption(SHARE_NOTE)
    return True


def sampled_note_ui(rows: int, used: int, what: str) -> None:
    if rows > used:
        st.caption(f"Your table has {rows:,} complete rows: {what} use a seeded random sample of {used:,} of them "
                   "(the seed setting picks it), so each move stays quick.")


def fit_metrics_ui(errors: pd.DataFrame, cv_errors: pd.DataFrame, degree: int, folds: int,
                   number_format: str) -> pd.Series:
    """The over-fitting demo's four numbers (on the example data too): the chosen degree's errors and the best degrees."""
    chosen = errors.loc[errors["degree"] == degree].iloc[0]
    columns = st.columns(4)
    columns[0].metric("Training MSE", format(chosen.train_mse, number_format))
    columns[1].metric("Validation MSE", format(chosen.validation_mse, number_format))
    columns[2].metric("Best degree (one split)", demos.best_degree(errors, "validation_mse"))
    columns[3].metric(f"Best degree ({folds}-fold CV)", demos.best_degree(cv_errors, "cv_mse"))
    return chosen


def _colour(field: str, domain: list[str]) -> alt.Color:
    return alt.Color(f"{field}:N", scale=alt.Scale(domain=domain, range=list(PALETTE[: len(domain)])), title=None)


# ------------------------------------------------------------------ 1. over- and under-fitting


def own_overfitting_ui(table: OwnTable) -> None:
    numeric, suggested = list(table.numeric), table.suggested
    left, right = st.columns(2)
    x_column = column_choice_ui(PREFIX, "fit.x", "x column (across)", numeric, default=suggested["fit.x"], container=left)
    y_column = column_choice_ui(PREFIX, "fit.y", "y column (to predict)", numeric, default=suggested["fit.y"], container=right)
    left, right = st.columns(2)
    degree = slider(SETTING["methodology.fit.degree"], "Polynomial degree", container=left)
    train_share = slider(SETTING["methodology.fit.train_share"], "Share of rows used for training", step=0.05,
                         container=left)
    folds = slider(SETTING["methodology.fit.folds"], "Cross-validation folds (k)", container=right)
    seed = slider(SETTING["methodology.fit.seed"], "Random split and sample (seed)", container=right)
    curve, errors, cv_errors = remembered(PREFIX, table, "fit", (x_column, y_column, train_share, folds, seed),
                                          lambda: _own_fit_errors(table, x_column, y_column, train_share, folds, seed))
    fitted = remembered(PREFIX, table, "fit.degree", (x_column, y_column, degree, train_share, seed),
                        lambda: demos.own_fitted_curve(curve, degree, train_share, seed))
    sampled_note_ui(curve.rows_complete, len(curve.sample.x), "the fits")
    chosen = fit_metrics_ui(errors, cv_errors, degree, folds, ".4g")
    points = demos.own_sample_points(curve, train_share, seed)
    fit_chart = alt.layer(
        alt.Chart(points).mark_point(filled=True, size=30, opacity=0.6).encode(
            x=alt.X("x:Q", title=x_column), y=alt.Y("y:Q", title=y_column), shape=alt.Shape("role:N", title="row")),
        alt.Chart(fitted).mark_line(strokeWidth=3, color=PALETTE[0]).encode(x="x:Q", y="y:Q"),
    ).properties(title=f"Degree {degree} fitted to the training rows", height=320)
    long_errors = demos.errors_by_kind(errors, cv_errors, folds)
    error_chart = alt.Chart(long_errors).mark_line(point=True).encode(
        x=alt.X("degree:Q", title="polynomial degree"),
        y=alt.Y("MSE:Q", scale=alt.Scale(type="log"), title="mean squared error (log scale)"),
        color=_colour("kind", list(long_errors["kind"].unique())),
    ).properties(title="Error against model complexity", height=320)
    left, right = st.columns(2)
    chart_ui(fit_chart, f"Degree {degree} misses the training rows by {chosen.train_mse:.4g} (MSE) and rows it has "
             f"not seen by {chosen.validation_mse:.4g}.", points.head(200), container=left)
    chart_ui(error_chart, f"Validation error is lowest at degree {demos.best_degree(errors, 'validation_mse')}; "
             f"{folds}-fold cross-validation picks degree {demos.best_degree(cv_errors, 'cv_mse')}.",
             errors.merge(cv_errors, on="degree"), container=right)


def _own_fit_errors(table: OwnTable, x_column: str, y_column: str, train_share: float, folds: int,
                    seed: int) -> tuple[demos.OwnCurve, pd.DataFrame, pd.DataFrame]:
    curve = demos.own_curve_sample(table.frame, x_column, y_column, seed)
    return (curve, demos.train_validation_errors(curve.sample, demos.MAX_DEGREE, train_share, seed),
            demos.cross_validated_errors(curve.sample, demos.MAX_DEGREE, folds, seed))


# ------------------------------------------------------------------ 3. thresholds and ROC


def own_roc_ui(table: OwnTable) -> None:
    columns = list(table.frame.columns)
    numeric, suggested = list(table.numeric), table.suggested
    left, middle, right = st.columns(3)
    label_column = column_choice_ui(PREFIX, "roc.label", "True-label column (two values)", columns, default=suggested["roc.label"], container=left)
    score_column = column_choice_ui(PREFIX, "roc.score", "Score column (probabilities, 0 to 1)", numeric, default=suggested["roc.score"],
                                 container=middle)
    threshold = slider(SETTING["methodology.roc.threshold"], "Threshold", step=0.01, container=right)
    sample, negative, positive, curve, auc, histogram = remembered(
        PREFIX, table, "roc", (label_column, score_column), lambda: _own_roc(table, label_column, score_column))
    metrics = demos.threshold_metrics(sample, threshold)
    st.caption(f"'{positive}' counts as positive and '{negative}' as negative; a score at or above the threshold "
               "means positive.")
    tiles = st.columns(5)
    tiles[0].metric("Accuracy", f"{metrics.accuracy:.3f}")
    tiles[1].metric("Precision", f"{metrics.precision:.3f}")
    tiles[2].metric("Recall", f"{metrics.recall:.3f}")
    tiles[3].metric("False positive rate", f"{metrics.false_positive_rate:.3f}")
    tiles[4].metric("AUC", f"{auc:.3f}")
    scores = alt.layer(
        alt.Chart(histogram).mark_bar(opacity=0.6, binSpacing=0).encode(
            x=alt.X("bin_start:Q", title="score", bin="binned"), x2="bin_end:Q",
            y=alt.Y("count:Q", stack=None, title="rows"), color=_colour("class", ["negative", "positive"])),
        alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(strokeWidth=3).encode(x="threshold:Q"),
    ).properties(title="Scores by true label (right of the line: positive)", height=300)
    roc = alt.layer(
        alt.Chart(curve).mark_line(color=PALETTE[0]).encode(
            x=alt.X("false_positive_rate:Q", title="false positive rate"),
            y=alt.Y("true_positive_rate:Q", title="true positive rate (recall)")),
        alt.Chart(pd.DataFrame({"fpr": [metrics.false_positive_rate], "tpr": [metrics.recall]})).mark_point(
            size=200, filled=True, color=PALETTE[5]).encode(x="fpr:Q", y="tpr:Q"),
    ).properties(title=f"ROC curve, AUC {auc:.3f} (dot: this threshold)", height=300)
    left, right = st.columns(2)
    chart_ui(scores, f"At threshold {threshold:.2f} the scores find {metrics.recall:.1%} of the positives, with "
             f"{metrics.false_positive_rate:.1%} of the negatives as false alarms.", histogram, container=left)
    chart_ui(roc, f"The area under your ROC curve is {auc:.3f} (0.5 is guessing, 1 is perfect).", curve,
             container=right)
    st.table(pd.DataFrame({"predicted negative": [metrics.true_negatives, metrics.false_negatives],
                           "predicted positive": [metrics.false_positives, metrics.true_positives]},
                          index=[f"actually {negative}", f"actually {positive}"]))


def _own_roc(table: OwnTable, label_column: str, score_column: str) -> tuple:
    sample, negative, positive = demos.own_scored_sample(table.frame, label_column, score_column)
    return sample, negative, positive, demos.roc_points(sample), demos.roc_auc(sample), demos.score_histogram(sample)


# ------------------------------------------------------------------ 6. baseline first


def own_baseline_ui(table: OwnTable) -> None:
    columns, suggested = list(table.frame.columns), table.suggested
    left, right = st.columns(2)
    target = column_choice_ui(PREFIX, "baseline.target", "Target column (what the models predict)", columns, default=suggested["baseline.target"],
                           container=left)
    folds = slider(SETTING["methodology.baseline.folds"], "Cross-validation folds", container=right)
    task = task_of(table.frame[target])
    metric = "accuracy" if task == "classification" else "R²"
    st.markdown(f"**'{target}'** looks like a **{task}** target "
                f"({'a few distinct values' if task == 'classification' else 'numbers with many values'}), "
                f"so the models are scored by {metric}.")
    left, right = st.columns(2)
    value_per_point = slider(SETTING["methodology.baseline.value_per_point"],
                             f"Value of each {metric} point over the baseline (£/year)", step=250, container=left)
    upkeep_cost = slider(SETTING["methodology.baseline.upkeep_cost"],
                         "Upkeep cost per unit of skills and maintenance (£/year)", step=500, container=right)
    runs: dict = st.session_state.setdefault(f"{PREFIX}.own.baseline_runs", {})
    run_key = (table.token, target, folds)
    if st.button("Run the comparison on my table", key=f"{PREFIX}.own.baseline.run", type="primary"):
        with st.spinner("Cross-validating four models on your table..."):
            data = demos.own_baseline_data(table.frame, target, seed=0)
            runs[run_key] = (data.rows_complete, demos.compare_own_baselines(data, folds, seed=0))
    if run_key not in runs:
        st.caption(f"Press the button to cross-validate four models with {folds} folds (a few seconds; the "
                   f"result is kept). Tables over {demos.OWN_BASELINE_ROWS:,} rows are sampled.")
        return
    rows, results = runs[run_key]
    sampled_note_ui(rows, min(rows, demos.OWN_BASELINE_ROWS), "the four models")
    table_of_value = demos.own_value_against_cost(results, value_per_point, upkeep_cost)
    st.dataframe(results.round(4).rename(columns={"score": metric, "score_std": f"{metric} spread"}), hide_index=True)
    models = list(results["model"])
    value_chart = alt.Chart(table_of_value).mark_bar().encode(
        x=alt.X("net_value:Q", title="benefit minus upkeep (£/year)"),
        y=alt.Y("model:N", sort=models, title=None, axis=alt.Axis(labelLimit=220)),
        color=_colour("model", models),
    ).properties(title="Value against cost", height=260)
    best = table_of_value.loc[table_of_value["net_value"].idxmax()]
    chart_ui(value_chart, f"At these prices {best.model} is worth most: £{best.net_value:,.0f} a year, against the "
             f"trivial baseline's {metric} of {results['score'].iloc[0]:.3f}.", table_of_value)


# ------------------------------------------------------------------ 7. bias in data


def own_bias_ui(table: OwnTable) -> None:
    columns, suggested = list(table.frame.columns), table.suggested
    left, middle, right = st.columns(3)
    group = column_choice_ui(PREFIX, "bias.group", "Group column", columns, default=suggested["bias.group"], container=left)
    target = column_choice_ui(PREFIX, "bias.target", "Target column (two values)", columns, default=suggested["bias.target"],
                           container=middle)
    seed = slider(SETTING["methodology.bias.seed"], "Random split and sample (seed)", container=right)
    rates = remembered(PREFIX, table, "bias", (group, target, seed),
                       lambda: demos.own_group_error_rates(table.frame, group, target, seed))
    complete = int(table.frame[[group, target]].notna().all(axis=1).sum())
    sampled_note_ui(complete, min(complete, demos.OWN_FIT_ROWS), "the model and its test")
    chart = alt.Chart(rates).mark_bar().encode(
        x=alt.X("error_rate:Q", title="error rate on the group's held-out rows"),
        y=alt.Y("group:N", title=group, sort=list(rates["group"])),
        tooltip=["group", "training_rows", "test_rows", alt.Tooltip("error_rate:Q", format=".3f")],
    ).properties(title="One model, each group's error rate", height=max(120, 28 * len(rates)))
    worst = rates.loc[rates["error_rate"].idxmax()] if rates["error_rate"].notna().any() else None
    takeaway = ("No group has held-out rows yet." if worst is None else
                f"Group '{worst.group}' fares worst: error rate {worst.error_rate:.3f} on {worst.test_rows} held-out rows.")
    chart_ui(chart, takeaway, rates)
    st.caption(f"One logistic regression on the other numeric columns (standardised), trained on "
               f"{1 - demos.OWN_TEST_SHARE:.0%} of the rows and tested on the rest, group by group. The group "
               "column itself is not a feature.")


OWN_DRAW: Mapping[str, Callable[[OwnTable], None]] = {
    "overfitting": own_overfitting_ui, "roc": own_roc_ui, "baseline": own_baseline_ui, "bias": own_bias_ui}
OWN_COLUMNS = {"overfitting": ("fit.x", "fit.y"), "roc": ("roc.label", "roc.score"), "baseline": ("baseline.target",),
               "bias": ("bias.group", "bias.target")}


def own_notebook_settings(demo: str) -> Mapping[str, object]:
    """The take-home notebook's extra settings for `demo`: the visitor's table and columns, when they use one."""
    table = current_table(PREFIX)
    if demo not in OWN_DEMOS or st.session_state.get(f"{PREFIX}.{demo}.source") != OWN or table is None:
        return {}
    roles = {role.split(".", 1)[1]: st.session_state.get(f"{PREFIX}.own.{role}") for role in OWN_COLUMNS[demo]}
    return {"methodology.own_table": {"csv": table.safe_csv, "name": table.name, "columns": roles}}
