"""The Garden's k-means groups of a child's own table, fitted once per table, columns and k and shared read-only."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from lib.core.threads import one_openmp_thread
from lib.kids.garden import find_own_groups

if TYPE_CHECKING:
    from sklearn.cluster import KMeans


@st.cache_resource(show_spinner=False, max_entries=256)
def own_groups(table: pd.DataFrame, columns: tuple[str, ...], groups: int) -> KMeans:
    """k-means on a child's table, once per table, columns and k: moving the new item's sliders refits nothing,
    and going back to a k looks it up. Shared read-only (only `predict` is called on it)."""
    with one_openmp_thread():
        return find_own_groups(table, list(columns), groups)
