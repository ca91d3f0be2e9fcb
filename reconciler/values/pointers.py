"""RFC 6901 JSON pointers: built from key paths, split back, and used to read, remove and
copy a value inside a JSON document. The one place that walks a document by pointer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Loc = tuple[str | int, ...]  # a key path from a document's root: ("spec", "assignments", 0)

ABSENT: Any = object()  # what `get_at` returns when nothing is at the pointer


def escape_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(path: Iterable[object]) -> str:
    """The pointer of a key path: ("spec", "a/b", 0) -> "/spec/a~1b/0"."""
    return "".join("/" + escape_token(token) for token in path)


def split(pointer: str) -> list[str]:
    """The tokens of a pointer, unescaped: "/spec/a~1b/0" -> ["spec", "a/b", "0"]."""
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _step(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token, ABSENT)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return ABSENT


def get_at(document: Any, tokens: list[str]) -> Any:
    """The value at `tokens` inside `document`, or ABSENT."""
    node = document
    for token in tokens:
        node = _step(node, token)
        if node is ABSENT:
            return ABSENT
    return node


def remove_at(document: Any, tokens: list[str]) -> None:
    """Remove the value at `tokens` (a dict key or a list item), if there is one."""
    if not tokens:
        return
    parent = get_at(document, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        parent.pop(int(last))


def copy_at(source: Any, target: Any, tokens: list[str]) -> None:
    """Set `target` at `tokens` to what `source` holds there, when both hold a mapping
    at the parent and `source` has the key (so a live value survives a write)."""
    if not tokens:
        return
    source_parent, target_parent = get_at(source, tokens[:-1]), get_at(target, tokens[:-1])
    last = tokens[-1]
    if (
        isinstance(source_parent, dict)
        and isinstance(target_parent, dict)
        and last in source_parent
    ):
        target_parent[last] = source_parent[last]
