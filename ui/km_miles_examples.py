"""The PyTorch basics page's cached lib calls: decorated once here, not again on every rerun of the page script."""
from __future__ import annotations

import streamlit as st

from lib.pytorch_basics.kmmiles import known_good_examples


@st.cache_data(show_spinner=False, max_entries=16)  # one per example count the page asks for
def km_examples(count: int) -> list[tuple[float, float]]:
    return known_good_examples(count, seed=0)
