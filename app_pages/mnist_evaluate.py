"""The MNIST trainer's Evaluate tab: score the visitor's model, load or continue one, and read a drawn digit."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from app_pages.mnist_shared import (
    CONTINUED_JOB_KEY,
    DEVICE_KEY,
    EVAL_KEY,
    JOB_KEY,
    MODEL_BYTES_KEY,
    RESULT_KEY,
    ROOM_MESSAGE_KEY,
    SETTING,
    TRAINED_PRESET_KEY,
    current_data,
    digit_ui,
    outputs_ui,
)
from app_pages.mnist_train import keep_trained_model, training_status_ui
from lib.core.device import describe_device, pick_device
from lib.mnist.config import MAX_EPOCHS
from lib.mnist.data import (
    MnistData,
)
from lib.mnist.digit import preprocess_drawing
from lib.room.share import digit_payload
from ui.confusion_explorer import confusion_explorer_ui
from ui.errors import visitor_message
from ui.job_progress import job_poller_ui, job_running, queue_job
from ui.room import in_room, share_button_ui
from ui.widgets import number_input

if TYPE_CHECKING:
    from lib.mnist.train import EvalResult, TrainResult

MODEL_FILE_UNREADABLE = "it is not a model file this page can load"
UPLOAD_SEEN_KEY = "mnist.upload_seen"
OLDER_FILE_NOTE = ("This file is in the older format: it holds the weights and settings, but not the optimiser's "
                   "state, the epochs done or the loss curve. Continuing it starts a fresh optimiser (Adam's "
                   "running averages start again from zero) and counts epochs from 0.")
DECAY_NOTE = ("Its learning rate falls linearly to 0 over the whole run, now {total} epochs: continuing sets it "
              "to where a {total}-epoch run in one go would be at this point (so a run that had decayed to 0 "
              "starts again higher) and brings it to 0 at the end.")


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
