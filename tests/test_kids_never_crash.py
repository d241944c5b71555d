"""Whatever a child types or uploads, the kids' lib answers with a message, never an unexpected exception."""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.kids.hands import FINGERS, LEFT_COLUMN, RIGHT_COLUMN, check_hands, compare_hands, summarise_hands
from lib.kids.spy import render_message, tidy_message
from lib.kids.xrays import LightCurveError, read_light_curve

cells = st.one_of(
    st.none(), st.booleans(), st.integers(-1000, 1000), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(cells, min_size=10, max_size=10))
def test_any_table_gets_messages_and_a_verdict(values: list[object]) -> None:
    table = pd.DataFrame({"Finger": list(FINGERS), LEFT_COLUMN: values[:5], RIGHT_COLUMN: values[5:]})
    messages = check_hands(table)
    assert all(isinstance(message, str) for message in messages)
    assert compare_hands(table).longer in {"left", "right", "same", "unknown"}
    summary = summarise_hands(table)
    assert (summary.dropna() > 0).all().all()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_any_secret_message_can_be_drawn(text: str) -> None:
    tidy, _ = tidy_message(text)
    picture = render_message(text)
    assert tidy and picture.ndim == 2 and picture.max() == 1.0


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(["TIME", "time", "Rate", "RATE", "ERROR", "DATA_FLAG", ",", " ", "#", "\n", "1", "0.5", "-2", "x",
                              "nan", "1e3", "MJD", "TIMEDEL", "PCODEFR", "TIMEDEL_CODED", "5.8e8", "inf", "s"]),
             max_size=80).map(lambda parts: "".join(parts).encode()),
))
def test_any_upload_is_read_or_refused_kindly(raw: bytes) -> None:
    try:
        table, notes = read_light_curve(raw)
    except LightCurveError as problem:
        assert str(problem)
    else:
        assert list(table.columns[:3]) == ["TIME", "RATE", "ERROR"] and len(table) >= 10
