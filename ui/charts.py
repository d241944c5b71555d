"""Faster Altair charts: what st.altair_chart does, without the work that repeats on every rerun.

Three costs dominate a chart-heavy rerun, and each is paid again for every chart on every rerun:

- Altair 6 answers every string shorthand in `encode()` (`tooltip=["row", "col"]`, `y="count:Q"`)
  by rebuilding a table of all of its ~500 schema classes, one `json.dumps` each (10-40 ms per
  channel). The classes never change while the app runs: `remember_altair_schema_classes()` keeps
  the first table (upstream is doing the same: vega/altair pull request 3547).
- Altair checks every object against the Vega-Lite JSON schema when it is made ("debug mode", for
  precise tracebacks), every `.properties()` value again (even with debug mode off: 5-20 ms each on
  a layered chart), and `to_dict()` checks the whole spec again: more than half of building and
  converting a chart. `speed_up_altair()` turns the first two off (the first with Altair's own
  switch), and `vega_lite_spec()` checks each shape of chart once per process (the same chart code
  with other data or titles has the same shape), so a chart that breaks the schema is still refused.
- Altair copies a chart for every `.properties()`, `alt.layer()` and `to_dict()`, and each copy runs
  every constructor inside it again; a layered chart's deep-copies every layer twice more.
  `speed_up_altair()` skips the constructors that only store their arguments.
- `to_dict()` is then most of a chart's cost, and a chart drawn again by the same code with other
  rows converts to the same spec but for its data: `vega_lite_spec()` keeps one spec per chart
  structure (every setting, and each data frame's columns and types) and puts the new rows in.
- A chart drawn again with the same inputs is built again: `kept_spec()` keeps its spec.
"""
from __future__ import annotations

import inspect
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui.layout import presenter_mode, styled_chart

if TYPE_CHECKING:
    import altair as alt

_lock = threading.Lock()
_patched = False
_checked_shapes: set[int] = set()


def speed_up_altair() -> None:
    """Altair's schema-class table built once per process, and no schema check while a chart is being made.

    Idempotent; every page calls it through ui.page. The finished spec is still checked (`vega_lite_spec`).
    """
    from altair.utils import schemapi

    schemapi.disable_debug_mode()
    remember_altair_schema_classes()
    _check_properties_only_in_debug_mode()
    _copy_charts_without_constructors()


def _copy_charts_without_constructors() -> None:
    """Copies that skip the constructors that only store their arguments: most of what layering spends.

    Altair 6.3 makes every copy through the class. The charts that combine parts (layer, concat, facet,
    repeat) re-combine their parts' data and parameters in their constructors, deep-copying every part,
    and Altair relies on that to lift parameters after changing a part; their copies still run it, except a
    layer chart's shallow copy when there is nothing to lift (`_nothing_to_combine`). Every other class's
    constructor only stores its arguments, so a copy of one keeps `_args` and `_kwds` (copied) instead: a
    layer's deep copies then cost a fraction. Altair is pinned in requirements.txt;
    tests/test_speed.py checks the copies against Altair's own.
    """
    from altair.utils import schemapi
    from altair.vegalite.v6 import api

    if getattr(schemapi._deep_copy, "_without_constructors", False):
        return
    schema_base = schemapi.SchemaBase
    combining = (api.LayerChart, api.ConcatChart, api.HConcatChart, api.VConcatChart, api.FacetChart,
                 api.RepeatChart)

    def deep_copy(obj: Any, by_ref: set[str]) -> Any:
        if isinstance(obj, schema_base):
            if copier := getattr(obj, "__deepcopy__", None):
                with schemapi.debug_mode(False):
                    return copier(obj)
            args = tuple(deep_copy(arg, by_ref) for arg in obj._args)
            kwds = {key: (value if key in by_ref else deep_copy(value, by_ref)) for key, value in obj._kwds.items()}
            if isinstance(obj, combining):
                with schemapi.debug_mode(False):
                    return obj.__class__(*args, **kwds)
            return _new_like(obj, args, kwds)
        if isinstance(obj, list):
            return [deep_copy(item, by_ref) for item in obj]
        if isinstance(obj, dict):
            return {key: (value if key in by_ref else deep_copy(value, by_ref)) for key, value in obj.items()}
        return obj

    def copy(self: Any, deep: Any = True, ignore: list[str] | None = None) -> Any:
        if deep is True:
            return deep_copy(self, set(ignore) if ignore else set())
        if isinstance(self, combining) and not (isinstance(self, api.LayerChart) and _nothing_to_combine(self)):
            with schemapi.debug_mode(False):
                copied = self.__class__(*self._args, **self._kwds)
        else:
            copied = _new_like(self, self._args, dict(self._kwds))
        if schemapi._is_iterable(deep):
            for attr in deep:
                copied[attr] = schemapi._shallow_copy(copied._get(attr))
        return copied

    deep_copy._without_constructors = True  # type: ignore[attr-defined]
    schemapi._deep_copy = deep_copy
    schema_base.copy = copy  # type: ignore[method-assign]


LIFTED_FROM_LAYERS = ("params", "height", "width", "view")  # what a layer chart's constructor moves up from its layers


def _nothing_to_combine(chart: Any) -> bool:
    """Whether LayerChart's constructor would give back `chart` as it is: no layer, at any depth, holds
    parameters or sizes to lift, and no data is shared by every layer (which it would move up). `.properties()`
    on such a chart (every chart with a title) then copies it without deep-copying every layer twice."""
    from altair.utils.schemapi import Undefined
    from altair.vegalite.v6 import api

    layers = chart._kwds.get("layer", Undefined)
    if layers is Undefined or not layers:
        return True
    top = chart._kwds.get("data", Undefined)
    data = [layer._kwds.get("data", Undefined) for layer in layers]
    if top is Undefined:
        if data[0] is not Undefined and all(each is data[0] for each in data):
            return False
    elif any(each is not Undefined for each in data) and all(each is Undefined or each is top for each in data):
        return False
    for layer in layers:
        if any(layer._kwds.get(key, Undefined) is not Undefined for key in LIFTED_FROM_LAYERS):
            return False
        if isinstance(layer, api.LayerChart) and not _nothing_to_combine(layer):
            return False
        if not isinstance(layer, api.LayerChart | api.Chart):
            return False  # a facet or a concatenation inside is left to the constructor's own checks
    return True


def _new_like(obj: Any, args: tuple, kwds: dict[str, Any]) -> Any:
    copied = object.__new__(type(obj))
    object.__setattr__(copied, "_args", args)
    object.__setattr__(copied, "_kwds", kwds)
    return copied


def _check_properties_only_in_debug_mode() -> None:
    """`.properties(title=...)` checks its values with debug mode off too, and layering a chart with a selection
    checks the selection each time it compares parameters; the finished spec's check covers both."""
    from altair.utils import schemapi

    check = schemapi.SchemaBase.validate_property
    if getattr(check, "_debug_mode_only", False):
        return

    def validate_property(cls, name: str, value: Any, schema: dict[str, Any] | None = None) -> None:
        if schemapi.DEBUG_MODE:
            check.__func__(cls, name, value, schema)

    validate_property._debug_mode_only = True  # type: ignore[attr-defined]
    schemapi.SchemaBase.validate_property = classmethod(validate_property)  # type: ignore[method-assign,assignment]

    from altair.vegalite.v6.schema import core

    for parameter_class in (core.SelectionParameter, core.TopLevelSelectionParameter, core.VariableParameter):
        parameter_class.to_dict = _checked_only_in_debug_mode(parameter_class.to_dict)  # type: ignore[method-assign]


def _checked_only_in_debug_mode(to_dict: Callable[..., Any]) -> Callable[..., Any]:
    def parameter_to_dict(self: Any, validate: bool = True, **options: Any) -> Any:
        from altair.utils import schemapi

        return to_dict(self, validate=validate and schemapi.DEBUG_MODE, **options)

    return parameter_to_dict


def remember_altair_schema_classes() -> None:
    """Make Altair build its schema-class table once per process instead of once per channel. Idempotent."""
    global _patched
    with _lock:
        if _patched:
            return
        from altair.utils import schemapi
        from altair.vegalite.v6.schema import core

        build_table = schemapi._FromDict.__init__
        # Altair walks its ~500 classes again for every channel given as a string; they never change.
        all_classes = tuple(core.VegaLiteSchema._default_wrapper_classes())
        core.VegaLiteSchema._default_wrapper_classes = classmethod(lambda cls: all_classes)
        tables: dict[tuple[type, ...], dict] = {}

        def reuse_table(self, wrapper_classes, /) -> None:
            classes = tuple(wrapper_classes)
            table = tables.get(classes)
            if table is None:
                build_table(self, classes)
                tables[classes] = self.class_dict
            else:
                self.class_dict = table

        schemapi._FromDict.__init__ = reuse_table
        _patched = True


def _shape(value: Any) -> Any:
    """A spec with every value replaced by its type: what the schema check depends on, not the data.

    A list is known by the shapes of its items, not its length: a colour domain of k groups checked once
    stands for every k (Vega-Lite's few fixed-length arrays, such as a projection's centre, come from code
    that always writes the same length).
    """
    if isinstance(value, dict):
        return tuple(sorted((key, _shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list of", frozenset(_shape(item) for item in value))
    return type(value).__name__


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """The spec st.altair_chart would send for `chart` (its data as Arrow datasets), schema-checked once per shape.

    A chart built by the same code with other data frames (same columns and types) reuses the first one's
    spec with the new frames as its datasets: `to_dict()` is most of a chart's cost, and it does not look
    into the rows. Raises what Altair raises for a chart that does not fit the Vega-Lite schema, the first
    time that shape is seen.
    """
    speed_up_altair()
    frames: list[Any] = []
    words = _top_level_words(chart)
    try:
        key = _structure(chart, frames, skip=tuple(words))
    except _Unkeyable:
        key = None
    with _templates_lock:
        template = _templates.get(key) if key is not None else None
        if template is not None:
            _templates.move_to_end(key)
    if template is not None:
        spec = dict(template.spec)
        for name, text in words.items():
            spec[name] = {**spec[name], "text": text} if isinstance(spec.get(name), dict) else text
        datasets = {name: frame for name, frame in zip(template.names, frames, strict=True)}
        existing = spec.get("datasets")
        spec["datasets"] = {**existing, **datasets} if isinstance(existing, dict) else datasets
        return spec
    spec, names = _converted(chart, frames)
    if key is not None and names is not None and all(_words_in_spec(spec, name, text) for name, text in words.items()):
        with _templates_lock:
            _templates[key] = _Template({name: value for name, value in spec.items() if name != "datasets"}
                                        | _kept_datasets(spec, names), names)
            while len(_templates) > _TEMPLATES_KEPT:
                _templates.popitem(last=False)
    return spec


def _top_level_words(chart: Any) -> dict[str, str]:
    """The chart's own title text and description: words that often carry a value ("k = 3"), put into a
    kept spec instead of being part of its key. A title given as alt.Title keeps its other settings in the key."""
    import altair as alt

    words = {}
    for name in ("title", "description"):
        value = chart._get(name) if isinstance(chart, alt.SchemaBase) else alt.Undefined
        text = value._get("text") if isinstance(value, alt.TitleParams) else value
        if isinstance(text, str):
            words[name] = text
    return words


def _words_in_spec(spec: dict[str, Any], name: str, text: str) -> bool:
    """Whether the converted spec holds `text` where a kept spec will put the next chart's words."""
    value = spec.get(name)
    return value == text or (isinstance(value, dict) and value.get("text") == text)


@dataclass(frozen=True)
class _Template:
    spec: dict[str, Any]  # the spec without the data frames' datasets
    names: tuple[str, ...]  # the dataset name of each data frame, in the order _structure finds them


_templates: OrderedDict[Any, _Template] = OrderedDict()
_templates_lock = threading.Lock()
_TEMPLATES_KEPT = 512  # a spec without its data is a few kB
_LONGEST_KEYED_LIST = 256  # a longer literal list (inline values, say) is not worth keying: no template


_VIEW_NAME = re.compile(r"view_[0-9a-f]{16}(_\d+)?")


class _Unkeyable(Exception):
    """The chart holds something whose effect on the spec cannot be told from a key."""


def _structure(value: Any, frames: list[Any], skip: tuple[str, ...] = ()) -> Any:
    """A key for everything in the chart that `to_dict()` reads, with each data frame as its columns and types.

    Appends each distinct data frame (by identity) to `frames`, in the order met. The top-level chart's
    `skip` properties are keyed only by their place (the caller puts their words into the spec), and for a
    title given as alt.Title only its text is skipped.
    """
    import altair as alt
    import pandas as pd

    if isinstance(value, str) and _VIEW_NAME.fullmatch(value):
        return ("view name",)  # Altair names views by a hash of their data: any name is as good in a kept spec
    if value is None or isinstance(value, str | int | float | bool):
        return value if type(value) is not float or value == value else ("nan",)
    if isinstance(value, alt.SchemaBase):
        return (type(value), tuple(_structure(arg, frames) for arg in value._args),
                tuple((name, _skipped(item, frames) if name in skip else _structure(item, frames))
                      for name, item in value._kwds.items() if item is not alt.Undefined))
    if value is alt.Undefined:
        return ("undefined",)
    if isinstance(value, pd.DataFrame):
        position = next((index for index, frame in enumerate(frames) if frame is value), None)
        if position is None:
            position = len(frames)
            frames.append(value)
        return ("frame", type(value), position, tuple(value.columns), tuple(str(dtype) for dtype in value.dtypes))
    if isinstance(value, list | tuple | dict):
        if len(value) > _LONGEST_KEYED_LIST:
            raise _Unkeyable
        if isinstance(value, dict):
            return ("dict", tuple((name, _structure(item, frames)) for name, item in value.items()))
        return (type(value), tuple(_structure(item, frames) for item in value))
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # a numpy scalar
        return _structure(value.item(), frames)
    if type(value).__module__.startswith("altair."):  # parameters and expressions: their repr is their spec
        return (type(value), repr(value))
    raise _Unkeyable


def _skipped(value: Any, frames: list[Any]) -> Any:
    import altair as alt

    if isinstance(value, alt.TitleParams):
        return ("title without its text", tuple((name, _structure(item, frames)) for name, item in value._kwds.items()
                                              if item is not alt.Undefined and name != "text"))
    return ("words",)


def _converted(chart: alt.TopLevelMixin, frames: list[Any]) -> tuple[dict, tuple[str, ...] | None]:
    """Altair's conversion, schema-checked once per shape; with the dataset name of each of `frames`, when
    every one of them became a dataset (else None: a frame used some other way is baked into the spec)."""
    import altair as alt
    from streamlit.elements import vega_charts

    datasets: dict[str, Any] = {}
    names: dict[int, str] = {}

    def to_arrow_dataset(data: Any) -> dict[str, str]:
        reference = vega_charts._to_arrow_dataset(data, datasets)
        names[id(data)] = reference["name"]
        return reference

    alt.data_transformers.register("dsc_to_arrow_dataset", to_arrow_dataset)
    # The same global settings, under the same lock, as Streamlit's own conversion.
    with vega_charts._altair_globals_lock:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable("dsc_to_arrow_dataset"):
            spec = chart.to_dict(validate=False)
    shape = hash(_shape(spec))
    if shape not in _checked_shapes:
        type(chart).validate(spec)
        _checked_shapes.add(shape)
    existing = spec.get("datasets")
    spec["datasets"] = {**existing, **datasets} if isinstance(existing, dict) else datasets
    frame_names = tuple(names.get(id(frame), "") for frame in frames)
    reusable = all(frame_names) and len(set(frame_names)) == len(frame_names)
    return spec, frame_names if reusable else None


def _kept_datasets(spec: dict, frame_names: tuple[str, ...]) -> dict[str, Any]:
    """The spec's datasets that are not the data frames' own (GeoJSON kept in the spec, say)."""
    kept = {name: value for name, value in (spec.get("datasets") or {}).items() if name not in frame_names}
    return {"datasets": kept} if kept else {}


def kept_spec(build: Callable[..., alt.TopLevelMixin], args: tuple) -> dict:
    """The spec of `build(*args)` (presenter-mode styled), built once per arguments and shared by every visitor.

    A rerun that draws the same chart again (another widget moved, or a value seen before) re-uses it.
    `build` must depend on nothing but its arguments; data frames and arrays are compared by content.
    """
    return dict(_kept_spec(qualified_name(build), build, args, presenter_mode()))  # st.vega_lite_chart copies only the top level


def qualified_name(function: Callable) -> str:
    """A function's file and name: the same for the copy a page script makes of it on every rerun."""
    function = inspect.unwrap(function)  # a cached function (st.cache_data) is named by the function it wraps
    return f"{function.__code__.co_filename}:{function.__qualname__}"


_prepared: set[str] = set()
_prepared_lock = threading.Lock()


def prepare_kept_specs(build: Callable[..., alt.TopLevelMixin], each_args: list[tuple]) -> None:
    """Make `kept_spec(build, args)` for each of `each_args` on one background thread, once per process: charts
    a visitor is likely to ask for next, whose first conversion and schema check take a few hundred ms (a
    layer of Tissot circles on four new projection shapes). The script is not held up, and a rerun that asks
    for one meanwhile waits for the same work rather than repeating it (Streamlit's cache locks each key).
    Presenter mode off: the way most visitors see them."""
    name = qualified_name(build)
    with _prepared_lock:
        wanted = [args for args in each_args if f"{name}:{args!r}" not in _prepared]
        _prepared.update(f"{name}:{args!r}" for args in wanted)
    if wanted:
        threading.Thread(target=_prepare, args=(name, build, wanted), name="prepare-kept-specs", daemon=True).start()


def _prepare(name: str, build: Callable[..., alt.TopLevelMixin], each_args: list[tuple]) -> None:
    for args in each_args:
        try:
            _kept_spec(name, build, args, False)
        except Exception:  # the visitor's own rerun makes it again, and shows what went wrong
            logging.getLogger(__name__).exception("preparing %s%r failed", name, args)


@st.cache_resource(show_spinner=False, max_entries=512)  # specs carry their data: about 10-100 kB each
def _kept_spec(name: str, _build: Callable[..., alt.TopLevelMixin], args: tuple, presenter: bool) -> dict:
    import pandas as pd
    from streamlit import dataframe_util

    spec = vega_lite_spec(styled_chart(_build(*args), presenter=presenter))
    # Kept as Arrow, as Altair's conversion leaves them, so a later drawing does not convert the rows again.
    spec["datasets"] = {name: dataframe_util.convert_anything_to_arrow_bytes(value)
                        if isinstance(value, pd.DataFrame) else value for name, value in spec["datasets"].items()}
    return spec
