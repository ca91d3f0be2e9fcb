"""Keyset pages, as Intune's collections serve them (graph-intune settings-catalog §4.1).

Items come sorted by a key; a page is at most ``$top`` items (a default when absent, a
400 above the maximum). ``@odata.count`` is the page's length, as the captured Settings
Catalog list reports it, not the total; a surface whose captured collections carry no
``@odata.count`` (Administrative Templates) leaves it out. When more remain,
``@odata.nextLink`` is absolute and repeats the request's other query options with an
opaque ``$skiptoken`` carrying the last key served, like Intune's ``resumeValues``: the
next page starts after that key, so items created or deleted meanwhile shift nothing. ``$skip`` (where an endpoint takes it) skips
items before the first page only.
"""

from __future__ import annotations

import binascii
import bisect
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from reconciler.emulator import b64url
from reconciler.emulator.errors import bad_request
from reconciler.emulator.messages import Request

Key = tuple[Any, ...]


def position(pair: tuple[int, Any]) -> Key:
    """The key of an ``enumerate`` pair: items served in their stored order."""
    return (pair[0],)


def _count(text: str, name: str) -> int:
    if not text.isdigit():
        raise bad_request(f"Invalid value '{text}' for ${name}: expected a non-negative integer.")
    return int(text)


def _token(text: str) -> tuple[Key, int]:
    try:
        data = json.loads(b64url.decode(text))
        key, size = tuple(data["k"]), int(data["n"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise bad_request("The $skiptoken is not valid.") from None
    if size < 1:
        raise bad_request("The $skiptoken is not valid.")
    return key, size


def _link(request: Request, key: Key, size: int) -> str:
    kept = [
        f"{name}={quote(value, safe='')}"
        for name, value in request.query.items()
        if name.lstrip("$") not in ("skiptoken", "skip")
    ]
    token = quote(b64url.encode_json({"k": list(key), "n": size}), safe="")
    return f"{request.base_url}{request.path}?" + "&".join([*kept, f"$skiptoken={token}"])


def page(
    items: Sequence[Any],
    request: Request,
    options: Mapping[str, str],
    *,
    key: Callable[[Any], Key],
    default_size: int,
    max_size: int,
    context: str,
    count: bool = True,
) -> dict[str, Any]:
    """One page of ``items`` (sorted by ``key``) for ``request`` whose OData options are
    ``options`` (bare names, from ``odata.options``)."""
    keys = [key(item) for item in items]
    if "skiptoken" in options:
        after, size = _token(options["skiptoken"])
        start = bisect.bisect_right(keys, after)
    else:
        size = default_size
        if "top" in options:
            size = _count(options["top"], "top")
            if size > max_size:
                raise bad_request(
                    f"Invalid value {size} for $top: the emulator serves at most {max_size} "
                    "items a page here."
                )
        start = _count(options["skip"], "skip") if "skip" in options else 0
    chosen = list(items[start : start + size])
    body: dict[str, Any] = {"@odata.context": f"{request.base_url}/$metadata#{context}"}
    if count:
        body["@odata.count"] = len(chosen)
    if size > 0 and start + size < len(items):
        body["@odata.nextLink"] = _link(request, keys[start + size - 1], size)
    body["value"] = chosen
    return body
