"""Run-sheets in the app (AppTest): presenting steps through views, the editor, loading files, the take-home
zip, and a room whose follower follows the presenter's steps. The room store's run-sheet on SQLite and PostgreSQL."""
# ruff: noqa: F811  (the store tests' fixtures, on both databases, are imported by name)
from __future__ import annotations

import io
import zipfile

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from lib.room import RoomError
from lib.runsheets import dump, load, shipped
from tests.helpers import HOME, PAGE_TIMEOUT_S, open_page, open_tab
from tests.test_room_store import clock, room, room_url, store  # noqa: F401  (the fixtures)
from ui.follow import forget_room_reads

RUNSHEET_PAGE = "app_pages/runsheet.py"
HANDS, GARDEN, SPY = "✋ Hands and fingers", "🐞 Garden bug detective", "🕵️ Secret spy messages"


@pytest.fixture
def room_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    monkeypatch.setenv("DSC_ROOM_DB", url)
    return url


def _run(at_or_widget) -> AppTest:
    """Run the app (after an interaction on one of its widgets) and check nothing raised."""
    at = at_or_widget.run()
    assert not at.exception, at.exception
    return at


def _app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.query_params.update(query or {})
    return _run(at)


def _step_line(at: AppTest) -> str:
    return next(markdown.value for markdown in at.markdown if markdown.value.startswith("**Step "))


def _present(at: AppTest, choice: str) -> AppTest:
    at.sidebar.selectbox(key="present.choice").set_value(choice)
    return _run(at.sidebar.button(key="present.start").click())


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return _run(at.file_uploader(key="runsheet.upload").set_value((name, data, "application/yaml")))


# ---------------------------------------------------------------- presenting


def test_next_and_previous_open_each_steps_page_tab_and_settings(room_db) -> None:
    at = _present(_app(), "kids")
    assert at.session_state["kids.tab"] == HANDS
    assert _step_line(at) == "**Step 1 of 4** · Hands and fingers"
    assert [button.key for button in at.main.button if button.key.startswith("present.")] == ["present.previous",
                                                                                       "present.next"]
    assert at.button(key="present.previous").disabled

    _run(at.button(key="present.next").click())
    assert at.session_state["kids.tab"] == GARDEN
    assert at.slider(key="kids.garden_k").value == 3  # the talk's three groups
    notes = [text.value for text in at.text]
    assert any(note.startswith("The robot measured width, length and weight") for note in notes)

    _run(at.button(key="present.next").click())
    assert at.session_state["kids.tab"] == SPY and at.slider(key="kids.spy_added").value == 20
    _run(at.button(key="present.previous").click())
    assert at.session_state["kids.tab"] == GARDEN and _step_line(at).startswith("**Step 2 of 4**")


def test_the_pytorch_talk_opens_autograd_at_3_5_with_the_gradient_5_75(room_db) -> None:
    at = _app()
    at.default_timeout = 180  # the PyTorch page imports torch
    at = _present(at, "hands-on-pytorch")
    assert at.session_state["pytorch_basics.tab"] == "1 · Kilometres to miles"
    _run(at.button(key="present.next").click())
    assert at.session_state["pytorch_basics.tab"] == "2 · Autograd playground"
    assert at.text_input(key="pytorch_basics.expression").value == "(x-1)*(x-2)*(x-3)"
    assert at.slider(key="pytorch_basics.x").value == 3.5
    assert {metric.label: metric.value for metric in at.metric}["dy/dx (from autograd)"] == "5.75"


@pytest.mark.parametrize("talk", ["practical-steps", "hands-on-pytorch", "design-and-maps", "kids"])
def test_every_step_of_each_shipped_talk_opens_its_tab_with_its_settings(room_db, talk: str) -> None:
    from lib.core.settings import encode_value

    at = _app()
    at.default_timeout = 180  # pages that import torch or geopandas
    at = _present(at, talk)
    for number, step in enumerate(shipped()[talk].steps, start=1):
        if number > 1:
            _run(at.button(key="present.next").click())
        assert _step_line(at).startswith(f"**Step {number} of "), (talk, number)
        if step.tab is not None:
            assert at.session_state[f"{step.page}.tab"] == step.tab, (talk, number)
        shown = {key: encode_value(at.session_state[key]) for key in step.settings}
        assert shown == dict(step.settings), (talk, number)


def test_a_step_on_another_page_switches_page_and_opens_its_view(room_db) -> None:
    sheet = load(yaml.safe_dump({"version": 1, "title": "Across", "steps": [
        {"page": "kids", "tab": "garden", "settings": {"garden_k": 5}},
        {"page": "methodology", "tab": "roc", "title": "ROC at 0.7", "settings": {"roc.threshold": 0.7}},
        {"page": "kids", "tab": "garden"}]}))
    at = _app()
    at.session_state["present.mine"] = sheet
    at = _present(_run(at), "mine")
    assert at.slider(key="kids.garden_k").value == 5
    _run(at.slider(key="kids.garden_k").set_value(4))  # the presenter moves on their own between steps

    _run(at.button(key="present.next").click())
    assert at.title[0].value.endswith("Methodology") or "Methodology" in at.title[0].value
    assert at.session_state["methodology.view"] == "roc"
    assert at.slider(key="methodology.roc.threshold").value == 0.7

    _run(at.button(key="present.next").click())
    assert at.session_state["kids.tab"] == GARDEN
    assert at.slider(key="kids.garden_k").value == 2  # the link's default, as the step's link opens it


def test_hostile_titles_and_notes_are_shown_as_plain_text(room_db) -> None:
    sheet = load(yaml.safe_dump({"version": 1, "title": "<b>x</b>", "steps": [
        {"page": "kids", "tab": "hands", "title": "**bold** <img src=x onerror=alert(1)>",
         "notes": "[click](javascript:alert(1)) <script>alert(1)</script>"}]}))
    at = _app()
    at.session_state["present.mine"] = sheet
    at = _present(_run(at), "mine")
    assert _step_line(at) == r"**Step 1 of 1** · \*\*bold\*\* \<img src\=x onerror\=alert\(1\)\>"
    assert "[click](javascript:alert(1)) <script>alert(1)</script>" in [text.value for text in at.text]


def test_the_present_control_leaves_the_welcome_page_without_numpy_or_pandas() -> None:
    import subprocess
    import sys

    code = (f"import sys; from streamlit.testing.v1 import AppTest; at = AppTest.from_file({str(HOME)!r}, "
            "default_timeout=120); at.run(); assert not at.exception, at.exception; "
            "assert at.sidebar.selectbox(key='present.choice').options[1] == 'Hands-on PyTorch'; "
            "print([name for name in ('numpy', 'pandas', 'pyarrow') if name in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=str(HOME.parent))
    assert done.returncode == 0 and done.stdout.strip().splitlines()[-1] == "[]", done.stderr[-2000:]


# ---------------------------------------------------------------- making one


def test_add_views_then_reorder_retitle_annotate_delete_and_download(room_db) -> None:
    at = open_tab(open_page("kids"), "kids", GARDEN)
    _run(at.slider(key="kids.garden_k").set_value(5))
    _run(at.button(key="kids.runsheet_add").click())
    assert "Added as step 1 of your run-sheet." in [caption.value for caption in at.caption]
    _run(open_tab(at, "kids", SPY).button(key="kids.runsheet_add").click())

    _run(at.switch_page(RUNSHEET_PAGE))
    mine = at.session_state["present.mine"]
    # A kids tab's link carries every setting of the page, so each step holds the garden's k = 5 as its link does.
    assert [(step.tab, step.settings["kids.garden_k"]) for step in mine.steps] == [(GARDEN, "5"), (SPY, "5")]

    _run(at.button(key="runsheet.up.0.1").click())
    assert [step.tab for step in at.session_state["present.mine"].steps] == [SPY, GARDEN]
    _run(at.text_input(key="runsheet.title.1.1").set_value("Five groups?"))
    _run(at.text_area(key="runsheet.notes.1.1").set_value("Ask the room first.\nThen reveal."))
    garden = at.session_state["present.mine"].steps[1]
    assert (garden.title, garden.notes) == ("Five groups?", "Ask the room first.\nThen reveal.")
    _run(at.button(key="runsheet.delete.1.0").click())
    mine = at.session_state["present.mine"]
    assert [step.title for step in mine.steps] == ["Five groups?"]
    assert not at.download_button(key="runsheet.download").disabled
    assert load(dump(mine)) == mine  # the file the button hands over reads back as the same sheet


def test_start_from_a_talk_asks_before_replacing_your_steps(room_db) -> None:
    at = _app()
    _run(at.switch_page(RUNSHEET_PAGE))
    at.selectbox(key="runsheet.talk").set_value("design-and-maps")
    _run(at.button(key="runsheet.copy").click())
    assert at.session_state["present.mine"] == shipped()["design-and-maps"]
    at.selectbox(key="runsheet.talk").set_value("kids")
    _run(at)
    assert at.button(key="runsheet.copy").disabled  # 6 steps would be lost: tick the box first
    _run(at.checkbox(key="runsheet.replace").check())
    _run(at.button(key="runsheet.copy").click())
    assert at.session_state["present.mine"] == shipped()["kids"]


def test_loading_a_file_bad_files_keep_the_old_sheet_and_bad_steps_are_listed(room_db) -> None:
    at = _app()
    _run(at.switch_page(RUNSHEET_PAGE))
    _upload(at, "kids.yaml", dump(shipped()["kids"]).encode())
    assert at.session_state["present.mine"] == shipped()["kids"]

    for name, data in [("junk.yaml", bytes(range(256)) * 8), ("big.yaml", b"x" * (10 * 1024 * 1024)),
                       ("v2.yaml", b"version: 2\nsteps: []\n"), ("words.json", b"{ not json at all")]:
        _upload(at, name, data)
        assert at.session_state["present.mine"] == shipped()["kids"], name
        assert len(at.error) == 1 and "Your run-sheet is unchanged." in at.error[0].value, name

    partly = yaml.safe_dump({"version": 1, "title": "Partly", "steps": [
        {"page": "kids", "tab": "hands"}, {"page": "maps", "tab": "X", "title": "Foo"}]}).encode()
    _upload(at, "partly.yaml", partly)
    assert [step.tab for step in at.session_state["present.mine"].steps] == [HANDS]
    assert "1 bad steps were left out" in at.warning[0].value
    assert "• step 2 'Foo': unknown tab 'X' on page 'maps'" in [text.value for text in at.text]


def test_the_take_home_zip_is_prepared_only_when_asked(room_db) -> None:
    at = _app()
    at.session_state["present.mine"] = shipped()["kids"]
    _run(at.switch_page(RUNSHEET_PAGE))
    assert "runsheet.zip" not in at.session_state
    assert "/kids?" in at.markdown[-1].value or any("/kids?" in markdown.value for markdown in at.markdown)
    _run(at.button(key="runsheet.prepare_zip").click())
    archive = zipfile.ZipFile(io.BytesIO(at.session_state["runsheet.zip"][1]))
    assert "runsheet.yaml" in archive.namelist() and "notebooks/02-garden.ipynb" in archive.namelist()
    assert at.download_button(key="runsheet.zip_download")


# ---------------------------------------------------------------- a room follows the presenter's steps


def test_a_follower_follows_each_step_the_presenter_takes(room_db) -> None:
    presenter = _app()
    _run(presenter.sidebar.button(key="room.start").click())
    code = presenter.session_state["room.code"]
    follower = _app({"room": code})
    follower.text_input(key="room.card_name").set_value("Brave Puffin")
    _run(follower.button(key="room.card_join").click())
    assert "present.start" not in [button.key for button in follower.sidebar.button]  # members follow

    _present(presenter, "kids")
    _run(presenter.button(key="present.next").click())
    forget_room_reads(code)
    _run(follower)
    assert follower.session_state["kids.tab"] == GARDEN
    assert follower.slider(key="kids.garden_k").value == 3
    assert not any(markdown.value.startswith("**Step ") for markdown in follower.markdown)  # notes: presenter only
    from lib.room import RoomStore

    sheet_text, position = RoomStore(room_db).runsheet(code)
    assert load(sheet_text) == shipped()["kids"] and position == 1

    take_home = [link for link in follower.get("page_link") if "Take this talk home" in link.proto.label]
    assert take_home and "Python data science for kids" in take_home[0].proto.label  # in the main area, for phones
    _run(follower.switch_page(RUNSHEET_PAGE))
    assert any("/kids?" in markdown.value and "garden_k=3" in markdown.value for markdown in follower.markdown)


def test_a_follower_follows_a_step_from_the_pytorch_page_to_the_mnist_page(room_db) -> None:
    presenter = _app()
    presenter.default_timeout = 180  # torch
    _run(presenter.sidebar.button(key="room.start").click())
    code = presenter.session_state["room.code"]
    follower = _app({"room": code})
    follower.default_timeout = 180
    follower.text_input(key="room.card_name").set_value("Brave Puffin")
    _run(follower.button(key="room.card_join").click())
    _present(presenter, "hands-on-pytorch")
    for _ in range(3):  # km, autograd, the device; then the MNIST data, on another page
        forget_room_reads(code)
        _run(follower)
        _run(presenter.button(key="present.next").click())
    forget_room_reads(code)
    _run(follower)  # leaving a page whose tab bar is bound to the URL for another page: no exception
    assert follower.session_state["mnist.tab"] == "Explore"
    assert follower.number_input(key="mnist.record").value == 10  # the talk drew the 11th record
    assert [title.value for title in follower.title][-1].endswith("MNIST trainer")


def test_the_room_store_keeps_one_run_sheet_and_its_step(store, room) -> None:
    code, key = room
    assert store.runsheet(code) is None
    with pytest.raises(RoomError, match="no run-sheet"):
        store.set_runsheet_position(code, key, 2)
    store.set_runsheet(code, key, dump(shipped()["kids"]), 0)
    store.set_runsheet_position(code, key, 3)
    assert store.runsheet(code) == (dump(shipped()["kids"]), 3)
    store.set_runsheet(code, key, dump(shipped()["design-and-maps"]))
    assert load(store.runsheet(code)[0]) == shipped()["design-and-maps"] and store.runsheet(code)[1] == 0
    with pytest.raises(RoomError, match="presenter key"):
        store.set_runsheet(code, "not the key", "version: 1\nsteps: []\n")
    with pytest.raises(RoomError, match="at most 512 kB"):
        store.set_runsheet(code, key, "x" * (600 * 1024))
    with pytest.raises(RoomError):
        store.set_runsheet_position(code, key, -1)
    store.clear_runsheet(code, key)
    assert store.runsheet(code) is None


def test_a_presenter_who_reloads_goes_on_with_the_rooms_run_sheet_at_its_step(room_db) -> None:
    from lib.room import RoomStore

    presenter = _app()
    _run(presenter.sidebar.button(key="room.start").click())
    code, key = presenter.session_state["room.code"], presenter.session_state["room.presenter_key"]
    RoomStore(room_db).set_runsheet(code, key, dump(shipped()["kids"]), 2)
    forget_room_reads(code)
    again = _app({"room": code, "presenter": key})  # the presenter link, opened after a reload or on a new laptop
    assert again.session_state["room.presenter_key"] == key
    assert _step_line(again) == "**Step 3 of 4** · Secret spy messages"
    _run(again.button(key="present.next").click())
    assert again.session_state["kids.tab"] == "🌌 Mysterious space X-rays"
    assert RoomStore(room_db).runsheet(code)[1] == 3
    _run(again.sidebar.button(key="present.stop").click())
    assert not any(markdown.value.startswith("**Step ") for markdown in again.markdown)  # stopping stays stopped
