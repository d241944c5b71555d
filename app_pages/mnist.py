"""✍️ MNIST trainer: the talk's digit classifier trained live on real MNIST, and faster modern variants.

One module per story, as the tabs are: mnist_explore, mnist_train, mnist_evaluate, mnist_scaling (their
shared digits, keys and charts in mnist_shared). This page draws the data source above the tabs.
"""
from __future__ import annotations

import streamlit as st

from app_pages.mnist_evaluate import evaluate_tab_ui, give_digit_ui  # noqa: F401 (tests draw give_digit_ui from the page)
from app_pages.mnist_explore import explore_tab_ui
from app_pages.mnist_scaling import scaling_tab_ui
from app_pages.mnist_shared import OWN_DATA_KEY, current_data, shared_data
from app_pages.mnist_train import train_tab_ui
from lib.mnist import words
from lib.mnist.data import (
    CSV_SOURCE,
    FetchError,
    MnistFormatError,
    fetch_mnist,
    read_csv_pair,
)
from lib.mnist.settings import SETTINGS
from lib.registry import tab_label, tab_labels
from ui.errors import LOG_HINT, visitor_message
from ui.page import demo_tabs, page_ui

OWN_FILES_UNREADABLE = "they could not be read as MNIST CSV files"
FETCH_FAILED = f"Full MNIST could not be fetched from any mirror, so the page keeps using the sample. {LOG_HINT}"
STORIES = {"mnist_explore": explore_tab_ui, "mnist_train": train_tab_ui, "mnist_evaluate": evaluate_tab_ui,
           "mnist_scaling": scaling_tab_ui}  # each tab's story by its demo id (lib/registry.py)
TABS = tab_labels("mnist")
EXPLORE = tab_label("mnist_explore")
TRAIN = tab_label("mnist_train")
EVALUATE = tab_label("mnist_evaluate")
SCALING = tab_label("mnist_scaling")
TALK = "From the talk “Hands-On Introduction to PyTorch” (second half), Data Science Cornwall, 2019"
INTRO = f"{words.STORY} Train it here, watch its error fall, then try faster modern variants."


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


if __name__ == "__main__":
    page_ui("mnist", "✍️ MNIST trainer", SETTINGS, demo_tabs("mnist", SETTINGS, STORIES), talk=TALK, intro=INTRO,
            above_tabs=data_source_ui)
