"""The seven demonstrations' facts (lib/methodology/demos.py), with numbers checked against references."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from lib.methodology import demos

# ---------------------------------------------------------------- 1. over- and under-fitting


@pytest.mark.parametrize("seed", range(4))
def test_cross_validated_error_is_lowest_at_a_moderate_degree(seed: int) -> None:
    sample = demos.make_curve_sample(30, 0.2, seed)
    errors = demos.cross_validated_errors(sample, 15, 5, seed)
    best = demos.best_degree(errors, "cv_mse")
    assert 3 <= best <= 8
    # under-fitting at degree 1 and over-fitting at degree 15 are both clearly worse than the best
    best_error = errors.cv_mse.min()
    assert errors.cv_mse.iloc[0] > 3 * best_error
    assert errors.cv_mse.iloc[-1] > 10 * best_error


def test_training_error_falls_with_degree_while_validation_error_turns_up() -> None:
    sample = demos.make_curve_sample(30, 0.2, 0)
    errors = demos.train_validation_errors(sample, 15, 0.7, 0)
    assert errors.train_mse.iloc[-1] < errors.train_mse.iloc[4] / 2 < errors.train_mse.iloc[0]
    best = demos.best_degree(errors, "validation_mse")
    assert 2 <= best <= 8
    high_degrees = errors[errors.degree >= 9]
    assert errors.validation_mse.iloc[-1] > 100 * errors.validation_mse.min()  # degree 15 chases the noise
    assert (high_degrees.train_mse < high_degrees.validation_mse / 3).all()


def test_training_error_matches_an_independent_numpy_fit() -> None:
    sample = demos.make_curve_sample(40, 0.1, 3)
    train, validation = demos.split_indices(40, 0.75, 3)
    coefficients = np.polyfit(sample.x[train], sample.y[train], 3)
    expected_train = np.mean((np.polyval(coefficients, sample.x[train]) - sample.y[train]) ** 2)
    expected_validation = np.mean((np.polyval(coefficients, sample.x[validation]) - sample.y[validation]) ** 2)
    errors = demos.train_validation_errors(sample, 5, 0.75, 3).set_index("degree")
    assert errors.loc[3, "train_mse"] == pytest.approx(expected_train, rel=1e-6)
    assert errors.loc[3, "validation_mse"] == pytest.approx(expected_validation, rel=1e-6)
    assert len(train) == 30 and len(validation) == 10 and not set(train) & set(validation)


@pytest.mark.parametrize("degree", [1, 4, 9])
def test_polynomial_fit_agrees_with_scikit_learns_polynomial_regression(degree: int) -> None:
    sample = demos.make_curve_sample(40, 0.2, 5)
    model = make_pipeline(PolynomialFeatures(degree), LinearRegression()).fit(2 * sample.x[:, None] - 1, sample.y)
    grid = np.linspace(0.0, 1.0, 11)
    ours = demos.predict_polynomial(demos.fit_polynomial(sample.x, sample.y, degree), grid)
    assert ours == pytest.approx(model.predict(2 * grid[:, None] - 1), abs=1e-6)


@pytest.mark.parametrize(("points", "train_share", "seed"), [(15, 0.5, 0), (30, 0.7, 1), (100, 0.9, 2)])
def test_every_degrees_errors_from_one_factorisation_equal_one_fit_per_degree(points: int, train_share: float,
                                                                             seed: int) -> None:
    """One QR for all degrees (and one batched QR for all splits) against a least-squares fit each; with 7
    training points, degrees 7 to 15 have more coefficients than points and take the minimum-norm fit."""
    sample = demos.make_curve_sample(points, 0.2, seed)
    train, validation = demos.split_indices(points, train_share, seed)
    errors = demos.train_validation_errors(sample, 15, train_share, seed)
    for degree in range(1, 16):
        fit = demos.fit_polynomial(sample.x[train], sample.y[train], degree)
        predicted = demos.predict_polynomial(fit, sample.x)
        expected_validation = np.mean((predicted[validation] - sample.y[validation]) ** 2)
        expected_train = np.mean((predicted[train] - sample.y[train]) ** 2)
        assert errors.validation_mse.iloc[degree - 1] == pytest.approx(expected_validation, rel=1e-6)
        assert errors.train_mse.iloc[degree - 1] == pytest.approx(expected_train, rel=1e-6, abs=1e-12)
    from sklearn.model_selection import ShuffleSplit

    for degree in (2, 6, 15):
        spread = demos.split_spread(sample, degree, train_share, 12, seed)
        splits = ShuffleSplit(n_splits=12, train_size=train_share, random_state=seed).split(sample.x)
        for score, (split_train, split_validation) in zip(spread.validation_mse, splits, strict=True):
            fit = demos.fit_polynomial(sample.x[split_train], sample.y[split_train], degree)
            expected = np.mean((demos.predict_polynomial(fit, sample.x[split_validation])
                                - sample.y[split_validation]) ** 2)
            assert score == pytest.approx(expected, rel=1e-6)


def test_the_validation_score_moves_with_the_split() -> None:
    sample = demos.make_curve_sample(30, 0.2, 0)
    spread = demos.split_spread(sample, 4, 0.7, 40, 0)
    assert len(spread) == 40
    assert spread.validation_mse.max() > 2 * spread.validation_mse.min()


# ---------------------------------------------------------------- 2. precision and accuracy


def test_shot_summary_recovers_bias_and_spread() -> None:
    shots = demos.shoot_at_target(bias=1.5, spread=0.4, shots=20_000, seed=1)
    summary = demos.summarise_shots(shots)
    assert summary.offset == pytest.approx(1.5, abs=0.02)
    assert summary.spread == pytest.approx(0.4 * np.sqrt(2.0), rel=0.02)  # two dimensions
    assert summary.verdict == "inaccurate and precise"


def test_the_four_classic_cases_earn_their_names() -> None:
    verdicts = {name: demos.summarise_shots(demos.shoot_at_target(bias, spread, 200, 0)).verdict
                for name, bias, spread, _, _ in demos.CLASSIC_CASES}
    assert verdicts == {"accurate and precise": "accurate and precise", "accurate, imprecise": "accurate and imprecise",
                        "precise, inaccurate": "inaccurate and precise", "neither": "inaccurate and imprecise"}


def test_the_classic_grid_keeps_every_shot_inside_its_own_panel() -> None:
    grid = demos.classic_cases(200, 0)
    assert grid.x.min() >= -3.5 and grid.x.max() <= 10.5 and grid.y.min() >= -3.5 and grid.y.max() <= 10.5
    for name, _, _, row, column in demos.CLASSIC_CASES:
        shots = grid[(grid.target == name) & (grid.kind == "shot")]
        centre = np.array([column * demos.PANEL_SPACING, (1 - row) * demos.PANEL_SPACING])
        assert len(shots) == 200
        assert np.linalg.norm(shots[["x", "y"]].to_numpy() - centre, axis=1).max() <= demos.PANEL_RADIUS + 1e-9
    assert set(grid.loc[grid.kind == "label", "label"]) == {name for name, *_ in demos.CLASSIC_CASES}


# ---------------------------------------------------------------- 3. thresholds and ROC


@pytest.fixture(scope="module")
def scored() -> demos.ScoredSample:
    return demos.make_scored_sample(2000, 0.2, 1.5, 7)


def test_at_threshold_zero_everything_is_positive_so_recall_is_one(scored) -> None:
    metrics = demos.threshold_metrics(scored, 0.0)
    assert metrics.recall == 1.0 and metrics.false_positive_rate == 1.0
    assert metrics.precision == pytest.approx(0.2) and metrics.false_negatives == 0


def test_at_threshold_one_nothing_is_positive(scored) -> None:
    metrics = demos.threshold_metrics(scored, 1.0)
    assert metrics.recall == 0.0 and metrics.true_positives + metrics.false_positives == 0
    assert metrics.accuracy == pytest.approx(0.8) == pytest.approx(metrics.majority_accuracy)


@pytest.mark.parametrize("threshold", [0.2, 0.5, 0.73])
def test_threshold_metrics_agree_with_hand_counts(scored, threshold: float) -> None:
    predicted = scored.score >= threshold
    positive = scored.y_true == 1
    tp, fp = np.sum(predicted & positive), np.sum(predicted & ~positive)
    fn, tn = np.sum(~predicted & positive), np.sum(~predicted & ~positive)
    metrics = demos.threshold_metrics(scored, threshold)
    assert (metrics.true_positives, metrics.false_positives, metrics.false_negatives, metrics.true_negatives) == (tp, fp, fn, tn)
    assert metrics.accuracy == pytest.approx((tp + tn) / 2000)
    assert metrics.precision == pytest.approx(tp / (tp + fp))
    assert metrics.recall == pytest.approx(tp / (tp + fn))
    assert metrics.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))


def test_auc_is_the_chance_a_positive_outscores_a_negative(scored) -> None:
    positives, negatives = scored.score[scored.y_true == 1], scored.score[scored.y_true == 0]
    pairwise = np.mean(positives[:, None] > negatives[None, :])
    assert demos.roc_auc(scored) == pytest.approx(pairwise, abs=1e-9)
    curve = demos.roc_points(scored)
    assert np.trapezoid(curve.true_positive_rate, curve.false_positive_rate) == pytest.approx(pairwise, abs=1e-9)


def test_accuracy_paradox_with_rare_positives() -> None:
    sample = demos.make_scored_sample(2000, 0.02, 1.5, 0)
    metrics = demos.threshold_metrics(sample, 0.5)
    assert metrics.majority_accuracy == pytest.approx(0.98)
    assert metrics.accuracy < metrics.majority_accuracy
    assert metrics.recall > 0.5  # yet this model finds most positives, which the lazy answer never does


def test_separation_zero_gives_a_chance_level_auc() -> None:
    assert demos.roc_auc(demos.make_scored_sample(4000, 0.5, 0.0, 0)) == pytest.approx(0.5, abs=0.03)
    assert roc_auc_score([0, 1], [0.1, 0.9]) == 1.0


def test_score_histogram_counts_every_example(scored) -> None:
    histogram = demos.score_histogram(scored)
    assert histogram["count"].sum() == 2000
    assert histogram.loc[histogram["class"] == "positive", "count"].sum() == 400


# ---------------------------------------------------------------- 4. loss functions


def test_the_mse_line_is_least_squares() -> None:
    sample = demos.make_line_sample(20.0, 20, 0)
    lines = demos.fit_lines(sample, 1.35).set_index("loss")
    slope, intercept = np.polyfit(sample.x, sample.y, 1)
    assert lines.loc["MSE", "slope"] == pytest.approx(slope, rel=1e-6)
    assert lines.loc["MSE", "intercept"] == pytest.approx(intercept, rel=1e-6)


def test_a_far_outlier_drags_mse_but_hardly_moves_mae_and_huber() -> None:
    sample = demos.make_line_sample(30.0, 20, 0)
    lines = demos.fit_lines(sample, 1.35).set_index("loss")
    error = (lines["slope"] - demos.TRUE_SLOPE).abs()
    assert error["MSE"] > 0.3
    assert error["MAE"] < 0.1 and error["Huber"] < 0.1
    metrics = demos.line_metrics(sample, lines.reset_index()).set_index("trained with")
    # judged on the ordinary points, the robust lines win on both metrics, even MSE's own
    assert metrics.loc["MAE", "MSE on clean points"] < metrics.loc["MSE", "MSE on clean points"]


@pytest.mark.parametrize(("outlier_y", "seed"), [(-5.0, 0), (4.0, 1), (30.0, 2), (12.0, 3)])
def test_the_lines_and_metrics_equal_scikit_learns(outlier_y: float, seed: int) -> None:
    from sklearn.linear_model import LinearRegression, QuantileRegressor
    from sklearn.metrics import mean_absolute_error, mean_squared_error

    sample = demos.make_line_sample(outlier_y, 20, seed)
    lines = demos.fit_lines(sample, 1.35).set_index("loss")
    x = sample.x[:, None]
    least_squares = LinearRegression().fit(x, sample.y)
    assert lines.loc["MSE", "slope"] == pytest.approx(least_squares.coef_[0], rel=1e-9)
    assert lines.loc["MSE", "intercept"] == pytest.approx(least_squares.intercept_, rel=1e-9)
    absolute = QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs").fit(x, sample.y)
    assert lines.loc["MAE", "slope"] == pytest.approx(absolute.coef_[0], abs=1e-6)
    assert lines.loc["MAE", "intercept"] == pytest.approx(absolute.intercept_, abs=1e-6)
    metrics = demos.line_metrics(sample, lines.reset_index()).set_index("trained with")
    for name, line in lines.iterrows():
        predicted = line.intercept + line.slope * sample.x[:-1]
        assert metrics.loc[name, "MSE on clean points"] == pytest.approx(mean_squared_error(sample.y[:-1], predicted))
        assert metrics.loc[name, "MAE on clean points"] == pytest.approx(mean_absolute_error(sample.y[:-1], predicted))


def test_an_outlier_on_the_line_changes_nothing() -> None:
    on_the_line = demos.TRUE_INTERCEPT + demos.TRUE_SLOPE * demos.OUTLIER_X
    lines = demos.fit_lines(demos.make_line_sample(on_the_line, 20, 0), 1.35)
    assert lines["slope"].max() - lines["slope"].min() < 0.05


def test_huber_loss_is_squared_inside_and_linear_outside_delta() -> None:
    residual = np.array([-3.0, -1.0, 0.0, 0.5, 1.0, 2.0])
    assert demos.huber_loss(residual, 1.0) == pytest.approx([5.0, 1.0, 0.0, 0.25, 1.0, 3.0])
    shapes = demos.loss_shapes(1.0)
    assert set(shapes["name"]) == set(demos.LOSS_NAMES)


def test_log_loss_punishes_a_confident_mistake_more_the_further_it_lies() -> None:
    fits = {x: demos.fit_logistic_with_mislabelled(x, 0) for x in (-3.0, 2.0, 4.0, 8.0)}
    assert fits[-3.0].log_loss < 0.01  # a "negative" among the negatives is no mistake at all
    losses = [fits[x].log_loss for x in (2.0, 4.0, 8.0)]
    assert losses == sorted(losses) and losses[-1] > 2 * losses[0]
    # the model pays by growing less sure everywhere: a clear positive at x = 2 loses confidence
    sure_at_two = [float(np.interp(2.0, fits[x].curve.x, fits[x].curve.probability)) for x in (-3.0, 2.0, 4.0, 8.0)]
    assert sure_at_two == sorted(sure_at_two, reverse=True) and sure_at_two[-1] < 0.9


def test_log_loss_matches_its_formula() -> None:
    fit = demos.fit_logistic_with_mislabelled(6.0, 1)
    probability = np.interp(fit.points.x, fit.curve.x, fit.curve.probability)
    labels = fit.points.label.to_numpy()
    manual = -np.mean(labels * np.log(probability) + (1 - labels) * np.log(1 - probability))
    assert fit.log_loss == pytest.approx(manual, rel=0.05)  # the curve is sampled on a 0.1-step grid


# ---------------------------------------------------------------- 5. hypothesis testing


@pytest.mark.parametrize(("alpha", "seed"), [(0.05, 0), (0.05, 1), (0.01, 2), (0.1, 3)])
def test_type_one_error_rate_is_close_to_alpha_under_the_null(alpha: float, seed: int) -> None:
    results = demos.simulate_experiments(0.0, 20, alpha, 4000, seed)
    tolerance = 4 * np.sqrt(alpha * (1 - alpha) / 4000)  # four binomial standard errors
    assert results.type_one_rate == pytest.approx(alpha, abs=tolerance)
    assert results.power == pytest.approx(alpha, abs=tolerance)  # no effect: "power" is just false alarms


def test_power_grows_with_sample_size_and_matches_theory() -> None:
    powers = [demos.simulate_experiments(0.4, n, 0.05, 3000, 0).power for n in (10, 30, 80, 150)]
    assert powers == sorted(powers) and powers[0] < 0.3 < 0.9 < powers[-1]
    for n, simulated in zip((10, 30, 80, 150), powers, strict=True):
        assert simulated == pytest.approx(demos.analytic_power(0.4, n, 0.05), abs=0.04)


def test_analytic_power_matches_the_textbook_sixty_four_per_group() -> None:
    # Cohen: a medium effect (d = 0.5) needs 64 per group for 80% power at alpha 0.05, two-sided
    assert demos.analytic_power(0.5, 64, 0.05) == pytest.approx(0.80, abs=0.01)
    curve = demos.power_curve(0.5, 0.05, (10, 64, 200))
    assert curve.power.is_monotonic_increasing


def test_the_trial_table_reads_like_a_courtroom() -> None:
    results = demos.ExperimentResults(null_p_values=np.array([0.01, 0.5, 0.6, 0.7]),
                                      effect_p_values=np.array([0.01, 0.02, 0.03, 0.9]), alpha=0.05)
    assert (results.type_one_rate, results.power, results.type_two_rate) == (0.25, 0.75, 0.25)
    table = demos.trial_table(results)
    assert table.loc["truly innocent (no difference)", "verdict: convict (reject H0)"] == \
        "type I error (innocent convicted): 25.0%"
    assert table.loc["truly guilty (real difference)", "verdict: acquit (keep H0)"] == \
        "type II error (guilty walks free): 25.0%"


# ---------------------------------------------------------------- 6. baseline first


@pytest.fixture(scope="module")
def wine_results():
    return demos.compare_baselines("wine", 3, 0)


def test_the_dummy_baseline_scores_the_majority_share(wine_results) -> None:
    _, target = demos.load_dataset("wine")
    majority_share = np.bincount(target).max() / len(target)
    dummy = wine_results.set_index("model").loc["dummy (most frequent)"]
    assert dummy.accuracy == pytest.approx(majority_share, abs=0.01)


def test_real_models_beat_the_baseline_and_the_simple_one_is_not_worse(wine_results) -> None:
    accuracy = wine_results.set_index("model")["accuracy"]
    assert list(accuracy.index) == list(demos.UPKEEP_UNITS)
    assert accuracy["logistic regression"] > accuracy["dummy (most frequent)"] + 0.4
    assert accuracy["logistic regression"] >= accuracy["small neural network"] - 0.02
    assert (wine_results["fit_seconds"] > 0).all()


def test_value_against_cost_prices_gains_and_upkeep(wine_results) -> None:
    free = demos.value_against_cost(wine_results, 100.0, 0.0).set_index("model")
    assert free.loc["dummy (most frequent)", "net_value"] == 0.0
    assert free["net_value"].idxmax() == wine_results.set_index("model")["accuracy"].idxmax()
    costly = demos.value_against_cost(wine_results, 100.0, 3000.0).set_index("model")
    gain = 100.0 * (free.loc["small neural network", "accuracy"] - free.loc["dummy (most frequent)", "accuracy"])
    assert costly.loc["small neural network", "net_value"] == pytest.approx(100.0 * gain - 4 * 3000.0)
    assert costly["net_value"].idxmax() != "small neural network"


# ---------------------------------------------------------------- 7. bias in data


@pytest.mark.parametrize(("share", "seed"), [(0.05, 0), (0.1, 1), (0.2, 2), (0.1, 3)])
def test_the_under_represented_group_has_the_higher_error_rate(share: float, seed: int) -> None:
    rates = demos.group_error_rates(share, 1000, 0.3, seed).set_index("group")
    assert rates.loc["B", "training_rows"] == round(1000 * share)
    assert rates.loc["B", "error_rate"] > rates.loc["A", "error_rate"] + 0.1


def test_better_representation_narrows_the_gap() -> None:
    table = demos.error_rates_by_share((0.05, 0.5), 1000, 0.3, 0)
    gap = table.pivot(index="minority_share", columns="group", values="error_rate")
    assert (gap["B"] - gap["A"])[0.5] < (gap["B"] - gap["A"])[0.05] / 2


@pytest.mark.parametrize(("share", "threshold"), [(0.2, 0.5), (0.02, 0.9), (0.5, 0.05), (0.3, 1.0)])
def test_threshold_metrics_agree_with_scikit_learn(share: float, threshold: float) -> None:
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    sample = demos.make_scored_sample(2000, share, 1.2, 4)
    predicted = (sample.score >= threshold).astype(int)
    metrics = demos.threshold_metrics(sample, threshold)
    assert metrics.accuracy == pytest.approx(accuracy_score(sample.y_true, predicted))
    assert metrics.precision == pytest.approx(precision_score(sample.y_true, predicted, zero_division=0))
    assert metrics.recall == pytest.approx(recall_score(sample.y_true, predicted, zero_division=0))
    assert metrics.f1 == pytest.approx(f1_score(sample.y_true, predicted, zero_division=0))


def test_the_two_groups_share_features_but_not_the_boundary() -> None:
    """Without label noise, A is positive above x0 + x1 = 0 (half the rows) and B above x0 - x1 / 2 = 0.75: since
    x0 - x1 / 2 is normal with variance 1.25, P(B positive) = P(Z > 0.75 / sqrt(1.25)) = 0.251."""
    from scipy import stats

    rng = np.random.default_rng(0)
    features_a, labels_a = demos.group_data(rng, "A", 40_000, 0.0)
    features_b, labels_b = demos.group_data(rng, "B", 40_000, 0.0)
    assert features_a.mean(axis=0) == pytest.approx([0.0, 0.0], abs=0.02)
    assert features_b.std(axis=0) == pytest.approx([1.0, 1.0], abs=0.02)
    assert labels_a.mean() == pytest.approx(0.5, abs=0.01)
    assert labels_b.mean() == pytest.approx(stats.norm.sf(0.75 / np.sqrt(1.25)), abs=0.01)
    assert np.all(labels_b == (features_b[:, 0] - 0.5 * features_b[:, 1] > 0.75))


def test_group_error_rates_are_each_groups_own_counts() -> None:
    """The error rate mixes the two kinds of error: error = FPR x (share of negatives) + FNR x (share of positives)."""
    rates = demos.group_error_rates(0.2, 1000, 0.3, 4).set_index("group")
    rng = np.random.default_rng(4)
    demos.group_data(rng, "A", 800, 0.3), demos.group_data(rng, "B", 200, 0.3)  # the training draws, as the demo makes them
    for group in ("A", "B"):
        _, labels = demos.group_data(rng, group, 2000, 0.3)
        positives = labels.mean()
        mixed = rates.loc[group, "false_positive_rate"] * (1 - positives) + rates.loc[group, "false_negative_rate"] * positives
        assert rates.loc[group, "error_rate"] == pytest.approx(mixed, abs=1e-12)
