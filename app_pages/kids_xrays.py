"""Kids' projects, story 4: Mysterious space X-rays (clean a light curve with your own rules, find its beat)."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from app_pages.kids_shared import real_code_ui, try_this_ui
from lib.core.palette import BLUE, BLUISH_GREEN, ORANGE, VERMILLION
from lib.core.settings import by_key
from lib.kids import words
from lib.kids.settings import SETTINGS
from lib.kids.xrays import (
    MODELLED_FILE,
    ORBITAL_PERIOD_HOURS,
    BadDataLimits,
    LightCurveError,
    LightCurveFile,
    Periodogram,
    TooCoarseForBeat,
    clean_light_curve,
    find_bad_rows,
    find_gaps,
    find_period,
    fold,
    keep_peaks,
    read_light_curve_file,
    rolling_average,
    slow_trend,
    typical_step_hours,
)
from ui.errors import visitor_message
from ui.page import chart_ui, kept_chart_ui
from ui.widgets import checkbox, number_input, radio, slider

SETTING = by_key(SETTINGS)
TOO_COARSE = "These measurements are too far apart to find the beat."
UNREADABLE_FILE = "it is not a light curve I can read."
XRAY_FILE = MODELLED_FILE  # in the published Swift/BAT orbit layout, so the child's code works on the real file
# The uploader has no persist_state: the page keeps a copy of the file while the tab is closed.
KEPT_UPLOAD = "kids.xray_upload_kept"


# Keyed by a file's bytes: a class uploading their own files must not grow the process without end; a light
# curve is about 100 kB, and the bundled file and the last few uploads are what reruns ask for again.
@st.cache_data(show_spinner=False, max_entries=16)
def load_light_curve(raw: bytes) -> LightCurveFile:
    return read_light_curve_file(raw)


@st.cache_data(show_spinner=False, max_entries=32)
def light_curve_period(table: pd.DataFrame) -> Periodogram:
    return find_period(table)


LIGHT_CURVE = "light_curve"  # the rows a light-curve chart reads by name: its spec is kept while they change
AVERAGE = "rolling_average"
LIGHT_CURVE_COLUMNS = ["TIME", "RATE", "ERROR", "DATA_FLAG"]
LOOKS = ["good data", "bad data"]


def light_curve_chart(title: str, marked: bool, average: bool) -> alt.LayerChart:
    """RATE against TIME from the rows named LIGHT_CURVE; `marked`: their `looks` column draws bad rows as big
    vermillion diamonds; `average`: an orange line through the rows named AVERAGE (TIME, average)."""
    x = alt.X("TIME:Q", title="time (MJD, days)", scale=alt.Scale(zero=False), axis=alt.Axis(format="d"))
    y = alt.Y("RATE:Q", title="X-rays (counts/cm²/s)")
    tooltip = [alt.Tooltip(f"{column}:Q") for column in LIGHT_CURVE_COLUMNS]
    rows = alt.Chart(alt.NamedData(LIGHT_CURVE))
    if not marked:
        layers = [rows.mark_point(filled=True, size=18, color=BLUE).encode(x=x, y=y, tooltip=tooltip)]
    else:
        layers = [
            rows.mark_point(filled=True).encode(
                x=x, y=y, tooltip=[*tooltip, alt.Tooltip("looks:N")],
                color=alt.Color("looks:N", scale=alt.Scale(domain=LOOKS, range=[BLUE, VERMILLION]), title=None),
                shape=alt.Shape("looks:N", scale=alt.Scale(domain=LOOKS, range=["circle", "diamond"]), title=None),
                size=alt.Size("looks:N", scale=alt.Scale(domain=LOOKS, range=[18, 120]), legend=None),
            )
        ]
    if average:
        layers.append(alt.Chart(alt.NamedData(AVERAGE)).mark_line(color=ORANGE, strokeWidth=3).encode(
            x=alt.X("TIME:Q"), y=alt.Y("average:Q")))
    return alt.layer(*layers).properties(height=300, title=title)


def light_curve_chart_ui(table: pd.DataFrame, title: str, takeaway: str, marked: pd.Series | None = None,
                         average: pd.Series | None = None) -> None:
    """The chart's spec is kept per kind, and the rows and title handed over with each drawing: a rule or a
    slider that changes the rows costs no chart building."""
    rows = table[LIGHT_CURVE_COLUMNS]
    datasets = {LIGHT_CURVE: rows if marked is None else rows.assign(looks=np.where(marked, "bad data", "good data"))}
    if average is not None:
        datasets[AVERAGE] = pd.DataFrame({"TIME": table["TIME"], "average": average})
    kept_chart_ui(light_curve_chart, ("", marked is not None, average is not None), takeaway,
                  table[["TIME", "RATE", "ERROR"]], datasets=datasets, title=title)


def histogram_chart(bins: int) -> alt.Chart:
    return (
        alt.Chart(alt.NamedData(LIGHT_CURVE)).mark_bar(color=BLUE)
        .encode(x=alt.X("RATE:Q", bin=alt.Bin(maxbins=bins), title="X-rays (counts/cm²/s)"),
                y=alt.Y("count():Q", title="how many measurements"))
        .properties(height=300)
    )


def xray_tools_ui(clean: pd.DataFrame) -> None:
    tool = radio(SETTING["kids.xray_tool"], "Pick a tool", horizontal=True)
    {"Rolling average": average_tool_ui, "Keep only the peaks": peaks_tool_ui, "Histogram": histogram_tool_ui,
     "Find the beat": beat_tool_ui}[tool](clean)


def average_tool_ui(clean: pd.DataFrame) -> None:
    hours = slider(SETTING["kids.xray_window"], "Average over how many hours?", step=1.0)
    average = rolling_average(clean, hours)
    light_curve_chart_ui(clean, f"Dots: each measurement. Orange line: the average over {hours:g} hours",
                         f"Averaged over {hours:g} hours, the X-rays run from {average.min():.3f} to "
                         f"{average.max():.3f}.", average=average)
    try_this_ui("make the window 2 hours, then 48 hours. Which wiggles disappear? Can you spot the two "
                "different 'moods' (states) of the star?")


def peaks_tool_ui(clean: pd.DataFrame) -> None:
    top = slider(SETTING["kids.xray_top"], "Keep the brightest (percent)", step=1.0)
    peaks = keep_peaks(clean, top)
    light_curve_chart_ui(peaks, f"Only the brightest {top:g}% of measurements",
                         f"{len(peaks)} measurements are at least {peaks['RATE'].min():.3f}." if len(peaks) else
                         "No measurements kept.")
    try_this_ui("keep only the top 5%. Do the brightest moments bunch together? Those could be flares!")


def histogram_tool_ui(clean: pd.DataFrame) -> None:
    bins = slider(SETTING["kids.xray_bins"], "How many bars?")
    counts, edges = np.histogram(clean["RATE"], bins=bins)
    kept_chart_ui(histogram_chart, (bins,), f"Most measurements are between {clean['RATE'].quantile(0.1):.3f} "
                  f"and {clean['RATE'].quantile(0.9):.3f}.", pd.DataFrame({"from": edges[:-1], "to": edges[1:],
                                                                          "measurements": counts}),
                  datasets={LIGHT_CURVE: clean[["RATE"]]})
    try_this_ui("is there one bump or two? Two bumps could mean the star spends time in two different states.")


def beat_tool_ui(clean: pd.DataFrame) -> None:
    step = typical_step_hours(clean)
    try:
        periodogram = light_curve_period(clean)
    except TooCoarseForBeat as too_coarse:
        # daily points: no periodogram, so no meaningless peak
        st.warning(f"⏱️ {visitor_message(too_coarse, TOO_COARSE)}")
        return
    if step > ORBITAL_PERIOD_HOURS / 2:
        st.warning(f"⏱️ These measurements are about {step:.0f} hours apart. To catch a beat you need at least two "
                   "measurements in every beat, so a 4.8-hour beat may not show up here. Try a per-orbit light "
                   "curve (one point every 96 minutes).")
    if not periodogram.power.any():
        st.info("These X-rays never change at all, so there is no beat to find.")
        return
    best = periodogram_ui(periodogram)
    st.success(f"🥁 The strongest beat repeats every **{best:.2f} hours**. Astronomers measured Cygnus X-3's "
               f"orbit as {ORBITAL_PERIOD_HOURS:.2f} hours: the two stars go round each other that fast!")
    folded_ui(clean, best)
    st.caption(words.XRAYS_PERIODOGRAM)


def periodogram_ui(periodogram: Periodogram) -> float:
    """How strongly the X-rays repeat for every beat, the strongest marked; returns the strongest beat's hours."""
    best = periodogram.best_period_hours
    spectrum = pd.DataFrame({"period (hours)": periodogram.period_hours, "strength": periodogram.power})
    line = alt.Chart(spectrum).mark_line(color=BLUE).encode(
        x=alt.X("period (hours):Q", scale=alt.Scale(type="log", domain=[1, 12], nice=False),
                axis=alt.Axis(values=[1, 2, 3, 4, 5, 6, 8, 10, 12])),
        y=alt.Y("strength:Q"))
    marker = alt.Chart(pd.DataFrame({"period (hours)": [best]})).mark_rule(
        color=VERMILLION, strokeDash=[6, 4], size=2).encode(x=alt.X("period (hours):Q"))
    chart = alt.layer(line, marker).properties(height=280, title="How strongly the X-rays repeat, for every possible beat")
    chart_ui(chart, f"The tallest peak is at {best:.2f} hours.", spectrum.iloc[::40])
    return best


def folded_ui(clean: pd.DataFrame, best: float) -> None:
    """Every cycle of the beat stacked on top of each other."""
    folded = clean.assign(phase=fold(clean, best), compared=clean["RATE"] / slow_trend(clean))
    chart = (
        alt.Chart(folded).mark_point(filled=True, size=18, color=BLUISH_GREEN)
        .encode(x=alt.X("phase:Q", title=f"where in the {best:.2f}-hour cycle (0 = start, 1 = end)"),
                y=alt.Y("compared:Q", title="brightness (1 = usual for that day)", scale=alt.Scale(zero=False)))
        .properties(height=280, title="Every cycle stacked on top of each other")
    )
    chart_ui(chart, f"Stacked at {best:.2f} hours, the X-rays rise and fall together: the beat is real.",
             folded[["TIME", "phase", "compared"]])


def keep_upload() -> None:
    """The uploader forgets its file when its tab closes: keep a copy until the child removes or replaces it."""
    upload = st.session_state.get("kids.xray_upload")
    if upload is None:
        st.session_state.pop(KEPT_UPLOAD, None)
    else:
        st.session_state[KEPT_UPLOAD] = (upload.name, upload.getvalue())


def forget_upload() -> None:
    st.session_state.pop(KEPT_UPLOAD, None)


def xray_story_ui() -> None:
    st.header("🌌 Mysterious space X-rays")
    st.markdown(words.XRAYS_INTRO)
    st.warning(f"🧪 {words.XRAYS_MODELLED} You can also upload a real light curve below.")
    table, source = light_curve_ui()

    st.subheader("Step 1: look at everything")
    light_curve_chart_ui(table, f"{source}: {len(table)} measurements",
                         f"{len(table)} measurements, from {table['RATE'].min():.3f} to {table['RATE'].max():.3f}.")
    try_this_ui("do any dots look strange? One far too high? Some below zero? Hover over them to see the numbers.")

    limits = bad_data_ui(table)

    st.subheader("Step 3: the clean light curve")
    clean = clean_light_curve(table, limits)
    if len(clean) < 10:
        st.error("😕 Your rules threw away almost everything! Make them a bit kinder to explore the data.")
        return
    light_curve_chart_ui(clean, "Clean data: the measurements that pass every rule",
                         f"{len(clean)} measurements pass every rule.")

    st.subheader("Step 4: explore! There's no single right answer")
    st.markdown("Scientists still puzzle over Cygnus X-3. Try the tools and **invent your own ideas**.")
    xray_tools_ui(clean)
    real_code_ui()


def uploaded_file_ui() -> tuple[str, bytes] | None:
    """The child's light curve file (name, bytes): just uploaded, or kept from before; None for the modelled one."""
    upload = st.file_uploader("A real Swift/BAT light curve: the orbit file (.orbit.lc.txt), the daily file "
                              "(.lc.txt) or a .csv with TIME, RATE and ERROR",
                              type=["csv", "txt", "dat"], key="kids.xray_upload", on_change=keep_upload)
    if upload is not None:
        return upload.name, upload.getvalue()
    uploaded = st.session_state.get(KEPT_UPLOAD)
    if uploaded is not None:
        st.caption(f"📎 Still using **{uploaded[0]}**, the file you uploaded before.")
        st.button("Go back to the modelled data", key="kids.xray_forget", on_click=forget_upload)
    return uploaded


def light_curve_ui() -> tuple[pd.DataFrame, str]:
    """The light curve to explore (the child's file where it can be read) and its name, with notes about it."""
    uploaded = uploaded_file_ui()
    source = "Cygnus X-3 (modelled)"
    light_curve = load_light_curve(XRAY_FILE.read_bytes())
    if uploaded is not None:
        name, raw = uploaded
        try:
            light_curve = load_light_curve(raw)
            source = name
        except LightCurveError as problem:
            st.error(f"😕 I couldn't read **{name}**: {visitor_message(problem, UNREADABLE_FILE)} "
                     "So we'll keep exploring the modelled data.")
    st.markdown(light_curve.description)
    for note in light_curve.notes:
        st.info(note)
    st.download_button("💾 Download the modelled light curve (a Swift/BAT orbit file) for your own notebook",
                       data=XRAY_FILE.read_bytes(), file_name=XRAY_FILE.name, mime="text/plain",
                       key="kids.xray_download", on_click="ignore")
    return light_curve.table, source


def bad_data_ui(table: pd.DataFrame) -> BadDataLimits:
    """Step 2: the child's rules, the rows they call bad and the gaps; returns the rules."""
    st.subheader("Step 2: detective rules for bad data")
    st.markdown("You decide the rules! Anything that breaks a rule is called **bad data**.")
    limits, gap_hours = rules_ui()
    found = find_bad_rows(table, limits)
    counts = found.count_by_reason()
    if counts:
        st.markdown(f"🔎 Your rules found **{int(found.bad.sum())} bad rows**: "
                    + ", ".join(f"{count} × {reason}" for reason, count in counts.items()) + ".")
        light_curve_chart_ui(table, "Bad data marked by your rules", f"Your rules mark {int(found.bad.sum())} of "
                             f"{len(table)} measurements as bad.", marked=found.bad)
        st.dataframe(table.loc[found.bad].assign(why=found.reasons[found.bad]), width="stretch", height=220)
    else:
        st.markdown("✨ Your rules found no bad rows. Are they too kind? Try stricter ones.")
    try_this_ui("change a rule, for example make 'More X-rays than this is bad' 2.0. Which bad dot gets away?")
    gaps = find_gaps(table, gap_hours)
    if len(gaps):
        st.markdown(f"🕳️ **{len(gaps)} gap(s)** with no measurements: "
                    + "; ".join(f"{row.hours:.0f} hours after MJD {row.from_mjd:.2f}" for row in gaps.itertuples())
                    + ". Nothing to clean there, but remember nobody was watching!")
    return limits


def rules_ui() -> tuple[BadDataLimits, float]:
    """The six rule widgets; returns the rules and the gap length to report (hours)."""
    first, second, third = st.columns(3)
    lowest = number_input(SETTING["kids.xray_lowest"], "Fewer X-rays than this is bad", step=0.005, format="%.3f",
                          container=first)
    highest = number_input(SETTING["kids.xray_highest"], "More X-rays than this is bad", step=0.05, format="%.2f",
                           container=second)
    biggest_error = number_input(SETTING["kids.xray_error"], "An error bar bigger than this is bad", step=0.005,
                                 format="%.3f", container=third)
    fourth, fifth, sixth = st.columns(3)
    flagged = checkbox(SETTING["kids.xray_flagged"], "Rows NASA flagged are bad", container=fourth)
    repeats = checkbox(SETTING["kids.xray_repeats"], "A time written twice is bad", container=fifth)
    gap_hours = number_input(SETTING["kids.xray_gap_hours"], "Tell me about gaps longer than (hours)", step=1.0,
                             container=sixth)
    limits = BadDataLimits(lowest_rate=lowest, highest_rate=highest, biggest_error=biggest_error,
                           drop_flagged=flagged, drop_repeated_times=repeats)
    return limits, gap_hours
