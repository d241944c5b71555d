"""🧭 Methodology: a checklist for a team's own machine-learning problem, and the ideas behind it to play with."""
from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.methodology_checklist import checklist_notebook_settings, checklist_ui
from app_pages.methodology_own_data import fit_metrics_ui, own_data_chosen_ui, own_notebook_settings
from lib.core.palette import CATEGORY_COLOURS as PALETTE
from lib.core.settings import by_key
from lib.methodology import demos, words
from lib.methodology.settings import (
    SETTINGS,
    VIEW,
)
from ui.methodology_results import (
    baseline_results,
    bias_curve,
    bias_rates,
    classic_targets,
    fitting_errors,
    fitting_for_degree,
    logistic_fit,
    loss_lines,
    loss_shapes,
    roc_results,
    scored_sample,
    simulated_p_values,
    target_layers,
)
from ui.page import Story, chart_ui, demo_tabs, kept_chart_ui, page_ui
from ui.widgets import selectbox, slider

SETTING = by_key(SETTINGS)
SIDE_LEGEND = alt.Legend(orient="right", labelLimit=170)  # below a chart it would squeeze the plot
BASELINE_RUNS_KEY = "methodology.baseline.runs"
TALK = "From the talk “Practical Steps for Building Intelligent Systems” (Data Science Cornwall, 2019)"
INTRO = words.QUESTIONS


# ------------------------------------------------------------------ shared helpers (cached lib calls: ui.methodology_results)


def colour(field: str, domain: list[str], title: str | None = None) -> alt.Color:
    return alt.Color(f"{field}:N", scale=alt.Scale(domain=domain, range=list(PALETTE[: len(domain)])), title=title,
                     legend=SIDE_LEGEND)


def why_ui(text: str) -> None:
    st.info(text, icon="💡")


def intro_ui(why: str, demo: str | None = None) -> bool:
    """The demo's "why", then (for a demo that takes a visitor's table) its data choice: True when that drew it."""
    why_ui(why)
    return demo is not None and own_data_chosen_ui(demo)


def sliders_ui(*sliders: tuple[str, str, float | None]) -> list:
    """A row of sliders, one per column: (setting key after "methodology.", label, step)."""
    columns = st.columns(len(sliders))
    return [slider(SETTING[f"methodology.{key}"], label, step=step, container=column)
            for column, (key, label, step) in zip(columns, sliders, strict=True)]


# ------------------------------------------------------------------ 1. over- and under-fitting


def overfitting_ui() -> None:
    if intro_ui(words.OVERFITTING_WHY, "overfitting"):
        return
    left, right = st.columns(2)
    with left:
        degree = slider(SETTING["methodology.fit.degree"], "Polynomial degree")
        train_share = slider(SETTING["methodology.fit.train_share"], "Share of points used for training", step=0.05)
        folds = slider(SETTING["methodology.fit.folds"], "Cross-validation folds (k)")
    with right:
        points = slider(SETTING["methodology.fit.points"], "Number of points")
        noise = slider(SETTING["methodology.fit.noise"], "Noise", step=0.05)
        seed = slider(SETTING["methodology.fit.seed"], "Random sample (seed)")
    sample, errors, cv_errors = fitting_errors(points=points, noise=noise, train_share=train_share, folds=folds, seed=seed)
    curve, spread = fitting_for_degree(points=points, noise=noise, degree=degree, train_share=train_share, seed=seed)
    chosen = fit_metrics_ui(errors, cv_errors, degree, folds, ".4f")
    fit_charts_ui(sample, curve, errors, cv_errors, chosen, degree, folds)
    split_spread_ui(spread, degree, train_share)


FIT_CURVE, FIT_POINTS, ERRORS, CHOSEN_DEGREE, SPLITS = "fit_curve", "fit_points", "errors", "chosen_degree", "splits"


def polynomial_fit_chart() -> alt.LayerChart:
    """The fitted and true curves (rows named FIT_CURVE) over the sample (FIT_POINTS); the title names the degree."""
    return alt.layer(
        alt.Chart(alt.NamedData(FIT_CURVE)).mark_line().encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q", scale=alt.Scale(domain=[-3, 3])),
            color=colour("curve", ["fitted polynomial", "truth"], "curve"),
            strokeDash=alt.StrokeDash("curve:N", legend=SIDE_LEGEND)),
        alt.Chart(alt.NamedData(FIT_POINTS)).mark_point(filled=True, size=60).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q"), shape=alt.Shape("role:N", title="point", legend=SIDE_LEGEND)),
    ).properties(title="Degree 1 fitted to the training points", height=320)


def error_curves_chart(kinds: tuple[str, ...]) -> alt.LayerChart:
    """Error by degree for each of `kinds` (rows named ERRORS) and the chosen degree's rule (CHOSEN_DEGREE)."""
    return alt.layer(
        alt.Chart(alt.NamedData(ERRORS)).mark_line(point=True).encode(
            x=alt.X("degree:Q", title="polynomial degree"),
            y=alt.Y("MSE:Q", scale=alt.Scale(type="log"), title="mean squared error (log scale)"),
            color=colour("kind", list(kinds), "error on"),
            tooltip=[alt.Tooltip("kind:N"), alt.Tooltip("degree:Q"), alt.Tooltip("MSE:Q", format=".4f")]),
        alt.Chart(alt.NamedData(CHOSEN_DEGREE)).mark_rule(strokeDash=[4, 4]).encode(x=alt.X("degree:Q")),
    ).properties(title="Error against model complexity", height=320)


def fit_charts_ui(sample: pd.DataFrame, curve: pd.DataFrame, errors: pd.DataFrame, cv_errors: pd.DataFrame,
                  chosen: pd.Series, degree: int, folds: int) -> None:
    """The chosen degree's fit beside the error curves of every degree (kept specs: a move sends only rows)."""
    long_errors = demos.errors_by_kind(errors, cv_errors, folds)
    left, right = st.columns(2)
    kept_chart_ui(polynomial_fit_chart, (), f"Degree {degree} misses the training points by {chosen.train_mse:.4f} "
                  f"(MSE) and points it has not seen by {chosen.validation_mse:.4f}.", sample, container=left,
                  title=f"Degree {degree} fitted to the training points",
                  datasets={FIT_CURVE: curve, FIT_POINTS: sample})
    kept_chart_ui(error_curves_chart, (tuple(long_errors["kind"].unique()),), "Training error only falls as the "
                  f"degree grows; validation error is lowest at degree {demos.best_degree(errors, 'validation_mse')} "
                  "and rises after it.", errors.merge(cv_errors, on="degree"), container=right,
                  datasets={ERRORS: long_errors, CHOSEN_DEGREE: pd.DataFrame({"degree": [degree]})})


def split_spread_chart() -> alt.Chart:
    """One tick per random split (rows named SPLITS) at its validation error."""
    return alt.Chart(alt.NamedData(SPLITS)).mark_tick(thickness=2, size=30).encode(
        x=alt.X("validation_mse:Q", scale=alt.Scale(type="log"), title="validation MSE (log scale)"),
        tooltip=[alt.Tooltip("split:Q"), alt.Tooltip("validation_mse:Q", format=".4f")],
    ).properties(height=80)


def split_spread_ui(spread: pd.DataFrame, degree: int, train_share: float) -> None:
    """How much one degree's validation score moves over many random splits."""
    st.markdown(f"**How much does the score depend on the split?** Degree {degree}, {train_share:.0%} for "
                f"training, {len(spread)} different random splits of the same points:")
    kept_chart_ui(split_spread_chart, (), f"The same model scores from {spread.validation_mse.min():.4f} to "
                  f"{spread.validation_mse.max():.4f} depending only on the split.", spread, datasets={SPLITS: spread})
    st.caption(f"From {spread.validation_mse.min():.4f} to {spread.validation_mse.max():.4f} "
               f"(median {spread.validation_mse.median():.4f}). The meetup's discussion of the best split "
               "was inconclusive, and this is why: the answer moves with the data, the model and luck. "
               + words.OVERFITTING_SPLITS)


# ------------------------------------------------------------------ 2. precision and accuracy


TARGET_ROWS = "target_rows"  # a target chart's rings, shots, centre and labels (demos.target_frame), read by name


def target_chart(low: float, high: float, title: str) -> alt.LayerChart:
    size = 320  # a fixed square keeps targets round; presenter mode scales it, keeping the shape
    # "pad": the plot is exactly size x size and the title sits outside it (Streamlit's default "fit" squashes it)
    return alt.layer(target_layers(low=low, high=high), data=alt.NamedData(TARGET_ROWS)).properties(
        title=title, width=size, height=size, autosize=alt.AutoSizeParams(type="pad"))


def accuracy_ui() -> None:
    intro_ui(words.ACCURACY_WHY)
    left, right = st.columns([1, 2])
    with left:
        bias = slider(SETTING["methodology.shots.bias"], "Bias (how far the aim is off-centre)", step=0.1)
        spread = slider(SETTING["methodology.shots.spread"], "Spread (how much shots scatter)", step=0.05)
        count = slider(SETTING["methodology.shots.count"], "Shots")
        seed = slider(SETTING["methodology.shots.seed"], "Random shots (seed)")
    shots = demos.shoot_at_target(bias, spread, count, seed)
    summary = demos.summarise_shots(shots)
    with left:
        st.metric("Offset of the centre (accuracy)", f"{summary.offset:.2f}")
        st.metric("Spread around their centre (precision)", f"{summary.spread:.2f}")
        st.markdown(f"These shots are **{summary.verdict}**.")
    kept_chart_ui(target_chart, (-3.5, 3.5, "Your shots (✚ marks their centre)"), f"These shots are "
                  f"{summary.verdict}: their centre is {summary.offset:.2f} off the middle and they spread "
                  f"{summary.spread:.2f} around it.", shots, container=right, width="content",
                  datasets={TARGET_ROWS: demos.target_frame(shots)})
    extent = demos.PANEL_SPACING + 3.5
    cases = classic_targets(seed=seed)
    kept_chart_ui(target_chart, (-3.5, extent, "The four classic cases"), "Accurate and precise, accurate but not "
                  "precise, precise but not accurate, and neither.", cases.loc[cases["kind"] == "shot"],
                  width="content", datasets={TARGET_ROWS: cases})


# ------------------------------------------------------------------ 3. thresholds and ROC


HISTOGRAM, THRESHOLD, CURVE, OPERATING_POINT = "roc_histogram", "roc_threshold", "roc_curve", "roc_operating_point"


def scores_chart() -> alt.LayerChart:
    """The score histogram by class (rows named HISTOGRAM) and the threshold's rule (THRESHOLD)."""
    return alt.layer(
        alt.Chart(alt.NamedData(HISTOGRAM)).mark_bar(opacity=0.6, binSpacing=0).encode(
            x=alt.X("bin_start:Q", title="model score", bin="binned"), x2=alt.X2("bin_end:Q"),
            y=alt.Y("count:Q", stack=None, title="examples"), color=colour("class", ["negative", "positive"])),
        alt.Chart(alt.NamedData(THRESHOLD)).mark_rule(strokeWidth=3).encode(x=alt.X("threshold:Q")),
    ).properties(title="Scores by class (right of the line: positive)", height=300)


def roc_chart() -> alt.LayerChart:
    """The ROC curve (rows named CURVE), the diagonal of guessing, and this threshold's point (OPERATING_POINT)."""
    return alt.layer(
        alt.Chart(alt.NamedData(CURVE)).mark_line(color=PALETTE[0]).encode(
            x=alt.X("false_positive_rate:Q", title="false positive rate"),
            y=alt.Y("true_positive_rate:Q", title="true positive rate (recall)")),
        alt.Chart(pd.DataFrame({"a": [0, 1], "b": [0, 1]})).mark_line(strokeDash=[4, 4], color="#999999").encode(
            x=alt.X("a:Q"), y=alt.Y("b:Q")),
        alt.Chart(alt.NamedData(OPERATING_POINT)).mark_point(size=200, filled=True, color=PALETTE[5]).encode(
            x=alt.X("fpr:Q"), y=alt.Y("tpr:Q")),
    ).properties(title="ROC curve", height=300)


def roc_ui() -> None:
    if intro_ui(words.ROC_WHY, "roc"):
        return
    threshold, positive_share, separation, seed = sliders_ui(
        ("roc.threshold", "Threshold", 0.01), ("roc.positive_share", "Share of positives (class balance)", 0.01),
        ("roc.separation", "Separation of the classes", 0.1), ("roc.seed", "Random sample (seed)", None))
    sample = scored_sample(positive_share=positive_share, separation=separation, seed=seed)
    curve, auc, histogram = roc_results(positive_share=positive_share, separation=separation, seed=seed)
    metrics = demos.threshold_metrics(sample, threshold)
    columns = st.columns(6)
    columns[0].metric("Accuracy", f"{metrics.accuracy:.3f}")
    predicted_positive = metrics.true_positives + metrics.false_positives
    columns[1].metric("Precision", f"{metrics.precision:.3f}" if predicted_positive else "undefined")
    columns[2].metric("Recall", f"{metrics.recall:.3f}")
    columns[3].metric("F1", f"{metrics.f1:.3f}")
    columns[4].metric("False positive rate", f"{metrics.false_positive_rate:.3f}")
    columns[5].metric("AUC", f"{auc:.3f}")

    left, right = st.columns(2)
    kept_chart_ui(scores_chart, (), f"At threshold {threshold:.2f} the model finds {metrics.recall:.1%} of the "
                  f"positives, with {metrics.false_positive_rate:.1%} of the negatives as false alarms.", histogram,
                  container=left, datasets={HISTOGRAM: histogram, THRESHOLD: pd.DataFrame({"threshold": [threshold]})})
    kept_chart_ui(roc_chart, (), f"The area under the ROC curve is {auc:.3f} (0.5 is guessing, 1 is perfect).", curve,
                  container=right, title=f"ROC curve, AUC {auc:.3f} (dot: this threshold)", datasets={
                      CURVE: curve, OPERATING_POINT: pd.DataFrame({"fpr": [metrics.false_positive_rate],
                                                                   "tpr": [metrics.recall]})})

    left, right = st.columns(2)
    with left:
        st.markdown("**Confusion matrix**")
        st.table(pd.DataFrame(
            {"predicted negative": [metrics.true_negatives, metrics.false_negatives],
             "predicted positive": [metrics.false_positives, metrics.true_positives]},
            index=["actually negative", "actually positive"]))
    with right:
        st.metric("Accuracy of always answering 'negative'", f"{metrics.majority_accuracy:.3f}")
        if metrics.majority_accuracy >= metrics.accuracy:
            st.warning("The accuracy paradox: a 'model' that never finds a single positive is at least as "
                       "accurate as this one. With imbalanced classes, look at precision, recall and the ROC curve.")
        else:
            st.caption("Lower the share of positives to see accuracy mislead: the lazy answer soon wins.")


# ------------------------------------------------------------------ 4. loss functions


def losses_ui() -> None:
    intro_ui(words.LOSSES_WHY)
    outlier_y, epsilon, mislabelled_x = sliders_ui(
        ("loss.outlier_y", "Move the outlier (its height)", 0.5), ("loss.huber_epsilon", "Huber threshold (epsilon)", 0.05),
        ("loss.mislabelled_x", "Where the mislabelled point sits (log-loss)", 0.5))
    sample, lines, metrics = loss_lines(outlier_y=outlier_y, huber_epsilon=epsilon)
    logistic = logistic_fit(mislabelled_x=mislabelled_x)
    points = pd.DataFrame({"x": sample.x, "y": sample.y, "point": ["data"] * (len(sample.x) - 1) + ["outlier"]})
    ends = pd.concat([lines.assign(x=0.0), lines.assign(x=10.0)])
    ends["y"] = ends["intercept"] + ends["slope"] * ends["x"]
    left, right = st.columns(2)
    slopes = lines.set_index("loss")["slope"]
    kept_chart_ui(fitted_lines_chart, (), f"The outlier pulls the squared-error (MSE) line to slope {slopes['MSE']:.2f}; "
                  f"MAE's stays at {slopes['MAE']:.2f} and Huber's at {slopes['Huber']:.2f}.", lines, container=left,
                  datasets={LINE_POINTS: points, LINE_ENDS: ends[["x", "y", "loss"]]})
    kept_chart_ui(loss_shape_chart, (epsilon,), "Squared error charges big errors far more than absolute error; "
                  f"Huber is squared for small errors and absolute past {epsilon:g}.", loss_shapes, container=right)
    st.markdown("**Loss against metric.** Each line was trained with one loss; here all three are judged by two "
                "metrics on the ordinary points (without the outlier):")
    st.dataframe(metrics.round(3).assign(slope=lines["slope"].round(3)), hide_index=True)

    st.markdown(f"**Log-loss**, the loss of classifiers that output a probability, {words.LOSSES_LOG_LOSS}")
    kept_chart_ui(log_loss_chart, (mislabelled_x,), f"Mean log-loss {logistic.log_loss:.3f}; the boundary "
                  f"(probability 0.5) is at x = {logistic.boundary:.2f}.", logistic_points)


LINE_POINTS, LINE_ENDS = "line_points", "line_ends"


def fitted_lines_chart() -> alt.LayerChart:
    """The points with their outlier (rows named LINE_POINTS) and each loss's line through its two ends (LINE_ENDS)."""
    return alt.layer(
        alt.Chart(alt.NamedData(LINE_POINTS)).mark_point(filled=True, size=70).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q"), shape=alt.Shape("point:N", legend=SIDE_LEGEND), color=alt.ColorValue("#444444")),
        alt.Chart(alt.NamedData(LINE_ENDS)).mark_line(strokeWidth=3).encode(
            x=alt.X("x:Q"), y=alt.Y("y:Q"), color=colour("loss", list(demos.LOSS_NAMES), "line fitted with")),
    ).properties(title="One outlier, three fitted lines", height=320)


def loss_shape_chart(huber_epsilon: float) -> alt.Chart:
    return alt.Chart(loss_shapes(huber_epsilon=huber_epsilon)).mark_line(strokeWidth=3).encode(
        x=alt.X("residual:Q", title="residual (prediction minus truth)"),
        y=alt.Y("loss:Q", title="loss"), color=colour("name", list(demos.LOSS_NAMES), "loss"),
    ).properties(title="What each loss charges for an error", height=320)


def log_loss_chart(mislabelled_x: float) -> alt.LayerChart:
    logistic = logistic_fit(mislabelled_x=mislabelled_x)
    return alt.layer(
        alt.Chart(logistic.curve).mark_line(strokeWidth=3, color=PALETTE[0]).encode(
            x=alt.X("x:Q"), y=alt.Y("probability:Q", title="predicted probability of class 1")),
        alt.Chart(logistic.points).mark_point(filled=True, size=70).encode(
            x=alt.X("x:Q"), y=alt.Y("label:Q"), color=colour("kind", ["clean", "mislabelled"], "point")),
        alt.Chart(pd.DataFrame({"x": [logistic.boundary]})).mark_rule(strokeDash=[4, 4]).encode(x=alt.X("x:Q")),
    ).properties(height=260)


def logistic_points(mislabelled_x: float) -> pd.DataFrame:
    return logistic_fit(mislabelled_x=mislabelled_x).points


# ------------------------------------------------------------------ 5. hypothesis testing


def hypothesis_ui() -> None:
    intro_ui(words.HYPOTHESIS_WHY)
    effect, n_per_group, alpha, seed = sliders_ui(
        ("test.effect", "True effect size (in standard deviations)", 0.05), ("test.n", "Sample size per group", None),
        ("test.alpha", "Significance level alpha", 0.01), ("test.seed", "Random experiments (seed)", None))
    results = replace(simulated_p_values(effect=effect, n_per_group=n_per_group, seed=seed), alpha=alpha)
    columns = st.columns(4)
    columns[0].metric("Type I error rate (false alarms)", f"{results.type_one_rate:.3f}", help="Should be close to alpha.")
    columns[1].metric("Power (real effects found)", f"{results.power:.3f}")
    columns[2].metric("Type II error rate (misses)", f"{results.type_two_rate:.3f}")
    columns[3].metric("Power from theory", f"{demos.analytic_power(effect, n_per_group, alpha):.3f}")
    st.caption(f"{demos.EXPERIMENTS:,} simulated experiments with no real difference and {demos.EXPERIMENTS:,} with the "
               "effect above, each judged by a two-sample t-test.")
    histogram = demos.p_value_histogram(results)
    power = demos.power_curve(effect, alpha, demos.POWER_SIZES)
    left, right = st.columns(2)
    kept_chart_ui(p_values_chart, (), f"{results.type_one_rate:.1%} of experiments with no real difference still come "
                  f"out significant (alpha is {alpha:g}); {results.power:.1%} of those with one do.", histogram,
                  container=left, datasets={P_VALUES: histogram, ALPHA: pd.DataFrame({"alpha": [alpha]})})
    kept_chart_ui(power_chart, (), f"With {n_per_group} per group the test finds a real effect {results.power:.0%} of "
                  "the time; more data raises that.", power, container=right, datasets={
                      POWER: power, SIMULATED_POWER: pd.DataFrame({"n": [n_per_group], "power": [results.power]})})
    st.markdown("**The criminal trial.** The null hypothesis is innocence; rejecting it is a conviction.")
    st.table(demos.trial_table(results))


P_VALUES, ALPHA, POWER, SIMULATED_POWER = "p_values", "alpha", "power", "simulated_power"


def p_values_chart() -> alt.LayerChart:
    """The p-value histogram by truth (rows named P_VALUES) and alpha's rule (ALPHA)."""
    return alt.layer(
        alt.Chart(alt.NamedData(P_VALUES)).mark_bar(opacity=0.6, binSpacing=0).encode(
            x=alt.X("bin_start:Q", bin="binned", title="p-value"), x2=alt.X2("bin_end:Q"),
            y=alt.Y("count:Q", stack=None, title="experiments"),
            color=colour("truth", ["no real difference", "real difference"], "truth")),
        alt.Chart(alt.NamedData(ALPHA)).mark_rule(strokeWidth=3).encode(x=alt.X("alpha:Q")),
    ).properties(title="p-values (left of the line: significant)", height=300)


def power_chart() -> alt.LayerChart:
    """Power by group size from theory (rows named POWER) and the simulated power at this size (SIMULATED_POWER)."""
    return alt.layer(
        alt.Chart(alt.NamedData(POWER)).mark_line(point=True, color=PALETTE[0]).encode(
            x=alt.X("n_per_group:Q", title="sample size per group"),
            y=alt.Y("power:Q", scale=alt.Scale(domain=[0, 1]))),
        alt.Chart(alt.NamedData(SIMULATED_POWER)).mark_point(size=200, filled=True, color=PALETTE[5]).encode(
            x=alt.X("n:Q"), y=alt.Y("power:Q")),
    ).properties(title="Power against sample size (dot: simulated)", height=300)


# ------------------------------------------------------------------ 6. baseline first


def baseline_ui() -> None:
    if intro_ui(words.BASELINE_WHY, "baseline"):
        return
    columns = st.columns(4)
    dataset = selectbox(SETTING["methodology.baseline.dataset"], "Data set (bundled with scikit-learn)", container=columns[0])
    folds = slider(SETTING["methodology.baseline.folds"], "Cross-validation folds", container=columns[1])
    value_per_point = slider(SETTING["methodology.baseline.value_per_point"], "Value of each accuracy point over the baseline (£/year)", step=250, container=columns[2])
    upkeep_cost = slider(SETTING["methodology.baseline.upkeep_cost"], "Upkeep cost per unit of skills and maintenance (£/year)", step=500, container=columns[3])
    runs: dict = st.session_state.setdefault(BASELINE_RUNS_KEY, {})
    if st.button("Run the comparison", key="methodology.baseline.run", type="primary"):
        with st.spinner("Cross-validating four models..."):
            runs[(dataset, folds)] = baseline_results(dataset=dataset, folds=folds)
    results = runs.get((dataset, folds))
    if results is None:
        st.caption(f"Press the button to cross-validate four models on '{dataset}' with {folds} folds "
                   "(a few seconds; the result is kept).")
        return
    table = demos.value_against_cost(results, value_per_point, upkeep_cost)
    st.dataframe(
        results.assign(accuracy=results.accuracy.round(3), accuracy_std=results.accuracy_std.round(3),
                       fit_seconds=results.fit_seconds.round(4))[["model", "accuracy", "accuracy_std", "fit_seconds"]],
        hide_index=True,
    )
    models = list(results["model"])
    model_colour = alt.Color("model:N", scale=alt.Scale(domain=models, range=list(PALETTE[: len(models)])), legend=None)
    points = alt.Chart(results).encode(
        x=alt.X("fit_seconds:Q", scale=alt.Scale(type="log"), title="mean fit time per fold (s, log scale)"),
        y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title="cross-validated accuracy"),
        color=model_colour, tooltip=[alt.Tooltip("model"), alt.Tooltip("accuracy:Q", format=".3f")])
    accuracy_chart = alt.layer(
        points.mark_point(filled=True, size=200),
        points.mark_text(align="left", dx=10, dy=-10).encode(text=alt.Text("model:N")),
    ).properties(title="Accuracy against compute", height=300)
    value_chart = alt.Chart(table).mark_bar().encode(
        x=alt.X("net_value:Q", title="benefit minus upkeep (£/year)"),
        y=alt.Y("model:N", sort=models, title=None, axis=alt.Axis(labelLimit=220)),
        color=model_colour, tooltip=[alt.Tooltip("model"), alt.Tooltip("net_value:Q", format=",.0f")],
    ).properties(title="Value against cost", height=300)
    left, right = st.columns(2)
    best = table.loc[table["net_value"].idxmax()]
    most_accurate = table.loc[table["accuracy"].idxmax()]
    chart_ui(accuracy_chart, f"The most accurate model is {most_accurate.model}; compute grows far faster than "
             "accuracy.", results, container=left)
    chart_ui(value_chart, f"At these prices {best.model} is worth most: £{best.net_value:,.0f} a year.", table,
             container=right)
    st.markdown(f"Best value at these prices: **{best.model}**; most accurate: **{most_accurate.model}**. "
                "Upkeep units: dummy 0, linear model 1, tree 1, neural network 4 (skills, tuning, explaining it).")
    st.caption("Fit times are measured on this machine, so they vary from run to run.")


# ------------------------------------------------------------------ 7. bias in data


BY_SHARE, SHARE = "bias_by_share", "bias_share"


def bias_curve_chart() -> alt.LayerChart:
    """Each group's error rate by group B's share (rows named BY_SHARE) and the chosen share's rule (SHARE)."""
    rates = alt.Chart(alt.NamedData(BY_SHARE)).mark_line(point=True, strokeWidth=3).encode(
        x=alt.X("minority_share:Q", title="group B's share of training rows"),
        y=alt.Y("error_rate:Q", title="error rate on each group's own test set"),
        color=colour("group", ["A", "B"]),
    )
    marker = alt.Chart(alt.NamedData(SHARE)).mark_rule(strokeDash=[4, 4]).encode(x=alt.X("share:Q"))
    return alt.layer(rates, marker).properties(height=320)


def bias_ui() -> None:
    if intro_ui(words.BIAS_WHY, "bias"):
        return
    share, train_rows, noise, seed = sliders_ui(
        ("bias.minority_share", "Group B's share of the training rows", 0.01), ("bias.train_rows", "Training rows", 100),
        ("bias.noise", "Label noise", 0.05), ("bias.seed", "Random sample (seed)", None))
    rates, by_share = (bias_rates(minority_share=share, train_rows=train_rows, noise=noise, seed=seed),
                        bias_curve(train_rows=train_rows, noise=noise, seed=seed))
    columns = st.columns(2)
    for column, row in zip(columns, rates.itertuples(), strict=True):
        column.metric(f"Error rate, group {row.group} ({row.training_rows:,} training rows)", f"{row.error_rate:.3f}")
    st.markdown("**One model, two groups:** error rates as group B becomes better represented "
                "(the dashed line is your setting)")
    kept_chart_ui(bias_curve_chart, (), "Group B's error falls as it makes up more of the training rows; group A's "
                  "barely moves.", by_share, datasets={BY_SHARE: by_share, SHARE: pd.DataFrame({"share": [share]})})
    st.dataframe(rates.round(3), hide_index=True)
    st.caption(words.BIAS_SET_UP)


# ------------------------------------------------------------------ the page

# Each view's story by its demo id (lib/registry.py); every notebook but the checklist's can take a visitor's table.
STORIES = {"checklist": Story(checklist_ui, checklist_notebook_settings),
           **{demo: Story(draw, own_notebook_settings) for demo, draw in (
               ("overfitting", overfitting_ui), ("accuracy", accuracy_ui), ("roc", roc_ui), ("losses", losses_ui),
               ("hypothesis", hypothesis_ui), ("baseline", baseline_ui), ("bias", bias_ui))}}


if __name__ == "__main__":
    page_ui("methodology", "🧭 Methodology", SETTINGS, demo_tabs("methodology", SETTINGS, STORIES), talk=TALK,
            intro=INTRO, views=VIEW)
