"""The Methodology page under AppTest: real interactions by widget key, numbers checked against scikit-learn.

The page is app_pages/methodology.py; its first view, the checklist, is app_pages/methodology_checklist.py."""
from __future__ import annotations

import json

import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    mean_squared_error,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from streamlit.testing.v1 import AppTest

from app_pages.methodology import STORIES
from lib.methodology import demos
from lib.methodology.checklist import Answer, answers_to_json, blank_answers, load_checklist
from tests.helpers import HOME, PAGE_TIMEOUT_S, ROOT, open_page
from ui.page import NOTEBOOK_LABEL

PAGE = "app_pages/methodology.py"


def metric_values(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def show(at: AppTest, view: str) -> AppTest:
    at.radio(key="methodology.view").set_value(view).run()
    assert not at.exception, at.exception
    return at


def report_text(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("# Model card:"))


def test_page_opens_on_the_checklist() -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert "Methodology" in at.title[0].value
    assert at.radio(key="methodology.view").value == "checklist"
    assert at.radio(key="methodology.status.why.problem").value == "not started"
    assert [p.proto.text for p in at.get("progress")][0].startswith("Why: 0 of 3 done")
    assert STORIES["checklist"].draw.__module__ == "app_pages.methodology_checklist"  # its own module


def test_filling_an_item_updates_progress_and_the_exported_report() -> None:
    at = open_page(PAGE)
    at.text_input(key="methodology.project").input("Tin mine forecast")
    at.radio(key="methodology.status.why.problem").set_value("done")
    at.text_area(key="methodology.notes.why.problem").input("Predict weekly ore output for the smelter")
    at.run()
    assert not at.exception
    assert at.get("progress")[0].proto.text.startswith("Why: 1 of 3 done")
    report = report_text(at)
    assert report.startswith("# Model card: Tin mine forecast")
    assert "(done)" in report and "Predict weekly ore output for the smelter" in report
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["💾 Save answers (JSON)", "📄 Export report (Markdown)", NOTEBOOK_LABEL]


def test_answers_survive_a_visit_to_a_demo_and_another_page() -> None:
    at = open_page(PAGE)
    at.radio(key="methodology.status.why.ml-needed").set_value("in progress")
    at.text_area(key="methodology.notes.why.ml-needed").input("A spreadsheet rule might do")
    at.text_input(key="methodology.project").input("Harbour ferries")
    at.run()
    show(at, "roc")
    at.switch_page("app_pages/welcome.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    show(at, "checklist")
    assert at.radio(key="methodology.status.why.ml-needed").value == "in progress"
    assert at.text_area(key="methodology.notes.why.ml-needed").value == "A spreadsheet rule might do"
    assert at.text_input(key="methodology.project").value == "Harbour ferries"
    # another section and back: its widgets are rebuilt from the kept answers
    at.radio(key="methodology.checklist.section").set_value("risks").run()
    at.radio(key="methodology.status.risks.privacy").set_value("done").run()
    show(at, "bias")
    show(at, "checklist")
    assert at.radio(key="methodology.checklist.section").value == "risks"  # the team returns where it was
    at.radio(key="methodology.checklist.section").set_value("why").run()
    assert at.radio(key="methodology.status.why.ml-needed").value == "in progress"
    assert at.get("progress")[5].proto.text.startswith("Risks: 1 of 4 done")


def test_loading_saved_answers_fills_the_checklist() -> None:
    checklist = load_checklist(ROOT / "data" / "methodology" / "checklist.yaml")
    answers = blank_answers(checklist)
    answers["why.problem"] = Answer("done", "Fewer missed buses")
    saved = answers_to_json(checklist, "Bus times", answers).encode("utf-8")
    at = open_page(PAGE)
    at.file_uploader(key="methodology.upload").set_value(("bus.json", saved, "application/json")).run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Loaded the answers from bus.json."]
    assert at.radio(key="methodology.status.why.problem").value == "done"
    assert at.text_area(key="methodology.notes.why.problem").value == "Fewer missed buses"
    assert at.text_input(key="methodology.project").value == "Bus times"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{definitely not json", "not valid JSON"),
        (json.dumps({"format": "dscl-methodology-answers", "version": 1,
                     "answers": {"why.problem": {"status": "pwned"}}}).encode(), "status of 'why.problem'"),
    ],
)
def test_a_bad_upload_gets_a_clear_message_and_changes_nothing(content: bytes, message: str) -> None:
    at = open_page(PAGE)
    at.radio(key="methodology.status.why.problem").set_value("in progress").run()
    at.file_uploader(key="methodology.upload").set_value(("bad.json", content, "application/json")).run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value and "Nothing changed" in at.error[0].value
    assert at.radio(key="methodology.status.why.problem").value == "in progress"


def test_a_checklist_item_links_to_its_demo() -> None:
    at = open_page(PAGE)
    at.radio(key="methodology.checklist.section").set_value("what").run()
    at.button(key="methodology.go.what.baseline").click().run()
    assert not at.exception
    assert at.radio(key="methodology.view").value == "baseline"
    assert any(b.label == "Run the comparison" for b in at.button)


def test_overfitting_numbers_agree_with_sklearn_and_degree_fifteen_overfits() -> None:
    at = show(open_page(PAGE), "overfitting")
    at.slider(key="methodology.fit.degree").set_value(6).run()
    moderate = metric_values(at)
    # the reference: scikit-learn's own polynomial regression on the same split
    sample = demos.make_curve_sample(30, 0.2, 0)
    train, validation = demos.split_indices(30, 0.7, 0)
    model = make_pipeline(PolynomialFeatures(6), LinearRegression()).fit(2 * sample.x[train, None] - 1, sample.y[train])
    assert moderate["Training MSE"] == f"{mean_squared_error(sample.y[train], model.predict(2 * sample.x[train, None] - 1)):.4f}"
    assert moderate["Validation MSE"] == \
        f"{mean_squared_error(sample.y[validation], model.predict(2 * sample.x[validation, None] - 1)):.4f}"
    at.slider(key="methodology.fit.degree").set_value(15).run()
    high = metric_values(at)
    assert not at.exception
    assert float(high["Training MSE"]) < float(moderate["Training MSE"])
    assert float(high["Validation MSE"]) > 100 * float(moderate["Validation MSE"])
    assert high["Best degree (5-fold CV)"] == "4"


def test_roc_numbers_agree_with_sklearn_and_threshold_zero_gives_recall_one() -> None:
    at = show(open_page(PAGE), "roc")
    at.slider(key="methodology.roc.threshold").set_value(0.3)
    at.slider(key="methodology.roc.positive_share").set_value(0.2).run()
    shown = metric_values(at)
    sample = demos.make_scored_sample(2000, 0.2, 2.0, 0)
    predicted = sample.score >= 0.3
    assert shown["Accuracy"] == f"{accuracy_score(sample.y_true, predicted):.3f}"
    assert shown["Precision"] == f"{precision_score(sample.y_true, predicted):.3f}"
    assert shown["Recall"] == f"{recall_score(sample.y_true, predicted):.3f}"
    assert shown["F1"] == f"{f1_score(sample.y_true, predicted):.3f}"
    assert shown["AUC"] == f"{roc_auc_score(sample.y_true, sample.score):.3f}"
    at.slider(key="methodology.roc.threshold").set_value(0.0).run()
    assert metric_values(at)["Recall"] == "1.000"
    at.slider(key="methodology.roc.threshold").set_value(1.0).run()
    assert metric_values(at)["Precision"] == "undefined"


def test_rare_positives_show_the_accuracy_paradox() -> None:
    at = show(open_page(PAGE), "roc")
    assert not at.warning
    at.slider(key="methodology.roc.positive_share").set_value(0.02).run()
    assert "accuracy paradox" in at.warning[0].value


def test_moving_the_outlier_moves_the_mse_line_more_than_the_others() -> None:
    at = show(open_page(PAGE), "losses")
    before = at.dataframe[0].value.set_index("trained with")["slope"]
    at.slider(key="methodology.loss.outlier_y").set_value(-10.0).run()
    after = at.dataframe[0].value.set_index("trained with")["slope"]
    assert not at.exception
    moved = (after - before).abs()
    assert moved["MSE"] > 0.4 and moved["MAE"] < 0.1 and moved["Huber"] < 0.1


def test_power_rises_when_the_sample_grows() -> None:
    at = show(open_page(PAGE), "hypothesis")
    small = float(metric_values(at)["Power (real effects found)"])
    at.slider(key="methodology.test.n").set_value(120).run()
    large = float(metric_values(at)["Power (real effects found)"])
    assert small < 0.6 < 0.9 < large
    assert abs(float(metric_values(at)["Type I error rate (false alarms)"]) - 0.05) < 0.02
    assert "innocent convicted" in at.table[0].value.iloc[0, 1]


def test_baseline_runs_on_the_button_not_on_a_slider() -> None:
    at = show(open_page(PAGE), "baseline")
    at.selectbox(key="methodology.baseline.dataset").set_value("wine")
    at.slider(key="methodology.baseline.folds").set_value(3).run()
    assert not at.dataframe  # nothing computed until asked
    at.button(key="methodology.baseline.run").click().run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("model")
    assert table.loc["dummy (most frequent)", "accuracy"] == pytest.approx(71 / 178, abs=0.01)
    assert table.loc["logistic regression", "accuracy"] > 0.9
    verdict = next(m.value for m in at.markdown if m.value.startswith("Best value at these prices"))
    assert "**logistic regression**" in verdict
    # when accuracy is worth nothing, the trivial baseline is the best value; no re-run is needed
    at.slider(key="methodology.baseline.value_per_point").set_value(0).run()
    verdict = next(m.value for m in at.markdown if m.value.startswith("Best value at these prices"))
    assert verdict.startswith("Best value at these prices: **dummy (most frequent)**")


def test_the_under_represented_group_shows_the_higher_error() -> None:
    at = show(open_page(PAGE), "bias")
    shown = metric_values(at)
    assert float(shown["Error rate, group B (100 training rows)"]) > float(shown["Error rate, group A (900 training rows)"])
    at.slider(key="methodology.bias.minority_share").set_value(0.5).run()
    assert "Error rate, group B (500 training rows)" in metric_values(at)


def test_a_link_reproduces_a_demo_and_the_project_name() -> None:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.query_params.update({"methodology.view": "roc", "methodology.roc.threshold": "0.0",
                            "methodology.project": "Shared from the meetup"})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.radio(key="methodology.view").value == "roc"
    assert at.slider(key="methodology.roc.threshold").value == 0.0
    assert metric_values(at)["Recall"] == "1.000"
    show(at, "checklist")
    assert at.text_input(key="methodology.project").value == "Shared from the meetup"


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_every_demo_draws_in_presenter_mode_with_big_round_targets() -> None:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.session_state["presenter"] = True  # before the first run, as a visitor's toggle would be
    at.run()
    at.switch_page(PAGE).run()
    for view in ("overfitting", "accuracy", "roc", "losses", "hypothesis", "bias", "checklist"):
        show(at, view)
        assert at.info or view == "checklist", view  # every demo opens with its sentence of why
        specs = chart_specs(at)
        assert all(spec["config"]["axis"]["labelFontSize"] == 18 for spec in specs), view
    show(at, "accuracy")
    assert [(spec["width"], spec["height"]) for spec in chart_specs(at)] == [(480, 480), (480, 480)]


def test_a_hand_made_link_with_bad_values_falls_back_politely() -> None:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.query_params.update({"methodology.view": "nonsense", "methodology.roc.threshold": "7",
                            "methodology.project": "x" * 180})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.radio(key="methodology.view").value == "checklist"
    assert "methodology.view, methodology.roc.threshold" in at.toast[0].value
    assert at.text_input(key="methodology.project").value == "x" * 120


@pytest.mark.parametrize("view", ["overfitting", "accuracy", "roc", "losses", "hypothesis", "bias"])
def test_every_slider_at_its_extremes_draws_without_error(view: str) -> None:
    at = show(open_page(PAGE), view)
    keys = [slider.key for slider in at.slider]
    for end in ("min", "max"):
        for key in keys:
            slider = at.slider(key=key)
            slider.set_value(getattr(slider, end))
        at.run()
        assert not at.exception, (view, end, at.exception)
        assert not at.error, (view, end)


def test_a_demo_keeps_its_sliders_while_another_demo_is_shown() -> None:
    at = open_page(PAGE)
    at.radio(key="methodology.view").set_value("overfitting").run()
    at.slider(key="methodology.fit.degree").set_value(9).run()
    at.radio(key="methodology.view").set_value("roc").run()
    at.slider(key="methodology.roc.threshold").set_value(0.8).run()
    at.radio(key="methodology.view").set_value("hypothesis").run()
    at.switch_page("app_pages/welcome.py").run()
    at.switch_page(PAGE).run()
    at.radio(key="methodology.view").set_value("overfitting").run()
    assert at.slider(key="methodology.fit.degree").value == 9
    at.radio(key="methodology.view").set_value("roc").run()
    assert at.slider(key="methodology.roc.threshold").value == 0.8
