"""The one poller: draws a background job kept in session state, live while it runs.

A page submits its job with `submit_job` (one app-wide slot limit, the job tied to this browser
session so it stops when the session ends) and draws it with `job_poller_ui`, a fragment that
reruns every `every_s` seconds while the job runs, so sliders and other tabs stay live meanwhile.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.core.jobs import BackgroundJob, app_slots

POLL_S = 1.0  # each poll redraws progress (and a live chart), which competes with the work for the CPU


def session_alive() -> Callable[[], bool]:
    """Whether this visitor's browser session is still there; always true outside a served app (AppTest)."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


def job_running(job_key: str) -> bool:
    job: BackgroundJob | None = st.session_state.get(job_key)
    return job is not None and job.running


def submit_job(job_key: str, make_job: Callable[[Callable[[], bool]], BackgroundJob]) -> bool:
    """Start the job `make_job(owner_alive)` builds in a free app-wide slot and keep it at `job_key`.

    Says so on the page and returns False when every slot is taken (nothing is started then).
    """
    job = make_job(session_alive())
    slots = app_slots()
    if not slots.submit(job):
        st.warning(f"{slots.limit} long runs are already going on this app. Try again in a minute.")
        return False
    st.session_state[job_key] = job
    return True


def job_poller_ui(job_key: str, draw: Callable[[BackgroundJob | None], None], *,
                  on_done: Callable[[BackgroundJob], None] | None = None, stop_key: str | None = None,
                  every_s: float = POLL_S) -> None:
    """Draw the job at `job_key` with `draw(job)` (None before the first run), every `every_s` s while it runs.

    `stop_key`: the key of a Stop button shown while it runs. When the job ends, `on_done(job)` runs
    once (store its result, say) and the whole page reruns, so what depends on the result catches up.
    """
    every = every_s if job_running(job_key) else None
    st.fragment(_poll_ui, run_every=every)(job_key, draw, on_done, stop_key)


def _poll_ui(job_key: str, draw: Callable[[BackgroundJob | None], None],
             on_done: Callable[[BackgroundJob], None] | None, stop_key: str | None) -> None:
    job: BackgroundJob | None = st.session_state.get(job_key)
    if job is not None and job.running and stop_key is not None:
        if st.button("Stop", key=stop_key):
            job.stop()
    draw(job)
    if job is None or job.running or st.session_state.get(f"{job_key}.collected") is job:
        return
    st.session_state[f"{job_key}.collected"] = job
    if on_done is not None:
        on_done(job)
    st.rerun(scope="app")  # a full run draws with the result, and re-creates this fragment without its timer
