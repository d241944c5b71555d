"""The one mechanism that puts a page's sliders and choices in the URL.

ui/page.py calls `restore_from_url` before a page draws any widget and `share_link_ui` after its open
tab. Widgets come from ui/widgets.py: `key=param.key`, no `value=`, and `persist_state="session"`, so
Streamlit keeps a visitor's value while its tab or page is closed. A fresh visitor who opens the link
gets exactly the presenter's settings and tab, and joins the presenter's room when there is one.
"""
from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit

import streamlit as st

from lib.core.settings import UrlParam


def restore_from_url(params: Sequence[UrlParam]) -> None:
    """Seed each widget the visitor has not set yet: from the link where it is valid, else the default."""
    refused = []
    for param in params:
        if param.key in st.session_state:
            continue
        raw = st.query_params.get(param.key)
        value = None if raw is None else param.parse(raw)
        if raw is not None and value is None:
            refused.append(param.key)
        st.session_state[param.key] = param.default if value is None else value
    if refused:
        st.toast(f"The link's value for {', '.join(refused)} was not usable here, so the default is shown.")


ROOM_CODE_KEY = "room.code"  # the joined room's code, its one name (ui/room.py keeps it); a link carries it as `room=`


def write_to_url(params: Sequence[UrlParam], tab_key: str | None = None) -> str:
    """Mirror the widgets' current values into the address bar; returns the query string of a link.

    `tab_key` names a page's lazy `st.tabs` key, so the link opens the same tab; a joined room's code
    goes in the link (not in this visitor's address bar), so whoever opens it joins the room.
    """
    for param in params:
        value = st.session_state.get(param.key)
        if value is None:
            continue
        encoded = param.encode(value)
        if st.query_params.get(param.key) != encoded:
            st.query_params[param.key] = encoded
    pairs = st.query_params.to_dict()
    if tab_key is not None and st.session_state.get(tab_key) is not None:
        pairs[tab_key] = str(st.session_state[tab_key])  # the browser binds the tab; the server knows its state
    if st.session_state.get(ROOM_CODE_KEY):
        pairs["room"] = str(st.session_state[ROOM_CODE_KEY])
    return urlencode(sorted(pairs.items()))


def share_link_ui(params: Sequence[UrlParam], tab_key: str | None = None) -> None:
    """Write the settings to the URL and offer the link (open tab included), ready to copy, for attendees."""
    query = write_to_url(params, tab_key)
    base = ""
    try:
        page_url = st.context.url
    except Exception:  # AppTest and old servers have no browser URL
        page_url = None
    if page_url:
        parts = urlsplit(page_url)
        base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    with st.expander("🔗 Link to this demo, with these settings"):
        st.code(f"{base}?{query}", language=None)
        st.caption("Anyone who opens this link sees the same tab, sliders and choices.")
