"""JSON batching (graph-spec §3.3): chunking, item encoding, and per-item retries.

Rules carried out here:
- at most 20 items per $batch request; a chunk is either all independent items or one
  dependency group (Graph answers 400 "Batch should be either fully sequential or fully
  parallel" to a mix), listed prerequisites first;
- answers are matched by id, never by position;
- only items answered 429 (any item) or 503/504 (idempotent items) are sent again, after
  the longest Retry-After among them, plus the 424s that depended on them;
- the whole exchange of a chunk shares one attempt and wait budget; a round in which
  some items settled does not use up an attempt;
- with `Hooks`, the caller hears when each item goes out and when its answer is final, and
  (`partial`) a chunk that fails as a whole, or is never sent because the run was
  interrupted, answers each of its items with that error instead of raising.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from requests.structures import CaseInsensitiveDict

from reconciler.errors import GraphError, GraphResponseError, NotSentError
from reconciler.fetch.pacing import RETRY_STATUSES, RetryBudget, is_write, parse_retry_after
from reconciler.fetch.responses import BatchRequest, BatchResult, ClientStats, GraphResponse
from reconciler.fetch.translate import ci_get, http_error, is_json_type

log = logging.getLogger(__name__)

MAX_BATCH = 20
FAILED_DEPENDENCY = 424


class PostBatch(Protocol):
    """Sends one $batch payload (with the usual top-level retries and the client's pacing
    of its items) and returns the answer; `before_send` runs just before each attempt goes
    out (after any pacing wait)."""

    def __call__(
        self,
        payload: dict[str, Any],
        *,
        idempotent: bool,
        before_send: Callable[[int], None] | None = None,
    ) -> GraphResponse: ...


@dataclass(frozen=True)
class Hooks:
    """What the apply hears of a batch: items sent (ids, attempt), final answers, and
    whether a failed or unsent chunk answers its items instead of raising."""

    on_sent: Callable[[list[str], int], None] | None = None
    on_result: Callable[[BatchResult], None] | None = None
    partial: bool = False


NO_HOOKS = Hooks()


def plan_chunks(
    requests: Sequence[BatchRequest], *, max_writes: int = MAX_BATCH
) -> list[list[BatchRequest]]:
    """Split requests into $batch-sized chunks, independent ones holding at most `max_writes`
    writes (the pacing burst: Graph sees a chunk's writes all at once). Raises ValueError
    for caller mistakes: duplicate ids, unknown or cyclic `depends_on`, absolute URLs, a
    group over 20."""
    by_id: dict[str, BatchRequest] = {}
    for request in requests:
        if request.id in by_id:
            raise ValueError(f"duplicate batch request id {request.id!r}")
        if not request.url.startswith("/") or "://" in request.url:
            raise ValueError(f"batch url must be relative to the base URL: {request.url!r}")
        by_id[request.id] = request
    order = {request.id: index for index, request in enumerate(requests)}
    groups: dict[str, list[tuple[int, int, BatchRequest]]] = {}
    for request in requests:
        root, depth = _root(request, by_id)
        groups.setdefault(root, []).append((depth, order[request.id], request))

    parallel: list[BatchRequest] = []
    chunks: list[list[BatchRequest]] = []
    for members in groups.values():
        if len(members) == 1:
            parallel.append(members[0][2])
            continue
        if len(members) > MAX_BATCH:
            raise ValueError(f"a depends_on group has {len(members)} requests (max {MAX_BATCH})")
        chunks.append([request for _, _, request in sorted(members, key=lambda m: m[:2])])
    parallel.sort(key=lambda request: order[request.id])
    return _pack(parallel, max(1, max_writes)) + chunks


def _pack(requests: list[BatchRequest], max_writes: int) -> list[list[BatchRequest]]:
    chunks: list[list[BatchRequest]] = []
    current: list[BatchRequest] = []
    writes = 0
    for request in requests:
        write = is_write(request.method)
        if len(current) == MAX_BATCH or (write and writes == max_writes):
            chunks.append(current)
            current, writes = [], 0
        current.append(request)
        writes += write
    return chunks + [current] if current else chunks


def _root(request: BatchRequest, by_id: Mapping[str, BatchRequest]) -> tuple[str, int]:
    seen = {request.id}
    depth = 0
    while request.depends_on is not None:
        if request.depends_on not in by_id:
            raise ValueError(
                f"batch request {request.id!r} depends on unknown {request.depends_on!r}"
            )
        request = by_id[request.depends_on]
        if request.id in seen:
            raise ValueError(f"batch requests form a depends_on cycle at {request.id!r}")
        seen.add(request.id)
        depth += 1
    return request.id, depth


def encode_item(request: BatchRequest, in_flight: set[str]) -> dict[str, Any]:
    """The JSON form of one item; `dependsOn` only if the prerequisite is sent alongside."""
    item: dict[str, Any] = {"id": request.id, "method": request.method.upper(), "url": request.url}
    if request.body is not None:
        if isinstance(request.body, bytes | bytearray):
            item["body"] = base64.b64encode(request.body).decode("ascii")
            content_type = request.content_type or "application/octet-stream"
        else:
            item["body"] = request.body
            content_type = request.content_type or "application/json"
        item["headers"] = {"Content-Type": content_type}
    if request.depends_on is not None and request.depends_on in in_flight:
        item["dependsOn"] = [request.depends_on]
    return item


def decode_body(body: Any, headers: CaseInsensitiveDict[str]) -> Any:
    """Sub-response bodies: JSON as is; non-JSON content types arrive base64-encoded."""
    content_type = headers.get("content-type")
    binary = content_type is not None and not is_json_type(content_type)
    if body is None or (body == "" and not binary):
        return None
    if binary and isinstance(body, str):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return body.encode("utf-8")  # some text types are sent as plain text
    return body


@dataclass(frozen=True)
class _Entry:
    """One sub-response, read once: its status, its headers and its raw body."""

    status: int
    headers: CaseInsensitiveDict[str]
    body: Any


def _headers(entry: Mapping[str, Any]) -> CaseInsensitiveDict[str]:
    raw = ci_get(entry, "headers")
    if not isinstance(raw, Mapping):
        return CaseInsensitiveDict()
    return CaseInsensitiveDict({str(k): str(v) for k, v in raw.items()})


def _entries(response: GraphResponse, sent: Sequence[BatchRequest]) -> dict[str, _Entry]:
    """Answers by id; GraphResponseError if the $batch reply is malformed or incomplete."""
    body = response.body
    items = ci_get(body, "responses") if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        raise GraphResponseError("$batch answer has no 'responses' list")
    found: dict[str, _Entry] = {}
    for entry in items:
        if not isinstance(entry, Mapping):
            raise GraphResponseError("$batch answer holds a non-object entry")
        status = ci_get(entry, "status")
        if type(status) is not int or not 100 <= status <= 599:
            raise GraphResponseError(f"$batch answer has an invalid status {str(status)[:20]!r}")
        entry_id = str(ci_get(entry, "id"))
        if entry_id not in found:
            found[entry_id] = _Entry(status, _headers(entry), ci_get(entry, "body"))
    missing = [request.id for request in sent if request.id not in found]
    if missing:
        raise GraphResponseError(f"$batch answer lacks request(s) {', '.join(missing[:5])}")
    return found


class ChunkRunner:
    """Runs one chunk to completion, retrying only the items that may succeed later."""

    def __init__(
        self,
        *,
        post: PostBatch,
        budget: Callable[[], RetryBudget],
        sleep: Callable[[float], None],
        stats: ClientStats,
        cancelled: Callable[[], bool] = lambda: False,
        throttled: Callable[[Sequence[tuple[str, str]], float], None] = lambda items, wait: None,
    ) -> None:
        self._post = post
        self._budget = budget
        self._sleep = sleep
        self._stats = stats
        self._cancelled = cancelled
        self._throttled = throttled

    def run(self, chunk: Sequence[BatchRequest], hooks: Hooks = NO_HOOKS) -> dict[str, BatchResult]:
        budget = self._budget()
        results: dict[str, BatchResult] = {}
        pending = list(chunk)
        while pending:
            in_flight = {request.id for request in pending}
            ids = [request.id for request in pending]
            try:
                if self._cancelled():
                    raise NotSentError("not sent: the run was interrupted")
                response = self._post(
                    {"requests": [encode_item(request, in_flight) for request in pending]},
                    idempotent=all(request.idempotent for request in pending),
                    before_send=_announce(hooks, ids),
                )
            except GraphError as error:
                if not hooks.partial:
                    raise
                for request in pending:
                    results[request.id] = _failed(request, error)
                    if hooks.on_result:
                        hooks.on_result(results[request.id])
                return results
            self._stats.add(batches=1, batch_items=len(pending))
            entries = _entries(response, pending)
            retry = self._retryable(pending, entries)
            delay = None
            if retry:
                # A throttled chunk drains a few items per round; only futile rounds count
                # as attempts, so a large chunk is not given up while it is moving. Items
                # answered 429 with a Retry-After are being scheduled: that is progress too.
                wait = _longest_retry_after(entries, retry)
                throttled = [r for r in pending if entries[r.id].status == 429]
                delay = budget.next_delay(
                    wait,
                    progress=len(retry) < len(pending),
                    throttled=len(throttled) == len(retry),
                )
                if throttled and wait is not None:
                    self._throttled([(r.url, r.method) for r in throttled], wait)
            if delay is None:
                retry = set()
            for request in pending:
                if request.id not in retry:
                    results[request.id] = _result(request, entries[request.id], response)
                    if hooks.on_result:
                        hooks.on_result(results[request.id])
            pending = [request for request in pending if request.id in retry]
            if pending:
                self._stats.add(retries=len(pending))
                statuses = sorted({entries[r.id].status for r in pending})
                log.info(
                    "$batch: %d item(s) answered %s; resending them in %.2fs",
                    len(pending),
                    "/".join(map(str, statuses)),
                    delay or 0.0,
                )
                self._sleep(delay or 0.0)
        return results

    def _retryable(
        self, pending: Sequence[BatchRequest], entries: Mapping[str, _Entry]
    ) -> set[str]:
        retry: set[str] = set()
        for request in pending:  # prerequisites come first, so one pass settles 424 chains
            status = entries[request.id].status
            if status == 429:
                self._stats.add(throttled=1)
            transient = status == 429 or (status in RETRY_STATUSES and request.idempotent)
            # a 424 whose prerequisite is resent is resent with it, as the pair it was
            if transient or (status == FAILED_DEPENDENCY and request.depends_on in retry):
                retry.add(request.id)
        return retry


def _longest_retry_after(entries: Mapping[str, _Entry], ids: set[str]) -> float | None:
    waits = [parse_retry_after(entries[i].headers.get("retry-after")) for i in ids]
    known = [wait for wait in waits if wait is not None]
    return max(known) if known else None


def _result(request: BatchRequest, entry: _Entry, response: GraphResponse) -> BatchResult:
    status, headers = entry.status, entry.headers
    body = decode_body(entry.body, headers)
    request_id = headers.get("request-id", "")
    error = None
    if status >= 400:
        error = http_error(
            status,
            body,
            headers=headers,
            method=request.method.upper(),
            url=request.url,
            fallback_request_id=response.request_id,
            maybe_applied=not request.idempotent and status >= 500,
        )
        request_id = error.request_id
    return BatchResult(
        id=request.id,
        status=status,
        headers=headers,
        body=body,
        request_id=request_id or response.request_id,
        error=error,
    )


def _announce(hooks: Hooks, ids: list[str]) -> Callable[[int], None] | None:
    on_sent = hooks.on_sent
    if on_sent is None:
        return None
    return lambda attempt: on_sent(ids, attempt)


def _failed(request: BatchRequest, error: GraphError) -> BatchResult:
    """An item whose chunk failed as a whole (or was never sent): its answer is the error.
    Status 0: the item has no answer of its own (a 404 from the $batch endpoint itself must
    not read as "this item is gone"); the error carries the chunk's status and request id."""
    return BatchResult(id=request.id, status=0, headers={}, body=None, request_id="", error=error)


def run_batch(
    requests: Sequence[BatchRequest],
    *,
    runner: ChunkRunner,
    concurrency: int,
    max_writes: int = MAX_BATCH,
    hooks: Hooks = NO_HOOKS,
) -> dict[str, BatchResult]:
    """All chunks, `concurrency` at a time. A failed $batch request itself (after its own
    retries) raises once every chunk has finished, unless `hooks.partial`; per-item errors
    never raise."""
    chunks = plan_chunks(requests, max_writes=max_writes)
    results: dict[str, BatchResult] = {}
    if len(chunks) <= 1 or concurrency <= 1:
        for chunk in chunks:
            results.update(runner.run(chunk, hooks))
        return results
    with ThreadPoolExecutor(max_workers=min(concurrency, len(chunks))) as pool:
        for chunk_results in pool.map(lambda chunk: runner.run(chunk, hooks), chunks):
            results.update(chunk_results)
    return results
