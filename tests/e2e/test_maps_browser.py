"""The maps page in Chromium with the internet cut off: the campus map must still draw its features."""
from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import open_app_page, wait_until_idle

TITLE = "Maps and projections"
# 8 buildings + 1 fence + 8 trees in data/maps/penryn_campus.geojson, each one SVG path in Leaflet.
CAMPUS_FEATURES = 17


def _offline(page, app_url: str) -> list[str]:
    """Refuse every request that does not go to the app itself; returns the refused addresses."""
    app_host = urlsplit(app_url).netloc
    refused: list[str] = []

    def handle(route) -> None:
        if urlsplit(route.request.url).netloc == app_host:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.context.route("**/*", handle)
    return refused


def _campus_frame(page):
    return page.frame_locator('iframe[title="streamlit_folium.st_folium"]')


def test_campus_map_draws_every_feature_with_no_internet(page, app_url) -> None:
    refused = _offline(page, app_url)
    try:
        open_app_page(page, app_url, "maps", TITLE)
        frame = _campus_frame(page)
        expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES)
        expect(frame.locator(".capacity-label").first).to_have_text("450")
        expect(frame.locator(".leaflet-draw-draw-polygon")).to_be_visible()
        # only map tiles may be missing; no script or stylesheet was asked of the internet
        assert not [url for url in refused if url.split("?")[0].endswith((".js", ".css"))], refused
    finally:
        page.context.unroute("**/*")


def test_moving_the_country_slider_updates_the_areas(page, app_url) -> None:
    open_app_page(page, app_url, "maps", TITLE)
    page.get_by_role("tab", name="Move a country").click()
    moved = page.get_by_test_id("stMetric").filter(has_text="Mercator, moved")
    expect(moved).to_contain_text("×")
    before = moved.inner_text()
    slider = page.get_by_test_id("stSlider").filter(has_text="latitude").get_by_role("slider")
    slider.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    wait_until_idle(page)
    expect(moved).not_to_have_text(before)


def test_a_drawn_polygon_gets_attributes_and_survives_zooming(page, app_url) -> None:
    open_app_page(page, app_url, "maps", TITLE)
    frame = _campus_frame(page)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES)
    frame.locator(".leaflet-draw-draw-polygon").click()
    box = frame.locator(".leaflet-container").bounding_box()
    corners = [(0.75, 0.10), (0.92, 0.10), (0.84, 0.25)]  # an empty corner of the campus view
    vertices = frame.locator(".leaflet-editing-icon")
    for placed, (x, y) in enumerate([*corners, corners[0]]):
        # Leaflet.draw places a vertex on mouse down + up where the pointer last moved to
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=3)
        page.mouse.down()
        page.mouse.up()
        if placed < len(corners):
            expect(vertices).to_have_count(placed + 1)
    form = page.get_by_test_id("stForm")
    expect(form).to_contain_text("Which drawing")
    form.get_by_label("Name").fill("Bike shed")
    form.get_by_role("button", name="Save feature").click()
    wait_until_idle(page)
    expect(page.get_by_text("17 campus features and 1 of your own.")).to_be_visible()
    # the drawing and the saved copy are both on the map, and zooming keeps them (no rebuild)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES + 2)
    frame.locator(".leaflet-control-zoom-out").click()
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES + 2)
