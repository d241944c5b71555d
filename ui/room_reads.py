"""The Room page's cached reads: decorated once here, not again on every rerun of the page script.

Each read is keyed by its kind's version (count, last id), which changes whenever the kind does.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from lib.methodology.checklist import ChecklistError, load_checklist
from lib.room.views import digit_images, digit_montage, loss_lines_frame, runs_frame
from ui.room import room_store

CHECKLIST_FILE = Path(__file__).resolve().parents[1] / "data" / "methodology" / "checklist.yaml"
LINE_POINTS_PER_RUN = 150  # a faint line needs no more, and 100 members' curves stay light to redraw


@st.cache_data(max_entries=64, show_spinner=False)
def room_entries(url: str, code: str, kind: str, version: tuple[int, int]) -> list[dict]:
    """A kind's entries; `version` (count, last id) changes whenever the kind does, so stale data is never served."""
    return room_store().entries(code, kind)


@st.cache_data(max_entries=16, show_spinner=False)
def mnist_frames(url: str, code: str, version: tuple[int, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    entries = room_entries(url, code, "mnist_run", version)
    return loss_lines_frame(entries, max_points_per_run=LINE_POINTS_PER_RUN), runs_frame(entries)


@st.cache_data(max_entries=16, show_spinner=False)
def digit_sheet(url: str, code: str, version: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    entries = room_entries(url, code, "digit", version)
    images, labels = digit_images(entries)
    return images, labels, digit_montage(images), [entry["name"] for entry in entries]


@st.cache_resource(show_spinner=False, max_entries=1)  # one checklist file
def checklist_questions() -> dict[str, str]:
    try:
        checklist = load_checklist(CHECKLIST_FILE)
    except (ChecklistError, OSError):
        return {}
    return {item.item_id: item.question for section in checklist.sections for item in section.items}
