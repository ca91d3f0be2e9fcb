"""The one HTTP boundary to Microsoft Graph.

`GraphClient` sends every request over one `requests.Session` with a timeout, a
`User-Agent: reconciler/<version>`, one `client-request-id` per logical request (repeated on
its retries with `Retry-Attempt: n`, graph-spec §3.8), no redirects and TLS verification on;
it retries 429/503/504 (and,
for idempotent requests, dropped connections) within an attempt and wait budget, paces
writes, pages through `@odata.nextLink`, batches, and translates every failure once into
the error tree of `reconciler.errors`. Nothing it raises contains a request header.

Retry policy (graph-spec §3.2):
- 429 is retried for every request: Graph refused it, nothing happened.
- 503, 504, timeouts and dropped connections are retried only when `idempotent=True`.
  For a non-idempotent write (POST create) they raise at once with `maybe_applied=True`:
  the write may have landed, so the caller re-lists before trying again. A connection that
  was never opened is retried either way.
- The wait is `Retry-After` (seconds, fractional, or an HTTP-date) or else exponential
  backoff with full jitter; giving up after `max_attempts` sends or once the next wait
  would pass `max_total_wait` seconds, with the translated error of the last answer.
- A reply cut short counts as a dropped connection: a body shorter than its
  Content-Length, or an HTTP/1.1 reply with no framing at all (what a connection cut
  inside the headers looks like).
- $batch items follow the same rules item by item (see `batching`).
- A host that never answered gets at most `UNREACHABLE_ATTEMPTS` quick tries, never more
  than the budget: a wrong URL or a dead network fails in seconds, naming the host.

Interruption: `cancel()` (a signal handler's first step) stops scheduling: no request,
retry or $batch chunk starts after it (NotSentError), waits end at once, and a request
already sent finishes within its timeout.

Logging (`reconciler.fetch`): INFO has each request (method, path, status, request-id,
client-request-id, time), each retry and each throttle wait; nothing logged holds a header
value other than those ids, or a body.
"""

from __future__ import annotations

import json as jsonlib
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from reconciler import __version__
from reconciler.errors import (
    ConfigError,
    GraphError,
    GraphResponseError,
    GraphTransportError,
    NotSentError,
)
from reconciler.fetch.batching import MAX_BATCH, NO_HOOKS, ChunkRunner, Hooks, run_batch
from reconciler.fetch.pacing import (
    RETRY_STATUSES,
    Item,
    Pacer,
    RetryBudget,
    is_write,
    parse_retry_after,
)
from reconciler.fetch.responses import BatchRequest, BatchResult, ClientStats, GraphResponse
from reconciler.fetch.translate import decode_json, excerpt, http_error, is_json_type, one_line
from reconciler.fetch.urls import Origin, normalise_base_url

__all__ = [
    "BatchRequest",
    "BatchResult",
    "ClientStats",
    "GraphClient",
    "GraphResponse",
    "normalise_base_url",
]

log = logging.getLogger(__name__)

USER_AGENT = f"reconciler/{__version__}"
UNREACHABLE_ATTEMPTS = 3  # sends to a host that has never answered this client
UNREACHABLE_MAX_DELAY = 1.0  # seconds between them

MAX_BODY_BYTES = 64 * 1024 * 1024  # a hostile or broken server must not exhaust memory
MAX_PAGES = 10_000
_TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: CaseInsensitiveDict[str]
    content: bytes
    client_request_id: str


def _environment_session(base_url: str) -> requests.Session:
    """A session with the environment's proxy and CA bundle settings read once.

    requests re-reads them from the environment for every request (a scan of all variables
    per call: a tenth of the client's CPU when reading a large tenant). Every request of a
    client goes to the origin of `base_url`, so its proxy is known up front. Not trusting the
    environment per request also keeps a ~/.netrc entry from replacing the bearer token.
    """
    session = requests.Session()
    settings = session.merge_environment_settings(base_url, {}, None, None, None)
    session.trust_env = False
    session.proxies.update(settings["proxies"])
    session.verify = settings["verify"]
    return session


class GraphClient:
    """Graph over HTTP. Thread-safe; `batch` uses `concurrency` threads.

    `pacer` (see `pacing.Pacer`) takes every request's units, each $batch item counting
    once, from the buckets of its throttle class before it goes out. Without one,
    `write_rate` (writes per second, burst `write_burst`) paces POST/PUT/PATCH/DELETE
    alone and reads are not paced. `max_total_wait` bounds the seconds one request waits
    for Graph (Retry-After, backoff), not counting the client's own pacing. `sleep` is
    injected so tests need not wait out backoff.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: requests.auth.AuthBase | None = None,
        timeout: float = 30.0,
        max_attempts: int = 8,
        max_total_wait: float = 600.0,
        concurrency: int = 4,
        write_rate: float | None = None,
        write_burst: int = 20,
        pacer: Pacer | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        label: str = "",
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        # Begins each of this client's log lines: a fleet's tenant, among many side by side.
        self._log_prefix = f"[{label}] " if label else ""
        self._origin = Origin.of(self.base_url)
        if session is not None and session.verify is False:
            raise ConfigError("TLS verification cannot be turned off.")
        self._owns_session = session is None
        if session is None:
            session = _environment_session(self.base_url)
            adapter = HTTPAdapter(pool_maxsize=max(10, concurrency))
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self._session = session
        self._auth = auth
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.max_total_wait = max_total_wait
        self.concurrency = max(1, concurrency)
        self._cancel = threading.Event()
        # Waits (backoff, Retry-After, pacing) end at once on cancel(); tests inject `sleep`.
        self._sleep = self._interruptible_sleep if sleep is time.sleep else sleep
        self._rng = random.Random()
        if pacer is None and write_rate:
            pacer = Pacer.writes_only(write_rate, write_burst)
        self._pacer = pacer
        self.stats = ClientStats()
        self._answered = False  # has the host ever answered? (see UNREACHABLE_ATTEMPTS)
        self._batch_runner = ChunkRunner(
            post=self._post_batch,
            budget=self._budget,
            sleep=self._sleep,
            stats=self.stats,
            cancelled=self._cancel.is_set,
            throttled=self._throttled,
        )

    # -- public API ------------------------------------------------------------------------

    def cancel(self) -> None:
        """Send nothing new from now on (see the module docstring); thread- and signal-safe."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def get(self, path: str) -> GraphResponse:
        """One GET. Any status >= 400 raises (404 -> NotFoundError), never "absent"."""
        return self.send("GET", path)

    def get_entity(self, path: str) -> dict[str, Any]:
        """A JSON object, unwrapping the {"value": {...}} form some docs samples show."""
        response = self.get(path)
        body = response.body
        if isinstance(body, dict):
            keys = [key for key in body if not key.startswith("@")]
            if keys == ["value"] and isinstance(body["value"], dict):
                return dict(body["value"])
            return body
        raise GraphResponseError(f"GET {self._display(path)}: {_not_json(response, 'an object')}")

    def get_bytes(self, path: str) -> bytes:
        """The raw body of a GET (stream properties); b"" for 204 or an empty body."""
        return self._exchange("GET", self._url(path), idempotent=True).content

    def list_all(self, path: str, *, top: int | None = None) -> list[dict[str, Any]]:
        """Every item of a collection, following `@odata.nextLink` as an opaque URL.

        Raises GraphResponseError for a page without a `value` list, a non-object item,
        a link seen before (a loop), or a link to another origin (not sent: the token
        must not leave the Graph host).
        """
        url = self._url(path)
        if top is not None:
            url += ("&" if "?" in url else "?") + f"$top={int(top)}"
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        while True:
            seen.add(url)
            response = self._response("GET", url, self._exchange("GET", url, idempotent=True))
            body = response.body
            value = body.get("value") if isinstance(body, dict) else None
            if not isinstance(value, list):
                wanted = "a collection (a 'value' list)"
                raise GraphResponseError(f"GET {self._display(url)}: {_not_json(response, wanted)}")
            if not all(isinstance(item, dict) for item in value):
                raise GraphResponseError(f"GET {self._display(url)}: 'value' holds a non-object")
            items.extend(value)
            link = body.get("@odata.nextLink")
            if link is None:
                return items
            url = self._next_url(url, link, seen, len(seen))

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        idempotent: bool = True,
        before_send: Callable[[int], None] | None = None,
    ) -> GraphResponse:
        """Any request. `json` is sent as application/json, `data` as raw bytes (default
        application/octet-stream). Raises the translated error for status >= 400; a
        failure after which a non-idempotent write may have landed has maybe_applied=True.
        `before_send(attempt)` runs just before each attempt goes out (the audit's line)."""
        if json is not None and data is not None:
            raise ValueError("pass json or data, not both")
        body: bytes | None = None
        if json is not None:
            body = _dumps(json)
            content_type = content_type or "application/json"
        elif data is not None:
            body = bytes(data)
            content_type = content_type or "application/octet-stream"
        method = method.upper()
        url = self._url(path)
        reply = self._exchange(
            method,
            url,
            body=body,
            content_type=content_type,
            idempotent=idempotent,
            before_send=before_send,
        )
        return self._response(method, url, reply)

    def batch(
        self, requests: Sequence[BatchRequest], *, hooks: Hooks = NO_HOOKS
    ) -> dict[str, BatchResult]:
        """Results by request id, via $batch (20 per request, `concurrency` at a time).

        Per-item errors never raise (see BatchResult.error); a $batch request that fails
        itself after its retries, or answers garbage, raises once all chunks are done
        (with `hooks.partial`: answers its items with the error instead).
        ValueError for malformed input (duplicate ids, unknown depends_on).
        """
        return run_batch(
            requests,
            runner=self._batch_runner,
            concurrency=self.concurrency,
            max_writes=(self._pacer.write_burst if self._pacer else None) or MAX_BATCH,
            hooks=hooks,
        )

    def read_many(self, paths: Sequence[str]) -> dict[str, BatchResult]:
        """GET each relative path through $batch; results keyed by path."""
        unique = list(dict.fromkeys(paths))
        results = self.batch(
            [BatchRequest(id=str(i), method="GET", url=p) for i, p in enumerate(unique)]
        )
        return {path: results[str(i)] for i, path in enumerate(unique)}

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GraphClient({self.base_url!r})"

    # -- URLs ------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        try:
            parts = urlsplit(path)
            absolute = bool(parts.scheme or parts.netloc)
        except ValueError:  # urllib cannot parse it (an unclosed IPv6 bracket, ...)
            absolute = True  # and Origin.of gives it no origin: refused below
        if absolute:
            if Origin.of(path) != self._origin:
                raise GraphResponseError(
                    f"Refusing to send a request to {Origin.of(path) or 'an invalid URL'}: "
                    f"it is not the Graph host {self._origin}."
                )
            return path
        return self.base_url + ("" if path.startswith("/") else "/") + path

    def _next_url(self, current: str, link: Any, seen: set[str], pages: int) -> str:
        where = f"GET {self._display(current)}: @odata.nextLink"
        if not isinstance(link, str) or not link:
            raise GraphResponseError(f"{where} is not a URL")
        try:
            url = urljoin(current, link)
        except ValueError:  # urllib cannot parse it (an unclosed IPv6 bracket, ...)
            raise GraphResponseError(f"{where} is not a URL") from None
        if Origin.of(url) != self._origin:
            raise GraphResponseError(
                f"{where} points to another host ({Origin.of(url) or 'invalid'}); "
                "not followed, so the token stays with the Graph host."
            )
        if url in seen:
            raise GraphResponseError(f"{where} repeats a page already read (a paging loop).")
        if pages >= MAX_PAGES:
            raise GraphResponseError(f"{where}: more than {MAX_PAGES} pages; giving up.")
        return url

    def _display(self, url: str) -> str:
        """The URL as shown in errors: relative to the base URL, capped."""
        if url.startswith(self.base_url):
            url = url[len(self.base_url) :] or "/"
        return one_line(url, 160)

    # -- the exchange ----------------------------------------------------------------------

    def _budget(self) -> RetryBudget:
        return RetryBudget(self.max_attempts, self.max_total_wait, rng=self._rng)

    def _post_batch(
        self,
        payload: dict[str, Any],
        *,
        idempotent: bool,
        before_send: Callable[[int], None] | None = None,
    ) -> GraphResponse:
        url = self.base_url + "/$batch"
        reply = self._exchange(
            "POST",
            url,
            body=_dumps(payload),
            content_type="application/json",
            idempotent=idempotent,
            items=[(item["url"], item["method"]) for item in payload["requests"]],
            before_send=before_send,
        )
        return self._response("POST", url, reply)

    def _relative(self, url: str) -> str:
        """The path of `url` below the base URL (what the pacer classifies)."""
        if url.startswith(self.base_url):
            return url[len(self.base_url) :] or "/"
        return urlsplit(url).path

    def _pace(self, items: Sequence[Item]) -> None:
        if self._pacer is None:
            return
        wait, for_writes = self._pacer.reserve(items)
        if wait <= 0:
            return
        if for_writes and wait >= 1.0:
            log.info("pacing writes: waited %.1fs for the write limit", wait)
        elif wait >= 5.0:
            log.info("pacing requests: waited %.1fs for the request limit", wait)
        self._sleep(wait)

    def _throttled(self, items: Sequence[Item], seconds: float) -> None:
        """Graph throttled these items: their buckets hold everyone back until then."""
        if self._pacer is not None:
            self._pacer.throttled(items, seconds)

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        body: bytes | None = None,
        content_type: str | None = None,
        items: Sequence[Item] | None = None,
        before_send: Callable[[int], None] | None = None,
    ) -> _Reply:
        """Send with retries; return a 2xx reply or raise the translated error.
        `items` are the request units this request carries, as (path, method) (default:
        the request itself; a $batch carries its items); `before_send(attempt)` runs just
        before each attempt goes out."""
        budget = self._budget()
        units = [(self._relative(url), method)] if items is None else list(items)
        client_request_id = str(uuid.uuid4())  # one per logical request, kept on retries
        attempt = 0
        last_error: GraphError | None = None
        while True:
            self._stop_if_cancelled(method, url, last_error)
            if self._pacer is not None:
                self._pace(units)
                self._stop_if_cancelled(method, url, last_error)
            if before_send is not None:
                before_send(attempt)
            try:
                reply = self._send_once(method, url, body, content_type, client_request_id, attempt)
            except _TRANSPORT_ERRORS as exc:
                retry_safe = idempotent or _never_connected(exc)
                error = self._transport_error(method, url, exc, maybe_applied=not retry_safe)
                if isinstance(exc, requests.exceptions.SSLError):
                    raise error from exc  # a certificate problem does not heal by retrying
                delay = budget.next_delay(None) if retry_safe else None
                if delay is not None and not self._answered and _never_connected(exc):
                    # Nothing ever answered: a wrong URL or no network. Say so in seconds
                    # (fewer and shorter tries than the budget, never more).
                    delay = (
                        None
                        if attempt + 1 >= UNREACHABLE_ATTEMPTS
                        else min(delay, UNREACHABLE_MAX_DELAY)
                    )
                if delay is None:
                    raise error from exc
                self._reset_connections()
                self._pause(delay, f"{method} {self._display(url)}: {error}")
                last_error = error
                attempt += 1
                continue
            self._answered = True
            status = reply.status
            if status == 429:
                self.stats.add(throttled=1)
            if status in RETRY_STATUSES and (idempotent or status == 429):
                retry_after = parse_retry_after(reply.headers.get("retry-after"))
                delay = budget.next_delay(retry_after, throttled=status == 429)
                if status == 429 and retry_after is not None:
                    self._throttled(units, retry_after)
                if delay is not None:
                    if status == 503:
                        self._reset_connections()  # Graph asks for a new connection
                    what = "throttled" if status == 429 else f"HTTP {status}"
                    self._pause(delay, f"{method} {self._display(url)}: {what}")
                    last_error = self._http_error(method, url, reply, idempotent=idempotent)
                    attempt += 1
                    continue
            if 300 <= status < 400:
                raise GraphResponseError(
                    f"{method} {self._display(url)}: unexpected redirect (HTTP {status}); "
                    "redirects are not followed."
                )
            if status >= 400:
                raise self._http_error(method, url, reply, idempotent=idempotent)
            return reply

    def _http_error(self, method: str, url: str, reply: _Reply, *, idempotent: bool) -> GraphError:
        return http_error(
            reply.status,
            reply.content,
            headers=reply.headers,
            method=method,
            url=self._display(url),
            maybe_applied=not idempotent and reply.status >= 500,
        )

    def _send_once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        content_type: str | None,
        client_request_id: str,
        attempt: int,
    ) -> _Reply:
        headers = {
            "client-request-id": client_request_id,
            "Accept": "application/json, */*",
            "User-Agent": USER_AGENT,
        }
        if attempt:
            headers["Retry-Attempt"] = str(attempt)
        if content_type:
            headers["Content-Type"] = content_type
        self.stats.add(method=method)
        started = time.monotonic()
        response = self._session.request(
            method,
            url,
            data=body,
            headers=headers,
            auth=self._auth,
            timeout=self.timeout,
            allow_redirects=False,
            stream=True,  # read below, so a drop mid-body is caught as a transport error
        )
        try:
            content = _read_capped(response)
            if _cut_short(method, response):
                raise requests.exceptions.ChunkedEncodingError("reply ended before its length")
        finally:
            response.close()
        if log.isEnabledFor(logging.INFO):  # the shortened URL costs work per request
            log.info(
                "%s%s %s -> %s in %.0f ms request-id=%s client-request-id=%s%s",
                self._log_prefix,
                method,
                self._display(url),
                response.status_code,
                (time.monotonic() - started) * 1000,
                one_line(response.headers.get("request-id", ""), 100),
                client_request_id,
                f" retry-attempt={attempt}" if attempt else "",
            )
        return _Reply(response.status_code, response.headers, content, client_request_id)

    def _interruptible_sleep(self, seconds: float) -> None:
        self._cancel.wait(seconds)

    def _stop_if_cancelled(self, method: str, url: str, last_error: GraphError | None) -> None:
        """After cancel(): nothing more goes out. A write whose earlier attempt may have
        landed (dropped, timed out, 5xx) raises that error as maybe applied: its outcome is
        unknown. Anything else was not sent at all (a 429 means Graph did nothing)."""
        if not self._cancel.is_set():
            return
        status = getattr(last_error, "status", None)
        if last_error is not None and is_write(method) and status != 429:
            last_error.maybe_applied = True
            raise last_error
        raise NotSentError(f"{method} {self._display(url)}: not sent, the run was interrupted")

    def _pause(self, delay: float, why: str) -> None:
        self.stats.add(retries=1)
        log.info("%sretrying in %.2fs after %s", self._log_prefix, delay, why)
        self._sleep(delay)

    def _reset_connections(self) -> None:
        # Closing the adapters drops pooled connections; the session stays usable.
        for adapter in self._session.adapters.values():
            adapter.close()

    def _transport_error(
        self, method: str, url: str, exc: Exception, *, maybe_applied: bool
    ) -> GraphTransportError:
        if isinstance(exc, requests.exceptions.SSLError):
            what = "TLS handshake failed (certificate not trusted?)"
        elif isinstance(exc, requests.exceptions.Timeout):
            what = f"no answer within {self.timeout:g}s"
        elif isinstance(
            exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
        ):
            what = "connection dropped mid-response"
        elif _never_connected(exc):
            what = f"could not connect to {self._origin or url}"
        else:
            what = "connection dropped"
        error = GraphTransportError(
            f"{method} {self._display(url)}: {what}", hint="Check the network and the Graph URL."
        )
        error.maybe_applied = maybe_applied
        return error

    def _response(self, method: str, url: str, reply: _Reply) -> GraphResponse:
        content_type = reply.headers.get("content-type")
        body: Any = None
        if reply.content:
            body = reply.content
            if is_json_type(content_type) or (not content_type and reply.content[:1] in b"{["):
                try:
                    body = decode_json(reply.content)
                except ValueError as exc:
                    raise GraphResponseError(
                        f"{method} {self._display(url)}: HTTP {reply.status} with a body that "
                        f"is not valid JSON: {excerpt(reply.content)}"
                    ) from exc
        return GraphResponse(
            status=reply.status,
            headers=reply.headers,
            body=body,
            request_id=one_line(reply.headers.get("request-id", ""), 100),
            client_request_id=reply.client_request_id,
        )


def _read_capped(response: requests.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise GraphResponseError(f"response body larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _cut_short(method: str, response: requests.Response) -> bool:
    """An HTTP/1.1 reply with neither Content-Length nor chunked encoding ends when the
    connection closes, so a cut connection (even one cut inside the headers) looks like a
    complete, empty 200. Graph always frames its replies, so treat such a reply as a drop."""
    if getattr(response.raw, "version", 0) != 11 or method == "HEAD":
        return False
    if response.status_code in (204, 304) or response.status_code < 200:
        return False
    framing = response.headers.get("transfer-encoding", "").lower()
    return "content-length" not in response.headers and "chunked" not in framing


def _never_connected(exc: Exception) -> bool:
    """True when the request provably never left: safe to retry even a create."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _not_json(response: GraphResponse, wanted: str) -> str:
    body = response.body
    if body is None:
        got = "an empty body"
    elif isinstance(body, bytes):
        kind = response.headers.get("content-type") or "no content type"
        got = f"a {kind} body: {excerpt(body)}"
    else:
        kind = (
            "object" if isinstance(body, dict) else "array" if isinstance(body, list) else "value"
        )
        got = f"a JSON {kind}: {excerpt(_dumps(body).decode())}"
    return f"expected {wanted} but got {got}"


def _dumps(value: Any) -> bytes:
    return jsonlib.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
