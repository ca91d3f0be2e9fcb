"""Fingerprints: what a change was computed from, so apply can tell whether it still holds.

A change carries the fingerprint of the normalised live object it was computed from; a
reorder carries the fingerprint of its collection's ordering. Apply recomputes both from a
fresh read and refuses a plan whose fingerprints moved (`staleness`).
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.engine.diff import comparable_view
from reconciler.kinds.kind import ResourceKind
from reconciler.values.canonical import sha256_json
from reconciler.values.live import Live, LiveObject


def fingerprint(kind: ResourceKind, live: LiveObject | None, declared: Iterable[str] = ()) -> str:
    """SHA-256 of the normalised, writable part of a live object plus any declared field.

    Reporting fields churn with every client check-in, so they count only when declared.
    """
    if live is None:
        return sha256_json(None)
    keep = set(declared)
    fields = sorted(
        k
        for k in live.body
        if k in keep or (k not in kind.server_managed and k not in kind.reporting)
    )
    view = comparable_view(kind, live.body, fields, ())
    return sha256_json({"id": (live.id or "").lower(), **view})


def ordering_fingerprint(live: Live, field: str, kinds: Iterable[str]) -> str:
    """SHA-256 of every (id, value) pair of `field` among the objects of `kinds` (the kinds
    of one collection)."""
    names = set(kinds)
    current = sorted(
        ((o.id or "").lower(), o.body.get(field)) for o in live.objects if o.kind in names
    )
    return sha256_json([[object_id, value] for object_id, value in current])
