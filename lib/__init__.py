"""Pure, typed compute for the Data Science Cornwall Lab pages. Never imports streamlit."""
