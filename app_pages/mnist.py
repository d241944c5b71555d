"""✍️ MNIST trainer: the talk's digit classifier trained live on real MNIST, and faster modern variants."""
from __future__ import annotations

import threading
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from lib.core.device import available_devices, describe_device, pick_device
from lib.core.jobs import BackgroundJob
from lib.mnist.data import (
    FetchError,
    MnistData,
    MnistFormatError,
    cache_dir,
    fetch_mnist,
    full_mnist_present,
    load_best_available,
    read_csv_pair,
)
from lib.mnist.digit import preprocess_drawing
from lib.mnist.settings import BATCH_SIZES, LEARNING_RATES, PRESET_NAMES, SETTINGS
from lib.mnist.train import (
    ACTIVATIONS,
    ARCHITECTURES,
    LOSSES,
    MAX_EPOCHS,
    MAX_HIDDEN,
    MAX_SCALING_SAMPLES,
    MAX_TRAIN_SECONDS,
    OPTIMISERS,
    PRESETS,
    EvalResult,
    ModelFileError,
    TrainConfig,
    TrainingJob,
    TrainResult,
    bound_config,
    evaluate,
    fast_path_applies,
    loss_curve_points,
    model_from_bytes,
    model_to_bytes,
    predict,
    time_hidden_sizes,
    warm_up_torch,
)
from ui.layout import styled_chart
from ui.urlstate import restore_from_url, share_link_ui

SCALING_HIDDEN = [200, 1000, 2000, 3000, 4000, 5000]
CONCURRENT_RUNS = 2  # training runs at once in the whole app, so a room sharing one container stays usable
POLL_SECONDS = 1.0  # each poll redraws the live chart, and that competes with training for the GIL and CPU
LIVE_CHART_POINTS, FINAL_CHART_POINTS = 300, 1500
DIGIT_COLOURS = "tableau10"

CONTROL_KEYS = {"architecture": "mnist.architecture", "hidden": "mnist.hidden", "activation": "mnist.activation",
                "loss": "mnist.loss", "optimiser": "mnist.optimiser", "learning_rate": "mnist.lr",
                "batch_size": "mnist.batch", "epochs": "mnist.epochs", "seed": "mnist.seed"}
JOB_KEY, RESULT_KEY, EVAL_KEY, MODEL_BYTES_KEY = "mnist.job", "mnist.result", "mnist.eval", "mnist.model_bytes"
DEVICE_KEY, SCALING_KEY, UPLOAD_SEEN_KEY = "mnist.device_used", "mnist.scaling_job", "mnist.upload_seen"
SCALING_POLL_KEY, OWN_DATA_KEY = "mnist.scaling_polling", "mnist.own_data"


@st.cache_resource(show_spinner="Reading MNIST…")
def _mnist_data(folder: str, full: bool) -> MnistData:
    """Read-only digits shared by every visitor (uint8: 55 MB for full MNIST).

    `full` is only part of the cache key: once a fetch completes, the next run reads the new files.
    """
    return load_best_available(folder)


@st.cache_resource
def _training_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(CONCURRENT_RUNS)


def _current_data() -> MnistData:
    folder = cache_dir()
    return _mnist_data(str(folder), full_mnist_present(folder))


def _apply_preset() -> None:
    """Copy the chosen preset's settings into the controls."""
    preset = PRESETS.get(st.session_state["mnist.preset"])
    if preset is None:
        return
    for field_name, key in CONTROL_KEYS.items():
        st.session_state[key] = getattr(preset, field_name)


def _config_from_controls() -> TrainConfig:
    chosen = {name: st.session_state[key] for name, key in CONTROL_KEYS.items()}
    preset = PRESETS.get(st.session_state["mnist.preset"])
    if preset is not None:
        return replace(preset, **chosen)
    batch = chosen["batch_size"]
    return TrainConfig(**chosen, shuffle=batch > 1, record_every=max(10, batch))


def _release_slot() -> None:
    _training_slots().release()


# ---------------------------------------------------------------- drawing helpers


def _digit_chart_ui(image: np.ndarray, title: str, size: int = 280) -> alt.Chart:
    rows, cols = np.indices(image.shape)
    frame = pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "pixel": image.ravel().astype(int)})
    return alt.Chart(frame, title=title).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("pixel:Q", scale=alt.Scale(scheme="blues", domain=[0, 255]), legend=None),
        tooltip=["row", "col", "pixel"],
    ).properties(width=size, height=size)


def _outputs_chart_ui(outputs: np.ndarray, title: str) -> alt.Chart:
    frame = pd.DataFrame({"digit": [str(d) for d in range(10)], "output": outputs.astype(float)})
    return alt.Chart(frame, title=title).mark_bar(color="#1f77b4").encode(
        x=alt.X("digit:N", sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("output:Q", scale=alt.Scale(domain=[0, 1]), title="network output"),
        tooltip=["digit", alt.Tooltip("output:Q", format=".3f")],
    ).properties(height=260)


def _loss_chart_ui(losses: list[tuple[int, float]], max_points: int = FINAL_CHART_POINTS) -> None:
    seen, values, stride = loss_curve_points(losses, max_points)
    if seen.size == 0:
        st.caption("The loss curve appears as soon as the first losses are recorded.")
        return
    frame = pd.DataFrame({"samples seen": seen, "loss": values})
    chart = alt.Chart(frame).mark_circle(size=10, opacity=0.35, color="#1f77b4").encode(
        x=alt.X("samples seen:Q"), y=alt.Y("loss:Q", scale=alt.Scale(domainMin=0)))
    st.altair_chart(styled_chart(chart.properties(height=300)), width="stretch")
    if stride > 1:
        st.caption(f"Showing every {stride}th recorded loss ({len(losses):,} recorded in all).")


# ---------------------------------------------------------------- page

restore_from_url(SETTINGS)

st.title("✍️ MNIST trainer")
st.caption("From the talk “Hands-On Introduction to PyTorch” (second half), Data Science Cornwall, 2019")
st.markdown(
    "A network learns to read handwritten digits from examples. The talk's version is small and plain: "
    "784 pixels in, 200 hidden nodes, 10 outputs (one per digit), shown **one image at a time**. "
    "Train it here, watch its error fall, then try faster modern variants."
)

shared_data = _current_data()
notice = st.container()
with st.expander("Use your own copies of the talk's CSV files"):
    st.caption("The layout the talk used (mnist_train.csv / mnist_test.csv): no header, one row per image, "
               "the label then 784 pixel values 0-255. Up to 50 MB each, so a part of the full training "
               "CSV; for all of MNIST use the fetch button. Your files are used in your session only.")
    own_train = st.file_uploader("Training CSV", type=["csv"], key="mnist.train_csv")
    own_test = st.file_uploader("Test CSV", type=["csv"], key="mnist.test_csv")
    if own_train is None or own_test is None:
        st.session_state.pop(OWN_DATA_KEY, None)
    elif st.session_state.get(OWN_DATA_KEY, (None,))[0] != (own_train.file_id, own_test.file_id):
        try:
            own = read_csv_pair(own_train, own_test, source=f"your CSV files ({own_train.name}, {own_test.name})")
        except MnistFormatError as error:
            st.session_state.pop(OWN_DATA_KEY, None)
            st.error(f"Those files were not used: {error}.")
        else:
            st.session_state[OWN_DATA_KEY] = ((own_train.file_id, own_test.file_id), own)
data: MnistData = st.session_state[OWN_DATA_KEY][1] if OWN_DATA_KEY in st.session_state else shared_data

# A link or an earlier full-MNIST session may hold a record number beyond the data in use.
for key, limit in (("mnist.record", len(data.train) - 1), ("mnist.test_record", len(data.test) - 1)):
    st.session_state[key] = min(int(st.session_state[key]), limit)
with notice:
    if data is not shared_data:
        st.success(f"Using **{data.source}**: {len(data.train):,} training and {len(data.test):,} test images.")
    elif data.is_full:
        st.success(f"Using **{data.source}**.")
    else:
        st.info(f"Using the **{data.source}**. Full MNIST (60,000 + 10,000, an 11 MB download) gives the "
                "talk's figures; fetch it here or beforehand with `python -m lib.mnist fetch`.")
        if st.button("Fetch full MNIST", key="mnist.fetch"):
            bar = st.progress(0.0, text="Connecting…")

            def _show_fetch(name: str, done: int, total: int) -> None:
                bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{name}: {done / 1e6:.1f} MB")

            try:
                fetch_mnist(progress=_show_fetch)
            except FetchError as error:
                st.error("Full MNIST could not be fetched from any mirror, so the page keeps using the sample.\n\n"
                         f"```\n{error}\n```")
            else:
                st.rerun()

TABS = ("Explore", "Train", "Evaluate", "CPU vs GPU")

def explore_tab_ui() -> None:
    st.subheader("The data, as the talk showed it")
    st.markdown(f"The training set has **{len(data.train):,} rows of 785 numbers**: the label first, "
                "then the 784 pixel values (0-255) of a 28x28 image, row by row.")
    head = data.train.head(20)
    table = pd.DataFrame(head, columns=["label"] + [str(i) for i in range(784)])
    st.dataframe(table, height=250)
    left, right = st.columns([1, 1])
    with left:
        st.number_input("Record to draw (row index, from 0)", min_value=0, max_value=len(data.train) - 1,
                        step=1, key="mnist.record", persist_state="session")
        record = int(st.session_state["mnist.record"])
        st.altair_chart(styled_chart(_digit_chart_ui(data.train.image(record),
                                                     f"record {record}: label = {data.train.labels[record]}")),
                        width="content")
    with right:
        counts = pd.DataFrame({"digit": [str(d) for d in range(10)] * 2,
                               "records": np.concatenate([data.train.label_counts(), data.test.label_counts()]),
                               "set": ["train"] * 10 + ["test"] * 10})
        counts_chart = alt.Chart(counts, title="How many of each digit").mark_bar().encode(
            x=alt.X("digit:N", axis=alt.Axis(labelAngle=0)), xOffset="set:N", y="records:Q",
            color=alt.Color("set:N", scale=alt.Scale(scheme=DIGIT_COLOURS)), tooltip=["set", "digit", "records"])
        st.altair_chart(styled_chart(counts_chart.properties(height=320)), width="stretch")

def train_tab_ui() -> None:
    st.subheader("Train a network")
    st.radio("Preset", list(PRESET_NAMES), format_func=PRESET_NAMES.get, horizontal=True,
             key="mnist.preset", persist_state="session", on_change=_apply_preset)
    columns = st.columns(3)
    with columns[0]:
        st.selectbox("Network", ARCHITECTURES, key="mnist.architecture", persist_state="session",
                     format_func={"mlp": "784-hidden-10 (the talk's)", "cnn": "small CNN"}.get)
        st.slider("Hidden nodes", 10, MAX_HIDDEN, step=10, key="mnist.hidden", persist_state="session",
                  disabled=st.session_state["mnist.architecture"] == "cnn")
        st.selectbox("Activation", ACTIVATIONS, key="mnist.activation", persist_state="session")
    with columns[1]:
        st.selectbox("Loss", LOSSES, key="mnist.loss", persist_state="session",
                     format_func={"bce": "BCE (the talk's)", "mse": "mean squared error",
                                  "cross_entropy": "cross-entropy"}.get)
        st.selectbox("Optimiser", OPTIMISERS, key="mnist.optimiser", persist_state="session", format_func=str.upper)
        st.select_slider("Learning rate", LEARNING_RATES, key="mnist.lr", persist_state="session")
    with columns[2]:
        st.select_slider("Batch size (images per step)", BATCH_SIZES, key="mnist.batch", persist_state="session")
        st.slider("Epochs", 1, MAX_EPOCHS, key="mnist.epochs", persist_state="session")
        st.number_input("Seed", 0, 1_000_000, step=1, key="mnist.seed", persist_state="session")
    st.number_input("Training images per epoch", 100, 60_000, step=1000, key="mnist.samples", persist_state="session",
                    help="Fewer images train faster; the rest of the set is left out.")
    config = _config_from_controls()
    config, limit_notes = bound_config(config)
    samples = min(int(st.session_state["mnist.samples"]), len(data.train))
    if samples < int(st.session_state["mnist.samples"]):
        st.caption(f"This data set has {len(data.train):,} training images: each epoch uses all of them.")
    if config == PRESETS["talk"]:
        st.caption("Exactly the talk's recipe: Linear(784, 200), Sigmoid, Linear(200, 10), Sigmoid; BCELoss "
                   "against one-hot targets; SGD, lr 0.01; one image per step; loss recorded every 10 images.")
    if fast_path_applies(config):
        st.caption("Runs through a hand-written forward and backward pass for one image at a time: the same "
                   "maths as PyTorch's autograd loop, about ten times faster on a CPU.")
    st.caption(f"Limits per run on this shared app: at most {MAX_EPOCHS} epochs, {MAX_HIDDEN} hidden nodes and "
               f"{MAX_TRAIN_SECONDS:.0f} s; one run per visitor and {CONCURRENT_RUNS} in the whole app at once, "
               "each on one CPU thread.")
    for note in limit_notes:
        st.warning(note)

    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    busy = job is not None and job.running
    if st.button("Train", key="mnist.train", type="primary", disabled=busy):
        if job is not None and job.running:
            st.warning("Your previous run is still going: stop it first.")
        elif not _training_slots().acquire(blocking=False):
            st.warning(f"{CONCURRENT_RUNS} training runs are already going on this app. Try again in a minute.")
        else:
            for stale in (RESULT_KEY, EVAL_KEY, MODEL_BYTES_KEY):
                st.session_state.pop(stale, None)
            device = pick_device() if not fast_path_applies(config) else pick_device("cpu")
            job = TrainingJob(data.train, config, device, max_samples=samples, on_finish=_release_slot).start()
            st.session_state[JOB_KEY] = job
            st.session_state[DEVICE_KEY] = describe_device(device).label
            busy = True

    def _training_status_ui() -> None:
        current: TrainingJob | None = st.session_state.get(JOB_KEY)
        if current is None:
            st.caption("Nothing has been trained yet in this session: choose a preset and press Train.")
            return
        latest, losses = current.snapshot()
        if current.running:
            if st.button("Stop", key="mnist.stop"):
                current.stop()
            if latest is not None:
                left = latest.seconds_left
                st.progress(latest.fraction, text=(
                    f"{latest.samples_done:,} of {latest.samples_total:,} images, epoch {latest.epoch} of "
                    f"{current.config.epochs}" + (f", about {left:.0f} s left" if left is not None else "")))
            else:
                st.progress(0.0, text="Starting…")
            _loss_chart_ui(losses, LIVE_CHART_POINTS)
            return
        if current.error:
            st.error(f"Training failed: {current.error}")
            return
        result = current.result
        if result is not None and st.session_state.get(RESULT_KEY) is not result:
            st.session_state[RESULT_KEY] = result
            st.session_state[EVAL_KEY] = (data.source, evaluate(result.model, result.config, data.test))
            st.session_state[MODEL_BYTES_KEY] = model_to_bytes(result.model, result.config)
            st.rerun(scope="app")  # the Evaluate tab and the polling interval change with a finished run
        if result is not None:
            note = f" ({result.stopped})" if result.stopped else ""
            st.success(f"Trained on {result.samples_seen:,} images in {result.seconds:.1f} s "
                       f"({result.samples_per_second:,.0f} images/s) on {st.session_state.get(DEVICE_KEY, 'CPU')}{note}. "
                       "See the Evaluate tab.")
            _loss_chart_ui(result.losses)

    st.fragment(_training_status_ui, run_every=POLL_SECONDS if busy else None)()

def evaluate_tab_ui() -> None:
    st.subheader("How well does it read digits?")
    uploaded = st.file_uploader("Load a model saved from this page (.pt)", type=["pt"], key="mnist.upload")
    if uploaded is not None and st.session_state.get(UPLOAD_SEEN_KEY) != uploaded.file_id:
        st.session_state[UPLOAD_SEEN_KEY] = uploaded.file_id
        try:
            model, loaded_config = model_from_bytes(uploaded.getvalue())
        except ModelFileError as error:
            st.error(f"That file was refused: {error}.")
        else:
            loaded = TrainResult(model, loaded_config, [], 0, 0.0, None)
            st.session_state[RESULT_KEY] = loaded
            st.session_state[EVAL_KEY] = (data.source, evaluate(model, loaded_config, data.test))
            st.session_state[MODEL_BYTES_KEY] = uploaded.getvalue()
            st.success("Model loaded.")
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
                           mime="application/octet-stream", key="mnist.download")
        left, right = st.columns(2)
        with left:
            rows, cols = np.indices((10, 10))
            confusion = pd.DataFrame({"true": rows.ravel().astype(str), "predicted": cols.ravel().astype(str),
                                      "images": scores.confusion.ravel()})
            base = alt.Chart(confusion, title="Confusion matrix (rows: true digit)").encode(
                x=alt.X("predicted:O"), y=alt.Y("true:O"))
            heat = base.mark_rect().encode(
                color=alt.Color("images:Q", scale=alt.Scale(scheme="blues", type="symlog"), legend=None),
                tooltip=["true", "predicted", "images"])
            labels = base.mark_text(fontSize=10).encode(
                text="images:Q", color=alt.condition("datum.images > 200", alt.value("white"), alt.value("black")))
            st.altair_chart(styled_chart((heat + labels).properties(height=360)), width="stretch")
        with right:
            st.number_input("Test record", 0, len(data.test) - 1, step=1, key="mnist.test_record", persist_state="session")
            index = int(st.session_state["mnist.test_record"])
            said = int(scores.predictions[index])
            st.altair_chart(styled_chart(_outputs_chart_ui(
                scores.outputs[index], f"record {index} (label {data.test.labels[index]}): the network says {said}")),
                width="stretch")
            st.altair_chart(_digit_chart_ui(data.test.image(index), "", size=140), width="content")
        wrong = scores.misclassified
        st.markdown(f"**{len(wrong):,} misclassified test images**; the first few, with what the network said:")
        shown = wrong[:12]
        grid = st.columns(6)
        for slot, wrong_index in enumerate(shown):
            with grid[slot % 6]:
                picture = np.kron(255 - data.test.image(int(wrong_index)), np.ones((3, 3), dtype=np.uint8))
                confidence = float(scores.outputs[wrong_index].max())
                st.image(picture, caption=f"#{wrong_index}: a {scores.truth[wrong_index]}, said "
                                          f"{scores.predictions[wrong_index]} ({confidence:.2f})")

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
                st.altair_chart(_digit_chart_ui(drawn, "what the network sees (28x28)", size=140), width="content")
                st.altair_chart(styled_chart(_outputs_chart_ui(
                    outputs, f"it says {int(outputs.argmax())}")), width="stretch")

def scaling_tab_ui() -> None:
    st.subheader("Does a GPU help? Time against hidden-layer size")
    st.markdown("The talk trained the same network on a CPU and on a GPU while the hidden layer grew from 200 to "
                "5000 nodes: the CPU slows down as the layer grows, the GPU barely notices. Here each point "
                "times the plain PyTorch loop, one image per step, on a fixed number of images.")
    devices = available_devices()
    if not any(device.type in ("cuda", "mps") for device in devices):
        st.info("No GPU on this machine: only the CPU line is drawn.")
    st.slider("Images per timing", 50, MAX_SCALING_SAMPLES, step=50, key="mnist.scaling_samples", persist_state="session")
    scaling: BackgroundJob | None = st.session_state.get(SCALING_KEY)
    scaling_busy = scaling is not None and scaling.running
    if st.button("Run the experiment", key="mnist.scale", disabled=scaling_busy):
        if not _training_slots().acquire(blocking=False):
            st.warning(f"{CONCURRENT_RUNS} runs are already going on this app. Try again in a minute.")
        else:
            scaling_samples = int(st.session_state["mnist.scaling_samples"])
            train_split = data.train

            def _scaling_work(report, stop) -> None:
                for device in devices:
                    device_name = describe_device(device).name

                    def _report_timing(hidden: int, seconds: float, name: str = device_name) -> None:
                        report((name, hidden, seconds))

                    time_hidden_sizes(train_split, SCALING_HIDDEN, device, scaling_samples,
                                      progress=_report_timing, stop=stop)

            warm_up_torch()
            st.session_state[SCALING_KEY] = BackgroundJob(_scaling_work, on_finish=_release_slot).start()
            st.session_state[SCALING_POLL_KEY] = True
            scaling_busy = True

    def _scaling_ui() -> None:
        task: BackgroundJob | None = st.session_state.get(SCALING_KEY)
        if task is None:
            st.caption("Press the button to time it (a few seconds to a minute on a CPU).")
            return
        timings = task.items()
        if task.running:
            if st.button("Stop", key="mnist.scale_stop"):
                task.stop()
            st.progress(len(timings) / (len(SCALING_HIDDEN) * len(devices)), text="Timing…")
        elif task.error:
            st.error(f"The experiment failed: {type(task.error).__name__}: {task.error}")
        if timings:
            frame = pd.DataFrame(timings, columns=["device", "hidden nodes", "seconds"])
            chart = alt.Chart(frame).mark_line(point=True).encode(
                x="hidden nodes:Q", y="seconds:Q", color=alt.Color("device:N", scale=alt.Scale(scheme=DIGIT_COLOURS)),
                tooltip=["device", "hidden nodes", alt.Tooltip("seconds:Q", format=".2f")])
            st.altair_chart(styled_chart(chart.properties(height=320)), width="stretch")
        if not task.running and st.session_state.pop(SCALING_POLL_KEY, False):
            st.rerun(scope="app")  # stops the polling now that the timings are in

    st.fragment(_scaling_ui, run_every=POLL_SECONDS if scaling_busy else None)()



# Lazy tabs: only the open tab runs (training goes on in its thread), and the tab travels in the link.
tabs = st.tabs(TABS, key="mnist.tab", on_change="rerun", bind="query-params")
for tab, tab_ui in zip(tabs, (explore_tab_ui, train_tab_ui, evaluate_tab_ui, scaling_tab_ui), strict=True):
    if tab.open:
        with tab:
            tab_ui()

share_link_ui(SETTINGS, tab_key="mnist.tab")
