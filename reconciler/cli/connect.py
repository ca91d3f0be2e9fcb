"""From flags and the environment to a Graph client: endpoints, credentials, the tenant."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from reconciler.errors import ConfigError

if TYPE_CHECKING:
    from reconciler.fetch.auth.clouds import Endpoints
    from reconciler.fetch.auth.credentials import Connection
    from reconciler.fetch.client import GraphClient
    from reconciler.values.plan import Plan


def endpoints(args: argparse.Namespace) -> Endpoints:
    """The Graph URL and token authority from --cloud, --graph-url and the environment; no
    request is made."""
    from reconciler.fetch.auth import clouds

    found = clouds.resolve(
        cloud=args.cloud,
        graph_url=args.graph_url or os.environ.get("RECONCILER_GRAPH_URL"),
        environ=os.environ,
    )
    clouds.check_trust(os.environ)
    return found


def connect(args: argparse.Namespace, where: Endpoints | None = None) -> Connection:
    """Endpoints and credentials from --cloud, --graph-url, --auth and the environment (see
    docs/credentials.md). Says on stderr which credentials it uses and gets the
    first token now, so a credential problem is reported before any Graph request."""
    from reconciler.fetch.auth import credentials
    from reconciler.fetch.urls import Origin, is_loopback

    found = where or endpoints(args)
    origin = Origin.of(found.graph_url)
    try:
        mode = credentials.AuthMode(args.auth)
    except ValueError:  # a bad RECONCILER_AUTH; argparse checks only the flag's values
        choices = ", ".join(m.value for m in credentials.AuthMode)
        raise ConfigError(
            f"--auth {args.auth}: unknown mode", hint=f"Use one of: {choices}."
        ) from None
    connection = credentials.connect(
        mode, found, os.environ, loopback=origin is not None and is_loopback(origin.host)
    )
    if connection.auth is not None:
        how = " (chosen by --auth auto)" if mode is credentials.AuthMode.AUTO else ""
        print(f"Using credentials: {connection.description}{how}", file=sys.stderr)
        for warning in connection.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        connection.auth.token()
    return connection


def tenant_id(connection: Connection) -> str:
    """The tenant a connection reaches: its token's `tid`, else AZURE_TENANT_ID, else
    "unknown" (every tenant shares one Graph URL, so the URL alone does not tell)."""
    from reconciler.fetch.auth.permissions import tenant_of

    token = connection.auth.token() if connection.auth is not None else None
    return tenant_of(token, os.environ)


def write_rate(args: argparse.Namespace) -> float:
    """Writes per second the client paces to: --write-rate, else --budget's share of the
    documented per-app write limit; 0 when writes are not paced."""
    from reconciler.kinds import throttling

    explicit = getattr(args, "write_rate", None)
    if explicit is not None:
        return max(explicit, 0.0)
    return getattr(args, "budget", 0.0) * throttling.DEFAULT.write_rate


def graph_client(args: argparse.Namespace, connection: Connection) -> GraphClient:
    """A client paced by --budget (and --write-rate), waiting out throttling for up to
    --max-wait per request."""
    return paced_client(args, connection.endpoints.graph_url, connection.auth)


def paced_client(
    args: argparse.Namespace, graph_url: str, auth: Any, *, label: str = ""
) -> GraphClient:
    """`graph_client` for any Graph URL and credentials (a fleet's tenant, its auth drawing
    on the fleet's cap, its log lines labelled with its name)."""
    from reconciler.apply.lock import parse_duration
    from reconciler.fetch.client import GraphClient
    from reconciler.fetch.pacing import Pacer
    from reconciler.kinds import REGISTRY, throttling

    budget = getattr(args, "budget", 0.0)
    explicit = getattr(args, "write_rate", None)
    pacer = Pacer.for_classes(
        REGISTRY.throttle_routes(),
        budget=budget or None,
        write_rate=None if explicit is None else max(explicit, 0.0),
        default=throttling.DEFAULT,
    )
    return GraphClient(
        graph_url,
        auth=auth,
        max_total_wait=parse_duration(getattr(args, "max_wait", "10m"), "--max-wait"),
        pacer=pacer,
        label=label,
    )


def require_permission(connection: Connection, plan: Plan) -> None:
    """Stop an apply before its first request when the token (a JWT) lacks the permission
    the plan needs: ReadWrite for writes, Read for an empty plan (graph-spec §2.4)."""
    from reconciler.fetch.auth import permissions

    if connection.auth is None:
        return
    needed = permissions.READ if plan.is_empty else permissions.WRITE
    permissions.require(
        connection.auth.token(), needed, outcome="the apply stopped before changing anything"
    )
