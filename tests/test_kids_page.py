"""The Kids' projects page through the router, driven by widget key in each of its four tabs.

The tabs are lazy: only the open one runs, so each test first opens the tab it needs.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.kids import GARDEN, HANDS, SPY, STORIES, TABS, XRAYS
from app_pages.kids_garden import garden_story_ui
from app_pages.kids_hands import hands_story_ui
from app_pages.kids_shared import REAL_CODE
from app_pages.kids_spy import spy_story_ui
from app_pages.kids_xrays import xray_story_ui
from lib.kids.hands import LEFT_COLUMN, RIGHT_COLUMN
from lib.kids.settings import SETTINGS
from lib.kids.xrays import make_cygx3_light_curve
from lib.registry import BY_ID, shown_objects
from tests import helpers
from tests.helpers import HOME, PAGE_TIMEOUT_S, open_page
from tests.swift_bat_files import daily_file, orbit_file
from ui.page import CODE_BEHIND_LABEL, demo_tabs

PAGE = "app_pages/kids.py"


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


@pytest.fixture(scope="module")
def kids() -> AppTest:
    at = open_page(PAGE)
    assert not at.exception, at.exception
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    assert "Rolo tripped" not in texts(at.error)
    return at


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open one project, as a click on its tab does (and the URL follows; a stale kids.tab there would win)."""
    helpers.open_tab(at, "kids", label)
    assert "Rolo tripped" not in texts(at.error)
    return at


def code_expanders(at: AppTest) -> list:
    return [e for e in at.expander if e.label == CODE_BEHIND_LABEL]


def test_page_opens_with_its_title_and_four_projects(kids: AppTest) -> None:
    assert kids.title[0].value == "🐞 Kids' projects"
    assert [tab.label for tab in kids.tabs] == list(TABS)
    assert len(code_expanders(kids)) == 1
    assert {button.key for button in kids.get("download_button")} == {"kids.hands_download", "kids.notebook"}
    open_tab(kids, XRAYS)
    assert len(code_expanders(kids)) == 1
    assert "modelled" in texts(kids.warning)
    assert {button.key for button in kids.get("download_button")} == {"kids.xray_download", "kids.notebook"}


def test_only_the_open_tab_runs() -> None:
    at = open_page(PAGE)
    assert at.session_state["kids.tab"] == HANDS
    assert at.radio(key="kids.hands_guess")
    assert not [s for s in at.slider if s.key == "kids.garden_k"]
    assert not at.main.text_input and not at.main.get("file_uploader")  # the sidebar holds the Room box
    open_tab(at, GARDEN)
    assert at.slider(key="kids.garden_k")
    assert not [r for r in at.radio if r.key == "kids.hands_guess"]
    assert not [b for b in at.button if b.key == "kids.hands_reset"]
    # The link offered opens the same project with every setting, those of closed tabs included.
    link = at.code[-1].value
    assert "kids.tab=%F0%9F%90%9E+Garden+bug+detective&" in link
    assert "kids.spy_message=&" in link and "kids.xray_bins=30" in link and "kids.hands_guess=" in link


def test_moving_between_tabs_keeps_what_a_child_changed() -> None:
    at = open_page(PAGE)
    at.session_state["kids.hands_editor"] = {
        "edited_rows": {0: {LEFT_COLUMN: -2.0}}, "added_rows": [], "deleted_rows": [],
    }
    rerun(at)
    assert "The Thumb on your left hand says -2 cm" in texts(at.warning)
    open_tab(at, SPY)
    at.text_input(key="kids.spy_message").set_value("HI")
    rerun(at)
    open_tab(at, XRAYS)
    at.number_input(key="kids.xray_highest").set_value(2.0)
    at.file_uploader(key="kids.xray_upload").set_value(("notes.txt", b"hello there\n", "text/plain"))
    rerun(at)
    assert "I couldn't read **notes.txt**" in texts(at.error)
    for label in (GARDEN, HANDS):  # the hands table goes to another tab and back
        open_tab(at, label)
    assert "The Thumb on your left hand says -2 cm" in texts(at.warning)
    open_tab(at, SPY)
    assert at.text_input(key="kids.spy_message").value == "HI"
    open_tab(at, XRAYS)
    assert at.number_input(key="kids.xray_highest").value == 2.0
    assert "Still using **notes.txt**" in texts(at.caption)
    assert "I couldn't read **notes.txt**" in texts(at.error)
    assert "kids.xray_highest=2.0" in at.code[-1].value and "kids.spy_message=HI" in at.code[-1].value
    at.radio(key="kids.xray_tool").set_value("Histogram")
    rerun(at)
    at.slider(key="kids.xray_bins").set_value(50)
    rerun(at)
    at.button(key="kids.xray_forget").click()
    rerun(at)
    assert not at.error
    assert "Still using" not in texts(at.caption)
    # A trip to another page and back: the open project and every setting are still there.
    at.switch_page("app_pages/welcome.py")
    rerun(at)
    at.switch_page(PAGE)
    rerun(at)
    assert at.number_input(key="kids.xray_highest").value == 2.0
    assert at.slider(key="kids.xray_bins").value == 50
    open_tab(at, SPY)
    assert at.text_input(key="kids.spy_message").value == "HI"


def test_hands_guess_is_answered_by_the_data(kids: AppTest) -> None:
    open_tab(kids, HANDS)
    assert "your **right** hand is longer" in texts(kids.success)
    kids.radio(key="kids.hands_guess").set_value("Right")
    rerun(kids)
    assert "Your guess was right!" in texts(kids.markdown)
    kids.radio(key="kids.hands_guess").set_value("Left")
    rerun(kids)
    assert "The data disagrees with your guess" in texts(kids.markdown)


def test_hands_edits_with_impossible_values_get_kind_warnings(kids: AppTest) -> None:
    open_tab(kids, HANDS)
    kids.session_state["kids.hands_editor"] = {
        "edited_rows": {0: {LEFT_COLUMN: -3.0}, 1: {RIGHT_COLUMN: 80.0}}, "added_rows": [], "deleted_rows": [],
    }
    rerun(kids)
    warnings = texts(kids.warning)
    assert "The Thumb on your left hand says -3 cm" in warnings
    assert "The Pointer on your right hand says 80 cm" in warnings
    open_tab(kids, SPY)  # the edits survive a trip to another tab and back
    open_tab(kids, HANDS)
    assert texts(kids.warning) == warnings
    kids.button(key="kids.hands_reset").click()
    rerun(kids)
    assert "Thumb" not in texts(kids.warning)


def test_hands_empty_table_asks_for_measurements(kids: AppTest) -> None:
    open_tab(kids, HANDS)
    kids.button(key="kids.hands_blank").click()
    rerun(kids)
    assert texts(kids.warning).count("is empty. Measure it") == 10
    assert "Rolo will tell you which one is longer" in texts(kids.markdown)
    kids.button(key="kids.hands_reset").click()
    rerun(kids)
    assert "is empty" not in texts(kids.warning)


def test_garden_kmeans_and_new_item(kids: AppTest) -> None:
    open_tab(kids, GARDEN)
    kids.slider(key="kids.garden_k").set_value(3)
    kids.slider(key="kids.new_width").set_value(4.0)
    kids.slider(key="kids.new_length").set_value(100.0)
    kids.slider(key="kids.new_weight").set_value(1.0)
    rerun(kids)
    assert "I think it is a **worm**" in texts(kids.success)
    kids.slider(key="kids.new_width").set_value(25.0)
    kids.slider(key="kids.new_length").set_value(35.0)
    kids.slider(key="kids.new_weight").set_value(20.0)
    kids.toggle(key="kids.garden_reveal").set_value(True)
    rerun(kids)
    assert "I think it is a **stone**" in texts(kids.success)
    assert "match the real answer for **120 of 120** items" in texts(kids.markdown)


def test_garden_histogram_columns_can_be_changed(kids: AppTest) -> None:
    open_tab(kids, GARDEN)
    kids.multiselect(key="kids.garden_hist").set_value([])
    rerun(kids)
    assert "Pick at least one measurement" in texts(kids.markdown)
    open_tab(kids, HANDS)
    open_tab(kids, GARDEN)
    assert kids.multiselect(key="kids.garden_hist").value == []
    kids.multiselect(key="kids.garden_hist").set_value(["width_mm", "length_mm"])
    rerun(kids)
    assert "Pick at least one measurement" not in texts(kids.markdown)


def test_spy_adding_copies_makes_the_message_stand_out(kids: AppTest) -> None:
    open_tab(kids, SPY)
    def stand_out() -> float:
        line = next(m.value for m in kids.markdown if "stands out" in m.value)
        return float(line.split("**")[1].split(" ")[0])

    kids.slider(key="kids.spy_added").set_value(1)
    rerun(kids)
    one = stand_out()
    kids.slider(key="kids.spy_added").set_value(20)
    rerun(kids)
    twenty = stand_out()
    assert twenty > 3 * one  # sqrt(20) is about 4.5
    kids.toggle(key="kids.spy_subtract").set_value(True)
    rerun(kids)
    assert "cancels itself out" in texts(kids.markdown)


def test_spy_own_message_is_drawn_and_odd_letters_explained(kids: AppTest) -> None:
    def copies_grid() -> list[str]:
        grid = next(image for image in kids.get("image") if len(image.captions) == 20)
        assert grid.captions[0] == "copy 1"
        return grid.value

    open_tab(kids, SPY)
    janes = copies_grid()
    kids.text_input(key="kids.spy_message").set_value("Hé spy")
    rerun(kids)
    assert "The spy font has no É" in texts(kids.warning)
    assert copies_grid() != janes
    kids.slider(key="kids.spy_noise").set_value(0.0)
    rerun(kids)
    assert "the baddie is asleep" in texts(kids.markdown)


def test_xrays_default_rules_find_the_planted_rows_and_the_beat(kids: AppTest) -> None:
    open_tab(kids, XRAYS)
    assert "This is a Swift/BAT orbit light curve: orbit by orbit, about every 96 minutes." in texts(kids.markdown)
    assert "Your rules found **17 bad rows**" in texts(kids.markdown)
    assert "1 gap(s)" in texts(kids.markdown)
    kids.number_input(key="kids.xray_highest").set_value(2.0)
    kids.checkbox(key="kids.xray_flagged").set_value(False)
    rerun(kids)
    assert "Your rules found **11 bad rows**" in texts(kids.markdown)
    kids.number_input(key="kids.xray_highest").set_value(0.5)
    kids.checkbox(key="kids.xray_flagged").set_value(True)
    kids.radio(key="kids.xray_tool").set_value("Find the beat")
    rerun(kids)
    assert "The strongest beat repeats every **4.79 hours**" in texts(kids.success)


def _chart_rows(at: AppTest, title: str, dataset: str):
    """The rows a chart whose spec carries `title` reads by the name `dataset` (as the browser gets them)."""
    import io
    import json

    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        if title in json.dumps(json.loads(chart.proto.spec).get("title")):
            data = next(each.data.data for each in chart.proto.datasets if each.name == dataset)
            return pa.ipc.open_stream(io.BytesIO(data)).read_all().to_pandas()
    raise AssertionError(f"no chart titled {title!r}")


def test_xrays_charts_read_the_rules_verdicts_from_their_named_rows(kids: AppTest) -> None:
    open_tab(kids, XRAYS)
    kids.radio(key="kids.xray_tool").set_value("Rolling average")
    rerun(kids)
    marked = _chart_rows(kids, "Bad data marked by your rules", "light_curve")
    assert (marked.looks == "bad data").sum() == 17 and len(marked) == len(make_cygx3_light_curve().table)
    clean = _chart_rows(kids, "Clean data", "light_curve")
    assert len(clean) == len(marked) - 17
    kids.number_input(key="kids.xray_highest").set_value(2.0)
    kids.checkbox(key="kids.xray_flagged").set_value(False)
    rerun(kids)
    assert (_chart_rows(kids, "Bad data marked by your rules", "light_curve").looks == "bad data").sum() == 11
    assert len(_chart_rows(kids, "Clean data", "light_curve")) == len(marked) - 11
    average = _chart_rows(kids, "Orange line", "rolling_average")
    assert len(average) == len(marked) - 11 and average["average"].between(0, 2.0).all()
    kids.number_input(key="kids.xray_highest").set_value(0.5)
    kids.checkbox(key="kids.xray_flagged").set_value(True)
    rerun(kids)


def test_xrays_bad_upload_gets_a_kind_message_and_a_good_one_is_used(kids: AppTest) -> None:
    open_tab(kids, XRAYS)
    kids.file_uploader(key="kids.xray_upload").set_value(("notes.txt", b"hello there\n", "text/plain"))
    rerun(kids)
    assert "I couldn't read **notes.txt**" in texts(kids.error)
    rows = "".join(f"{58600 + n * 0.07:.5f} {0.05 + 0.01 * (n % 3):.3f} 0.006 0\n" for n in range(40))
    kids.file_uploader(key="kids.xray_upload").set_value(
        ("cygx3.orbit.lc.txt", b"# TIME RATE ERROR DATA_FLAG\n" + rows.encode(), "text/plain"))
    rerun(kids)
    assert not kids.error
    assert "Your rules found no bad rows" in texts(kids.markdown)


def test_a_shared_link_sets_the_demo_and_odd_values_fall_back_kindly() -> None:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.query_params["kids.garden_k"] = "99"  # beyond the slider: refused
    at.query_params["kids.spy_message"] = "HELLO " * 30
    at.query_params["kids.xray_tool"] = "Find the beat"
    at.query_params["kids.tab"] = GARDEN  # the link opens the project it was copied from
    at.run()
    at.switch_page(PAGE)
    rerun(at)
    assert at.session_state["kids.tab"] == GARDEN
    assert at.slider(key="kids.garden_k").value == 2
    assert "kids.garden_k was not usable" in texts(at.toast)
    open_tab(at, SPY)
    assert "only the first 24 letters are sent" in texts(at.warning)
    open_tab(at, XRAYS)
    assert "The strongest beat repeats every" in texts(at.success)


def test_presenter_mode_draws_every_chart_without_error() -> None:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.session_state["presenter"] = True
    at.run()
    at.switch_page(PAGE)
    rerun(at)
    # The router's CSS is dropped by AppTest on reruns; the charts read the same session flag.
    assert at.session_state["presenter"] is True
    charts = list(at.get("vega_lite_chart"))
    for label in (GARDEN, SPY, XRAYS):
        charts += open_tab(at, label).get("vega_lite_chart")
    assert len(charts) >= 8
    assert all('"labelFontSize":18' in str(chart.proto).replace(" ", "").replace("\\", "") for chart in charts)


def test_xrays_daily_upload_warns_that_the_beat_cannot_show(kids: AppTest) -> None:
    open_tab(kids, XRAYS)
    rows = "".join(f"{58600 + n},{0.05 + 0.01 * (n % 3):.3f},0.002,0\n" for n in range(60))
    kids.file_uploader(key="kids.xray_upload").set_value(("cygx3.daily.csv", ("TIME,RATE,ERROR,DATA_FLAG\n" + rows).encode(),
                                                          "text/csv"))
    kids.radio(key="kids.xray_tool").set_value("Find the beat")
    rerun(kids)
    assert "about 24 hours apart" in texts(kids.warning)
    kids.file_uploader(key="kids.xray_upload").set_value(None)
    rerun(kids)
    assert "hours apart" not in texts(kids.warning)


def test_xrays_orbit_file_as_nasa_writes_it_is_read_in_days_and_finds_the_beat(kids: AppTest) -> None:
    open_tab(kids, XRAYS)
    kids.file_uploader(key="kids.xray_upload").set_value(
        ("CygX-3.orbit.lc.txt", orbit_file(make_cygx3_light_curve().table), "text/plain"))
    kids.radio(key="kids.xray_tool").set_value("Find the beat")
    rerun(kids)
    assert not kids.error and "were not numbers" not in texts(kids.info)  # the units line is no bad row
    assert "orbit by orbit, about every 96 minutes" in texts(kids.markdown)
    assert "Your rules found **17 bad rows**" in texts(kids.markdown)
    assert "The strongest beat repeats every **4.79 hours**" in texts(kids.success)
    kids.file_uploader(key="kids.xray_upload").set_value(None)
    rerun(kids)


def test_xrays_daily_file_says_one_point_a_day_and_shows_no_periodogram(kids: AppTest) -> None:
    open_tab(kids, XRAYS)
    kids.file_uploader(key="kids.xray_upload").set_value(
        ("CygX-3.lc.txt", daily_file(make_cygx3_light_curve().table), "text/plain"))
    kids.radio(key="kids.xray_tool").set_value("Find the beat")
    rerun(kids)
    assert "This is a Swift/BAT daily light curve: one point a day." in texts(kids.markdown)
    assert "about 24 hours apart: too coarse" in texts(kids.warning)
    assert "strongest beat" not in texts(kids.success)
    charts = " ".join(str(chart.proto.spec) for chart in kids.get("vega_lite_chart"))
    assert "How strongly the X-rays repeat" not in charts and "cycle stacked" not in charts
    kids.file_uploader(key="kids.xray_upload").set_value(None)
    rerun(kids)


STORY_MODULES = {HANDS: ("kids_hands.py", hands_story_ui), GARDEN: ("kids_garden.py", garden_story_ui),
                 SPY: ("kids_spy.py", spy_story_ui), XRAYS: ("kids_xrays.py", xray_story_ui)}


@pytest.mark.parametrize("label", TABS)
def test_each_story_is_its_own_module_and_shows_the_code_that_ran(kids: AppTest, label: str) -> None:
    file_name, story = STORY_MODULES[label]
    assert Path(story.__code__.co_filename).name == file_name
    open_tab(kids, label)
    # ui.page's "The code behind this": the source of the lib functions the story ran, which its notebook defines
    [expander] = code_expanders(kids)
    shown = "\n".join(block.value for block in expander.code)
    demo = BY_ID[next(tab.demo for tab in demo_tabs("kids", SETTINGS, STORIES) if tab.label == label)]
    names = [item.__name__ for item in shown_objects(demo.id)]
    assert names and all(f"def {name}(" in shown or f"class {name}" in shown for name in names)
    assert REAL_CODE in texts(kids.caption)  # kids_shared.py's prompt to open it, in a child's words
