"""Welcome: what each page teaches and which talk it comes from."""
import streamlit as st

from ui.room import room_code_box_ui

st.title("Data Science Cornwall Lab")
st.markdown(
    "Four Data Science Cornwall meetup talks (2019), turned into demos you can drive yourself. "
    "Presenters: switch on **presenter mode** in the sidebar for a projector, and use each page's "
    "**link to this demo** so the room can open exactly what you showed."
)
room_code_box_ui()

TOUR = [
    ("app_pages/methodology.py", "🧭 Methodology", "Practical Steps for Building Intelligent Systems",
     "A checklist for your own machine-learning problem (why, what, how, how well, value, risks), "
     "and the ideas behind it to play with: over-fitting, ROC curves, loss functions, hypothesis tests, bias."),
    ("app_pages/pytorch_basics.py", "🔥 PyTorch basics", "Hands-On Introduction to PyTorch (first half)",
     "Teach a one-number machine to turn kilometres into miles, watch autograd find gradients of "
     "any expression you type, and time a matrix product on the CPU and the GPU."),
    ("app_pages/mnist.py", "✍️ MNIST trainer", "Hands-On Introduction to PyTorch (second half)",
     "Explore 60,000 handwritten digits, train the talk's network live, then faster modern ones, "
     "and draw your own digit for it to read."),
    ("app_pages/maps.py", "🗺️ Maps and projections", "Design for Data Visualisation, and Introduction to Maps",
     "Points, lines and polygons on Penryn campus, map projections you can feel (move Japan next to "
     "Britain), colours that colour-blind readers can tell apart, serif against sans-serif."),
    ("app_pages/kids.py", "🐞 Kids' projects", "Python Data Science for Kids",
     "Four workshop stories: hands and fingers, the garden bug detective, secret spy messages "
     "and mysterious space X-rays."),
]

for path, title, talk, what in TOUR:
    with st.container(border=True):
        st.page_link(path, label=title)
        st.caption(f"From the talk “{talk}”")
        st.write(what)
