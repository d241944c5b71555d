"""Run-sheet files: load, dump, the four shipped talks, every bad input the issue lists, and the take-home zip."""
from __future__ import annotations

import io
import json
import zipfile

import nbformat
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.registry import PAGES_WITH_DEMOS, demos_of
from lib.runsheets import (
    MAX_FILE_BYTES,
    MAX_STEPS,
    RunSheet,
    RunSheetError,
    Step,
    dump,
    load,
    shipped,
    take_home_links,
    take_home_zip,
)
from lib.runsheets.views import page_settings, values_to_open
from tests.helpers import ROOT


def sheet_text(*steps: dict, version: object = 1) -> str:
    return yaml.safe_dump({"version": version, "title": "Test", "steps": list(steps)})


# ---------------------------------------------------------------- the shipped talks


def test_the_four_talks_ship_with_no_dropped_step() -> None:
    talks = shipped()
    assert list(talks) == ["practical-steps", "hands-on-pytorch", "design-and-maps", "kids"]
    assert {name: len(sheet.steps) for name, sheet in talks.items()} == {
        "practical-steps": 9, "hands-on-pytorch": 8, "design-and-maps": 6, "kids": 4}
    for name, sheet in talks.items():
        assert sheet.dropped == (), name
        assert load(dump(sheet)) == sheet, name


def test_the_talks_titles_are_read_without_their_pages_settings() -> None:
    import subprocess
    import sys

    code = ("import sys; from lib.runsheets import talk_titles; titles = talk_titles(); "
            "print(titles['kids'], '|', any(name in sys.modules for name in ('numpy', 'pandas')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=str(ROOT))
    assert done.stdout.strip() == f"{shipped()['kids'].title} | False", done.stderr


def test_the_autograd_step_opens_the_talks_expression_at_3_5_whose_gradient_is_5_75() -> None:
    from lib.pytorch_basics.autograd import analyse_expression

    step = shipped()["hands-on-pytorch"].steps[1]
    assert (step.page, step.tab) == ("pytorch_basics", "2 · Autograd playground")
    assert step.settings["pytorch_basics.expression"] == "(x-1)*(x-2)*(x-3)"
    assert step.settings["pytorch_basics.x"] == "3.5"
    result = analyse_expression(step.settings["pytorch_basics.expression"], float(step.settings["pytorch_basics.x"]))
    assert result.value == pytest.approx(1.875) and result.gradient == pytest.approx(5.75)
    assert step.link.startswith("/pytorch_basics?") and "pytorch_basics.x=3.5" in step.link


def test_the_talks_open_with_the_settings_the_talks_used() -> None:
    talks = shipped()
    km = talks["hands-on-pytorch"].steps[0]
    assert km.tab == "1 · Kilometres to miles"
    trained = talks["hands-on-pytorch"].steps[4]
    assert (trained.tab, trained.settings["mnist.preset"]) == ("Train", "talk")
    japan = next(step for step in talks["design-and-maps"].steps if step.tab == "🇯🇵 Move a country")
    assert japan.settings["maps.country"] == "Japan" and float(japan.settings["maps.lon"]) < 0
    garden = talks["kids"].steps[1]
    assert garden.settings["kids.garden_k"] == "3"  # the scatter's three groups: worms, ladybirds, stones
    checklist = talks["practical-steps"].steps[0]
    assert checklist.tab is None and checklist.settings["methodology.view"] == "checklist"


# ---------------------------------------------------------------- the format


def test_a_hand_written_step_names_its_tab_by_label_or_demo_id_and_settings_by_short_key() -> None:
    by_id = load(sheet_text({"page": "maps", "tab": "move_country", "settings": {"lat": 50, "country": "Japan"}}))
    by_label = load(sheet_text({"page": "maps", "tab": "🇯🇵 Move a country",
                                "settings": {"maps.lat": 50.0, "maps.country": "Japan"}}))
    assert by_id.steps == by_label.steps
    step = by_id.steps[0]
    assert step.settings == {"maps.country": "Japan", "maps.lat": "50.0"}
    assert step.title == "Move a country"  # no title: the demo's


def test_json_is_read_too() -> None:
    sheet = load(json.dumps({"version": 1, "title": "J", "steps": [{"page": "kids", "tab": "spy"}]}))
    assert sheet.steps[0].tab == "🕵️ Secret spy messages" and sheet.title == "J"


def test_a_methodology_view_travels_as_its_setting_as_in_a_share_link() -> None:
    step = load(sheet_text({"page": "methodology", "tab": "roc", "settings": {"roc.threshold": 0.7}})).steps[0]
    assert step.tab is None
    assert step.settings == {"methodology.roc.threshold": "0.7", "methodology.view": "roc"}
    assert step.link == "/methodology?methodology.roc.threshold=0.7&methodology.view=roc"


def test_opening_a_step_resets_its_tabs_other_settings_to_the_links_defaults_but_keeps_free_text() -> None:
    step = load(sheet_text({"page": "kids", "tab": "garden", "settings": {"garden_k": 4}})).steps[0]
    values = values_to_open(step.page, step.tab, step.settings)
    assert values["kids.garden_k"] == 4
    assert values["kids.new_width"] == 5.0  # the page's default, as a fresh link shows it
    assert "kids.spy_message" not in values  # free text is the visitor's own


# ---------------------------------------------------------------- bad steps: dropped, with a note


@pytest.mark.parametrize(("step", "note"), [
    ({"page": "maps", "tab": "X", "title": "Foo"}, "step 2 'Foo': unknown tab 'X' on page 'maps'"),
    ({"page": "nowhere", "tab": "X"}, "step 2: unknown page 'nowhere'"),
    ({"page": "kids", "tab": "garden", "settings": {"garden_k": 99}}, "kids.garden_k = 99 is out of range"),
    ({"page": "kids", "tab": "garden", "settings": {"garden_k": "lots"}}, "kids.garden_k = 'lots' is out of range"),
    ({"page": "kids", "tab": "garden", "settings": {"garden_k": [1, 2]}}, "kids.garden_k has an ill-typed value"),
    ({"page": "kids", "tab": "garden", "settings": {"garden_reveal": 3}}, "kids.garden_reveal = 3"),
    ({"page": "kids", "tab": "garden", "settings": {"garden_k": True}}, "kids.garden_k = True"),
    ({"page": "maps", "tab": "colour", "settings": {"maps.nope": 1}}, "unknown setting 'maps.nope' on page 'maps'"),
    ({"page": "maps", "tab": "colour", "settings": {"maps.lat": float("inf")}}, "maps.lat = inf is out of range"),
    ({"page": "methodology", "tab": "roc", "settings": {"view": "bias"}}, "name different views"),
    ({"page": "kids", "tab": "spy", "notes": ["a", "list"]}, "the notes is not text"),
    ("just a string", "step 2: not a step"),
])
def test_a_bad_step_is_dropped_with_a_note_naming_it(step: object, note: str) -> None:
    sheet = load(sheet_text({"page": "kids", "tab": "hands"}, step, {"page": "kids", "tab": "xrays"}))
    assert [kept.tab for kept in sheet.steps] == ["✋ Hands and fingers", "🌌 Mysterious space X-rays"]
    assert len(sheet.dropped) == 1 and note in sheet.dropped[0], sheet.dropped


def test_html_and_markdown_in_titles_and_notes_are_kept_as_plain_text() -> None:
    hostile = "<script>alert(1)</script> **bold** [link](javascript:alert(1))"
    sheet = load(sheet_text({"page": "kids", "tab": "spy", "title": hostile + "\nsecond line\x1b[31m",
                             "notes": hostile + "\n\u202eline two"}))
    step = sheet.steps[0]
    assert step.title == hostile + " second line[31m"  # one line, no control characters; text kept as written
    assert step.notes == hostile + "\nline two"  # the bidi override is gone; lines stay
    assert load(dump(sheet)) == sheet


def test_long_titles_and_notes_are_cut_to_their_limits() -> None:
    step = load(sheet_text({"page": "kids", "tab": "spy", "title": "t" * 1000, "notes": "n" * 10_000})).steps[0]
    assert len(step.title) == 120 and len(step.notes) == 4000


# ---------------------------------------------------------------- whole files refused, with one line


@pytest.mark.parametrize(("data", "words"), [
    (b"x" * (10 * 1024 * 1024), "10.5 MB; a run-sheet is at most 512 kB"),
    ("y" * (MAX_FILE_BYTES + 1), "a run-sheet is at most 512 kB"),
    (bytes(range(256)) * 40, "not text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
    ("{ this is: [not json", "neither JSON (line 1: Expecting property name"),
    ("key: [unclosed\n  - x: {", "not YAML or JSON"),
    ("just some words, no structure", "not a run-sheet"),
    ("- a\n- list\n", "not a run-sheet"),
    (sheet_text({"page": "kids"}, version=2), "version is 2; this app reads run-sheets of version 1"),
    ("version: 1\ntitle: No steps\n", "no list of steps"),
    ("version: 1\nsteps: {page: kids}\n", "no list of steps"),
    ("version: 1\ntitle: [a]\nsteps: []\n", "title is not text"),
    ("[" * 100_000, "nests too deeply"),
    ("- " * 100_000 + "x", "nests too deeply"),
])
def test_an_unusable_file_is_refused_with_one_line(data: str | bytes, words: str) -> None:
    with pytest.raises(RunSheetError) as refused:
        load(data)
    message = str(refused.value)
    assert words in message and "\n" not in message and len(message) < 200


def test_ten_thousand_steps_are_refused_not_cut_short() -> None:
    text = "version: 1\ntitle: Long\nsteps:\n" + "- {page: kids, tab: hands}\n" * 10_000
    assert len(text) < MAX_FILE_BYTES  # refused for its steps, not its size
    with pytest.raises(RunSheetError, match=f"10,000 steps; a run-sheet holds at most {MAX_STEPS}"):
        load(text)
    assert len(load("version: 1\nsteps:\n" + "- {page: kids, tab: hands}\n" * MAX_STEPS).steps) == MAX_STEPS


def test_yaml_tags_that_would_build_objects_are_refused() -> None:
    with pytest.raises(RunSheetError):
        load("!!python/object/apply:os.system ['echo hi']")


def test_many_bad_steps_are_summed_up_after_fifty_notes() -> None:
    sheet = load(sheet_text(*({"page": "nowhere"} for _ in range(80))))
    assert sheet.steps == () and len(sheet.dropped) == 51 and sheet.dropped[-1] == "and 30 more bad steps"


# ---------------------------------------------------------------- round trip, for any valid sheet


def _raw_steps() -> st.SearchStrategy[dict]:
    def for_page(page: str) -> st.SearchStrategy[dict]:
        params = page_settings(page)

        def value(param):
            if param.choices is not None:
                return st.sampled_from(param.choices)
            if isinstance(param.default, bool):
                return st.booleans()
            if isinstance(param.default, int):
                return st.integers(int(param.minimum), int(param.maximum))
            if isinstance(param.default, float):
                return st.floats(param.minimum, param.maximum, allow_nan=False)
            return st.text(max_size=30).filter(lambda text: text.strip() == text and "\x00" not in text)

        chosen = st.lists(st.sampled_from(params), max_size=4, unique_by=lambda param: param.key).flatmap(
            lambda picked: st.fixed_dictionaries({param.key: value(param) for param in picked}))
        return st.fixed_dictionaries({
            "page": st.just(page), "tab": st.sampled_from([demo.id for demo in demos_of(page)]),
            "settings": chosen, "title": st.text(max_size=150), "notes": st.text(max_size=300)})

    return st.sampled_from(PAGES_WITH_DEMOS).flatmap(for_page)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(_raw_steps(), max_size=5), title=st.text(max_size=200))
def test_load_of_dump_gives_the_same_sheet(steps: list[dict], title: str) -> None:
    sheet = load(yaml.safe_dump({"version": 1, "title": title, "steps": steps}))
    assert load(dump(sheet)) == sheet
    assert dump(load(dump(sheet))) == dump(sheet)


# ---------------------------------------------------------------- take-home


def test_take_home_links_are_each_steps_share_link_under_the_apps_address() -> None:
    sheet = shipped()["kids"]
    links = take_home_links(sheet, "https://lab.example/")
    assert [item.link for item in links] == ["https://lab.example" + step.link for step in sheet.steps]
    assert links[2].title == "Secret spy messages" and links[2].notebook == "notebooks/03-spy.ipynb"


def test_the_take_home_zip_holds_the_sheet_its_links_and_every_steps_notebook_with_its_settings() -> None:
    sheet = load(sheet_text({"page": "pytorch_basics", "tab": "autograd", "title": "Autograd",
                             "settings": {"x": 2.5}},
                            {"page": "kids", "tab": "garden", "settings": {"garden_k": 4}}))
    archive = zipfile.ZipFile(io.BytesIO(take_home_zip(sheet)))
    assert sorted(archive.namelist()) == ["links.md", "notebooks/01-autograd.ipynb", "notebooks/02-garden.ipynb",
                                          "runsheet.yaml"]
    assert load(archive.read("runsheet.yaml")) == sheet
    links = archive.read("links.md").decode()
    assert sheet.steps[0].link in links and sheet.steps[1].link in links
    autograd = nbformat.reads(archive.read("notebooks/01-autograd.ipynb").decode(), as_version=4)
    nbformat.validate(autograd)
    assert any("2.5" in cell.source for cell in autograd.cells if cell.cell_type == "code")
    garden = nbformat.reads(archive.read("notebooks/02-garden.ipynb").decode(), as_version=4)
    assert any("4" in cell.source and "k" in cell.source for cell in garden.cells if cell.cell_type == "code")


def test_a_step_whose_notebook_cannot_be_built_is_a_link_only() -> None:
    sheet = load(sheet_text({"page": "pytorch_basics", "tab": "autograd", "settings": {"expression": "x**"}},
                            {"page": "kids", "tab": "spy"}))
    archive = zipfile.ZipFile(io.BytesIO(take_home_zip(sheet)))
    assert sorted(archive.namelist()) == ["links.md", "notebooks/02-spy.ipynb", "runsheet.yaml"]
    links = archive.read("links.md").decode().splitlines()
    assert links[-2] == f"1. Autograd playground: <{sheet.steps[0].link}>"
    assert links[-1].endswith("(notebook: notebooks/02-spy.ipynb)")


def test_notes_of_several_lines_are_written_as_a_block() -> None:
    text = dump(shipped()["hands-on-pytorch"])
    assert "  notes: |-\n    The machine starts at c = 0.5" in text
    assert load(text) == shipped()["hands-on-pytorch"]


def test_a_sheet_is_frozen_and_its_dropped_notes_are_not_part_of_its_identity() -> None:
    step = Step("kids", "✋ Hands and fingers", {}, "Hands", "")
    assert RunSheet(1, "A", "", (step,), ("step 2: x",)) == RunSheet(1, "A", "", (step,))
    with pytest.raises(AttributeError):
        step.title = "changed"  # type: ignore[misc]


# ---------------------------------------------------------------- editing


def test_steps_move_retitle_annotate_and_go_and_stay_plain_text() -> None:
    from lib.runsheets.edit import annotate_step, delete_step, move_step, retitle_sheet, retitle_step

    sheet = shipped()["kids"]
    hands, garden = sheet.steps[0], sheet.steps[1]
    moved = move_step(sheet, 1, -1)
    assert moved.steps[:2] == (garden, hands)
    assert move_step(sheet, 0, -1) == sheet and move_step(sheet, 3, 1) == sheet  # past either end: nothing
    renamed = retitle_step(sheet, 0, "  <b>Fingers</b>\nfirst ")
    assert renamed.steps[0].title == "<b>Fingers</b> first" and renamed.steps[0].settings == hands.settings
    assert retitle_step(sheet, 0, "   ").steps[0].title == "Hands and fingers"  # empty: the demo's title
    noted = annotate_step(sheet, 2, "line 1\nline 2\x07")
    assert noted.steps[2].notes == "line 1\nline 2"
    assert [step.title for step in delete_step(sheet, 1).steps] == [hands.title, *(s.title for s in sheet.steps[2:])]
    assert delete_step(sheet, 9) == sheet
    assert retitle_sheet(sheet, "").title == "Untitled run-sheet"
    for changed in (moved, renamed, noted):
        assert load(dump(changed)) == changed
