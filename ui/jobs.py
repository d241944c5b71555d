"""The one poller: draws a background job kept in session state, live while it waits and runs.

A page submits its job with `submit_job` (one app-wide slot limit: it starts now or is refused) or
`queue_job` (it starts now or waits its turn in the app-wide queue, showing its place, an estimated
wait and Cancel); either way the job is tied to this browser session, so it stops (or leaves the
queue) when the session ends. `job_poller_ui` draws it: a fragment that reruns every `every_s`
seconds while the job waits or runs, so sliders and other tabs stay live meanwhile.
A job whose work is a `WorkerTask` runs in a worker process (lib/core/workers.py); the poller reads it the same way.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.core.jobs import BackgroundJob, QueueRefused, Ticket, app_slots
from ui.errors import visitor_message

QUEUE_FAILED = "The queue cannot take this run now; try again in a minute."
JOB_START_FAILED = "it could not start; the app's log says why"
POLL_S = 1.0  # each poll redraws progress (and a live chart), which competes with the work for the CPU


def session_alive() -> Callable[[], bool]:
    """Whether this visitor's browser session is still there; always true outside a served app (AppTest)."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


def session_owner() -> str:
    """Who a queued job belongs to: this browser session (one queued or running job each)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "script"


def _ticket_key(job_key: str) -> str:
    return f"{job_key}.ticket"


def job_waiting(job_key: str) -> bool:
    ticket: Ticket | None = st.session_state.get(_ticket_key(job_key))
    return ticket is not None and ticket.state == "waiting"


def job_running(job_key: str) -> bool:
    """Whether the job at `job_key` is going: running, or queued for a slot."""
    job: BackgroundJob | None = st.session_state.get(job_key)
    return job is not None and (job.running or job_waiting(job_key))


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
    st.session_state.pop(_ticket_key(job_key), None)
    return True


def queue_job(job_key: str, make_job: Callable[[Callable[[], bool]], BackgroundJob]) -> bool:
    """Start the job `make_job(owner_alive)` builds, or queue it for the next free app-wide slot.

    Keeps it at `job_key` (its queue ticket beside it) and returns True; says why and returns False
    when the queue refuses it (this visitor already has one, or the queue is full).
    """
    job = make_job(session_alive())
    try:
        ticket = app_slots().enqueue(job, owner=session_owner())
    except QueueRefused as error:
        st.warning(visitor_message(error, QUEUE_FAILED))
        return False
    st.session_state[job_key] = job
    st.session_state[_ticket_key(job_key)] = ticket
    return True


def cancel_queued_job(job_key: str) -> None:
    ticket: Ticket | None = st.session_state.get(_ticket_key(job_key))
    if ticket is not None and app_slots().cancel(ticket):
        st.session_state.pop(job_key, None)
        st.session_state.pop(_ticket_key(job_key), None)


def _wait_text(seconds: float | None) -> str:
    if seconds is None or seconds < 1:
        return "any moment now"
    if seconds < 90:
        return f"about {max(5, round(seconds / 5) * 5):.0f} s"
    return f"about {round(seconds / 60):.0f} min"


def queue_status_ui(job_key: str, cancel_key: str) -> None:
    """Where a queued job stands: its place in line, a rough wait, and Cancel."""
    ticket: Ticket = st.session_state[_ticket_key(job_key)]
    slots = app_slots()
    position = slots.queue.position(ticket)
    if position is None or position == 0:
        return
    running, waiting = slots.queue.counts()
    st.info(f"Every training slot is busy ({running} running). Your run is number {position} of {waiting} "
            f"in the queue and starts by itself in {_wait_text(slots.queue.estimated_wait_s(ticket))}. "
            "Keep this page open.", icon="⏳")
    st.button("Cancel", key=cancel_key, on_click=cancel_queued_job, args=(job_key,))


def job_poller_ui(job_key: str, draw: Callable[[BackgroundJob | None], None], *,
                  on_done: Callable[[BackgroundJob], None] | None = None, stop_key: str | None = None,
                  every_s: float = POLL_S) -> None:
    """Draw the job at `job_key` with `draw(job)` (None before the first run), every `every_s` s while it runs.

    `stop_key`: the key of a Stop button shown while it runs (and, with ".cancel" added, of Cancel while
    it is queued). When the job ends, `on_done(job)` runs once (store its result, say) and the whole
    page reruns, so what depends on the result catches up.
    """
    every = every_s if job_running(job_key) else None
    st.fragment(_poll_ui, run_every=every)(job_key, draw, on_done, stop_key)


def _poll_ui(job_key: str, draw: Callable[[BackgroundJob | None], None],
             on_done: Callable[[BackgroundJob], None] | None, stop_key: str | None) -> None:
    job: BackgroundJob | None = st.session_state.get(job_key)
    if job is not None and job_waiting(job_key):
        queue_status_ui(job_key, f"{stop_key or job_key}.cancel")
        return
    ticket: Ticket | None = st.session_state.get(_ticket_key(job_key))
    if job is not None and ticket is not None and ticket.state in ("dropped", "failed"):
        reason = (visitor_message(ticket.error, JOB_START_FAILED) if ticket.error
                  else "its turn came while this page was away")
        st.warning(f"Your queued run did not start ({reason}). Press the button again to queue it anew.")
        return
    if job is not None and job.running and stop_key is not None:
        if st.button("Stop", key=stop_key):
            job.stop()
    draw(job)
    if job is None or not job.finished or st.session_state.get(f"{job_key}.collected") is job:
        return
    st.session_state[f"{job_key}.collected"] = job
    if on_done is not None:
        on_done(job)
    st.rerun(scope="app")  # a full run draws with the result, and re-creates this fragment without its timer
