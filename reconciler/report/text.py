"""Text pieces every renderer shares: a JSON value in one short line, the nested values
that differ inside a field, a diff of two documents."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from reconciler.errors import printable
from reconciler.values import pointers
from reconciler.values.names import name_key
from reconciler.values.pointers import ABSENT

MAX_VALUE = 72  # long scalar values are shortened in text output
MAX_DIFF_LINES = 40


_COLOR = {"+": "\033[32m", "~": "\033[33m", "-": "\033[31m", "?": "\033[36m"}
_RESET = "\033[0m"


def paint(line: str, color: bool) -> str:
    """A plan or drift line coloured by its leading symbol: + green, ~ yellow, - red, ? cyan."""
    stripped = line.lstrip()
    if not color or not stripped or stripped[0] not in _COLOR:
        return line
    return f"{_COLOR[stripped[0]]}{line}{_RESET}"


def short(value: Any, limit: int = MAX_VALUE) -> str:
    """A JSON value in one line of at most `limit` characters, non-ASCII as written, but
    no invisible or direction-changing character unescaped."""
    text = printable(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def names_shown(labels: Iterable[str]) -> Callable[[str], str]:
    """How to show names: quoted as written; escaped (\\u0301) only where two differ as
    written but are one name to reconciler (NFC, case, spaces), so a reviewer can tell the
    two apart."""
    written: dict[Any, set[str]] = {}
    for label in labels:
        written.setdefault(name_key(label), set()).add(label)
    ambiguous = {key for key, forms in written.items() if len(forms) > 1}

    def shown(label: str) -> str:
        if name_key(label) in ambiguous:
            return json.dumps(label)
        return printable(json.dumps(label, ensure_ascii=False))

    return shown


def short_pair(before: Any, after: Any, limit: int = MAX_VALUE) -> tuple[str, str]:
    """Two values in one short line each, so that where they differ stays visible: long
    strings that share a beginning (Office option ids: `<setting id>_51`, `_52`) are shown
    from shortly before the first difference."""
    if isinstance(before, str) and isinstance(after, str):
        common = next(
            (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
            min(len(before), len(after)),
        )
        if common > 24 and max(len(before), len(after)) > limit - 2:
            cut = common - 12
            return short("…" + before[cut:], limit), short("…" + after[cut:], limit)
    return short(before, limit), short(after, limit)


def json_diff_lines(before: Any, after: Any, *, whole: bool = False) -> list[str]:
    """A unified diff of two JSON values, pretty-printed: the changed lines with one line
    of context, capped in length; `whole`: every line of the document, uncapped."""
    old = json.dumps(before, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    new = json.dumps(after, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    context = max(len(old), len(new)) if whole else 1
    lines = [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=context)
        if not line.startswith(("---", "+++", "@@") if whole else ("---", "+++"))
    ]
    if len(lines) > MAX_DIFF_LINES and not whole:
        hidden = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"... ({hidden} more lines)"]
    return lines


def outside_scope_note(
    objects: list[dict[str, Any]], name: Callable[[str], str] | None = None
) -> str:
    """The one line that lists unclaimed objects outside the scope: information, not drift."""
    name = name or names_shown(o["display_name"] for o in objects)
    shown = ", ".join(f"{o['kind']} {name(o['display_name'])}" for o in objects[:5])
    more = f" and {len(objects) - 5} more" if len(objects) > 5 else ""
    return (
        f"Not managed here: {len(objects)} object(s) of the same kinds outside the scope "
        f"(information only): {shown}{more}."
    )


@dataclass(frozen=True)
class Detail:
    """One nested value that differs inside a field: where, and both values (ABSENT when
    the value is only on one side)."""

    path: str  # readable: the pointer's tokens unescaped, list items named by their ids
    before: Any
    after: Any

    def line(self) -> str:
        if self.before is ABSENT:
            return f"+ {self.path} = {short(self.after)}"
        if self.after is ABSENT:
            return f"- {self.path} (was {short(self.before)})"
        before, after = short_pair(self.before, self.after)
        return f"~ {self.path} = {before} -> {after}"


# Scalar properties that name a list item, shown beside its index: `/settings/3 (id=x)`.
_NAMING_KEYS = ("app", "id", "name", "key")


def _item_names(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    named = [f"{k}={item[k]}" for k in _NAMING_KEYS if isinstance(item.get(k), str | int)]
    return f" ({', '.join(named)})" if named else ""


def details(field: str, before: Any, after: Any, pointers_: list[str]) -> list[Detail]:
    """The differing values of a field at each of its detail pointers (`/spec/<field>/...`)."""
    found = []
    for pointer in pointers_:
        tokens = pointers.split(pointer)[2:]
        path, names, last_key = field, "", ""
        node_before, node_after = before, after
        for token in tokens:
            # A key that extends an earlier one (an Office child setting's id extends its
            # parent's) is shown by what it adds.
            shown = (
                f"…{token[len(last_key) :]}" if last_key and token.startswith(last_key) else token
            )
            if len(token) > 24:
                last_key = token
            if isinstance(node_after, list) or isinstance(node_before, list):
                names = _item_names(pointers.get_at(node_after, [token])) or _item_names(
                    pointers.get_at(node_before, [token])
                )
            else:
                names = ""
            node_before = pointers.get_at(node_before, [token])
            node_after = pointers.get_at(node_after, [token])
            path += f"/{shown}{names}"
        found.append(Detail(path=path, before=node_before, after=node_after))
    return found
