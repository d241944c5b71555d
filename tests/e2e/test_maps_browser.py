"""The maps page in Chromium with the internet cut off: the campus map must still draw its features."""
from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import urlsplit

from playwright.sync_api import expect

from lib.maps.spatial_io import export_features, load_campus
from tests.e2e.conftest import failed_app_responses, open_app_page, wait_until_idle

TITLE = "Maps and projections"
# Generous: the machine running the tests is shared, and a Leaflet map in an iframe loads after the page.
WAIT_MS = 30_000
# 8 buildings + 1 fence + 8 trees in data/maps/penryn_campus.geojson, each one SVG path in Leaflet.
CAMPUS_FEATURES = 17
TISSOT_CIRCLES = 60  # len(lib.maps.geo.tissot_circles())


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


def _settled_box(page, locator) -> dict:
    """The element's box once it stops moving: the map's iframe resizes to its column after it first draws."""
    box = locator.bounding_box()
    for _ in range(20):
        page.wait_for_timeout(250)
        box, before = locator.bounding_box(), box
        if box == before:
            break
    return box


def test_campus_map_draws_every_feature_with_no_internet(page, app_url) -> None:
    refused = _offline(page, app_url)
    try:
        open_app_page(page, app_url, "maps", TITLE)
        frame = _campus_frame(page)
        expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES, timeout=WAIT_MS)
        expect(frame.locator(".capacity-label").first).to_have_text("450", timeout=WAIT_MS)
        expect(frame.locator(".leaflet-draw-draw-polygon")).to_be_visible(timeout=WAIT_MS)
        # the browser really was cut off: it asked for tiles and got nothing...
        assert any("tile.openstreetmap.org" in url for url in refused), refused
        # ...and only tiles: no script or stylesheet was asked of the internet
        assert not [url for url in refused if url.split("?")[0].endswith((".js", ".css"))], refused
    finally:
        page.context.unroute("**/*")


def test_moving_the_country_slider_updates_the_areas(page, app_url) -> None:
    open_app_page(page, app_url, "maps", TITLE)
    page.get_by_role("tab", name="Move a country").click()
    moved = page.get_by_test_id("stMetric").filter(has_text="Mercator, moved")
    expect(moved).to_contain_text("×", timeout=WAIT_MS)
    before = moved.inner_text()
    slider = page.get_by_test_id("stSlider").filter(has_text="latitude").get_by_role("slider")
    slider.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    wait_until_idle(page)
    expect(moved).not_to_have_text(before, timeout=WAIT_MS)


def test_a_drawn_polygon_gets_attributes_and_survives_zooming(page, app_url) -> None:
    open_app_page(page, app_url, "maps", TITLE)
    frame = _campus_frame(page)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES, timeout=WAIT_MS)
    frame.locator(".leaflet-draw-draw-polygon").click()
    box = _settled_box(page, frame.locator(".leaflet-container"))
    corners = [(0.75, 0.10), (0.92, 0.10), (0.84, 0.25)]  # an empty corner of the campus view
    vertices = frame.locator(".leaflet-editing-icon")
    for placed, (x, y) in enumerate([*corners, corners[0]]):
        # Leaflet.draw places a vertex on mouse down + up where the pointer last moved to
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=3)
        page.mouse.down()
        page.mouse.up()
        if placed < len(corners):
            expect(vertices).to_have_count(placed + 1, timeout=WAIT_MS)
            # after each vertex Leaflet.draw ignores new ones for 50 ms (a timer, late on a busy machine)
            page.wait_for_timeout(300)
    form = page.get_by_test_id("stForm")
    expect(form).to_contain_text("Which drawing", timeout=WAIT_MS)
    form.get_by_label("Name").fill("Bike shed")
    form.get_by_role("button", name="Save feature").click()
    wait_until_idle(page)
    expect(page.get_by_text("17 campus features and 1 of your own.")).to_be_visible(timeout=WAIT_MS)
    # the drawing and the saved copy are both on the map, and zooming keeps them (no rebuild)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES + 2, timeout=WAIT_MS)
    frame.locator(".leaflet-control-zoom-out").click()
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES + 2, timeout=WAIT_MS)


def test_a_point_drawn_with_the_marker_tool_shows_leaflets_marker_icon(page, app_url) -> None:
    failed = failed_app_responses(page, app_url)
    answers: dict[str, int] = {}  # every address the page and its frames asked for -> the status it got
    page.on("response", lambda answer: answers.__setitem__(answer.url, answer.status))
    open_app_page(page, app_url, "maps", TITLE)
    frame = _campus_frame(page)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(CAMPUS_FEATURES, timeout=WAIT_MS)
    frame.locator(".leaflet-draw-draw-marker").click()
    box = _settled_box(page, frame.locator(".leaflet-container"))
    page.mouse.move(box["x"] + 0.85 * box["width"], box["y"] + 0.15 * box["height"], steps=3)
    page.mouse.down()
    page.mouse.up()
    expect(page.get_by_test_id("stForm")).to_contain_text("Which drawing", timeout=WAIT_MS)
    drawn = frame.locator("img.leaflet-marker-icon")  # the capacity labels are div icons: only the point is an img
    expect(drawn).to_have_count(1, timeout=WAIT_MS)
    expect(drawn).to_have_js_property("naturalWidth", 25, timeout=WAIT_MS)  # marker-icon.png is 25 x 41
    shadow = frame.locator("img.leaflet-marker-shadow")
    expect(shadow).to_have_js_property("naturalWidth", 41, timeout=WAIT_MS)
    for image in (drawn, shadow):
        # the browser may have it cached from the map's first draw: the address was answered 200 then
        address = image.evaluate("img => img.src")
        assert address.startswith(f"{app_url}/app/static/leaflet-1.9.3/images/marker-"), address
        assert answers.get(address) == 200, (address, answers.get(address))
    wait_until_idle(page)
    assert failed == []


def test_an_upload_without_a_crs_asks_for_one_and_a_bad_file_changes_nothing(page, app_url, tmp_path) -> None:
    with zipfile.ZipFile(io.BytesIO(export_features(load_campus().to_crs("EPSG:27700"), "shapefile"))) as archive:
        members = {name: archive.read(name) for name in archive.namelist() if not name.endswith(".prj")}
    upload = tmp_path / "qgis_bng.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    not_a_zip = tmp_path / "notes.zip"
    not_a_zip.write_text("not a zip")

    open_app_page(page, app_url, "maps", TITLE)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    expect(page.get_by_text("Please choose the CRS it was made in")).to_be_visible(timeout=WAIT_MS)
    page.get_by_test_id("stSelectbox").filter(has_text="The file's CRS").click()
    page.keyboard.type("27700")
    page.keyboard.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="Use this CRS").click()
    expect(page.get_by_text("Imported 17 features")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("made in OSGB36 / British National Grid (EPSG:27700)")).to_be_visible(timeout=WAIT_MS)
    frame = _campus_frame(page)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(2 * CAMPUS_FEATURES, timeout=WAIT_MS)

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(not_a_zip))
    expect(page.get_by_text("Not imported: This file is not a zip archive")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("Imported (17 features")).to_be_visible(timeout=WAIT_MS)


def test_clicking_the_map_moves_the_country_there(page, app_url) -> None:
    open_app_page(page, app_url, "maps", TITLE)
    page.get_by_role("tab", name="Move a country").click()
    longitude = page.get_by_test_id("stSlider").filter(has_text="longitude")
    expect(longitude).to_contain_text("-25.00", timeout=WAIT_MS)
    chart = page.locator("[data-testid=stVegaLiteChart]:visible").first.locator("svg").first
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible(timeout=WAIT_MS)
    box = chart.bounding_box()
    page.mouse.click(box["x"] + 0.85 * box["width"], box["y"] + 0.4 * box["height"])
    wait_until_idle(page)
    expect(longitude).not_to_contain_text("-25.00", timeout=WAIT_MS)
    # the click was right of the centre, so east of where the country was
    text = longitude.inner_text()
    value = re.search(r"longitude\s*(-?\d+\.\d+)", text)
    assert value and float(value.group(1)) > -25.0, text


def test_the_open_tab_is_in_the_link_and_moving_between_tabs_keeps_the_settings(page, app_url) -> None:
    open_app_page(page, app_url, "maps", TITLE)
    page.get_by_role("tab", name="Move a country").click()
    wait_until_idle(page)
    expect(page).to_have_url(re.compile(r"maps\.tab=[^&]*Move"), timeout=WAIT_MS)
    latitude = page.get_by_test_id("stSlider").filter(has_text="latitude")
    expect(latitude).to_contain_text("53.00", timeout=WAIT_MS)
    latitude.get_by_role("slider").focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    wait_until_idle(page)
    expect(page).to_have_url(re.compile(r"maps\.lat=63\.0"), timeout=WAIT_MS)
    # tabs are lazy: a closed tab's widgets are not in the page, yet the link keeps their settings
    page.get_by_role("tab", name="Colour").click()
    wait_until_idle(page)
    expect(page.get_by_test_id("stSlider").filter(has_text="Number of classes")).to_be_visible(timeout=WAIT_MS)
    expect(latitude).to_have_count(0)
    expect(page).to_have_url(re.compile(r"maps\.tab=[^&]*Colour"), timeout=WAIT_MS)
    link = page.get_by_test_id("stCode").filter(has_text="maps.tab=")  # the share link, not the code behind
    expect(link).to_contain_text("maps.lat=63.0", timeout=WAIT_MS)
    page.get_by_role("tab", name="Move a country").click()
    wait_until_idle(page)
    expect(latitude).to_contain_text("63.00", timeout=WAIT_MS)
    # a fresh visitor with the link lands on the same tab, with the same settings
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    expect(latitude).to_contain_text("63.00", timeout=WAIT_MS)
    expect(page.get_by_role("tab", name="Move a country")).to_have_attribute("aria-selected", "true")


def test_geojson_sent_as_text_draws_the_tissot_circles_and_the_moved_country(page, app_url) -> None:
    open_app_page(page, app_url, "maps", TITLE)
    page.get_by_role("tab", name="Projections").click()
    wait_until_idle(page)
    # the Mercator chart: its sphere, its graticule and the 177 countries, then 60 Tissot circles besides
    shapes = page.locator("[data-testid=stVegaLiteChart]:visible").first.locator("g.mark-shape path")
    expect(shapes).to_have_count(179, timeout=WAIT_MS)
    page.get_by_text("Show Tissot's indicatrices").click()
    wait_until_idle(page)
    expect(shapes).to_have_count(179 + TISSOT_CIRCLES, timeout=WAIT_MS)
    page.get_by_role("tab", name="Move a country").click()
    wait_until_idle(page)
    mercator = page.locator("[data-testid=stVegaLiteChart]:visible").first
    for colour in ("#999999", "#D55E00", "#0072B2"):  # the country at home, moved, and the UK
        expect(mercator.locator(f'g.mark-shape path[fill="{colour}"]')).to_have_count(1, timeout=WAIT_MS)


def test_the_choropleth_fills_each_country_with_its_class_colour(page, app_url) -> None:
    from lib.maps.colour import palette

    open_app_page(page, app_url, "maps", TITLE)
    page.get_by_role("tab", name="Colour").click()
    wait_until_idle(page)
    # one choropleth per vision, each named by its vision; normal vision's: the sphere then 177 countries
    choropleth = page.locator('[data-testid=stVegaLiteChart][aria-label*="as seen: normal."]')
    countries = choropleth.locator("g.mark-shape path")
    expect(countries).to_have_count(178, timeout=WAIT_MS)
    fills = countries.evaluate_all("paths => paths.slice(1).map(path => (path.getAttribute('fill') || '').toLowerCase())")
    assert set(fills) == {colour.lower() for colour in palette("YlGnBu", 5)}  # the default scheme and classes
