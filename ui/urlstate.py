"""The one mechanism that puts a page's sliders and choices in the URL.

A page lists its widgets as `UrlParam`s, calls `restore_from_url` before drawing them (widgets are
then drawn with `key=` and no `value=`), and `share_link_ui` after. A fresh visitor who opens the
link gets exactly the presenter's settings; moving between pages keeps a visitor's own settings.
"""
from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit

import streamlit as st

from lib.urlcodec import UrlParam

# Streamlit forgets a widget's value when its page is not drawn; this copy survives page changes.
_KEPT = "_kept."


def restore_from_url(params: Sequence[UrlParam]) -> None:
    """Seed each widget's value: the visitor's own, else the link's, else the default."""
    refused = []
    for param in params:
        if param.key in st.session_state:
            continue
        kept = st.session_state.get(_KEPT + param.key)
        if kept is not None:
            st.session_state[param.key] = kept
            continue
        raw = st.query_params.get(param.key)
        value = None if raw is None else param.parse(raw)
        if raw is not None and value is None:
            refused.append(param.key)
        st.session_state[param.key] = param.default if value is None else value
    if refused:
        st.toast(f"The link's value for {', '.join(refused)} was not usable here, so the default is shown.")


def write_to_url(params: Sequence[UrlParam]) -> str:
    """Mirror the widgets' current values into the address bar; returns the query string."""
    pairs = {}
    for param in params:
        value = st.session_state.get(param.key)
        if value is None:
            continue
        st.session_state[_KEPT + param.key] = value
        pairs[param.key] = param.encode(value)
        if st.query_params.get(param.key) != pairs[param.key]:
            st.query_params[param.key] = pairs[param.key]
    return urlencode(pairs)


def share_link_ui(params: Sequence[UrlParam]) -> None:
    """Write the settings to the URL and offer the link, ready to copy, for attendees."""
    query = write_to_url(params)
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
        st.caption("Anyone who opens this link sees the same sliders and choices.")
