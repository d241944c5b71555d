"""✍️ MNIST trainer: not built yet; this page says so plainly rather than faking a demo."""
import streamlit as st

st.title("✍️ MNIST trainer")
st.caption("From the talk “Hands-On Introduction to PyTorch (second half)”")
st.info("This page is coming soon: its demos are being built (issue 3). Nothing here is simulated in the meantime.")
