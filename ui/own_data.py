"""A visitor's own table on a page: an upload or a paste, kept in their session, never in a shared cache.

`own_table_ui(prefix, ...)` draws the uploader and the paste box and returns the visitor's `OwnTable` (or
None before the first good one). A refusal shows its one-line message and keeps the earlier table and
every setting. `remembered` keeps a few results per visitor, so a rerun that changes nothing else (a
threshold slider, say) does not refit on a 50,000-row table. Column pickers keep a choice while it is
still a column of the table.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from lib.methodology.own_data import OwnDataError, load_table, numeric_columns, suggested_columns, to_safe_csv
from ui.errors import visitor_message

EMBED_BYTES = 1_000_000  # under this, the take-home notebook carries the table itself
REMEMBERED_RESULTS = 16  # results kept per visitor and table: every column choice and setting a demo revisits
UPLOAD_TYPES = ["csv", "tsv", "txt"]
UNREADABLE = "This table could not be read."
Result = TypeVar("Result")


@dataclass(frozen=True)
class OwnTable:
    frame: pd.DataFrame
    name: str  # the file's name, or "pasted table"
    token: str  # a digest of the bytes: tells one table from another in remembered results
    size_bytes: int
    safe_csv: str | None  # the defused CSV when the table is small enough to embed in a notebook
    numeric: tuple[str, ...]  # its numeric columns, found once (200 columns of 50,000 rows take a while)
    suggested: dict[str, str]  # a first choice for each demo's column roles


def _state_key(prefix: str, part: str) -> str:
    return f"{prefix}.own.{part}"


def current_table(prefix: str) -> OwnTable | None:
    return st.session_state.get(_state_key(prefix, "table"))


def _accept(prefix: str, data: bytes, name: str) -> None:
    """Load `data` as the visitor's table; on a refusal keep the earlier one and remember the message."""
    token = hashlib.sha256(data).hexdigest()[:16]
    try:
        frame = load_table(data)
    except OwnDataError as error:
        st.session_state[_state_key(prefix, "refusal")] = f"{name}: {visitor_message(error, UNREADABLE)}"
        return
    safe_csv = to_safe_csv(frame) if len(data) < EMBED_BYTES else None
    st.session_state[_state_key(prefix, "table")] = OwnTable(frame, name, token, len(data), safe_csv,
                                                             tuple(numeric_columns(frame)), suggested_columns(frame))
    st.session_state[_state_key(prefix, "results")] = {}
    st.session_state.pop(_state_key(prefix, "refusal"), None)


def _use_paste(prefix: str) -> None:
    text = st.session_state.get(_state_key(prefix, "paste"), "") or ""
    _accept(prefix, text.encode("utf-8"), "pasted table")


def own_table_ui(prefix: str, hint: str) -> OwnTable | None:
    """The uploader and paste box; the visitor's table (the last good one), or None before any."""
    upload = st.file_uploader(f"Upload a CSV or TSV file (header row; at most 20 MB, 50,000 rows, 200 columns). {hint}",
                              type=UPLOAD_TYPES, key=_state_key(prefix, "upload"))
    seen_key = _state_key(prefix, "upload_seen")
    if upload is not None and st.session_state.get(seen_key) != upload.file_id:
        st.session_state[seen_key] = upload.file_id  # each upload is read once, not on every rerun
        _accept(prefix, upload.getvalue(), upload.name)
    with st.expander("…or paste a table (first line: the column names)"):
        st.text_area("Paste a table", key=_state_key(prefix, "paste"), height=140, persist_state="session",
                     placeholder="height,weight,group\n1.62,58,a\n1.75,71,b")
        st.button("Use the pasted table", key=_state_key(prefix, "use_paste"), on_click=_use_paste, args=(prefix,))
    refusal = st.session_state.get(_state_key(prefix, "refusal"))
    table = current_table(prefix)
    if refusal:
        kept = f" Still using your earlier table, {table.name}." if table is not None else ""
        st.error(f"{refusal}{kept}")
    if table is not None:
        rows, columns = table.frame.shape
        st.caption(f"Your table: {table.name}, {rows:,} rows and {columns} columns.")
    return table


def column_choice_ui(prefix: str, role: str, label: str, choices: Sequence[str], *, default: str | None = None,
                  container: Any = st) -> str | None:
    """A select box of the table's columns whose choice survives a new table while it is still a column."""
    key = _state_key(prefix, role)
    if not choices:
        return None
    if st.session_state.get(key) not in choices:
        st.session_state[key] = default if default in choices else choices[0]
    return container.selectbox(label, list(choices), key=key, persist_state="session")


def remembered(prefix: str, table: OwnTable, name: str, args: tuple, compute: Callable[[], Result]) -> Result:
    """`compute()` for this table and arguments, kept in the visitor's session (a few entries, newest last)."""
    store: dict = st.session_state.setdefault(_state_key(prefix, "results"), {})
    key = (table.token, name, args)
    if key in store:
        store[key] = store.pop(key)  # most recently used last
        return store[key]
    result = compute()
    store[key] = result
    while len(store) > REMEMBERED_RESULTS:
        store.pop(next(iter(store)))
    return result


def safe_download_ui(prefix: str, table: OwnTable) -> None:
    """The visitor's table as my_data.csv, formula-looking cells defused (written only when clicked)."""
    st.download_button("⬇️ Download your table as my_data.csv", lambda: to_safe_csv(table.frame),
                       file_name="my_data.csv", mime="text/csv", key=_state_key(prefix, "download"),
                       on_click="ignore", help="Cells that a spreadsheet would run as formulas start with ' here.")
