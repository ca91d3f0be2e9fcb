"""A tiny local HTTP server that answers like a broken or hostile Graph, for what the
emulator cannot do: bodies that are not JSON, wrong content types, truncated JSON, links
and redirects to other hosts. It records every request, headers included, so tests can
prove that no write and no bearer token went where it should not.

Routes are `"METHOD /path"` (the path without its query) mapped to a `Reply` or to a
function of the `Seen` request returning one; anything unrouted is a Graph 404. The default
routes serve an empty, healthy tenant, so a case replaces just the answer it corrupts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

POLICIES = "/beta/officeConfiguration/clientConfigurations"
LIST = f"GET {POLICIES}"
BATCH = "POST /beta/$batch"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# One policy as a list page holds it, with its payloads inline: reading it takes a $batch
# of assignment reads, so routes that corrupt $batch replies get exercised.
ITEM = {
    "id": "3b8f2a61-7c4d-4e9a-a1b2-c3d4e5f60718",
    "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
    "displayName": "Existing",
    "description": None,
    "priority": 5,
    "policyPayload": None,
    "userPreferencePayload": None,
}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    frame: bool = True  # send Content-Length; False ends the reply by closing the connection


def json_reply(value: Any, status: int = 200) -> Reply:
    return Reply(status, json.dumps(value).encode())


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # with the query
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Route = Reply | Callable[[Seen], Reply]


def answer_batch(item_reply: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Seen], Reply]:
    """A $batch route answering each item with `item_reply(item)` (status and body)."""

    def route(seen: Seen) -> Reply:
        responses = [{"id": item["id"], **item_reply(item)} for item in seen.json()["requests"]]
        return json_reply({"responses": responses})

    return route


def healthy_routes() -> dict[str, Route]:
    return {
        "GET /beta/officeConfiguration": json_reply({"id": "00000000-0000-4000-8000-000000000001"}),
        f"GET {POLICIES}": json_reply({"value": []}),
        "POST /beta/$batch": answer_batch(lambda item: {"status": 200, "body": {"value": []}}),
    }


@dataclass
class GarbageServer:
    routes: dict[str, Route] = field(default_factory=healthy_routes)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/beta"

    def writes(self) -> list[str]:
        """Every write received, top-level or inside a $batch."""
        found = []
        for seen in self.seen:
            path = urlsplit(seen.path).path
            if path.endswith("/$batch"):
                try:
                    items = seen.json()["requests"]
                except (ValueError, KeyError, TypeError):
                    continue
                found += [
                    f"{i['method']} {i['url']}" for i in items if i["method"] in WRITE_METHODS
                ]
            elif seen.method in WRITE_METHODS:
                found.append(f"{seen.method} {path}")
        return found

    def authorizations(self) -> list[str]:
        return [s.headers["authorization"] for s in self.seen if "authorization" in s.headers]


def _handler(server: GarbageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                method=self.command,
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            server.seen.append(seen)
            route = server.routes.get(f"{self.command} {urlsplit(self.path).path}")
            if route is None:
                reply = json_reply({"error": {"code": "itemNotFound", "message": "no route"}}, 404)
            else:
                reply = route(seen) if callable(route) else route
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            if reply.frame:
                self.send_header("Content-Length", str(len(reply.body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


@contextmanager
def garbage_server(routes: dict[str, Route] | None = None) -> Iterator[GarbageServer]:
    """Serve on a free loopback port for the block; `routes` replace the healthy ones."""
    state = GarbageServer()
    state.routes.update(routes or {})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
