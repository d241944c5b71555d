"""PyTorch basics: being built."""
import streamlit as st

st.title("🔥 PyTorch basics")
st.info("This page is coming soon.")
