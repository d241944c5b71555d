"""The expression playground: values and gradients against torch, and a box that cannot be abused."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.pytorch_basics.autograd import (
    MAX_LENGTH,
    ExpressionError,
    analyse_expression,
    chain_example,
    curve_near,
    evaluate_curve,
    explain_non_finite,
    tangent_line,
    two_input_example,
    value_and_gradient,
)
from lib.pytorch_basics.notebook_formula import notebook_formula


def test_the_talks_cubic_at_three_and_a_half() -> None:
    assert value_and_gradient("(x-1)*(x-2)*(x-3)", 3.5) == pytest.approx((1.875, 5.75))


def test_the_talks_chain_rule_example() -> None:
    y, z, dz_dx, _ = chain_example(3.5)
    assert (y, z, dz_dx) == pytest.approx((12.25, 27.5, 14.0))


def test_the_talks_two_input_example() -> None:
    result = two_input_example(2.0, 1.0)
    assert result.values["z"] == pytest.approx(2 * 7 + 3 * 23)
    assert (result.dz_da, result.dz_db) == pytest.approx((64.0, 33.0))


REFERENCE = {
    "x**2 + 3*x - 1": lambda x: x**2 + 3 * x - 1,
    "sin(x)*exp(-x/2)": lambda x: torch.sin(x) * torch.exp(-x / 2),
    "sqrt(abs(x)) + tanh(x)": lambda x: torch.sqrt(torch.abs(x)) + torch.tanh(x),
    "sigmoid(2*x) - relu(x-1)": lambda x: torch.sigmoid(2 * x) - torch.relu(x - 1),
    "log(x**2 + 1) / (1 + cos(x)**2)": lambda x: torch.log(x**2 + 1) / (1 + torch.cos(x) ** 2),
    "-x**-2 + pi*e": lambda x: -(x**-2) + math.pi * math.e,
    "tan(x/3)": lambda x: torch.tan(x / 3),
}


@pytest.mark.parametrize("expression", sorted(REFERENCE))
@pytest.mark.parametrize("x", [-2.25, 0.7, 3.5])
def test_value_and_gradient_match_torch_written_by_hand(expression: str, x: float) -> None:
    x_tensor = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = REFERENCE[expression](x_tensor)
    y.backward()
    assert value_and_gradient(expression, x) == pytest.approx((y.item(), x_tensor.grad.item()), rel=1e-12)


def test_constant_expression_has_zero_gradient_and_flat_curve() -> None:
    assert value_and_gradient("2 * 3", 1.5) == (6.0, 0.0)
    assert evaluate_curve("4", [0.0, 1.0, 2.0]) == [4.0, 4.0, 4.0]


def test_graph_shows_the_operations_torch_recorded() -> None:
    dot = analyse_expression("(x-1)*(x-2)*(x-3)", 3.5).graph_dot
    assert dot.startswith("digraph")
    assert dot.count("MulBackward0") == 2
    assert dot.count("SubBackward0") == 3
    assert 'label="x = 3.5"' in dot


SANDBOX_ESCAPES = [
    "__import__('os').system('touch /tmp/dsc_pwned')",
    "open('/tmp/dsc_pwned', 'w')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__.__mro__",
    "sin.__globals__",
    "globals()",
    "locals()['x']",
    "eval('1')",
    "exec('import os')",
    "compile('1', 'f', 'eval')",
    "getattr(x, 'real')",
    "lambda: 1",
    "(lambda: 1)()",
    "[c for c in ()]",
    "{}",
    "{'a': 1}",
    "x if x else 1",
    "x < 2",
    "x and 1",
    "x[0]",
    "x; import os",
    "import os",
    "(y := 2)",
    "'a' * 10**9",
    "b'abc'",
    "f'{x}'",
    "1j * x",
    "True + x",
    "...",
    "x @ x",
    "x // 2",
    "x % 2",
    "x << 2",
    "~x",
    "not x",
    "sin(x, x)",
    "sin(x=1)",
    "sin(*x)",
    "sin",
    "y + 1",
    "torch.ones(10**10)",
    "x**100000",
    "2**-99999",
    "10**10**10",
    "99999999999999999999 * x",
    "9" * 5000,
    "(" * 500 + "x" + ")" * 500,
    "-" * 150 + "x",
    "+".join(["x"] * 99),
    "x\x00",
    "",
    "   ",
]


@pytest.mark.parametrize("escape", SANDBOX_ESCAPES, ids=lambda text: repr(text[:40]))
def test_known_sandbox_escapes_and_resource_attacks_are_refused(escape: str) -> None:
    with pytest.raises(ExpressionError) as refusal:
        value_and_gradient(escape, 1.0)
    assert str(refusal.value)
    assert not Path("/tmp/dsc_pwned").exists()


def test_refusal_says_what_is_allowed() -> None:
    with pytest.raises(ExpressionError, match="Unknown name 'y'.*the only variable is x.*sin"):
        value_and_gradient("y * 2", 1.0)
    with pytest.raises(ExpressionError, match=f"limit is {MAX_LENGTH}"):
        value_and_gradient("x+" * 150 + "x", 1.0)


def test_a_non_finite_x_is_refused() -> None:
    with pytest.raises(ExpressionError):
        value_and_gradient("x", float("nan"))


@pytest.mark.parametrize(
    ("expression", "x", "phrase"),
    [("log(x)", -1.0, "not a number"), ("1/x", 0.0, "infinite"), ("sqrt(x)", 0.0, "slope"),
     ("exp(x)**1000", 5.0, "infinite")],
)
def test_non_finite_results_are_explained_not_crashed_on(expression: str, x: float, phrase: str) -> None:
    value, gradient = value_and_gradient(expression, x)
    assert not (math.isfinite(value) and math.isfinite(gradient))
    assert phrase in explain_non_finite(value, gradient)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_arbitrary_text_only_ever_raises_expression_error(text: str) -> None:
    try:
        value, gradient = value_and_gradient(text, 0.5)
    except ExpressionError:
        return
    assert isinstance(value, float) and isinstance(gradient, float)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(alphabet="x()+-*/.0123456789 sincoexplgqrtabhdmu_[]{}'\",:;=<>!@", max_size=60))
def test_formula_shaped_noise_only_ever_raises_expression_error(text: str) -> None:
    try:
        value_and_gradient(text, 1.25)
    except ExpressionError:
        pass


UNARY = {"sin": math.sin, "cos": math.cos, "tanh": math.tanh, "exp": lambda v: math.exp(min(v, 50.0))}


def formulas(depth: int = 3) -> st.SearchStrategy[tuple[str, object]]:
    """Pairs of (text, a plain-Python function of x) built together, so the reference never parses text."""
    leaves = st.one_of(
        st.just(("x", lambda x: x)),
        st.floats(0.5, 9.0).map(lambda c: round(c, 3)).map(lambda c: (repr(c), lambda x, c=c: c)),
    )

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        binary = st.tuples(children, st.sampled_from("+-*"), children).map(
            lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", _combine(t[1], t[0][1], t[2][1]))
        )
        unary = st.tuples(st.sampled_from(["sin", "cos", "tanh"]), children).map(
            lambda t: (f"{t[0]}({t[1][0]})", lambda x, f=UNARY[t[0]], g=t[1][1]: f(g(x)))
        )
        return st.one_of(binary, unary)

    return st.recursive(leaves, extend, max_leaves=8)


def _combine(symbol: str, left, right):
    if symbol == "+":
        return lambda x: left(x) + right(x)
    if symbol == "-":
        return lambda x: left(x) - right(x)
    return lambda x: left(x) * right(x)


@settings(max_examples=200, deadline=None)
@given(formulas(), st.floats(-3.0, 3.0))
def test_generated_formulas_match_an_independent_evaluator_and_finite_differences(formula, x: float) -> None:
    text, reference = formula
    value, gradient = value_and_gradient(text, x)
    assert value == pytest.approx(reference(x), rel=1e-9, abs=1e-9)
    step = 1e-5
    slope = (reference(x + step) - reference(x - step)) / (2 * step)
    assert gradient == pytest.approx(slope, rel=1e-4, abs=1e-4)


def test_the_plotted_curve_leaves_out_what_would_flatten_it_and_the_tangent_touches_it() -> None:
    xs, ys = curve_near("x**2", 1.0, 2.5)
    assert len(xs) == 401 and (xs[0], xs[-1]) == pytest.approx((-1.5, 3.5))
    assert ys == pytest.approx([x**2 for x in xs])
    xs, ys = curve_near("1/x + log(x)", 0.0, 2.5)
    assert xs and min(xs) > 0 and all(abs(y) < 1e6 for y in ys)  # no log of negatives, no pole at 0
    ends_x, ends_y = tangent_line(3.5, 1.875, 5.75)
    assert ends_x == [2.0, 5.0] and ends_y == pytest.approx([1.875 - 5.75 * 1.5, 1.875 + 5.75 * 1.5])


def test_the_notebooks_formula_is_the_checked_tree_written_back_within_the_limits() -> None:
    assert notebook_formula(" (x-1)*(x-2) *(x-3) ") == "(x - 1) * (x - 2) * (x - 3)"
    long_one = "+".join(["0.123456789012345"] * 10) + "+x"  # 181 characters; spaced out, 201
    written = notebook_formula(long_one)
    assert " " not in written and len(written) <= MAX_LENGTH and value_and_gradient(written, 1.01) == value_and_gradient(long_one, 1.01)
    with pytest.raises(ExpressionError):
        notebook_formula("__import__('os')")


def test_the_formula_reaches_the_notebook_only_as_a_string_in_its_settings_cell() -> None:
    from lib.notebooks import build_notebook

    notebook = build_notebook("autograd", {"expression": "sin(x)*pi + 7"})
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert "FORMULA = 'sin(x) * pi + 7'" in cells[1]
    assert [source for source in cells if "pi + 7" in source] == [cells[1]]


def test_the_notebooks_constants_are_libs_own() -> None:
    from lib.core.notebook_cells import constants_source
    from lib.pytorch_basics import autograd
    from lib.pytorch_basics.notebook import AUTOGRAD_CONSTANTS, AUTOGRAD_IMPORTS

    written = constants_source(autograd, *AUTOGRAD_CONSTANTS)
    namespace: dict[str, object] = {}
    exec(AUTOGRAD_IMPORTS + written, namespace)  # noqa: S102 (lib's own fixed text, never a visitor's)
    assert {name: namespace[name] for name in AUTOGRAD_CONSTANTS} == {
        name: getattr(autograd, name) for name in AUTOGRAD_CONSTANTS}
    assert "# characters: a formula from a talk fits in far fewer" in written  # the reasons come along
