"""The Evaluate tab's confusion matrix in Chromium: clicking a cell opens its images and one image's outputs."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PAGE_LIMIT_MS, wait_until_idle
from tests.e2e.test_accessibility import _axe_violations, _blocking
from tests.e2e.test_mnist_browser import _open_mnist_page, _type_number

CELL = re.compile(r"images: (\d+); true: (\d); predicted: (\d)$")


def _cells(chart) -> list[tuple[int, int, int]]:
    """(images, true, predicted) of every cell, read from the cells' aria-labels."""
    labels = chart.locator("g.mark-rect path").evaluate_all("cells => cells.map(c => c.getAttribute('aria-label'))")
    cells = [tuple(int(group) for group in CELL.search(label).groups()) for label in labels if CELL.search(label)]
    assert len(cells) == 100
    return cells


def test_clicking_a_confusion_cell_shows_its_images(page, app_url) -> None:
    _open_mnist_page(page, app_url)
    page.get_by_role("tab", name="Train").click()
    _type_number(page, "Training images per epoch", 500)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("Trained on 1,500 images")).to_be_visible(timeout=PAGE_LIMIT_MS)
    wait_until_idle(page)
    page.get_by_role("tab", name="Evaluate").click()
    expect(page.get_by_text("Choose both a true and a predicted digit")).to_be_visible()
    wait_until_idle(page)
    chart = page.get_by_test_id("stVegaLiteChart").filter(has=page.locator("g.mark-rect")).first
    count, true_label, predicted_label = max(_cells(chart))
    cell = chart.locator(f"g.mark-rect path[aria-label$='; true: {true_label}; predicted: {predicted_label}']")
    cell.click(position={"x": 4, "y": 4})  # the cell's corner: its count, written in the middle, is a layer above
    verdict = "read right" if true_label == predicted_label else f"read as {predicted_label}"
    expect(page.get_by_text(f"{count:,} test images are a {true_label} {verdict}")).to_be_visible()
    wait_until_idle(page)
    shown = min(count, 48)
    # the cell's gallery, and the chosen one drawn large beside its outputs
    expect(page.locator(f"img[alt$=': a handwritten {true_label}, {verdict}.']")).to_have_count(shown)
    expect(page.locator("img[alt^='The chosen image']")).to_have_count(1)
    expect(page.get_by_text(f"a {true_label}, the network says").first).to_be_visible()
    expect(page.get_by_text("The largest of the ten outputs").first).to_be_visible()
    # the click set the keyboard's two select boxes too
    for label, value in (("True digit", true_label), ("Predicted digit", predicted_label)):
        expect(page.get_by_role("combobox", name=label, exact=True)).to_have_value(str(value))
    # a click on a cell's count (the text layer above it) opens that cell too
    counts = [cell for cell in _cells(chart) if cell[0] > 0 and cell[1:] != (true_label, predicted_label)]
    assert counts  # each of the ten true digits fills at least one cell
    other_count, other_true, other_predicted = max(counts)
    chart.locator(f"g.mark-text text[aria-label='predicted digit: {other_predicted}; true digit: {other_true}; "
                  f"images: {other_count}']").click()
    expect(page.get_by_role("combobox", name="True digit", exact=True)).to_have_value(str(other_true))
    expect(page.get_by_role("combobox", name="Predicted digit", exact=True)).to_have_value(str(other_predicted))
    wait_until_idle(page)
    # the opened cell passes axe as every tab does (images with alt text, labelled select boxes)
    assert _blocking(_axe_violations(page), "Evaluate, a cell open") == []
