"""Garden bug detective: the robot's measurements of worms, ladybirds and stones, and k-means on them.

Sizes are in millimetres and weights in grams, drawn from normal distributions whose means and
spreads follow common garden species (see data/kids/README.md for the numbers and reasons).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sklearn.cluster import KMeans

MEASUREMENTS = ("width_mm", "length_mm", "weight_g")
LABEL_COLUMN = "what_it_really_is"
ITEM_KINDS = ("worm", "ladybird", "stone")


@dataclass(frozen=True)
class ItemKind:
    name: str
    width_mm: tuple[float, float]  # (mean, standard deviation)
    length_mm: tuple[float, float]
    weight_g: tuple[float, float]
    smallest: tuple[float, float, float]  # floor for width, length, weight: nothing real is thinner


# Common earthworm (Lumbricus terrestris juveniles and adults in a garden bed): long, thin, about a gram.
WORM = ItemKind("worm", (4.5, 0.7), (90.0, 15.0), (1.0, 0.3), (2.5, 45.0, 0.2))
# Seven-spot ladybird (Coccinella septempunctata): 5-8 mm long, about 5 mm wide, a few hundredths of a gram.
LADYBIRD = ItemKind("ladybird", (5.2, 0.4), (6.6, 0.5), (0.035, 0.006), (4.0, 5.0, 0.015))
# Garden pebbles: a few centimetres across; weight follows size (granite is about 2.7 g per cm3).
STONE = ItemKind("stone", (24.0, 5.0), (34.0, 6.0), (18.0, 6.0), (10.0, 15.0, 3.0))
KINDS = (WORM, LADYBIRD, STONE)


def make_garden_bugs(items_per_kind: int = 40, seed: int = 2019) -> pd.DataFrame:
    """The robot's table: one row per item, shuffled, with the true kind in its own column."""
    rng = np.random.default_rng(seed)
    frames = []
    for kind in KINDS:
        columns = {}
        for measurement, (mean, spread), floor in zip(
            MEASUREMENTS, (kind.width_mm, kind.length_mm, kind.weight_g), kind.smallest, strict=True
        ):
            values = np.maximum(rng.normal(mean, spread, items_per_kind), floor)
            columns[measurement] = np.round(values, 3 if measurement == "weight_g" else 1)
        frame = pd.DataFrame(columns)
        frame[LABEL_COLUMN] = kind.name
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    # Shuffled, because the robot picked things up in no particular order.
    order = rng.permutation(len(table))
    table = table.iloc[order].reset_index(drop=True)
    table.insert(0, "item", np.arange(1, len(table) + 1))
    return table


# ---------------------------------------------------------------- k-means, on Rolo's garden or a child's own table


class GardenTableError(ValueError):
    """A child's table Rolo cannot use; the message is in a child's words."""


def find_own_groups(table: pd.DataFrame, columns: list[str], groups: int, seed: int = 0) -> KMeans:
    """k-means: puts the things whose numbers are close together in the same one of `groups` groups."""
    # Imported here: scikit-learn takes seconds to import, and only this story uses it.
    from sklearn.cluster import KMeans

    if groups > len(table):
        raise GardenTableError(f"You asked for {groups} groups but your table has only {len(table)} things. "
                               "Add more rows or pick a smaller k.")
    return KMeans(n_clusters=groups, n_init=10, random_state=seed).fit(table[columns].to_numpy(dtype=float))


def guess_own_item(model: KMeans, values: list[float]) -> int:
    """The group (0 .. k-1) a new thing with these numbers falls in."""
    return int(model.predict(np.array([values], dtype=float))[0])


@dataclass(frozen=True)
class GardenClusters:
    """The groups k-means found: the model, each item's group and a name for each group."""

    model: KMeans
    clusters: np.ndarray  # cluster number of each row, 0 .. k-1
    cluster_names: dict[int, str]  # each cluster's most common true kind


def find_groups(table: pd.DataFrame, groups: int, seed: int = 0) -> GardenClusters:
    """k-means on Rolo's three measurements, and a name for each group: the kind it holds most of."""
    model = find_own_groups(table, list(MEASUREMENTS), groups, seed)
    names = {}
    for cluster in range(groups):
        members = table.loc[model.labels_ == cluster, LABEL_COLUMN]
        names[cluster] = str(members.mode().iloc[0]) if len(members) else "nothing yet"
    return GardenClusters(model, model.labels_, names)


def guess_item(found: GardenClusters, width_mm: float, length_mm: float, weight_g: float) -> tuple[int, str]:
    """Which group a new item falls in, and what that group mostly holds."""
    cluster = guess_own_item(found.model, [width_mm, length_mm, weight_g])
    return cluster, found.cluster_names[cluster]


def right_guesses(table: pd.DataFrame, found: GardenClusters) -> int:
    """How many items are really the kind their group is named after."""
    named = [found.cluster_names[cluster] for cluster in found.clusters]
    return int((table[LABEL_COLUMN].to_numpy() == np.array(named)).sum())


def groups_against_kinds(table: pd.DataFrame, found: GardenClusters) -> pd.DataFrame:
    """How many of each real kind landed in each group: one big number per row is a perfect sort."""
    groups = [f"group {cluster + 1}" for cluster in found.clusters]
    counts = pd.crosstab(pd.Series(groups, index=table.index, name="group"), table[LABEL_COLUMN])
    return counts.reindex(columns=list(ITEM_KINDS), fill_value=0)


# ---------------------------------------------------------------- a child's own measurements

OWN_MAX_ROWS = 2000  # a child's table is small; a bigger file would make every k-means move slow
STARTER_TABLE = {  # what the editable table starts with: a child types over it, adds rows or uploads their own
    "thing": ["leaf", "leaf", "leaf", "pebble", "pebble", "pebble"],
    "width": [3.0, 3.5, 2.8, 2.0, 2.4, 1.8],
    "length": [7.0, 8.0, 6.5, 2.5, 3.0, 2.2],
}


def number_columns(table: pd.DataFrame) -> list[str]:
    """The columns that hold numbers (not ticks), with at least one number typed in."""
    return [column for column in table.columns
            if pd.api.types.is_numeric_dtype(table[column]) and not pd.api.types.is_bool_dtype(table[column])
            and table[column].notna().any()]


def check_own_table(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The rows with every number filled in, and the number columns; GardenTableError when Rolo can't use it."""
    columns = number_columns(table)
    if len(columns) < 2:
        raise GardenTableError("Your table needs at least two columns of numbers, like width and length.")
    if len(table) > OWN_MAX_ROWS:
        raise GardenTableError(f"Your table is very big! Rolo can look at {OWN_MAX_ROWS:,} rows at most.")
    complete = table.dropna(subset=columns).reset_index(drop=True)
    if len(complete) < 2:
        raise GardenTableError("Type the numbers for at least two things, so Rolo has something to compare.")
    return complete, columns


def slider_range(values: pd.Series) -> tuple[float, float, float]:
    """(lowest, highest, middle) for a new item's slider: the column's own range, a little wider."""
    low, high = float(values.min()), float(values.max())
    margin = (high - low) * 0.2 or max(abs(high), 1.0) * 0.5
    return low - margin, high + margin, (low + high) / 2.0
