"""Notebooks for the Kids' projects: hands and fingers, garden bugs, spy messages and space X-rays.

The tables go inline (the finger table, the garden CSV, the light curve), so a child's notebook needs no files.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from lib.core.urlcodec import UrlValue
from lib.kids.hands import example_hands
from lib.kids.settings import SPY_COPIES
from lib.kids.spy import GLYPH_HEIGHT, GLYPH_WIDTH, render_message, tidy_message, wrap_words
from lib.kids.xrays import MODELLED_FILE
from lib.notebooks.core import FOOTER, NotebookSettingsError, code, install_cell, markdown, settings_cell

TALK = "the *Python Data Science for Kids* taster workshops (Data Science Cornwall, 2019)"
DATA = Path(__file__).resolve().parents[2] / "data" / "kids"
JANES_MESSAGE = "MEET AT THE PARK"


@functools.cache
def _garden_csv() -> str:
    return (DATA / "garden_bugs.csv").read_text(encoding="utf-8")


@functools.cache
def _light_curve_text() -> str:
    return MODELLED_FILE.read_text(encoding="utf-8")


def _glyph_rows(character: str) -> list[str]:
    """One character of the page's spy font as seven rows of five cells, '#' for ink."""
    if character == " ":
        return ["." * GLYPH_WIDTH] * GLYPH_HEIGHT
    return ["".join("#" if ink else "." for ink in row) for row in render_message(character, border=0)]


def hands(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    table = example_hands()
    columns = {column: table[column].tolist() for column in table.columns}
    return [
        markdown(f"""
# ✋ Hands and fingers

From {TALK}. Robot **Rolo** has never seen a human hand. Can you help Rolo learn about yours? Grab a ruler and
measure each finger, from the crease where it meets your hand to the tip. Then type your own numbers into the
table below (these are an eight-year-old's hands) and run the cells again."""),
        install_cell(["pandas", "matplotlib"]),
        settings_cell({"MY_GUESS": values["hands_guess"]},
                      "Your guess from the page: which hand has longer fingers? ('Left', 'Right' or 'About the same')"),
        code(f"""
import matplotlib.pyplot as plt
import pandas as pd

hands = pd.DataFrame({columns!r})
hands"""),
        markdown("## Shortest, longest and mean (average) finger\n\nThe mean is what you get if you add up all the "
                 "fingers of one hand and share the total equally."),
        code("""
hands.set_index("Finger").agg(["min", "max", "mean"]).round(2)"""),
        code("""
hands.plot.bar(x="Finger", y=["Left hand (cm)", "Right hand (cm)"], color=["#0072B2", "#E69F00"], rot=0,
               title="My fingers: left hand against right hand", ylabel="length (cm)")
plt.show()"""),
        code("""
left, right = hands["Left hand (cm)"].sum(), hands["Right hand (cm)"].sum()
answer = "About the same" if abs(left - right) < 0.25 else ("Left" if left > right else "Right")
print(f"All the fingers on the left add up to {left:.1f} cm and on the right to {right:.1f} cm: {answer}.")
if MY_GUESS == answer:
    print("Your guess was right!")
elif MY_GUESS in ("Left", "Right", "About the same"):
    print("Surprise! The data disagrees with your guess. That is why scientists measure.")"""),
        markdown(FOOTER),
    ]


def garden(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    own = own_garden_table(extra)
    if own is not None:
        return own_garden(values, own)
    return [
        markdown(f"""
# 🐞 Garden bug detective

From {TALK}. Robot **Rolo** went into the garden and picked up 120 things. Rolo can't see what they are! Rolo
can only measure each one: how **wide**, how **long** and how **heavy** it is. Some are worms, some are
ladybirds and some are stones. Can you help Rolo sort them out? (The data is made up, modelled on real garden
worms, seven-spot ladybirds and pebbles.)"""),
        install_cell(["pandas", "sklearn", "matplotlib"]),
        settings_cell({"ACROSS": values["garden_x"], "UP": values["garden_y"], "GROUPS": values["garden_k"],
                       "NEW_ITEM": [values["new_width"], values["new_length"], values["new_weight"]],
                       "REVEAL": values["garden_reveal"]}),
        code(f"""
import io

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.cluster import KMeans

GARDEN_CSV = {_garden_csv()!r}
garden = pd.read_csv(io.StringIO(GARDEN_CSV))
MEASUREMENTS = ["width_mm", "length_mm", "weight_g"]
measured = garden.drop(columns="what_it_really_is")  # Rolo can't see what things are
measured.head(8)"""),
        markdown("## Step 1 and 2: a tangle, then histograms\n\nEvery measurement item by item is a big tangle. "
                 "A histogram counts how many items have each size: how many bumps (groups) can you see?"),
        code("""
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
measured.plot(x="item", y=MEASUREMENTS, ax=left, title="Every measurement, item by item")
measured["width_mm"].plot.hist(bins=40, ax=right, title="How many items have each width?")
right.set_xlabel("width (mm)")
plt.show()"""),
        markdown("## Step 3: a scatter chart, two measurements at once"),
        code("""
measured.plot.scatter(x=ACROSS, y=UP, s=40, title="Each dot is one thing Rolo picked up")
plt.show()"""),
        markdown("## Step 4: machine learning! k-means finds the groups\n\n**k-means** is a real machine-learning "
                 "tool. You tell it how many groups (**k**) to find, and it puts items that are close together in "
                 "the same group."),
        code("""
model = KMeans(n_clusters=GROUPS, n_init=10, random_state=0).fit(measured[MEASUREMENTS])
groups = model.labels_
measured.plot.scatter(x=ACROSS, y=UP, c=groups, cmap="tab10", s=40, colorbar=False,
                      title=f"The computer's {GROUPS} group(s), one colour each")
plt.show()"""),
        markdown("## Step 5: Rolo finds something new"),
        code("""
names = {group: garden.loc[groups == group, "what_it_really_is"].mode().iloc[0] for group in range(GROUPS)}
new_group = int(model.predict(pd.DataFrame([NEW_ITEM], columns=MEASUREMENTS))[0])
print(f"Rolo says: the new item {NEW_ITEM} is in group {new_group + 1}, so I think it is a {names[new_group]}!")"""),
        markdown("## Step 6: the big reveal\n\nWith k = 3, does the computer find the three kinds? (Set "
                 "`REVEAL = True` in the settings cell to see the chart of what each item really is.)"),
        code("""
three = KMeans(n_clusters=3, n_init=10, random_state=0).fit(measured[MEASUREMENTS]).labels_
print(pd.crosstab(three + 1, garden["what_it_really_is"], rownames=["k-means group"], colnames=["really"]))
three_names = {group: garden.loc[three == group, "what_it_really_is"].mode().iloc[0] for group in range(3)}
matches = sum(three_names[group] == kind for group, kind in zip(three, garden["what_it_really_is"]))
print(f"k = 3: the groups match the real kinds for {matches} of {len(garden)} items "
      f"({len(set(three_names.values()))} different kinds found)")
if REVEAL:
    for kind, colour in zip(("worm", "ladybird", "stone"), ("#0072B2", "#E69F00", "#009E73")):
        rows = garden[garden["what_it_really_is"] == kind]
        plt.scatter(rows[ACROSS], rows[UP], label=kind, color=colour)
    plt.xlabel(ACROSS)
    plt.ylabel(UP)
    plt.legend()
    plt.title("What each item really is")
    plt.show()"""),
        markdown(FOOTER),
    ]


def spy(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    own = str(values["spy_message"]).strip()
    message = tidy_message(own)[0] if own else JANES_MESSAGE  # only the spy font's characters survive
    font = {character: _glyph_rows(character) for character in dict.fromkeys(message)}
    return [
        markdown(f"""
# 🕵️ Secret spy messages

From {TALK}. Spy **Jane** sends a secret picture to spy **John**. But a baddie fills every message with random
**noise**, so Jane sends the same picture **{SPY_COPIES} times**. Can John read it?"""),
        install_cell(["numpy", "matplotlib"]),
        settings_cell({"MESSAGE": message, "NOISE": values["spy_noise"], "COPIES_TO_ADD": values["spy_added"],
                       "SUBTRACT": values["spy_subtract"], "COPIES": SPY_COPIES}),
        code(f"""
import matplotlib.pyplot as plt
import numpy as np

# A tiny 5 x 7 pixel font, only the letters this message needs ('#' is ink)
FONT = {font!r}


{inspect.getsource(wrap_words)}

def render(text, per_line=8, border=2):
    \"\"\"The message as a picture: 1.0 where there is ink, 0.0 where there is paper.\"\"\"
    lines = wrap_words(text, per_line)
    width = max(len(line) for line in lines)
    picture = np.zeros((len(lines) * 8 - 1 + 2 * border, width * 6 - 1 + 2 * border))
    for number, line in enumerate(lines):
        top, left = border + number * 8, border + (width - len(line)) * 6 // 2
        for position, character in enumerate(line):
            glyph = np.array([[cell == "#" for cell in row] for row in FONT[character]], dtype=float)
            picture[top:top + 7, left + position * 6:left + position * 6 + 5] = glyph
    return picture


message = render(MESSAGE)
rng = np.random.default_rng(7)
copies = message + rng.normal(0.0, NOISE, size=(COPIES, *message.shape))  # each copy gets its own noise
fig, grid = plt.subplots(4, 5, figsize=(12, 6))
for number, axes in enumerate(grid.ravel()):
    axes.imshow(copies[number], cmap="gray")
    axes.set(xticks=[], yticks=[], title=f"copy {{number + 1}}")
plt.show()"""),
        markdown("## Idea 1: take one copy away from another"),
        code("""
if SUBTRACT:
    plt.imshow(copies[0] - copies[1], cmap="gray")
    plt.title("copy 1 minus copy 2: the message cancels itself out")
    plt.axis("off")
    plt.show()
else:
    print("Set SUBTRACT = True to try it: the message is the same in both copies, so only noise is left.")"""),
        markdown("## Idea 2: add the copies together"),
        code("""
total = copies[:COPIES_TO_ADD].sum(axis=0)
plt.imshow(total, cmap="gray")
plt.title(f"{COPIES_TO_ADD} copies added together")
plt.axis("off")
plt.show()
ink = message > 0.5
average = total / COPIES_TO_ADD
leftover = (average - message).std()
if NOISE > 0:
    print(f"The message stands out {(average[ink].mean() - average[~ink].mean()) / leftover:.1f} times above the noise.")"""),
        markdown("""
## Why does adding work?

The message is the **same** in every copy, so adding copies makes it stronger every time. The noise is
**random**: sometimes up, sometimes down, so it mostly **cancels out**. The noise left in the average shrinks
like 1 ÷ √(copies): 4 copies halve it, 16 copies make it a quarter."""),
        code("""
counts = np.arange(1, COPIES + 1)
running = np.cumsum(copies, axis=0) / counts[:, None, None]
plt.plot(counts, (running - message).std(axis=(1, 2)), marker="o", label="noise we measured")
plt.plot(counts, NOISE / np.sqrt(counts), linestyle="--", label="noise ÷ √copies (the maths)")
plt.xlabel("copies added")
plt.ylabel("noise left in the average")
plt.legend()
plt.show()"""),
        markdown(FOOTER),
    ]


def xrays(values: dict[str, UrlValue], extra: Mapping[str, object]) -> list[NotebookNode]:
    return [
        markdown(f"""
# 🌌 Mysterious space X-rays

From {TALK}. Far away in the stars of the Swan (Cygnus) there is a strange object called **Cygnus X-3**: a huge
star and a tiny, super-heavy one going round and round, shooting out jets. The only clue that reaches Earth is
its **radiation**. NASA's **Swift** satellite catches its X-rays about once every time Swift goes round the
Earth (every 96 minutes).

The data here is **modelled**: a computer made it to look like Swift's measurements of Cygnus X-3, using facts
astronomers have published (a 4.8-hour orbit, two moods called states, flares), and it has some **bad data
hidden in it** for you to find. It is written the way NASA writes a Swift/BAT orbit light curve
(`*.orbit.lc.txt`), so this code also reads the real file. Columns: TIME (seconds since 2001), RATE and ERROR
(X-rays, counts/cm²/s), YEAR and DAY, MJD (the same moment as TIME, in days), TIMEDEL (seconds of exposure),
STAT_ERR and SYS_ERR, PCODEFR (how much of the detector saw the star), DATA_FLAG (0 = good) and DITHER_FLAG."""),
        install_cell(["numpy", "pandas", "scipy", "matplotlib"]),
        settings_cell({"LOWEST_RATE": values["xray_lowest"], "HIGHEST_RATE": values["xray_highest"],
                       "BIGGEST_ERROR": values["xray_error"], "DROP_FLAGGED": values["xray_flagged"],
                       "DROP_REPEATED_TIMES": values["xray_repeats"], "GAP_HOURS": values["xray_gap_hours"],
                       "TOOL": values["xray_tool"], "WINDOW_HOURS": values["xray_window"],
                       "TOP_PERCENT": values["xray_top"], "BINS": values["xray_bins"]}),
        code(f"""
import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.signal import lombscargle

LIGHT_CURVE = {_light_curve_text()!r}
xrays = pd.read_csv(io.StringIO(LIGHT_CURVE), sep=r"\\s+", comment="#")
# In an orbit file TIME counts seconds since 2001; MJD is the same moment in days, which the rest uses.
xrays["TIME"] = xrays["MJD"]
xrays.plot.scatter(x="TIME", y="RATE", s=6, title=f"Cygnus X-3 (modelled): {{len(xrays)}} measurements")
plt.show()"""),
        markdown("## Step 2: detective rules for bad data\n\nYou decide the rules! Anything that breaks a rule is "
                 "called **bad data**."),
        code("""
rules = {
    "negative rate" if LOWEST_RATE <= 0 else "too faint": xrays.RATE < LOWEST_RATE,
    "spike": xrays.RATE > HIGHEST_RATE,
    "huge error bar": xrays.ERROR > BIGGEST_ERROR,
}
if DROP_FLAGGED:
    rules["flagged by NASA"] = xrays.DATA_FLAG != 0
if DROP_REPEATED_TIMES:
    rules["repeated time"] = xrays.TIME.duplicated()
bad = pd.concat(rules, axis=1).any(axis=1)
print(f"Your rules found {bad.sum()} bad rows: " + ", ".join(f"{rule.sum()} x {name}" for name, rule in rules.items()))
hours = np.diff(np.sort(xrays.TIME.to_numpy())) * 24
print(f"{(hours > GAP_HOURS).sum()} gap(s) longer than {GAP_HOURS:g} hours with no measurements")
clean = xrays[~bad].sort_values("TIME").reset_index(drop=True)
plt.scatter(xrays.TIME[~bad], xrays.RATE[~bad], s=6, label="good data")
plt.scatter(xrays.TIME[bad], xrays.RATE[bad], s=60, marker="D", color="#D55E00", label="bad data")
plt.legend()
plt.show()"""),
        markdown("## Step 4: explore! There's no single right answer\n\nYour tool from the page runs first; "
                 "change `TOOL` to try the others ('Rolling average', 'Keep only the peaks', 'Histogram', "
                 "'Find the beat')."),
        code("""
if TOOL == "Rolling average":
    by_time = clean.set_index(pd.to_timedelta(clean.TIME, unit="D"))
    plt.scatter(clean.TIME, clean.RATE, s=6)
    plt.plot(clean.TIME, by_time.RATE.rolling(pd.Timedelta(hours=WINDOW_HOURS)).mean().to_numpy(), color="#E69F00",
             linewidth=3)
    plt.title(f"The average over {WINDOW_HOURS:g} hours")
elif TOOL == "Keep only the peaks":
    peaks = clean[clean.RATE >= np.percentile(clean.RATE, 100 - TOP_PERCENT)]
    plt.scatter(peaks.TIME, peaks.RATE, s=10)
    plt.title(f"Only the brightest {TOP_PERCENT:g}% ({len(peaks)} measurements)")
elif TOOL == "Histogram":
    clean.RATE.hist(bins=BINS)
    plt.title("How many measurements of each brightness?")
else:
    print("Your tool is the beat finder: it is the next step.")
plt.show()"""),
        markdown("""
## Find the beat

A periodogram (Lomb-Scargle) tries every beat from 1 to 12 hours, after taking away the slow changes that last
longer than a day, and scores how well each one fits."""),
        code("""
if len(clean) < 10:
    raise ValueError("Your rules threw away almost everything! Make them a bit kinder, then run again.")
days = clean.TIME.to_numpy()
slow = pd.Series(clean.RATE.to_numpy(), index=pd.to_timedelta(days - days[0], unit="D"))
trend = slow.rolling(pd.Timedelta(days=1), min_periods=1, center=True).median().to_numpy()
wiggle = clean.RATE.to_numpy() - trend
cycles_per_day = np.linspace(24 / 12, 24 / 1, 4000)
power = lombscargle(days - days[0], wiggle - wiggle.mean(), 2 * np.pi * cycles_per_day, normalize=True)
best_hours = 24 / cycles_per_day[power.argmax()]
print(f"The strongest beat repeats every {best_hours:.2f} hours (astronomers measured Cygnus X-3's orbit as 4.79 hours)")
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
left.plot(24 / cycles_per_day, power)
left.axvline(best_hours, linestyle="--", color="#D55E00")
left.set(xscale="log", xlabel="period (hours)", ylabel="strength", title="How strongly the X-rays repeat")
right.scatter((days * 24 / best_hours) % 1.0, clean.RATE / trend, s=6, color="#009E73")
right.set(xlabel=f"where in the {best_hours:.2f}-hour cycle", ylabel="brightness (1 = usual for that day)",
          title="Every cycle stacked on top of each other")
plt.show()"""),
        markdown(FOOTER),
    ]


# ---------------------------------------------------------------- the garden on a child's own table
# The page passes {"kids.own_garden_table": {"csv": ..., "columns": [...], "across": ..., "up": ...,
# "new_item": [...]}} beside the settings when a child uses their own table; it is small, so it goes inline.

OWN_GARDEN_KEY = "kids.own_garden_table"
OWN_GARDEN_LIMIT = 500_000  # characters: a child's table is a few rows; a big upload would swell the notebook


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
        install_cell(["pandas", "sklearn", "matplotlib"]),
        settings_cell({"COLUMNS": list(own["columns"]), "ACROSS": own["across"], "UP": own["up"],
                       "GROUPS": values["garden_k"], "NEW_ITEM": [float(value) for value in own["new_item"]],
                       "MY_TABLE_CSV": own["csv"]}),
        code("""
import io

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.cluster import KMeans

table = pd.read_csv(io.StringIO(MY_TABLE_CSV)).dropna(subset=COLUMNS)  # rows with every number typed in
table.head(8)"""),
        markdown("## Histogram and scatter chart"),
        code("""
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.5))
table[COLUMNS[0]].plot.hist(bins=20, ax=left, title=f"How many things have each {COLUMNS[0]}?")
table.plot.scatter(x=ACROSS, y=UP, s=40, ax=right, title="Each dot is one of your things")
plt.show()"""),
        markdown("## k-means finds the groups, and a new thing joins one"),
        code("""
model = KMeans(n_clusters=GROUPS, n_init=10, random_state=0).fit(table[COLUMNS].to_numpy(dtype=float))
table.plot.scatter(x=ACROSS, y=UP, c=model.labels_, cmap="tab10", s=40, colorbar=False,
                   title=f"The computer's {GROUPS} group(s), one colour each")
plt.show()
new_group = int(model.predict([NEW_ITEM])[0])
print(f"Rolo says: your new thing {NEW_ITEM} is in group {new_group + 1}!")"""),
        markdown(FOOTER),
    ]
