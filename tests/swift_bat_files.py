"""Light curves written by hand in the two layouts NASA's Swift/BAT transient monitor publishes, for tests.

Built from the modelled curve (TIME in MJD), independently of lib.kids.xrays's own writer, each with a
units line under the column names as the published files may have.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SWIFT_EPOCH_MJD = 51910.00074287  # 2001-01-01, where an orbit file's TIME (seconds) starts
ORBIT_NAMES = "TIME RATE ERROR YEAR DAY MJD TIMEDEL STAT_ERR SYS_ERR PCODEFR DATA_FLAG DITHER_FLAG"
ORBIT_UNITS = "s count/cm2/s count/cm2/s yr d d s count/cm2/s count/cm2/s - - -"
DAILY_NAMES = "TIME RATE ERROR YEAR DAY STAT_ERR SYS_ERR DATA_FLAG TIMEDEL_EXPO TIMEDEL_CODED TIMEDEL_DITHERED"
DAILY_UNITS = "d count/cm2/s count/cm2/s yr d count/cm2/s count/cm2/s - s s s"


def orbit_file(table: pd.DataFrame, with_mjd: bool = True) -> bytes:
    """The modelled curve written by hand in the orbit layout: TIME in seconds since 2001, a units line."""
    names, units = ORBIT_NAMES.split(), ORBIT_UNITS.split()
    if not with_mjd:
        names.remove("MJD")
        units.remove("d")
    lines = ["# Swift/BAT transient monitor: Cyg X-3, orbit light curve (built from the MODELLED curve for a test)",
             "# Light curve in 15-50 keV", " ".join(names), " ".join(units)]
    for row in table.itertuples(index=False):
        seconds = (row.TIME - SWIFT_EPOCH_MJD) * 86400
        values = {"TIME": f"{seconds:.2f}", "RATE": f"{row.RATE:.5f}", "ERROR": f"{row.ERROR:.5f}", "YEAR": "2019",
                  "DAY": f"{row.TIME - 58484 + 1:.6f}", "MJD": f"{row.TIME:.6f}", "TIMEDEL": f"{row.TIMEDEL_EXPO:.0f}",
                  "STAT_ERR": f"{row.ERROR:.5f}", "SYS_ERR": "0.0", "PCODEFR": "0.5",
                  "DATA_FLAG": str(int(row.DATA_FLAG)), "DITHER_FLAG": "0"}
        lines.append("  ".join(values[name] for name in names))
    return ("\n".join(lines) + "\n").encode()


def daily_file(table: pd.DataFrame) -> bytes:
    """Daily means of the modelled curve in the daily layout: TIME is the MJD, names in a comment, units below."""
    good = table[(table["DATA_FLAG"] == 0) & (table["ERROR"] < 0.05)]
    days = np.floor(good["TIME"]).astype(int)
    lines = ["# Swift/BAT transient monitor: Cyg X-3, daily light curve (built from the MODELLED curve for a test)",
             "# " + DAILY_NAMES, DAILY_UNITS]
    for day, group in good.groupby(days):
        error = float(np.sqrt((group["ERROR"] ** 2).sum()) / len(group))
        exposure = float(group["TIMEDEL_EXPO"].sum())
        lines.append(f"{day} {group['RATE'].mean():.5f} {error:.5f} 2019 {day - 58484 + 1} {error:.5f} 0.0 0 "
                     f"{exposure:.0f} {exposure:.0f} {exposure:.0f}")
    return ("\n".join(lines) + "\n").encode()
