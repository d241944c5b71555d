""""See this app as" in Chromium: the pixels a reader sees are the ones lib simulates, the sidebar is left as it
is, the campus map's iframe is filtered too, and axe still finds nothing serious.

A chart's known colour is read back from a screenshot and compared, within 3 of 255 per channel, with
`lib.maps.colour.simulate_srgb`: the same steps as the page's feColorMatrix in linearRGB (decode to
linear light, Machado's matrix, clip, encode).
"""
from __future__ import annotations

import io
import re
import time
from urllib.parse import urlencode

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from app_pages.maps import CAMPUS, COLOUR
from lib.core.colour_vision import svg_colour_matrix
from lib.maps.colour import hex_to_rgb, simulate_srgb
from tests.e2e.conftest import PAGE_LIMIT_MS, open_app_page, wait_until_idle
from tests.e2e.test_accessibility import _axe_violations, _blocking, _open_expanders, _settle

TITLE = "Maps and projections"
KNOWN = "#e41a1c"  # Set1's first colour: the Colour tab's swatch of class 1 with normal vision
SIDEBAR_BACKGROUND = "#eef4f7"  # the theme's secondaryBackgroundColor
CHANNEL_TOLERANCE = 3  # of 255: the browser's 8-bit linearRGB tables round a little
COLOUR_TAB = {"maps.tab": COLOUR, "maps.scheme": "Set1", "maps.classes": "3"}
CAMPUS_FEATURES = 17  # the campus map's Leaflet paths (tests/e2e/test_maps_browser.py)
CAMPUS_MAP = 'iframe[title="streamlit_folium.st_folium"]'
SETTLE_FRAMES = 400  # some seconds of frames: the map settles in well under that
SETTLED_S = 1.5  # unchanged this long: the map has finished its zoom (a pause within it was once taken for the end)


def _maps_path(**query: str) -> str:
    return f"maps?{urlencode(query)}"


def _filter_drawn(page, kind: str, percent: int) -> None:
    """Wait until the main area is drawn through the filter for `kind` at `percent`."""
    page.wait_for_function(
        """values => getComputedStyle(document.querySelector('[data-testid=stMainBlockContainer]')).filter
                     .includes('dsc-colour-vision')
                 && document.querySelector('#dsc-colour-vision feColorMatrix')?.getAttribute('values') === values""",
        arg=svg_colour_matrix(kind, percent / 100), timeout=PAGE_LIMIT_MS)


def _pixels(page, box: dict) -> np.ndarray:
    """The page's pixels in `box` as an (h, w, 3) array of 0..255, as the screen shows them."""
    png = page.screenshot(clip=box)
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def _centre_pixel(page, locator) -> np.ndarray:
    box = locator.bounding_box()
    centre = {"x": box["x"] + box["width"] / 2 - 1, "y": box["y"] + box["height"] / 2 - 1, "width": 2, "height": 2}
    return _pixels(page, centre)[0, 0]


def _swatch(page):
    swatches = page.get_by_test_id("stVegaLiteChart").first
    cell = swatches.locator(f'g.mark-rect path[fill="{KNOWN}" i]').first
    expect(cell).to_be_visible()
    return cell


def _sidebar_pixel(page) -> np.ndarray:
    return _centre_pixel(page, page.get_by_test_id("stSidebar").get_by_text("Computing on"))


def _expected(colour: str, kind: str, percent: int) -> np.ndarray:
    return simulate_srgb(hex_to_rgb(colour), kind, percent / 100) * 255


def test_the_control_shows_a_chart_colour_as_lib_simulates_it(page, app_url) -> None:
    open_app_page(page, app_url, _maps_path(**COLOUR_TAB), TITLE)
    cell = _swatch(page)
    # with typical vision the swatch is its own colour: the pixel read is the right one
    assert np.abs(_centre_pixel(page, cell) - hex_to_rgb(KNOWN) * 255).max() <= 1
    sidebar_before = _sidebar_pixel(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="See this app as").click()
    page.get_by_role("option", name="Deuteranomaly (green-weak)").click()
    severity = sidebar.get_by_test_id("stSlider").filter(has_text="Severity").get_by_role("slider")
    expect(severity).to_be_visible()  # shown once a deficiency is chosen
    severity.focus()
    for _ in range(5):  # 100% down to 50%, from the keyboard
        page.keyboard.press("ArrowLeft")
    _filter_drawn(page, "deuteranomaly", 50)
    wait_until_idle(page)
    seen = _centre_pixel(page, _swatch(page))
    expected = _expected(KNOWN, "deuteranomaly", 50)
    assert np.abs(seen - expected).max() <= CHANNEL_TOLERANCE, (seen, expected)
    assert np.abs(_sidebar_pixel(page) - sidebar_before).max() <= 1  # the sidebar is not filtered
    expect(page).to_have_url(re.compile(r"[?&]vision=deuteranomaly(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]vision\.severity=50(&|$)"))


@pytest.mark.parametrize(("kind", "percent"), [("protanomaly", 100), ("tritanomaly", 70)])
def test_a_shared_link_opens_with_the_simulation(page, app_url, kind: str, percent: int) -> None:
    open_app_page(page, app_url, _maps_path(**COLOUR_TAB, vision=kind, **{"vision.severity": str(percent)}), TITLE)
    _filter_drawn(page, kind, percent)
    wait_until_idle(page)
    seen = _centre_pixel(page, _swatch(page))
    expected = _expected(KNOWN, kind, percent)
    assert np.abs(seen - expected).max() <= CHANNEL_TOLERANCE, (seen, expected)
    assert np.abs(_sidebar_pixel(page) - hex_to_rgb(SIDEBAR_BACKGROUND) * 255).max() <= 1


def _settled_pixels(page, locator) -> tuple[dict, np.ndarray]:
    """The element's box and pixels once they have stayed the same for SETTLED_S (the map resizes, pans and
    zooms after it first draws its features, with pauses between: two equal frames in a row are not enough)."""
    box, pixels, since = None, None, time.monotonic()
    for _ in range(SETTLE_FRAMES):
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        now_box = locator.bounding_box()
        now = _pixels(page, now_box)
        if now_box != box or not np.array_equal(now, pixels):
            box, pixels, since = now_box, now, time.monotonic()
        elif time.monotonic() - since >= SETTLED_S:
            return box, now
    raise AssertionError(f"the element was still changing after {SETTLE_FRAMES} frames")


def test_the_campus_maps_iframe_is_filtered_too(page, app_url) -> None:
    open_app_page(page, app_url, _maps_path(**{"maps.tab": CAMPUS}), TITLE)
    frame = page.frame_locator(CAMPUS_MAP)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES)
    iframe = page.locator(CAMPUS_MAP)
    box, before = _settled_pixels(page, iframe)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="See this app as").click()
    page.get_by_role("option", name="Protanomaly (red-weak)").click()
    _filter_drawn(page, "protanomaly", 100)
    wait_until_idle(page)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES)
    box_after, after = _settled_pixels(page, iframe)
    assert box_after == box, "the map moved; its pixels cannot be compared"
    expected = simulate_srgb(before / 255, "protanomaly", 1.0) * 255
    # the map's coloured pixels (buildings, trees, the fence): those the simulation visibly changes
    coloured = np.abs(expected - before).max(axis=-1) > 10
    assert coloured.sum() > 500, "the map region has too few colours the simulation changes"
    close = (np.abs(after - expected) <= CHANNEL_TOLERANCE).all(axis=-1)
    assert close[coloured].mean() >= 0.98, f"only {close[coloured].mean():.1%} of the map's coloured pixels are as simulated"
    assert close.mean() >= 0.99, f"only {close.mean():.1%} of the map's pixels are as simulated"


def test_no_serious_wcag_violation_with_the_filter_on(page, app_url) -> None:
    open_app_page(page, app_url, _maps_path(**COLOUR_TAB, vision="deuteranomaly"), TITLE)
    _filter_drawn(page, "deuteranomaly", 100)
    _settle(page)
    _open_expanders(page)
    found = _blocking(_axe_violations(page), "Colour tab, deuteranopia")
    assert not found, "\n".join(found)
