"""RFC 6901 JSON pointers: built from key paths, and split back into their tokens."""

from __future__ import annotations

from collections.abc import Iterable


def escape_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(path: Iterable[object]) -> str:
    """The pointer of a key path: ("spec", "a/b", 0) -> "/spec/a~1b/0"."""
    return "".join("/" + escape_token(token) for token in path)


def split(pointer: str) -> list[str]:
    """The tokens of a pointer, unescaped: "/spec/a~1b/0" -> ["spec", "a/b", "0"]."""
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
