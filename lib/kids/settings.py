"""The Kids' projects page's settings.

Every setting a visitor can change on the page, with its bounds and default, in one place: the page
builds its widgets from these, the share link encodes them, and take-home notebooks validate against them.
"""
from __future__ import annotations

from lib.core.settings import UrlParam
from lib.kids.garden import MEASUREMENTS

SPY_COPIES = 20
XRAY_TOOLS = ("Rolling average", "Keep only the peaks", "Histogram", "Find the beat")
SETTINGS = [
    UrlParam("kids.hands_guess", "I'm not sure yet", choices=("I'm not sure yet", "Left", "Right", "About the same")),
    UrlParam("kids.garden_x", "length_mm", choices=MEASUREMENTS),
    UrlParam("kids.garden_y", "width_mm", choices=MEASUREMENTS),
    UrlParam("kids.garden_k", 2, minimum=1, maximum=6),
    UrlParam("kids.new_width", 5.0, minimum=1.0, maximum=40.0),
    UrlParam("kids.new_length", 7.0, minimum=1.0, maximum=140.0),
    UrlParam("kids.new_weight", 0.5, minimum=0.0, maximum=40.0),
    UrlParam("kids.garden_reveal", False),
    UrlParam("kids.spy_message", ""),
    UrlParam("kids.spy_noise", 1.5, minimum=0.0, maximum=4.0),
    UrlParam("kids.spy_added", 1, minimum=1, maximum=SPY_COPIES),
    UrlParam("kids.spy_subtract", False),
    UrlParam("kids.xray_lowest", 0.0, minimum=-0.1, maximum=0.1),
    UrlParam("kids.xray_highest", 0.5, minimum=0.05, maximum=2.0),
    UrlParam("kids.xray_error", 0.05, minimum=0.005, maximum=0.5),
    UrlParam("kids.xray_flagged", True),
    UrlParam("kids.xray_repeats", True),
    UrlParam("kids.xray_gap_hours", 12.0, minimum=2.0, maximum=72.0),
    UrlParam("kids.xray_tool", XRAY_TOOLS[0], choices=XRAY_TOOLS),
    UrlParam("kids.xray_window", 6.0, minimum=1.0, maximum=72.0),
    UrlParam("kids.xray_top", 20.0, minimum=1.0, maximum=100.0),
    UrlParam("kids.xray_bins", 30, minimum=5, maximum=100),
]
