"""The MNIST trainer's Train tab: a preset and its controls, one run in a worker process, its loss live."""
from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import streamlit as st

from app_pages.mnist_shared import (
    DEVICE_KEY,
    EVAL_KEY,
    JOB_KEY,
    LIVE_CHART_POINTS,
    MODEL_BYTES_KEY,
    RESULT_KEY,
    ROOM_MESSAGE_KEY,
    SETTING,
    TRAINED_PRESET_KEY,
    TRAINING_FAILED,
    current_data,
    loss_chart_ui,
    training_split,
)
from lib.core.device import describe_device, pick_device
from lib.mnist.config import MAX_EPOCHS, MAX_HIDDEN, MAX_TRAIN_SECONDS, PRESETS, bound_config
from lib.mnist.settings import PRESET_NAMES, config_from_settings, preset_settings
from lib.room.share import mnist_run_payload
from ui.errors import visitor_message
from ui.job_progress import job_poller_ui, job_running, job_slots, queue_job
from ui.room import in_room, post_to_room, room_code, shared_message
from ui.widgets import number_input, radio, select_slider, selectbox, slider

if TYPE_CHECKING:
    from lib.mnist.train import TrainingJob, TrainResult

ROOM_SEEDED_KEY = "mnist.room_seeded"
MAX_SEED = 1_000_000  # the seed widget's own bound


def apply_preset() -> None:
    """Copy the chosen preset's settings into the controls (inside a room, the member keeps their own seed)."""
    chosen = preset_settings(st.session_state["mnist.preset"])
    if in_room():
        chosen.pop(SETTING["mnist.seed"].key, None)
    st.session_state.update(chosen)


def own_seed_in_room() -> None:
    """Inside a room each member trains with their own random seed by default, so the room's curves differ."""
    code = room_code()
    if code is not None and st.session_state.get(ROOM_SEEDED_KEY) != code:
        st.session_state[SETTING["mnist.seed"].key] = secrets.randbelow(MAX_SEED) + 1
        st.session_state[ROOM_SEEDED_KEY] = code


def train_tab_ui() -> None:
    # PyTorch loads with the first tab that trains, not with the page: exploring the data needs none of it.
    from lib.mnist.train import TrainingJob, fast_path_applies

    data = current_data()
    own_seed_in_room()
    st.subheader("Train a network")
    radio(SETTING["mnist.preset"], "Preset", format_func=PRESET_NAMES.get, horizontal=True, on_change=apply_preset)
    columns = st.columns(3)
    with columns[0]:
        architecture = selectbox(SETTING["mnist.architecture"], "Network",
                                 format_func={"mlp": "784-hidden-10 (the talk's)", "cnn": "small CNN"}.get)
        slider(SETTING["mnist.hidden"], "Hidden nodes", step=10, disabled=architecture == "cnn")
        selectbox(SETTING["mnist.activation"], "Activation")
    with columns[1]:
        selectbox(SETTING["mnist.loss"], "Loss", format_func={"bce": "BCE (the talk's)", "mse": "mean squared error",
                                                             "cross_entropy": "cross-entropy"}.get)
        selectbox(SETTING["mnist.optimiser"], "Optimiser", format_func=str.upper)
        select_slider(SETTING["mnist.learning_rate"], "Learning rate")
    with columns[2]:
        select_slider(SETTING["mnist.batch_size"], "Batch size (images per step)")
        slider(SETTING["mnist.epochs"], "Epochs")
        number_input(SETTING["mnist.seed"], "Seed", step=1)
    asked = int(number_input(SETTING["mnist.samples"], "Training images per epoch", step=1000,
                             help="Fewer images train faster; the rest of the set is left out."))
    config, limit_notes = bound_config(config_from_settings(st.session_state))
    samples = min(asked, len(data.train))
    if samples < asked:
        st.caption(f"This data set has {len(data.train):,} training images: each epoch uses all of them.")
    if config == PRESETS["talk"]:
        st.caption("Exactly the talk's recipe: Linear(784, 200), Sigmoid, Linear(200, 10), Sigmoid; BCELoss "
                   "against one-hot targets; SGD, lr 0.01; one image per step; loss recorded every 10 images.")
    if fast_path_applies(config):
        st.caption("Runs through the app's fast path, a hand-written forward and backward pass for one image at a "
                   "time (`TalkNetworkFast`): the same maths as the plain loop `train_epoch` below, whose weights "
                   "its tests match, about ten times faster on a CPU.")
    st.caption(f"Limits per run on this shared app: at most {MAX_EPOCHS} epochs, {MAX_HIDDEN} hidden nodes and "
               f"{MAX_TRAIN_SECONDS:.0f} s; one run per visitor and {job_slots().limit} long runs in the whole app "
               "at once, each on one CPU thread. When all are busy, Train queues your run and it starts by itself.")
    if in_room():
        st.caption(f"You are in room {room_code()}: your seed ({int(st.session_state[SETTING['mnist.seed'].key])}) "
                   "was drawn at random for you, so your curve differs from your neighbours'. A run that "
                   "finishes is shared with the room's screen.")
    for note in limit_notes:
        st.warning(note)
    if st.button("Train", key="mnist.train", type="primary", disabled=job_running(JOB_KEY)):
        prefer = "cpu" if fast_path_applies(config) else None
        device = pick_device(prefer)  # for the label: the worker picks the same device itself
        if queue_job(JOB_KEY, lambda owner_alive: TrainingJob(training_split(), config, prefer, max_samples=samples,
                                                              owner_alive=owner_alive)):
            for stale in (RESULT_KEY, EVAL_KEY, MODEL_BYTES_KEY, ROOM_MESSAGE_KEY):
                st.session_state.pop(stale, None)
            st.session_state[DEVICE_KEY] = describe_device(device).label
            st.session_state[TRAINED_PRESET_KEY] = str(st.session_state[SETTING["mnist.preset"].key])
    job_poller_ui(JOB_KEY, training_status_ui, on_done=keep_trained_model, stop_key="mnist.stop")


def training_status_ui(job: TrainingJob | None) -> None:
    if job is None:
        st.caption("Nothing has been trained yet in this session: choose a preset and press Train.")
        return
    latest, losses = job.snapshot()
    if job.running:
        if latest is not None:
            left = latest.seconds_left
            st.progress(latest.fraction, text=(
                f"{latest.samples_done:,} of {latest.samples_total:,} images, epoch {latest.epoch} of "
                f"{job.config.epochs}" + (f", about {left:.0f} s left" if left is not None else "")))
        else:
            st.progress(0.0, text="Starting…")
        loss_chart_ui(losses, LIVE_CHART_POINTS)
        return
    if job.error is not None:
        st.error(visitor_message(job.error, TRAINING_FAILED))
        return
    result = job.result
    if result is not None and st.session_state.get(RESULT_KEY) is result:
        note = f" ({result.stopped})" if result.stopped else ""
        note += f"; it went on from {result.samples_before:,} images done before" if result.samples_before else ""
        st.success(f"Trained on {result.samples_seen:,} images in {result.seconds:.1f} s "
                   f"({result.samples_per_second:,.0f} images/s) on {st.session_state.get(DEVICE_KEY, 'CPU')}{note}. "
                   "See the Evaluate tab.")
        shared = st.session_state.get(ROOM_MESSAGE_KEY)
        if shared is not None:
            (st.info if shared[0] else st.warning)(shared[1])
        loss_chart_ui(result.losses)


def keep_trained_model(job: TrainingJob) -> None:
    """A finished run becomes the visitor's model: scored once here, so the Evaluate tab opens at once.

    Inside a room, a run that went to its end is shared with the room (its loss curve, seed and accuracy).
    """
    from lib.mnist.train import evaluate

    result = job.result
    if job.error is None and result is not None:
        data = current_data()
        scores = evaluate(result.model, result.config, data.test)
        st.session_state[RESULT_KEY] = result
        st.session_state[EVAL_KEY] = (data.source, scores)
        st.session_state[MODEL_BYTES_KEY] = result.to_file()  # resumable: Continue training picks it up
        if in_room():
            share_run(result, scores.accuracy)


def share_run(result: TrainResult, accuracy: float) -> None:
    if result.stopped:
        st.session_state[ROOM_MESSAGE_KEY] = (False, "This run stopped early, so it was not shared with the room.")
        return
    preset = st.session_state.get(TRAINED_PRESET_KEY, "custom")
    payload = mnist_run_payload(preset, result.config.seed, result.losses, accuracy)
    problem = post_to_room("mnist_run", payload)
    st.session_state[ROOM_MESSAGE_KEY] = (problem is None, problem or shared_message("mnist_run"))
