"""Notebooks for the Methodology page: the team's checklist, and the seven demonstrations behind it.

Each demonstration's notebook defines the very functions its tab ran (lib/registry.py's `shows`, inserted from
their source with the constants they read), then calls them in short cells and plots the results; the
own-table variants do the same with the functions that ran on the visitor's table.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from lib.core.notebook_cells import (
    FOOTER,
    MAX_NOTEBOOK_BYTES,
    NotebookSettingsError,
    Shown,
    code,
    constants_source,
    definitions_cell,
    escape_markdown,
    install_cell,
    markdown,
    settings_cell,
)
from lib.core.settings import UrlValue
from lib.methodology import demos, own_data, words
from lib.methodology.checklist import (
    AnswersError,
    Checklist,
    answers_from_json,
    blank_answers,
    clean_project_name,
    load_checklist,
    section_progress,
)
from lib.methodology.own_data import (
    OwnDataError,
    check_labels,
    check_probabilities,
    check_rows,
    check_two_classes,
    defused_text,
    numeric_columns,
    sample_rows,
    task_of,
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


def checklist(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
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

From {TALK}. {words.QUESTIONS} These are the team's
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




# ---------------------------------------------------------------- the seven demonstrations
# Each notebook defines exactly the functions its tab shows (lib/registry.py's `shows`), inserted from their own
# source after the imports and the constants they read (those lines too are copied from lib); the glue cells
# only call them and plot.

CODE_NOTE = ("The functions in the next cell are the app's own code for this demo, exactly as it ran on the page: "
             "read them, change them and run the cells again.")
DATA_IMPORTS = "from dataclasses import dataclass\n\nimport matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd"
PLOT_IMPORTS = "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd"


@functools.cache
def definitions(objects: Sequence[object], imports: str, *constants: str) -> list[NotebookNode]:
    """A note, then one cell: the imports, lib's constants, then each function's or class's own source."""
    return [markdown(CODE_NOTE), definitions_cell(objects, imports, *constants)]


# ---------------------------------------------------------------- 1. over- and under-fitting

FIT_ERRORS = """
errors = train_validation_errors(sample, MAX_DEGREE, TRAIN_SHARE, SEED).merge(
    cross_validated_errors(sample, MAX_DEGREE, FOLDS, SEED), on="degree")
print("Best degree on one split:", best_degree(errors, "validation_mse"))
print(f"Best degree by {FOLDS}-fold cross-validation:", best_degree(errors, "cv_mse"))
errors.round(4)"""
ERROR_CURVES = """
errors.plot(x="degree", y=["train_mse", "validation_mse", "cv_mse"], marker="o", logy=True, ax=right,
            xlabel="polynomial degree", ylabel="mean squared error (log)", title="Error against model complexity")
right.axvline(DEGREE, linestyle=":", color="grey")
plt.tight_layout()
plt.show()"""
FIT_PLOT = """
curve, points = fitted_curve(sample, DEGREE, TRAIN_SHARE, SEED), sample_points(sample, TRAIN_SHARE, SEED)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for name, line in curve.groupby("curve"):
    left.plot(line.x, line.y, "--" if name == "truth" else "-", label=name)
for role, group in points.groupby("role"):
    left.scatter(group.x, group.y, label=role)
left.set(title=f"Degree {DEGREE} fitted to the training points", ylim=(-3, 3))
left.legend()""" + ERROR_CURVES
SPLIT_SPREAD = """
spread = split_spread(sample, DEGREE, TRAIN_SHARE, SPLIT_REPEATS, SEED)["validation_mse"]
print(f"Validation MSE of degree {DEGREE} over {SPLIT_REPEATS} splits: from {spread.min():.4f} to {spread.max():.4f} "
      f"(median {spread.median():.4f})")"""


def overfitting(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return own_notebook("overfitting", values, extra) or [
        markdown(f"""
# Over- and under-fitting: train/validation splits and cross-validation

From {TALK}. {words.OVERFITTING_WHY} Here polynomials of degree 1 to 15 are
fitted to noisy points from a hidden curve, cos(1.5πx)."""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"POINTS": values["fit.points"], "NOISE": values["fit.noise"], "DEGREE": values["fit.degree"],
                       "TRAIN_SHARE": values["fit.train_share"], "FOLDS": values["fit.folds"],
                       "SEED": values["fit.seed"]}),
        *definitions(shown, DATA_IMPORTS, constants_source(demos, "MAX_DEGREE", "SPLIT_REPEATS")),
        code("sample = make_curve_sample(POINTS, NOISE, SEED)\n" + FIT_ERRORS.strip()),
        code(FIT_PLOT),
        markdown(f"""
## How much does the score depend on the split?

The same points and degree, forty different random splits: the validation score moves with the data and with
luck. {words.OVERFITTING_SPLITS}"""),
        code(SPLIT_SPREAD),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- 2. precision and accuracy

TARGETS_PLOT = """
targets = [("Your shots (+ marks their centre)", shots)] + [
    (name, shoot_at_target(bias, spread, CLASSIC_SHOTS, SEED + index))
    for index, (name, bias, spread, _, _) in enumerate(CLASSIC_CASES)]
fig, grid = plt.subplots(1, len(targets), figsize=(17, 3.8))
for axes, (title, points) in zip(grid, targets):
    for radius in (0.5, 1.0, 1.5, 2.0, 2.5):
        axes.add_patch(plt.Circle((0, 0), radius, fill=False, color="#999999"))
    axes.scatter(points.x, points.y, s=20, alpha=0.8)
    axes.scatter(points.x.mean(), points.y.mean(), marker="+", s=300, color="#D55E00", linewidths=3)
    axes.set(xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), aspect="equal", title=title, xticks=[], yticks=[])
plt.tight_layout()
plt.show()"""


def accuracy(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# Precision and accuracy

From {TALK}. {words.ACCURACY_WHY} Here, shots at a target: a **bias**
pushes the aim off-centre, a **spread** scatters the shots."""),
        install_cell(["numpy", "pandas", "matplotlib"]),
        settings_cell({"BIAS": values["shots.bias"], "SPREAD": values["shots.spread"],
                       "SHOTS": values["shots.count"], "SEED": values["shots.seed"]}),
        *definitions(shown, DATA_IMPORTS, constants_source(
            demos, "AIM_DIRECTION", "ACCURATE_WITHIN", "PRECISE_WITHIN", "CLASSIC_CASES", "CLASSIC_SHOTS")),
        code("""
shots = shoot_at_target(BIAS, SPREAD, SHOTS, SEED)
summary = summarise_shots(shots)
print(f"Offset of the centre (accuracy): {summary.offset:.2f}; spread around it (precision): {summary.spread:.2f}: "
      f"{summary.verdict}")"""),
        markdown("## Your shots, and the four classic cases"),
        code(TARGETS_PLOT),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- 3. thresholds and ROC

ROC_METRICS = """
metrics = threshold_metrics(sample, THRESHOLD)
print(f"AUC {roc_auc(sample):.3f}; at threshold {THRESHOLD}: accuracy {metrics.accuracy:.3f}, precision "
      f"{metrics.precision:.3f}, recall {metrics.recall:.3f}, F1 {metrics.f1:.3f}, "
      f"false positive rate {metrics.false_positive_rate:.3f}")
print(f"Accuracy of always answering '{negative}': {metrics.majority_accuracy:.3f}"
      + ("  <- the accuracy paradox: it beats the model" if metrics.majority_accuracy >= metrics.accuracy else ""))
pd.DataFrame({"predicted negative": [metrics.true_negatives, metrics.false_negatives],
              "predicted positive": [metrics.false_positives, metrics.true_positives]},
             index=[f"actually {negative}", f"actually {positive}"])"""
ROC_PLOT = """
curve = roc_points(sample)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
bins = np.linspace(0, 1, 41)
left.hist(sample.score[sample.y_true == 0], bins=bins, alpha=0.6, label=negative)
left.hist(sample.score[sample.y_true == 1], bins=bins, alpha=0.6, label=positive)
left.axvline(THRESHOLD, color="black", linewidth=3)
left.set(xlabel="score", ylabel="examples", title="Scores by true class (right of the line: positive)")
left.legend()
right.plot(curve.false_positive_rate, curve.true_positive_rate)
right.plot([0, 1], [0, 1], "--", color="#999999")
right.scatter([metrics.false_positive_rate], [metrics.recall], s=100, color="#D55E00", zorder=3)
right.set(xlabel="false positive rate", ylabel="true positive rate (recall)", title="ROC curve (dot: this threshold)")
plt.tight_layout()
plt.show()"""


def roc(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return own_notebook("roc", values, extra) or [
        markdown(f"""
# Thresholds and ROC analysis

From {TALK}. {words.ROC_WHY}"""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"THRESHOLD": values["roc.threshold"], "POSITIVE_SHARE": values["roc.positive_share"],
                       "SEPARATION": values["roc.separation"], "SEED": values["roc.seed"]}),
        *definitions(shown, DATA_IMPORTS, constants_source(demos, "ROC_SAMPLES")),
        code('sample = make_scored_sample(ROC_SAMPLES, POSITIVE_SHARE, SEPARATION, SEED)\n'
             'negative, positive = "negative", "positive"  # the two classes\' names\n' + ROC_METRICS.strip()),
        code(ROC_PLOT),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- 4. loss functions

LOSS_LINES_PLOT = """
shapes = loss_shapes(HUBER_EPSILON)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.scatter(sample.x[:-1], sample.y[:-1], color="#444444", label="data")
left.scatter(sample.x[-1:], sample.y[-1:], marker="^", s=80, color="#444444", label="outlier")
for line in lines.itertuples():
    left.plot([0, 10], [line.intercept, line.intercept + 10 * line.slope], linewidth=3, label=line.loss)
left.set(title="One outlier, three fitted lines")
left.legend()
for name, shape in shapes.groupby("name", sort=False):
    right.plot(shape.residual, shape.loss, label=name)
right.set(xlabel="residual (prediction minus truth)", ylabel="loss", title="What each loss charges for an error")
right.legend()
plt.tight_layout()
plt.show()"""
LOG_LOSS_PLOT = """
logistic = fit_logistic_with_mislabelled(MISLABELLED_X, seed=0)
print(f"Mean log-loss {logistic.log_loss:.3f}; the boundary (probability 0.5) is at x = {logistic.boundary:.2f}")
plt.plot(logistic.curve.x, logistic.curve.probability, linewidth=3)
for kind, points in logistic.points.groupby("kind"):
    plt.scatter(points.x, points.label, label=kind)
plt.axvline(logistic.boundary, linestyle="--")
plt.ylabel("predicted probability of class 1")
plt.legend()
plt.show()"""


def losses(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# Loss functions

From {TALK}. {words.LOSSES_WHY}"""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"OUTLIER_Y": values["loss.outlier_y"], "HUBER_EPSILON": values["loss.huber_epsilon"],
                       "MISLABELLED_X": values["loss.mislabelled_x"]}),
        *definitions(shown, DATA_IMPORTS,
                     constants_source(demos, "TRUE_SLOPE", "TRUE_INTERCEPT", "OUTLIER_X", "LINE_POINTS")),
        code("""
sample = make_line_sample(OUTLIER_Y, LINE_POINTS, seed=0)
lines = fit_lines(sample, HUBER_EPSILON)
line_metrics(sample, lines).assign(slope=lines["slope"]).round(3)"""),
        code(LOSS_LINES_PLOT),
        markdown(f"""
## Log-loss: the loss of classifiers

Log-loss {words.LOSSES_LOG_LOSS}"""),
        code(LOG_LOSS_PLOT),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- 5. hypothesis testing

P_VALUES_PLOT = """
power = power_curve(EFFECT, ALPHA, POWER_SIZES)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
bins = np.linspace(0, 1, 21)
left.hist(results.null_p_values, bins=bins, alpha=0.6, label="no real difference")
left.hist(results.effect_p_values, bins=bins, alpha=0.6, label="real difference")
left.axvline(ALPHA, color="black", linewidth=3)
left.set(xlabel="p-value", ylabel="experiments", title="p-values (left of the line: significant)")
left.legend()
right.plot(power.n_per_group, power.power, marker="o")
right.scatter([N_PER_GROUP], [results.power], s=100, color="#D55E00", zorder=3)
right.set(xlabel="sample size per group", ylabel="power", ylim=(0, 1), title="Power against sample size (dot: simulated)")
plt.tight_layout()
plt.show()"""


def hypothesis(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [
        markdown(f"""
# Hypothesis tests: type I and type II errors

From {TALK}. {words.HYPOTHESIS_WHY}"""),
        install_cell(["numpy", "pandas", "scipy", "matplotlib"]),
        settings_cell({"EFFECT": values["test.effect"], "N_PER_GROUP": values["test.n"],
                       "ALPHA": values["test.alpha"], "SEED": values["test.seed"]}),
        *definitions(shown, "import functools\n" + DATA_IMPORTS,
                     constants_source(demos, "EXPERIMENTS", "POWER_SIZES")),
        code("""
results = simulate_experiments(EFFECT, N_PER_GROUP, ALPHA, EXPERIMENTS, SEED)
print(f"Type I error rate {results.type_one_rate:.3f} (should be close to alpha = {ALPHA}), power {results.power:.3f}, "
      f"type II error rate {results.type_two_rate:.3f}, power from theory {analytic_power(EFFECT, N_PER_GROUP, ALPHA):.3f}")
trial_table(results)"""),
        code(P_VALUES_PLOT),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- 6. baseline first


def baseline(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return own_notebook("baseline", values, extra) or [
        markdown(f"""
# Baseline first, and value against cost

From {TALK}. {words.BASELINE_WHY}"""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"DATASET": values["baseline.dataset"], "FOLDS": values["baseline.folds"],
                       "VALUE_PER_POINT": values["baseline.value_per_point"],
                       "UPKEEP_COST": values["baseline.upkeep_cost"]}),
        *definitions(shown, "import time\nimport warnings\n\n" + PLOT_IMPORTS,
                     constants_source(demos, "DATASETS", "UPKEEP_UNITS")),
        code("results = compare_baselines(DATASET, FOLDS, seed=0)\nresults.round(4)"),
        code("""
table = value_against_cost(results, VALUE_PER_POINT, UPKEEP_COST)
best, most_accurate = table.loc[table.net_value.idxmax()], table.loc[table.accuracy.idxmax()]
print(f"Best value at these prices: {best.model}; most accurate: {most_accurate.model}")
table.plot.barh(x="model", y="net_value", legend=False, title="Benefit minus upkeep (£/year)")
plt.show()"""),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- 7. bias in data


def bias(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return own_notebook("bias", values, extra) or [
        markdown(f"""
# Bias in data

From {TALK}. {words.BIAS_WHY} {words.BIAS_SET_UP}"""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"MINORITY_SHARE": values["bias.minority_share"], "TRAIN_ROWS": values["bias.train_rows"],
                       "LABEL_NOISE": values["bias.noise"], "SEED": values["bias.seed"]}),
        *definitions(shown, PLOT_IMPORTS, constants_source(demos, "BIAS_SHARES")),
        code("""
rates = group_error_rates(MINORITY_SHARE, TRAIN_ROWS, LABEL_NOISE, SEED).set_index("group")
print(f"Error rate, group A: {rates.error_rate['A']:.3f}; "
      f"group B ({MINORITY_SHARE:.0%} of training rows): {rates.error_rate['B']:.3f}")
rates.round(3)"""),
        code("""
curve = error_rates_by_share(BIAS_SHARES, TRAIN_ROWS, LABEL_NOISE, SEED)
curve.pivot(index="minority_share", columns="group", values="error_rate").plot(
    marker="o", xlabel="group B's share of training rows", ylabel="error rate on each group's own test set",
    title="One model, two groups")
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


OWN_FIT_PLOT = """
points, fitted = own_sample_points(curve, TRAIN_SHARE, SEED), own_fitted_curve(curve, DEGREE, TRAIN_SHARE, SEED)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for role, group in points.groupby("role"):
    left.scatter(group.x, group.y, s=8, alpha=0.5, label=role)
left.plot(fitted.x, fitted.y, linewidth=3, label="fitted polynomial")
left.set(xlabel=X_COLUMN, ylabel=Y_COLUMN, title=f"Degree {DEGREE} fitted to the training rows")
left.legend()""" + ERROR_CURVES


def own_overfitting(values: dict[str, UrlValue], own: OwnNotebookTable) -> list[NotebookNode]:
    objects = (OwnDataError, numeric_columns, check_rows, sample_rows, demos.CurveSample, demos.design_matrix,
               demos.fit_polynomial, demos.predict_polynomial, demos.split_indices, demos.polynomial_errors,
               demos.train_validation_errors, demos.cross_validated_errors, demos.best_degree, demos.sample_points,
               demos.OwnCurve, demos.own_curve_sample, demos.own_fitted_curve, demos.own_sample_points)
    return [
        *_own_cells("Over- and under-fitting", own, {"DEGREE": values["fit.degree"], "TRAIN_SHARE": values["fit.train_share"],
                                                     "FOLDS": values["fit.folds"], "SEED": values["fit.seed"]}),
        *definitions(objects, DATA_IMPORTS, constants_source(own_data, "MIN_ROWS"),
                     constants_source(demos, "MAX_DEGREE", "OWN_FIT_ROWS")),
        code("curve = own_curve_sample(table, X_COLUMN, Y_COLUMN, SEED)\n"
             "sample = curve.sample  # your x rescaled to [0, 1], your y as it is\n" + FIT_ERRORS.strip()),
        code(OWN_FIT_PLOT),
        markdown(FOOTER),
    ]


def own_roc(values: dict[str, UrlValue], own: OwnNotebookTable) -> list[NotebookNode]:
    objects = (OwnDataError, numeric_columns, check_labels, check_two_classes, check_probabilities, check_rows,
               demos.ScoredSample, demos.ThresholdMetrics, demos.threshold_metrics, demos.roc_points, demos.roc_auc,
               demos.own_scored_sample)
    return [
        *_own_cells("Thresholds and ROC", own, {"THRESHOLD": values["roc.threshold"]}),
        *definitions(objects, DATA_IMPORTS, constants_source(own_data, "MAX_LABELS", "MIN_ROWS")),
        code("sample, negative, positive = own_scored_sample(table, LABEL_COLUMN, SCORE_COLUMN)\n" + ROC_METRICS.strip()),
        code(ROC_PLOT),
        markdown(FOOTER),
    ]


def own_baseline(values: dict[str, UrlValue], own: OwnNotebookTable) -> list[NotebookNode]:
    objects = (OwnDataError, numeric_columns, check_labels, check_rows, task_of, sample_rows, demos.baseline_models,
               demos.regression_models, demos.OwnBaselineData, demos.own_baseline_data, demos.compare_own_baselines,
               demos.own_value_against_cost)
    return [
        *_own_cells("Baseline first", own, {"FOLDS": values["baseline.folds"],
                                            "VALUE_PER_POINT": values["baseline.value_per_point"],
                                            "UPKEEP_COST": values["baseline.upkeep_cost"]}),
        *definitions(objects, "import time\nimport warnings\n" + DATA_IMPORTS, constants_source(own_data, "MAX_LABELS", "MIN_ROWS"),
                     constants_source(demos, "UPKEEP_UNITS", "OWN_BASELINE_ROWS", "OWN_UPKEEP_UNITS")),
        code("""
data = own_baseline_data(table, TARGET_COLUMN, seed=0)
results = compare_own_baselines(data, FOLDS, seed=0)
print(f"'{TARGET_COLUMN}' is a {data.task} target, so the models are scored by "
      f"{'accuracy' if data.task == 'classification' else 'R²'} ({len(data.target):,} rows)")
own_value_against_cost(results, VALUE_PER_POINT, UPKEEP_COST).round(4)"""),
        markdown(FOOTER),
    ]


def own_bias(values: dict[str, UrlValue], own: OwnNotebookTable) -> list[NotebookNode]:
    objects = (OwnDataError, numeric_columns, check_labels, check_rows, sample_rows, demos.split_indices,
               demos.own_group_error_rates)
    return [
        *_own_cells("Bias in data", own, {"SEED": values["bias.seed"]}),
        *definitions(objects, PLOT_IMPORTS, constants_source(own_data, "MAX_LABELS", "MIN_ROWS"),
                     constants_source(demos, "OWN_FIT_ROWS", "OWN_TEST_SHARE")),
        code("""
rates = own_group_error_rates(table, GROUP_COLUMN, TARGET_COLUMN, SEED)
rates.plot.barh(x="group", y="error_rate", legend=False, xlabel="error rate on the group's held-out rows",
                title="One model, each group's error rate")
plt.show()
rates.round(3)"""),
        markdown(FOOTER),
    ]


OWN_BUILDERS: Mapping[str, tuple[tuple[str, ...], Callable[[dict[str, UrlValue], OwnNotebookTable], list[NotebookNode]]]] = {
    "overfitting": (("x", "y"), own_overfitting), "roc": (("label", "score"), own_roc),
    "baseline": (("target",), own_baseline), "bias": (("group", "target"), own_bias)}  # the column roles each needs


def own_notebook(demo: str, values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode] | None:
    """The demo's notebook on the visitor's table when the page passed one, else None."""
    roles, build = OWN_BUILDERS[demo]
    own = own_table(extra, roles)
    return None if own is None else build(values, own)


BUILDERS = {  # demo id -> the function that builds its notebook's cells
    "checklist": checklist,
    "overfitting": overfitting,
    "accuracy": accuracy,
    "roc": roc,
    "losses": losses,
    "hypothesis": hypothesis,
    "baseline": baseline,
    "bias": bias,
}
