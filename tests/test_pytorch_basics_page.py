"""AppTest runs of app_pages/pytorch_basics.py: every demo driven by its widgets, as a visitor would."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app_pages.pytorch_basics import AUTOGRAD, GPU, KM
from tests.helpers import HOME, PAGE_TIMEOUT_S, open_page, open_tab

PAGE = "app_pages/pytorch_basics.py"


def metric_values(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def page_on_tab(label: str) -> AppTest:
    return open_tab(open_page(PAGE), "pytorch_basics", label)


def test_only_the_open_tab_runs() -> None:
    at = open_page(PAGE)
    assert at.button(key="pytorch_basics.km_next")
    assert not at.get("graphviz_chart")
    at = page_on_tab(AUTOGRAD)
    assert len(at.get("graphviz_chart")) == 1
    assert not [b for b in at.button if b.key == "pytorch_basics.km_next"]


def test_autograd_defaults_show_the_talks_numbers_and_follow_the_x_slider() -> None:
    at = page_on_tab(AUTOGRAD)
    assert not at.exception
    assert metric_values(at)[-3:] == ["3.5", "1.875", "5.75"]
    at.slider(key="pytorch_basics.x").set_value(2.0).run()
    assert metric_values(at)[-3:] == ["2", "0", "-1"]
    assert len(at.get("graphviz_chart")) == 1


def test_hostile_expression_gets_a_message_and_keeps_the_text() -> None:
    at = page_on_tab(AUTOGRAD)
    hostile = "__import__('os').system('id')"
    at.text_input(key="pytorch_basics.expression").set_value(hostile).run()
    assert not at.exception
    assert "Only these functions can be called" in at.error[0].value
    assert at.text_input(key="pytorch_basics.expression").value == hostile


def test_undefined_values_are_explained() -> None:
    at = page_on_tab(AUTOGRAD)
    at.text_input(key="pytorch_basics.expression").set_value("log(x)").run()
    at.slider(key="pytorch_basics.x").set_value(-1.0).run()
    assert not at.exception
    assert "not a number" in at.warning[0].value


def test_classic_examples_give_14_and_64_33() -> None:
    at = page_on_tab(AUTOGRAD)
    at.radio(key="pytorch_basics.example").set_value("Chain rule: y = x², z = 2y + 3").run()
    assert "14" in metric_values(at)
    at.radio(key="pytorch_basics.example").set_value("Two inputs: a and b").run()
    assert not at.exception
    assert metric_values(at)[-2:] == ["64", "33"]


def test_km_machine_learns_step_by_step_and_warns_when_diverging() -> None:
    at = open_page(PAGE)
    at.button(key="pytorch_basics.km_next").click().run()
    assert metric_values(at)[3].startswith("0.5")  # new c after one example, from 0.5
    at.button(key="pytorch_basics.km_all").click().run()
    assert float(metric_values(at)[3]) == __import__("pytest").approx(0.6214, abs=1e-3)
    assert any("0.621" in s.value for s in at.success)
    at.button(key="pytorch_basics.km_reset").click().run()
    at.select_slider(key="pytorch_basics.lr").set_value(2.5).run()
    at.button(key="pytorch_basics.km_all").click().run()
    assert not at.exception
    assert "too large" in at.error[0].value


def test_settings_come_from_the_link_and_bad_values_fall_back() -> None:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.query_params.update({"pytorch_basics.x": "1.5", "pytorch_basics.expression": "x**3", "pytorch_basics.lr": "9", "pytorch_basics.tab": AUTOGRAD})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.slider(key="pytorch_basics.x").value == 1.5
    assert metric_values(at)[-2:] == ["3.375", "6.75"]
    assert "pytorch_basics.lr" in at.toast[0].value
    open_tab(at, "pytorch_basics", KM)
    assert at.select_slider(key="pytorch_basics.lr").value == 0.3


def test_matrix_timing_runs_off_the_script_thread_and_draws_a_chart() -> None:
    at = page_on_tab(GPU)
    at.select_slider(key="pytorch_basics.matmul_max").set_value(256).run()
    at.button(key="pytorch_basics.matmul_run").click().run()
    job = at.session_state["pytorch_basics.matmul_job"]
    job.join(60)
    at.run()
    at.run()
    assert not at.exception
    timings = at.session_state["pytorch_basics.matmul_results"]
    assert {t.size for t in timings} == {32, 64, 128, 256}
    assert {"numpy", "cpu", "pure Python"} <= {t.engine for t in timings}


def test_auto_run_steps_the_machine_on_its_own() -> None:
    at = open_page(PAGE)
    at.slider(key="pytorch_basics.examples").set_value(5).run()
    at.toggle(key="pytorch_basics.km_auto").set_value(True).run()
    assert len(at.session_state["pytorch_basics.km_steps"]) == 1
    for _ in range(6):
        at.run()
    assert not at.exception
    assert len(at.session_state["pytorch_basics.km_steps"]) == 5


def test_settings_survive_moving_between_tabs_and_pages() -> None:
    at = page_on_tab(AUTOGRAD)
    at.text_input(key="pytorch_basics.expression").set_value("x**3").run()
    at.slider(key="pytorch_basics.x").set_value(2.0).run()
    for label in (KM, GPU, KM):
        open_tab(at, "pytorch_basics", label)
    at.select_slider(key="pytorch_basics.lr").set_value(1.5).run()
    open_tab(at, "pytorch_basics", GPU)
    at.switch_page("app_pages/welcome.py").run()
    at.switch_page(PAGE).run()
    open_tab(at, "pytorch_basics", AUTOGRAD)
    assert at.text_input(key="pytorch_basics.expression").value == "x**3"
    assert at.slider(key="pytorch_basics.x").value == 2.0
    assert metric_values(at)[-2:] == ["8", "12"]
    open_tab(at, "pytorch_basics", KM)
    assert at.select_slider(key="pytorch_basics.lr").value == 1.5


def test_the_share_link_carries_the_open_tab_and_every_setting() -> None:
    at = page_on_tab(GPU)
    link = at.code[-1].value
    assert "pytorch_basics.tab=3+%C2%B7+GPU+speed" in link
    for key in ("pytorch_basics.lr", "pytorch_basics.expression", "pytorch_basics.x", "pytorch_basics.matmul_max"):
        assert f"{key}=" in link


def test_each_tab_shows_its_lib_code_in_the_one_common_expander() -> None:
    from ui.page import CODE_BEHIND_LABEL

    at = page_on_tab(AUTOGRAD)
    assert [e.label for e in at.expander if "code behind" in e.label.lower()] == [CODE_BEHIND_LABEL]
    shown = next(e for e in at.expander if e.label == CODE_BEHIND_LABEL).code[0].value
    assert "def gradient_at(" in shown and "def parse_expression(" in shown
    at = open_page(PAGE)
    assert "def train_km_to_miles(" in next(e for e in at.expander if e.label == CODE_BEHIND_LABEL).code[0].value
