"""🧭 Methodology: a checklist for a team's own machine-learning problem, and the ideas behind it to play with."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from lib.methodology import demos
from lib.methodology.checklist import (
    MAX_NOTES_CHARS,
    MAX_PROJECT_CHARS,
    STATUSES,
    Answer,
    AnswersError,
    Checklist,
    ChecklistError,
    ChecklistItem,
    answers_from_json,
    answers_to_json,
    blank_answers,
    clean_project_name,
    load_checklist,
    render_report,
    report_file_name,
    section_progress,
)
from lib.methodology.settings import (
    BASELINE,
    BIAS,
    FIT,
    LOSSES,
    PROJECT,
    ROC,
    SETTINGS,
    SHOTS,
    TESTS,
    VIEW,
    VIEWS,
)
from ui.layout import styled_chart
from ui.urlstate import restore_from_url, share_link_ui

CHECKLIST_FILE = Path(__file__).resolve().parents[1] / "data" / "methodology" / "checklist.yaml"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
SIDE_LEGEND = alt.Legend(orient="right", labelLimit=170)  # below a chart it would squeeze the plot
ANSWERS_KEY = "methodology.answers"  # the team's answers: a plain key, so it survives page changes
LOAD_MESSAGE_KEY = "methodology.load_message"
KEPT_SECTION_KEY = "methodology.kept_section"
BASELINE_RUNS_KEY = "methodology.baseline.runs"
EXPERIMENTS = 2000  # simulated experiments per setting: enough for rates to about +-1%


# ------------------------------------------------------------------ cached lib calls


@st.cache_resource(show_spinner=False)
def checklist_content() -> Checklist:
    return load_checklist(CHECKLIST_FILE)


@st.cache_data(show_spinner=False)
def fitting_errors(points: int, noise: float, train_share: float, folds: int, seed: int
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Points and errors for every degree: independent of the degree slider, the one moved most."""
    sample = demos.make_curve_sample(points, noise, seed)
    return (demos.sample_points(sample, train_share, seed),
            demos.train_validation_errors(sample, 15, train_share, seed),
            demos.cross_validated_errors(sample, 15, folds, seed))


@st.cache_data(show_spinner=False)
def fitting_for_degree(points: int, noise: float, degree: int, train_share: float, seed: int
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    sample = demos.make_curve_sample(points, noise, seed)
    return (demos.fitted_curve(sample, degree, train_share, seed),
            demos.split_spread(sample, degree, train_share, 40, seed))


@st.cache_data(show_spinner=False)
def classic_targets(seed: int) -> pd.DataFrame:
    return demos.classic_cases(30, seed)


@st.cache_data(show_spinner=False)
def scored_sample(positive_share: float, separation: float, seed: int) -> demos.ScoredSample:
    return demos.make_scored_sample(2000, positive_share, separation, seed)


@st.cache_data(show_spinner=False)
def roc_results(positive_share: float, separation: float, seed: int) -> tuple[pd.DataFrame, float, pd.DataFrame]:
    sample = scored_sample(positive_share, separation, seed)
    return demos.roc_points(sample), demos.roc_auc(sample), demos.score_histogram(sample)


@st.cache_data(show_spinner=False)
def loss_lines(outlier_y: float, huber_epsilon: float
               ) -> tuple[demos.LineSample, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    sample = demos.make_line_sample(outlier_y, 20, seed=0)
    lines = demos.fit_lines(sample, huber_epsilon)
    return sample, lines, demos.line_metrics(sample, lines), demos.loss_shapes(huber_epsilon)


@st.cache_data(show_spinner=False)
def logistic_fit(mislabelled_x: float) -> demos.LogisticFit:
    """Cached apart from the lines, so dragging the outlier does not refit the classifier."""
    return demos.fit_logistic_with_mislabelled(mislabelled_x, seed=0)


@st.cache_data(show_spinner=False)
def simulated_p_values(effect: float, n_per_group: int, seed: int) -> demos.ExperimentResults:
    """The p-values do not depend on alpha, so moving the alpha slider re-uses them."""
    return demos.simulate_experiments(effect, n_per_group, 0.05, EXPERIMENTS, seed)


@st.cache_data(show_spinner=False)
def baseline_results(dataset: str, folds: int) -> pd.DataFrame:
    return demos.compare_baselines(dataset, folds, seed=0)


@st.cache_data(show_spinner=False)
def bias_rates(minority_share: float, train_rows: int, noise: float, seed: int) -> pd.DataFrame:
    return demos.group_error_rates(minority_share, train_rows, noise, seed)


@st.cache_data(show_spinner=False)
def bias_curve(train_rows: int, noise: float, seed: int) -> pd.DataFrame:
    """Error rates over a grid of shares: independent of the share slider, so moving it costs nothing."""
    return demos.error_rates_by_share((0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5), train_rows, noise, seed)


def colour(field: str, domain: list[str], title: str | None = None) -> alt.Color:
    return alt.Color(f"{field}:N", scale=alt.Scale(domain=domain, range=PALETTE[: len(domain)]), title=title,
                     legend=SIDE_LEGEND)


def why_ui(text: str) -> None:
    st.info(text, icon="💡")


# ------------------------------------------------------------------ the checklist


def answers_state(checklist: Checklist) -> dict[str, Answer]:
    answers = st.session_state.get(ANSWERS_KEY)
    if answers is None:
        answers = blank_answers(checklist)
        st.session_state[ANSWERS_KEY] = answers
    return answers


def load_answers_callback() -> None:
    """Runs before the script, so it may set the checklist's widget values from the file."""
    upload = st.session_state.get("methodology.upload")
    if upload is None:
        return
    try:
        project, answers = answers_from_json(checklist_content(), upload.getvalue())
    except (AnswersError, ChecklistError, OSError) as error:
        st.session_state[LOAD_MESSAGE_KEY] = ("error", f"Those answers were not loaded: {error} Nothing changed.")
        return
    st.session_state[ANSWERS_KEY] = answers
    for item_id, answer in answers.items():
        st.session_state[f"methodology.status.{item_id}"] = answer.status
        st.session_state[f"methodology.notes.{item_id}"] = answer.notes
    if project:
        st.session_state[PROJECT.key] = project
    st.session_state[LOAD_MESSAGE_KEY] = ("success", f"Loaded the answers from {upload.name}.")


def go_to_demo_callback(view: str) -> None:
    st.session_state[VIEW.key] = view


def checklist_item_ui(item: ChecklistItem, answers: dict[str, Answer]) -> None:
    status_key, notes_key = f"methodology.status.{item.item_id}", f"methodology.notes.{item.item_id}"
    saved = answers.get(item.item_id, Answer())
    # Streamlit forgets widgets on pages that were not drawn: reseed them from the kept answers.
    if status_key not in st.session_state:
        st.session_state[status_key] = saved.status
    if notes_key not in st.session_state:
        st.session_state[notes_key] = saved.notes
    with st.container(border=True):
        st.markdown(f"**{item.question}**")
        st.caption(item.why)
        status = st.radio("Status", STATUSES, key=status_key, horizontal=True)
        notes = st.text_area("The team's notes", key=notes_key, height=80,
                             max_chars=MAX_NOTES_CHARS, placeholder="What we know, who to ask, what we decided")
        if item.demo in VIEWS:
            st.button(f"Try it: {VIEWS[item.demo]}", key=f"methodology.go.{item.item_id}",
                      on_click=go_to_demo_callback, args=(item.demo,))
    answers[item.item_id] = Answer(status=status, notes=notes)


def checklist_ui() -> None:
    try:
        checklist = checklist_content()
    except (ChecklistError, OSError) as error:
        st.error(f"The checklist file could not be read, so the checklist is unavailable: {error}")
        return
    answers = answers_state(checklist)
    st.markdown(
        "Work through the talk's six questions for your own problem. Answers stay while you explore the "
        "demos; **save** them as a file to keep them, **load** them next time, and **export** a model-card "
        "style report to share."
    )
    if len(str(st.session_state.get(PROJECT.key, ""))) > MAX_PROJECT_CHARS:  # a hand-made link may carry more
        st.session_state[PROJECT.key] = str(st.session_state[PROJECT.key])[:MAX_PROJECT_CHARS]
    st.text_input("Project name", key=PROJECT.key, persist_state="session", max_chars=MAX_PROJECT_CHARS, placeholder="e.g. Predicting tin prices")
    project = clean_project_name(st.session_state.get(PROJECT.key, ""))

    message = st.session_state.pop(LOAD_MESSAGE_KEY, None)
    if message is not None:
        (st.error if message[0] == "error" else st.success)(message[1])

    section_ids = [section.section_id for section in checklist.sections]
    section_key = "methodology.checklist.section"
    if st.session_state.get(section_key) not in section_ids:
        kept = st.session_state.get(KEPT_SECTION_KEY)
        st.session_state[section_key] = kept if kept in section_ids else section_ids[0]
    titles = {section.section_id: section.title for section in checklist.sections}
    chosen = st.radio("Section", section_ids, key=section_key, horizontal=True, format_func=titles.get)
    st.session_state[KEPT_SECTION_KEY] = chosen  # the radio is forgotten while a demo is shown
    section = next(s for s in checklist.sections if s.section_id == chosen)
    st.subheader(f"{section.title}: {section.question}")
    for item in section.items:
        checklist_item_ui(item, answers)

    st.subheader("Progress")
    for progress in section_progress(checklist, answers):
        st.progress(progress.fraction_done,
                    text=f"{progress.title}: {progress.done} of {progress.applicable} done, {progress.in_progress} in progress")

    st.subheader("Save, load and export")
    saved_json = answers_to_json(checklist, project, answers)
    report = render_report(checklist, project, answers)
    save_column, load_column = st.columns(2)
    with save_column:
        st.download_button("💾 Save answers (JSON)", saved_json, file_name=report_file_name(project, "answers.json"),
                           mime="application/json", key="methodology.save", on_click="ignore")
        st.download_button("📄 Export report (Markdown)", report, file_name=report_file_name(project, "model-card.md"),
                           mime="text/markdown", key="methodology.export", on_click="ignore")
    with load_column:
        st.file_uploader("Load saved answers (JSON)", type=["json"], key="methodology.upload",
                         on_change=load_answers_callback)
    with st.expander("Preview the report"):
        st.markdown(report)


# ------------------------------------------------------------------ 1. over- and under-fitting


def overfitting_ui() -> None:
    why_ui("A model is only useful on data it has not seen: training error always falls as a model grows, "
           "but validation error turns up once the model starts memorising noise.")
    left, right = st.columns(2)
    with left:
        degree = st.slider("Polynomial degree", 1, 15, key="methodology.fit.degree", persist_state="session")
        train_share = st.slider("Share of points used for training", 0.5, 0.9, step=0.05,
                                key="methodology.fit.train_share", persist_state="session")
        folds = st.slider("Cross-validation folds (k)", 2, 10, key="methodology.fit.folds", persist_state="session")
    with right:
        points = st.slider("Number of points", 15, 100, key="methodology.fit.points", persist_state="session")
        noise = st.slider("Noise", 0.05, 0.5, step=0.05, key="methodology.fit.noise", persist_state="session")
        seed = st.slider("Random sample (seed)", 0, 99, key="methodology.fit.seed", persist_state="session")
    sample, errors, cv_errors = fitting_errors(points, noise, train_share, folds, seed)
    curve, spread = fitting_for_degree(points, noise, degree, train_share, seed)
    chosen = errors.loc[errors["degree"] == degree].iloc[0]
    columns = st.columns(4)
    columns[0].metric("Training MSE", f"{chosen.train_mse:.4f}")
    columns[1].metric("Validation MSE", f"{chosen.validation_mse:.4f}")
    columns[2].metric("Best degree (one split)", demos.best_degree(errors, "validation_mse"))
    columns[3].metric(f"Best degree ({folds}-fold CV)", demos.best_degree(cv_errors, "cv_mse"))

    fit_chart = alt.layer(
        alt.Chart(curve).mark_line().encode(x="x:Q", y=alt.Y("y:Q", scale=alt.Scale(domain=[-3, 3])),
                                           color=colour("curve", ["fitted polynomial", "truth"], "curve"),
                                           strokeDash=alt.StrokeDash("curve:N", legend=SIDE_LEGEND)),
        alt.Chart(sample).mark_point(filled=True, size=60).encode(
            x="x:Q", y="y:Q", shape=alt.Shape("role:N", title="point", legend=SIDE_LEGEND)),
    ).properties(title=f"Degree {degree} fitted to the training points", height=320)
    long_errors = pd.concat([
        errors.rename(columns={"train_mse": "MSE"})[["degree", "MSE"]].assign(kind="training"),
        errors.rename(columns={"validation_mse": "MSE"})[["degree", "MSE"]].assign(kind="validation (one split)"),
        cv_errors.rename(columns={"cv_mse": "MSE"})[["degree", "MSE"]].assign(kind=f"{folds}-fold cross-validation"),
    ])
    kinds = ["training", "validation (one split)", f"{folds}-fold cross-validation"]
    error_chart = alt.layer(
        alt.Chart(long_errors).mark_line(point=True).encode(
            x=alt.X("degree:Q", title="polynomial degree"),
            y=alt.Y("MSE:Q", scale=alt.Scale(type="log"), title="mean squared error (log scale)"),
            color=colour("kind", kinds, "error on"), tooltip=["kind", "degree", alt.Tooltip("MSE:Q", format=".4f")]),
        alt.Chart(pd.DataFrame({"degree": [degree]})).mark_rule(strokeDash=[4, 4]).encode(x="degree:Q"),
    ).properties(title="Error against model complexity", height=320)
    left, right = st.columns(2)
    left.altair_chart(styled_chart(fit_chart), width="stretch")
    right.altair_chart(styled_chart(error_chart), width="stretch")

    st.markdown(f"**How much does the score depend on the split?** Degree {degree}, {train_share:.0%} for "
                f"training, {len(spread)} different random splits of the same points:")
    spread_chart = alt.Chart(spread).mark_tick(thickness=2, size=30).encode(
        x=alt.X("validation_mse:Q", scale=alt.Scale(type="log"), title="validation MSE (log scale)"),
        tooltip=["split", alt.Tooltip("validation_mse:Q", format=".4f")],
    ).properties(height=80)
    st.altair_chart(styled_chart(spread_chart), width="stretch")
    st.caption(f"From {spread.validation_mse.min():.4f} to {spread.validation_mse.max():.4f} "
               f"(median {spread.validation_mse.median():.4f}). The meetup's discussion of the best split "
               "was inconclusive, and this is why: the answer moves with the data, the model and luck. "
               "Cross-validation averages over several splits instead of trusting one.")
    share_link_ui([VIEW, *FIT])


# ------------------------------------------------------------------ 2. precision and accuracy


@st.cache_resource(show_spinner=False)
def target_layers(low: float, high: float) -> alt.LayerChart:
    """Rings, shots, their centre and labels from a `demos.target_frame`; the data comes from the caller.

    Built once per extent and shared (read-only: callers wrap it in a new chart), since building costs ~25 ms.
    Equal x and y extents in a square chart keep the rings round.
    """
    scale = alt.Scale(domain=[low, high], clamp=True)
    x, y = alt.X("x:Q", scale=scale, axis=None), alt.Y("y:Q", scale=scale, axis=None)
    rings = alt.Chart().mark_line(color="#999999").encode(
        x=x, y=y, detail=[alt.Detail("target:N"), alt.Detail("ring:N")], order="order:Q"
    ).transform_filter("datum.kind == 'ring'")
    hits = alt.Chart().mark_circle(size=50, color=PALETTE[0], opacity=0.8).encode(
        x=x, y=y).transform_filter("datum.kind == 'shot'")
    centre = alt.Chart().mark_point(shape="cross", size=300, color=PALETTE[5], strokeWidth=3).encode(
        x=x, y=y).transform_filter("datum.kind == 'centre'")
    labels = alt.Chart().mark_text(fontSize=14, baseline="bottom").encode(
        x=x, y=y, text="label:N").transform_filter("datum.kind == 'label'")
    return alt.layer(rings, hits, centre, labels)


def target_chart_ui(frame: pd.DataFrame, low: float, high: float, title: str) -> alt.LayerChart:
    size = 320  # a fixed square keeps targets round; presenter mode scales it, keeping the shape
    # "pad": the plot is exactly size x size and the title sits outside it (Streamlit's default "fit" squashes it)
    return alt.layer(target_layers(low, high), data=frame).properties(
        title=title, width=size, height=size, autosize=alt.AutoSizeParams(type="pad"))


def accuracy_ui() -> None:
    why_ui("Accuracy is how close results are to the truth on average; precision is how close they are to "
           "each other. A model can be precise and still wrong, so measure both.")
    left, right = st.columns([1, 2])
    with left:
        bias = st.slider("Bias (how far the aim is off-centre)", 0.0, 2.5, step=0.1, key="methodology.shots.bias", persist_state="session")
        spread = st.slider("Spread (how much shots scatter)", 0.05, 1.5, step=0.05, key="methodology.shots.spread", persist_state="session")
        count = st.slider("Shots", 5, 200, key="methodology.shots.count", persist_state="session")
        seed = st.slider("Random shots (seed)", 0, 99, key="methodology.shots.seed", persist_state="session")
    shots = demos.shoot_at_target(bias, spread, count, seed)
    summary = demos.summarise_shots(shots)
    with left:
        st.metric("Offset of the centre (accuracy)", f"{summary.offset:.2f}")
        st.metric("Spread around their centre (precision)", f"{summary.spread:.2f}")
        st.markdown(f"These shots are **{summary.verdict}**.")
    own_target = target_chart_ui(demos.target_frame(shots), -3.5, 3.5, "Your shots (✚ marks their centre)")
    right.altair_chart(styled_chart(own_target), width="content")
    extent = demos.PANEL_SPACING + 3.5
    classic = target_chart_ui(classic_targets(seed), -3.5, extent, "The four classic cases")
    st.altair_chart(styled_chart(classic), width="content")
    share_link_ui([VIEW, *SHOTS])


# ------------------------------------------------------------------ 3. thresholds and ROC


def roc_ui() -> None:
    why_ui("A classifier gives a score; the threshold turns it into decisions. Moving it trades false alarms "
           "against misses, and with rare positives a high accuracy can mean nothing at all.")
    columns = st.columns(4)
    threshold = columns[0].slider("Threshold", 0.0, 1.0, step=0.01, key="methodology.roc.threshold", persist_state="session")
    positive_share = columns[1].slider("Share of positives (class balance)", 0.01, 0.5, step=0.01,
                                       key="methodology.roc.positive_share", persist_state="session")
    separation = columns[2].slider("Separation of the classes", 0.0, 4.0, step=0.1, key="methodology.roc.separation", persist_state="session")
    seed = columns[3].slider("Random sample (seed)", 0, 99, key="methodology.roc.seed", persist_state="session")
    sample = scored_sample(positive_share, separation, seed)
    curve, auc, histogram = roc_results(positive_share, separation, seed)
    metrics = demos.threshold_metrics(sample, threshold)
    columns = st.columns(6)
    columns[0].metric("Accuracy", f"{metrics.accuracy:.3f}")
    predicted_positive = metrics.true_positives + metrics.false_positives
    columns[1].metric("Precision", f"{metrics.precision:.3f}" if predicted_positive else "undefined")
    columns[2].metric("Recall", f"{metrics.recall:.3f}")
    columns[3].metric("F1", f"{metrics.f1:.3f}")
    columns[4].metric("False positive rate", f"{metrics.false_positive_rate:.3f}")
    columns[5].metric("AUC", f"{auc:.3f}")

    scores = alt.layer(
        alt.Chart(histogram).mark_bar(opacity=0.6, binSpacing=0).encode(
            x=alt.X("bin_start:Q", title="model score", bin="binned"), x2="bin_end:Q",
            y=alt.Y("count:Q", stack=None, title="examples"), color=colour("class", ["negative", "positive"])),
        alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(strokeWidth=3).encode(x="threshold:Q"),
    ).properties(title="Scores by class (right of the line: positive)", height=300)
    roc = alt.layer(
        alt.Chart(curve).mark_line(color=PALETTE[0]).encode(
            x=alt.X("false_positive_rate:Q", title="false positive rate"),
            y=alt.Y("true_positive_rate:Q", title="true positive rate (recall)")),
        alt.Chart(pd.DataFrame({"a": [0, 1], "b": [0, 1]})).mark_line(strokeDash=[4, 4], color="#999999").encode(
            x="a:Q", y="b:Q"),
        alt.Chart(pd.DataFrame({"fpr": [metrics.false_positive_rate], "tpr": [metrics.recall]})).mark_point(
            size=200, filled=True, color=PALETTE[5]).encode(x="fpr:Q", y="tpr:Q"),
    ).properties(title=f"ROC curve, AUC {auc:.3f} (dot: this threshold)", height=300)
    left, right = st.columns(2)
    left.altair_chart(styled_chart(scores), width="stretch")
    right.altair_chart(styled_chart(roc), width="stretch")

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
    share_link_ui([VIEW, *ROC])


# ------------------------------------------------------------------ 4. loss functions


def losses_ui() -> None:
    why_ui("The loss is what training minimises, so it decides what the model cares about: squared error "
           "chases outliers, absolute and Huber losses shrug them off. A metric is what you report afterwards.")
    columns = st.columns(3)
    outlier_y = columns[0].slider("Move the outlier (its height)", -10.0, 30.0, step=0.5, key="methodology.loss.outlier_y", persist_state="session")
    epsilon = columns[1].slider("Huber threshold (epsilon)", 1.0, 3.0, step=0.05, key="methodology.loss.huber_epsilon", persist_state="session")
    mislabelled_x = columns[2].slider("Where the mislabelled point sits (log-loss)", -2.0, 10.0, step=0.5,
                                      key="methodology.loss.mislabelled_x", persist_state="session")
    sample, lines, metrics, shapes = loss_lines(outlier_y, epsilon)
    logistic = logistic_fit(mislabelled_x)
    points = pd.DataFrame({"x": sample.x, "y": sample.y, "point": ["data"] * (len(sample.x) - 1) + ["outlier"]})
    ends = pd.concat([lines.assign(x=0.0), lines.assign(x=10.0)])
    ends["y"] = ends["intercept"] + ends["slope"] * ends["x"]
    fit_chart = alt.layer(
        alt.Chart(points).mark_point(filled=True, size=70).encode(
            x="x:Q", y="y:Q", shape=alt.Shape("point:N", legend=SIDE_LEGEND), color=alt.value("#444444")),
        alt.Chart(ends).mark_line(strokeWidth=3).encode(
            x="x:Q", y="y:Q", color=colour("loss", list(demos.LOSS_NAMES), "line fitted with")),
    ).properties(title="One outlier, three fitted lines", height=320)
    shape_chart = alt.Chart(shapes).mark_line(strokeWidth=3).encode(
        x=alt.X("residual:Q", title="residual (prediction minus truth)"),
        y=alt.Y("loss:Q", title="loss"), color=colour("name", list(demos.LOSS_NAMES), "loss"),
    ).properties(title="What each loss charges for an error", height=320)
    left, right = st.columns(2)
    left.altair_chart(styled_chart(fit_chart), width="stretch")
    right.altair_chart(styled_chart(shape_chart), width="stretch")
    st.markdown("**Loss against metric.** Each line was trained with one loss; here all three are judged by two "
                "metrics on the ordinary points (without the outlier):")
    st.dataframe(metrics.round(3).assign(slope=lines["slope"].round(3)), hide_index=True)

    st.markdown("**Log-loss**, the loss of classifiers that output a probability, has no ceiling: the further a "
                "mislabelled point sits among the positives, the more it costs, and the model pays for it by "
                "becoming less sure of every other point (a flatter curve).")
    logistic_chart = alt.layer(
        alt.Chart(logistic.curve).mark_line(strokeWidth=3, color=PALETTE[0]).encode(
            x="x:Q", y=alt.Y("probability:Q", title="predicted probability of class 1")),
        alt.Chart(logistic.points).mark_point(filled=True, size=70).encode(
            x="x:Q", y="label:Q", color=colour("kind", ["clean", "mislabelled"], "point")),
        alt.Chart(pd.DataFrame({"x": [logistic.boundary]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q"),
    ).properties(height=260)
    st.altair_chart(styled_chart(logistic_chart), width="stretch")
    st.caption(f"Mean log-loss {logistic.log_loss:.3f}; the boundary (probability 0.5) is at x = {logistic.boundary:.2f}.")
    share_link_ui([VIEW, *LOSSES])


# ------------------------------------------------------------------ 5. hypothesis testing


def hypothesis_ui() -> None:
    why_ui("A test asks whether a difference could be chance. Like a trial, it presumes innocence (no "
           "difference) and convicts only on strong evidence, so two kinds of mistake are possible.")
    columns = st.columns(4)
    effect = columns[0].slider("True effect size (in standard deviations)", 0.0, 1.5, step=0.05,
                               key="methodology.test.effect", persist_state="session")
    n_per_group = columns[1].slider("Sample size per group", 5, 200, key="methodology.test.n", persist_state="session")
    alpha = columns[2].slider("Significance level alpha", 0.01, 0.2, step=0.01, key="methodology.test.alpha", persist_state="session")
    seed = columns[3].slider("Random experiments (seed)", 0, 99, key="methodology.test.seed", persist_state="session")
    results = replace(simulated_p_values(effect, n_per_group, seed), alpha=alpha)
    columns = st.columns(4)
    columns[0].metric("Type I error rate (false alarms)", f"{results.type_one_rate:.3f}", help="Should be close to alpha.")
    columns[1].metric("Power (real effects found)", f"{results.power:.3f}")
    columns[2].metric("Type II error rate (misses)", f"{results.type_two_rate:.3f}")
    columns[3].metric("Power from theory", f"{demos.analytic_power(effect, n_per_group, alpha):.3f}")
    st.caption(f"{EXPERIMENTS:,} simulated experiments with no real difference and {EXPERIMENTS:,} with the "
               "effect above, each judged by a two-sample t-test.")
    histogram = demos.p_value_histogram(results)
    p_chart = alt.layer(
        alt.Chart(histogram).mark_bar(opacity=0.6, binSpacing=0).encode(
            x=alt.X("bin_start:Q", bin="binned", title="p-value"), x2="bin_end:Q",
            y=alt.Y("count:Q", stack=None, title="experiments"),
            color=colour("truth", ["no real difference", "real difference"], "truth")),
        alt.Chart(pd.DataFrame({"alpha": [alpha]})).mark_rule(strokeWidth=3).encode(x="alpha:Q"),
    ).properties(title="p-values (left of the line: significant)", height=300)
    sizes = (5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200)
    power_chart = alt.layer(
        alt.Chart(demos.power_curve(effect, alpha, sizes)).mark_line(point=True, color=PALETTE[0]).encode(
            x=alt.X("n_per_group:Q", title="sample size per group"),
            y=alt.Y("power:Q", scale=alt.Scale(domain=[0, 1]))),
        alt.Chart(pd.DataFrame({"n": [n_per_group], "power": [results.power]})).mark_point(
            size=200, filled=True, color=PALETTE[5]).encode(x="n:Q", y="power:Q"),
    ).properties(title="Power against sample size (dot: simulated)", height=300)
    left, right = st.columns(2)
    left.altair_chart(styled_chart(p_chart), width="stretch")
    right.altair_chart(styled_chart(power_chart), width="stretch")
    st.markdown("**The criminal trial.** The null hypothesis is innocence; rejecting it is a conviction.")
    st.table(demos.trial_table(results))
    share_link_ui([VIEW, *TESTS])


# ------------------------------------------------------------------ 6. baseline first


def baseline_ui() -> None:
    why_ui("Before anything clever, measure something trivial. A model is only worth what it adds over the "
           "baseline, set against everything it costs, and the best solution is not always the complex one.")
    columns = st.columns(4)
    dataset = columns[0].selectbox("Data set (bundled with scikit-learn)", tuple(demos.DATASETS),
                                   key="methodology.baseline.dataset", persist_state="session")
    folds = columns[1].slider("Cross-validation folds", 3, 10, key="methodology.baseline.folds", persist_state="session")
    value_per_point = columns[2].slider("Value of each accuracy point over the baseline (£/year)", 0, 10000,
                                        step=250, key="methodology.baseline.value_per_point", persist_state="session")
    upkeep_cost = columns[3].slider("Upkeep cost per unit of skills and maintenance (£/year)", 0, 20000,
                                    step=500, key="methodology.baseline.upkeep_cost", persist_state="session")
    runs: dict = st.session_state.setdefault(BASELINE_RUNS_KEY, {})
    if st.button("Run the comparison", key="methodology.baseline.run", type="primary"):
        with st.spinner("Cross-validating four models..."):
            runs[(dataset, folds)] = baseline_results(dataset, folds)
    results = runs.get((dataset, folds))
    if results is None:
        st.caption(f"Press the button to cross-validate four models on '{dataset}' with {folds} folds "
                   "(a few seconds; the result is kept).")
        share_link_ui([VIEW, *BASELINE])
        return
    table = demos.value_against_cost(results, value_per_point, upkeep_cost)
    st.dataframe(
        results.assign(accuracy=results.accuracy.round(3), accuracy_std=results.accuracy_std.round(3),
                       fit_seconds=results.fit_seconds.round(4))[["model", "accuracy", "accuracy_std", "fit_seconds"]],
        hide_index=True,
    )
    models = list(results["model"])
    model_colour = alt.Color("model:N", scale=alt.Scale(domain=models, range=PALETTE[: len(models)]), legend=None)
    points = alt.Chart(results).encode(
        x=alt.X("fit_seconds:Q", scale=alt.Scale(type="log"), title="mean fit time per fold (s, log scale)"),
        y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title="cross-validated accuracy"),
        color=model_colour, tooltip=["model", alt.Tooltip("accuracy:Q", format=".3f")])
    accuracy_chart = alt.layer(
        points.mark_point(filled=True, size=200),
        points.mark_text(align="left", dx=10, dy=-10).encode(text="model:N"),
    ).properties(title="Accuracy against compute", height=300)
    value_chart = alt.Chart(table).mark_bar().encode(
        x=alt.X("net_value:Q", title="benefit minus upkeep (£/year)"),
        y=alt.Y("model:N", sort=models, title=None, axis=alt.Axis(labelLimit=220)),
        color=model_colour, tooltip=["model", alt.Tooltip("net_value:Q", format=",.0f")],
    ).properties(title="Value against cost", height=300)
    left, right = st.columns(2)
    left.altair_chart(styled_chart(accuracy_chart), width="stretch")
    right.altair_chart(styled_chart(value_chart), width="stretch")
    best = table.loc[table["net_value"].idxmax()]
    most_accurate = table.loc[table["accuracy"].idxmax()]
    st.markdown(f"Best value at these prices: **{best.model}**; most accurate: **{most_accurate.model}**. "
                "Upkeep units: dummy 0, linear model 1, tree 1, neural network 4 (skills, tuning, explaining it).")
    st.caption("Fit times are measured on this machine, so they vary from run to run.")
    share_link_ui([VIEW, *BASELINE])


# ------------------------------------------------------------------ 7. bias in data


def bias_ui() -> None:
    why_ui("A model learns most from the rows it sees most. When one group is rare in the training data, "
           "its errors are usually the worst, even though nobody intended it.")
    columns = st.columns(4)
    share = columns[0].slider("Group B's share of the training rows", 0.02, 0.5, step=0.01,
                              key="methodology.bias.minority_share", persist_state="session")
    train_rows = columns[1].slider("Training rows", 200, 5000, step=100, key="methodology.bias.train_rows", persist_state="session")
    noise = columns[2].slider("Label noise", 0.0, 1.0, step=0.05, key="methodology.bias.noise", persist_state="session")
    seed = columns[3].slider("Random sample (seed)", 0, 99, key="methodology.bias.seed", persist_state="session")
    rates, by_share = bias_rates(share, train_rows, noise, seed), bias_curve(train_rows, noise, seed)
    columns = st.columns(2)
    for column, row in zip(columns, rates.itertuples(), strict=True):
        column.metric(f"Error rate, group {row.group} ({row.training_rows:,} training rows)", f"{row.error_rate:.3f}")
    rates_chart = alt.Chart(by_share).mark_line(point=True, strokeWidth=3).encode(
        x=alt.X("minority_share:Q", title="group B's share of training rows"),
        y=alt.Y("error_rate:Q", title="error rate on each group's own test set"),
        color=colour("group", ["A", "B"]),
    )
    marker = alt.Chart(pd.DataFrame({"share": [share]})).mark_rule(strokeDash=[4, 4]).encode(x="share:Q")
    st.markdown("**One model, two groups:** error rates as group B becomes better represented "
                "(the dashed line is your setting)")
    st.altair_chart(styled_chart(alt.layer(rates_chart, marker).properties(height=320)), width="stretch")
    st.dataframe(rates.round(3), hide_index=True)
    st.caption("Both groups have the same features, but the outcome depends on them differently in group B; "
               "one logistic regression is trained on the mixture and tested on 2,000 fresh rows of each group.")
    share_link_ui([VIEW, *BIAS])


# ------------------------------------------------------------------ the page

restore_from_url(SETTINGS)

st.title("🧭 Methodology")
st.caption("From the talk “Practical Steps for Building Intelligent Systems” (Data Science Cornwall, 2019)")
st.markdown("Good machine learning starts with questions, not algorithms: **why** (the problem), **what** "
            "(possible solutions), **how** (data and models), **how well**, **value** and **risks**.")
view = st.radio("Show", tuple(VIEWS), key=VIEW.key, persist_state="session", horizontal=True, format_func=VIEWS.get, label_visibility="collapsed")
PAGE_VIEWS = {"checklist": checklist_ui, "overfitting": overfitting_ui, "accuracy": accuracy_ui, "roc": roc_ui,
              "losses": losses_ui, "hypothesis": hypothesis_ui, "baseline": baseline_ui, "bias": bias_ui}
PAGE_VIEWS[view]()
if view == "checklist":
    share_link_ui([VIEW, PROJECT])
