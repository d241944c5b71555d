"""Take-home notebooks: every demo of the app as a Jupyter notebook built from the visitor's own settings.

`build_notebook(demo_id, settings)` returns an `nbformat` notebook that stands alone (it never imports this
app): the story in markdown, a first cell that installs only missing packages, one cell holding the
visitor's validated settings (written with `repr`), then short cells doing the demo with the real libraries.
`python -m lib.notebooks --all --out DIR` writes every demo's notebook with the page's defaults.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from nbformat.notebooknode import NotebookNode

from lib.core.notebook_cells import MAX_NOTEBOOK_BYTES, NotebookSettingsError, Shown
from lib.core.settings import UrlParam, UrlValue
from lib.notebooks.core import assemble, resolve_settings
from lib.registry import BY_ID, DECLARATIONS, shown_objects

__all__ = ["DEMOS", "MAX_NOTEBOOK_BYTES", "NOTEBOOK_MIME", "NotebookSettingsError", "build_notebook",
           "notebook_file_name"]
NOTEBOOK_MIME = "application/x-ipynb+json"


# A builder takes the checked settings, what the page passed besides (a visitor's own table) and the demo's
# shown code (lib.registry's `shows`, which each notebook defines), and returns the notebook's cells.
Builder = Callable[[dict[str, UrlValue], Mapping[str, object], Shown], list[NotebookNode]]
Topic = tuple[Sequence[UrlParam], Mapping[str, Builder]]  # a page's settings, and its demos' builders by id


# Each page's builders are imported with its first notebook: the maps' bring geopandas, the kids' need neither it
# nor PyTorch, and the notebook button under every tab builds its notebook on each rerun.
def _methodology() -> Topic:
    from lib.methodology.notebook import BUILDERS
    from lib.methodology.settings import SETTINGS

    return SETTINGS, BUILDERS


def _pytorch_basics() -> Topic:
    from lib.pytorch_basics.notebook import BUILDERS
    from lib.pytorch_basics.settings import SETTINGS

    return SETTINGS, BUILDERS


def _mnist() -> Topic:
    from lib.mnist.notebook import BUILDERS
    from lib.mnist.settings import SETTINGS

    return SETTINGS, BUILDERS


def _maps() -> Topic:
    from lib.maps.notebook import BUILDERS
    from lib.maps.settings import SETTINGS

    return SETTINGS, BUILDERS


def _kids() -> Topic:
    from lib.kids.notebook import BUILDERS
    from lib.kids.settings import SETTINGS

    return SETTINGS, BUILDERS


TOPICS: dict[str, Callable[[], Topic]] = {"methodology": _methodology, "pytorch_basics": _pytorch_basics,
                                          "mnist": _mnist, "maps": _maps, "kids": _kids}
DEMOS: dict[str, str] = {demo.id: demo.title for demo in DECLARATIONS}


def build_notebook(demo_id: str, settings: Mapping[str, object] | None = None) -> NotebookNode:
    """The demo's notebook with these settings (full "page.key" or short "key" names; missing ones take the
    page's defaults, unknown ones are ignored). ValueError for an unknown demo or an invalid value."""
    demo = BY_ID.get(demo_id) if isinstance(demo_id, str) else None
    if demo is None:
        raise NotebookSettingsError(f"unknown demo {str(demo_id)[:40]!r}; the demos are {', '.join(DEMOS)}")
    settings = {} if settings is None else settings
    if not isinstance(settings, Mapping):
        raise NotebookSettingsError("settings must be a mapping of setting names to values")
    params, builders = TOPICS[demo.page]()
    values = resolve_settings(params, demo.keys, settings)
    return assemble(demo.title, builders[demo.id](values, settings, shown_objects(demo.id)))


def notebook_file_name(demo_id: str) -> str:
    """The download's file name, e.g. 'dscl-km_miles.ipynb' (ids are fixed text, never visitor text)."""
    if demo_id not in DEMOS:
        raise NotebookSettingsError(f"unknown demo {str(demo_id)[:40]!r}")
    return f"dscl-{demo_id}.ipynb"
