"""``reconciler emulator`` / ``python -m reconciler.emulator``: serve until SIGINT or SIGTERM.

Prints ``Graph emulator listening on http://HOST:PORT/beta`` (the real port when
``--port 0``; ``https`` with ``--tls-cert``) as its first line, then, with several tenants
(``--tenant ID``, repeatable, or ``--tenants N``), one ``Tenant ID`` line per tenant
served; flushes them so a parent process can read them, and exits 0 when stopped by a
signal; 1 when the seed or state file cannot be loaded, or for bad options.
"""

from __future__ import annotations

import argparse
import signal
import ssl
import sys
import threading
import uuid
from collections.abc import Sequence
from types import FrameType
from typing import Any, NoReturn

from reconciler.emulator.config import parse_rate
from reconciler.emulator.server import Emulator


def _rate(text: str) -> tuple[int, float]:
    try:
        rate = parse_rate(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    assert rate is not None
    return rate


# `--tenants N` generates ids from this namespace: the same N ids on every start, so a
# `--state DIR` of an earlier run still matches them.
TENANT_NAMESPACE = uuid.UUID("6f1c2a9e-54d8-4b7e-9c1f-0d3a8e5b7c21")


def generated_tenants(count: int) -> list[str]:
    return [str(uuid.uuid5(TENANT_NAMESPACE, f"tenant-{n}")) for n in range(1, count + 1)]


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {text}")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text}")
    return value


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1 as the reconciler's own do (2 means "changes" to scripts)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message}", file=sys.stderr)
        print(f"hint: run `{self.prog} --help` for the usage", file=sys.stderr)
        sys.exit(1)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        allow_abbrev=False,
        prog="reconciler emulator",
        description="Serve a local Microsoft Graph tenant for Office client policies.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1")
    add("--port", type=int, default=8765, help="0 picks a free port (printed on start)")
    add(
        "--state",
        metavar="FILE",
        help="load the tenant from FILE and save it after each write (with several tenants: "
        "a folder of TENANT_ID.json files)",
    )
    add(
        "--seed",
        metavar="FILE",
        help="start from this tenant when --state FILE does not exist (with several tenants: "
        "a file for every tenant, or a folder of TENANT_ID.json files)",
    )
    tenancy = parser.add_mutually_exclusive_group()
    tenancy.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="TENANT_ID",
        help="serve this tenant (repeatable): each has its own store, throttle buckets and "
        "state file, and a request reaches the tenant named by its token's tid",
    )
    tenancy.add_argument(
        "--tenants", type=_count, metavar="N", help="serve N tenants with generated ids"
    )
    add(
        "--unconsented",
        action="append",
        default=[],
        metavar="TENANT_ID",
        help="a served tenant where the app has no admin consent (token requests: AADSTS65001)",
    )
    add(
        "--role",
        action="append",
        default=[],
        metavar="PERMISSION",
        help="a permission issued tokens carry (repeatable; default "
        "DeviceManagementConfiguration.ReadWrite.All)",
    )
    add("--token", metavar="TOKEN", help="require 'Authorization: Bearer TOKEN'")
    add(
        "--streams",
        choices=["inline", "separate"],
        default="inline",
        help="inline: payloads as base64 in entity JSON too; separate: only at stream URLs",
    )
    add("--page-size", type=int, default=100, metavar="N", help="largest page of a list")
    add("--throttle", action="store_true", help="enforce Intune-style request limits (429)")
    add(
        "--write-limit",
        type=_rate,
        metavar="N/SECONDS",
        help="writes per app (default 100/20; the tenant gets twice as many)",
    )
    add(
        "--request-limit",
        type=_rate,
        metavar="N/SECONDS",
        help="requests per app (default 1000/20; the tenant gets twice as many)",
    )
    add("--fail-rate", type=_share, default=0.0, metavar="P", help="share of requests that get 503")
    add(
        "--drop-rate",
        type=_share,
        default=0.0,
        metavar="P",
        help="share of requests whose connection is cut mid-reply",
    )
    add("--latency", type=float, default=0.0, metavar="MS", help="delay added to each request")
    add(
        "--batch-item-latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="delay added for each $batch item, on top of --latency for the batch",
    )
    add(
        "--random-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed for injected faults (default: unpredictable)",
    )
    add("--client-id", metavar="ID", help="enable the token endpoint for this client id")
    add("--client-secret", metavar="SECRET", help="the client secret the token endpoint accepts")
    add(
        "--user",
        metavar="UPN",
        help="let this user sign in to --client-id by device code or browser (no password)",
    )
    add(
        "--github-request-token",
        metavar="TOKEN",
        help="serve GitHub Actions ID tokens to this ACTIONS_ID_TOKEN_REQUEST_TOKEN; the token "
        "endpoint accepts them as federated assertions for --client-id",
    )
    add(
        "--pipelines-access-token",
        metavar="TOKEN",
        help="serve Azure Pipelines OIDC tokens to this System.AccessToken (with "
        "--pipelines-service-connection); accepted like GitHub's",
    )
    add("--pipelines-service-connection", metavar="ID", help="the service connection id it knows")
    add(
        "--token-lifetime",
        type=float,
        default=3599,
        metavar="SECONDS",
        help="how long issued access tokens are accepted",
    )
    add("--tls-cert", metavar="PEM", help="serve https with this certificate (chain) file")
    add("--tls-key", metavar="PEM", help="the private key of --tls-cert (if not in that file)")
    add("--log", action="store_true", help="log each request line and status to stderr")
    return parser


def _tls(args: argparse.Namespace) -> ssl.SSLContext | None:
    if args.tls_cert is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    return context


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    ways_in = (
        args.client_secret,
        args.user,
        args.github_request_token,
        args.pipelines_access_token,
    )
    if (args.client_id is None) != all(way is None for way in ways_in):
        parser.error(
            "--client-id goes with --client-secret, --user, --github-request-token or "
            "--pipelines-access-token"
        )
    if (args.pipelines_access_token is None) != (args.pipelines_service_connection is None):
        parser.error("--pipelines-access-token and --pipelines-service-connection go together")
    if args.tls_key is not None and args.tls_cert is None:
        parser.error("--tls-key needs --tls-cert")
    tenants = args.tenant or (generated_tenants(args.tenants) if args.tenants else [])
    if args.unconsented and not tenants:
        parser.error("--unconsented needs --tenant or --tenants")
    more: dict[str, Any] = {"token_roles": tuple(args.role)} if args.role else {}
    try:
        emulator = Emulator(
            tenants=tuple(tenants),
            unconsented=tuple(args.unconsented),
            **more,
            tls=_tls(args),
            host=args.host,
            port=args.port,
            state_path=args.state,
            seed=args.seed,
            access_log=args.log,
            streams=args.streams,
            page_size=args.page_size,
            token=args.token,
            throttle=args.throttle,
            write_limit=args.write_limit,
            request_limit=args.request_limit,
            fail_rate=args.fail_rate,
            drop_rate=args.drop_rate,
            latency_ms=args.latency,
            batch_item_latency_ms=args.batch_item_latency,
            random_seed=args.random_seed,
            client_id=args.client_id,
            client_secret=args.client_secret,
            user=args.user,
            github_request_token=args.github_request_token,
            pipelines_access_token=args.pipelines_access_token,
            pipelines_service_connection=args.pipelines_service_connection,
            token_lifetime=args.token_lifetime,
        )
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    emulator.start()
    print(f"Graph emulator listening on {emulator.base_url}", flush=True)
    for tenant_id in emulator.tenants:
        print(f"Tenant {tenant_id}", flush=True)
    # A timed wait keeps the main thread responsive to signals on every platform.
    while not stop.wait(0.5):
        pass
    emulator.stop()
    return 0
