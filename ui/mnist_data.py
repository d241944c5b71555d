"""The MNIST page's cached data: decorated once here, not again on every rerun of the page script."""
from __future__ import annotations

import streamlit as st

from lib.mnist.data import MnistData, load_best_available


@st.cache_resource(show_spinner="Reading MNIST…", max_entries=2)
def mnist_data(folder: str, files: tuple) -> MnistData:
    """Read-only digits shared by every visitor (uint8: 55 MB for full MNIST).

    `files` is only part of the cache key: once a fetch or an import-csv changes them, the next run reads them.
    """
    return load_best_available(folder)
