"""The Jinja sandbox that `{{ … }}` expressions in content run in, bounded in work and size.

Jinja's own sandbox stops an expression reaching Python's internals, but not one that runs for
hours or fills the memory: `9**(9**9)`, `"ab" * 10**9`, `"x".ljust(10**9)`, nested loops. Text needs
figures and `ref("label")`, so everything that makes work out of a number is bounded or refused:

- only `{{ … }}` expressions: `{% … %}` statements (loops, assignments, macros) are refused;
- only the functions the content is given (`ref`, and `range` up to MAX_ITEMS numbers) can be
  called, not methods of values (`.ljust`, `.format`), and only filters that make nothing larger;
- `**` and `*` are refused when the result would pass MAX_DIGITS digits or MAX_ITEMS characters
  or items, and `%` is refused on text (printf-style widths).
"""

from __future__ import annotations

import inspect
import math
from types import FunctionType
from typing import Any

from jinja2 import Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

MAX_ITEMS = 10_000  # characters or items a repeated text or list, or a range, may have
MAX_DIGITS = 1_000  # digits a whole number may have
# Filters whose result is no larger than what they are given, and that take no size.
ALLOWED_FILTERS = frozenset(
    {
        "abs", "capitalize", "count", "d", "default", "first", "float", "int", "last",
        "length", "list", "lower", "round", "string", "title", "trim", "upper",
    }
)  # fmt: skip


class ExpressionError(SecurityError):
    """An expression refused before it runs; `lineno` counts from the text's first line (1)."""

    def __init__(self, message: str, lineno: int = 1) -> None:
        super().__init__(message)
        self.lineno = lineno


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    span = numbers.stop - numbers.start
    count = max(0, (abs(span) + abs(numbers.step) - 1) // abs(numbers.step)) if span * numbers.step > 0 else 0
    if count > MAX_ITEMS:
        raise SecurityError(f"range of {count} numbers; the limit is {MAX_ITEMS:,}")
    return numbers


def _digits(number: int) -> int:
    """About how many digits `number` has, without writing it out."""
    return int(abs(number).bit_length() * math.log10(2)) + 1


class ContentSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals = {"range": bounded_range}  # no lipsum(), cycler, joiner, dict or namespace
        self.filters = {name: self.filters[name] for name in ALLOWED_FILTERS}

    def check(self, template: nodes.Template) -> None:
        """Refuses statements and filters that are not allowed, at the line they are on."""
        for node in template.body:
            if not isinstance(node, nodes.Output):
                name = type(node).__name__.lower()
                raise ExpressionError(
                    f"'{{% {name} … %}}' statements are not allowed in text: only {{{{ … }}}} expressions "
                    "(figures and ref(\"label\"))",
                    node.lineno,
                )
        for used in template.find_all(nodes.Filter):
            if used.name not in ALLOWED_FILTERS:
                allowed = ", ".join(sorted(ALLOWED_FILTERS))
                raise ExpressionError(f"filter '{used.name}' is not allowed in text (allowed: {allowed})", used.lineno)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        refused = _refused_binop(operator, left, right)
        if refused is not None:
            raise SecurityError(refused)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Only functions handed to the text (ref, range) are called; a value's methods are not."""
        # A name that is not defined is called to say so; Jinja wraps str.format, which unwraps.
        if not isinstance(__obj, Undefined) and not isinstance(inspect.unwrap(__obj), FunctionType):
            name = getattr(__obj, "__name__", type(__obj).__name__)
            raise SecurityError(f"calling '{name}' is not allowed in text; only ref(\"label\") can be called")
        return super().call(__context, __obj, *args, **kwargs)


def _refused_binop(operator: str, left: Any, right: Any) -> str | None:
    """Why `left operator right` is not worked out: its result would be too large to be text."""
    if operator == "%" and isinstance(left, str):
        return "formatting text with % is not allowed; figures come formatted (docs/data.md)"
    whole = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and whole and right > 0 and abs(left) > 1 and right * math.log10(abs(left)) > MAX_DIGITS:
        return f"{left} ** {right} is too large a number (the limit is {MAX_DIGITS:,} digits)"
    if operator == "*" and whole and _digits(left) + _digits(right) > MAX_DIGITS:
        return f"a product of more than {MAX_DIGITS:,} digits is too large a number"
    sequence, times = (left, right) if isinstance(right, int) else (right, left)
    repeated = operator == "*" and isinstance(sequence, str | list | tuple) and isinstance(times, int)
    if repeated and len(sequence) * times > MAX_ITEMS:
        return (
            f"repeating {len(sequence):,} characters or items {times:,} times is too long "
            f"(the limit is {MAX_ITEMS:,})"
        )
    return None
