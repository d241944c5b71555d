"""The autograd playground: a visitor's expression in x, its value, gradient and computation graph.

The expression comes from a public web page, so it is never given to eval/exec. It is parsed with
`ast` and checked against a whitelist (numbers, x, + - * / **, unary minus, parentheses and a few
named functions), then the torch computation is built from the checked tree. Everything runs in
float64 tensors, so even `9**9**9**9` is one float power (inf), never an unbounded integer.
"""
from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import torch

MAX_LENGTH = 200  # characters: a formula from a talk fits in far fewer
MAX_NODES = 120  # syntax-tree nodes
MAX_DEPTH = 30  # nesting of operations, so building and walking the tree stay shallow
MAX_EXPONENT = 1000.0  # a larger constant power only overflows, and says nothing a smaller one does not
MAX_CONSTANT = 1e12

FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLE = "x"

ALLOWED_TEXT = (
    "Use numbers, x, + - * / ** (powers), brackets, and the functions "
    + ", ".join(f"{name}()" for name in FUNCTIONS)
    + "; pi and e are known too."
)

OPERATORS: dict[type[ast.operator], Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    ast.Add: torch.add,
    ast.Sub: torch.sub,
    ast.Mult: torch.mul,
    ast.Div: torch.div,
    ast.Pow: torch.pow,
}


class ExpressionError(ValueError):
    """An expression the playground will not evaluate; the message says why and what is allowed."""


@dataclass(frozen=True)
class GradientResult:
    """What the playground shows for one formula at one x."""

    value: float
    gradient: float
    graph_dot: str  # the graph torch recorded, as Graphviz DOT source


def parse_expression(expression: str) -> ast.Expression:
    """Check the text against the whitelist and return its syntax tree, or raise ExpressionError."""
    if not isinstance(expression, str):
        raise ExpressionError("The expression must be text.")
    text = expression.strip()
    if not text:
        raise ExpressionError(f"Type an expression in x, such as (x-1)*(x-2)*(x-3). {ALLOWED_TEXT}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"That expression is {len(text)} characters long; the limit is {MAX_LENGTH}.")
    if text.count("(") > MAX_DEPTH:
        raise ExpressionError(f"Too many brackets: at most {MAX_DEPTH} are allowed.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # "1x" warns before it fails; the error says enough
            tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        reason = getattr(error, "msg", None) or type(error).__name__
        raise ExpressionError(f"That is not a formula I can read ({reason}). {ALLOWED_TEXT}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(f"That expression has too many parts ({len(nodes)}); the limit is {MAX_NODES}.")
    check_node(tree.body, depth=0)
    return tree


def check_node(node: ast.AST, depth: int) -> None:
    """Refuse, with a reason, any part of the tree outside the whitelist; walks down to every leaf."""
    if depth > MAX_DEPTH:
        raise ExpressionError(f"That expression is nested too deeply; the limit is {MAX_DEPTH} levels.")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"Only plain numbers are allowed, not {node.value!r}. {ALLOWED_TEXT}")
        if not math.isfinite(float(node.value)) or abs(node.value) > MAX_CONSTANT:
            raise ExpressionError(f"Numbers must be smaller than {MAX_CONSTANT:g}.")
    elif isinstance(node, ast.Name):
        if node.id != VARIABLE and node.id not in CONSTANTS:
            hint = f" {node.id}() is a function: give it brackets." if node.id in FUNCTIONS else ""
            raise ExpressionError(f"Unknown name '{node.id}': the only variable is x.{hint} {ALLOWED_TEXT}")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExpressionError(f"The operator '{type(node.op).__name__}' is not allowed. {ALLOWED_TEXT}")
        check_node(node.operand, depth + 1)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in OPERATORS:
            raise ExpressionError(f"The operator '{type(node.op).__name__}' is not allowed. {ALLOWED_TEXT}")
        if isinstance(node.op, ast.Pow) and constant_size(node.right) > MAX_EXPONENT:
            raise ExpressionError(f"Powers are limited to {MAX_EXPONENT:g}; larger ones only overflow.")
        check_node(node.left, depth + 1)
        check_node(node.right, depth + 1)
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise ExpressionError(f"Only these functions can be called: {', '.join(FUNCTIONS)}.")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ExpressionError(f"{name}() takes exactly one value, like {name}(x).")
        check_node(node.args[0], depth + 1)
    else:
        raise ExpressionError(f"'{type(node).__name__}' is not allowed in a formula. {ALLOWED_TEXT}")


def constant_size(node: ast.AST) -> float:
    """The size of an exponent that does not involve x (such as 5 or 10**10), else 0."""
    if any(isinstance(part, ast.Name) and part.id == VARIABLE for part in ast.walk(node)):
        return 0.0
    check_node(node, depth=0)
    with torch.no_grad():
        magnitude = abs(float(to_torch(node, torch.tensor(0.0, dtype=torch.float64))))
    return magnitude if math.isfinite(magnitude) else math.inf


def to_torch(node: ast.AST, x: torch.Tensor) -> torch.Tensor:
    """Turn a checked tree into torch operations on x; autograd records each one."""
    if isinstance(node, ast.Constant):
        return torch.tensor(float(node.value), dtype=x.dtype)
    if isinstance(node, ast.Name):
        return x if node.id == VARIABLE else torch.tensor(CONSTANTS[node.id], dtype=x.dtype)
    if isinstance(node, ast.UnaryOp):
        operand = to_torch(node.operand, x)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return OPERATORS[type(node.op)](to_torch(node.left, x), to_torch(node.right, x))
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](to_torch(node.args[0], x))
    raise ExpressionError(f"'{type(node).__name__}' is not allowed.")  # unreachable after check_node


def compile_expression(expression: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function of a tensor x that builds the visitor's expression from torch operations."""
    body = parse_expression(expression).body

    def function(x: torch.Tensor) -> torch.Tensor:
        return to_torch(body, x)

    return function


def value_and_gradient(expression: str, x: float) -> tuple[float, float]:
    """y and dy/dx of `expression` at x, by torch.autograd. Non-finite results come back as inf/nan."""
    result = analyse_expression(expression, x)
    return result.value, result.gradient


def gradient_at(function: Callable[[torch.Tensor], torch.Tensor], x: float) -> tuple[torch.Tensor, torch.Tensor, float]:
    """x as a tensor, y = function(x) and dy/dx, exactly as PyTorch finds them (the page shows this code)."""
    x_tensor = torch.tensor(x, dtype=torch.float64, requires_grad=True)  # record every operation done to x
    y = function(x_tensor)
    if not y.requires_grad:
        return x_tensor, y, 0.0  # y does not involve x, so it does not change as x moves
    y.backward()  # walk the recorded graph from y back to x, applying the chain rule
    return x_tensor, y, float(x_tensor.grad)


def analyse_expression(expression: str, x: float) -> GradientResult:
    """Value, gradient and the recorded computation graph of `expression` at x."""
    if not math.isfinite(x):
        raise ExpressionError("x must be a finite number.")
    x_tensor, y, gradient = gradient_at(compile_expression(expression), float(x))
    return GradientResult(float(y.detach()), gradient, graph_to_dot(y, {x_tensor: f"x = {x:g}"}))


def evaluate_curve(expression: str, xs: list[float]) -> list[float]:
    """The expression at many x at once (one vectorised pass), for plotting."""
    function = compile_expression(expression)
    with torch.no_grad():
        ys = function(torch.tensor(xs, dtype=torch.float64))
    return torch.broadcast_to(ys, (len(xs),)).tolist()


def curve_near(expression: str, x0: float, half_width: float, points: int = 401) -> tuple[list[float], list[float]]:
    """The curve on x0 ± half_width, without points past ±1e6 (or not numbers), which would flatten the plot."""
    low, high = x0 - half_width, x0 + half_width
    xs = [low + i * (high - low) / (points - 1) for i in range(points)]
    kept = [(x, y) for x, y in zip(xs, evaluate_curve(expression, xs), strict=True) if abs(y) < 1e6]
    return [x for x, _ in kept], [y for _, y in kept]


def tangent_line(x0: float, y0: float, slope: float, span: float = 1.5) -> tuple[list[float], list[float]]:
    """The ends of the tangent at (x0, y0), `span` either side: the straight line with autograd's slope."""
    return [x0 - span, x0 + span], [y0 - slope * span, y0 + slope * span]


def explain_non_finite(value: float, gradient: float) -> str | None:
    """A friendly sentence when the value or the gradient is not an ordinary number."""
    if math.isnan(value):
        return ("The value is not a number (NaN) here: the formula asks for something undefined at this x, "
                "such as the log or square root of a negative number, or 0/0.")
    if math.isinf(value):
        return "The value is infinite here: it grows past what a computer float can hold (or divides by zero)."
    if math.isnan(gradient) or math.isinf(gradient):
        return ("The value is fine but the slope is not: the curve is vertical or has a sharp point here "
                "(like sqrt(x) at 0), so there is no single tangent.")
    return None


def graph_to_dot(output: torch.Tensor, leaf_names: dict[torch.Tensor, str]) -> str:
    """Graphviz DOT of the backward graph torch recorded for `output` (walks grad_fn links)."""
    lines = ["digraph autograd {", "  rankdir=BT;", '  node [shape=box, style="rounded,filled", fillcolor="#eef4f7"];']
    names_by_id = {id(tensor): name for tensor, name in leaf_names.items()}
    output_label = f"output = {float(output.detach()):.6g}"
    lines.append(f'  out [label="{output_label}", fillcolor="#cfe8f3"];')
    if output.grad_fn is None:
        lines.append("}")
        return "\n".join(lines)
    seen: dict[int, str] = {}
    stack = [output.grad_fn]
    seen[id(output.grad_fn)] = "n0"
    lines.append(f'  n0 [label="{output.grad_fn.name()}"];')
    lines.append("  n0 -> out;")
    while stack:
        function = stack.pop()
        for parent, _ in function.next_functions:
            if parent is None:
                continue
            if id(parent) not in seen:
                node_id = f"n{len(seen)}"
                seen[id(parent)] = node_id
                label = parent.name()
                variable = getattr(parent, "variable", None)
                if variable is not None:
                    label = names_by_id.get(id(variable), "leaf tensor")
                    lines.append(f'  {node_id} [label="{label}", fillcolor="#fde2b8"];')
                else:
                    lines.append(f'  {node_id} [label="{label}"];')
                stack.append(parent)
            lines.append(f"  {seen[id(parent)]} -> {seen[id(function)]};")
    lines.append("}")
    return "\n".join(lines)


@dataclass(frozen=True)
class TwoInputResult:
    """The talk's two-input example: every value, both gradients of z and the graph."""

    values: dict[str, float]  # a, b, x, y, z
    dz_da: float
    dz_db: float
    graph_dot: str


def two_input_example(a: float, b: float) -> TwoInputResult:
    """The talk's second example: x = 2a + 3b, y = 5a^2 + 3b^3, z = 2x + 3y; gradients of z by autograd."""
    a_tensor = torch.tensor(float(a), dtype=torch.float64, requires_grad=True)
    b_tensor = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    x = 2 * a_tensor + 3 * b_tensor
    y = 5 * a_tensor**2 + 3 * b_tensor**3
    z = 2 * x + 3 * y
    dz_da, dz_db = torch.autograd.grad(z, (a_tensor, b_tensor))
    values = {"a": a, "b": b, "x": x.item(), "y": y.item(), "z": z.item()}
    dot = graph_to_dot(z, {a_tensor: f"a = {a:g}", b_tensor: f"b = {b:g}"})
    return TwoInputResult(values, float(dz_da), float(dz_db), dot)


def chain_example(x: float) -> tuple[float, float, float, str]:
    """The talk's chain-rule example: y = x^2, z = 2y + 3. Returns y, z, dz/dx and the graph."""
    x_tensor = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    y = x_tensor**2
    z = 2 * y + 3
    (dz_dx,) = torch.autograd.grad(z, x_tensor)
    return y.item(), z.item(), float(dz_dx), graph_to_dot(z, {x_tensor: f"x = {x:g}"})
