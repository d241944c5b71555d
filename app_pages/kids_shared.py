"""What the Kids' projects share: the data folder, the colours, the try-this prompt and the real-code prompt."""
from __future__ import annotations

from pathlib import Path

import altair as alt
import streamlit as st

from lib.core.palette import CATEGORY_COLOURS

DATA = Path(__file__).resolve().parents[1] / "data" / "kids"
# The code itself is in the page skeleton's "🐍 The code behind this" expander under every tab (lib.registry's shows).
REAL_CODE = ("🐍 Open **The code behind this** below to see the real Python this story runs, with pandas, numpy "
             "and scikit-learn: the same tools grown-up data scientists type into a Jupyter notebook. You just did "
             "the same with sliders and clicks!")


def try_this_ui(text: str) -> None:
    st.info(f"👉 **Try this:** {text}")


def real_code_ui() -> None:
    st.caption(REAL_CODE)


def category_scale(domain: list[str]) -> alt.Scale:
    """Colour-blind-safe colours, one per category, in a fixed order."""
    return alt.Scale(domain=domain, range=list(CATEGORY_COLOURS[: len(domain)]))
