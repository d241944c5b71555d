"""PyTorch basics: a one-number learning machine, autograd on any formula, and the GPU's speed-up."""
from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd
import streamlit as st

from lib.background.jobs import BackgroundJob, WorkerTask
from lib.core.device import describe_device, pick_device
from lib.core.palette import BLUE, VERMILLION
from lib.core.parsing import PYTHON_PARSING
from lib.core.settings import by_key
from lib.pytorch_basics import words
from lib.pytorch_basics.kmmiles import (
    DIVERGENCE_RATE,
    MILES_PER_KM,
    START_C,
    is_diverging,
    next_step,
    train_km_to_miles,
)
from lib.pytorch_basics.settings import EXAMPLES, MATMUL_SIZES, PLOT_HALF_WIDTH, SETTINGS
from lib.registry import tab_label, tab_labels
from ui.errors import LOG_HINT, visitor_message
from ui.job_progress import job_poller_ui, job_running, submit_job
from ui.km_miles_examples import km_examples
from ui.page import chart_ui, demo_tabs, kept_chart_ui, page_ui
from ui.widgets import radio, select_slider, slider, text_input

if TYPE_CHECKING:
    from lib.pytorch_basics.matmul import MatmulTiming

SETTING = by_key(SETTINGS)
EXPRESSION_FAILED = "it is not a formula in x that I can read."
TIMING_FAILED = f"The timing run stopped with an error. {LOG_HINT}"
TABS = tab_labels("pytorch_basics")
KM = tab_label("km_miles")
AUTOGRAD = tab_label("autograd")
GPU = tab_label("matmul")
STEPS_KEY, MATMUL_JOB_KEY, MATMUL_RESULTS_KEY = (
    "pytorch_basics.km_steps", "pytorch_basics.matmul_job", "pytorch_basics.matmul_results")
TALK = "From the talk “Hands-On Introduction to PyTorch” (first half)"


# ---------------------------------------------------------------- helpers


def _km_steps() -> list:
    return st.session_state.setdefault(STEPS_KEY, [])


def _advance_km_machine() -> None:
    steps = _km_steps()
    examples = km_examples(count=st.session_state["pytorch_basics.examples"])
    if len(steps) < len(examples):
        steps.append(next_step(steps, examples, st.session_state["pytorch_basics.lr"]))


def _km_finished() -> bool:
    steps = _km_steps()
    return len(steps) >= len(km_examples(count=st.session_state["pytorch_basics.examples"])) or is_diverging(steps)


def _number(value: float) -> str:
    """Six significant figures, and no "-0" where a float came out as negative zero."""
    return f"{value + 0.0:.6g}"


def km_error_chart(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("step:Q", title="example number"), y=alt.Y("size of error (miles):Q")
    ).properties(title="The error falls as the machine learns", height=260)


def km_c_chart(frame: pd.DataFrame) -> alt.LayerChart:
    c_line = alt.Chart(frame).mark_line(point=True, color=BLUE).encode(
        x=alt.X("step:Q", title="example number"), y=alt.Y("c:Q", title="c after the step"))
    target = alt.Chart(pd.DataFrame({"c": [MILES_PER_KM]})).mark_rule(strokeDash=[6, 4], color=VERMILLION).encode(
        y=alt.Y("c:Q"))
    return (c_line + target).properties(title="c heads for 0.621 (dashed)", height=260)


def km_charts_ui(steps: list) -> None:
    frame = pd.DataFrame({"step": [s.step for s in steps], "size of error (miles)": [abs(s.error) for s in steps],
                          "c": [s.c_after for s in steps]})
    left, right = st.columns(2)
    first, last = frame.iloc[0], frame.iloc[-1]
    chart_ui(km_error_chart(frame), f"The error went from {first['size of error (miles)']:.2f} miles at the first "
             f"example to {last['size of error (miles)']:.2f} at example {int(last['step'])}.", frame, container=left)
    chart_ui(km_c_chart(frame), f"c is now {last['c']:.4f}; the true value is {MILES_PER_KM}.", frame,
             container=right)


CURVE, TANGENT, POINT = "curve", "tangent", "point"  # the rows the tangent chart reads by name


def tangent_chart() -> alt.LayerChart:
    """The curve (rows named CURVE), its tangent (TANGENT) and the point (POINT); each drawing titles it."""
    base = alt.Chart(alt.NamedData(CURVE)).mark_line(color=BLUE).encode(x=alt.X("x:Q"), y=alt.Y("y:Q", title="y"))
    tangent_line_chart = alt.Chart(alt.NamedData(TANGENT)).mark_line(color=VERMILLION, strokeWidth=3).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"))
    point = alt.Chart(alt.NamedData(POINT)).mark_point(size=120, filled=True, color=VERMILLION).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"))
    return (base + tangent_line_chart + point).properties(height=340, title="y = x and its tangent")


def tangent_rows(expression: str, x0: float, y0: float, slope: float) -> dict[str, pd.DataFrame]:
    """The curve around x0, its tangent there and the point: the rows of `tangent_chart`."""
    from lib.pytorch_basics.autograd import curve_near, tangent_line

    # A window around x keeps the tangent readable; the whole slider range can dwarf it.
    with PYTHON_PARSING:  # the formula is parsed with ast
        xs, ys = curve_near(expression, x0, PLOT_HALF_WIDTH)
    tangent_xs, tangent_ys = tangent_line(x0, y0, slope)
    return {CURVE: pd.DataFrame({"x": xs, "y": ys}), TANGENT: pd.DataFrame({"x": tangent_xs, "y": tangent_ys}),
            POINT: pd.DataFrame({"x": [x0], "y": [y0]})}


def matmul_chart(timings: list[MatmulTiming]) -> tuple[alt.Chart, pd.DataFrame]:
    frame = pd.DataFrame([{"engine": t.engine, "size": t.size, "milliseconds": t.seconds * 1e3} for t in timings])
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("size:Q", scale=alt.Scale(type="log", base=2), title="matrix size (n × n)"),
        y=alt.Y("milliseconds:Q", scale=alt.Scale(type="log"), title="time for one product (ms, log scale)"),
        color=alt.Color("engine:N", scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("engine"), alt.Tooltip("size"), alt.Tooltip("milliseconds:Q", format=".4g")],
    ).properties(height=360)
    return chart, frame


# ---------------------------------------------------------------- 1. kilometres to miles


def km_machine_ui() -> None:
    steps = _km_steps()
    examples = km_examples(count=st.session_state["pytorch_basics.examples"])
    buttons = st.columns(3)
    if buttons[0].button("Ask the next example ▶", key="pytorch_basics.km_next", disabled=len(steps) >= len(examples)):
        _advance_km_machine()
    if buttons[1].button("Run all the rest ⏩", key="pytorch_basics.km_all", disabled=len(steps) >= len(examples)):
        steps[:] = train_km_to_miles(examples, st.session_state["pytorch_basics.lr"], steps)
    if buttons[2].button("Start again ↺", key="pytorch_basics.km_reset"):
        steps.clear()
    if not steps:
        st.info(f"The machine starts with c = {START_C}, so it thinks 100 km is 50 miles. Ask it a question.")
        return
    last = steps[-1]
    cols = st.columns(4)
    cols[0].metric("Question: how many miles is…", f"{last.km:g} km")
    cols[1].metric("Machine says", f"{last.answer:.2f} miles")
    cols[2].metric("Error (true − answer)", f"{last.error:+.2f} miles", help=f"The true answer is {last.true_miles:.2f}.")
    cols[3].metric("New c", f"{last.c_after:.4f}", delta=f"{last.c_after - last.c_before:+.4f}")
    if is_diverging(steps):
        st.error(
            f"The error is growing, not shrinking: a learning rate of {st.session_state['pytorch_basics.lr']} is too large. "
            f"Each correction overshoots the answer by more than the error it fixes (above {DIVERGENCE_RATE:g} this "
            "always happens here), so c swings further each time. Pick a smaller rate and start again."
        )
    elif abs(last.c_after - MILES_PER_KM) < 0.001:
        st.success(f"c = {last.c_after:.4f}: the machine has learned that 1 km is about {MILES_PER_KM} miles.")
    km_charts_ui(steps)
    table = pd.DataFrame([vars(s) for s in steps]).rename(columns={
        "step": "#", "km": "question (km)", "true_miles": "true miles", "answer": "machine's answer",
        "error": "error", "c_before": "c before", "c_after": "c after"})
    st.dataframe(table, hide_index=True, width="stretch", height=220)


def km_auto_run_ui() -> None:
    if st.session_state.get("pytorch_basics.km_auto") and not _km_finished():
        _advance_km_machine()
        if _km_finished():
            st.rerun()  # a full rerun re-creates the fragment without its timer, so polling stops
    km_machine_ui()


KM_AUTO_SWITCHED_KEY = "pytorch_basics.km_auto_switched"


def _km_auto_switched() -> None:
    st.session_state[KM_AUTO_SWITCHED_KEY] = True


def km_tab_ui() -> None:
    st.markdown(
        "A machine that converts kilometres to miles by multiplying by one number, **c**. We pretend we do not "
        f"know c, so the machine starts at **c = {START_C}**. Each known-good example (a distance and its true "
        "miles) shows the machine its **error**, and the error tells it which way to move c, and how far: "
        "`new c = c + learning rate × error ÷ km`. That is learning from examples."
    )
    left, right = st.columns(2)
    select_slider(SETTING["pytorch_basics.lr"], "Learning rate: how boldly c is corrected", container=left,
                  help="1 fixes each example exactly; above 2 every step overshoots more than the last.")
    slider(SETTING["pytorch_basics.examples"], "How many known-good examples", container=right,
           on_change=lambda: _km_steps().clear())
    auto = st.toggle("Auto-run, one example every half second", key="pytorch_basics.km_auto", on_change=_km_auto_switched)
    if st.session_state.pop(KM_AUTO_SWITCHED_KEY, False) and not auto:
        st.rerun(scope="app")  # only a full run stops the browser's timer: a tab rerun would leave it ticking
    st.fragment(run_every=0.5 if auto and not _km_finished() else None)(km_auto_run_ui)()


# ---------------------------------------------------------------- 2. autograd playground


def own_formula_ui() -> None:
    from lib.pytorch_basics.autograd import (
        ALLOWED_TEXT,
        ExpressionError,
        analyse_expression,
        explain_non_finite,
    )

    text_input(SETTING["pytorch_basics.expression"], "Your formula in x", max_chars=200, help=ALLOWED_TEXT)
    slider(SETTING["pytorch_basics.x"], "x", step=0.05)
    expression, x = st.session_state["pytorch_basics.expression"], st.session_state["pytorch_basics.x"]
    try:
        with PYTHON_PARSING:  # the formula is parsed with ast
            result = analyse_expression(expression, x)
    except ExpressionError as error:
        st.error(f"I can't evaluate that: {visitor_message(error, EXPRESSION_FAILED)}")
        return
    cols = st.columns(3)
    cols[0].metric("x", f"{x:g}")
    cols[1].metric("y", _number(result.value))
    cols[2].metric("dy/dx (from autograd)", _number(result.gradient))
    note = explain_non_finite(result.value, result.gradient)
    if note:
        st.warning(note)
    else:
        rows = tangent_rows(expression, x, result.value, result.gradient)
        kept_chart_ui(tangent_chart, (), f"At x = {x:g} the curve is at y = {_number(result.value)} and climbs "
                      f"{_number(result.gradient)} for each step in x: the tangent's slope, which autograd found.",
                      rows[CURVE].iloc[::20], datasets=rows, title=f"y = {expression} and its tangent at x = {x:g}")
    st.markdown("**The computation graph PyTorch recorded** (read upwards: `.backward()` walks it downwards)")
    st.graphviz_chart(result.graph_dot)


def chain_ui() -> None:
    from lib.pytorch_basics.autograd import chain_example

    slider(SETTING["pytorch_basics.x"], "x", step=0.05)
    x = st.session_state["pytorch_basics.x"]
    y, z, dz_dx, dot = chain_example(x)
    cols = st.columns(4)
    cols[0].metric("x", f"{x:g}")
    cols[1].metric("y = x²", _number(y))
    cols[2].metric("z = 2y + 3", _number(z))
    cols[3].metric("dz/dx", _number(dz_dx), help="By the chain rule dz/dx = dz/dy · dy/dx = 2 · 2x = 4x.")
    st.graphviz_chart(dot)


def two_inputs_ui() -> None:
    from lib.pytorch_basics.autograd import two_input_example

    left, right = st.columns(2)
    slider(SETTING["pytorch_basics.a"], "a", step=0.5, container=left)
    slider(SETTING["pytorch_basics.b"], "b", step=0.5, container=right)
    result = two_input_example(st.session_state["pytorch_basics.a"], st.session_state["pytorch_basics.b"])
    st.markdown("x = 2a + 3b, y = 5a² + 3b³, z = 2x + 3y")
    cols = st.columns(5)
    for col, name in zip(cols[:3], ("x", "y", "z"), strict=True):
        col.metric(name, _number(result.values[name]))
    cols[3].metric("dz/da", _number(result.dz_da), help="2·2 + 3·10a")
    cols[4].metric("dz/db", _number(result.dz_db), help="2·3 + 3·9b²")
    st.graphviz_chart(result.graph_dot)


def autograd_tab_ui() -> None:
    # PyTorch is imported by this tab's functions, not with the page: the first tab needs none of it.
    st.markdown(words.AUTOGRAD_WHY)
    example = radio(SETTING["pytorch_basics.example"], "Example", horizontal=True)
    {EXAMPLES[0]: own_formula_ui, EXAMPLES[1]: chain_ui, EXAMPLES[2]: two_inputs_ui}[example]()


# ---------------------------------------------------------------- 3. GPU speed


def matmul_progress_ui(job: BackgroundJob | None) -> None:
    if job is None:
        return
    if job.running:
        fraction, message = job.latest() or (0.0, "starting")
        st.progress(fraction, text=f"Timing {message}…")
    elif job.error is not None:
        st.error(visitor_message(job.error, TIMING_FAILED))


def keep_matmul_results(job: BackgroundJob) -> None:
    if job.error is None:
        st.session_state[MATMUL_RESULTS_KEY] = job.result


def gpu_tab_ui() -> None:
    from lib.pytorch_basics.matmul import matmul_sweep_task

    device = pick_device()
    st.markdown(f"This app is computing on **{describe_device(device).label}**. {words.MATMUL_WHY}")
    if device.type == "cpu":
        st.info("No GPU here (CUDA or Apple MPS), so the chart compares pure Python, numpy and PyTorch on the CPU. "
                "On a machine with a GPU its line appears too.")
    largest = select_slider(SETTING["pytorch_basics.matmul_max"], "Largest matrix to time")
    sizes = [size for size in MATMUL_SIZES if size <= largest]
    if st.button("Time the matrix products ⏱", key="pytorch_basics.matmul_run", disabled=job_running(MATMUL_JOB_KEY)):
        submit_job(MATMUL_JOB_KEY, lambda owner_alive: BackgroundJob(  # in a worker process: it finds the devices
            WorkerTask(matmul_sweep_task, {"sizes": sizes}), name="matmul-timing", owner_alive=owner_alive))
    job_poller_ui(MATMUL_JOB_KEY, matmul_progress_ui, on_done=keep_matmul_results, stop_key="pytorch_basics.matmul_stop",
                  every_s=0.5)
    timings = st.session_state.get(MATMUL_RESULTS_KEY)
    if timings:
        chart, frame = matmul_chart(timings)
        fastest = frame.loc[frame["size"] == frame["size"].max()].sort_values("milliseconds").iloc[0]
        chart_ui(chart, f"At {int(fastest['size'])} × {int(fastest['size'])} the fastest engine was "
                 f"{fastest['engine']}, at {fastest['milliseconds']:.3g} ms for one product.", frame)
        st.caption("Each point is the median of three runs after a warm-up; GPU timings wait for the GPU to finish. "
                   "The talk's figures: a 600 × 600 product took 13.2 ms in numpy and 74.6 µs on a CUDA GPU.")


# ---------------------------------------------------------------- the page

STORIES = {"km_miles": km_tab_ui, "autograd": autograd_tab_ui, "matmul": gpu_tab_ui}  # by demo id (lib/registry.py)

if __name__ == "__main__":
    page_ui("pytorch_basics", "🔥 PyTorch basics", SETTINGS, demo_tabs("pytorch_basics", SETTINGS, STORIES), talk=TALK)
