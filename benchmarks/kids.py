"""Speed of the kids' page: each lib step and whole-page reruns under AppTest. Prints a table.

Run from the repository root: `python -m benchmarks.kids`. Timings on a shared machine are noisy;
each figure is the median of several repeats.
"""
from __future__ import annotations

import time
from pathlib import Path

from benchmarks.timing import median_ms, print_median_table

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from lib.kids.garden import find_groups, make_garden_bugs
    from lib.kids.hands import check_hands, example_hands, summarise_hands
    from lib.kids.spy import add_copies, noise_left_after_adding, noisy_copies, render_message
    from lib.kids.xrays import BadDataLimits, clean_light_curve, find_bad_rows, find_period, read_light_curve

    raw = (ROOT / "data" / "kids" / "cygx3_bat_MODELLED.orbit.lc.txt").read_bytes()
    table, _ = read_light_curve(raw)
    clean = clean_light_curve(table, BadDataLimits())
    garden = make_garden_bugs()
    message = render_message("MEET AT THE PARK")
    copies = noisy_copies(message, 20, 1.5)
    rows = [
        ("hands: check + summarise the table", median_ms(lambda: (check_hands(example_hands()),
                                                                  summarise_hands(example_hands())))),
        ("garden: make 120 items", median_ms(make_garden_bugs)),
        ("garden: k-means k=3 (n_init=10)", median_ms(lambda: find_groups(garden, 3))),
        ("spy: render message + 20 noisy copies", median_ms(lambda: noisy_copies(render_message("MEET AT THE PARK"),
                                                                               20, 1.5))),
        ("spy: add 20 copies + noise curve", median_ms(lambda: (add_copies(copies, 20),
                                                                noise_left_after_adding(copies, message)))),
        ("x-rays: read the shipped orbit file", median_ms(lambda: read_light_curve(raw))),
        ("x-rays: find bad rows", median_ms(lambda: find_bad_rows(table, BadDataLimits()))),
        ("x-rays: periodogram, 4000 periods", median_ms(lambda: find_period(clean), repeats=3)),
    ]

    from app_pages.kids import GARDEN, TABS
    from tests.helpers import open_page, open_tab

    start = time.perf_counter()
    at = open_page("kids", timeout=120)
    rows.append(("page: first run through the router (cold caches)", (time.perf_counter() - start) * 1000))
    # The tabs are lazy: a full rerun runs the open tab only, so each tab is timed on its own.
    for tab in TABS:
        open_tab(at, "kids", tab)  # warms this tab's caches
        rows.append((f"page: full rerun, open tab {tab.split(' ', 1)[1]}", median_ms(at.run)))

    open_tab(at, "kids", GARDEN)

    def move_k() -> None:
        slider = at.slider(key="kids.garden_k")
        slider.set_value(3 if slider.value != 3 else 2)
        at.run()

    rows.append(("page: rerun after moving the k slider", median_ms(move_k)))
    print_median_table(rows)


if __name__ == "__main__":
    main()
