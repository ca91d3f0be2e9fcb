"""National clouds (graph-spec §3.9) and how `--cloud`, `--graph-url` and
`AZURE_AUTHORITY_HOST` combine into the endpoints one run talks to.

Rules (documented in docs/credentials.md):
- `--cloud` picks the token authority, the Graph root and the token scope together.
- `--graph-url` wins for the Graph base URL. When its host is a known Graph host, the cloud
  follows it (`--cloud` may be left out); naming another cloud is an error, because tokens
  do not work across clouds. Any other host (a proxy, the local emulator) keeps the cloud's
  scope: the token is still a Graph token, the URL only says where requests go.
- `AZURE_AUTHORITY_HOST` (azure-identity's variable) replaces the cloud's authority.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from reconciler.errors import ConfigError
from reconciler.fetch.urls import Origin, normalise_base_url

GRAPH_VERSION = "/beta"


@dataclass(frozen=True)
class Cloud:
    name: str
    authority: str  # token authority, e.g. https://login.microsoftonline.com
    graph_root: str  # e.g. https://graph.microsoft.com

    @property
    def scope(self) -> str:
        return f"{self.graph_root}/.default"


CLOUDS: dict[str, Cloud] = {
    cloud.name: cloud
    for cloud in (
        Cloud("global", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
        Cloud("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us"),
        Cloud("usgov-dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
        Cloud("china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
    )
}
DEFAULT_CLOUD = "global"
KNOWN_AUTHORITIES = frozenset(cloud.authority for cloud in CLOUDS.values())


@dataclass(frozen=True)
class Endpoints:
    """Where one run gets tokens and sends Graph requests."""

    cloud: Cloud
    graph_url: str  # normalised Graph base URL, version included
    authority: str  # https URL of the token authority, no trailing slash

    @property
    def scope(self) -> str:
        """What tokens are requested for: `<graph root>/.default`."""
        return self.cloud.scope

    @property
    def known_authority(self) -> bool:
        """False for an `AZURE_AUTHORITY_HOST` that is none of the clouds' (private, emulator):
        then the identity library must not ask login.microsoftonline.com to vouch for it."""
        return self.authority in KNOWN_AUTHORITIES


def _cloud_of_url(url: str) -> Cloud | None:
    """The cloud whose Graph origin `url` has (an explicit default port included)."""
    origin = Origin.of(url)
    return next((c for c in CLOUDS.values() if Origin.of(c.graph_root) == origin), None)


def resolve(*, cloud: str | None, graph_url: str | None, environ: Mapping[str, str]) -> Endpoints:
    """The endpoints for `--cloud` (None: not given) and `--graph-url` (None: not given).

    ConfigError for an unknown cloud, an unsafe URL (see graph_urls), a Graph URL of
    another cloud, or an `AZURE_AUTHORITY_HOST` that is not https."""
    if cloud is not None and cloud not in CLOUDS:
        raise ConfigError(
            f"--cloud {cloud}: unknown cloud", hint=f"Use one of: {', '.join(CLOUDS)}."
        )
    chosen = CLOUDS[cloud or DEFAULT_CLOUD]
    if graph_url is None:
        url = chosen.graph_root + GRAPH_VERSION
    else:
        url = normalise_base_url(graph_url)
        url_cloud = _cloud_of_url(url)
        if url_cloud is not None and cloud is None:
            chosen = url_cloud
        elif url_cloud is not None and url_cloud is not chosen:
            raise ConfigError(
                f"The Graph URL {url} belongs to the {url_cloud.name} cloud, not {chosen.name}: "
                "a token of one cloud is refused by another.",
                hint=f"Pass --cloud {url_cloud.name}, or leave --cloud out.",
            )
    return Endpoints(cloud=chosen, graph_url=url, authority=_authority(chosen, environ))


def _authority(cloud: Cloud, environ: Mapping[str, str]) -> str:
    override = environ.get("AZURE_AUTHORITY_HOST", "").strip()
    if not override:
        return cloud.authority
    if "://" not in override:
        override = "https://" + override  # azure-identity accepts a bare host too
    parts = urlsplit(override)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(
            "AZURE_AUTHORITY_HOST must be an https:// URL (secrets are sent there to get tokens).",
        )
    return override.rstrip("/")


def check_trust(environ: Mapping[str, str]) -> None:
    """ConfigError when a custom CA bundle is named but missing. requests reads
    `REQUESTS_CA_BUNDLE` (then `CURL_CA_BUNDLE`) itself, once per GraphClient; checked here
    so a typo is a clear error rather than an OSError inside the first request. Verification
    stays on either way."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        path = environ.get(name, "")
        if path:
            if not os.path.exists(path):
                raise ConfigError(f"{name}: no such CA bundle {path}")
            return
