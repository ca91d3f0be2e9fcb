"""Where a value sits in a JSON text, found only when an error needs it.

JSON files (payloads, settings) are parsed by the C `json` module, which keeps no
positions; recording one for every value would cost more than the parse (thousands of
files per large set). So a problem found later is located by walking the text once more,
down to the key path it names: a small scanner that skips values without building them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

_WHITESPACE = " \t\r\n"
_DELIMITERS = _WHITESPACE + ",]}"


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


def _string_end(text: str, i: int) -> int:
    """The index after the string starting at text[i] (a quote)."""
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            return i + 1
        i += 1
    return i


def _value_end(text: str, i: int) -> int:
    """The index after the value starting at text[i]."""
    if i >= len(text):
        return i
    ch = text[i]
    if ch == '"':
        return _string_end(text, i)
    if ch in "[{":
        depth = 0
        while i < len(text):
            ch = text[i]
            if ch == '"':
                i = _string_end(text, i)
                continue
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return i
    while i < len(text) and text[i] not in _DELIMITERS:
        i += 1
    return i


def _member(text: str, i: int, key: str) -> int | None:
    """In the object at text[i], the start of the value of `key` (its first occurrence)."""
    i = _skip_ws(text, i + 1)
    while i < len(text) and text[i] == '"':
        end = _string_end(text, i)
        found = _decode_key(text[i:end])
        i = _skip_ws(text, end)
        if i < len(text) and text[i] == ":":
            i = _skip_ws(text, i + 1)
        if found == key:
            return i
        i = _skip_ws(text, _value_end(text, i))
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
    return None


def _decode_key(quoted: str) -> str:
    try:
        value = json.loads(quoted)
    except ValueError:
        return quoted
    return value if isinstance(value, str) else quoted


def _element(text: str, i: int, index: int) -> int | None:
    """In the array at text[i], the start of element `index`."""
    i = _skip_ws(text, i + 1)
    for _ in range(index):
        if i >= len(text) or text[i] == "]":
            return None
        i = _skip_ws(text, _value_end(text, i))
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
    return None if i >= len(text) or text[i] == "]" else i


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def position(text: str, path: Sequence[str | int]) -> tuple[int, int]:
    """Where the value at `path` starts, or its nearest ancestor when the path leaves the
    document (a key that is missing is reported at the object that lacks it)."""
    i = _skip_ws(text, 0)
    for token in path:
        if i >= len(text):
            break
        found: int | None = None
        if text[i] == "{":
            found = _member(text, i, str(token))
        elif text[i] == "[" and (isinstance(token, int) or str(token).isdigit()):
            found = _element(text, i, int(token))
        if found is None:
            break
        i = found
    return line_column(text, min(i, len(text)))
