"""🧭 Methodology: not built yet; this page says so plainly rather than faking a demo."""
import streamlit as st

st.title("🧭 Methodology")
st.caption("From the talk “Practical Steps for Building Intelligent Systems”")
st.info("This page is coming soon: its demos are being built (issue 5). Nothing here is simulated in the meantime.")
