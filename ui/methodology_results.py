"""The Methodology page's cached lib calls: decorated once here, not again on every rerun of the page script."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from lib.core.palette import CATEGORY_COLOURS as PALETTE
from lib.methodology import demos
from lib.methodology.demos import EXPERIMENTS


# Bounds: a room visits a few hundred settings of a demo; every entry here is a small frame (under 50 kB).
@st.cache_data(show_spinner=False, max_entries=128)  # every degree's errors per sample: degree moves reuse one
def fitting_errors(points: int, noise: float, train_share: float, folds: int, seed: int
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Points and errors for every degree: independent of the degree slider, the one moved most."""
    sample = demos.make_curve_sample(points, noise, seed)
    return (demos.sample_points(sample, train_share, seed),
            demos.train_validation_errors(sample, demos.MAX_DEGREE, train_share, seed),
            demos.cross_validated_errors(sample, demos.MAX_DEGREE, folds, seed))


@st.cache_data(show_spinner=False, max_entries=256)  # the slider moved most: 15 degrees of a dozen samples
def fitting_for_degree(points: int, noise: float, degree: int, train_share: float, seed: int
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    sample = demos.make_curve_sample(points, noise, seed)
    return (demos.fitted_curve(sample, degree, train_share, seed),
            demos.split_spread(sample, degree, train_share, demos.SPLIT_REPEATS, seed))


@st.cache_data(show_spinner=False, max_entries=100)  # one per seed (0 to 99)
def classic_targets(seed: int) -> pd.DataFrame:
    return demos.classic_cases(demos.CLASSIC_SHOTS, seed)


@st.cache_data(show_spinner=False, max_entries=64)  # 2,000 scores per class balance and separation
def scored_sample(positive_share: float, separation: float, seed: int) -> demos.ScoredSample:
    return demos.make_scored_sample(demos.ROC_SAMPLES, positive_share, separation, seed)


@st.cache_data(show_spinner=False, max_entries=64)  # as scored_sample, whose curve and histogram these are
def roc_results(positive_share: float, separation: float, seed: int) -> tuple[pd.DataFrame, float, pd.DataFrame]:
    sample = scored_sample(positive_share=positive_share, separation=separation, seed=seed)
    return demos.roc_points(sample), demos.roc_auc(sample), demos.score_histogram(sample)


@st.cache_data(show_spinner=False, max_entries=256)  # 81 outlier heights x a few thresholds, 21 points each
def loss_lines(outlier_y: float, huber_epsilon: float) -> tuple[demos.LineSample, pd.DataFrame, pd.DataFrame]:
    sample = demos.make_line_sample(outlier_y, demos.LINE_POINTS, seed=0)
    lines = demos.fit_lines(sample, huber_epsilon)
    return sample, lines, demos.line_metrics(sample, lines)


@st.cache_data(show_spinner=False, max_entries=64)  # one per Huber threshold (41 on the slider)
def loss_shapes(huber_epsilon: float) -> pd.DataFrame:
    """Apart from the lines: dragging the outlier does not redraw the losses' shapes."""
    return demos.loss_shapes(huber_epsilon)


@st.cache_data(show_spinner=False, max_entries=32)  # one per position (25 on the slider)
def logistic_fit(mislabelled_x: float) -> demos.LogisticFit:
    """Cached apart from the lines, so dragging the outlier does not refit the classifier."""
    return demos.fit_logistic_with_mislabelled(mislabelled_x, seed=0)


@st.cache_data(show_spinner=False, max_entries=128)  # 4,000 p-values (32 kB) per effect, size and seed
def simulated_p_values(effect: float, n_per_group: int, seed: int) -> demos.ExperimentResults:
    """The p-values do not depend on alpha, so moving the alpha slider re-uses them."""
    return demos.simulate_experiments(effect, n_per_group, 0.05, EXPERIMENTS, seed)


@st.cache_data(show_spinner=False, max_entries=32)  # a few data sets x 8 fold counts, a few rows each
def baseline_results(dataset: str, folds: int) -> pd.DataFrame:
    return demos.compare_baselines(dataset, folds, seed=0)


@st.cache_data(show_spinner=False, max_entries=256)  # two rows per share (49 on the slider) of a few samples
def bias_rates(minority_share: float, train_rows: int, noise: float, seed: int) -> pd.DataFrame:
    return demos.group_error_rates(minority_share, train_rows, noise, seed)


@st.cache_data(show_spinner=False, max_entries=64)  # 14 rows per sample (rows, noise, seed)
def bias_curve(train_rows: int, noise: float, seed: int) -> pd.DataFrame:
    """Error rates over a grid of shares: independent of the share slider, so moving it costs nothing."""
    return demos.error_rates_by_share(demos.BIAS_SHARES, train_rows, noise, seed)


@st.cache_resource(show_spinner=False, max_entries=4)  # two extents are drawn: your shots, the four cases
def target_layers(low: float, high: float) -> alt.LayerChart:
    """Rings, shots, their centre and labels from a `demos.target_frame`; the data comes from the caller.

    Built once per extent and shared (read-only: callers wrap it in a new chart), since building costs ~25 ms.
    Equal x and y extents in a square chart keep the rings round.
    """
    scale = alt.Scale(domain=[low, high], clamp=True)
    x, y = alt.X("x:Q", scale=scale, axis=None), alt.Y("y:Q", scale=scale, axis=None)
    rings = alt.Chart().mark_line(color="#999999").encode(
        x=x, y=y, detail=[alt.Detail("target:N"), alt.Detail("ring:N")], order=alt.Order("order:Q")
    ).transform_filter("datum.kind == 'ring'")
    hits = alt.Chart().mark_circle(size=50, color=PALETTE[0], opacity=0.8).encode(
        x=x, y=y).transform_filter("datum.kind == 'shot'")
    centre = alt.Chart().mark_point(shape="cross", size=300, color=PALETTE[5], strokeWidth=3).encode(
        x=x, y=y).transform_filter("datum.kind == 'centre'")
    labels = alt.Chart().mark_text(fontSize=14, baseline="bottom").encode(
        x=x, y=y, text=alt.Text("label:N")).transform_filter("datum.kind == 'label'")
    return alt.layer(rings, hits, centre, labels)
