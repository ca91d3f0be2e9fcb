"""HTTP serving: a stdlib ThreadingHTTPServer in front of :class:`EmulatorApp`.

This module only translates between sockets and :class:`Request`/:class:`Response`
values, and carries out the app's decision to cut a connection. :class:`Emulator` runs
the server in a daemon thread; :func:`running_emulator` wraps it as a context manager.
Stopping also closes idle keep-alive connections, so a client cannot keep talking to a
stopped emulator through a pooled connection.
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from reconciler.emulator import surfaces
from reconciler.emulator.app import EmulatorApp, Outcome
from reconciler.emulator.config import Config
from reconciler.emulator.faults import Drop
from reconciler.emulator.messages import Request, Response
from reconciler.emulator.persistence import read_tenant, save_tenant
from reconciler.emulator.surfaces.office import OfficeSurface
from reconciler.emulator.tenant import Document, Tenant

VERSION = "/beta"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not hold up a stop
    # The default backlog of 5 drops SYNs from concurrent clients, costing them a 1 s retry.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        app: EmulatorApp,
        access_log: bool,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.scheme = "https" if tls else "http"
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)
        if tls is not None:
            # The handshake runs in the handler thread (see _Handler.setup), so one slow or
            # refusing client cannot stall the accept loop.
            self.socket = tls.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            return  # a client that refused our certificate or hung up: nothing to report
        super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with suppress(OSError):  # already closed by the peer
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Graph clients pool connections
    server: _Server
    timeout = 120  # an idle keep-alive connection is closed after this many seconds

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm and
        # delayed ACKs add ~40 ms to every reply.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        # Only the request line and status; headers (Authorization) are never logged.
        if self.server.access_log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _request(self, path: str, query: str) -> Request:
        headers = {name.lower(): value for name, value in self.headers.items()}
        host = headers.get("host") or "{}:{}".format(*self.server.server_address[:2])
        return Request(
            method=self.command,
            path=path,
            query=dict(parse_qsl(query, keep_blank_values=True)),
            headers=headers,
            body=self._read_body(),
            base_url=f"{self.server.scheme}://{host}{VERSION}",
            request_id=str(uuid.uuid4()),
            client_request_id=headers.get("client-request-id"),
        )

    def _handle(self) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path)
        request = self._request(path, split.query)
        app = self.server.app
        if path == VERSION or path.startswith(VERSION + "/"):
            request.path = path[len(VERSION) :] or "/"
            outcome = app.handle_graph(request)
        elif path.startswith("/_emulator/"):
            outcome = Outcome(app.handle_control(request))
        elif (identity := app.handle_identity(path, request)) is not None:
            outcome = Outcome(identity)
        else:
            outcome = Outcome(app.not_found(request))
        if outcome.drop is not None:
            self._drop(outcome.drop, outcome.response)
        else:
            self._send(outcome.response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status == 503:
            # Graph advises retrying a 503 on a new connection; make that the only option.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _drop(self, drop: Drop, response: Response) -> None:
        """Cut the connection part-way through a reply (see :class:`faults.Drop`)."""
        self.close_connection = True
        body = response.body or b'{"value":[]}'
        if drop.style == "status":
            # A truncated status line: a complete one followed by a cut inside the headers
            # would parse as a whole (empty) reply.
            self.wfile.write(b"HTTP/1.1 2")
        elif drop.style == "body":
            head = (
                # Always 200 with a body promised: a 204 would let the client think it got
                # a complete reply.
                "HTTP/1.1 200 OK\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body) + 64}\r\n\r\n"
            )
            self.wfile.write(head.encode("ascii") + body[: len(body) // 2])
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


Seed = dict[str, Any] | str | os.PathLike[str]


def _initial_tenant(
    tenant: Tenant,
    state_path: str | os.PathLike[str] | None,
    seed: Seed | None,
) -> Document | None:
    """The state file if it exists, else the seed (a dict or a path), else None."""
    if state_path is not None and Path(state_path).exists():
        return read_tenant(state_path, tenant.normalise)
    if isinstance(seed, dict):
        return tenant.normalise(seed)
    if seed is not None:
        return read_tenant(seed, tenant.normalise)
    return None


def _tenant_seed(seed: Seed | None, tenant_id: str) -> Seed | None:
    """A multi-tenant seed for one tenant: a folder holds ``<tenant id>.json`` per tenant
    (a tenant without one starts empty); a document or a file seeds every tenant."""
    if seed is None or isinstance(seed, dict) or not Path(seed).is_dir():
        return seed
    found = Path(seed) / f"{tenant_id}.json"
    return found if found.exists() else None


def _state_folder(state_path: str | os.PathLike[str] | None) -> Path | None:
    """Multi-tenant ``--state DIR``: one ``<tenant id>.json`` per tenant in DIR."""
    if state_path is None:
        return None
    folder = Path(state_path)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--state {folder}: with several tenants, state is a folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Emulator:
    """A running (once started) emulator; see :func:`running_emulator` for the options."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_path: str | os.PathLike[str] | None = None,
        seed: dict[str, Any] | str | os.PathLike[str] | None = None,
        access_log: bool = False,
        tls: ssl.SSLContext | None = None,
        seeds: dict[str, Seed] | None = None,
        **options: Any,
    ) -> None:
        config = Config(**options)
        self.tenants: dict[str, Tenant] = {}
        if config.multi_tenant:
            folder = _state_folder(state_path)
            wanted = {str(k).lower(): v for k, v in (seeds or {}).items()}
            strangers = sorted(set(wanted) - set(config.tenants))
            if strangers:
                raise ValueError(f"seeds name tenants that are not served: {strangers}")
            for tenant_id in config.tenants:
                self.tenants[tenant_id] = self._tenant(
                    folder / f"{tenant_id}.json" if folder else None,
                    wanted.get(tenant_id, _tenant_seed(seed, tenant_id)),
                )
            self.tenant = self.tenants[config.tenants[0]]
        else:
            if seeds:
                raise ValueError("seeds (one per tenant) need tenants")
            self.tenant = self._tenant(Path(state_path) if state_path else None, seed)
        office = self.tenant.surface("office")
        assert isinstance(office, OfficeSurface)
        self.store = office.store  # the Office policies, as most tests look at them
        self.app = EmulatorApp(config, self.tenant, self.tenants)
        self._server = _Server((host, port), self.app, access_log, tls)
        self._thread: threading.Thread | None = None
        self.host = host
        self.port: int = self._server.server_address[1]

    def _tenant(self, state_path: Path | None, seed: Seed | None) -> Tenant:
        """One tenant: its surfaces, loaded from its state file or seed, saved after writes."""
        on_write = (lambda document: save_tenant(state_path, document)) if state_path else None
        # The surfaces read the app's config per request, so `configure` applies at once.
        tenant = Tenant(
            lambda lock, written: surfaces.build(lambda: self.app.config, lock, written),
            on_write=on_write,
        )
        initial = _initial_tenant(tenant, state_path, seed)
        if initial is not None:
            tenant.replace(initial, save=False)
        return tenant

    @property
    def root_url(self) -> str:
        return f"{self._server.scheme}://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + VERSION

    def start(self) -> Emulator:
        # A short poll interval makes stop() quick; tests start and stop many emulators.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="graph-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.close_connections()
        self._server.server_close()

    def stats(self) -> dict[str, Any]:
        """The same document as ``GET /_emulator/stats``."""
        return self.app.stats.snapshot()

    def reset_stats(self) -> None:
        self.app.stats.reset()

    def configure(self, **changes: Any) -> Config:
        """Change options at runtime, e.g. ``configure(fail_rate=0.2, throttle=True)``."""
        return self.app.configure(**changes)

    def drain(self) -> None:
        """Empty every throttling bucket now (``POST /_emulator/reset`` with ``drain``)."""
        self.app.throttler.drain()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def running_emulator(
    *,
    seed: dict[str, Any] | str | os.PathLike[str] | None = None,
    state_path: str | os.PathLike[str] | None = None,
    tls: ssl.SSLContext | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    seeds: dict[str, Seed] | None = None,
    **options: Any,
) -> Iterator[Emulator]:
    """Serve an emulator on ``host:port`` (port 0: a free one) in a thread for the block;
    over https when ``tls`` (a server-side context with its certificate loaded) is given.
    ``options`` are `Config` fields: ``throttle``, ``write_limit``, ``token``, ``tenants``...
    ``seeds`` (multi-tenant) seeds tenants one by one, by id."""
    emulator = Emulator(
        host=host, port=port, state_path=state_path, seed=seed, tls=tls, seeds=seeds, **options
    )
    with emulator:
        yield emulator
