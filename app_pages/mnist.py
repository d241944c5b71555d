"""✍️ MNIST trainer: the talk's digit classifier trained live on real MNIST, and faster modern variants."""
from __future__ import annotations

import secrets
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from lib.core.device import available_devices, describe_device, pick_device
from lib.core.jobs import BackgroundJob, WorkerTask, app_slots
from lib.core.palette import BLUE
from lib.core.urlcodec import by_key
from lib.demos import tab_labels
from lib.mnist.config import MAX_EPOCHS, MAX_HIDDEN, MAX_TRAIN_SECONDS, PRESETS, bound_config
from lib.mnist.data import (
    CSV_SOURCE,
    FetchError,
    MnistData,
    MnistFormatError,
    MnistSplit,
    cache_dir,
    cache_signature,
    fetch_mnist,
    read_csv_pair,
)
from lib.mnist.digit import preprocess_drawing
from lib.mnist.settings import PRESET_NAMES, SETTINGS, config_from_settings, preset_settings
from lib.room.share import digit_payload, mnist_run_payload
from ui.cached_mnist import mnist_data
from ui.confusion import confusion_explorer_ui
from ui.errors import LOG_HINT, visitor_message
from ui.jobs import job_poller_ui, job_running, queue_job, submit_job
from ui.page import chart_ui, demo_tabs, kept_chart_ui, page_ui
from ui.room import in_room, post_to_room, room_code, share_button_ui, shared_message
from ui.widgets import number_input, radio, select_slider, selectbox, slider

if TYPE_CHECKING:
    from lib.mnist.train import EvalResult, KeptSplit, TrainingJob, TrainResult

SETTING = by_key(SETTINGS)
OWN_FILES_UNREADABLE = "they could not be read as MNIST CSV files"
FETCH_FAILED = f"Full MNIST could not be fetched from any mirror, so the page keeps using the sample. {LOG_HINT}"
MODEL_FILE_UNREADABLE = "it is not a model file this page can load"
TRAINING_FAILED = f"Training stopped with an error. {LOG_HINT}"
SCALING_FAILED = f"The experiment stopped with an error. {LOG_HINT}"
EXPLORE, TRAIN, EVALUATE, SCALING = TABS = tab_labels("mnist")
SCALING_HIDDEN = [200, 1000, 2000, 3000, 4000, 5000]
LIVE_CHART_POINTS, FINAL_CHART_POINTS = 300, 1500
DIGIT_COLOURS = "tableau10"
JOB_KEY, RESULT_KEY, EVAL_KEY, MODEL_BYTES_KEY = "mnist.job", "mnist.result", "mnist.eval", "mnist.model_bytes"
DEVICE_KEY, SCALING_KEY, UPLOAD_SEEN_KEY = "mnist.device_used", "mnist.scaling_job", "mnist.upload_seen"
OWN_DATA_KEY = "mnist.own_data"
ROOM_SEEDED_KEY, ROOM_MESSAGE_KEY = "mnist.room_seeded", "mnist.room_message"
CONTINUED_JOB_KEY = "mnist.continued_job"  # the run Continue training started, drawn live in the Evaluate tab
OLDER_FILE_NOTE = ("This file is in the older format: it holds the weights and settings, but not the optimiser's "
                   "state, the epochs done or the loss curve. Continuing it starts a fresh optimiser (Adam's "
                   "running averages start again from zero) and counts epochs from 0.")
DECAY_NOTE = ("Its learning rate falls linearly to 0 over the whole run, now {total} epochs: continuing sets it "
              "to where a {total}-epoch run in one go would be at this point (so a run that had decayed to 0 "
              "starts again higher) and brings it to 0 at the end.")
TRAINED_PRESET_KEY = "mnist.trained_preset"  # the preset chosen when Train was pressed, as the room shows it
MAX_SEED = 1_000_000  # the seed widget's own bound
TALK = "From the talk “Hands-On Introduction to PyTorch” (second half), Data Science Cornwall, 2019"
INTRO = ("A network learns to read handwritten digits from examples. The talk's version is small and plain: "
         "784 pixels in, 200 hidden nodes, 10 outputs (one per digit), shown **one image at a time**. "
         "Train it here, watch its error fall, then try faster modern variants.")


# ---------------------------------------------------------------- data and settings


def shared_data() -> MnistData:
    folder = cache_dir()
    return mnist_data(str(folder), cache_signature(folder))


def current_data() -> MnistData:
    """The visitor's own CSV files where they gave some, else the data every visitor shares."""
    own = st.session_state.get(OWN_DATA_KEY)
    return own[1] if own is not None else shared_data()


def training_split() -> MnistSplit | KeptSplit:
    """What a run trains on: the visitor's own digits as they are, or the shared ones by folder (a worker keeps them)."""
    from lib.mnist.train import KeptSplit

    own = st.session_state.get(OWN_DATA_KEY)
    if own is not None:
        return own[1].train
    folder = cache_dir()
    return KeptSplit(str(folder), cache_signature(folder), shared_data().train)


def apply_preset() -> None:
    """Copy the chosen preset's settings into the controls (inside a room, the member keeps their own seed)."""
    chosen = preset_settings(st.session_state["mnist.preset"])
    if in_room():
        chosen.pop(SETTING["mnist.seed"].key, None)
    st.session_state.update(chosen)


# ---------------------------------------------------------------- drawing helpers


def digit_chart(image: np.ndarray, title: str, size: int = 280) -> alt.Chart:
    rows, cols = np.indices(image.shape)
    frame = pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "pixel": image.ravel().astype(int)})
    return alt.Chart(frame, title=title).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("pixel:Q", scale=alt.Scale(scheme="blues", domain=[0, 255]), legend=None),
        tooltip=[alt.Tooltip("row"), alt.Tooltip("col"), alt.Tooltip("pixel")],
    ).properties(width=size, height=size)


def outputs_chart(outputs: np.ndarray, title: str) -> alt.Chart:
    frame = pd.DataFrame({"digit": [str(d) for d in range(10)], "output": outputs.astype(float)})
    return alt.Chart(frame, title=title).mark_bar(color=BLUE).encode(
        x=alt.X("digit:N", sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("output:Q", scale=alt.Scale(domain=[0, 1]), title="network output"),
        tooltip=[alt.Tooltip("digit"), alt.Tooltip("output:Q", format=".3f")],
    ).properties(height=260)


def loss_chart_ui(losses: list[tuple[int, float]], max_points: int = FINAL_CHART_POINTS) -> None:
    from lib.mnist.train import loss_curve_points

    seen, values, stride = loss_curve_points(losses, max_points)
    if seen.size == 0:
        st.caption("The loss curve appears as soon as the first losses are recorded.")
        return
    frame = pd.DataFrame({"samples seen": seen, "loss": values})
    chart = alt.Chart(frame).mark_circle(size=10, opacity=0.35, color=BLUE).encode(
        x=alt.X("samples seen:Q"), y=alt.Y("loss:Q", scale=alt.Scale(domainMin=0)))
    chart_ui(chart.properties(height=300), f"The loss went from {values[0]:.3g} to {values[-1]:.3g} over "
             f"{int(seen[-1]):,} images.", frame)
    if stride > 1:
        st.caption(f"Showing every {stride}th recorded loss ({len(losses):,} recorded in all).")


def counts_chart(counts: pd.DataFrame) -> alt.Chart:
    return alt.Chart(counts, title="How many of each digit").mark_bar().encode(
        x=alt.X("digit:N", axis=alt.Axis(labelAngle=0)), xOffset=alt.XOffset("set:N"), y=alt.Y("records:Q"),
        color=alt.Color("set:N", scale=alt.Scale(scheme=DIGIT_COLOURS)), tooltip=[alt.Tooltip("set"), alt.Tooltip("digit"), alt.Tooltip("records")],
    ).properties(height=320)


def digit_ui(image: np.ndarray, title: str, takeaway: str, size: int = 280) -> None:
    # The numbers behind a digit are its 28 x 28 pixels, as the talk's CSV rows hold them.
    kept_chart_ui(digit_chart, (image, title, size), takeaway, pd.DataFrame(image), width="content")


def outputs_ui(outputs: np.ndarray, title: str) -> None:
    frame = pd.DataFrame({"digit": range(10), "output": outputs.astype(float)})
    said = int(outputs.argmax())
    chart_ui(outputs_chart(outputs, title), f"The largest of the ten outputs, {outputs[said]:.2f}, is for {said}: "
             "that digit is the answer.", frame)




def data_source_ui() -> None:
    """Which digits every tab uses: the shared sample or full MNIST, or the visitor's own CSV files."""
    shared = shared_data()
    notice = st.container()
    with st.expander("Use your own copies of the talk's CSV files"):
        st.caption("The layout the talk used (mnist_train.csv / mnist_test.csv): one row per image, the label "
                   "then 784 pixel values 0-255, with or without a header row. Up to 50 MB each, so a part of the "
                   "full training CSV; your files are used in your session only. For the talk's full files, "
                   "run `python -m lib.mnist import-csv mnist_train.csv mnist_test.csv` where the app runs: "
                   "every visitor then gets them.")
        own_train = st.file_uploader("Training CSV", type=["csv"], key="mnist.train_csv")
        own_test = st.file_uploader("Test CSV", type=["csv"], key="mnist.test_csv")
        if own_train is None or own_test is None:
            st.session_state.pop(OWN_DATA_KEY, None)
        elif st.session_state.get(OWN_DATA_KEY, (None,))[0] != (own_train.file_id, own_test.file_id):
            try:
                own = read_csv_pair(own_train, own_test, source=f"your CSV files ({own_train.name}, {own_test.name})")
            except MnistFormatError as error:
                st.session_state.pop(OWN_DATA_KEY, None)
                st.error(f"Those files were not used: {visitor_message(error, OWN_FILES_UNREADABLE)}.")
            else:
                st.session_state[OWN_DATA_KEY] = ((own_train.file_id, own_test.file_id), own)
    data = current_data()
    # A link or an earlier full-MNIST session may hold a record number beyond the data in use.
    for key, limit in (("mnist.record", len(data.train) - 1), ("mnist.test_record", len(data.test) - 1)):
        st.session_state[key] = min(int(st.session_state[key]), limit)
    with notice:
        if data is not shared:
            st.success(f"Using **{data.source}**: {len(data.train):,} training and {len(data.test):,} test images.")
        elif data.source == CSV_SOURCE:
            st.success(f"Using {CSV_SOURCE}: {len(data.train):,} training and {len(data.test):,} test images, "
                       "imported with `python -m lib.mnist import-csv`.")
        elif data.is_full:
            st.success(f"Using **{data.source}**.")
        else:
            st.info(f"Using the **{data.source}**. Full MNIST (60,000 + 10,000, an 11 MB download) gives the "
                    "talk's figures; fetch it here or beforehand with `python -m lib.mnist fetch`.")
            if st.button("Fetch full MNIST", key="mnist.fetch"):
                fetch_ui()


def fetch_ui() -> None:
    bar = st.progress(0.0, text="Connecting…")

    def show_fetch(name: str, done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{name}: {done / 1e6:.1f} MB")

    try:
        fetch_mnist(progress=show_fetch)
    except FetchError as error:
        st.error(visitor_message(error, FETCH_FAILED))
    else:
        st.rerun()


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


def own_seed_in_room() -> None:
    """Inside a room each member trains with their own random seed by default, so the room's curves differ."""
    code = room_code()
    if code is not None and st.session_state.get(ROOM_SEEDED_KEY) != code:
        st.session_state[SETTING["mnist.seed"].key] = secrets.randbelow(MAX_SEED) + 1
        st.session_state[ROOM_SEEDED_KEY] = code


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


# ---------------------------------------------------------------- the tabs


def explore_tab_ui() -> None:
    data = current_data()
    st.subheader("The data, as the talk showed it")
    st.markdown(f"The training set has **{len(data.train):,} rows of 785 numbers**: the label first, "
                "then the 784 pixel values (0-255) of a 28x28 image, row by row.")
    st.dataframe(data.train.head_table(20), height=250)  # an Arrow table: 785 columns cost a frame a lot more
    left, right = st.columns([1, 1])
    with left:
        record = int(number_input(SETTING["mnist.record"], "Record to draw (row index, from 0)", step=1,
                                  maximum=len(data.train) - 1))
        label = data.train.labels[record]
        digit_ui(data.train.image(record), f"record {record}: label = {label}",
                 f"Record {record} is a handwritten {label}: 784 pixels from 0 (paper) to 255 (ink).")
    with right:
        counts = pd.DataFrame({"digit": [str(d) for d in range(10)] * 2,
                               "records": np.concatenate([data.train.label_counts(), data.test.label_counts()]),
                               "set": ["train"] * 10 + ["test"] * 10})
        rarest = counts[counts["set"] == "train"].sort_values("records").iloc[0]
        kept_chart_ui(counts_chart, (counts,), f"Every digit is about a tenth of the data; the rarest in "
                      f"training is {rarest['digit']} ({rarest['records']:,} records).", counts)


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
        st.caption("Runs through a hand-written forward and backward pass for one image at a time: the same "
                   "maths as PyTorch's autograd loop, about ten times faster on a CPU.")
    st.caption(f"Limits per run on this shared app: at most {MAX_EPOCHS} epochs, {MAX_HIDDEN} hidden nodes and "
               f"{MAX_TRAIN_SECONDS:.0f} s; one run per visitor and {app_slots().limit} long runs in the whole app "
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


def upload_model_ui(data: MnistData) -> None:
    """A model file from this page (either format) becomes the visitor's model: scored, and ready to continue."""
    from lib.mnist.train import ModelFileError, evaluate, read_model_file

    uploaded = st.file_uploader("Load a model saved from this page (.pt)", type=["pt"], key="mnist.upload")
    if uploaded is None or st.session_state.get(UPLOAD_SEEN_KEY) == uploaded.file_id:
        return
    st.session_state[UPLOAD_SEEN_KEY] = uploaded.file_id
    try:
        loaded = read_model_file(uploaded.getvalue())
    except ModelFileError as error:
        st.error(f"That file was refused: {visitor_message(error, MODEL_FILE_UNREADABLE)}.")
        return
    st.session_state[RESULT_KEY] = loaded.as_result()
    st.session_state[EVAL_KEY] = (data.source, evaluate(loaded.model, loaded.config, data.test))
    st.session_state[MODEL_BYTES_KEY] = uploaded.getvalue()
    st.success("Model loaded." + (f" It has trained {loaded.epochs_done} epochs ({loaded.samples_done:,} images) "
                                  "and can continue where it stopped." if loaded.resumable else ""))


def continue_training_ui(result: TrainResult, data: MnistData) -> None:
    """Train the visitor's model (uploaded or trained here) for more epochs, its loss curve going on."""
    from lib.mnist.train import TrainingJob, fast_path_applies

    st.markdown("**Continue training this model**")
    if result.optimiser_state is None:
        st.info(OLDER_FILE_NOTE)
    more = int(st.number_input("More epochs to train", min_value=1, max_value=MAX_EPOCHS, value=1,
                               key="mnist.more_epochs", help="Epochs added to those it has already done."))
    total = result.epochs_done + more
    per_epoch = min(result.samples_per_epoch or int(st.session_state[SETTING["mnist.samples"].key]), len(data.train))
    st.caption(f"It has done {result.epochs_done} epochs ({result.samples_done:,} images). Continue trains "
               f"{more} more, to {total} in all, on {per_epoch:,} images each, with its own settings and seed; "
               "the loss chart goes on from its old curve.")
    if result.config.decay_lr:
        st.caption(DECAY_NOTE.format(total=total))
    if st.button("Continue training", key="mnist.continue", disabled=job_running(JOB_KEY)):
        config, blob = replace(result.config, epochs=total), st.session_state[MODEL_BYTES_KEY]
        device = pick_device() if not fast_path_applies(config) else pick_device("cpu")
        if queue_job(JOB_KEY, lambda owner_alive: TrainingJob(data.train, config, device, max_samples=per_epoch,
                                                              owner_alive=owner_alive, resume_from=blob)):
            for stale in (RESULT_KEY, EVAL_KEY, MODEL_BYTES_KEY, ROOM_MESSAGE_KEY):
                st.session_state.pop(stale, None)
            st.session_state[CONTINUED_JOB_KEY] = st.session_state[JOB_KEY]
            st.session_state[DEVICE_KEY] = describe_device(device).label
            st.session_state[TRAINED_PRESET_KEY] = "continued"
            st.rerun()  # the run's live chart replaces this section


def continued_run_ui() -> bool:
    """While a continued run goes (or until its result is kept), its live chart here; True when drawn."""
    job = st.session_state.get(JOB_KEY)
    if job is None or job is not st.session_state.get(CONTINUED_JOB_KEY) or RESULT_KEY in st.session_state:
        return False
    job_poller_ui(JOB_KEY, training_status_ui, on_done=keep_trained_model, stop_key="mnist.continue_stop")
    return True


def evaluate_tab_ui() -> None:
    from lib.mnist.train import evaluate

    data = current_data()
    st.subheader("How well does it read digits?")
    upload_model_ui(data)
    if continued_run_ui():
        return
    result: TrainResult | None = st.session_state.get(RESULT_KEY)
    if result is None:
        st.info("Train a network in the Train tab (or load one above) to score it here.")
    else:
        scored = st.session_state.get(EVAL_KEY)
        if scored is None or scored[0] != data.source:
            scored = (data.source, evaluate(result.model, result.config, data.test))
            st.session_state[EVAL_KEY] = scored
        scores: EvalResult = scored[1]
        st.metric("Test accuracy", f"{scores.accuracy:.1%}",
                  help=f"{int((scores.predictions == scores.truth).sum()):,} of {len(scores.truth):,} test images")
        st.download_button("Download this model", st.session_state[MODEL_BYTES_KEY], file_name="mnist-model.pt",
                           mime="application/octet-stream", key="mnist.download",
                           help="Its weights and settings, and what continuing it needs: the optimiser's state, "
                                "the epochs and images done, the shuffling order's generator and the loss curve.")
        continue_training_ui(result, data)
        confusion_explorer_ui("mnist", data.test.images, scores.truth, scores.predictions, scores.outputs,
                              title="Confusion matrix (rows: true digit)", what="test images",
                              takeaway=f"The diagonal holds the {int(np.trace(scores.confusion)):,} images read "
                                       "right; the rest are mistakes (rows: true digit, columns: what was said).")
        left, right = st.columns(2)
        with left:
            index = int(number_input(SETTING["mnist.test_record"], "Test record", step=1, maximum=len(data.test) - 1))
            said = int(scores.predictions[index])
            outputs_ui(scores.outputs[index], f"record {index} (label {data.test.labels[index]}): the network says {said}")
        with right:
            digit_ui(data.test.image(index), "", f"Test record {index}, labelled {data.test.labels[index]}.", size=140)
        wrong = scores.misclassified
        st.markdown(f"**{len(wrong):,} misclassified test images**; the first few, with what the network said:")
        shown = wrong[:12]
        grid = st.columns(6)
        for slot, wrong_index in enumerate(shown):
            with grid[slot % 6]:
                picture = np.kron(255 - data.test.image(int(wrong_index)), np.ones((3, 3), dtype=np.uint8))
                confidence = float(scores.outputs[wrong_index].max())
                st.image(picture, caption=f"#{wrong_index}: a {scores.truth[wrong_index]}, said "
                                          f"{scores.predictions[wrong_index]} ({confidence:.2f})",
                         alt=f"Test image {wrong_index}: a handwritten {scores.truth[wrong_index]} that the network "
                             f"read as {scores.predictions[wrong_index]}.")
        draw_digit_ui(result)


def draw_digit_ui(result: TrainResult) -> None:
    """The visitor draws a digit; the network reads it as MNIST's digits were prepared."""
    from lib.mnist.train import predict

    st.subheader("Draw your own digit")
    st.caption("Draw one digit, big, in the middle. It is cropped, scaled into a 20x20 box and centred "
               "by its centre of mass in 28x28, as MNIST's digits were.")
    from streamlit_drawable_canvas import st_canvas  # imported here: it needs a running Streamlit app

    draw_left, draw_right = st.columns(2)
    with draw_left:
        canvas = st_canvas(stroke_width=18, stroke_color="#FFFFFF", background_color="#000000",
                           height=280, width=280, drawing_mode="freedraw", key="mnist.canvas",
                           return_image_data=True)
    drawn = None
    if canvas is not None and canvas.image_data is not None:
        drawn = preprocess_drawing(canvas.image_data)
    with draw_right:
        if drawn is None:
            st.caption("The network's view of your digit appears here once you draw.")
        else:
            outputs = predict(result.model, result.config, drawn.reshape(1, -1))[0]
            st.markdown(f"The network says **{int(outputs.argmax())}** (output {outputs.max():.2f}).")
            digit_ui(drawn, "what the network sees (28x28)", "Your drawing, cropped, scaled and centred as "
                     "MNIST's digits were.", size=140)
            outputs_ui(outputs, f"it says {int(outputs.argmax())}")
            give_digit_ui(drawn)


def give_digit_ui(drawn: np.ndarray) -> None:
    """Inside a room: send the drawing, with the digit its writer meant, to the room's handwriting set."""
    if not in_room():
        return
    meant = st.selectbox("Which digit did you mean?", range(10), index=None, key="mnist.room_label",
                         placeholder="Choose the digit you drew")
    share_button_ui("Give this digit to the room", "mnist.give_digit", "digit",
                    None if meant is None else digit_payload(int(meant), drawn),
                    why_not="Choose which digit you meant first, so the room can score the network on it.")


def scaling_tab_ui() -> None:
    from lib.mnist.train import scaling_task, warm_up_torch

    st.subheader("Does a GPU help? Time against hidden-layer size")
    st.markdown("The talk trained the same network on a CPU and on a GPU while the hidden layer grew from 200 to "
                "5000 nodes: the CPU slows down as the layer grows, the GPU barely notices. Here each point "
                "times the plain PyTorch loop, one image per step, on a fixed number of images.")
    devices = available_devices()
    if not any(device.type in ("cuda", "mps") for device in devices):
        st.info("No GPU on this machine: only the CPU line is drawn.")
    samples = int(slider(SETTING["mnist.scaling_samples"], "Images per timing", step=50))
    if st.button("Run the experiment", key="mnist.scale", disabled=job_running(SCALING_KEY)):
        warm_up_torch()
        task = WorkerTask(scaling_task, {"train": training_split(), "hidden_sizes": SCALING_HIDDEN, "samples": samples})
        submit_job(SCALING_KEY, lambda owner_alive: BackgroundJob(task, name="mnist-scaling", owner_alive=owner_alive))
    job_poller_ui(SCALING_KEY, partial(scaling_status_ui, devices=devices), stop_key="mnist.scale_stop")


# ---------------------------------------------------------------- the page

if __name__ == "__main__":
    page_ui("mnist", "✍️ MNIST trainer", SETTINGS, demo_tabs("mnist", SETTINGS), talk=TALK, intro=INTRO,
            above_tabs=data_source_ui)
