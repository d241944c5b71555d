"""The MNIST trainer's Explore tab: the data as the talk showed it, one record as an image, the digits' counts."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from app_pages.mnist_shared import DIGIT_COLOURS, SETTING, current_data, digit_ui
from ui.page import kept_chart_ui
from ui.widgets import number_input


def counts_chart(counts: pd.DataFrame) -> alt.Chart:
    return alt.Chart(counts, title="How many of each digit").mark_bar().encode(
        x=alt.X("digit:N", axis=alt.Axis(labelAngle=0)), xOffset=alt.XOffset("set:N"), y=alt.Y("records:Q"),
        color=alt.Color("set:N", scale=alt.Scale(scheme=DIGIT_COLOURS)), tooltip=[alt.Tooltip("set"), alt.Tooltip("digit"), alt.Tooltip("records")],
    ).properties(height=320)


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
