"""Collection pages: ``$top`` and an opaque ``$skiptoken`` in an absolute ``@odata.nextLink``.

``$top`` sets the page size, capped at the emulator's ``page_size`` (Graph treats
``$top`` as a page size too, and the cap lets tests force paging). The skiptoken carries
the offset and page size; a client must follow the link as given, never build one.
"""

from __future__ import annotations

import binascii
import json
from typing import Any
from urllib.parse import quote

from reconciler.emulator import b64url
from reconciler.emulator.errors import bad_request
from reconciler.emulator.messages import Request


def _encode(offset: int, size: int) -> str:
    return b64url.encode_json({"o": offset, "n": size})


def _decode(token: str) -> tuple[int, int]:
    try:
        raw = b64url.decode(token)
        data = json.loads(raw)
        offset, size = int(data["o"]), int(data["n"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise bad_request("The $skiptoken is not valid.") from None
    if offset < 0 or size < 1:
        raise bad_request("The $skiptoken is not valid.")
    return offset, size


def _top(request: Request) -> int | None:
    text = request.query.get("$top")
    if text is None:
        return None
    if not text.isdigit():
        raise bad_request(f"Invalid value '{text}' for $top: expected a non-negative integer.")
    return int(text)


def page(items: list[Any], request: Request, *, page_size: int, context: str) -> dict[str, Any]:
    """One page of ``items`` for ``request``, with ``@odata.nextLink`` when more remain."""
    token = request.query.get("$skiptoken")
    if token is not None:
        offset, size = _decode(token)
    else:
        top = _top(request)
        offset, size = 0, page_size if top is None else min(top, page_size)
    result: dict[str, Any] = {"@odata.context": f"{request.base_url}/$metadata#{context}"}
    if request.query.get("$count", "").lower() == "true":
        result["@odata.count"] = len(items)
    result["value"] = items[offset : offset + size]
    if size > 0 and offset + size < len(items):
        link_token = quote(_encode(offset + size, size), safe="")
        result["@odata.nextLink"] = f"{request.base_url}{request.path}?$skiptoken={link_token}"
    return result
