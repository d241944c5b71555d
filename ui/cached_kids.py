"""The Kids' page's cached lib calls: decorated once here, not again on every rerun of the page script."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from threadpoolctl import threadpool_limits

from lib.kids.garden import find_own_groups

if TYPE_CHECKING:
    from sklearn.cluster import KMeans


def one_openmp_thread() -> threadpool_limits:
    """k-means on a few rows with OpenMP on one thread: with two, six fits took 519 ms of CPU here against 41 ms,
    its threads spinning while waiting for each other on a shared machine."""
    return threadpool_limits(limits=1, user_api="openmp")


# A child's table and each k reached on it: a class of 30 children, each on a few tables and k values, fits in 256
# (a model of a few rows is a few kB); an edited table's fits age out first.
@st.cache_resource(show_spinner=False, max_entries=256)
def own_groups(table: pd.DataFrame, columns: tuple[str, ...], groups: int) -> KMeans:
    """k-means on a child's table, once per table, columns and k: moving the new item's sliders refits nothing,
    and going back to a k looks it up. Shared read-only (only `predict` is called on it)."""
    with one_openmp_thread():
        return find_own_groups(table, list(columns), groups)
