"""Writes the kids' page data sets from their seeded generators: run `python data/kids/make_kids_data.py`.

Both files are fully reproducible: the same seed gives the same bytes (tests check the shipped
files against a fresh run).
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Run as a plain script from anywhere, so the repository root must be importable for lib/.
sys.path.insert(0, str(HERE.parents[1]))

from lib.kids.garden import make_garden_bugs  # noqa: E402
from lib.kids.xrays import MODELLED_FILE, light_curve_text, make_cygx3_light_curve  # noqa: E402

GARDEN_FILE = HERE / "garden_bugs.csv"
XRAY_FILE = MODELLED_FILE


def main() -> None:
    make_garden_bugs().to_csv(GARDEN_FILE, index=False)
    modelled = make_cygx3_light_curve()
    XRAY_FILE.write_text(light_curve_text(modelled))
    print(f"wrote {GARDEN_FILE.name} and {XRAY_FILE.name}; planted bad rows: {modelled.planted}")


if __name__ == "__main__":
    main()
