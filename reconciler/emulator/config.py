"""The emulator's options, shared by the CLI and the Python API, and changeable at runtime."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

StreamMode = Literal["inline", "separate"]
Rate = tuple[int, float]  # N requests per SECONDS

# Intune device-configuration limits (graph-spec §3.2), per 20 seconds.
DEFAULT_APP_WRITES: Rate = (100, 20.0)
DEFAULT_APP_REQUESTS: Rate = (1000, 20.0)


def parse_rate(text: str | Rate | None) -> Rate | None:
    """``"N/SECONDS"`` (or an ``(N, SECONDS)`` pair) as a validated pair; ``ValueError`` if bad."""
    if text is None:
        return None
    if isinstance(text, tuple):
        count, seconds = text
    else:
        count_text, sep, seconds_text = text.partition("/")
        if not sep:
            raise ValueError(f"expected N/SECONDS, got {text!r}")
        count, seconds = int(count_text), float(seconds_text)
    if count < 1 or seconds <= 0:
        raise ValueError(f"a rate needs N >= 1 and SECONDS > 0, got {count}/{seconds}")
    return int(count), float(seconds)


def _tenant_id(text: str) -> str:
    """A tenant id as the emulator keys it: lower-case, one path segment."""
    value = str(text).strip().lower()
    if not value or "/" in value or not value.isprintable():
        raise ValueError(f"{text!r} is not a tenant id")
    return value


def _share(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")


@dataclass
class Config:
    """Every option of ``reconciler emulator``; see the package docstring for meanings."""

    streams: StreamMode = "inline"
    page_size: int = 100
    token: str | None = None
    throttle: bool = False
    write_limit: Rate | None = None  # per app; the tenant gets twice as much
    request_limit: Rate | None = None
    fail_rate: float = 0.0
    drop_rate: float = 0.0
    latency_ms: float = 0.0
    batch_item_latency_ms: float = 0.0  # added per $batch item, on top of latency_ms
    random_seed: int | None = 0
    client_id: str | None = None
    client_secret: str | None = None
    # Other client credentials for ``client_id`` (see emulator.auth): a workload identity's
    # federated token, and the PEM certificate whose key signs client assertions.
    federated_token: str | None = None
    client_certificate: str | None = None
    # Managed identity endpoints (IMDS, App Service) issue tokens for this client id.
    managed_identity: str | None = None
    identity_header: str | None = None  # the App Service X-IDENTITY-HEADER secret
    token_roles: tuple[str, ...] = ("DeviceManagementConfiguration.ReadWrite.All",)
    token_lifetime: float = 3599  # seconds an issued token is accepted
    # User sign-in to ``client_id`` as a public client (emulator.signin): device code and
    # authorization code with PKCE, as this user (a UPN); its tokens carry ``token_roles``
    # as delegated ``scp``.
    user: str | None = None
    device_code_lifetime: float = 900  # seconds a device code can be approved and redeemed
    device_code_interval: int = 5  # seconds a client is told to wait between polls
    # CI systems' ID tokens, accepted as federated client assertions for ``client_id``
    # (emulator.ci_oidc): GitHub Actions, with the ACTIONS_ID_TOKEN_REQUEST_TOKEN its
    # endpoint requires, and Azure Pipelines, with the System.AccessToken and the service
    # connection id its endpoint requires.
    github_request_token: str | None = None
    github_subject: str = "repo:contoso/m365-policies:ref:refs/heads/main"
    pipelines_access_token: str | None = None
    pipelines_service_connection: str | None = None
    pipelines_subject: str = "sc://contoso/m365-policies/m365-production"
    ci_token_lifetime: float = 300  # seconds a CI ID token is accepted as an assertion
    # Multi-tenant mode (see the package docstring): the tenant ids served, each with its own
    # store, throttle buckets and state file. Empty: one tenant, whatever id a token names.
    # Fixed once the emulator runs.
    tenants: tuple[str, ...] = ()
    # Tenants where the app has no admin consent: their token requests get AADSTS65001.
    unconsented: tuple[str, ...] = ()
    # Tenant id -> the permissions its tokens carry, instead of ``token_roles``.
    tenant_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    def _tenancy(self) -> None:
        tenants = tuple(_tenant_id(t) for t in self.tenants)
        if len(set(tenants)) != len(tenants):
            raise ValueError("tenants holds an id twice")
        self.tenants = tenants
        self.unconsented = tuple(_tenant_id(t) for t in self.unconsented)
        self.tenant_roles = {
            _tenant_id(t): tuple(roles) for t, roles in dict(self.tenant_roles).items()
        }
        strangers = sorted((set(self.unconsented) | set(self.tenant_roles)) - set(tenants))
        if strangers:
            raise ValueError(f"unconsented and tenant_roles name unknown tenants: {strangers}")

    def roles_of(self, tenant: str) -> tuple[str, ...]:
        """The permissions a token issued for ``tenant`` carries."""
        return tuple(self.tenant_roles.get(tenant.lower(), self.token_roles))

    @property
    def multi_tenant(self) -> bool:
        return bool(self.tenants)

    def validate(self) -> None:
        if self.streams not in ("inline", "separate"):
            raise ValueError(f"streams must be 'inline' or 'separate', got {self.streams!r}")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.write_limit = parse_rate(self.write_limit)
        self.request_limit = parse_rate(self.request_limit)
        _share("fail_rate", self.fail_rate)
        _share("drop_rate", self.drop_rate)
        if self.latency_ms < 0 or self.batch_item_latency_ms < 0:
            raise ValueError("latency_ms and batch_item_latency_ms must not be negative")
        for name in ("device_code_lifetime", "device_code_interval", "ci_token_lifetime"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        ways_in = (
            self.client_secret,
            self.federated_token,
            self.client_certificate,
            self.user,
            self.github_request_token,
            self.pipelines_access_token,
        )
        if (self.client_id is None) != all(c is None for c in ways_in):
            raise ValueError(
                "client_id goes with a client_secret, federated_token, client_certificate, "
                "user, github_request_token or pipelines_access_token"
            )
        if (self.pipelines_access_token is None) != (self.pipelines_service_connection is None):
            raise ValueError("pipelines_access_token goes with pipelines_service_connection")
        self._tenancy()

    @property
    def app_writes(self) -> Rate:
        return self.write_limit or DEFAULT_APP_WRITES

    @property
    def app_requests(self) -> Rate:
        return self.request_limit or DEFAULT_APP_REQUESTS

    @property
    def auth_required(self) -> bool:
        return (
            self.token is not None
            or self.client_id is not None
            or self.managed_identity is not None
        )

    def updated(self, **changes: object) -> Config:
        """A validated copy with ``changes``; unknown names are a ``TypeError``."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
