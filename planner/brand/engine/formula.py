"""Metric formulas (`formula: words / sentences`, `math.sqrt(...)`) evaluated without `eval`.

Vale evaluates a metric rule's formula as a Tengo expression with its `math` module. A formula
comes from an imported style package, so it is parsed into a Python syntax tree and only numbers,
variables, arithmetic and a fixed list of math functions are evaluated; anything else is refused
when the rule is loaded.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping

import regex

#: Tengo's math module, as far as a metric can use it (one or two numbers in, a number out).
MATH_FUNCTIONS: dict[str, Callable[..., float]] = {
    "abs": abs,
    "acos": math.acos,
    "asin": math.asin,
    "atan": math.atan,
    "atan2": math.atan2,
    "cbrt": lambda x: math.copysign(abs(x) ** (1 / 3), x),
    "ceil": math.ceil,
    "cos": math.cos,
    "exp": math.exp,
    "exp2": lambda x: 2.0**x,
    "floor": math.floor,
    "hypot": math.hypot,
    "log": math.log,
    "log10": math.log10,
    "log1p": math.log1p,
    "log2": math.log2,
    "max": max,
    "min": min,
    "mod": math.fmod,
    "pow": math.pow,
    "round": round,
    "sin": math.sin,
    "sqrt": math.sqrt,
    "tan": math.tan,
    "trunc": math.trunc,
}

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: math.fmod,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_HEADINGS = regex.compile(r"heading\.(h[1-6])")
MAX_FORMULA_NODES = 200


class FormulaError(ValueError):
    """The formula is not arithmetic over known variables and math functions."""


class Formula:
    """A parsed formula: `variables` names what it reads; `evaluate` computes it."""

    def __init__(self, text: str) -> None:
        self.text = _HEADINGS.sub(r"heading_\1", text.strip())
        if not self.text:
            raise FormulaError("the formula is empty")
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"the formula is not an expression: {exc.msg}") from None
        nodes = list(ast.walk(tree))
        if len(nodes) > MAX_FORMULA_NODES:
            raise FormulaError("the formula is too long")
        self.variables: set[str] = set()
        self._check(tree.body)
        self._tree = tree.body

    def _check(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float) or isinstance(node.value, bool):
                raise FormulaError("only numbers may appear in a formula")
        elif isinstance(node, ast.Name):
            self.variables.add(node.id)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise FormulaError("only + - * / % may appear in a formula")
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise FormulaError("only - and + may stand before a number")
            self._check(node.operand)
        elif isinstance(node, ast.Call):
            func = node.func
            if not (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "math"
            ):
                raise FormulaError("only math.<function>(…) calls may appear in a formula")
            if func.attr not in MATH_FUNCTIONS:
                raise FormulaError(f"math.{func.attr} is not available here")
            if node.keywords or not 1 <= len(node.args) <= 2:
                raise FormulaError(f"math.{func.attr} takes one or two numbers")
            for arg in node.args:
                self._check(arg)
        else:
            raise FormulaError(f"'{ast.unparse(node)}' cannot appear in a formula")

    def evaluate(self, variables: Mapping[str, float]) -> float:
        """The value; ZeroDivisionError or ValueError when the arithmetic is undefined."""
        return float(self._eval(self._tree, variables))

    def _eval(self, node: ast.expr, variables: Mapping[str, float]) -> float:
        if isinstance(node, ast.Constant):
            value = node.value
            if not isinstance(value, int | float):
                raise FormulaError("only numbers may appear in a formula")
            return float(value)
        if isinstance(node, ast.Name):
            return float(variables[node.id])
        if isinstance(node, ast.BinOp):
            left = self._eval(node.left, variables)
            right = self._eval(node.right, variables)
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self._eval(node.operand, variables))
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            raise FormulaError("unexpected formula node")  # _check allowed nothing else
        args = [self._eval(a, variables) for a in node.args]
        return float(MATH_FUNCTIONS[node.func.attr](*args))
