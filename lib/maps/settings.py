"""The Maps and projections page's settings.

Every setting a visitor can change on the page, with its bounds and default, in one place: the page
builds its widgets from these, the share link encodes them, and take-home notebooks validate against them.
"""
from __future__ import annotations

from lib.core.colour_vision import SEVERITY_PERCENTS
from lib.core.settings import UrlParam
from lib.maps.colour import DEFICIENCIES, SCHEMES

QUALITATIVE = tuple(SCHEMES["qualitative"])
ALL_SCHEMES = tuple(name for names in SCHEMES.values() for name in names)
VISIONS = ("normal", *DEFICIENCIES)
SETTINGS = [
    UrlParam("maps.building_scheme", "Okabe-Ito", choices=QUALITATIVE),
    UrlParam("maps.campus_vision", "normal", choices=VISIONS),
    UrlParam("maps.tissot", False),
    UrlParam("maps.country", "Japan"),
    UrlParam("maps.lon", -25.0, minimum=-180.0, maximum=180.0),
    UrlParam("maps.lat", 53.0, minimum=-75.0, maximum=75.0),
    UrlParam("maps.scheme", "YlGnBu", choices=ALL_SCHEMES),
    UrlParam("maps.classes", 5, minimum=3, maximum=11),
    UrlParam("maps.severity", 100, choices=SEVERITY_PERCENTS),  # of the Colour tab's simulated deficiencies
    UrlParam("maps.type_size", 18, minimum=10, maximum=40),
]
