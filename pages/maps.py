"""🗺️ Maps and projections: not built yet; this page says so plainly rather than faking a demo."""
import streamlit as st

st.title("🗺️ Maps and projections")
st.caption("From the talk “Design for Data Visualisation, and Introduction to Maps and Spatial Data”")
st.info("This page is coming soon: its demos are being built (issue 4). Nothing here is simulated in the meantime.")
