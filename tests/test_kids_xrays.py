"""Mysterious space X-rays: planted bad data found exactly, the 4.8-hour beat found, real layouts and uploads read kindly."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.kids.xrays import (
    DAILY_KIND,
    MODELLED_FILE,
    ORBIT_COLUMNS,
    ORBIT_KIND,
    ORBITAL_PERIOD_HOURS,
    BadDataLimits,
    LightCurveError,
    TooCoarseForBeat,
    clean_light_curve,
    find_bad_rows,
    find_gaps,
    find_period,
    fold,
    keep_peaks,
    light_curve_text,
    make_cygx3_light_curve,
    read_light_curve,
    read_light_curve_file,
    rolling_average,
    slow_trend,
    typical_step_hours,
)
from tests.conftest import ROOT
from tests.swift_bat_files import ORBIT_NAMES, daily_file, orbit_file

XRAY_FILE = ROOT / "data" / "kids" / "cygx3_bat_MODELLED.orbit.lc.txt"


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    table, notes = read_light_curve(XRAY_FILE.read_bytes())
    assert notes == []
    return table


@pytest.fixture(scope="module")
def modelled():
    return make_cygx3_light_curve()


def test_shipped_file_is_the_seeded_generators_output_and_says_it_is_modelled(modelled) -> None:
    assert MODELLED_FILE == XRAY_FILE
    text = XRAY_FILE.read_text()
    assert text == light_curve_text(modelled)
    assert text.startswith("# MODELLED data, not a real observation")


def test_shipped_file_is_in_the_published_orbit_layout_that_plain_pandas_reads(modelled) -> None:
    lines = XRAY_FILE.read_text().splitlines()
    names = next(line for line in lines if not line.startswith("#"))
    assert names.split() == list(ORBIT_COLUMNS)
    # The code a child writes for the shipped file, as the page shows it.
    xrays = pd.read_csv(XRAY_FILE, sep=r"\s+", comment="#")
    assert list(xrays.columns) == list(ORBIT_COLUMNS) and len(xrays) == len(modelled.table)
    assert all(np.issubdtype(dtype, np.number) for dtype in xrays.dtypes)
    assert np.allclose(xrays["MJD"], modelled.table["TIME"])
    # TIME counts Swift's seconds since 2001-01-01, MJD 51910.00074287.
    assert np.allclose(51910.00074287 + xrays["TIME"] / 86400, xrays["MJD"], atol=1e-6)
    assert (xrays["YEAR"] == 2019).all() and xrays["DAY"].iloc[0] == pytest.approx(117.134856)
    read = read_light_curve_file(XRAY_FILE.read_bytes())
    assert read.layout == "orbit" and read.notes == []
    assert read.description == f"🛰️ This is a Swift/BAT orbit light curve: {ORBIT_KIND}."


def test_sampling_is_per_swift_orbit_with_gaps(shipped: pd.DataFrame) -> None:
    steps_minutes = np.diff(np.unique(shipped["TIME"])) * 24 * 60
    assert np.median(steps_minutes) == pytest.approx(96, abs=15)
    assert 500 < len(shipped) < 700  # about 70% of 900 orbits in 60 days, less a 3-day hole


def test_default_rules_find_exactly_the_planted_bad_rows(shipped: pd.DataFrame, modelled) -> None:
    found = find_bad_rows(shipped, BadDataLimits())
    planted = sorted(row for rows in modelled.planted.values() for row in rows)
    assert sorted(np.flatnonzero(found.bad.to_numpy())) == planted
    assert found.count_by_reason() == {reason: len(rows) for reason, rows in modelled.planted.items()}
    for reason, rows in modelled.planted.items():
        assert all(reason in found.reasons.iloc[row] for row in rows)


def test_each_kind_of_bad_data_was_planted(modelled) -> None:
    assert {reason: len(rows) for reason, rows in modelled.planted.items()} == {
        "negative rate": 4, "huge error bar": 4, "flagged by NASA": 5, "repeated time": 3, "spike": 1,
    }


def test_a_duplicated_time_marks_only_the_second_copy(shipped: pd.DataFrame, modelled) -> None:
    for row in modelled.planted["repeated time"]:
        assert shipped["TIME"].iloc[row] == shipped["TIME"].iloc[row - 1]
    assert not find_bad_rows(shipped, BadDataLimits()).reasons.iloc[modelled.planted["repeated time"][0] - 1]


def test_the_childs_rules_change_what_is_bad(shipped: pd.DataFrame, modelled) -> None:
    kinder = find_bad_rows(shipped, BadDataLimits(drop_flagged=False, drop_repeated_times=False))
    assert int(kinder.bad.sum()) == 4 + 4 + 1
    stricter = find_bad_rows(shipped, BadDataLimits(lowest_rate=0.03))
    assert "too faint" in stricter.count_by_reason()
    assert int(stricter.bad.sum()) > 17


def test_the_planted_gap_is_found(shipped: pd.DataFrame, modelled) -> None:
    gaps = find_gaps(shipped, longer_than_hours=12)
    assert len(gaps) == 1
    start, end = modelled.gap
    assert start - 0.1 < gaps["from_mjd"].iloc[0] <= start and end <= gaps["to_mjd"].iloc[0] < end + 0.1


def test_periodogram_of_the_clean_data_peaks_at_the_orbit(shipped: pd.DataFrame) -> None:
    clean = clean_light_curve(shipped, BadDataLimits())
    assert len(clean) == len(shipped) - 17
    best = find_period(clean).best_period_hours
    assert best == pytest.approx(ORBITAL_PERIOD_HOURS, abs=0.02)
    assert best == pytest.approx(4.8, abs=0.05)


def test_folding_at_the_period_lines_the_beat_up(shipped: pd.DataFrame) -> None:
    clean = clean_light_curve(shipped, BadDataLimits())
    clean = clean[(clean["TIME"] < 58619) | (clean["TIME"] > 58638)]  # hard state only: one level
    phase = fold(clean, ORBITAL_PERIOD_HOURS)
    assert phase.between(0, 1).all()
    profile = clean["RATE"].groupby((phase * 10).astype(int)).mean()
    assert len(profile) == 10
    assert profile.max() > 1.4 * profile.min()  # the modelled beat is about +-30%
    wrong = clean["RATE"].groupby((fold(clean, 3.7) * 10).astype(int)).mean()
    assert wrong.max() < 1.15 * wrong.min()  # folded at a wrong period the beat smears out


def test_rolling_average_smooths_with_a_time_window() -> None:
    table = pd.DataFrame({"TIME": [0.0, 0.1, 0.2, 5.0], "RATE": [1.0, 3.0, 5.0, 7.0]})
    averaged = rolling_average(table, window_hours=6)
    assert averaged.tolist() == [1.0, 2.0, 3.0, 7.0]


def test_keep_peaks_keeps_the_brightest_share() -> None:
    table = pd.DataFrame({"TIME": np.arange(100.0), "RATE": np.arange(100.0)})
    assert keep_peaks(table, 10)["RATE"].min() >= 89
    assert len(keep_peaks(table, 100)) == 100


def test_whitespace_ascii_table_with_header_in_a_comment_is_read() -> None:
    text = (
        "# Swift/BAT transient monitor results, Cyg X-3, orbit light curve\n"
        "# TIME RATE ERROR YEAR DAY STAT_ERR SYS_ERR DATA_FLAG TIMEDEL_EXPO TIMEDEL_CODED TIMEDEL_DITHERED\n"
        + "".join(f"{58600 + n * 0.0667:.6f} {0.05 + 0.001 * n:.5f} 0.00600 2019 115 0.006 0 {n % 2} 800 800 800\n"
                  for n in range(12))
    )
    table, notes = read_light_curve(text.encode())
    assert notes == []
    assert list(table.columns) == ["TIME", "RATE", "ERROR", "DATA_FLAG", "TIMEDEL_EXPO"]
    assert len(table) == 12 and table["DATA_FLAG"].sum() == 6


def test_csv_without_data_flag_and_lowercase_names_is_read_with_a_note() -> None:
    text = "time,rate,error\n" + "".join(f"{58600 + n},0.05,0.006\n" for n in range(10))
    table, notes = read_light_curve(text.encode())
    assert (table["DATA_FLAG"] == 0).all()
    assert notes == ["There was no DATA_FLAG column, so every row is treated as unflagged."]


def test_words_in_number_columns_are_left_empty_and_counted() -> None:
    text = "TIME,RATE,ERROR\n" + "".join(f"{58600 + n},0.05,0.006\n" for n in range(10)) + "58611,oops,0.006\n"
    table, notes = read_light_curve(text.encode())
    assert table["RATE"].isna().sum() == 1
    assert "1 value(s) in RATE were not numbers" in notes[-1]
    assert find_bad_rows(table, BadDataLimits()).count_by_reason() == {"missing number": 1}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty"),
        (b"SIMPLE  =                    T", "FITS"),
        (b"# just a comment\n", "no rows of numbers"),
        (b"1 2 3\n4 5 6\n", "can't find the column names"),
        (b"TIME,FLUX\n1,2\n", "no RATE, ERROR column"),
        (b"TIME,RATE,ERROR\n1,2,3\n", "Only 1 usable rows"),
        (b"TIME,RATE,ERROR\n1,2,3\n4,5,6,7,8\n", "different number of values"),
        (b"\x00\x01\x02TIME", "isn't text"),
    ],
)
def test_malformed_uploads_get_a_kind_message(raw: bytes, message: str) -> None:
    with pytest.raises(LightCurveError, match=message):
        read_light_curve(raw)


def test_slow_trend_follows_the_state_and_keeps_the_tables_row_order() -> None:
    days = np.arange(0, 10, 0.05)
    level = np.where(days < 5, 0.08, 0.03)
    beat = 1 + 0.3 * np.cos(2 * np.pi * days / (4.8 / 24))
    table = pd.DataFrame({"TIME": days, "RATE": level * beat}).iloc[::-1]  # rows in reverse time order
    trend = slow_trend(table, smooth_days=1.0)
    assert list(trend.index) == list(table.index)
    assert trend[table["TIME"] == 2.0].item() == pytest.approx(0.08, rel=0.1)
    assert trend[table["TIME"] == 8.0].item() == pytest.approx(0.03, rel=0.1)


def test_typical_step_tells_per_orbit_from_daily_light_curves(shipped: pd.DataFrame) -> None:
    assert 1.5 < typical_step_hours(shipped) < 2.5  # Swift orbits of 1.6 h, some missed
    daily = pd.DataFrame({"TIME": 58600.0 + np.arange(30), "RATE": 0.05})
    assert typical_step_hours(daily) == pytest.approx(24)
    assert typical_step_hours(daily.iloc[:1]) == float("inf")


def test_periodogram_of_flat_data_is_empty_and_daily_data_is_refused() -> None:
    flat = pd.DataFrame({"TIME": 58600.0 + np.arange(50) * 0.07, "RATE": 0.05})
    assert not find_period(flat).power.any()
    daily = pd.DataFrame({"TIME": 58600.0 + np.arange(60), "RATE": 0.05 + 0.01 * (np.arange(60) % 3)})
    with pytest.raises(TooCoarseForBeat, match="about 24 hours apart: too coarse"):
        find_period(daily)
    every_five_hours = daily.assign(TIME=58600.0 + np.arange(60) * 5 / 24)
    assert np.isfinite(find_period(every_five_hours).power).all()  # coarse, but 12-hour beats still get 2 points


def test_a_column_named_twice_uses_the_first_with_a_note() -> None:
    rows = "".join(f"{58600 + n},{99999 + n},0.05,0.006\n" for n in range(12))
    table, notes = read_light_curve(("time,TIME,RATE,ERROR\n" + rows).encode())
    assert table["TIME"].iloc[0] == 58600
    assert notes[0] == "The column TIME appears more than once, so only the first one is used."


# ---------------------------------------------------------------- the two layouts NASA publishes


def test_an_orbit_file_is_read_with_time_in_days_and_finds_the_beat(modelled) -> None:
    read = read_light_curve_file(orbit_file(modelled.table))
    assert read.layout == "orbit" and read.kind == ORBIT_KIND
    assert read.notes == []  # the units line is not a row of bad numbers
    assert len(read.table) == len(modelled.table)
    assert np.allclose(read.table["TIME"], modelled.table["TIME"], atol=1e-6)
    assert 1.5 < typical_step_hours(read.table) < 2.5  # hours, not the 161,899 of seconds read as days
    assert read.table["TIMEDEL_EXPO"].tolist() == modelled.table["TIMEDEL_EXPO"].tolist()
    found = find_bad_rows(read.table, BadDataLimits())
    assert int(found.bad.sum()) == 17
    best = find_period(clean_light_curve(read.table, BadDataLimits())).best_period_hours
    assert best == pytest.approx(4.8, abs=0.1)


def test_an_orbit_file_without_its_mjd_column_is_still_read_from_seconds(modelled) -> None:
    read = read_light_curve_file(orbit_file(modelled.table, with_mjd=False))
    assert read.layout == "orbit" and read.notes == []
    assert np.allclose(read.table["TIME"], modelled.table["TIME"], atol=1e-6)
    best = find_period(clean_light_curve(read.table, BadDataLimits())).best_period_hours
    assert best == pytest.approx(4.8, abs=0.1)


def test_a_daily_file_is_one_point_a_day_and_too_coarse_for_the_beat(modelled) -> None:
    read = read_light_curve_file(daily_file(modelled.table))
    assert read.layout == "daily" and read.kind == DAILY_KIND
    assert read.description == f"📅 This is a Swift/BAT daily light curve: {DAILY_KIND}."
    assert read.notes == []
    assert read.table["TIME"].iloc[0] == 58600 and len(read.table) == 57  # 60 days less the 3-day hole
    assert typical_step_hours(read.table) == pytest.approx(24)
    with pytest.raises(TooCoarseForBeat, match="too coarse"):
        find_period(clean_light_curve(read.table, BadDataLimits()))


def test_the_old_api_reads_an_orbit_file_the_same_way(modelled) -> None:
    raw = orbit_file(modelled.table)
    table, notes = read_light_curve(raw)
    assert table.equals(read_light_curve_file(raw).table) and notes == []


def test_a_plain_csv_says_how_often_it_was_measured() -> None:
    every_orbit = "TIME,RATE,ERROR,DATA_FLAG\n" + "".join(f"{58600 + n * 0.07},0.05,0.006,0\n" for n in range(12))
    assert read_light_curve_file(every_orbit.encode()).kind == ORBIT_KIND
    daily = "TIME,RATE,ERROR,DATA_FLAG\n" + "".join(f"{58600 + n},0.05,0.006,0\n" for n in range(12))
    assert read_light_curve_file(daily.encode()).description == f"📋 This is a table of TIME, RATE and ERROR: {DAILY_KIND}."
    six_hourly = "TIME,RATE,ERROR,DATA_FLAG\n" + "".join(f"{58600 + n / 4},0.05,0.006,0\n" for n in range(12))
    assert read_light_curve_file(six_hourly.encode()).kind == "a point about every 6 hours"


def test_a_units_line_under_csv_names_is_skipped_without_notes() -> None:
    text = "TIME,RATE,ERROR,DATA_FLAG\nd,count/cm2/s,count/cm2/s,\n" + "".join(
        f"{58600 + n * 0.07},0.05,0.006,0\n" for n in range(12))
    table, notes = read_light_curve(text.encode())
    assert notes == [] and len(table) == 12 and table["TIME"].iloc[0] == 58600


def _garbled_files() -> dict[str, tuple[bytes, str]]:
    modelled = make_cygx3_light_curve().table
    orbit, daily = orbit_file(modelled.iloc[:300]), daily_file(modelled.iloc[300:])
    names = ORBIT_NAMES.split() + ["TIMEDEL_CODED"]
    mixed_columns = " ".join(names) + "\n" + "".join(
        " ".join(["5.78e8", "0.05", "0.006", "2019", "117", "58600.1", *["1"] * (len(names) - 6)]) + "\n"
        for _ in range(12))
    disagreeing = orbit_file(modelled).replace(b" 58600.134856", b" 58610.134856", 1)
    return {
        "an orbit file with a daily file pasted under it": (orbit + daily, "look like seconds .* and others like days"),
        "the columns of both layouts": (mixed_columns.encode(), "mixes the columns of two kinds of light curve"),
        "TIME and MJD disagreeing": (disagreeing, r"In 1 row\(s\) TIME .* and MJD say different days"),
    }


@pytest.mark.parametrize("garbled", list(_garbled_files()))
def test_a_mixed_or_garbled_file_gets_a_clear_message(garbled: str) -> None:
    raw, message = _garbled_files()[garbled]
    with pytest.raises(LightCurveError, match=message):
        read_light_curve(raw)
