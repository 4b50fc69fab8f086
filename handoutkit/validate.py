"""From a loaded YAML source to a typed model, or every problem in it at once.

Pydantic finds type and shape errors; this module turns each into a plain sentence at
the file position of the offending key or value, and adds the checks a schema cannot
express (a table row as long as its header, scale labels inside the scale).
"""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import crisis, models
from .limits import beyond
from .errors import InputError, Problem
from .sources import Loc, Source

M = TypeVar("M", bound=BaseModel)

_WHAT = {
    str: "text", int: "a whole number", float: "a number", bool: "yes/no (true or false)",
    list: "a list", dict: "a set of keys", type(None): "nothing",
}


def _what(value: Any) -> str:
    for kind, word in _WHAT.items():
        if type(value) is kind:
            return word
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def data_loc(data: Any, loc: Loc) -> Loc:
    """Pydantic's error location with its union-tag steps removed, so it names real keys."""
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and str(part) in {str(k) for k in node}:
            node = next(v for k, v in node.items() if str(k) == str(part))
        elif i < len(loc) - 1 and isinstance(node, dict) and node.get("type") == part:
            continue  # the discriminator's tag, not a key in the file
        else:
            out.append(part)
            break
        out.append(part)
    return tuple(out)


def _model_at(top: type[BaseModel], data: Any, loc: Loc) -> type[BaseModel] | None:
    """The model that reads the mapping at ``loc``, to list the keys it knows."""
    if loc == ():
        return top
    if loc[0] == "sources" and len(loc) == 2:
        return models.SourceRef
    if loc[0] != "blocks" or len(loc) < 2:
        return None
    block = data["blocks"][loc[1]]
    block_model = models.BLOCK_MODELS.get(_block_type(block))
    if len(loc) == 2:
        return block_model
    if len(loc) == 4:
        return {
            ("steps", "items"): models.Step,
            ("list", "items"): models.ListItem,
            ("prompts", "items"): models.Prompt,
            ("script", "lines"): models.ScriptLine,
        }.get((_block_type(block), loc[2]))
    return None


def _block_type(raw: Any) -> str | None:
    """A block's `type` when it is text; `type: [a, b]` must not crash the lookups that use it."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) else None


def _keys_of(model: type[BaseModel] | None) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()] if model else []


def _name(loc: Loc) -> str:
    """How a person would name the place: 'title', or 'topics' item 2."""
    if not loc:
        return "file"
    if isinstance(loc[-1], int) and len(loc) > 1:
        return f"{loc[-2]} item {loc[-1] + 1}"
    return str(loc[-1])


def _colon_slip(data: Any, loc: Loc) -> bool:
    """A list item meant as text that YAML read as a one-key mapping (`- Step 1: breathe`)."""
    node: Any = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not (loc and isinstance(loc[-1], int) and isinstance(node, dict) and len(node) == 1):
        return False
    key, value = next(iter(node.items()))
    known = {name for model in (models.Step, models.Prompt, models.ScriptLine, models.ListItem) for name in model.model_fields}
    return isinstance(key, str) and key not in known and isinstance(value, (str, type(None)))


# Lists whose length is one of handoutkit's limits (limits.py), by their place in the file.
_LIMITED = {
    ("handouts",): ("this packet", "handouts", "split it into several packets"),
    ("blocks",): ("this module", "blocks", "split it into several handouts"),
    ("blocks", "rows"): ("this table", "rows", "split it into several tables"),
}


def _explain(error: dict[str, Any], source: Source, model: type[BaseModel]) -> Problem:
    kind = "extra_forbidden" if error["type"] == "invalid_key" else error["type"]  # `12:` where a word belongs
    loc = data_loc(source.data, tuple(error["loc"]))
    value = error.get("input")
    ctx = error.get("ctx") or {}
    name = _name(loc)
    # Messages reach terminals and logs: never echo what may be a client's name.
    shown = "" if loc[:1] == ("client",) else _short(value)

    if kind in ("extra_forbidden", "missing") and _colon_slip(source.data, loc[:-1]):
        return source.problem(
            loc[:-1],
            "this text reads as 'key: value' because of the ': ' in it (expected plain text: put the whole text in quotes)",
        )
    if kind == "extra_forbidden":
        allowed = _keys_of(_model_at(model, source.data, loc[:-1]))
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        expected = f"expected one of: {', '.join(allowed)}" if allowed else "remove it"
        return source.problem(loc, f"unknown key '{name}' ({hint}{expected})", key=True)
    if kind == "missing":
        return source.problem(loc[:-1], f"missing required key '{name}' (add '{name}: …' here)", key=True)
    if kind == "union_tag_invalid":
        tag = ctx.get("tag", value.get("type") if isinstance(value, dict) else value)
        close = difflib.get_close_matches(str(tag), models.BLOCK_TYPES, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return source.problem(
            loc + ("type",),
            f"unknown block type '{tag}' ({hint}expected one of: {', '.join(models.BLOCK_TYPES)})",
        )
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):  # the models' own checks say why
        return source.problem(loc, str(ctx["error"]))
    if kind == "model_attributes_type" and len(loc) == 2 and loc[0] == "blocks":  # `- some text` as a block
        return source.problem(
            loc, f"this block is {_what(value)}{' ' + shown if shown else ''}, not a set of keys (a block starts "
                 f"with its type, like '- type: text'; expected one of: {', '.join(models.BLOCK_TYPES)})")
    if kind == "union_tag_not_found":
        return source.problem(loc, f"this block has no 'type' (expected one of: {', '.join(models.BLOCK_TYPES)})")
    if kind == "literal_error":
        return source.problem(loc, f"'{name}' cannot be {shown} (expected one of: {ctx.get('expected', '')})")
    if kind in ("string_type", "int_type", "int_parsing", "int_from_float", "float_type", "float_parsing",
                "bool_type", "bool_parsing", "list_type", "dict_type", "model_type", "date_type",
                "date_parsing", "date_from_datetime_parsing"):
        wanted = {
            "string": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
            "list": "a list", "dict": "a set of keys", "model": "a set of keys", "date": "a date like 2026-11-24",
        }[kind.split("_")[0]]
        if isinstance(value, (dict, list)) and wanted == "text":
            wanted = "text; put quotes around text that contains ': ' or starts with a special character"
        return source.problem(loc, f"'{name}' is {_what(value)}{' ' + shown if shown else ''} (expected {wanted})")
    if kind == "string_pattern_mismatch":
        rule = {
            "id": "lowercase letters, digits and single hyphens, like 'grounding-5-4-3-2-1'",
            "lang": "a language handoutkit prints: 'en', 'es' or 'fr' (a region may follow, like 'es-US')",
        }.get(name, "lowercase words, like 'grounding' or 'sleep hygiene'")
        return source.problem(loc, f"'{name}' cannot be {shown} (expected {rule})")
    if kind in ("string_too_short", "too_short"):
        what = "empty" if kind == "string_too_short" or not value else "too short"
        need = ctx.get("min_length", 1)
        return source.problem(loc, f"'{name}' is {what} (expected at least {need} {'character' if kind == 'string_too_short' else 'item'}{'s' if need != 1 else ''})")
    if kind == "string_too_long":
        return source.problem(loc, f"'{name}' is longer than {ctx.get('max_length')} characters (shorten it)")
    if kind == "too_long":
        if (limit := _LIMITED.get(tuple(p for p in loc if not isinstance(p, int)))) is not None:
            thing, noun, advice = limit
            return source.problem(loc, beyond(thing, len(value), noun, ctx.get("max_length"), advice), key=True)
        return source.problem(loc, f"'{name}' has {ctx.get('actual_length')} items (at most {ctx.get('max_length')})")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()))
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        limits = {"greater_than_equal": "at least", "less_than_equal": "at most",
                  "greater_than": "more than", "less_than": "less than"}[kind]
        return source.problem(loc, f"'{name}' cannot be {shown} (expected {limits} {bound})")
    return source.problem(loc, f"'{name}': {error['msg']}")


def _semantic(source: Source) -> list[Problem]:
    """What the schema cannot say: row lengths, scale ranges.

    Each block that is well-formed on its own is checked, so these problems are
    reported together with the schema's, not one round later.
    """
    problems: list[Problem] = []
    blocks = source.data.get("blocks")
    for i, raw in enumerate(blocks if isinstance(blocks, list) else []):
        here = ("blocks", i)
        model = models.BLOCK_MODELS.get(_block_type(raw))
        if model is None:
            continue
        try:
            block = model.model_validate(raw)
        except ValidationError:
            continue  # already reported by the whole-file validation
        if isinstance(block, models.TableBlock):
            for r, row in enumerate(block.rows):
                if len(row) != len(block.columns):
                    problems.append(source.problem(
                        here + ("rows", r),
                        f"this row has {len(row)} cell{'s' if len(row) != 1 else ''} but the table has "
                        f"{len(block.columns)} columns (use \"\" for an empty cell)",
                    ))
        if isinstance(block, models.ScaleBlock):
            if block.min >= block.max:
                problems.append(source.problem(here + ("max",), f"'max' ({block.max}) must be larger than 'min' ({block.min})"))
            elif block.max - block.min > 10:
                problems.append(source.problem(here + ("max",), f"a scale of {block.max - block.min + 1} points is too long to circle (at most 11, like 0–10)"))
            for label in block.labels:
                if not block.min <= label <= block.max:
                    problems.append(source.problem(
                        here + ("labels", label),
                        f"label {label} is outside the scale (expected a number from {block.min} to {block.max})",
                        key=True,
                    ))
        if isinstance(block, models.ResourcesBlock) and block.region is not None:
            if why := crisis.unknown(block.region):
                problems.append(source.problem(here + ("region",), why))
    return problems


def validate(source: Source, model: type[M]) -> M:
    """The typed model of ``source``, or an InputError listing every problem, in file order."""
    if not isinstance(source.data, dict):
        raise InputError(source.problem((), f"expected a set of keys like 'title: …' at the top, not {_what(source.data)}"))
    problems = _semantic(source)
    try:
        result = model.model_validate(source.data)
    except ValidationError as exc:
        problems += [_explain(e, source, model) for e in exc.errors()]
    if problems:
        raise InputError(_ordered(problems))
    return result


def _ordered(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    unique = [p for p in problems if not (str(p) in seen or seen.add(str(p)))]
    return sorted(unique, key=lambda p: (p.line, p.col))
