"""Notebooks for the Methodology page: the team's checklist, and the seven demonstrations behind it."""
from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from lib.core.urlcodec import UrlValue
from lib.methodology import demos
from lib.methodology.checklist import (
    AnswersError,
    Checklist,
    answers_from_json,
    blank_answers,
    clean_project_name,
    load_checklist,
    section_progress,
)
from lib.methodology.own_data import defused_text
from lib.notebooks.core import (
    FOOTER,
    MAX_NOTEBOOK_BYTES,
    NotebookSettingsError,
    code,
    escape_markdown,
    install_cell,
    markdown,
    settings_cell,
)

TALK = "the talk *Practical Steps for Building Intelligent Systems* (Data Science Cornwall, 2019)"
CHECKLIST_FILE = Path(__file__).resolve().parents[2] / "data" / "methodology" / "checklist.yaml"
MEASURE_SECTION = "how-well"  # the checklist's "how well does it work, and how do we know?" items
# A starting point for each "how will we measure it" item: comments and imports only, ready to fill in.
MEASURE_STARTERS = {
    "how-well.hypotheses": "# State each hypothesis, its test and alpha BEFORE looking at the results.\n"
                           "from scipy import stats\n# result = stats.ttest_ind(group_a, group_b)",
    "how-well.split": "# Hold out data the model never sees in training.\n"
                      "from sklearn.model_selection import train_test_split\n"
                      "# X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)",
    "how-well.cross-validation": "# Several splits show how much the score moves.\n"
                                 "from sklearn.model_selection import cross_val_score\n"
                                 "# scores = cross_val_score(model, X, y, cv=5); scores.mean(), scores.std()",
    "how-well.precision-accuracy": "# Accuracy: how close to the truth on average; precision: how consistent.\n"
                                   "import numpy as np\n# bias = np.mean(predicted - truth); spread = np.std(predicted - truth)",
    "how-well.loss": "# The loss trains the model; the metric reports what users care about.\n"
                     "from sklearn.metrics import mean_absolute_error, mean_squared_error\n"
                     "# mean_squared_error(y_test, predicted), mean_absolute_error(y_test, predicted)",
    "how-well.roc": "# Choose the threshold from the ROC curve and the cost of each kind of error.\n"
                    "from sklearn.metrics import roc_auc_score, roc_curve\n"
                    "# fpr, tpr, thresholds = roc_curve(y_test, scores); roc_auc_score(y_test, scores)",
    "how-well.scalability": "# Time training and prediction on representative data and hardware.\n"
                            "import time\n# started = time.perf_counter(); model.fit(X, y); time.perf_counter() - started",
}


@functools.cache
def _checklist() -> Checklist:
    return load_checklist(CHECKLIST_FILE)


def _answers_text(raw: object) -> str | bytes | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str | bytes):
        return raw
    if isinstance(raw, Mapping):
        return json.dumps(raw)
    raise NotebookSettingsError("answers must be the JSON the checklist page saves")


def checklist(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    content = _checklist()
    project, answers = clean_project_name(str(values["project"])), blank_answers(content)
    raw = _answers_text(extra.get("answers", extra.get("methodology.answers")))
    if raw is not None:
        try:
            saved_project, answers = answers_from_json(content, raw)
        except AnswersError as error:
            raise NotebookSettingsError(f"answers: {error}") from None
        project = project or saved_project
    name = escape_markdown(project) if project else "Untitled project"
    progress = section_progress(content, answers)
    table = ["| Section | Done | In progress | Applicable items |", "|---|---|---|---|"]
    table += [f"| {p.title} | {p.done} | {p.in_progress} | {p.applicable} |" for p in progress]
    cells = [
        markdown(f"""
# Methodology checklist: {name}

From {TALK}. Good machine learning starts with questions, not algorithms: **why** (the problem), **what**
(possible solutions), **how** (data and models), **how well**, **value** and **risks**. These are the team's
answers as they were saved from the app, and under *How well* a code cell for each measurement, ready to fill.

""" + "\n".join(table)),
        install_cell(["numpy", "scipy", "sklearn"]),
    ]
    for section in content.sections:
        lines = [f"## {section.title}: {section.question}", ""]
        for item in section.items:
            answer = answers[item.item_id]
            lines.append(f"- **{item.question}** ({answer.status})")
            notes = [escape_markdown(line) for line in answer.notes.splitlines() if line.strip()]
            lines += [f"  {line}" for line in notes] if notes else ["  *No notes yet.*"]
        cells.append(markdown("\n".join(lines)))
        if section.section_id == MEASURE_SECTION:
            cells.append(markdown("### How will we measure it?\n\nOne cell per item above: fill each in with your "
                                  "own data and model, and run it."))
            for item in section.items:
                cells.append(markdown(f"**{item.question}**\n\n*Why:* {item.why}"))
                cells.append(code(MEASURE_STARTERS.get(item.item_id, "# Measure it here.")))
    cells.append(markdown(FOOTER))
    return cells


def overfitting(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    own = own_table(extra, ("x", "y"))
    if own is not None:
        return own_overfitting(values, own)
    return [
        markdown(f"""
# Over- and under-fitting: train/validation splits and cross-validation

From {TALK}. A model is only useful on data it has not seen: training error always falls as a model grows,
but validation error turns up once the model starts memorising noise. Here polynomials of degree 1 to 15 are
fitted to noisy points from a hidden curve, cos(1.5πx)."""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"POINTS": values["fit.points"], "NOISE": values["fit.noise"], "DEGREE": values["fit.degree"],
                       "TRAIN_SHARE": values["fit.train_share"], "FOLDS": values["fit.folds"],
                       "SEED": values["fit.seed"]}),
        code("""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import KFold, ShuffleSplit

rng = np.random.default_rng(SEED)
x = np.sort(rng.uniform(0.0, 1.0, POINTS))
y = np.cos(1.5 * np.pi * x) + rng.normal(0.0, NOISE, POINTS)


def design(x, degree):
    # powers of t = 2x - 1: on [-1, 1] high powers stay well conditioned
    return np.vander(2.0 * x - 1.0, degree + 1, increasing=True)


def fit(x, y, degree):
    coefficients, *_ = np.linalg.lstsq(design(x, degree), y, rcond=None)
    return coefficients


def errors(train, validation, degree):
    coefficients = fit(x[train], y[train], degree)
    return (mean_squared_error(y[train], design(x[train], degree) @ coefficients),
            mean_squared_error(y[validation], design(x[validation], degree) @ coefficients))


train, validation = next(ShuffleSplit(n_splits=1, train_size=TRAIN_SHARE, random_state=SEED).split(x))
folds = list(KFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(x))
table = pd.DataFrame([
    {"degree": degree, "train_mse": errors(train, validation, degree)[0],
     "validation_mse": errors(train, validation, degree)[1],
     "cv_mse": np.mean([errors(t, v, degree)[1] for t, v in folds])}
    for degree in range(1, 16)])
print("Best degree on one split:", int(table.loc[table.validation_mse.idxmin(), "degree"]))
print(f"Best degree by {FOLDS}-fold cross-validation:", int(table.loc[table.cv_mse.idxmin(), "degree"]))
table.round(4)"""),
        code("""
grid = np.linspace(0, 1, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.plot(grid, np.clip(design(grid, DEGREE) @ fit(x[train], y[train], DEGREE), -3, 3), label="fitted polynomial")
left.plot(grid, np.cos(1.5 * np.pi * grid), "--", label="truth")
left.scatter(x[train], y[train], label="training")
left.scatter(x[validation], y[validation], marker="s", label="validation")
left.set(title=f"Degree {DEGREE} fitted to the training points", ylim=(-3, 3))
left.legend()
for column, label in (("train_mse", "training"), ("validation_mse", "validation (one split)"),
                      ("cv_mse", f"{FOLDS}-fold cross-validation")):
    right.plot(table.degree, table[column], marker="o", label=label)
right.axvline(DEGREE, linestyle=":", color="grey")
right.set(yscale="log", xlabel="polynomial degree", ylabel="mean squared error (log)",
          title="Error against model complexity")
right.legend()
plt.tight_layout()
plt.show()"""),
        markdown("""
## How much does the score depend on the split?

The same points and degree, forty different random splits: the validation score moves with the data and with
luck. Cross-validation averages over several splits instead of trusting one."""),
        code("""
splitter = ShuffleSplit(n_splits=40, train_size=TRAIN_SHARE, random_state=SEED)
spread = [errors(t, v, DEGREE)[1] for t, v in splitter.split(x)]
print(f"Validation MSE of degree {DEGREE} over 40 splits: from {min(spread):.4f} to {max(spread):.4f} "
      f"(median {np.median(spread):.4f})")"""),
        markdown(FOOTER),
    ]


def accuracy(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# Precision and accuracy

From {TALK}. Accuracy is how close results are to the truth on average; precision is how close they are to
each other. A model can be precise and still wrong, so measure both. Here, shots at a target: a **bias**
pushes the aim off-centre, a **spread** scatters the shots."""),
        install_cell(["numpy", "matplotlib"]),
        settings_cell({"BIAS": values["shots.bias"], "SPREAD": values["shots.spread"],
                       "SHOTS": values["shots.count"], "SEED": values["shots.seed"]}),
        code("""
import matplotlib.pyplot as plt
import numpy as np

AIM_DIRECTION = np.array([1.0, 1.0]) / np.sqrt(2.0)  # a biased aim drifts up and to the right
ACCURATE_WITHIN, PRECISE_WITHIN = 0.5, 0.6  # in target rings


def shoot(bias, spread, shots, seed):
    rng = np.random.default_rng(seed)
    return bias * AIM_DIRECTION + rng.normal(0.0, spread, (shots, 2))


def summarise(points):
    centre = points.mean(axis=0)
    offset = float(np.linalg.norm(centre))  # small = accurate
    spread = float(np.sqrt(((points - centre) ** 2).sum(axis=1).mean()))  # small = precise
    verdict = (("accurate" if offset <= ACCURATE_WITHIN else "inaccurate") + " and "
               + ("precise" if spread <= PRECISE_WITHIN else "imprecise"))
    return offset, spread, verdict


def draw_target(axes, points, title):
    for radius in (0.5, 1.0, 1.5, 2.0, 2.5):
        axes.add_patch(plt.Circle((0, 0), radius, fill=False, color="#999999"))
    axes.scatter(points[:, 0], points[:, 1], s=20, alpha=0.8)
    axes.scatter(*points.mean(axis=0), marker="+", s=300, color="#D55E00", linewidths=3)
    axes.set(xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), aspect="equal", title=title, xticks=[], yticks=[])


shots = shoot(BIAS, SPREAD, SHOTS, SEED)
offset, spread, verdict = summarise(shots)
print(f"Offset of the centre (accuracy): {offset:.2f}; spread around it (precision): {spread:.2f}: {verdict}")
fig, axes = plt.subplots(figsize=(4, 4))
draw_target(axes, shots, "Your shots (+ marks their centre)")
plt.show()"""),
        markdown("## The four classic cases"),
        code("""
cases = [("accurate and precise", 0.0, 0.25), ("accurate, imprecise", 0.0, 1.0),
         ("precise, inaccurate", 1.8, 0.25), ("neither", 1.8, 1.0)]
fig, grid = plt.subplots(2, 2, figsize=(7, 7))
for index, (axes, (name, bias, spread)) in enumerate(zip(grid.ravel(), cases)):
    draw_target(axes, np.clip(shoot(bias, spread, 30, SEED + index), -3.3, 3.3), name)
plt.tight_layout()
plt.show()"""),
        markdown(FOOTER),
    ]


def roc(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    own = own_table(extra, ("label", "score"))
    if own is not None:
        return own_roc(values, own)
    return [
        markdown(f"""
# Thresholds and ROC analysis

From {TALK}. A classifier gives a score; the threshold turns it into decisions. Moving it trades false alarms
against misses, and with rare positives a high accuracy can mean nothing at all."""),
        install_cell(["numpy", "sklearn", "matplotlib"]),
        settings_cell({"THRESHOLD": values["roc.threshold"], "POSITIVE_SHARE": values["roc.positive_share"],
                       "SEPARATION": values["roc.separation"], "SEED": values["roc.seed"]}),
        code("""
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, precision_score, recall_score,
                             roc_auc_score, roc_curve)

SAMPLES = 2000
rng = np.random.default_rng(SEED)
positives = int(round(SAMPLES * POSITIVE_SHARE))
truth = np.concatenate([np.ones(positives, dtype=int), np.zeros(SAMPLES - positives, dtype=int)])
# negatives score around 0 and positives around SEPARATION (unit spread), squashed into (0, 1)
raw = rng.normal(0.0, 1.0, SAMPLES) + SEPARATION * truth - SEPARATION / 2.0
score = 1.0 / (1.0 + np.exp(-raw))

predicted = (score >= THRESHOLD).astype(int)
tn, fp, fn, tp = confusion_matrix(truth, predicted, labels=[0, 1]).ravel()
print(f"accuracy {accuracy_score(truth, predicted):.3f}, precision {precision_score(truth, predicted, zero_division=0):.3f}, "
      f"recall {recall_score(truth, predicted, zero_division=0):.3f}, F1 {f1_score(truth, predicted, zero_division=0):.3f}, "
      f"false positive rate {fp / (fp + tn):.3f}, AUC {roc_auc_score(truth, score):.3f}")
print(f"Confusion matrix: TN {tn}, FP {fp}, FN {fn}, TP {tp}")
lazy = max(truth.mean(), 1 - truth.mean())
print(f"Accuracy of always answering 'negative': {lazy:.3f}"
      + ("  <- the accuracy paradox: it beats the model" if lazy >= accuracy_score(truth, predicted) else ""))"""),
        code("""
fpr, tpr, _ = roc_curve(truth, score)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
bins = np.linspace(0, 1, 41)
left.hist(score[truth == 0], bins=bins, alpha=0.6, label="negative")
left.hist(score[truth == 1], bins=bins, alpha=0.6, label="positive")
left.axvline(THRESHOLD, color="black", linewidth=3)
left.set(xlabel="model score", ylabel="examples", title="Scores by class (right of the line: positive)")
left.legend()
right.plot(fpr, tpr)
right.plot([0, 1], [0, 1], "--", color="#999999")
right.scatter([fp / (fp + tn)], [tp / max(tp + fn, 1)], s=100, color="#D55E00", zorder=3)
right.set(xlabel="false positive rate", ylabel="true positive rate (recall)",
          title=f"ROC curve, AUC {roc_auc_score(truth, score):.3f} (dot: this threshold)")
plt.tight_layout()
plt.show()"""),
        markdown(FOOTER),
    ]


def losses(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# Loss functions

From {TALK}. The loss is what training minimises, so it decides what the model cares about: squared error
chases outliers, absolute and Huber losses shrug them off. A metric is what you report afterwards."""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"OUTLIER_Y": values["loss.outlier_y"], "HUBER_EPSILON": values["loss.huber_epsilon"],
                       "MISLABELLED_X": values["loss.mislabelled_x"]}),
        code("""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import HuberRegressor, LinearRegression, LogisticRegression, QuantileRegressor
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error

rng = np.random.default_rng(0)
x_clean = np.linspace(0.0, 10.0, 20)
y_clean = 1.0 + 0.5 * x_clean + rng.normal(0.0, 0.4, 20)
x = np.append(x_clean, 9.0)  # one outlier at x = 9
y = np.append(y_clean, OUTLIER_Y)
models = {"MSE": LinearRegression(), "MAE": QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs"),
          "Huber": HuberRegressor(epsilon=HUBER_EPSILON, alpha=0.0, max_iter=1000)}
rows = []
for name, model in models.items():
    model.fit(x[:, None], y)
    predicted = model.predict(x_clean[:, None])
    rows.append({"trained with": name, "slope": model.coef_[0], "intercept": model.intercept_,
                 "MSE on clean points": mean_squared_error(y_clean, predicted),
                 "MAE on clean points": mean_absolute_error(y_clean, predicted)})
lines = pd.DataFrame(rows)
lines.round(3)"""),
        code("""
residual = np.linspace(-3, 3, 121)
huber = np.where(np.abs(residual) <= HUBER_EPSILON, residual**2, 2 * HUBER_EPSILON * np.abs(residual) - HUBER_EPSILON**2)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.scatter(x_clean, y_clean, color="#444444", label="data")
left.scatter([9.0], [OUTLIER_Y], marker="^", s=80, color="#444444", label="outlier")
for line in lines.itertuples():
    left.plot([0, 10], [line.intercept, line.intercept + 10 * line.slope], linewidth=3, label=line[1])
left.set(title="One outlier, three fitted lines")
left.legend()
right.plot(residual, residual**2, label="MSE")
right.plot(residual, np.abs(residual), label="MAE")
right.plot(residual, huber, label="Huber")
right.set(xlabel="residual (prediction minus truth)", ylabel="loss", title="What each loss charges for an error")
right.legend()
plt.tight_layout()
plt.show()"""),
        markdown("""
## Log-loss: the loss of classifiers

Log-loss has no ceiling: the further a mislabelled point sits among the positives, the more it costs, and the
model pays for it by becoming less sure of every other point (a flatter curve)."""),
        code("""
rng = np.random.default_rng(0)
points = np.concatenate([rng.normal(-1.5, 1.0, 20), rng.normal(1.5, 1.0, 20), [MISLABELLED_X]])
labels = np.concatenate([np.zeros(20, dtype=int), np.ones(20, dtype=int), [0]])  # a "negative" among positives
classifier = LogisticRegression(C=1e4, max_iter=1000).fit(points[:, None], labels)
boundary = -classifier.intercept_[0] / classifier.coef_[0, 0]
print(f"Mean log-loss {log_loss(labels, classifier.predict_proba(points[:, None])[:, 1]):.3f}; "
      f"the boundary (probability 0.5) is at x = {boundary:.2f}")
grid = np.linspace(-6, 10, 161)
plt.plot(grid, classifier.predict_proba(grid[:, None])[:, 1], linewidth=3)
plt.scatter(points[:-1], labels[:-1], label="clean")
plt.scatter(points[-1:], labels[-1:], color="#D55E00", s=80, label="mislabelled")
plt.axvline(boundary, linestyle="--")
plt.ylabel("predicted probability of class 1")
plt.legend()
plt.show()"""),
        markdown(FOOTER),
    ]


def hypothesis(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# Hypothesis tests: type I and type II errors

From {TALK}. A test asks whether a difference could be chance. Like a criminal trial, it presumes innocence
(no difference) and convicts only on strong evidence, so two kinds of mistake are possible: convicting the
innocent (type I) and letting the guilty walk free (type II)."""),
        install_cell(["numpy", "pandas", "scipy", "matplotlib"]),
        settings_cell({"EFFECT": values["test.effect"], "N_PER_GROUP": values["test.n"],
                       "ALPHA": values["test.alpha"], "SEED": values["test.seed"]}),
        code("""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

EXPERIMENTS = 2000
rng = np.random.default_rng(SEED)
control = rng.normal(0.0, 1.0, (2, EXPERIMENTS, N_PER_GROUP))
treated = rng.normal(0.0, 1.0, (2, EXPERIMENTS, N_PER_GROUP))
treated[1] += EFFECT  # the second batch of experiments has a real difference
null_p, effect_p = stats.ttest_ind(treated, control, axis=2).pvalue
type_one, power = (null_p < ALPHA).mean(), (effect_p < ALPHA).mean()


def analytic_power(effect, n, alpha):
    degrees, shift = 2 * n - 2, effect * np.sqrt(n / 2.0)
    critical = stats.t.ppf(1.0 - alpha / 2.0, degrees)
    return stats.nct.sf(critical, degrees, shift) + stats.nct.cdf(-critical, degrees, shift)


print(f"Type I error rate {type_one:.3f} (should be close to alpha = {ALPHA}), power {power:.3f}, "
      f"type II error rate {1 - power:.3f}, power from theory {analytic_power(EFFECT, N_PER_GROUP, ALPHA):.3f}")
pd.DataFrame({"verdict: acquit (keep H0)": [f"correct: {1 - type_one:.1%}", f"type II error: {1 - power:.1%}"],
              "verdict: convict (reject H0)": [f"type I error: {type_one:.1%}", f"correct (power): {power:.1%}"]},
             index=["truly innocent (no difference)", "truly guilty (real difference)"])"""),
        code("""
sizes = [5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200]
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
bins = np.linspace(0, 1, 21)
left.hist(null_p, bins=bins, alpha=0.6, label="no real difference")
left.hist(effect_p, bins=bins, alpha=0.6, label="real difference")
left.axvline(ALPHA, color="black", linewidth=3)
left.set(xlabel="p-value", ylabel="experiments", title="p-values (left of the line: significant)")
left.legend()
right.plot(sizes, [analytic_power(EFFECT, n, ALPHA) for n in sizes], marker="o")
right.scatter([N_PER_GROUP], [power], s=100, color="#D55E00", zorder=3)
right.set(xlabel="sample size per group", ylabel="power", ylim=(0, 1), title="Power against sample size (dot: simulated)")
plt.tight_layout()
plt.show()"""),
        markdown(FOOTER),
    ]


def baseline(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    own = own_table(extra, ("target",))
    if own is not None:
        return own_baseline(values, own)
    return [
        markdown(f"""
# Baseline first, and value against cost

From {TALK}. Before anything clever, measure something trivial. A model is only worth what it adds over the
baseline, set against everything it costs, and the best solution is not always the complex one."""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"DATASET": values["baseline.dataset"], "FOLDS": values["baseline.folds"],
                       "VALUE_PER_POINT": values["baseline.value_per_point"],
                       "UPKEEP_COST": values["baseline.upkeep_cost"]}),
        code("""
import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

data = {"breast cancer": load_breast_cancer, "wine": load_wine, "digits": load_digits}[DATASET]()
models = {
    "dummy (most frequent)": DummyClassifier(strategy="most_frequent"),
    "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
    "decision tree": DecisionTreeClassifier(random_state=0),
    "small neural network": make_pipeline(StandardScaler(),
                                          MLPClassifier(hidden_layer_sizes=(32,), max_iter=400, random_state=0)),
}
# What each model asks of a team beyond compute, in relative "people" units (skills, upkeep, explaining).
UPKEEP_UNITS = {"dummy (most frequent)": 0, "logistic regression": 1, "decision tree": 1, "small neural network": 4}
splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
rows = []
for name, model in models.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the small network stops early on purpose
        scores = cross_validate(model, data.data, data.target, cv=splitter, scoring="accuracy")
    rows.append({"model": name, "accuracy": scores["test_score"].mean(), "accuracy_std": scores["test_score"].std(),
                 "fit_seconds": scores["fit_time"].mean()})
results = pd.DataFrame(rows)
results.round(4)"""),
        code("""
dummy = results.loc[results.model == "dummy (most frequent)", "accuracy"].iloc[0]
results["points_over_baseline"] = 100 * (results.accuracy - dummy)
results["net_value"] = VALUE_PER_POINT * results.points_over_baseline - results.model.map(UPKEEP_UNITS) * UPKEEP_COST
best, most_accurate = results.loc[results.net_value.idxmax()], results.loc[results.accuracy.idxmax()]
print(f"Best value at these prices: {best.model}; most accurate: {most_accurate.model}")
results.plot.barh(x="model", y="net_value", legend=False, title="Benefit minus upkeep (£/year)")
plt.show()"""),
        markdown(FOOTER),
    ]


def bias(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    own = own_table(extra, ("group", "target"))
    if own is not None:
        return own_bias(values, own)
    return [
        markdown(f"""
# Bias in data

From {TALK}. A model learns most from the rows it sees most. When one group is rare in the training data, its
errors are usually the worst, even though nobody intended it. Both groups here have the same features, but
the outcome depends on them differently in group B; one logistic regression is trained on the mixture and
tested on 2,000 fresh rows of each group."""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"MINORITY_SHARE": values["bias.minority_share"], "TRAIN_ROWS": values["bias.train_rows"],
                       "LABEL_NOISE": values["bias.noise"], "SEED": values["bias.seed"]}),
        code("""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression


def group_data(rng, group, rows):
    features = rng.normal(0.0, 1.0, (rows, 2))
    noise = rng.normal(0.0, LABEL_NOISE, rows)
    if group == "A":
        labels = features[:, 0] + features[:, 1] + noise > 0.0
    else:  # group B's outcome follows another boundary
        labels = features[:, 0] - 0.5 * features[:, 1] + noise > 0.75
    return features, labels.astype(int)


def error_rates(share):
    rng = np.random.default_rng(SEED)
    minority = max(2, int(round(TRAIN_ROWS * share)))
    a, b = group_data(rng, "A", TRAIN_ROWS - minority), group_data(rng, "B", minority)
    model = LogisticRegression().fit(np.vstack([a[0], b[0]]), np.concatenate([a[1], b[1]]))
    rates = {}
    for group in ("A", "B"):
        features, labels = group_data(rng, group, 2000)
        rates[group] = (model.predict(features) != labels).mean()
    return rates


rates = error_rates(MINORITY_SHARE)
print(f"Error rate, group A: {rates['A']:.3f}; group B ({MINORITY_SHARE:.0%} of training rows): {rates['B']:.3f}")"""),
        code("""
shares = [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5]
curve = pd.DataFrame([{"share": share, **error_rates(share)} for share in shares])
curve.plot(x="share", y=["A", "B"], marker="o", xlabel="group B's share of training rows",
           ylabel="error rate on each group's own test set", title="One model, two groups")
plt.axvline(MINORITY_SHARE, linestyle="--", color="grey")
plt.show()"""),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- the four demos on the visitor's own table
# The page passes {"methodology.own_table": {"csv": defused CSV text or None, "name": ..., "columns": {role:
# column}}} beside the usual settings; without it every builder above makes its example-data notebook.

OWN_TABLE_KEY = "methodology.own_table"
EMBED_BYTES = 1_000_000  # a table under this goes inside the notebook; a bigger one is read from my_data.csv
NOTEBOOK_ROOM = 60_000  # bytes the rest of a notebook and the JSON escaping of the table's lines may take
MAX_COLUMN_NAME = 200


@dataclass(frozen=True)
class OwnNotebookTable:
    csv: str | None  # the defused table, or None: the notebook reads my_data.csv
    name: str
    columns: dict[str, str]  # role ("x", "label", ...) -> the column's name as the CSV writes it


def own_table(extra: Mapping[str, object], roles: tuple[str, ...]) -> OwnNotebookTable | None:
    """The visitor's table from the extra settings, checked; None when the notebook is on the example data."""
    raw = extra.get(OWN_TABLE_KEY)
    if not raw:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("columns"), Mapping):
        raise NotebookSettingsError(f"{OWN_TABLE_KEY} must be a mapping with csv, name and columns")
    columns = {}
    for role in roles:
        column = raw["columns"].get(role)
        if not isinstance(column, str) or not column or len(column) > MAX_COLUMN_NAME:
            raise NotebookSettingsError(f"{OWN_TABLE_KEY}: the {role} column must be a column name")
        columns[role] = defused_text(column)
    csv = raw.get("csv")
    if csv is not None and not isinstance(csv, str):
        raise NotebookSettingsError(f"{OWN_TABLE_KEY}: csv must be text")
    if csv is not None and len(csv.encode("utf-8")) + 3 * csv.count("\n") + NOTEBOOK_ROOM > MAX_NOTEBOOK_BYTES:
        csv = None  # over 1 MB once in the notebook: my_data.csv instead
    name = raw.get("name") if isinstance(raw.get("name"), str) else "your table"
    return OwnNotebookTable(csv, name[:MAX_COLUMN_NAME], columns)


def _own_cells(title: str, own: OwnNotebookTable, constants: Mapping[str, UrlValue]) -> list[NotebookNode]:
    """Title, install, the settings (columns included), and the cell that loads the table."""
    cells = [markdown(f"# {title}, on your own table\n\nFrom {TALK}, run on *{escape_markdown(own.name)}*."),
             install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
             settings_cell({**{f"{role.upper()}_COLUMN": column for role, column in own.columns.items()}, **constants})]
    if own.csv is not None:
        cells.append(code(f"""
import io

import pandas as pd

# Your table, as the app read it (cells a spreadsheet would run as formulas start with ').
MY_DATA_CSV = {own.csv!r}
table = pd.read_csv(io.StringIO(MY_DATA_CSV))
table.head()"""))
    else:
        cells.append(markdown(f"Your table is over {EMBED_BYTES // 1_000_000} MB, too big to go inside this notebook: "
                              "download it from the page (**Download your table as my_data.csv**) and put "
                              "`my_data.csv` beside this notebook."))
        cells.append(code('import pandas as pd\n\ntable = pd.read_csv("my_data.csv")\ntable.head()'))
    return cells


def own_overfitting(values: dict[str, UrlValue], own: OwnNotebookTable) -> list[NotebookNode]:
    return [*_own_cells("Over- and under-fitting", own, {
        "DEGREE": values["fit.degree"], "TRAIN_SHARE": values["fit.train_share"], "FOLDS": values["fit.folds"],
        "SEED": values["fit.seed"], "MAX_ROWS": demos.OWN_FIT_ROWS}), code("""
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import KFold, ShuffleSplit

pairs = table[[X_COLUMN, Y_COLUMN]].astype(float).replace([np.inf, -np.inf], np.nan).dropna()
if len(pairs) > MAX_ROWS:  # the page fits a seeded sample of a big table
    pairs = pairs.sample(n=MAX_ROWS, random_state=SEED).sort_index()
pairs = pairs.sort_values(X_COLUMN, kind="stable")
x_raw, y = pairs[X_COLUMN].to_numpy(), pairs[Y_COLUMN].to_numpy()
x = (x_raw - x_raw.min()) / (x_raw.max() - x_raw.min())  # rescaled to [0, 1]: high powers stay well conditioned


def design(x, degree):
    return np.vander(2.0 * x - 1.0, degree + 1, increasing=True)


def fit(x, y, degree):
    coefficients, *_ = np.linalg.lstsq(design(x, degree), y, rcond=None)
    return coefficients


def errors(train, validation, degree):
    coefficients = fit(x[train], y[train], degree)
    return (mean_squared_error(y[train], design(x[train], degree) @ coefficients),
            mean_squared_error(y[validation], design(x[validation], degree) @ coefficients))


train, validation = next(ShuffleSplit(n_splits=1, train_size=TRAIN_SHARE, random_state=SEED).split(x))
folds = list(KFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(x))
results = pd.DataFrame([{"degree": d, "train_mse": errors(train, validation, d)[0],
                         "validation_mse": errors(train, validation, d)[1],
                         "cv_mse": np.mean([errors(t, v, d)[1] for t, v in folds])} for d in range(1, 16)])
print("Best degree on one split:", int(results.loc[results.validation_mse.idxmin(), "degree"]))
print(f"Best degree by {FOLDS}-fold cross-validation:", int(results.loc[results.cv_mse.idxmin(), "degree"]))
grid = np.linspace(0, 1, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.scatter(x_raw, y, s=8, alpha=0.5)
left.plot(x_raw.min() + grid * (x_raw.max() - x_raw.min()), design(grid, DEGREE) @ fit(x[train], y[train], DEGREE))
left.set(xlabel=X_COLUMN, ylabel=Y_COLUMN, title=f"Degree {DEGREE} fitted to the training rows")
for column in ("train_mse", "validation_mse", "cv_mse"):
    right.plot(results.degree, results[column], marker="o", label=column)
right.set(yscale="log", xlabel="polynomial degree", title="Error against model complexity")
right.legend()
plt.show()
results.round(4)"""), markdown(FOOTER)]


def own_roc(values: dict[str, UrlValue], own: OwnNotebookTable) -> list[NotebookNode]:
    return [*_own_cells("Thresholds and ROC", own, {"THRESHOLD": values["roc.threshold"]}), code("""
import matplotlib.pyplot as plt
from sklearn.metrics import roc_auc_score, roc_curve

rows = table[[LABEL_COLUMN, SCORE_COLUMN]].dropna()
negative, positive = sorted(rows[LABEL_COLUMN].unique(), key=str)  # the second value counts as positive
y_true = (rows[LABEL_COLUMN] == positive).astype(int).to_numpy()
score = rows[SCORE_COLUMN].to_numpy(dtype=float)
predicted = score >= THRESHOLD
print(f"AUC: {roc_auc_score(y_true, score):.3f}")
print(pd.DataFrame({"predicted negative": [sum(~predicted & (y_true == 0)), sum(~predicted & (y_true == 1))],
                    "predicted positive": [sum(predicted & (y_true == 0)), sum(predicted & (y_true == 1))]},
                   index=[f"actually {negative}", f"actually {positive}"]))
fpr, tpr, _ = roc_curve(y_true, score)
plt.plot(fpr, tpr)
plt.plot([0, 1], [0, 1], "--", color="grey")
plt.gca().set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curve")
plt.show()"""), markdown(FOOTER)]


def own_baseline(values: dict[str, UrlValue], own: OwnNotebookTable) -> list[NotebookNode]:
    return [*_own_cells("Baseline first", own, {
        "FOLDS": values["baseline.folds"], "VALUE_PER_POINT": values["baseline.value_per_point"],
        "UPKEEP_COST": values["baseline.upkeep_cost"], "MAX_ROWS": demos.OWN_BASELINE_ROWS}), code("""
import warnings

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

features = [c for c in table.columns if c != TARGET_COLUMN and pd.api.types.is_numeric_dtype(table[c])
            and not pd.api.types.is_bool_dtype(table[c])]
rows = table[features + [TARGET_COLUMN]].replace([np.inf, -np.inf], np.nan).dropna()
target = rows[TARGET_COLUMN]
whole = pd.api.types.is_numeric_dtype(target) and bool(np.all(np.mod(target.astype(float), 1.0) == 0.0))
numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
classification = not numeric or (whole and target.nunique() <= min(30, max(2, len(target) // 5)))
if len(rows) > MAX_ROWS:  # the page compares the models on a seeded sample of a big table
    rows = rows.sample(n=MAX_ROWS, random_state=0).sort_index()
X, y = rows[features].to_numpy(dtype=float), rows[TARGET_COLUMN]
if classification:
    y = y.astype(str)
    models = {"dummy (most frequent)": DummyClassifier(strategy="most_frequent"),
              "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
              "decision tree": DecisionTreeClassifier(random_state=0),
              "small neural network": make_pipeline(StandardScaler(), MLPClassifier((32,), max_iter=400, random_state=0))}
    splitter, scoring = StratifiedKFold(FOLDS, shuffle=True, random_state=0), "accuracy"
else:
    models = {"dummy (mean)": DummyRegressor(), "linear regression": make_pipeline(StandardScaler(), LinearRegression()),
              "decision tree": DecisionTreeRegressor(random_state=0),
              "small neural network": make_pipeline(StandardScaler(), MLPRegressor((32,), max_iter=400, random_state=0))}
    splitter, scoring = KFold(FOLDS, shuffle=True, random_state=0), "r2"
upkeep = {"dummy (most frequent)": 0, "dummy (mean)": 0, "logistic regression": 1, "linear regression": 1,
          "decision tree": 1, "small neural network": 4}
results = []
for name, model in models.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_validate(model, X, y, cv=splitter, scoring=scoring)
    results.append({"model": name, scoring: scores["test_score"].mean(), "fit_seconds": scores["fit_time"].mean()})
results = pd.DataFrame(results)
results["points_over_baseline"] = 100 * (results[scoring] - results[scoring].iloc[0])
results["net_value"] = VALUE_PER_POINT * results["points_over_baseline"] - results["model"].map(upkeep) * UPKEEP_COST
print("classification (accuracy)" if classification else "regression (R²)")
results.round(4)"""), markdown(FOOTER)]


def own_bias(values: dict[str, UrlValue], own: OwnNotebookTable) -> list[NotebookNode]:
    return [*_own_cells("Bias in data", own, {"SEED": values["bias.seed"], "MAX_ROWS": demos.OWN_FIT_ROWS,
                                              "TEST_SHARE": demos.OWN_TEST_SHARE}), code("""
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ShuffleSplit

features = [c for c in table.columns if c not in (GROUP_COLUMN, TARGET_COLUMN)
            and pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])]
rows = table[features + [GROUP_COLUMN, TARGET_COLUMN]].replace([np.inf, -np.inf], np.nan).dropna()
if len(rows) > MAX_ROWS:  # the page fits a seeded sample of a big table
    rows = rows.sample(n=MAX_ROWS, random_state=SEED).sort_index()
X = rows[features].to_numpy(dtype=float)
X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
positive = sorted(table[TARGET_COLUMN].dropna().unique(), key=str)[1]
y = (rows[TARGET_COLUMN] == positive).astype(int).to_numpy()
train, test = next(ShuffleSplit(n_splits=1, train_size=1 - TEST_SHARE, random_state=SEED).split(X))
model = LogisticRegression(C=1.0).fit(X[train], y[train])
held_out = rows.iloc[test].assign(wrong=model.predict(X[test]) != y[test])
held_out.groupby(GROUP_COLUMN)["wrong"].agg(error_rate="mean", test_rows="size").round(3)"""), markdown(FOOTER)]
