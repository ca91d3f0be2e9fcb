"""The two reference readers, plain `requests` loops with no reconciler code in them.

- `naive`: what the tools we replace do: the list pages, then one GET per object, per
  payload and per assignment list, one after another.
- `floor`: the minimum our plan needs: the singleton, the list pages, then the per-object
  reads packed 20 to a `$batch`, sent one after another, replies read but not decoded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

COLLECTION = "/officeConfiguration/clientConfigurations"
STREAMS = ("policyPayload", "userPreferencePayload")
BATCH_SIZE = 20


@dataclass(frozen=True)
class ReadRun:
    wall: float
    requests: int  # as counted by this loop (checked against the emulator's counter)


def _list_ids(session: requests.Session, base_url: str) -> tuple[list[str], int]:
    ids: list[str] = []
    sent = 0
    url: str | None = base_url + COLLECTION
    while url:
        reply = session.get(url, timeout=60)
        reply.raise_for_status()
        sent += 1
        page: dict[str, Any] = reply.json()
        ids.extend(item["id"] for item in page["value"])
        url = page.get("@odata.nextLink")
    return ids, sent


def _get(session: requests.Session, url: str) -> None:
    reply = session.get(url, timeout=60)
    reply.raise_for_status()
    _ = reply.content


def naive(base_url: str) -> ReadRun:
    with requests.Session() as session:
        start = time.perf_counter()
        _get(session, base_url + "/officeConfiguration")
        ids, sent = _list_ids(session, base_url)
        for object_id in ids:
            item = f"{base_url}{COLLECTION}/{object_id}"
            for url in (item, *(f"{item}/{s}" for s in STREAMS), f"{item}/assignments"):
                _get(session, url)
        wall = time.perf_counter() - start
    return ReadRun(wall=wall, requests=1 + sent + 4 * len(ids))


def batch_items(ids: list[str]) -> list[dict[str, str]]:
    """Our reader's per-object reads, in its order: both payloads, then the assignments."""
    items = []
    for index, object_id in enumerate(ids):
        item = f"{COLLECTION}/{object_id}"
        for stream in STREAMS:
            items.append({"id": f"{index}:{stream}", "method": "GET", "url": f"{item}/{stream}"})
        items.append({"id": f"{index}:assignments", "method": "GET", "url": f"{item}/assignments"})
    return items


def floor(base_url: str) -> ReadRun:
    with requests.Session() as session:
        start = time.perf_counter()
        _get(session, base_url + "/officeConfiguration")
        ids, sent = _list_ids(session, base_url)
        items = batch_items(ids)
        for first in range(0, len(items), BATCH_SIZE):
            chunk = {"requests": items[first : first + BATCH_SIZE]}
            reply = session.post(base_url + "/$batch", json=chunk, timeout=60)
            reply.raise_for_status()
            _ = reply.content
            sent += 1
        wall = time.perf_counter() - start
    return ReadRun(wall=wall, requests=1 + sent)
