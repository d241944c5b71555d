"""Streamlit helpers shared by every page: the sidebar, presenter mode and links that carry settings."""
