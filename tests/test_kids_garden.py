"""Garden bug detective: the shipped data set, and k-means recovering worms, ladybirds and stones."""
from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from lib.kids.garden import (
    ITEM_KINDS,
    LABEL_COLUMN,
    MEASUREMENTS,
    find_groups,
    find_own_groups,
    groups_against_kinds,
    guess_item,
    make_garden_bugs,
    right_guesses,
)
from tests.conftest import ROOT

GARDEN_FILE = ROOT / "data" / "kids" / "garden_bugs.csv"


@pytest.fixture(scope="module")
def garden() -> pd.DataFrame:
    return pd.read_csv(GARDEN_FILE)


def test_shipped_file_is_exactly_what_the_seeded_generator_makes(garden: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(garden, make_garden_bugs(), check_exact=False, rtol=1e-12)


def test_forty_of_each_kind_with_realistic_sizes(garden: pd.DataFrame) -> None:
    assert garden[LABEL_COLUMN].value_counts().to_dict() == {kind: 40 for kind in ITEM_KINDS}
    means = garden.groupby(LABEL_COLUMN)[list(MEASUREMENTS)].mean()
    assert 60 < means.loc["worm", "length_mm"] < 120 and means.loc["worm", "width_mm"] < 6
    assert 5 < means.loc["ladybird", "length_mm"] < 8 and means.loc["ladybird", "weight_g"] < 0.05
    assert means.loc["stone", "weight_g"] > 10
    assert (garden[list(MEASUREMENTS)] > 0).all().all()


def test_rows_are_shuffled_so_the_line_chart_says_little(garden: pd.DataFrame) -> None:
    first_forty = garden[LABEL_COLUMN].iloc[:40]
    assert first_forty.nunique() == 3


def test_kmeans_with_three_groups_recovers_the_three_kinds(garden: pd.DataFrame) -> None:
    found = find_groups(garden, 3)
    assert adjusted_rand_score(garden[LABEL_COLUMN], found.clusters) > 0.95
    assert sorted(found.cluster_names.values()) == sorted(ITEM_KINDS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_groups_are_recovered_for_other_seeds_too(seed: int) -> None:
    table = make_garden_bugs(seed=seed)
    assert adjusted_rand_score(table[LABEL_COLUMN], find_groups(table, 3).clusters) > 0.9


def test_two_groups_put_worms_apart_and_name_each_cluster_by_its_majority(garden: pd.DataFrame) -> None:
    found = find_groups(garden, 2)
    assert len(set(found.clusters)) == 2
    assert set(found.cluster_names.values()) <= set(ITEM_KINDS)


@pytest.mark.parametrize(
    ("width", "length", "weight", "kind"),
    [(4.0, 100.0, 1.0, "worm"), (5.0, 7.0, 0.03, "ladybird"), (25.0, 35.0, 20.0, "stone")],
)
def test_a_new_item_is_named_by_its_cluster(garden: pd.DataFrame, width: float, length: float, weight: float,
                                            kind: str) -> None:
    found = find_groups(garden, 3)
    cluster, name = guess_item(found, width, length, weight)
    assert name == kind
    assert found.cluster_names[cluster] == kind


def test_rolos_groups_are_the_own_table_k_means_on_the_three_measurements(garden: pd.DataFrame) -> None:
    found = find_groups(garden, 3)
    own = find_own_groups(garden, list(MEASUREMENTS), 3)
    assert (found.clusters == own.labels_).all()


def test_with_three_groups_every_item_is_named_right_and_each_group_holds_one_kind(garden: pd.DataFrame) -> None:
    found = find_groups(garden, 3)
    assert right_guesses(garden, found) == 120
    table = groups_against_kinds(garden, found)
    assert list(table.columns) == list(ITEM_KINDS) and list(table.index) == ["group 1", "group 2", "group 3"]
    assert sorted(table.max(axis=1)) == [40, 40, 40] and table.to_numpy().sum() == 120
    two = find_groups(garden, 2)  # two groups for three kinds: a whole kind is named wrong
    assert right_guesses(garden, two) == 80
