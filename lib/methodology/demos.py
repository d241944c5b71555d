"""The seven Methodology demonstrations: pure, seeded computations, library-first (numpy, scikit-learn, SciPy).

Each function takes every setting that changes its result (including the seed) and returns data frames or
small dataclasses ready to chart. Nothing here draws, prints or reads files. The functions a tab shows
(lib/registry.py's `shows`) are the code the page runs and the very code its take-home notebook defines, so
their bodies use only the standard library, numpy, pandas, scikit-learn and SciPy, this module's constants and
one another. SciPy and scikit-learn are imported inside the functions that use them: importing them takes
seconds, and the page's checklist (and its settings) need neither.
"""
from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.methodology.own_data import (
    OwnDataError,
    check_labels,
    check_probabilities,
    check_rows,
    check_two_classes,
    numeric_columns,
    sample_rows,
    task_of,
)

# ---------------------------------------------------------------- 1. over- and under-fitting

MAX_DEGREE = 15  # from a straight line up to a polynomial that chases every wiggle of the noise
SPLIT_REPEATS = 40  # random splits that show how much one validation score moves


@dataclass(frozen=True)
class CurveSample:
    """Noisy points from the hidden curve."""

    x: np.ndarray  # (n,) inputs in [0, 1]
    y: np.ndarray  # (n,) noisy observations of true_curve(x)


def true_curve(x: np.ndarray) -> np.ndarray:
    """The hidden truth the polynomials try to recover (as in scikit-learn's under/over-fitting example)."""
    return np.cos(1.5 * np.pi * x)


def make_curve_sample(n_points: int, noise: float, seed: int) -> CurveSample:
    """`n_points` random x in [0, 1] (sorted), each with y = true_curve(x) plus normal noise."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 1.0, n_points))
    return CurveSample(x=x, y=true_curve(x) + rng.normal(0.0, noise, n_points))


def design_matrix(x: np.ndarray, degree: int) -> np.ndarray:
    """Columns 1, t, t**2 ... t**degree of t = 2x - 1: on [-1, 1] high powers stay distinct (on [0, 1] x**15
    is nearly x**14), so a degree-15 fit really can chase the noise."""
    return np.vander(2.0 * x - 1.0, degree + 1, increasing=True)  # (n, degree + 1)


def fit_polynomial(x: np.ndarray, y: np.ndarray, degree: int) -> np.ndarray:
    """Least-squares coefficients (the smallest ones when there are fewer points than coefficients).

    numpy's lstsq rather than a scikit-learn pipeline: a slider move refits up to 200 polynomials, and this is
    ten times faster; tests hold it to PolynomialFeatures + LinearRegression."""
    coefficients, *_ = np.linalg.lstsq(design_matrix(x, degree), y, rcond=None)
    return coefficients


def predict_polynomial(coefficients: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The fitted polynomial's values at x."""
    return design_matrix(x, len(coefficients) - 1) @ coefficients


def split_indices(n_points: int, train_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) index arrays for one random split."""
    from sklearn.model_selection import ShuffleSplit

    splitter = ShuffleSplit(n_splits=1, train_size=train_fraction, random_state=seed)
    train, validation = next(splitter.split(np.zeros(n_points)))
    return np.sort(train), np.sort(validation)


def polynomial_errors(sample: CurveSample, train: np.ndarray, validation: np.ndarray,
                      degree: int) -> tuple[float, float]:
    """(training MSE, validation MSE) of one degree fitted on the `train` points only."""
    coefficients = fit_polynomial(sample.x[train], sample.y[train], degree)
    squared = (predict_polynomial(coefficients, sample.x) - sample.y) ** 2  # the mean squared error's terms
    return float(squared[train].mean()), float(squared[validation].mean())


def train_validation_errors(
    sample: CurveSample, max_degree: int, train_fraction: float, seed: int
) -> pd.DataFrame:
    """Mean squared error on the training and the validation part, for degrees 1..max_degree."""
    train, validation = split_indices(len(sample.x), train_fraction, seed)
    rows = [(degree, *polynomial_errors(sample, train, validation, degree)) for degree in range(1, max_degree + 1)]
    return pd.DataFrame(rows, columns=["degree", "train_mse", "validation_mse"])


def cross_validated_errors(sample: CurveSample, max_degree: int, folds: int, seed: int) -> pd.DataFrame:
    """k-fold cross-validated MSE (mean and spread over the folds) for degrees 1..max_degree."""
    from sklearn.model_selection import KFold

    splits = list(KFold(n_splits=folds, shuffle=True, random_state=seed).split(sample.x))
    scores = np.array([[polynomial_errors(sample, train, validation, degree)[1] for train, validation in splits]
                       for degree in range(1, max_degree + 1)])  # (degrees, folds)
    return pd.DataFrame({"degree": np.arange(1, max_degree + 1), "cv_mse": scores.mean(axis=1),
                         "cv_mse_std": scores.std(axis=1)})


def best_degree(errors: pd.DataFrame, column: str) -> int:
    """The degree with the lowest error in `column`."""
    return int(errors.loc[errors[column].idxmin(), "degree"])


def split_spread(
    sample: CurveSample, degree: int, train_fraction: float, repeats: int, seed: int
) -> pd.DataFrame:
    """Validation MSE of one degree over many random splits: how much the score moves with the split."""
    from sklearn.model_selection import ShuffleSplit

    splits = ShuffleSplit(n_splits=repeats, train_size=train_fraction, random_state=seed).split(sample.x)
    scores = [polynomial_errors(sample, train, validation, degree)[1] for train, validation in splits]
    return pd.DataFrame({"split": np.arange(repeats), "validation_mse": scores})


def fitted_curve(
    sample: CurveSample, degree: int, train_fraction: float, seed: int, grid_points: int = 200
) -> pd.DataFrame:
    """The chosen degree's fit on a grid, beside the truth, for drawing (y clipped to keep the chart legible)."""
    train, _ = split_indices(len(sample.x), train_fraction, seed)
    coefficients = fit_polynomial(sample.x[train], sample.y[train], degree)
    grid = np.linspace(0.0, 1.0, grid_points)
    return pd.DataFrame({
        "x": np.concatenate([grid, grid]),
        "y": np.concatenate([np.clip(predict_polynomial(coefficients, grid), -3.0, 3.0), true_curve(grid)]),
        "curve": ["fitted polynomial"] * grid_points + ["truth"] * grid_points,
    })


def sample_points(sample: CurveSample, train_fraction: float, seed: int) -> pd.DataFrame:
    """The points, each marked as a training or a validation point of the split."""
    train, _ = split_indices(len(sample.x), train_fraction, seed)
    role = np.full(len(sample.x), "validation", dtype=object)
    role[train] = "training"
    return pd.DataFrame({"x": sample.x, "y": sample.y, "role": role})


def errors_by_kind(errors: pd.DataFrame, cv_errors: pd.DataFrame, folds: int) -> pd.DataFrame:
    """The three error curves in one long frame (degree, MSE, kind), for one chart."""
    curves = (("train_mse", errors, "training"), ("validation_mse", errors, "validation (one split)"),
              ("cv_mse", cv_errors, f"{folds}-fold cross-validation"))
    return pd.concat([frame[["degree", column]].rename(columns={column: "MSE"}).assign(kind=kind)
                      for column, frame, kind in curves], ignore_index=True)


# ---------------------------------------------------------------- 2. precision and accuracy

AIM_DIRECTION = np.array([1.0, 1.0]) / np.sqrt(2.0)  # a biased aim drifts up and to the right


@dataclass(frozen=True)
class ShotSummary:
    """How accurate and how precise a group of shots is."""

    offset: float  # distance of the shots' centre from the bull's-eye: small = accurate (true)
    spread: float  # root-mean-square distance of shots from their own centre: small = precise
    verdict: str


# Beyond these, a group of shots is called inaccurate or imprecise (in target ring units).
ACCURATE_WITHIN = 0.5
PRECISE_WITHIN = 0.6


def shoot_at_target(bias: float, spread: float, shots: int, seed: int) -> pd.DataFrame:
    """Shots aimed `bias` off the bull's-eye (up and to the right), each scattered by a normal `spread`."""
    rng = np.random.default_rng(seed)
    points = bias * AIM_DIRECTION + rng.normal(0.0, spread, (shots, 2))
    return pd.DataFrame({"x": points[:, 0], "y": points[:, 1]})


def summarise_shots(shots: pd.DataFrame) -> ShotSummary:
    """The shots' offset from the bull's-eye (accuracy), their spread around their own centre (precision)."""
    points = shots[["x", "y"]].to_numpy()
    centre = points.mean(axis=0)
    offset = float(np.linalg.norm(centre))
    spread = float(np.sqrt(((points - centre) ** 2).sum(axis=1).mean()))
    accurate = "accurate" if offset <= ACCURATE_WITHIN else "inaccurate"
    precise = "precise" if spread <= PRECISE_WITHIN else "imprecise"
    return ShotSummary(offset=offset, spread=spread, verdict=f"{accurate} and {precise}")


# The textbook two-by-two: (name, bias, spread, grid row, grid column); rows accurate / inaccurate,
# columns precise / imprecise.
CLASSIC_CASES: tuple[tuple[str, float, float, int, int], ...] = (
    ("accurate and precise", 0.0, 0.25, 0, 0),
    ("accurate, imprecise", 0.0, 1.0, 0, 1),
    ("precise, inaccurate", 1.8, 0.25, 1, 0),
    ("neither", 1.8, 1.0, 1, 1),
)
CLASSIC_SHOTS = 30  # shots at each of the four classic targets
PANEL_SPACING = 7.0  # target centres apart in the two-by-two grid; each target's outer ring has radius 2.5
PANEL_RADIUS = 3.3  # shots further out are drawn on this circle so they stay inside their own panel


def target_frame(shots: pd.DataFrame, label: str = "", centre: tuple[float, float] = (0.0, 0.0),
                 clamp_radius: float | None = None) -> pd.DataFrame:
    """Rings, shots, the shots' centre and a label in one frame (column `kind`), drawn around `centre`."""
    points = shots[["x", "y"]].to_numpy()
    mean = points.mean(axis=0)
    if clamp_radius is not None:
        distance = np.linalg.norm(points, axis=1, keepdims=True)
        points = points * np.minimum(1.0, clamp_radius / np.maximum(distance, 1e-12))
    ring_x, ring_y, ring_radius, ring_order = _RINGS
    parts = [  # (x, y, kind, ring, order, label): one column per part, joined once (a frame per part is slow)
        (ring_x, ring_y, "ring", ring_radius, ring_order, ""),
        (points[:, 0], points[:, 1], "shot", np.zeros(len(points)), np.arange(len(points)), ""),
        (mean[:1], mean[1:], "centre", np.zeros(1), np.zeros(1, dtype=int), ""),
    ]
    if label:
        parts.append((np.zeros(1), np.full(1, 2.9), "label", np.zeros(1), np.zeros(1, dtype=int), label))
    lengths = [len(x) for x, *_ in parts]
    return pd.DataFrame({
        "x": np.concatenate([x for x, *_ in parts]) + centre[0],
        "y": np.concatenate([y for _, y, *_ in parts]) + centre[1],
        "ring": np.concatenate([ring for *_, ring, _, _ in parts]).astype(float),
        "order": np.concatenate([order for *_, order, _ in parts]).astype(np.int64),
        "kind": np.repeat([kind for _, _, kind, *_ in parts], lengths),
        "label": np.repeat([text for *_, text in parts], lengths),
        "target": label or "yours",  # target + ring name one line
    })


def classic_cases(shots: int, seed: int) -> pd.DataFrame:
    """The four textbook targets as a two-by-two grid in one frame: x and y both span -3.5 to 10.5."""
    frames = [
        target_frame(shoot_at_target(bias, spread, shots, seed + index), name,
                     centre=(column * PANEL_SPACING, (1 - row) * PANEL_SPACING), clamp_radius=PANEL_RADIUS)
        for index, (name, bias, spread, row, column) in enumerate(CLASSIC_CASES)
    ]
    return pd.concat(frames, ignore_index=True)


def target_rings(radii: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 2.5), points: int = 61) -> pd.DataFrame:
    angles = np.linspace(0.0, 2.0 * np.pi, points)
    return pd.DataFrame({"x": np.concatenate([r * np.cos(angles) for r in radii]),
                         "y": np.concatenate([r * np.sin(angles) for r in radii]),
                         "ring": np.repeat(np.asarray(radii, dtype=float), points),
                         "order": np.tile(np.arange(points), len(radii))})


_RINGS = tuple(column.to_numpy() for _, column in target_rings().items())


# ---------------------------------------------------------------- 3. thresholds and ROC

ROC_SAMPLES = 2000  # examples the classifier scores

@dataclass(frozen=True)
class ScoredSample:
    """True classes and a model's scores for them."""

    y_true: np.ndarray  # (n,) 1 for positive
    score: np.ndarray  # (n,) the model's score in (0, 1)


@dataclass(frozen=True)
class ThresholdMetrics:
    """What the confusion matrix at one threshold says."""

    threshold: float
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    false_positive_rate: float
    majority_accuracy: float  # accuracy of always answering "negative": the accuracy paradox


def make_scored_sample(n_samples: int, positive_fraction: float, separation: float, seed: int) -> ScoredSample:
    """Negatives score around 0 and positives around `separation` (unit spread), squashed into (0, 1)."""
    rng = np.random.default_rng(seed)
    n_positive = int(round(n_samples * positive_fraction))
    y_true = np.concatenate([np.ones(n_positive, dtype=int), np.zeros(n_samples - n_positive, dtype=int)])
    raw = rng.normal(0.0, 1.0, n_samples) + separation * y_true - separation / 2.0
    return ScoredSample(y_true=y_true, score=1.0 / (1.0 + np.exp(-raw)))


def threshold_metrics(sample: ScoredSample, threshold: float) -> ThresholdMetrics:
    """Everything a confusion matrix says at one threshold (score >= threshold means positive)."""
    from sklearn.metrics import confusion_matrix

    predicted = (sample.score >= threshold).astype(int)
    tn, fp, fn, tp = (int(count) for count in confusion_matrix(sample.y_true, predicted, labels=[0, 1]).ravel())
    negatives, predicted_positive, actual_positive = tn + fp, tp + fp, tp + fn
    return ThresholdMetrics(
        threshold=threshold,
        true_positives=tp, false_positives=fp, true_negatives=tn, false_negatives=fn,
        accuracy=(tp + tn) / len(sample.y_true),
        precision=tp / predicted_positive if predicted_positive else 0.0,
        recall=tp / actual_positive if actual_positive else 0.0,
        f1=2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
        false_positive_rate=fp / negatives if negatives else 0.0,
        majority_accuracy=float(max(sample.y_true.mean(), 1.0 - sample.y_true.mean())),
    )


def roc_points(sample: ScoredSample) -> pd.DataFrame:
    """The ROC curve: true against false positive rate at every threshold (scikit-learn's roc_curve)."""
    from sklearn.metrics import roc_curve

    fpr, tpr, thresholds = roc_curve(sample.y_true, sample.score)
    return pd.DataFrame({"false_positive_rate": fpr, "true_positive_rate": tpr, "threshold": np.minimum(thresholds, 1.0)})


def roc_auc(sample: ScoredSample) -> float:
    """The area under the ROC curve: the chance that a positive outscores a negative."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(sample.y_true, sample.score))


def score_histogram(sample: ScoredSample, bins: int = 40) -> pd.DataFrame:
    """Counts per score bin for each class, so a chart gets 80 rows rather than every sample."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    frames = []
    for label, name in ((0, "negative"), (1, "positive")):
        counts, _ = np.histogram(sample.score[sample.y_true == label], bins=edges)
        frames.append(pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "count": counts, "class": name}))
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- 4. loss functions

TRUE_SLOPE = 0.5
TRUE_INTERCEPT = 1.0
OUTLIER_X = 9.0
LINE_POINTS = 20  # clean points before the outlier
LOSS_NAMES: tuple[str, ...] = ("MSE", "MAE", "Huber")


@dataclass(frozen=True)
class LineSample:
    """Points near a straight line, and one outlier."""

    x: np.ndarray  # (n,) clean points then the one outlier last
    y: np.ndarray


def make_line_sample(outlier_y: float, n_points: int, seed: int) -> LineSample:
    """`n_points` evenly spread points near the true line, then one outlier at (OUTLIER_X, outlier_y)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 10.0, n_points)
    y = TRUE_INTERCEPT + TRUE_SLOPE * x + rng.normal(0.0, 0.4, n_points)
    return LineSample(x=np.append(x, OUTLIER_X), y=np.append(y, outlier_y))


def fit_lines(sample: LineSample, huber_epsilon: float) -> pd.DataFrame:
    """Slope and intercept of the straight line that minimises each loss over all points, outlier included."""
    from sklearn.linear_model import HuberRegressor, LinearRegression, QuantileRegressor

    models = {
        "MSE": LinearRegression(),
        "MAE": QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs"),  # the median line: least absolute error
        "Huber": HuberRegressor(epsilon=huber_epsilon, alpha=0.0, max_iter=1000),
    }
    rows = []
    for name, model in models.items():
        model.fit(sample.x[:, None], sample.y)
        rows.append({"loss": name, "slope": float(model.coef_[0]), "intercept": float(model.intercept_)})
    return pd.DataFrame(rows)


def line_metrics(sample: LineSample, lines: pd.DataFrame) -> pd.DataFrame:
    """Each fitted line judged by two metrics on the clean points only: a loss is not the metric."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error

    x_clean, y_clean = sample.x[:-1], sample.y[:-1]
    rows = []
    for line in lines.itertuples():
        predicted = line.intercept + line.slope * x_clean
        rows.append({"trained with": line.loss, "MSE on clean points": mean_squared_error(y_clean, predicted),
                     "MAE on clean points": mean_absolute_error(y_clean, predicted)})
    return pd.DataFrame(rows)


def huber_loss(residual: np.ndarray, delta: float) -> np.ndarray:
    """Squared near zero, linear beyond delta (scaled to match MSE's r**2 near zero)."""
    size = np.abs(residual)
    return np.where(size <= delta, residual**2, 2.0 * delta * size - delta**2)


def loss_shapes(huber_delta: float, points: int = 121) -> pd.DataFrame:
    """Each regression loss as a function of the residual (prediction minus truth)."""
    residual = np.linspace(-3.0, 3.0, points)
    return pd.concat([
        pd.DataFrame({"residual": residual, "loss": residual**2, "name": "MSE"}),
        pd.DataFrame({"residual": residual, "loss": np.abs(residual), "name": "MAE"}),
        pd.DataFrame({"residual": residual, "loss": huber_loss(residual, huber_delta), "name": "Huber"}),
    ], ignore_index=True)


@dataclass(frozen=True)
class LogisticFit:
    """A logistic regression fitted with one mislabelled point, and what it cost."""

    curve: pd.DataFrame  # x, probability of class 1
    points: pd.DataFrame  # x, label, kind (clean or mislabelled)
    log_loss: float  # mean log-loss over all points (sklearn)
    boundary: float  # x where the probability crosses 0.5


def fit_logistic_with_mislabelled(mislabelled_x: float, seed: int, n_points: int = 40) -> LogisticFit:
    """Log-loss is the classification loss: one confidently wrong label pulls the boundary towards it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-1.5, 1.0, n_points // 2), rng.normal(1.5, 1.0, n_points // 2)])
    labels = np.concatenate([np.zeros(n_points // 2, dtype=int), np.ones(n_points // 2, dtype=int)])
    x_all = np.append(x, mislabelled_x)
    labels_all = np.append(labels, 0)  # a "negative" sitting among the positives
    model = LogisticRegression(C=1e4, max_iter=1000).fit(x_all[:, None], labels_all)
    grid = np.linspace(-6.0, 10.0, 161)
    probability = model.predict_proba(grid[:, None])[:, 1]
    kinds = np.array(["clean"] * n_points + ["mislabelled"], dtype=object)
    return LogisticFit(
        curve=pd.DataFrame({"x": grid, "probability": probability}),
        points=pd.DataFrame({"x": x_all, "label": labels_all, "kind": kinds}),
        log_loss=float(log_loss(labels_all, model.predict_proba(x_all[:, None])[:, 1], labels=[0, 1])),
        boundary=float(-model.intercept_[0] / model.coef_[0, 0]),
    )


# ---------------------------------------------------------------- 5. hypothesis testing

EXPERIMENTS = 2000  # simulated experiments per setting: enough for rates to about +-1%
POWER_SIZES = (5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200)  # group sizes along the power curve

@dataclass(frozen=True)
class ExperimentResults:
    """The p-values of many experiments without and with a real difference, judged at level alpha."""

    null_p_values: np.ndarray  # (experiments,) when the groups truly do not differ
    effect_p_values: np.ndarray  # (experiments,) when the second group is shifted by effect_size
    alpha: float

    @property
    def type_one_rate(self) -> float:
        """Share of no-difference experiments declared significant: convicting the innocent."""
        return float((self.null_p_values < self.alpha).mean())

    @property
    def power(self) -> float:
        """Share of real-difference experiments declared significant: convicting the guilty."""
        return float((self.effect_p_values < self.alpha).mean())

    @property
    def type_two_rate(self) -> float:
        """Share of real-difference experiments missed: the guilty walking free."""
        return 1.0 - self.power


@functools.lru_cache(maxsize=64)
def experiment_draws(n_per_group: int, experiments: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean difference, pooled variance) of each experiment before any effect is added, read-only.

    Adding the effect to every treated value moves the difference of means and leaves the variances
    alone, so one set of draws serves every effect size: moving the effect slider re-uses it.
    """
    rng = np.random.default_rng(seed)
    # (experiments, n_per_group) per group; the null pair and the effect pair are independent draws
    control = rng.normal(0.0, 1.0, (2, experiments, n_per_group))
    treated = rng.normal(0.0, 1.0, (2, experiments, n_per_group))
    difference = treated.mean(axis=2) - control.mean(axis=2)  # (2, experiments)
    pooled_variance = (treated.var(axis=2, ddof=1) + control.var(axis=2, ddof=1)) / 2.0  # equal group sizes
    for array in (difference, pooled_variance):
        array.flags.writeable = False  # shared between calls
    return difference, pooled_variance


def simulate_experiments(
    effect_size: float, n_per_group: int, alpha: float, experiments: int, seed: int
) -> ExperimentResults:
    """Many two-group experiments with unit-spread normal data, each judged by a two-sample t-test.

    Student's t-test (equal variances, as analytic_power assumes), computed from each experiment's
    mean difference and pooled variance: the same p-values as scipy.stats.ttest_ind on the raw draws.
    """
    from scipy import stats

    difference, pooled_variance = experiment_draws(n_per_group, experiments, seed)
    shifted = difference + np.array([[0.0], [effect_size]])  # the effect applies to the second pair only
    t_statistic = shifted / np.sqrt(pooled_variance * 2.0 / n_per_group)
    p_values = 2.0 * stats.t.sf(np.abs(t_statistic), 2 * n_per_group - 2)
    return ExperimentResults(null_p_values=p_values[0], effect_p_values=p_values[1], alpha=alpha)


def analytic_power(effect_size: float, n_per_group: int | np.ndarray, alpha: float) -> float | np.ndarray:
    """Power of the two-sided two-sample t-test, from the non-central t distribution (one size or an array)."""
    from scipy import stats

    degrees = 2 * np.asarray(n_per_group) - 2
    noncentrality = effect_size * np.sqrt(np.asarray(n_per_group) / 2.0)
    critical = stats.t.ppf(1.0 - alpha / 2.0, degrees)
    power = stats.nct.sf(critical, degrees, noncentrality) + stats.nct.cdf(-critical, degrees, noncentrality)
    return float(power) if np.ndim(power) == 0 else power


def power_curve(effect_size: float, alpha: float, sizes: tuple[int, ...]) -> pd.DataFrame:
    """The test's power at each group size, from theory."""
    return pd.DataFrame({"n_per_group": sizes, "power": analytic_power(effect_size, np.array(sizes), alpha)})


def p_value_histogram(results: ExperimentResults, bins: int = 20) -> pd.DataFrame:
    edges = np.linspace(0.0, 1.0, bins + 1)
    frames = []
    for name, values in (("no real difference", results.null_p_values), ("real difference", results.effect_p_values)):
        counts, _ = np.histogram(values, bins=edges)
        frames.append(pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "count": counts, "truth": name}))
    return pd.concat(frames, ignore_index=True)


def trial_table(results: ExperimentResults) -> pd.DataFrame:
    """The criminal-trial analogy: H0 is innocence; rejecting H0 is a conviction."""
    return pd.DataFrame(
        {
            "verdict: acquit (keep H0)": [
                f"correct: {1 - results.type_one_rate:.1%}",
                f"type II error (guilty walks free): {results.type_two_rate:.1%}",
            ],
            "verdict: convict (reject H0)": [
                f"type I error (innocent convicted): {results.type_one_rate:.1%}",
                f"correct (power): {results.power:.1%}",
            ],
        },
        index=["truly innocent (no difference)", "truly guilty (real difference)"],
    )


# ---------------------------------------------------------------- 6. baseline first

DATASETS = {"breast cancer": "load_breast_cancer", "wine": "load_wine", "digits": "load_digits"}  # sklearn.datasets loaders
# What each model asks of a team beyond compute, in relative "people" units (skills, upkeep, explaining).
UPKEEP_UNITS = {"dummy (most frequent)": 0.0, "logistic regression": 1.0, "decision tree": 1.0,
                "small neural network": 4.0}


def baseline_models(seed: int) -> dict[str, object]:
    """The ladder of classifiers, from a dummy that always answers the commonest class to a small network."""
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    return {
        "dummy (most frequent)": DummyClassifier(strategy="most_frequent"),
        "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "decision tree": DecisionTreeClassifier(random_state=seed),
        "small neural network": make_pipeline(
            StandardScaler(), MLPClassifier(hidden_layer_sizes=(32,), max_iter=400, random_state=seed)
        ),
    }


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(features, target) of one of scikit-learn's bundled data sets."""
    from sklearn import datasets

    bunch = getattr(datasets, DATASETS[name])()
    return bunch.data, bunch.target


def compare_baselines(dataset: str, folds: int, seed: int) -> pd.DataFrame:
    """Cross-validated accuracy and mean fit time of each model (fit times are measured, so they vary)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold, cross_validate

    features, target = load_dataset(dataset)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    rows = []
    for name, model in baseline_models(seed).items():
        started = time.perf_counter()
        with warnings.catch_warnings():
            # the small network stops at max_iter on purpose: a cheap model is the point of the demo
            warnings.simplefilter("ignore", ConvergenceWarning)
            scores = cross_validate(model, features, target, cv=splitter, scoring="accuracy")
        rows.append({
            "model": name,
            "accuracy": float(scores["test_score"].mean()),
            "accuracy_std": float(scores["test_score"].std()),
            "fit_seconds": float(scores["fit_time"].mean()),
            "total_seconds": time.perf_counter() - started,
        })
    return pd.DataFrame(rows)


def value_against_cost(results: pd.DataFrame, value_per_point: float, cost_per_upkeep_unit: float) -> pd.DataFrame:
    """Net value of each model: accuracy points gained over the dummy, priced, minus the yearly upkeep.

    Compute is left out on purpose: on data this size every fit takes under a second, and the people
    who keep a model working cost far more than the machine that runs it.
    """
    dummy_accuracy = float(results.loc[results["model"] == "dummy (most frequent)", "accuracy"].iloc[0])
    table = results[["model", "accuracy", "fit_seconds"]].copy()
    table["points_over_baseline"] = 100.0 * (table["accuracy"] - dummy_accuracy)
    table["benefit"] = value_per_point * table["points_over_baseline"]
    table["cost"] = table["model"].map(UPKEEP_UNITS) * cost_per_upkeep_unit
    table["net_value"] = table["benefit"] - table["cost"]
    return table


# ---------------------------------------------------------------- 7. bias in data

BIAS_SHARES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)  # group B's shares of the training rows along the curve

def group_data(rng: np.random.Generator, group: str, n_points: int, label_noise: float) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of one group: the same features for both groups, but B's outcome follows another boundary."""
    features = rng.normal(0.0, 1.0, (n_points, 2))
    noise = rng.normal(0.0, label_noise, n_points)
    if group == "A":
        labels = features[:, 0] + features[:, 1] + noise > 0.0
    else:
        labels = features[:, 0] - 0.5 * features[:, 1] + noise > 0.75
    return features, labels.astype(int)


def group_error_rates(minority_share: float, n_train: int, label_noise: float, seed: int, n_test: int = 2000) -> pd.DataFrame:
    """Train one logistic model on data where group B is `minority_share` of the rows; test each group alone."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    n_minority = max(2, int(round(n_train * minority_share)))
    training_rows = {"A": n_train - n_minority, "B": n_minority}
    training = [group_data(rng, group, rows, label_noise) for group, rows in training_rows.items()]
    model = LogisticRegression().fit(np.vstack([features for features, _ in training]),
                                     np.concatenate([labels for _, labels in training]))
    rows = []
    for group, n_rows in training_rows.items():
        features, labels = group_data(rng, group, n_test, label_noise)
        predicted = model.predict(features)
        rows.append({
            "group": group,
            "training_rows": n_rows,
            "error_rate": float(np.mean(predicted != labels)),
            "false_positive_rate": float(np.mean(predicted[labels == 0] == 1)),
            "false_negative_rate": float(np.mean(predicted[labels == 1] == 0)),
        })
    return pd.DataFrame(rows)


def error_rates_by_share(shares: tuple[float, ...], n_train: int, label_noise: float, seed: int) -> pd.DataFrame:
    """`group_error_rates` at each of group B's shares, in one frame."""
    frames = [group_error_rates(share, n_train, label_noise, seed).assign(minority_share=share) for share in shares]
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- the demos on a visitor's own table
# Each takes the table (lib.methodology.own_data.load_table's frame) and the chosen columns, checks them with
# a one-line OwnDataError, and hands arrays to the functions above. Big tables are sampled (seeded) for the fits.

OWN_FIT_ROWS = 5000  # rows the fits use at most: a degree move or a refit stays quick on a 50,000-row table
OWN_BASELINE_ROWS = 2000  # four models times k folds, the small network among them: a few seconds at most
OWN_TEST_SHARE = 0.3  # held out per group in the bias demo
OWN_UPKEEP_UNITS = {**UPKEEP_UNITS, "dummy (mean)": 0.0, "linear regression": 1.0}  # plus the regression ladder


@dataclass(frozen=True)
class OwnCurve:
    """A visitor's x and y columns as a CurveSample, with the x range to map back."""

    sample: CurveSample  # x rescaled to [0, 1] (the polynomials' design assumes it), y as given
    x_low: float  # the visitor's x that maps to 0
    x_high: float  # ... and to 1
    rows_complete: int  # rows with both values, before sampling


def own_curve_sample(frame: pd.DataFrame, x_column: str, y_column: str, seed: int,
                     max_rows: int = OWN_FIT_ROWS) -> OwnCurve:
    """The visitor's x and y as a CurveSample (rows missing either dropped; at most `max_rows`, seeded)."""
    for column in (x_column, y_column):
        if column not in numeric_columns(frame):
            raise OwnDataError(f"The column '{column}' must hold numbers for this demo.")
    pairs = frame[[x_column, y_column]].astype(float).replace([np.inf, -np.inf], np.nan).dropna()
    check_rows(len(pairs))
    used = sample_rows(pairs, max_rows, seed).sort_values(x_column, kind="stable")
    x, y = used[x_column].to_numpy(), used[y_column].to_numpy()
    low, high = float(x.min()), float(x.max())
    if high == low:
        raise OwnDataError(f"The x column '{x_column}' has the same value in every row: nothing to fit against.")
    return OwnCurve(CurveSample(x=(x - low) / (high - low), y=y), low, high, len(pairs))


def own_fitted_curve(curve: OwnCurve, degree: int, train_fraction: float, seed: int,
                     grid_points: int = 200) -> pd.DataFrame:
    """The chosen degree's fit over the visitor's x range (clipped a little beyond the data's y range)."""
    train, _ = split_indices(len(curve.sample.x), train_fraction, seed)
    coefficients = fit_polynomial(curve.sample.x[train], curve.sample.y[train], degree)
    grid = np.linspace(0.0, 1.0, grid_points)
    low, high = float(curve.sample.y.min()), float(curve.sample.y.max())
    margin = 0.5 * (high - low) or 1.0
    return pd.DataFrame({"x": curve.x_low + grid * (curve.x_high - curve.x_low),
                         "y": np.clip(predict_polynomial(coefficients, grid), low - margin, high + margin),
                         "curve": "fitted polynomial"})


def own_sample_points(curve: OwnCurve, train_fraction: float, seed: int) -> pd.DataFrame:
    """`sample_points` in the visitor's own x units."""
    points = sample_points(curve.sample, train_fraction, seed)
    return points.assign(x=curve.x_low + points["x"] * (curve.x_high - curve.x_low))


def own_scored_sample(frame: pd.DataFrame, label_column: str, score_column: str) -> tuple[ScoredSample, str, str]:
    """(sample, negative label, positive label): the label's second value (sorted) counts as positive."""
    if label_column == score_column:
        raise OwnDataError("Choose two different columns: one for the true label, one for the score.")
    negative, positive = check_two_classes(frame, label_column)
    scores = check_probabilities(frame, score_column)
    keep = frame[label_column].notna().to_numpy() & np.isfinite(scores)
    check_rows(int(keep.sum()))
    y_true = (frame[label_column].to_numpy()[keep] == positive).astype(int)
    if y_true.min() == y_true.max():
        raise OwnDataError(f"The true-label column '{label_column}' has one class only among rows with a score.")
    return ScoredSample(y_true=y_true, score=scores[keep]), str(negative), str(positive)


@dataclass(frozen=True)
class OwnBaselineData:
    """A visitor's table made ready for the baseline models."""

    features: np.ndarray  # (rows, features) the numeric columns other than the target
    target: np.ndarray  # (rows,)
    task: str  # "classification" or "regression"
    feature_names: tuple[str, ...]
    rows_complete: int  # rows with every value, before sampling


def own_baseline_data(frame: pd.DataFrame, target_column: str, seed: int,
                      max_rows: int = OWN_BASELINE_ROWS) -> OwnBaselineData:
    """The table's numeric columns (but the target) as features, and the target, complete rows only (sampled)."""
    names = tuple(column for column in numeric_columns(frame) if column != target_column)
    if not names:
        raise OwnDataError("The models need at least one numeric column besides the target to learn from.")
    complete = frame[[*names, target_column]].replace([np.inf, -np.inf], np.nan).dropna()
    check_rows(len(complete))
    task = task_of(complete[target_column])
    if task == "classification":
        check_labels(complete, target_column, what="target")
    used = sample_rows(complete, max_rows, seed)
    target = used[target_column].to_numpy()
    return OwnBaselineData(used[list(names)].to_numpy(dtype=float),
                           target.astype(str) if task == "classification" else target.astype(float),
                           task, names, len(complete))


def regression_models(seed: int) -> dict[str, object]:
    """The baseline ladder for a numeric target: the mean, a line, a tree, a small network."""
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    return {
        "dummy (mean)": DummyRegressor(strategy="mean"),
        "linear regression": make_pipeline(StandardScaler(), LinearRegression()),
        "decision tree": DecisionTreeRegressor(random_state=seed),
        "small neural network": make_pipeline(
            StandardScaler(), MLPRegressor(hidden_layer_sizes=(32,), max_iter=400, random_state=seed)),
    }


def compare_own_baselines(data: OwnBaselineData, folds: int, seed: int) -> pd.DataFrame:
    """Cross-validated score (accuracy, or R² for a numeric target) and fit time of each model on the table."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, StratifiedKFold, cross_validate

    if data.task == "classification":
        smallest = int(pd.Series(data.target).value_counts().min())
        if smallest < folds:
            raise OwnDataError(f"The rarest class of the target has {smallest} row(s): {folds}-fold "
                               "cross-validation needs at least one per fold. Lower the folds.")
        splitter, models, scoring = StratifiedKFold(folds, shuffle=True, random_state=seed), baseline_models(seed), "accuracy"
    else:
        splitter, models, scoring = KFold(folds, shuffle=True, random_state=seed), regression_models(seed), "r2"
    rows = []
    for name, model in models.items():
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a cheap network is the point, as above
            scores = cross_validate(model, data.features, data.target, cv=splitter, scoring=scoring)
        rows.append({"model": name, "score": float(scores["test_score"].mean()),
                     "score_std": float(scores["test_score"].std()), "fit_seconds": float(scores["fit_time"].mean()),
                     "total_seconds": time.perf_counter() - started})
    return pd.DataFrame(rows)


def own_value_against_cost(results: pd.DataFrame, value_per_point: float, cost_per_upkeep_unit: float) -> pd.DataFrame:
    """`value_against_cost` for `compare_own_baselines`' table: score points over its first (dummy) model."""
    table = results[["model", "score", "fit_seconds"]].copy()
    table["points_over_baseline"] = 100.0 * (table["score"] - float(table["score"].iloc[0]))
    table["benefit"] = value_per_point * table["points_over_baseline"]
    table["cost"] = table["model"].map(OWN_UPKEEP_UNITS) * cost_per_upkeep_unit
    table["net_value"] = table["benefit"] - table["cost"]
    return table


def own_group_error_rates(frame: pd.DataFrame, group_column: str, target_column: str, seed: int,
                          max_rows: int = OWN_FIT_ROWS) -> pd.DataFrame:
    """One logistic model on the other numeric columns (standardised), tested per group on held-out rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if group_column == target_column:
        raise OwnDataError("Choose two different columns: one for the group, one for the target.")
    groups = check_labels(frame, group_column, what="group")
    _, positive = check_labels(frame, target_column, most=2, what="target")
    names = [column for column in numeric_columns(frame) if column not in (group_column, target_column)]
    if not names:
        raise OwnDataError("The model needs at least one numeric column besides the group and the target.")
    complete = sample_rows(frame[[*names, group_column, target_column]].replace([np.inf, -np.inf], np.nan).dropna(),
                           max_rows, seed)
    check_rows(len(complete))
    features = complete[names].to_numpy(dtype=float)
    labels = (complete[target_column].to_numpy() == positive).astype(int)
    train, test = split_indices(len(complete), 1.0 - OWN_TEST_SHARE, seed)
    if labels[train].min() == labels[train].max():
        raise OwnDataError(f"The training rows hold one value of the target '{target_column}' only: nothing to learn.")
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(features[train], labels[train])
    group_of, guess = complete[group_column].to_numpy(), model.predict(features)
    rows = []
    for group in groups:
        held_out = test[group_of[test] == group]
        truth, guessed = labels[held_out], guess[held_out]
        rows.append({
            "group": str(group), "training_rows": int(np.sum(group_of[train] == group)), "test_rows": len(held_out),
            "error_rate": float(np.mean(truth != guessed)) if len(held_out) else float("nan"),
            "false_positive_rate": float(np.mean(guessed[truth == 0] == 1)) if np.any(truth == 0) else 0.0,
            "false_negative_rate": float(np.mean(guessed[truth == 1] == 0)) if np.any(truth == 1) else 0.0,
        })
    return pd.DataFrame(rows)
