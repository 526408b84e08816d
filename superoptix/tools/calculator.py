"""CalculatorTool: arithmetic by a small recursive-descent parser, never Python `eval`.

Grammar (Python precedence; `**` binds tighter than unary minus and is right-associative):
    expr  := term (("+" | "-") term)*
    term  := unary (("*" | "/" | "//" | "%") unary)*
    unary := ("+" | "-") unary | power
    power := atom ("**" unary)?
    atom  := NUMBER | NAME | NAME "(" expr ("," expr)* ")" | "(" expr ")"

Every limit (input length, nesting depth, integer size, factorial argument) is checked
*before* the work is done, so hostile input fails fast with a clear message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from superoptix.tools.base import BaseTool, ToolError

Number = int | float

MAX_INPUT_CHARS = 1000
MAX_DEPTH = 50  # each level costs ~5 Python frames; keep far from the recursion limit
MAX_INT_BITS = 10_000
MAX_FACTORIAL = 1000

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|//|[-+*/%(),]))"
)

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


def _log(x: Number, base: Number = math.e) -> float:
    return math.log(x, base)


def _factorial(n: Number) -> int:
    if isinstance(n, float):
        if not n.is_integer():
            raise ToolError("factorial() needs a whole number")
        n = int(n)
    if n > MAX_FACTORIAL:
        raise ToolError(f"factorial() argument is limited to {MAX_FACTORIAL}")
    return math.factorial(n)


MAX_ROUND_DIGITS = 400


def _round(value: Number, ndigits: Number | None = None) -> Number:
    if ndigits is None:
        return round(value)
    if isinstance(ndigits, float):
        if not ndigits.is_integer():
            raise ToolError("round() needs a whole number of digits")
        ndigits = int(ndigits)
    if abs(ndigits) > MAX_ROUND_DIGITS:  # round(x, -N) computes 10**N internally
        raise ToolError(f"round() digits are limited to ±{MAX_ROUND_DIGITS}")
    return round(value, ndigits)


FUNCTIONS: dict[str, tuple[Callable[..., Number], int, int]] = {
    # name: (function, minimum arguments, maximum arguments)
    "abs": (abs, 1, 1), "round": (_round, 1, 2), "floor": (math.floor, 1, 1), "ceil": (math.ceil, 1, 1),
    "sqrt": (math.sqrt, 1, 1), "exp": (math.exp, 1, 1), "log": (_log, 1, 2),
    "log10": (math.log10, 1, 1), "log2": (math.log2, 1, 1), "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1), "tan": (math.tan, 1, 1), "asin": (math.asin, 1, 1),
    "acos": (math.acos, 1, 1), "atan": (math.atan, 1, 1), "min": (min, 1, 20), "max": (max, 1, 20),
    "factorial": (_factorial, 1, 1), "hypot": (math.hypot, 1, 20),
}


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "op" or "end"
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            bad = text[pos:].lstrip()[:1]
            where = len(text) - len(text[pos:].lstrip())
            raise ToolError(f"unexpected character {bad!r} at position {where}")
        tokens.append(Token(match.lastgroup, match.group(match.lastgroup), match.start(match.lastgroup)))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _check_int(value: Number) -> Number:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ToolError(f"result too large (more than {MAX_INT_BITS} bits)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ToolError("result is not a finite number")
    return value


def _power(base: Number, exponent: Number) -> Number:
    if isinstance(base, int) and isinstance(exponent, int) and exponent >= 0:
        if abs(base) > 1 and exponent * (abs(base).bit_length() - 1) > MAX_INT_BITS:
            raise ToolError(f"result too large: {base} ** {exponent} exceeds {MAX_INT_BITS} bits")
        return _check_int(base**exponent)
    return math.pow(base, exponent)  # raises ValueError/OverflowError instead of returning complex


def _binary(op: str, left: Number, right: Number) -> Number:
    if op == "+":
        return _check_int(left + right)
    if op == "-":
        return _check_int(left - right)
    if op == "*":
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
                raise ToolError(f"result too large (more than {MAX_INT_BITS} bits)")
        return _check_int(left * right)
    if right == 0:
        raise ToolError("division by zero")
    if op == "/":
        return _check_int(left / right)
    if op == "//":
        return _check_int(left // right)
    if op == "%":
        return _check_int(left % right)
    return _power(left, right)


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self, *texts: str) -> Token | None:
        token = self.current
        if token.kind == "op" and token.text in texts:
            self.index += 1
            return token
        return None

    def expect(self, text: str) -> None:
        if self.take(text) is None:
            raise ToolError(f"expected {text!r} at position {self.current.pos}, found {self._found()}")

    def _found(self) -> str:
        return "end of input" if self.current.kind == "end" else repr(self.current.text)

    def parse(self) -> Number:
        value = self.expr()
        if self.current.kind != "end":
            raise ToolError(f"unexpected {self._found()} at position {self.current.pos}")
        return value

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ToolError(f"expression nested too deeply (limit {MAX_DEPTH})")

    def expr(self) -> Number:
        value = self.term()
        while (op := self.take("+", "-")) is not None:
            value = _binary(op.text, value, self.term())
        return value

    def term(self) -> Number:
        value = self.unary()
        while (op := self.take("*", "/", "//", "%")) is not None:
            value = _binary(op.text, value, self.unary())
        return value

    def unary(self) -> Number:
        # Every nesting (parentheses, calls, unary signs, exponents) passes through here once.
        self._enter()
        try:
            if (op := self.take("+", "-")) is not None:
                value = self.unary()
                return -value if op.text == "-" else value
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> Number:
        base = self.atom()
        if self.take("**") is not None:
            return _binary("**", base, self.unary())
        return base

    def atom(self) -> Number:
        token = self.current
        if token.kind == "number":
            self.index += 1
            if any(c in token.text for c in ".eE"):
                number = float(token.text)
                if not math.isfinite(number):
                    raise ToolError(f"number {token.text!r} is too large")
                return number
            return _check_int(int(token.text))
        if token.kind == "name":
            self.index += 1
            return self.call(token) if self.take("(") else self.constant(token)
        if self.take("("):
            value = self.expr()
            self.expect(")")
            return value
        raise ToolError(f"expected a number, name or '(' at position {token.pos}, found {self._found()}")

    def constant(self, token: Token) -> Number:
        if token.text in CONSTANTS:
            return CONSTANTS[token.text]
        hint = " (it is a function: add parentheses)" if token.text in FUNCTIONS else ""
        raise ToolError(f"unknown name {token.text!r}{hint}; constants are {', '.join(CONSTANTS)}")

    def call(self, token: Token) -> Number:
        if token.text not in FUNCTIONS:
            raise ToolError(f"unknown function {token.text!r}; functions are {', '.join(sorted(FUNCTIONS))}")
        function, low, high = FUNCTIONS[token.text]
        args = [self.expr()]
        while self.take(","):
            args.append(self.expr())
        self.expect(")")
        if not low <= len(args) <= high:
            raise ToolError(f"{token.text}() takes {low}..{high} arguments, got {len(args)}")
        try:
            return _check_int(function(*args))
        except (ValueError, OverflowError, TypeError) as exc:
            raise ToolError(f"{token.text}(): {exc}") from exc


def evaluate(expression: str) -> Number:
    """Evaluate an arithmetic expression safely; raises ToolError with a clear message."""
    if not isinstance(expression, str):
        raise ToolError(f"expression must be a string, got {type(expression).__name__}")
    if len(expression) > MAX_INPUT_CHARS:
        raise ToolError(f"expression too long ({len(expression)} characters; limit {MAX_INPUT_CHARS})")
    if not expression.strip():
        raise ToolError("empty expression")
    try:
        return _Parser(expression).parse()
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, ToolError):
            raise
        raise ToolError(f"math error: {exc}") from exc


def format_number(value: Number) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class CalculatorTool(BaseTool):
    """Evaluates arithmetic: + - * / // % **, parentheses, unary minus and math functions."""

    name = "calculator"
    description = (
        "Evaluate the arithmetic expression written in the task. "
        "Operators: + - * / // % **; functions: " + ", ".join(sorted(FUNCTIONS)) + "; constants: pi, e."
    )

    def run(self, expression: str) -> str:
        """Return the value of the arithmetic expression."""
        return format_number(evaluate(expression))
