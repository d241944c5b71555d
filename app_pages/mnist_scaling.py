"""The MNIST trainer's CPU vs GPU tab: the talk's timing of one training pass against hidden-layer size."""
from __future__ import annotations

from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.mnist_shared import DIGIT_COLOURS, SETTING, training_split
from lib.background.jobs import BackgroundJob, WorkerTask
from lib.core.device import available_devices
from lib.mnist import words
from lib.mnist.config import SCALING_HIDDEN
from ui.errors import LOG_HINT, visitor_message
from ui.job_progress import job_poller_ui, job_running, submit_job
from ui.page import chart_ui
from ui.widgets import slider

SCALING_FAILED = f"The experiment stopped with an error. {LOG_HINT}"
SCALING_KEY = "mnist.scaling_job"


def scaling_tab_ui() -> None:
    from lib.mnist.train import scaling_task, warm_up_where_it_runs

    st.subheader("Does a GPU help? Time against hidden-layer size")
    st.markdown(words.SCALING_WHY)
    devices = available_devices()
    if not any(device.type in ("cuda", "mps") for device in devices):
        st.info("No GPU on this machine: only the CPU line is drawn.")
    samples = int(slider(SETTING["mnist.scaling_samples"], "Images per timing", step=50))
    if st.button("Run the experiment", key="mnist.scale", disabled=job_running(SCALING_KEY)):
        task = WorkerTask(scaling_task, {"train": training_split(), "hidden_sizes": list(SCALING_HIDDEN), "samples": samples})
        submit_job(SCALING_KEY, lambda owner_alive: warm_up_where_it_runs(
            BackgroundJob(task, name="mnist-scaling", owner_alive=owner_alive)))
    job_poller_ui(SCALING_KEY, partial(scaling_status_ui, devices=devices), stop_key="mnist.scale_stop")


def scaling_status_ui(job: BackgroundJob | None, devices: list) -> None:
    if job is None:
        st.caption("Press the button to time it (a few seconds to a minute on a CPU).")
        return
    timings = job.items()
    if job.running:
        st.progress(len(timings) / (len(SCALING_HIDDEN) * len(devices)), text="Timing…")
    elif job.error is not None:
        st.error(visitor_message(job.error, SCALING_FAILED))
    if timings:
        frame = pd.DataFrame(timings, columns=["device", "hidden nodes", "seconds"])
        chart = alt.Chart(frame).mark_line(point=True).encode(
            x=alt.X("hidden nodes:Q"), y=alt.Y("seconds:Q"), color=alt.Color("device:N", scale=alt.Scale(scheme=DIGIT_COLOURS)),
            tooltip=[alt.Tooltip("device"), alt.Tooltip("hidden nodes"), alt.Tooltip("seconds:Q", format=".2f")])
        slowest = frame.loc[frame["seconds"].idxmax()]
        chart_ui(chart.properties(height=320), f"The slowest run was {slowest['device']} with "
                 f"{int(slowest['hidden nodes']):,} hidden nodes: {slowest['seconds']:.2f} s.", frame)
