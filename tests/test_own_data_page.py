"""The own-table paths under AppTest: the four Methodology demos on an uploaded or pasted table (the views of
app_pages/methodology_own_data.py, drawn inside app_pages/methodology.py when "My own table" is chosen), refusals
that keep the visitor's table and settings, and Garden bug detective on a typed table."""
from __future__ import annotations

import pytest
from sklearn.metrics import roc_auc_score
from streamlit.testing.v1 import AppTest

from app_pages.kids import GARDEN
from app_pages.methodology_own_data import OWN, SHARE_NOTE
from tests.helpers import open_page, open_tab
from tests.test_own_data import PNG, visitor_table
from ui.page import NOTEBOOK_LABEL

PAGE = "app_pages/methodology.py"
UPLOAD = "methodology.own.upload"


def own_demo(at: AppTest, view: str) -> AppTest:
    at.radio(key="methodology.view").set_value(view).run()
    at.radio(key=f"methodology.{view}.source").set_value(OWN).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


@pytest.fixture
def uploaded() -> AppTest:
    """The Methodology page with the visitor's table uploaded in the over-fitting demo."""
    at = own_demo(open_page(PAGE), "overfitting")
    at.file_uploader(key=UPLOAD).set_value(("mine.csv", visitor_table().to_csv(index=False).encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def test_overfitting_runs_on_an_uploaded_table(uploaded: AppTest) -> None:
    assert "Your table: mine.csv, 300 rows and 6 columns." in captions(uploaded)
    assert uploaded.selectbox(key="methodology.own.fit.x").value == "x"
    assert uploaded.selectbox(key="methodology.own.fit.y").value == "other"  # the second numeric column
    uploaded.selectbox(key="methodology.own.fit.y").set_value("y").run()
    uploaded.slider(key="methodology.fit.degree").set_value(7).run()
    assert not uploaded.exception
    shown = metrics(uploaded)
    assert int(shown["Best degree (5-fold CV)"]) >= 3  # a sine over ten units needs more than a line
    assert float(shown["Training MSE"]) < 0.2
    assert SHARE_NOTE in captions(uploaded)
    assert any(button.label == NOTEBOOK_LABEL for button in uploaded.get("download_button"))
    assert not any("No take-home notebook" in caption for caption in captions(uploaded))


def test_roc_runs_on_the_same_table_with_its_threshold(uploaded: AppTest) -> None:
    own_demo(uploaded, "roc")
    assert uploaded.selectbox(key="methodology.own.roc.label").value == "label"
    assert uploaded.selectbox(key="methodology.own.roc.score").value == "probability"
    table = visitor_table()
    expected = roc_auc_score(table["label"] == "yes", table["probability"])
    assert metrics(uploaded)["AUC"] == f"{expected:.3f}"
    uploaded.slider(key="methodology.roc.threshold").set_value(0.9).run()
    confusion = uploaded.table[0].value
    assert int(confusion.to_numpy().sum()) == 300
    assert int(confusion.loc["actually yes", "predicted positive"]) == int((table["probability"] >= 0.9).sum())


def test_baseline_runs_on_the_table_and_says_the_task(uploaded: AppTest) -> None:
    own_demo(uploaded, "baseline")
    uploaded.selectbox(key="methodology.own.baseline.target").set_value("label").run()
    assert any("looks like a **classification** target" in text.value for text in uploaded.markdown)
    uploaded.button(key="methodology.own.baseline.run").click().run(timeout=180)
    assert not uploaded.exception, uploaded.exception
    results = uploaded.dataframe[0].value
    assert results["model"].tolist()[0] == "dummy (most frequent)"
    assert results["accuracy"].max() > results["accuracy"].iloc[0]


def test_bias_runs_on_the_table_per_group(uploaded: AppTest) -> None:
    own_demo(uploaded, "bias")
    assert uploaded.selectbox(key="methodology.own.bias.group").value == "group"
    assert uploaded.selectbox(key="methodology.own.bias.target").value == "label"
    assert any(caption.startswith("Group '") and "held-out rows" in caption for caption in captions(uploaded))
    assert not uploaded.error


def test_a_refused_upload_keeps_the_earlier_table_and_settings(uploaded: AppTest) -> None:
    uploaded.slider(key="methodology.fit.degree").set_value(6).run()
    before = metrics(uploaded)
    # the browser accepts only .csv, .tsv and .txt names: a picture that reaches the app was renamed
    uploaded.file_uploader(key=UPLOAD).set_value(("picture.csv", PNG, "text/csv")).run()
    assert not uploaded.exception
    message = uploaded.error[0].value
    assert message.startswith("picture.csv: This is not a table")
    assert "Still using your earlier table, mine.csv." in message
    assert uploaded.slider(key="methodology.fit.degree").value == 6
    assert metrics(uploaded) == before


def test_a_column_check_refusal_is_one_message_and_the_page_goes_on(uploaded: AppTest) -> None:
    own_demo(uploaded, "roc")
    uploaded.selectbox(key="methodology.own.roc.label").set_value("x").run()
    assert not uploaded.exception
    assert uploaded.error[0].value == ("The true-label column 'x' has 300 different values; a true-label column "
                                       "may have at most 2.")


def test_a_pasted_table_runs_the_roc_demo() -> None:
    at = own_demo(open_page(PAGE), "roc")
    at.text_area(key="methodology.own.paste").input("truth\tscore\n1\t0.9\n0\t0.2\n1\t0.7\n0\t0.4\n1\t0.3\n"
                                                     "0\t0.1\n1\t0.8\n0\t0.6\n1\t0.95\n0\t0.05\n")
    at.button(key="methodology.own.use_paste").click().run()
    assert not at.exception, at.exception
    assert "Your table: pasted table, 10 rows and 2 columns." in captions(at)
    assert metrics(at)["AUC"] == f"{roc_auc_score([1, 0, 1, 0, 1, 0, 1, 0, 1, 0], [0.9, 0.2, 0.7, 0.4, 0.3, 0.1, 0.8, 0.6, 0.95, 0.05]):.3f}"


def test_an_empty_paste_is_refused_with_its_message() -> None:
    at = own_demo(open_page(PAGE), "bias")
    at.button(key="methodology.own.use_paste").click().run()
    assert not at.exception
    assert at.error[0].value == "pasted table: The file is empty: upload or paste a table with a header row."


def test_the_example_data_is_still_the_default() -> None:
    at = open_page(PAGE)
    at.radio(key="methodology.view").set_value("roc").run()
    assert at.radio(key="methodology.roc.source").value == "Example data"
    assert SHARE_NOTE not in captions(at) and "AUC" in metrics(at)


# ---------------------------------------------------------------- the garden on a typed table

EDITOR = "kids.own_garden.editor.0"


def own_garden() -> AppTest:
    at = open_page("kids")
    open_tab(at, "kids", GARDEN)
    at.radio(key="kids.own_garden.source").set_value(OWN).run()
    assert not at.exception, at.exception
    return at


def test_the_garden_runs_on_a_typed_table() -> None:
    at = own_garden()
    # the child types over the first leaf, adds two big stones and deletes a pebble
    at.session_state[EDITOR] = {"edited_rows": {"0": {"width": 3.2}},
                                "added_rows": [{"thing": "stone", "width": 40.0, "length": 50.0},
                                               {"thing": "stone", "width": 42.0, "length": 47.0}],
                                "deleted_rows": [5]}
    at.slider(key="kids.garden_k").set_value(3).run()
    assert not at.exception, at.exception
    assert "7 dots, one per thing: do they sit in clumps?" in captions(at)
    assert "k-means split your 7 things into 3 group(s)." in captions(at)
    assert {slider.key for slider in at.slider} >= {"kids.own_garden.new.width", "kids.own_garden.new.length"}
    at.slider(key="kids.own_garden.new.width").set_value(41.0)
    at.slider(key="kids.own_garden.new.length").set_value(49.0).run()
    stones_group = at.success[0].value
    at.slider(key="kids.own_garden.new.width").set_value(3.0)
    at.slider(key="kids.own_garden.new.length").set_value(7.0).run()
    assert at.success[0].value != stones_group  # a leaf-sized thing is not in the stones' group


def test_the_garden_asks_for_two_number_columns_in_a_childs_words() -> None:
    at = own_garden()
    at.file_uploader(key="kids.own_garden.upload").set_value(("mine.csv", b"name,legs\nspider,8\nant,6\n", "text/csv"))
    at.run()
    assert not at.exception
    assert at.warning[0].value == "Your table needs at least two columns of numbers, like width and length."
    at.file_uploader(key="kids.own_garden.upload").set_value(("photo.csv", PNG, "text/csv")).run()
    assert at.error[0].value.startswith("Rolo can't read that file.")


def test_the_garden_on_a_typed_table_offers_its_notebook() -> None:
    at = own_garden()
    assert any(button.label == NOTEBOOK_LABEL for button in at.get("download_button"))
    assert not any("No take-home notebook" in caption for caption in captions(at))
