"""Canonical JSON, and stream payloads held as canonical JSON text.

Desired and live state hold two ~2 KB payload documents per policy. Parsed, each costs about
three times its size in memory, and comparing two meant serialising both on every plan. As a
`Payload` a document is its canonical text: compared as a string, parsed only when a change
needs its value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Payload:
    """A JSON document by its canonical text; equal exactly when the documents are."""

    canonical: str

    @classmethod
    def of(cls, value: Any) -> Payload:
        return cls(canonical_json(value))

    def value(self) -> Any:
        """A freshly parsed copy: callers may change it."""
        return json.loads(self.canonical)

    def __repr__(self) -> str:
        text = self.canonical if len(self.canonical) <= 60 else self.canonical[:57] + "..."
        return f"Payload({text})"


def plain(value: Any) -> Any:
    """`value` with a Payload replaced by its parsed document."""
    return value.value() if isinstance(value, Payload) else value


def _as_json(value: Any) -> Any:
    if isinstance(value, Payload):
        return value.value()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _as_text(value: Any) -> Any:
    if isinstance(value, Payload):
        return value.canonical
    raise TypeError(f"{type(value).__name__} is not JSON")


def canonical_json(value: Any, *, payloads_as_text: bool = False) -> str:
    """Sorted keys, no spaces, Unicode kept: one text per JSON value (Payloads included).

    `payloads_as_text` writes each Payload as its canonical text in a JSON string instead of
    parsing it again: still one text per value, for hashes that only identify a value, but
    not equal to the canonical JSON of the same value held as plain data.
    """
    if isinstance(value, Payload) and not payloads_as_text:
        return value.canonical
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_as_text if payloads_as_text else _as_json,
    )


def sha256_json(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
