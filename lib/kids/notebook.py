"""Notebooks for the Kids' projects: hands and fingers, garden bugs, spy messages and space X-rays.

Each notebook defines the lib functions its tab ran (the demo's `shows`, inserted from their own source), then
calls them in short cells. The tables go inline (the finger table, the garden CSV, the light curve), so a
child's notebook needs no files.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from lib.core.notebook_cells import (
    FOOTER,
    NotebookSettingsError,
    Shown,
    code,
    definitions_cell,
    install_cell,
    markdown,
    settings_cell,
)
from lib.core.settings import UrlValue
from lib.kids import words
from lib.kids.garden import (
    ITEM_KINDS,
    LABEL_COLUMN,
    MEASUREMENTS,
    OWN_MAX_ROWS,
    GardenTableError,
    check_own_table,
    find_own_groups,
    guess_own_item,
    number_columns,
)
from lib.kids.hands import (
    FINGER_COLUMN,
    LEFT_COLUMN,
    LONGEST_BELIEVABLE_CM,
    RIGHT_COLUMN,
    SAME_LENGTH_TOLERANCE_CM,
    example_hands,
)
from lib.kids.settings import SPY_COPIES
from lib.kids.spy import (
    CHARACTERS_PER_LINE,
    FONT_ROWS,
    GLYPH_HEIGHT,
    GLYPH_WIDTH,
    MAX_MESSAGE_CHARACTERS,
    tidy_message,
)
from lib.kids.xrays import MODELLED_FILE, ORBITAL_PERIOD_HOURS

TALK = "the *Python Data Science for Kids* taster workshops (Data Science Cornwall, 2019)"
DATA = Path(__file__).resolve().parents[2] / "data" / "kids"
JANES_MESSAGE = "MEET AT THE PARK"
TOOLS = ("## 🧰 Rolo's tools\n\nThese are the very Python functions the app ran for you. Run this cell to teach "
         "them to the notebook: the cells below use them, and you can change them too.")


@functools.cache
def _garden_csv() -> str:
    return (DATA / "garden_bugs.csv").read_text(encoding="utf-8")


@functools.cache
def _light_curve_text() -> str:
    return MODELLED_FILE.read_text(encoding="utf-8")


def tools_cells(shown: Shown, imports: str) -> list[NotebookNode]:
    """The story line about the tools, then the demo's lib functions after their imports and constants."""
    return [markdown(TOOLS), definitions_cell(shown, imports=imports)]


# ---------------------------------------------------------------- ✋ hands and fingers

HANDS_IMPORTS = f"""
import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd

FINGER_COLUMN, LEFT_COLUMN, RIGHT_COLUMN = {FINGER_COLUMN!r}, {LEFT_COLUMN!r}, {RIGHT_COLUMN!r}
HAND_COLUMNS = (LEFT_COLUMN, RIGHT_COLUMN)
LONGEST_BELIEVABLE_CM = {LONGEST_BELIEVABLE_CM!r}  # no real finger is longer
SAME_LENGTH_TOLERANCE_CM = {SAME_LENGTH_TOLERANCE_CM!r}  # hands closer than this are "about the same"
"""


def hands(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    table = example_hands()
    columns = {column: table[column].tolist() for column in table.columns}
    return [
        markdown(f"""
# ✋ Hands and fingers

From {TALK}. {words.HANDS_INTRO}"""),
        install_cell(["pandas", "matplotlib"]),
        settings_cell({"MY_GUESS": values["hands_guess"]},
                      "Your guess from the page: which hand has longer fingers? ('Left', 'Right' or 'About the same')"),
        *tools_cells(shown, HANDS_IMPORTS),
        markdown("## Your hands\n\nType your own numbers into this table (these are an eight-year-old's hands) "
                 "and run the cells again. Rolo checks every number."),
        code(f"""
hands = pd.DataFrame({columns!r})
for message in check_hands(hands):
    print("🤔", message)
hands"""),
        markdown(f"## Shortest, longest and mean (average) finger\n\n{words.HANDS_MEAN}"),
        code("""
summarise_hands(hands).round(2)"""),
        code("""
usable_lengths(hands).plot.bar(x=FINGER_COLUMN, y=list(HAND_COLUMNS), color=["#0072B2", "#E69F00"], rot=0,
                               title="My fingers: left hand against right hand", ylabel="length (cm)")
plt.show()"""),
        code("""
verdict = compare_hands(hands)
print(f"All the fingers on the left add up to {verdict.left_total_cm:.1f} cm and on the right to "
      f"{verdict.right_total_cm:.1f} cm: {verdict.answer or 'measure both hands first'}.")
if MY_GUESS == verdict.answer:
    print("Your guess was right!")
elif MY_GUESS in ("Left", "Right", "About the same"):
    print("Surprise! The data disagrees with your guess. That is why scientists measure.")"""),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- 🐞 garden bug detective

GARDEN_IMPORTS = f"""
import io
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

MEASUREMENTS = {MEASUREMENTS!r}
LABEL_COLUMN = {LABEL_COLUMN!r}  # what each thing really is: Rolo can't see it
ITEM_KINDS = {ITEM_KINDS!r}
"""


def garden(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    own = own_garden_table(extra)
    if own is not None:
        return own_garden(values, own)
    return [*garden_start_cells(values, shown), *garden_look_cells(), *garden_learn_cells(), markdown(FOOTER)]


def garden_start_cells(values: dict[str, UrlValue], shown: Shown) -> list[NotebookNode]:
    """The story, the settings, Rolo's tools and Rolo's table."""
    return [
        markdown(f"""
# 🐞 Garden bug detective

From {TALK}. {words.GARDEN_INTRO} (The data is made up, modelled on real garden
worms, seven-spot ladybirds and pebbles.)"""),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"ACROSS": values["garden_x"], "UP": values["garden_y"], "GROUPS": values["garden_k"],
                       "NEW_ITEM": [values["new_width"], values["new_length"], values["new_weight"]],
                       "REVEAL": values["garden_reveal"]}),
        *tools_cells(shown, GARDEN_IMPORTS),
        code(f"""
GARDEN_CSV = {_garden_csv()!r}
garden = pd.read_csv(io.StringIO(GARDEN_CSV))
measured = garden.drop(columns=LABEL_COLUMN)  # what Rolo sees
measured.head(8)"""),
    ]


def garden_look_cells() -> list[NotebookNode]:
    """Steps 1 to 3: a tangle, histograms, a scatter chart."""
    return [
        markdown("## Step 1 and 2: a tangle, then histograms\n\nEvery measurement item by item is a big tangle. "
                 "A histogram counts how many items have each size: how many bumps (groups) can you see?"),
        code("""
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
measured.plot(x="item", y=list(MEASUREMENTS), ax=left, title="Every measurement, item by item")
measured["width_mm"].plot.hist(bins=40, ax=right, title="How many items have each width?")
right.set_xlabel("width (mm)")
plt.show()"""),
        markdown("## Step 3: a scatter chart, two measurements at once"),
        code("""
measured.plot.scatter(x=ACROSS, y=UP, s=40, title="Each dot is one thing Rolo picked up")
plt.show()"""),
    ]


def garden_learn_cells() -> list[NotebookNode]:
    """Steps 4 to 6: k-means finds the groups, names a new item, and the big reveal."""
    return [
        markdown(f"## Step 4: machine learning! k-means finds the groups\n\n{words.GARDEN_K_MEANS}"),
        code("""
found = find_groups(garden, GROUPS)
measured.plot.scatter(x=ACROSS, y=UP, c=found.clusters, cmap="tab10", s=40, colorbar=False,
                      title=f"The computer's {GROUPS} group(s), one colour each")
plt.show()"""),
        markdown("## Step 5: Rolo finds something new"),
        code("""
group, kind = guess_item(found, *NEW_ITEM)
print(f"Rolo says: the new item {NEW_ITEM} is in group {group + 1}, so I think it is a {kind}!")"""),
        markdown("## Step 6: the big reveal\n\nWith k = 3, does the computer find the three kinds? (Set "
                 "`REVEAL = True` in the settings cell to see the chart of what each item really is.)"),
        code("""
three = find_groups(garden, 3)
print(groups_against_kinds(garden, three))
print(f"k = 3: the groups match the real kinds for {right_guesses(garden, three)} of {len(garden)} items "
      f"({len(set(three.cluster_names.values()))} different kinds found)")
if REVEAL:
    for kind, colour in zip(ITEM_KINDS, ("#0072B2", "#E69F00", "#009E73")):
        rows = garden[garden[LABEL_COLUMN] == kind]
        plt.scatter(rows[ACROSS], rows[UP], label=kind, color=colour)
    plt.xlabel(ACROSS)
    plt.ylabel(UP)
    plt.legend()
    plt.title("What each item really is")
    plt.show()"""),
    ]


# ---------------------------------------------------------------- the garden on a child's own table
# The page passes {"kids.own_garden_table": {"csv": ..., "columns": [...], "across": ..., "up": ...,
# "new_item": [...]}} beside the settings when a child uses their own table; it is small, so it goes inline.

OWN_GARDEN_KEY = "kids.own_garden_table"
OWN_GARDEN_LIMIT = 500_000  # characters: a child's table is a few rows; a big upload would swell the notebook
# What the own-table path of the garden runs (app_pages/kids_garden_own.py), in the order the notebook defines it.
OWN_GARDEN_SHOWS = (GardenTableError, number_columns, check_own_table, find_own_groups, guess_own_item)
OWN_GARDEN_IMPORTS = f"""
import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

OWN_MAX_ROWS = {OWN_MAX_ROWS!r}  # a bigger table would make every k-means move slow
"""


def own_garden_table(extra: Mapping[str, object]) -> Mapping[str, object] | None:
    """The child's table from the extra settings, checked; None when the notebook is on Rolo's garden."""
    raw = extra.get(OWN_GARDEN_KEY)
    if not raw:
        return None
    columns = raw.get("columns") if isinstance(raw, Mapping) else None
    if (not isinstance(raw.get("csv"), str) or not isinstance(columns, list | tuple) or len(columns) < 2
            or not all(isinstance(column, str) for column in columns)
            or raw.get("across") not in columns or raw.get("up") not in columns):
        raise NotebookSettingsError(f"{OWN_GARDEN_KEY} must hold csv text, two or more columns, across and up")
    if len(raw["csv"]) > OWN_GARDEN_LIMIT:
        raise NotebookSettingsError("this table is too big to go inside a notebook")
    item = raw.get("new_item")
    if not isinstance(item, list | tuple) or len(item) != len(columns) or not all(
            isinstance(value, int | float) and not isinstance(value, bool) for value in item):
        raise NotebookSettingsError(f"{OWN_GARDEN_KEY}: new_item must hold one number per column")
    return raw


def own_garden(values: dict[str, UrlValue], own: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"# 🐞 Garden bug detective, on your own table\n\nFrom {TALK}. These are **your** measurements, "
                 "just as you typed them: the same steps as Rolo's garden."),
        install_cell(["numpy", "pandas", "sklearn", "matplotlib"]),
        settings_cell({"COLUMNS": list(own["columns"]), "ACROSS": own["across"], "UP": own["up"],
                       "GROUPS": values["garden_k"], "NEW_ITEM": [float(value) for value in own["new_item"]],
                       "MY_TABLE_CSV": own["csv"]}),
        markdown(TOOLS),
        definitions_cell(OWN_GARDEN_SHOWS, imports=OWN_GARDEN_IMPORTS),
        code("""
table = check_own_table(pd.read_csv(io.StringIO(MY_TABLE_CSV)))[0]  # the rows with every number typed in
table.head(8)"""),
        markdown("## Histogram and scatter chart"),
        code("""
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
table[COLUMNS[0]].plot.hist(bins=20, ax=left, title=f"How many things have each {COLUMNS[0]}?")
table.plot.scatter(x=ACROSS, y=UP, s=40, ax=right, title="Each dot is one of your things")
plt.show()"""),
        markdown("## k-means finds the groups, and a new thing joins one"),
        code("""
model = find_own_groups(table, COLUMNS, GROUPS)
table.plot.scatter(x=ACROSS, y=UP, c=model.labels_, cmap="tab10", s=40, colorbar=False,
                   title=f"The computer's {GROUPS} group(s), one colour each")
plt.show()
new_group = guess_own_item(model, NEW_ITEM)
print(f"Rolo says: your new thing {NEW_ITEM} is in group {new_group + 1}!")"""),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- 🕵️ secret spy messages


def spy_imports() -> str:
    """The spy tools' imports and constants: the whole font, one letter a line, so any message can be drawn."""
    font = "\n".join(f"    {character!r}: {rows!r}," for character, rows in FONT_ROWS.items())
    return f"""
import matplotlib.pyplot as plt
import numpy as np

GLYPH_WIDTH, GLYPH_HEIGHT = {GLYPH_WIDTH!r}, {GLYPH_HEIGHT!r}
MAX_MESSAGE_CHARACTERS = {MAX_MESSAGE_CHARACTERS!r}
CHARACTERS_PER_LINE = {CHARACTERS_PER_LINE!r}
# The spy font: each letter is seven rows of five pixels, '#' is ink.
FONT_ROWS = {{
{font}
}}
SUPPORTED_CHARACTERS = frozenset(FONT_ROWS)
"""


def spy(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    own = str(values["spy_message"]).strip()
    message = tidy_message(own)[0] if own else JANES_MESSAGE  # only the spy font's characters survive
    return [
        markdown(f"""
# 🕵️ Secret spy messages

From {TALK}. {words.SPY_INTRO} Can John read it?"""),
        install_cell(["numpy", "matplotlib"]),
        settings_cell({"MESSAGE": message, "NOISE": values["spy_noise"], "COPIES_TO_ADD": values["spy_added"],
                       "SUBTRACT": values["spy_subtract"], "COPIES": SPY_COPIES}),
        *tools_cells(shown, spy_imports()),
        *spy_ideas_cells(),
        markdown(FOOTER),
    ]


def spy_ideas_cells() -> list[NotebookNode]:
    """John's copies, then his two ideas, then why adding works."""
    return [
        code("""
message = render_message(MESSAGE)
copies = noisy_copies(message, COPIES, NOISE, seed=7)  # the page's copies: the same seed
fig, grid = plt.subplots(4, 5, figsize=(12, 6))
for number, (axes, copy) in enumerate(zip(grid.ravel(), copies)):
    axes.imshow(copy, cmap="gray")
    axes.set(xticks=[], yticks=[], title=f"copy {number + 1}")
plt.show()"""),
        markdown("## Idea 1: take one copy away from another"),
        code("""
if SUBTRACT:
    plt.imshow(subtract_copies(copies), cmap="gray")
    plt.title("copy 1 minus copy 2: the message cancels itself out")
    plt.axis("off")
    plt.show()
else:
    print("Set SUBTRACT = True to try it: the message is the same in both copies, so only noise is left.")"""),
        markdown("## Idea 2: add the copies together"),
        code("""
total = add_copies(copies, COPIES_TO_ADD)
plt.imshow(total, cmap="gray")
plt.title(f"{COPIES_TO_ADD} copies added together")
plt.axis("off")
plt.show()
if NOISE > 0:
    print(f"The message stands out {signal_to_noise(total, message, COPIES_TO_ADD):.1f} times above the noise.")"""),
        markdown(f"""
## Why does adding work?

{words.SPY_ADDING} The noise left in the average shrinks
like 1 ÷ √(copies): 4 copies halve it, 16 copies make it a quarter."""),
        code("""
counts = np.arange(1, len(copies) + 1)
plt.plot(counts, noise_left_after_adding(copies, message), marker="o", label="noise we measured")
plt.plot(counts, NOISE / np.sqrt(counts), linestyle="--", label="noise ÷ √copies (the maths)")
plt.xlabel("copies added")
plt.ylabel("noise left in the average")
plt.legend()
plt.show()"""),
    ]


# ---------------------------------------------------------------- 🌌 mysterious space X-rays

XRAYS_IMPORTS = """
import io
import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
"""


def xrays(values: dict[str, UrlValue], extra: Mapping[str, object], shown: Shown) -> list[NotebookNode]:
    return [*xrays_start_cells(values, shown), *xrays_clean_cells(), *xrays_explore_cells(), markdown(FOOTER)]


def xrays_start_cells(values: dict[str, UrlValue], shown: Shown) -> list[NotebookNode]:
    """The story, the settings, the tools and step 1: every measurement."""
    return [
        markdown(f"""
# 🌌 Mysterious space X-rays

From {TALK}. {words.XRAYS_INTRO}

{words.XRAYS_MODELLED} It is written the way NASA writes a Swift/BAT orbit light curve
(`*.orbit.lc.txt`), so this code also reads the real file. Columns: TIME (seconds since 2001), RATE and ERROR
(X-rays, counts/cm²/s), YEAR and DAY, MJD (the same moment as TIME, in days), TIMEDEL (seconds of exposure),
STAT_ERR and SYS_ERR, PCODEFR (how much of the detector saw the star), DATA_FLAG (0 = good) and DITHER_FLAG."""),
        install_cell(["numpy", "pandas", "scipy", "matplotlib"]),
        settings_cell({"LOWEST_RATE": values["xray_lowest"], "HIGHEST_RATE": values["xray_highest"],
                       "BIGGEST_ERROR": values["xray_error"], "DROP_FLAGGED": values["xray_flagged"],
                       "DROP_REPEATED_TIMES": values["xray_repeats"], "GAP_HOURS": values["xray_gap_hours"],
                       "TOOL": values["xray_tool"], "WINDOW_HOURS": values["xray_window"],
                       "TOP_PERCENT": values["xray_top"], "BINS": values["xray_bins"]}),
        *tools_cells(shown, XRAYS_IMPORTS),
        markdown("## Step 1: look at everything"),
        code(f"""
LIGHT_CURVE = {_light_curve_text()!r}
xrays = pd.read_csv(io.StringIO(LIGHT_CURVE), sep=r"\\s+", comment="#")
xrays["TIME"] = xrays["MJD"]  # TIME counts seconds since 2001; MJD is the same moment in days
xrays.plot.scatter(x="TIME", y="RATE", s=6, title=f"Cygnus X-3 (modelled): {{len(xrays)}} measurements")
plt.show()"""),
    ]


def xrays_clean_cells() -> list[NotebookNode]:
    """Steps 2 and 3: the child's rules for bad data, and the clean light curve."""
    return [
        markdown("## Step 2: detective rules for bad data\n\nYou decide the rules! Anything that breaks a rule is "
                 "called **bad data**."),
        code("""
limits = BadDataLimits(lowest_rate=LOWEST_RATE, highest_rate=HIGHEST_RATE, biggest_error=BIGGEST_ERROR,
                       drop_flagged=DROP_FLAGGED, drop_repeated_times=DROP_REPEATED_TIMES)
found = find_bad_rows(xrays, limits)
print(f"Your rules found {found.bad.sum()} bad rows: "
      + ", ".join(f"{count} x {reason}" for reason, count in found.count_by_reason().items()))
print(f"{len(find_gaps(xrays, GAP_HOURS))} gap(s) longer than {GAP_HOURS:g} hours with no measurements")
plt.scatter(xrays.TIME[~found.bad], xrays.RATE[~found.bad], s=6, label="good data")
plt.scatter(xrays.TIME[found.bad], xrays.RATE[found.bad], s=60, marker="D", color="#D55E00", label="bad data")
plt.legend()
plt.show()"""),
        markdown("## Step 3: the clean light curve"),
        code("""
clean = clean_light_curve(xrays, limits)
if len(clean) < 10:
    raise ValueError("Your rules threw away almost everything! Make them a bit kinder, then run again.")
print(f"{len(clean)} measurements pass every rule.")"""),
    ]


def xrays_explore_cells() -> list[NotebookNode]:
    """Step 4: the child's tool, then the beat finder."""
    return [
        markdown("## Step 4: explore! There's no single right answer\n\nYour tool from the page runs first; "
                 "change `TOOL` to try the others ('Rolling average', 'Keep only the peaks', 'Histogram', "
                 "'Find the beat')."),
        code("""
if TOOL == "Rolling average":
    plt.scatter(clean.TIME, clean.RATE, s=6)
    plt.plot(clean.TIME, rolling_average(clean, WINDOW_HOURS), color="#E69F00", linewidth=3)
    plt.title(f"The average over {WINDOW_HOURS:g} hours")
elif TOOL == "Keep only the peaks":
    peaks = keep_peaks(clean, TOP_PERCENT)
    plt.scatter(peaks.TIME, peaks.RATE, s=10)
    plt.title(f"Only the brightest {TOP_PERCENT:g}% ({len(peaks)} measurements)")
elif TOOL == "Histogram":
    clean.RATE.hist(bins=BINS)
    plt.title("How many measurements of each brightness?")
else:
    print("Your tool is the beat finder: it is the next step.")
plt.show()"""),
        markdown(f"""
## Find the beat

{words.XRAYS_PERIODOGRAM}"""),
        code(f"""
periodogram = find_period(clean)
best = periodogram.best_period_hours
print(f"The strongest beat repeats every {{best:.2f}} hours (astronomers measured Cygnus X-3's orbit as "
      f"{ORBITAL_PERIOD_HOURS:.2f} hours)")
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
left.plot(periodogram.period_hours, periodogram.power)
left.axvline(best, linestyle="--", color="#D55E00")
left.set(xscale="log", xlabel="period (hours)", ylabel="strength", title="How strongly the X-rays repeat")
right.scatter(fold(clean, best), clean.RATE / slow_trend(clean), s=6, color="#009E73")
right.set(xlabel=f"where in the {{best:.2f}}-hour cycle", ylabel="brightness (1 = usual for that day)",
          title="Every cycle stacked on top of each other")
plt.show()"""),
    ]


BUILDERS = {  # demo id -> the function that builds its notebook's cells
    "hands": hands,
    "garden": garden,
    "spy": spy,
    "xrays": xrays,
}
