"""Graph URLs: the base URL rules (https, or http only to loopback) and same-origin checks,
which keep the bearer token from ever being sent to another host."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from reconciler.errors import ConfigError
from reconciler.fetch.translate import one_line


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin | None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:  # not a URL urllib can parse, or a port out of range
            return None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            return None
        return cls(scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80))

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(base_url: str) -> str:
    """`https://host/beta/` -> `https://host/beta`. ConfigError for anything unsafe."""
    url = base_url.strip()
    origin = Origin.of(url)
    if origin is None:  # urllib cannot parse it, or no http(s) scheme and host
        raise ConfigError(
            "The Graph URL must be an https:// URL with a host, "
            f"e.g. https://graph.microsoft.com/beta (got {one_line(url, 100)!r})."
        )
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ConfigError("The Graph URL must not contain credentials.")
    if parts.query or parts.fragment:
        raise ConfigError("The Graph URL must not have a query or fragment.")
    if origin.scheme == "http" and not is_loopback(origin.host):
        raise ConfigError(
            f"Refusing plain http:// to {origin.host}: the bearer token would travel unencrypted.",
            hint="Use https://, or http:// only for a local emulator (127.0.0.1, ::1, localhost).",
        )
    return f"{origin.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
