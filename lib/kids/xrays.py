"""Mysterious space X-rays: a Swift/BAT-style light curve of Cygnus X-3, its bad data, and its 4.8-hour beat.

NASA's Swift/BAT hard X-ray transient monitor publishes two whitespace text tables per source, each
opening with `#` comment lines and sometimes a units line under the column names:
- orbit by orbit (`*.orbit.lc.txt`): TIME RATE ERROR YEAR DAY MJD TIMEDEL STAT_ERR SYS_ERR PCODEFR
  DATA_FLAG DITHER_FLAG, where TIME is seconds since 2001-01-01 (MJD 51910.00074287);
- one point a day (`*.lc.txt`): TIME RATE ERROR YEAR DAY STAT_ERR SYS_ERR DATA_FLAG TIMEDEL_EXPO
  TIMEDEL_CODED TIMEDEL_DITHERED, where TIME is the MJD.
`read_light_curve` reads both, and a plain CSV with TIME (MJD), RATE and ERROR, into one table:
TIME (always MJD, days), RATE and ERROR (counts/cm2/s, 15-50 keV), DATA_FLAG (0 = good) and
TIMEDEL_EXPO (seconds of exposure). The shipped light curve is synthetic, modelled on published facts,
and written in the orbit layout so code written for it works on the real file.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED_COLUMNS = ("TIME", "RATE", "ERROR")
COLUMNS = ("TIME", "RATE", "ERROR", "DATA_FLAG", "TIMEDEL_EXPO")
# The two layouts the Swift/BAT transient monitor publishes, column for column.
ORBIT_COLUMNS = ("TIME", "RATE", "ERROR", "YEAR", "DAY", "MJD", "TIMEDEL", "STAT_ERR", "SYS_ERR", "PCODEFR",
                 "DATA_FLAG", "DITHER_FLAG")
DAILY_COLUMNS = ("TIME", "RATE", "ERROR", "YEAR", "DAY", "STAT_ERR", "SYS_ERR", "DATA_FLAG", "TIMEDEL_EXPO",
                 "TIMEDEL_CODED", "TIMEDEL_DITHERED")
# Columns that only one layout has: they tell the two apart.
ORBIT_ONLY = frozenset(ORBIT_COLUMNS) - frozenset(DAILY_COLUMNS)
DAILY_ONLY = frozenset(DAILY_COLUMNS) - frozenset(ORBIT_COLUMNS)
ORBIT_UNITS = ("s", "count/cm2/s", "count/cm2/s", "yr", "d", "d", "s", "count/cm2/s", "count/cm2/s", "", "", "")
# Swift's clock: TIME in an orbit file counts seconds from 2001-01-01 00:00 TT, which is this MJD (UTC).
SWIFT_EPOCH_MJD = 51910.00074287
SECONDS_PER_DAY = 86_400.0
# No MJD is this big (it would be the year 4600), but seconds since 2001 pass it within 12 days.
SECONDS_NOT_DAYS_ABOVE = 1e6
# Where TIME and MJD both give the time they must agree; half a day allows any bin-centre convention.
TIME_AGREEMENT_DAYS = 0.5

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "kids"
MODELLED_FILE = DATA_DIR / "cygx3_bat_MODELLED.orbit.lc.txt"

ORBIT_KIND = "orbit by orbit, about every 96 minutes"
DAILY_KIND = "one point a day"

# Cygnus X-3's orbit: 0.19968 days, about 4.79 hours (Singh et al. 2002 and earlier timing).
ORBITAL_PERIOD_DAYS = 0.1996847
ORBITAL_PERIOD_HOURS = ORBITAL_PERIOD_DAYS * 24
# Swift goes round the Earth every ~96 minutes; the monitor gives one point per orbit it saw the source.
SWIFT_ORBIT_DAYS = 96.0 / (24 * 60)
CRAB_RATE = 0.22  # counts/cm2/s in 15-50 keV from the Crab, the X-ray astronomer's ruler
START_MJD = 58600.0  # 2019 April 27, the spring of the taster workshops
SPAN_DAYS = 60.0
GAP_START_DAY, GAP_DAYS = 41.0, 3.0  # a planted hole: the satellite looked elsewhere for three days


@dataclass(frozen=True)
class BadDataLimits:
    """The child's own thresholds: anything outside them is called bad."""

    lowest_rate: float = 0.0  # X-rays cannot be fewer than none
    highest_rate: float = 0.5  # over 2 Crab would be the brightest Cyg X-3 has ever been
    biggest_error: float = 0.05  # an error bar bigger than the signal itself tells us nothing
    drop_flagged: bool = True  # NASA's own DATA_FLAG says something went wrong
    drop_repeated_times: bool = True  # the same moment written twice


@dataclass(frozen=True)
class ModelledLightCurve:
    table: pd.DataFrame
    planted: dict[str, list[int]] = field(default_factory=dict)  # reason -> row positions in table
    gap: tuple[float, float] = (0.0, 0.0)  # (start, end) in MJD


def _state_level(days: np.ndarray) -> np.ndarray:
    """The slow part: a hard state (bright in hard X-rays), a soft state, then hard again."""
    hard, soft = 0.075, 0.035
    into_soft = 0.5 * (1 + np.tanh((days - 19.0) / 0.8))
    back_to_hard = 0.5 * (1 + np.tanh((days - 37.0) / 1.2))
    return hard - (hard - soft) * into_soft + (hard - soft) * back_to_hard


def _flares(days: np.ndarray) -> np.ndarray:
    flare_days, heights, widths = (25.3, 49.6, 53.1), (0.045, 0.035, 0.025), (0.35, 0.25, 0.2)
    total = np.zeros_like(days)
    for centre, height, width in zip(flare_days, heights, widths, strict=True):
        total += height * np.exp(-0.5 * ((days - centre) / width) ** 2)
    return total


def _orbital_modulation(days: np.ndarray) -> np.ndarray:
    """The 4.8-hour beat: brighter and dimmer as the compact star goes round the Wolf-Rayet star."""
    phase = 2 * np.pi * days / ORBITAL_PERIOD_DAYS
    return 1 + 0.25 * np.cos(phase) + 0.07 * np.cos(2 * phase + 0.6)


def make_cygx3_light_curve(seed: int = 1967) -> ModelledLightCurve:
    """A per-orbit light curve with planted bad data, every planted row recorded by reason."""
    rng = np.random.default_rng(seed)
    orbits = np.arange(0, SPAN_DAYS, SWIFT_ORBIT_DAYS)
    # The source is seen in about 70% of orbits, at a different moment within each orbit.
    seen = rng.random(len(orbits)) < 0.7
    days = orbits[seen] + rng.uniform(0, 0.6 * SWIFT_ORBIT_DAYS, seen.sum())
    days = days[(days < GAP_START_DAY) | (days >= GAP_START_DAY + GAP_DAYS)]
    exposure = rng.uniform(400, 1600, len(days)).round()
    error = 0.006 * np.sqrt(800 / exposure)
    model = _state_level(days) * _orbital_modulation(days) + _flares(days)
    # Noise clipped at 2.5 error bars, so no honest point looks like planted bad data.
    noise = np.clip(rng.normal(0, 1, len(days)), -2.5, 2.5) * error
    table = pd.DataFrame(
        {"TIME": START_MJD + days, "RATE": model + noise, "ERROR": error, "DATA_FLAG": 0, "TIMEDEL_EXPO": exposure}
    )
    table["reason"] = ""

    # Plant the bad data on distinct, spread-out rows.
    rows = rng.choice(np.arange(5, len(table) - 5), size=17, replace=False)
    negative, huge_error, flagged, duplicated, spike = rows[:4], rows[4:8], rows[8:13], rows[13:16], rows[16:]
    table.loc[negative, "RATE"] = -rng.uniform(0.005, 0.03, len(negative))
    table.loc[negative, "reason"] = "negative rate"
    table.loc[huge_error, "ERROR"] = rng.uniform(0.15, 0.4, len(huge_error))
    table.loc[huge_error, "reason"] = "huge error bar"
    # Flags mark orbits where the source sat at the edge of the field of view, so rates came out low.
    table.loc[flagged, "DATA_FLAG"] = rng.choice([1, 2, 16], len(flagged))
    table.loc[flagged, "RATE"] *= 0.4
    table.loc[flagged, "reason"] = "flagged by NASA"
    table.loc[spike, "RATE"] = 1.8
    table.loc[spike, "reason"] = "spike"
    copies = table.loc[duplicated].copy()
    copies["reason"] = "repeated time"
    # A stable sort keeps each original before its copy, so the copy is the one called a repeat.
    table = pd.concat([table, copies]).sort_values("TIME", kind="stable").reset_index(drop=True)

    planted: dict[str, list[int]] = {}
    for position, reason in enumerate(table["reason"]):
        if reason:
            planted.setdefault(reason, []).append(position)
    table = table.drop(columns="reason")
    table["RATE"] = table["RATE"].round(5)
    table["ERROR"] = table["ERROR"].round(5)
    table["TIME"] = table["TIME"].round(6)
    gap = (START_MJD + GAP_START_DAY, START_MJD + GAP_START_DAY + GAP_DAYS)
    return ModelledLightCurve(table, planted, gap)


MODELLED_NOTE = (
    "MODELLED data, not a real observation: a synthetic per-orbit light curve of Cygnus X-3 in the "
    "format of NASA's Swift/BAT transient monitor, made by data/kids/make_kids_data.py (seed {seed}). "
    "It copies published facts (4.8-hour orbit, hard and soft states, flares) and has planted bad data."
)
ORBIT_LAYOUT_NOTE = (
    "Orbit light curve layout (*.orbit.lc.txt): TIME is seconds since 2001-01-01 (MJD 51910.00074287), "
    "MJD is the same moment in days, RATE, ERROR, STAT_ERR and SYS_ERR are counts/cm2/s (15-50 keV), "
    "TIMEDEL is the exposure in seconds, PCODEFR the partial coding fraction, DATA_FLAG 0 means good."
)


def mjd_to_swift_seconds(mjd: np.ndarray) -> np.ndarray:
    return (np.asarray(mjd, dtype=float) - SWIFT_EPOCH_MJD) * SECONDS_PER_DAY


def swift_seconds_to_mjd(seconds: np.ndarray) -> np.ndarray:
    return SWIFT_EPOCH_MJD + np.asarray(seconds, dtype=float) / SECONDS_PER_DAY


def year_and_day(mjd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar year and day of the year (1.0 = midnight starting 1 January) for each MJD."""
    moments = pd.to_datetime(np.asarray(mjd, dtype=float) - 40587.0, unit="D")  # MJD 40587 is 1970-01-01
    day = moments.day_of_year + (moments - moments.normalize()) / pd.Timedelta(days=1)
    return np.asarray(moments.year), np.asarray(day, dtype=float)


def orbit_layout_table(modelled: ModelledLightCurve, seed: int = 1967) -> pd.DataFrame:
    """The modelled curve in the orbit layout's twelve columns (ORBIT_COLUMNS)."""
    table = modelled.table
    # A generator of its own, so the extra columns leave the planted rows exactly where they were.
    rng = np.random.default_rng([seed, 1])
    year, day = year_and_day(table["TIME"].to_numpy())
    partial_coding = rng.uniform(0.25, 1.0, len(table)).round(3)
    flagged = table["DATA_FLAG"].to_numpy() != 0
    # The flagged orbits saw the source at the edge of the field of view, where little of the mask is coded.
    partial_coding[flagged] = rng.uniform(0.02, 0.08, int(flagged.sum())).round(3)
    repeated = table["TIME"].duplicated().to_numpy()
    partial_coding[repeated] = partial_coding[np.flatnonzero(repeated) - 1]  # an exact copy of the row before
    return pd.DataFrame({
        "TIME": mjd_to_swift_seconds(table["TIME"].to_numpy()).round(1),
        "RATE": table["RATE"], "ERROR": table["ERROR"], "YEAR": year, "DAY": day.round(6),
        "MJD": table["TIME"], "TIMEDEL": table["TIMEDEL_EXPO"].astype(int),
        "STAT_ERR": table["ERROR"], "SYS_ERR": 0.0, "PCODEFR": partial_coding,
        "DATA_FLAG": table["DATA_FLAG"].astype(int), "DITHER_FLAG": 0,
    })[list(ORBIT_COLUMNS)]


def light_curve_text(modelled: ModelledLightCurve, seed: int = 1967) -> str:
    """The shipped file's text in the published orbit layout: comments saying it is modelled, names, units, rows."""
    table = orbit_layout_table(modelled, seed)
    formats = {"TIME": "{:.1f}", "RATE": "{:.5f}", "ERROR": "{:.5f}", "YEAR": "{:d}", "DAY": "{:.6f}",
               "MJD": "{:.6f}", "TIMEDEL": "{:d}", "STAT_ERR": "{:.5f}", "SYS_ERR": "{:.5f}", "PCODEFR": "{:.3f}",
               "DATA_FLAG": "{:d}", "DITHER_FLAG": "{:d}"}
    widths = [max(len(name), 12) for name in ORBIT_COLUMNS]
    lines = [f"# {MODELLED_NOTE.format(seed=seed)}", f"# {ORBIT_LAYOUT_NOTE}",
             " ".join(name.rjust(width) for name, width in zip(ORBIT_COLUMNS, widths, strict=True)),
             ("#" + " ".join(unit.rjust(width) for unit, width in zip(ORBIT_UNITS, widths, strict=True))[1:]).rstrip()]
    for row in table.itertuples(index=False):
        lines.append(" ".join(formats[name].format(value).rjust(width)
                              for name, value, width in zip(ORBIT_COLUMNS, row, widths, strict=True)))
    return "\n".join(lines) + "\n"


class LightCurveError(ValueError):
    """A file that cannot be read as a light curve; the message is meant for a child to read."""


class TooCoarseForBeat(ValueError):
    """The measurements are too far apart to show the beats searched for; the message is for a child."""


@dataclass(frozen=True)
class LightCurveFile:
    """A light curve as read from a file: the table (TIME in MJD days), notes for the reader, and its layout."""

    table: pd.DataFrame
    notes: list[str]
    layout: str  # "orbit" or "daily" (the two Swift/BAT layouts) or "table" (any other table with TIME, RATE, ERROR)

    @property
    def kind(self) -> str:
        """How often it was measured: ORBIT_KIND, DAILY_KIND, or the typical step for another table."""
        if self.layout == "orbit":
            return ORBIT_KIND
        if self.layout == "daily":
            return DAILY_KIND
        step = typical_step_hours(self.table)
        if step <= 3:
            return ORBIT_KIND
        if 20 <= step <= 28:
            return DAILY_KIND
        return f"a point about every {step:.0f} hours" if math.isfinite(step) else "a single moment"

    @property
    def description(self) -> str:
        """One line for the child saying which kind of file this is."""
        if self.layout == "orbit":
            return f"🛰️ This is a Swift/BAT orbit light curve: {ORBIT_KIND}."
        if self.layout == "daily":
            return f"📅 This is a Swift/BAT daily light curve: {DAILY_KIND}."
        return f"📋 This is a table of TIME, RATE and ERROR: {self.kind}."


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _read_table(text: str) -> pd.DataFrame:
    lines = [line for line in text.splitlines() if line.strip()]
    header_line = None
    data_lines: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("#", "!", ";")):
            # NASA's ASCII tables may put the column names in the last comment line before the numbers.
            words = stripped.lstrip("#!; ").replace(",", " ").split()
            if any(word.upper() == "TIME" for word in words) and not data_lines:
                header_line = stripped.lstrip("#!; ")
            continue
        data_lines.append(stripped)
    if not data_lines:
        raise LightCurveError("This file has no rows of numbers in it. Is it the right file?")
    first = data_lines[0]
    has_named_first_line = any(word.strip().upper() == "TIME" for word in first.replace(",", " ").split())
    if has_named_first_line:
        header_line, data_lines = first, data_lines[1:]
    if header_line is None:
        raise LightCurveError(
            "I can't find the column names. The file needs a line naming TIME, RATE and ERROR above the numbers."
        )
    separator = "," if "," in header_line else r"\s+"
    # A units line under the names (s, count/cm2/s, ...) holds no numbers at all: it is not a measurement.
    if data_lines:
        words = [word.strip() for word in (data_lines[0].split(",") if separator == "," else data_lines[0].split())]
        if any(words) and not any(_is_number(word) for word in words if word):
            data_lines = data_lines[1:]
    body = "\n".join([header_line.strip(), *data_lines])
    try:
        return pd.read_csv(io.StringIO(body), sep=separator, engine="python", skipinitialspace=True)
    except (pd.errors.ParserError, ValueError, csv.Error):
        raise LightCurveError(
            "Some rows have a different number of values than there are column names. Is the file complete?"
        ) from None


def _layout_of(columns: list[str]) -> str:
    """'orbit' or 'daily' from the columns only one Swift/BAT layout has; 'table' for anything else."""
    orbit, daily = ORBIT_ONLY.intersection(columns), DAILY_ONLY.intersection(columns)
    if orbit and daily:
        raise LightCurveError(
            f"This file mixes the columns of two kinds of light curve: {', '.join(sorted(orbit))} (orbit by orbit) "
            f"and {', '.join(sorted(daily))} (one point a day). Please choose one file, as NASA wrote it."
        )
    if orbit:
        return "orbit"
    if daily:
        return "daily"
    return "table"


def _times_in_days(table: pd.DataFrame) -> pd.Series:
    """TIME as MJD days: TIME in seconds since 2001 is converted; an MJD column is used where it has a number."""
    times = table["TIME"].astype(float)
    in_seconds = times.dropna().abs() > SECONDS_NOT_DAYS_ABOVE
    if in_seconds.any() and not in_seconds.all():
        raise LightCurveError(
            f"Some TIME values look like seconds ({int(in_seconds.sum())} rows) and others like days "
            f"({int((~in_seconds).sum())} rows). Is this two files stuck together? Please use one file."
        )
    if in_seconds.any():
        times = pd.Series(swift_seconds_to_mjd(times.to_numpy()), index=table.index)
    if "MJD" in table.columns:
        mjd = table["MJD"].astype(float)
        both = times.notna() & mjd.notna()
        apart = (times[both] - mjd[both]).abs() > TIME_AGREEMENT_DAYS
        if apart.any():
            reading = " (TIME read as seconds since 2001)" if in_seconds.any() else ""
            raise LightCurveError(f"In {int(apart.sum())} row(s) TIME{reading} and MJD say different days. "
                                  "The file looks mixed up: please download it again.")
        times = mjd.where(mjd.notna(), times)
    return times


def read_light_curve_file(raw: bytes) -> LightCurveFile:
    """A Swift/BAT light curve (orbit or daily layout) or a plain CSV; LightCurveError if unusable."""
    if not raw:
        raise LightCurveError("The file is empty. Try downloading it again.")
    if raw[:6] == b"SIMPLE":
        raise LightCurveError("This looks like a FITS file. Please choose the text (.txt or .csv) version of the light curve.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # every byte is a latin-1 character, so this always works
    if "\x00" in text:
        raise LightCurveError("This file isn't text. Please choose a .txt or .csv light curve.")
    table = _read_table(text)
    table.columns = [str(column).strip().upper() for column in table.columns]
    notes: list[str] = []
    known = {*COLUMNS, *ORBIT_COLUMNS, *DAILY_COLUMNS}
    twice = sorted({column for column in table.columns[table.columns.duplicated()] if column in known})
    if twice:
        notes.append(f"The column {', '.join(twice)} appears more than once, so only the first one is used.")
    table = table.loc[:, ~table.columns.duplicated()]
    layout = _layout_of(list(table.columns))
    missing = [column for column in REQUIRED_COLUMNS if column not in table.columns]
    if missing:
        raise LightCurveError(
            f"The file has no {', '.join(missing)} column. A Swift/BAT light curve has TIME, RATE and ERROR."
        )
    if "TIMEDEL_EXPO" not in table.columns and "TIMEDEL" in table.columns:
        table["TIMEDEL_EXPO"] = table["TIMEDEL"]  # the orbit layout calls its exposure TIMEDEL
    if "DATA_FLAG" not in table.columns:
        table["DATA_FLAG"] = 0
        notes.append("There was no DATA_FLAG column, so every row is treated as unflagged.")
    if "TIMEDEL_EXPO" not in table.columns:
        table["TIMEDEL_EXPO"] = np.nan
    for column in [*COLUMNS, *(["MJD"] if "MJD" in table.columns else [])]:
        numbers = pd.to_numeric(table[column], errors="coerce")
        numbers = numbers.where(np.isfinite(numbers))  # "inf" is no more a time or a rate than a word is
        unreadable = int((numbers.isna() & table[column].notna()).sum())
        if unreadable:
            notes.append(f"{unreadable} value(s) in {column} were not numbers and are left empty.")
        table[column] = numbers
    table = table[list(COLUMNS)].assign(TIME=_times_in_days(table))
    before = len(table)
    table = table.dropna(subset=["TIME"])
    if len(table) < before:
        notes.append(f"{before - len(table)} row(s) had no time and were left out.")
    table["DATA_FLAG"] = table["DATA_FLAG"].fillna(0)
    if len(table) < 10:
        raise LightCurveError(f"Only {len(table)} usable rows: too few to explore. A light curve needs at least 10.")
    return LightCurveFile(table.reset_index(drop=True), notes, layout)


def read_light_curve(raw: bytes) -> tuple[pd.DataFrame, list[str]]:
    """A Swift/BAT light curve from CSV or a whitespace ASCII table: (table with TIME in MJD, notes)."""
    read = read_light_curve_file(raw)
    return read.table, read.notes


@dataclass(frozen=True)
class BadData:
    """Why each row is bad data: the rules it breaks, or "" when it passes them all."""

    reasons: pd.Series  # one text per row: why it is bad, or "" when it is fine

    @property
    def bad(self) -> pd.Series:
        """True for each row that breaks a rule."""
        return self.reasons != ""

    def count_by_reason(self) -> dict[str, int]:
        """How many rows break each rule."""
        counts: dict[str, int] = {}
        for text in self.reasons[self.bad]:
            for reason in text.split(", "):
                counts[reason] = counts.get(reason, 0) + 1
        return counts


def find_bad_rows(table: pd.DataFrame, limits: BadDataLimits) -> BadData:
    """Why each row breaks the child's rules (several reasons joined by commas)."""
    checks = {
        "negative rate": table["RATE"] < limits.lowest_rate,
        "spike": table["RATE"] > limits.highest_rate,
        "huge error bar": table["ERROR"] > limits.biggest_error,
        "missing number": table[["RATE", "ERROR"]].isna().any(axis=1),
    }
    if limits.lowest_rate > 0:
        checks = {"too faint": checks.pop("negative rate"), **checks}
    if limits.drop_flagged:
        checks["flagged by NASA"] = table["DATA_FLAG"].fillna(0) != 0
    if limits.drop_repeated_times:
        checks["repeated time"] = table["TIME"].duplicated(keep="first")
    reasons = np.full(len(table), "", dtype=object)
    for reason, broken in checks.items():
        rows = broken.to_numpy(dtype=bool)
        reasons[rows] = [f"{old}, {reason}" if old else reason for old in reasons[rows]]
    return BadData(pd.Series(reasons, index=table.index, dtype=object))


def find_gaps(table: pd.DataFrame, longer_than_hours: float) -> pd.DataFrame:
    """Stretches with no measurements longer than the given hours: columns from_mjd, to_mjd, hours."""
    times = np.sort(table["TIME"].dropna().to_numpy())
    if len(times) < 2:
        return pd.DataFrame(columns=["from_mjd", "to_mjd", "hours"])
    hours = np.diff(times) * 24
    wide = hours > longer_than_hours
    return pd.DataFrame({"from_mjd": times[:-1][wide], "to_mjd": times[1:][wide], "hours": hours[wide]})


def clean_light_curve(table: pd.DataFrame, limits: BadDataLimits) -> pd.DataFrame:
    """Only the rows that pass every rule, in time order."""
    found = find_bad_rows(table, limits)
    return table.loc[~found.bad].sort_values("TIME").reset_index(drop=True)


def typical_step_hours(table: pd.DataFrame) -> float:
    """The median time between measurements, in hours (a per-orbit curve: about 1.6 h; a daily one: 24 h)."""
    times = np.unique(table["TIME"].dropna().to_numpy(dtype=float))
    return float(np.median(np.diff(times)) * 24) if len(times) > 1 else math.inf


def rolling_average(table: pd.DataFrame, window_hours: float) -> pd.Series:
    """The mean RATE over the window of hours ending at each row (time-based, so gaps are respected)."""
    ordered = table.sort_values("TIME")
    series = pd.Series(ordered["RATE"].to_numpy(), index=pd.to_timedelta(ordered["TIME"].to_numpy(), unit="D"))
    averaged = series.rolling(pd.Timedelta(hours=window_hours), min_periods=1).mean()
    return pd.Series(averaged.to_numpy(), index=ordered.index)


def keep_peaks(table: pd.DataFrame, top_percent: float) -> pd.DataFrame:
    """Only the brightest `top_percent` of rows: a child's idea for keeping the 'radiation events'."""
    if table.empty:
        return table
    cut = float(np.percentile(table["RATE"], 100 - top_percent))
    return table[table["RATE"] >= cut]


def slow_trend(table: pd.DataFrame, smooth_days: float = 1.0) -> pd.Series:
    """A centred running median of RATE over `smooth_days`: the state changes and flares, not the fast beat."""
    ordered = table.sort_values("TIME")
    days = ordered["TIME"].to_numpy(dtype=float)
    slow = pd.Series(ordered["RATE"].to_numpy(dtype=float), index=pd.to_timedelta(days - days[0], unit="D"))
    trend = slow.rolling(pd.Timedelta(days=smooth_days), min_periods=1, center=True).median()
    return pd.Series(trend.to_numpy(), index=ordered.index).reindex(table.index)


@dataclass(frozen=True)
class Periodogram:
    """How strongly the X-rays repeat (power) for each beat tried (period_hours)."""

    period_hours: np.ndarray
    power: np.ndarray

    @property
    def best_period_hours(self) -> float:
        """The beat that repeats most strongly."""
        return float(self.period_hours[int(np.argmax(self.power))])


def find_period(
    table: pd.DataFrame, shortest_hours: float = 1.0, longest_hours: float = 12.0, smooth_days: float = 1.0,
    samples: int = 4000,
) -> Periodogram:
    """How strongly RATE repeats for each beat from `shortest_hours` to `longest_hours` (Lomb-Scargle)."""
    # Imported here: SciPy takes a second to import, and only the period finder uses it.
    from scipy.signal import lombscargle

    ordered = table.dropna(subset=["TIME", "RATE"]).sort_values("TIME")
    if len(ordered) < 10:
        raise ValueError("at least 10 measurements are needed to look for a period")
    step = typical_step_hours(ordered)
    # Too far apart for even the longest beat to get two measurements (daily files): a peak would be an accident.
    if step > longest_hours / 2:
        raise TooCoarseForBeat(
            f"These measurements are about {step:.0f} hours apart: too coarse to find a beat of "
            f"{shortest_hours:g} to {longest_hours:g} hours. To catch a beat you need at least two measurements "
            "in every beat, so Cygnus X-3's 4.8-hour beat can't show up here. Try an orbit light curve "
            "(one point every 96 minutes)."
        )
    days = ordered["TIME"].to_numpy(dtype=float)
    rate = ordered["RATE"].to_numpy(dtype=float)
    # A running median needs a few points in each window; sparse (daily) data keeps its slow changes.
    if smooth_days > 0 and step * 4 <= smooth_days * 24:
        rate = rate - slow_trend(ordered, smooth_days).to_numpy()
    # Equal steps in frequency resolve long and short periods fairly.
    frequencies = np.linspace(24 / longest_hours, 24 / shortest_hours, samples)  # cycles per day
    centred = rate - rate.mean()
    if not np.any(centred):
        return Periodogram(24 / frequencies, np.zeros_like(frequencies))  # a flat line has no beat
    power = lombscargle(days - days[0], centred, 2 * math.pi * frequencies, normalize=True)
    return Periodogram(24 / frequencies, power)


def fold(table: pd.DataFrame, period_hours: float) -> pd.Series:
    """Each row's place in the cycle (0 to 1) when the light curve is folded at `period_hours`."""
    return (table["TIME"] * 24 / period_hours) % 1.0
