"""🐞 Kids' projects: the four taster-workshop stories, playable by a child of eight with the real tools.

One module per story, as lib/kids/ has one per story: kids_hands, kids_garden, kids_spy, kids_xrays.
"""
from __future__ import annotations

import streamlit as st

from app_pages.kids_garden import garden_story_ui
from app_pages.kids_garden_own import own_garden_notebook_settings
from app_pages.kids_hands import hands_story_ui
from app_pages.kids_spy import spy_story_ui
from app_pages.kids_xrays import xray_story_ui
from lib.kids.settings import SETTINGS
from lib.registry import tab_label, tab_labels
from ui.page import Story, demo_tabs, page_ui

# Each project's story by its demo id (lib/registry.py); the garden's notebook also takes a child's own table.
STORIES = {"hands": hands_story_ui, "garden": Story(garden_story_ui, own_garden_notebook_settings),
           "spy": spy_story_ui, "xrays": xray_story_ui}
TABS = tab_labels("kids")
HANDS = tab_label("hands")
GARDEN = tab_label("garden")
SPY = tab_label("spy")
XRAYS = tab_label("xrays")
# Bigger, friendlier text for young readers; it lives only while this page is drawn.
KIDS_CSS = """
<style>
.stApp [data-testid="stMarkdownContainer"] p, .stApp [data-testid="stMarkdownContainer"] li { font-size: 1.2rem; }
.stApp [data-testid="stWidgetLabel"] p { font-size: 1.1rem; }
.stApp button[role="tab"] p { font-size: 1.25rem; }
</style>
"""
OOPS = "🤖 Oops! Rolo tripped over something here. Press 'Start again' or change a setting and try again."
TALK = "From the talk “Python Data Science for Kids”: four taster-workshop projects, with the real tools"
INTRO = "Pick a project. Each one is a little story, and **you** are the data scientist! 🧑‍🔬"


def kids_css_ui() -> None:
    st.markdown(KIDS_CSS, unsafe_allow_html=True)


if __name__ == "__main__":  # each open project is a fragment: moving its sliders reruns that project only
    page_ui("kids", "🐞 Kids' projects", SETTINGS, demo_tabs("kids", SETTINGS, STORIES), talk=TALK, intro=INTRO, above_tabs=kids_css_ui, error_message=OOPS)
