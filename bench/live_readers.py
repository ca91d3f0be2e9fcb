"""The `live` profile's reference readers of a Settings Catalog tenant: plain `requests`
loops, no reconciler code, each honouring a 429's Retry-After as any polite tool must.

- `naive`: the list pages, then per policy GET /settings and GET /assignments, one after
  another (what one-object-at-a-time tools do): pages + 2N request units.
- `peer`: the list pages, then the same 2N reads packed 20 to a `$batch`, one batch after
  another, retrying a batch's throttled items after the largest Retry-After among them
  (the Microsoft365DSC / IntuneManagement style): pages + 2N units.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

from bench.live_tenant import COLLECTION

BATCH_SIZE = 20
PAGE = 100  # $top, as the portal lists


@dataclass(frozen=True)
class ReadRun:
    wall: float
    sent: int  # request units sent, each $batch item one, throttled ones included
    throttled: int  # of those, answered 429
    policies: int


def _get(session: requests.Session, url: str) -> tuple[dict[str, Any], int, int]:
    """GET, waiting out 429s: the body, the units sent and how many were throttled."""
    sent = throttled = 0
    while True:
        reply = session.get(url, timeout=120)
        sent += 1
        if reply.status_code == 429:
            throttled += 1
            time.sleep(float(reply.headers.get("Retry-After", "1")))
            continue
        reply.raise_for_status()
        return reply.json(), sent, throttled


def _list(session: requests.Session, base_url: str) -> tuple[list[str], int, int]:
    ids: list[str] = []
    sent = throttled = 0
    url: str | None = f"{base_url}{COLLECTION}?$top={PAGE}"
    while url:
        page, s, t = _get(session, url)
        sent, throttled = sent + s, throttled + t
        ids.extend(item["id"] for item in page["value"])
        url = page.get("@odata.nextLink")
    return ids, sent, throttled


def naive(base_url: str) -> ReadRun:
    with requests.Session() as session:
        start = time.perf_counter()
        ids, sent, throttled = _list(session, base_url)
        for object_id in ids:
            for facet in ("settings", "assignments"):
                _, s, t = _get(session, f"{base_url}{COLLECTION}/{object_id}/{facet}")
                sent, throttled = sent + s, throttled + t
        return ReadRun(time.perf_counter() - start, sent, throttled, len(ids))


def _batch(
    session: requests.Session, base_url: str, items: list[dict[str, str]]
) -> tuple[int, int]:
    """Send one $batch until every item is answered: (units sent, units throttled)."""
    sent = throttled = 0
    pending = items
    while pending:
        reply = session.post(f"{base_url}/$batch", json={"requests": pending}, timeout=120)
        reply.raise_for_status()
        sent += len(pending)
        answers = {r["id"]: r for r in reply.json()["responses"]}
        again = [item for item in pending if answers[item["id"]]["status"] == 429]
        for item in pending:
            status = answers[item["id"]]["status"]
            if status != 429 and not 200 <= status < 300:
                raise RuntimeError(f"peer reader: {item['url']} answered {status}")
        if again:
            throttled += len(again)
            waits = [
                float((answers[item["id"]].get("headers") or {}).get("Retry-After", "1"))
                for item in again
            ]
            time.sleep(max(waits))
        pending = again
    return sent, throttled


def peer(base_url: str) -> ReadRun:
    with requests.Session() as session:
        start = time.perf_counter()
        ids, sent, throttled = _list(session, base_url)
        items = [
            {"id": f"{n}:{facet}", "method": "GET", "url": f"{COLLECTION}/{object_id}/{facet}"}
            for n, object_id in enumerate(ids)
            for facet in ("settings", "assignments")
        ]
        for first in range(0, len(items), BATCH_SIZE):
            s, t = _batch(session, base_url, items[first : first + BATCH_SIZE])
            sent, throttled = sent + s, throttled + t
        return ReadRun(time.perf_counter() - start, sent, throttled, len(ids))
