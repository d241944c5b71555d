"""🐞 Kids' projects: not built yet; this page says so plainly rather than faking a demo."""
import streamlit as st

st.title("🐞 Kids' projects")
st.caption("From the talk “Python Data Science for Kids”")
st.info("This page is coming soon: its demos are being built (issue 6). Nothing here is simulated in the meantime.")
