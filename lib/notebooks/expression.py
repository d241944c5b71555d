"""The autograd formula for a notebook: rebuilt from the whitelisted syntax tree, never copied from the text.

`notebook_formula` checks the visitor's text with the playground's own whitelist
(`lib.pytorch_basics.autograd.parse_expression`) and writes the checked tree back with `ast.unparse`: only
numbers, x, + - * / **, brackets and the whitelisted names. The notebook holds it as a string in its settings
cell and evaluates it with the app's own evaluator, which it defines; it never becomes code.

`torch_source` (the same tree as a torch expression) was how notebooks once wrote the formula as code; no
notebook uses it now.
"""
from __future__ import annotations

import ast
import copy

from lib.pytorch_basics.autograd import CONSTANTS, FUNCTIONS, VARIABLE, ExpressionError, parse_expression

_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)


def _mentions_x(node: ast.AST) -> bool:
    return any(isinstance(part, ast.Name) and part.id == VARIABLE for part in ast.walk(node))


class _ToTorch(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in CONSTANTS:
            return ast.Attribute(value=ast.Name(id="math", ctx=ast.Load()), attr=node.id, ctx=ast.Load())
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        argument = self.visit(node.args[0])
        if not _mentions_x(node.args[0]):
            # torch functions want a tensor: a constant argument such as sin(2) becomes one
            argument = ast.Call(
                func=ast.Attribute(value=ast.Name(id="torch", ctx=ast.Load()), attr="tensor", ctx=ast.Load()),
                args=[argument],
                keywords=[ast.keyword(arg="dtype", value=ast.Attribute(
                    value=ast.Name(id="torch", ctx=ast.Load()), attr="float64", ctx=ast.Load()))],
            )
        function = ast.Attribute(value=ast.Name(id="torch", ctx=ast.Load()), attr=node.func.id, ctx=ast.Load())
        return ast.Call(func=function, args=[argument], keywords=[])


def canonical_expression(text: str) -> str:
    """The checked formula in canonical form, e.g. '(x - 1) * (x - 2) * (x - 3)'; ExpressionError if refused."""
    return ast.unparse(parse_expression(text).body)


def notebook_formula(text: str) -> str:
    """The checked formula for a notebook's settings: canonical, or without its spaces where the canonical form
    would break the playground's length or bracket limits, so the notebook takes every formula the page does."""
    tree = ast.dump(parse_expression(text).body)
    canonical = canonical_expression(text)
    for formula in (canonical, "".join(canonical.split())):
        try:
            if ast.dump(parse_expression(formula).body) == tree:
                return formula
        except ExpressionError:
            continue
    raise ExpressionError("The formula could not be written back in canonical form.")


def torch_source(text: str) -> str:
    """The checked formula as a Python expression over a tensor x, using only torch.<function> and math constants."""
    body = _ToTorch().visit(copy.deepcopy(parse_expression(text).body))
    ast.fix_missing_locations(body)
    _check_rewritten(body)
    source = ast.unparse(body)
    if ast.dump(ast.parse(source, mode="eval").body) != ast.dump(body):
        raise ExpressionError("The formula could not be written back in canonical form.")
    return source


def _check_rewritten(tree: ast.AST) -> None:
    """A second, independent check of what is about to be written: only the shapes this module makes."""
    allowed_attributes = {("torch", name) for name in (*FUNCTIONS, "tensor", "float64")}
    allowed_attributes |= {("math", name) for name in CONSTANTS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if not isinstance(node.value, ast.Name) or (node.value.id, node.attr) not in allowed_attributes:
                raise ExpressionError("Only torch functions and math constants may appear in the formula.")
        elif isinstance(node, ast.Name):
            if node.id not in (VARIABLE, "torch", "math"):
                raise ExpressionError(f"Unexpected name {node.id!r} in the formula.")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError("Only numbers may appear in the formula.")
        elif isinstance(node, ast.keyword):
            if node.arg != "dtype":
                raise ExpressionError("Unexpected keyword in the formula.")
        elif not isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Call, ast.Load, *_OPERATORS)):
            raise ExpressionError(f"'{type(node).__name__}' may not appear in the formula.")
