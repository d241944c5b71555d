"""Data Science Cornwall Lab: the router. Every page, its title, icon and order are listed here."""
import streamlit as st

from lib.core.gc_pauses import freeze_after_full_collections
from ui.follow import follow_turn, follow_ui
from ui.layout import sidebar_ui
from ui.present import present_control_ui, step_bar_ui
from ui.room import room_box_ui

st.set_page_config(page_title="Data Science Cornwall Lab", page_icon="🧪", layout="wide")
freeze_after_full_collections()  # once per process: a full garbage collection otherwise stalls a rerun (benchmarked)

PAGES = [
    # The default page lives at "/" (a url_path on it would only be a dead "/welcome").
    st.Page("app_pages/welcome.py", title="Welcome", icon="🏠", default=True),
    st.Page("app_pages/methodology.py", title="Methodology", icon="🧭", url_path="methodology"),
    st.Page("app_pages/pytorch_basics.py", title="PyTorch basics", icon="🔥", url_path="pytorch_basics"),
    st.Page("app_pages/mnist.py", title="MNIST trainer", icon="✍️", url_path="mnist"),
    st.Page("app_pages/maps.py", title="Maps and projections", icon="🗺️", url_path="maps"),
    st.Page("app_pages/kids.py", title="Kids' projects", icon="🐞", url_path="kids"),
    st.Page("app_pages/room.py", title="Room", icon="🙋", url_path="room"),
    st.Page("app_pages/runsheet.py", title="Run-sheet", icon="🎤", url_path="runsheet"),
]

with follow_turn(st.session_state):  # a follower's run after the presenter's change takes its turn with the room's others
    navigation = st.navigation(PAGES)
    sidebar_ui()
    room_box_ui()
    present_control_ui()
    follow_ui(PAGES, navigation)  # the join card, and a room's screens following the presenter
    step_bar_ui(PAGES, navigation)  # a presenter's run-sheet: the step bar and notes, and the step's page
    navigation.run()
