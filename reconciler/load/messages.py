"""pydantic validation errors, said the way a tenant admin reads them.

`field_issues` turns a `ValidationError` into located one-liners such as
"expected an integer, got 'high'" or "unknown field 'priorty' (did you mean 'priority'?)".
Locations are key paths (`Loc`) from the document root; `pointer` and `dotted` render them.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconciler.kinds.fields import GUID_PATTERN, NAME_PATTERN, POINTER_PATTERN
from reconciler.values import pointers
from reconciler.values.pointers import Loc

_PATTERN_HINTS = {
    GUID_PATTERN: "is not a group id; expected a GUID like 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    POINTER_PATTERN: "is not a JSON pointer; write it like '/description'",
    NAME_PATTERN: "is not a valid name; use letters, digits, '.', '_' and '-'",
}

_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "float_type": "a number",
}


@dataclass(frozen=True)
class FieldIssue:
    """One problem: point at `loc` (at its key when `at_key`), name it `path`."""

    loc: Loc
    path: Loc
    message: str
    at_key: bool = False


def pointer(loc: Loc) -> str:
    """RFC 6901 JSON pointer of a key path."""
    return pointers.join(loc)


def dotted(loc: Loc) -> str:
    """A key path as people write it: spec.assignments[0].groupId."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(value: Any) -> str:
    """A value as YAML would show it, short: 'high', 3, null, true, a list."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def suggestion(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    choices = list(choices)
    folded = {c.casefold(): c for c in choices}
    match = folded.get(word.casefold())
    if match is None:
        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean '{match}'?)" if match else ""


def field_names(model: type[BaseModel]) -> list[str]:
    """The names a manifest writes for a model's fields (aliases such as '@odata.type')."""
    return [f.alias or name for name, f in model.model_fields.items()]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType, list) or get_args(annotation):
        for arg in get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model that validates the value at `loc` (list indexes skipped), if any."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None:
            return None
        fields = {f.alias or name: f for name, f in current.model_fields.items()}
        if part not in fields:
            return None
        current = _inner_model(fields[part].annotation)
    return current


def _message(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind, value, ctx = error["type"], error["input"], error.get("ctx") or {}
    loc = tuple(error["loc"])
    got = describe(value)
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {got}"
    if kind in ("model_type", "model_attributes_type"):
        inner = model_at(model, loc)
        return f"expected {getattr(inner, 'shape', 'a mapping')}, got {got}"
    if kind == "literal_error":
        return f"unknown {loc[-1]} {got} (expected {ctx.get('expected')})"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(ctx.get("pattern")), "has the wrong format")
        if str(ctx.get("pattern")) == GUID_PATTERN and not str(loc[-1]).lower().startswith("group"):
            hint = hint.replace("a group id", f"a valid {loc[-1]}")  # tenantId, filter id, ...
        return f"{got} {hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}, got {got}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}, got {got}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    text = error["msg"]
    return text[:1].lower() + text[1:]


def field_issues(
    error: ValidationError, *, model: type[BaseModel], prefix: Loc = ()
) -> list[FieldIssue]:
    """Every error of validating a value with `model`, located under `prefix`."""
    issues: list[FieldIssue] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        if detail["type"] == "missing":
            parent = (*prefix, *loc[:-1])
            issues.append(FieldIssue(parent, parent, f"missing required field '{loc[-1]}'"))
        elif detail["type"] == "extra_forbidden":
            owner = model_at(model, loc[:-1])
            hint = suggestion(str(loc[-1]), field_names(owner)) if owner is not None else ""
            message = f"unknown field '{loc[-1]}'{hint}"
            issues.append(FieldIssue((*prefix, *loc), (*prefix, *loc[:-1]), message, at_key=True))
        else:
            full = (*prefix, *loc)
            issues.append(FieldIssue(full, full, _message(detail, model)))
    return issues
