"""Speed of the maps page's work: what one slider move or one upload costs. Prints a table.

Run from the repository root: `python -m benchmarks.maps` (timings on a shared machine are noisy;
each row is the median of several runs).
"""
from __future__ import annotations

from benchmarks.timing import median_ms, print_median_table
from lib.maps.colour import confusable_pairs, palette
from lib.maps.geo import load_countries, move_country, population_density, tissot_circles
from lib.maps.spatial_io import export_features, load_campus, read_spatial_upload
from lib.maps.webmap import campus_map


def page_rerun_ms(repeats: int = 3) -> float:
    """A rerun of the page on its Move tab after a slider move, through AppTest (the browser reruns only the fragment)."""
    from app_pages.maps import MOVE
    from tests.helpers import open_page, open_tab

    app = open_tab(open_page("maps"), "maps", MOVE)
    latitudes = iter([20.0, 30.0, 40.0, 50.0, 60.0, 10.0] * repeats)
    return median_ms(lambda: app.slider(key="maps.lat").set_value(next(latitudes)).run(), repeats)


def main() -> None:
    countries = load_countries()
    campus = load_campus()
    exports = {fmt: export_features(campus, fmt) for fmt in ("shapefile", "geopackage", "geojson")}
    names = {"shapefile": "c.zip", "geopackage": "c.gpkg", "geojson": "c.geojson"}
    rows = [
        ("load_countries (177 countries)", median_ms(load_countries)),
        ("move_country Japan (areas included)", median_ms(lambda: move_country(countries, "Japan", -25.0, 53.0))),
        ("move_country Russia", median_ms(lambda: move_country(countries, "Russia", 20.0, 10.0))),
        ("population_density (all countries)", median_ms(lambda: population_density(countries))),
        ("tissot_circles (48 circles)", median_ms(tissot_circles)),
        ("campus_map build + render HTML", median_ms(lambda: campus_map(campus, "use", palette("Okabe-Ito", 6))
                                                     .get_root().render())),
        ("palette + confusable pairs (7 classes)", median_ms(lambda: confusable_pairs(palette("RdYlGn", 7),
                                                                                        "deuteranopia"))),
    ]
    rows += [(f"export {fmt}", median_ms(lambda fmt=fmt: export_features(campus, fmt))) for fmt in exports]
    rows += [(f"import {fmt}", median_ms(lambda fmt=fmt: read_spatial_upload(names[fmt], exports[fmt])))
             for fmt in exports]
    rows.append(("page rerun, Move tab, after a slider move (AppTest)", page_rerun_ms()))
    print_median_table(rows)


if __name__ == "__main__":
    main()
