"""What the Kids' projects share: the data folder, the colours, the try-this prompt and the code behind a story."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path

import altair as alt
import streamlit as st

from lib.core.palette import CATEGORY_COLOURS

DATA = Path(__file__).resolve().parents[1] / "data" / "kids"
CODE_LABEL = "🔍 The real Python code behind this"


def try_this_ui(text: str) -> None:
    st.info(f"👉 **Try this:** {text}")


def code_ui(*functions: Callable) -> None:
    """The source of the lib functions this story runs: what the child sees is exactly what ran."""
    with st.expander(CODE_LABEL):
        st.caption("This is the real Python this story runs, with pandas, numpy and scikit-learn: the same tools "
                   "grown-up data scientists type into a Jupyter notebook. You just did the same with sliders and clicks!")
        st.code("\n\n".join(source_of(function) for function in functions), language="python")


@functools.cache  # reading and tokenising the source file took 5-10 ms a rerun
def source_of(function: Callable) -> str:
    return inspect.getsource(function)


def category_scale(domain: list[str]) -> alt.Scale:
    """Colour-blind-safe colours, one per category, in a fixed order."""
    return alt.Scale(domain=domain, range=list(CATEGORY_COLOURS[: len(domain)]))
