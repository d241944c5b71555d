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


@dataclass(frozen=True)
class GardenClusters:
    model: KMeans
    clusters: np.ndarray  # cluster number of each row, 0 .. k-1
    cluster_names: dict[int, str]  # each cluster's most common true kind


def find_groups(table: pd.DataFrame, groups: int, seed: int = 0) -> GardenClusters:
    """k-means on the three raw measurements, and a name for each cluster from its most common kind."""
    # Imported here: scikit-learn takes seconds to import, and only this story uses it.
    from sklearn.cluster import KMeans

    features = table[list(MEASUREMENTS)].to_numpy(dtype=float)
    model = KMeans(n_clusters=groups, n_init=10, random_state=seed).fit(features)
    clusters = model.labels_
    names: dict[int, str] = {}
    for cluster in range(groups):
        members = table.loc[clusters == cluster, LABEL_COLUMN]
        names[cluster] = str(members.mode().iloc[0]) if len(members) else "nothing yet"
    return GardenClusters(model, clusters, names)


def guess_item(found: GardenClusters, width_mm: float, length_mm: float, weight_g: float) -> tuple[int, str]:
    """Which cluster a new item falls in, and what that cluster mostly holds."""
    cluster = int(found.model.predict(np.array([[width_mm, length_mm, weight_g]], dtype=float))[0])
    return cluster, found.cluster_names[cluster]
