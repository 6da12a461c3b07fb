"""Small arithmetic over figures, for checks and figures: `actions.open + actions.closed`. Numbers,
figure names (group.name), + - * / and brackets; read with Python's ast and walked here, never run
by Python, so nothing else can be written in one."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable

OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
MAX_LENGTH = 500  # characters: far more than a sum of figures needs, far less than nests too deep to read
EXPECTED = "expected figures (group.name) and numbers joined by + - * / and brackets"


class ExpressionError(ValueError):
    pass


def parse(text: str) -> ast.expr:
    """The expression's tree, checked to hold nothing but numbers, figure names and + - * /."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is {len(text):,} characters long; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # the last two: nested too deep
        raise ExpressionError(f"{EXPECTED}, got '{text}'") from None
    _check(tree.body, text)
    return tree.body


def _check(node: ast.expr, text: str) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        _check(node.left, text)
        _check(node.right, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand, text)
    elif isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        if not _finite(node.value):
            raise ExpressionError(f"number {str(node.value)[:20]}… is too large, in '{text[:60]}'")
    elif figure_name(node) is None:
        shown = ast.get_source_segment(text.strip(), node) or text
        raise ExpressionError(f"{EXPECTED}, got '{shown}' in '{text}'")


def _finite(number: float) -> bool:
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


def figure_name(node: ast.expr) -> str | None:
    """`actions.open` as "actions.open"; None for anything else."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def names(node: ast.expr) -> list[str]:
    """The figures an expression uses, in the order written."""
    return [name for child in ast.walk(node) if isinstance(child, ast.expr) and (name := figure_name(child))]


def evaluate(node: ast.expr, value_of: Callable[[str], float]) -> float:
    """The expression's value, figures looked up with `value_of`; ZeroDivisionError if it divides by 0."""
    if isinstance(node, ast.BinOp):
        return OPERATORS[type(node.op)](evaluate(node.left, value_of), evaluate(node.right, value_of))
    if isinstance(node, ast.UnaryOp):
        value = evaluate(node.operand, value_of)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    name = figure_name(node)
    assert name is not None  # parse() allows nothing else
    return value_of(name)
