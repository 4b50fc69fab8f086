"""The sandbox every page template renders in: data goes in, HTML comes out, nothing else.

A library folder received from a colleague may carry override templates, so a template
is treated as a stranger's program. It sees only plain data (context.py), and it may call
only what handoutkit itself defines (its globals, below) and its own macros: no method of
any value (``x.lower()``, ``d.strftime(…)``, ``s.format(…)``), so no way to a file, a
module or an object's insides. Filters are an allow-list of harmless ones plus ours.

A template could still try to run for ever or fill the memory, so every render has a
budget (``Budget``), checked in the code Jinja generates: each pass through a loop body,
each macro call and each template included costs as much as the template code it runs;
strings and lists a template builds, numbers it multiplies and text it prints each have
a size cap. Every refusal is a ``Refused`` raised inside the template's own code, so the
message names the template file and line that asked.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import types
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from jinja2 import filters as builtin, nodes, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import BlockReference, Macro, Undefined, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

# ---- limits, each per render ------------------------------------------------------
# Work is counted in template nodes run (about half a microsecond each, at most). The whole
# bundled library as one packet costs about 35,000; a render may spend this much, plus
# WORK_PER_VALUE for each value in its data (a long table takes work in its length), so a
# runaway template stops within about a second of CPU beyond what its data warrants.
MAX_WORK = 2_000_000
WORK_PER_VALUE = 100
# Items one range() may give: the bundled templates need at most 101 (a 0-100 scale).
MAX_RANGE = 10_000
# Characters in one string, or items in one list, that a template builds (~, +, *,
# replace, join): far above any field name or class list, far below a memory problem.
MAX_SIZE = 1_000_000
# Characters of HTML one render may print: the whole bundled library makes about 90,000.
MAX_OUTPUT = 16_000_000
# Bits in a whole number a template computes with * or **: 2**128 is plenty for a page.
MAX_INT_BITS = 128
# Macros called within macros: deep enough for any layout, well inside Python's own limit.
MAX_CALL_DEPTH = 64
# Building this many characters costs one unit of work (copying text is cheap per character).
CHARS_PER_UNIT = 250
# Markdown costs more per character than copying: one unit per this many characters.
MARKDOWN_CHARS_PER_UNIT = 10

# Built-in Jinja filters a template may use: they only look at or reshape the value in
# hand. Left out on purpose: attr, map, selectattr and friends (they reach attributes by
# name), format, center, indent, wordwrap, filesizeformat (they amplify or format), tojson,
# xmlattr, urlize, pprint, batch, slice, groupby, dictsort (not needed, more to trust).
BUILTIN_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "int",
    "items", "last", "length", "list", "lower", "max", "min", "reverse", "round", "safe",
    "string", "title", "trim", "truncate", "upper",
)  # plus join and replace, bounded below


class Refused(SecurityError):
    """Something a page template may not do; the message says what to do instead."""


class Budget:
    """What one render has spent so far (a fresh one for every render)."""

    def __init__(self, allowance: int = MAX_WORK) -> None:
        self.allowance = allowance
        self.work = 0
        self.depth = 0
        self.printed = 0  # characters of HTML printed, the template's own text counted ahead
        self.markdown: dict[tuple[str, str], Any] = {}  # text already turned into HTML

    def charge(self, units: int) -> None:
        self.work += units
        if self.work > self.allowance:
            raise Refused(f"the template does too much work (over {self.allowance:,} steps of loops, macros "
                          "and includes for this document): a loop or macro that never ends?")

    def print(self, characters: int) -> None:
        self.printed += characters
        if self.printed > MAX_OUTPUT:
            raise Refused(output_too_long())


def within_size(length: int, what: str = "text") -> None:
    if length > MAX_SIZE:
        raise Refused(f"the template builds {what} longer than {MAX_SIZE:,} characters or items")


def sized(value: Any, what: str = "text") -> Any:
    within_size(len(value), what)
    return value


def output_too_long(limit: int = MAX_OUTPUT) -> str:
    return f"the template prints more than {limit:,} characters of HTML"


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise Refused(f"range() of {len(numbers):,} numbers: a template may count to {MAX_RANGE:,} at most")
    return numbers


def _int_bits(*numbers: int) -> int:
    return sum(abs(n).bit_length() for n in numbers)


def _sequence(value: Any) -> bool:
    return isinstance(value, (str, list, tuple))


def _values(data: Any) -> int:
    """How many values plain data holds (context.py), each mapping and list one too."""
    if isinstance(data, Mapping):
        return 1 + sum(_values(v) for v in data.values())
    if isinstance(data, tuple):
        return 1 + sum(_values(v) for v in data)
    return 1


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, range, Mapping)) else 0


# ---- the code Jinja generates ----------------------------------------------------


def _weight(node: nodes.Node) -> tuple[nodes.Const, nodes.Const]:
    """What running this node once costs: one unit of work per template node inside it,
    and the template's own text in it, counted as printed (at most: some may be in an
    `if` not taken), so that text repeated without end stops at the loop or macro."""
    inside = list(node.find_all(nodes.Node))
    text = sum(len(n.data) for n in inside if isinstance(n, nodes.TemplateData))
    return nodes.Const(1 + len(inside)), nodes.Const(text)


def _hook(name: str, *args: nodes.Expr, lineno: int) -> nodes.Call:
    """A call of ``environment.<name>(args)``, written as a direct call (not through the
    sandbox's ``call``). A template cannot write such a node: only the code below makes them."""
    return nodes.Call(nodes.EnvironmentAttribute(name, lineno=lineno), list(args), [], None, None, lineno=lineno)


HOOKS = frozenset({"counted", "charge"})
COMPARISONS = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gteq": operator.ge,
               "lt": operator.lt, "lteq": operator.le, "in": lambda a, b: a in b,
               "notin": lambda a, b: a not in b}


class BudgetedCodeGenerator(CodeGenerator):
    """Jinja's code, with the render's budget charged wherever a template can repeat work:
    every item a for loop draws, every macro, block and template body that runs."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = _hook("counted", loop.iter, *_weight(loop), lineno=loop.lineno)
        for body in [node, *node.find_all((nodes.Macro, nodes.CallBlock, nodes.Block))]:
            body.body.insert(0, nodes.ExprStmt(_hook("charge", *_weight(body), lineno=body.lineno),
                                               lineno=body.lineno))
        super().visit_Template(node, frame)

    @optimizeconst
    def visit_Compare(self, node: nodes.Compare, frame: Frame) -> None:
        # `in` and `==` take time in the size of what they compare: charged by that size.
        self.write("environment.compare(")
        self.visit(node.expr, frame)
        self.write(", (")
        for operand in node.ops:
            self.write(f"({operand.op!r}, ")
            self.visit(operand.expr, frame)
            self.write("), ")
        self.write("))")

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if isinstance(node.node, nodes.EnvironmentAttribute) and node.node.name in HOOKS:
            self.write(f"environment.{node.node.name}(")
            for arg in node.args:
                self.visit(arg, frame)
                self.write(", ")
            self.write(")")
        else:
            super().visit_Call(node, frame, forward_caller=forward_caller)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            escaping = "context.eval_ctx.autoescape"
        else:
            escaping = repr(bool(frame.eval_ctx.autoescape))
        self.write(f"environment.joined({escaping}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


# ---- the environment -------------------------------------------------------------


class PageEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, narrowed to calls handoutkit allows and bounded per render."""

    code_generator_class = BudgetedCodeGenerator
    intercepted_binops = frozenset({"+", "*", "**", "%"})
    CODE_VERSION = 2  # raise when the generated code changes: kept compiled templates then compile again

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=self._printed, **options)
        self.budget = Budget()
        self.globals.clear()  # range, dict, lipsum, cycler, joiner, namespace: we give our own
        self.globals["range"] = bounded_range
        self.filters = {name: self.filters[name] for name in BUILTIN_FILTERS}
        self.filters["join"] = _join
        self.filters["replace"] = _replace
        for name, function in list(self.filters.items()):
            self.filters[name] = self.charged(function)

    def fresh_budget(self, data: Any) -> None:
        """A new budget for rendering ``data``: MAX_WORK, and more for more data."""
        self.budget = Budget(MAX_WORK + WORK_PER_VALUE * _values(data))

    # --- what a template may reach ----------------------------------------------

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Data first: a block's `items` is its list, not the mapping's items() method.
        if isinstance(obj, Mapping):
            return self._key(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping):
            return self._key(obj, argument)
        value = super().getitem(obj, argument)
        if isinstance(argument, slice):  # a copy
            self.budget.charge(_size(value) // CHARS_PER_UNIT)
        return value

    def _key(self, obj: Mapping, key: Any) -> Any:
        try:
            return obj[key]
        except (KeyError, TypeError):
            return self.undefined(obj=obj, name=key)

    def is_safe_callable(self, obj: Any) -> bool:
        return isinstance(obj, (Macro, BlockReference)) or any(obj is f for f in self.globals.values())

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        if isinstance(__obj, Undefined):
            return __obj()  # says which name is undefined
        if not __self.is_safe_callable(__obj):
            name = getattr(__obj, "__name__", type(__obj).__name__)
            ours = ", ".join(sorted(k for k, v in __self.globals.items() if callable(v)))
            raise Refused(f"'{name}' cannot be called in a template: a template may call only "
                          f"handoutkit's own functions ({ours}) and its own macros; for text, "
                          "numbers and dates use filters, like {{ x | lower }} or {{ d | long_date }}")
        budget = __self.budget
        budget.charge(1)
        budget.depth += 1
        try:
            if budget.depth > MAX_CALL_DEPTH:
                raise Refused(f"macros called more than {MAX_CALL_DEPTH} deep: a macro that calls itself without end?")
            return __context.call(__obj, *args, **kwargs)
        finally:
            budget.depth -= 1

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:  # noqa: A002 - Jinja's name
        self.budget.charge(1)  # every include and import; what it runs is charged inside it
        return super().get_template(name, parent, globals)

    def select_template(self, names: Any, parent: str | None = None, globals: Any = None) -> Any:  # noqa: A002
        self.budget.charge(1)
        return super().select_template(names, parent, globals)

    # --- what a template may compute --------------------------------------------

    def charge(self, units: int, text: int = 0) -> None:
        self.budget.charge(units)
        self.budget.print(text)

    def counted(self, iterable: Iterable[Any], units: int, text: int) -> Iterator[Any]:
        for item in iterable:
            self.charge(units, text)
            yield item

    def joined(self, escaping: bool, parts: tuple[Any, ...]) -> str:
        """`a ~ b ~ c`, bounded (Environment.concat is another thing: Jinja's own "".join)."""
        texts = [p if isinstance(p, str) else str(p) for p in parts]
        length = sum(map(len, texts))
        within_size(length)
        self.budget.charge(length // CHARS_PER_UNIT)
        return sized((markup_join if escaping else str_join)(texts))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            if isinstance(left, str):
                raise Refused("'%' formatting is not available in templates: join text with ~, "
                              "and print numbers as they are or with | number")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and _int_bits(left) * max(right, 0) > MAX_INT_BITS:
                raise Refused(f"a number over {MAX_INT_BITS} bits: a page needs no numbers this large")
        elif operator == "*":
            if _sequence(left) or _sequence(right):
                seq, times = (left, right) if _sequence(left) else (right, left)
                if isinstance(times, int):
                    within_size(len(seq) * times)
                    self.budget.charge(len(seq) * max(times, 0) // CHARS_PER_UNIT)
            elif isinstance(left, int) and isinstance(right, int) and _int_bits(left, right) > MAX_INT_BITS:
                raise Refused(f"a number over {MAX_INT_BITS} bits: a page needs no numbers this large")
        elif operator == "+" and _sequence(left) and _sequence(right):
            within_size(len(left) + len(right))
            self.budget.charge((len(left) + len(right)) // CHARS_PER_UNIT)
        return self.binop_table[operator](left, right)

    def compare(self, left: Any, operands: tuple[tuple[str, Any], ...]) -> bool:
        for op, right in operands:
            self.budget.charge((_size(left) + _size(right)) // CHARS_PER_UNIT)
            if not COMPARISONS[op](left, right):
                return False
            left = right
        return True

    def _printed(self, value: Any) -> Any:
        """Every {{ … }} passes here: what is printed counts towards the render's work."""
        text = value if isinstance(value, str) else str(value)  # what autoescape would print
        self.budget.charge(len(text) // CHARS_PER_UNIT)
        self.budget.print(len(text))
        return text

    def charged(self, function: Any) -> Any:
        """A filter that costs its input's and its output's size (a filter works through both)."""
        value_at = 1 if hasattr(function, "jinja_pass_arg") else 0

        @functools.wraps(function)
        def filter_(*args: Any, **kwargs: Any) -> Any:
            self.budget.charge(1 + _size(args[value_at]) // CHARS_PER_UNIT)
            result = function(*args, **kwargs)
            self.budget.charge(_size(result) // CHARS_PER_UNIT)
            return result

        return filter_

    # --- handoutkit's own filters and globals ------------------------------------

    def markdown_filter(self, convert: Any) -> Any:
        """``convert`` (Markdown to HTML) once per text and render, charged by its length."""
        def filter_(text: str) -> Any:
            key = (convert.__name__, text)
            done = self.budget.markdown.get(key)
            if done is None:
                self.budget.charge(1 + len(text) // MARKDOWN_CHARS_PER_UNIT)
                done = self.budget.markdown[key] = convert(text)
            return done

        filter_.__name__ = convert.__name__
        return filter_


@pass_eval_context
def _join(eval_ctx: Any, value: Iterable[Any], d: str = "") -> str:
    texts, total = [], 0
    for item in value:
        texts.append(item if isinstance(item, str) else str(item))
        total += len(texts[-1]) + len(d)
        within_size(total, "joined text")
    return sized(builtin.do_join(eval_ctx, texts, d), "joined text")


@pass_eval_context
def _replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> str:
    text, old_text, new_text = str(s), str(old), str(new)
    times = text.count(old_text) if old_text else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    within_size(len(text) + times * (len(new_text) - len(old_text)))
    return sized(builtin.do_replace(eval_ctx, s, old, new, count))


# ---- filters for dates and numbers (a template may call no method of a value) -----

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def long_date(day: dt.date) -> str:
    """24 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_year(day: dt.date) -> str:
    """November 2026."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def number(value: float) -> str:
    """A number as briefly as it reads: 2, 1.5, 0.25."""
    return f"{value:g}"


def is_web_address(value: Any) -> bool:
    """An address a printed page may link to: the web only (not file:, javascript:, …)."""
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


def frozen(value: Any) -> Any:
    """A read-only view of a mapping, for globals that every template of a render shares."""
    return types.MappingProxyType(dict(value))
