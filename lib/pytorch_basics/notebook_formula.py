"""The autograd formula for a notebook: rebuilt from the whitelisted syntax tree, never copied from the text.

`notebook_formula` checks the visitor's text with the playground's own whitelist
(`lib.pytorch_basics.autograd.parse_expression`) and writes the checked tree back with `ast.unparse`: only
numbers, x, + - * / **, brackets and the whitelisted names. The notebook holds it as a string in its settings
cell and evaluates it with the app's own evaluator, which it defines; it never becomes code.
"""
from __future__ import annotations

import ast

from lib.pytorch_basics.autograd import ExpressionError, parse_expression


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
