"""Choosing and building the credentials of one run (`--auth`), from the environment.

Modes and what they read (azure-identity's variable names):

| mode                | reads                                                              |
|---------------------|--------------------------------------------------------------------|
| `token`             | `RECONCILER_TOKEN` (a raw access token, never refreshed)           |
| `env`               | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, then `AZURE_CLIENT_SECRET`,  |
|                     | or else the certificate variables below                            |
| `certificate`       | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_CERTIFICATE_PATH` |
|                     | (PEM or PFX), `AZURE_CLIENT_CERTIFICATE_PASSWORD`,                 |
|                     | `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN`                              |
| `workload-identity` | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE` |
| `managed-identity`  | `IDENTITY_ENDPOINT`/`IDENTITY_HEADER`, `MSI_ENDPOINT`, else IMDS;  |
|                     | `AZURE_CLIENT_ID` selects a user-assigned identity                 |
| `azure-cli`         | the `az login` session (`az account get-access-token`);            |
|                     | `AZURE_TENANT_ID` if set                                           |

`auto` (the default) takes the first that applies, in `AUTO_ORDER`: token, client
secret, certificate, workload identity (each when its variable is set), then managed
identity (when `IDENTITY_ENDPOINT` or `MSI_ENDPOINT` is set), then Azure CLI (when `az`
is on PATH). Nothing is probed over the network, so IMDS (Azure VMs) needs
`--auth managed-identity`. For a loopback Graph URL (the local emulator) `auto` skips the
two machine-wide sources (managed identity, Azure CLI) and, finding nothing, sends no
credentials; for any other URL finding nothing is an error.

Every description names the source and ids, never a secret.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.errors import AuthError, ConfigError
from reconciler.fetch.auth.bearer import BearerTokenAuth, CredentialAuth, describe_error
from reconciler.fetch.auth.clouds import Endpoints

# Values that must never reach a message, even if a library echoed them.
SECRET_VARIABLES = (
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "RECONCILER_TOKEN",
    "IDENTITY_HEADER",
    "MSI_SECRET",
)


def _secret_values(environ: Mapping[str, str]) -> list[str]:
    return [environ.get(name, "") for name in SECRET_VARIABLES]


class AuthMode(StrEnum):
    AUTO = "auto"
    ENV = "env"
    CERTIFICATE = "certificate"
    WORKLOAD_IDENTITY = "workload-identity"
    MANAGED_IDENTITY = "managed-identity"
    AZURE_CLI = "azure-cli"
    TOKEN = "token"


@dataclass(frozen=True)
class Connection:
    """What a run talks to and with which credentials (`auth` None: anonymous)."""

    endpoints: Endpoints
    auth: BearerTokenAuth | CredentialAuth | None
    description: str


def _set(environ: Mapping[str, str], name: str) -> bool:
    return bool(environ.get(name, "").strip())


Which = Callable[[str], str | None]

# (mode, applies?) in the order `auto` tries them; the ambient ones are last.
AUTO_ORDER: tuple[tuple[AuthMode, Callable[[Mapping[str, str], Which], bool]], ...] = (
    (AuthMode.TOKEN, lambda env, _: _set(env, "RECONCILER_TOKEN")),
    (AuthMode.ENV, lambda env, _: _set(env, "AZURE_CLIENT_SECRET")),
    (AuthMode.CERTIFICATE, lambda env, _: _set(env, "AZURE_CLIENT_CERTIFICATE_PATH")),
    (AuthMode.WORKLOAD_IDENTITY, lambda env, _: _set(env, "AZURE_FEDERATED_TOKEN_FILE")),
    (
        AuthMode.MANAGED_IDENTITY,
        lambda env, _: _set(env, "IDENTITY_ENDPOINT") or _set(env, "MSI_ENDPOINT"),
    ),
    (AuthMode.AZURE_CLI, lambda _, which: bool(which("az"))),
)
# Machine-wide sources: never used for a loopback Graph URL (the local emulator).
AMBIENT = frozenset({AuthMode.MANAGED_IDENTITY, AuthMode.AZURE_CLI})


def choose(environ: Mapping[str, str], *, loopback: bool, which: Which) -> AuthMode | None:
    """The mode `auto` picks (see the module docstring); None means no credentials."""
    for mode, applies in AUTO_ORDER:
        if not (loopback and mode in AMBIENT) and applies(environ, which):
            return mode
    if loopback:
        return None
    raise ConfigError(
        "No credentials found for Microsoft Graph.",
        hint="Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a certificate, "
        "or AZURE_FEDERATED_TOKEN_FILE), run `az login`, or pass --auth managed-identity; "
        "see the README's Credentials section.",
    )


def connect(
    mode: AuthMode,
    endpoints: Endpoints,
    environ: Mapping[str, str],
    *,
    loopback: bool,
    which: Which = shutil.which,
) -> Connection:
    """The credentials for `mode` (AUTO resolved first). ConfigError when the environment
    lacks what the mode needs; AuthError when a credential cannot be loaded."""
    chosen = choose(environ, loopback=loopback, which=which) if mode is AuthMode.AUTO else mode
    if chosen is None:
        return Connection(endpoints, None, "none (loopback Graph URL)")
    if chosen is AuthMode.TOKEN:
        token = environ.get("RECONCILER_TOKEN", "")
        if not token.strip():
            raise ConfigError("--auth token needs RECONCILER_TOKEN (an access token).")
        return Connection(endpoints, BearerTokenAuth(token), "bearer token from RECONCILER_TOKEN")
    credential, description = _BUILDERS[chosen](endpoints, environ)
    auth = CredentialAuth(
        credential,
        scope=endpoints.scope,
        description=description,
        secrets=_secret_values(environ),
    )
    return Connection(endpoints, auth, description)


# -- one builder per mode: (credential, description) ------------------------------------


def _app_ids(mode: str, environ: Mapping[str, str], *extra: str) -> dict[str, str]:
    needed = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", *extra)
    missing = [name for name in needed if not _set(environ, name)]
    if missing:
        raise ConfigError(
            f"--auth {mode} needs {', '.join(needed)} (missing: {', '.join(missing)})."
        )
    return {name: environ[name].strip() for name in needed}


def _app_ids_and_file(
    mode: str, environ: Mapping[str, str], variable: str
) -> tuple[dict[str, str], str]:
    """`_app_ids` plus the path in `variable`, which must name an existing file."""
    ids = _app_ids(mode, environ, variable)
    path = ids[variable]
    if not os.path.isfile(path):
        raise ConfigError(f"{variable}: no such file {path}")
    return ids, path


def _ids(values: Mapping[str, str]) -> str:
    return (
        f"AZURE_CLIENT_ID={values['AZURE_CLIENT_ID']}, AZURE_TENANT_ID={values['AZURE_TENANT_ID']}"
    )


def _authority(endpoints: Endpoints) -> dict[str, Any]:
    return {
        "authority": endpoints.authority,
        "disable_instance_discovery": not endpoints.known_authority,
    }


def _identity() -> Any:
    """azure.identity, imported when needed (it is slow to import) with its logs quiet."""
    # Without a handler, `logging` prints azure-identity's warnings ("...get_token failed")
    # to stderr through its last-resort handler; the cli reports failures itself.
    for name in ("azure", "msal"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
    import azure.identity

    return azure.identity


def _env(endpoints: Endpoints, environ: Mapping[str, str]) -> tuple[Any, str]:
    if not _set(environ, "AZURE_CLIENT_SECRET"):
        if _set(environ, "AZURE_CLIENT_CERTIFICATE_PATH"):
            return _certificate(endpoints, environ)
        raise ConfigError(
            "--auth env needs AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH "
            "(with AZURE_TENANT_ID and AZURE_CLIENT_ID)."
        )
    ids = _app_ids("env", environ)
    credential = _identity().ClientSecretCredential(
        ids["AZURE_TENANT_ID"],
        ids["AZURE_CLIENT_ID"],
        environ["AZURE_CLIENT_SECRET"],
        **_authority(endpoints),
    )
    return credential, f"client secret ({_ids(ids)})"


def _certificate(endpoints: Endpoints, environ: Mapping[str, str]) -> tuple[Any, str]:
    ids, path = _app_ids_and_file("certificate", environ, "AZURE_CLIENT_CERTIFICATE_PATH")
    password = environ.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None
    chain = environ.get("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "").lower() in ("1", "true")
    try:
        credential = _identity().CertificateCredential(
            ids["AZURE_TENANT_ID"],
            ids["AZURE_CLIENT_ID"],
            certificate_path=path,
            password=password,
            send_certificate_chain=chain,
            **_authority(endpoints),
        )
    except (ValueError, TypeError) as error:
        reason = describe_error(error, secrets=_secret_values(environ))
        raise AuthError(
            f"Cannot load the certificate {path}: {reason}",
            hint="It must be PEM (certificate and private key) or PFX/PKCS#12; for an "
            "encrypted key or PFX, AZURE_CLIENT_CERTIFICATE_PASSWORD must be its password.",
        ) from error
    return credential, f"client certificate {path} ({_ids(ids)})"


def _workload_identity(endpoints: Endpoints, environ: Mapping[str, str]) -> tuple[Any, str]:
    ids, path = _app_ids_and_file("workload-identity", environ, "AZURE_FEDERATED_TOKEN_FILE")
    credential = _identity().WorkloadIdentityCredential(
        tenant_id=ids["AZURE_TENANT_ID"],
        client_id=ids["AZURE_CLIENT_ID"],
        token_file_path=path,
        **_authority(endpoints),
    )
    return (
        credential,
        f"workload identity federation (AZURE_FEDERATED_TOKEN_FILE={path}, {_ids(ids)})",
    )


def _managed_identity_kind(environ: Mapping[str, str]) -> str:
    # The same precedence as azure-identity's ManagedIdentityCredential.
    if _set(environ, "IDENTITY_ENDPOINT"):
        if _set(environ, "IDENTITY_HEADER"):
            return "App Service endpoint IDENTITY_ENDPOINT"
        if _set(environ, "IMDS_ENDPOINT"):
            return "Azure Arc endpoint IDENTITY_ENDPOINT"
    if _set(environ, "MSI_ENDPOINT"):
        return "endpoint MSI_ENDPOINT"
    host = environ.get("AZURE_POD_IDENTITY_AUTHORITY_HOST") or "169.254.169.254"
    return f"IMDS at {host}"


def _managed_identity(endpoints: Endpoints, environ: Mapping[str, str]) -> tuple[Any, str]:
    client_id = environ.get("AZURE_CLIENT_ID", "").strip() or None
    credential = _identity().ManagedIdentityCredential(client_id=client_id)
    which = f"user-assigned AZURE_CLIENT_ID={client_id}" if client_id else "system-assigned"
    return credential, f"managed identity ({which}, {_managed_identity_kind(environ)})"


def _azure_cli(endpoints: Endpoints, environ: Mapping[str, str]) -> tuple[Any, str]:
    tenant = environ.get("AZURE_TENANT_ID", "").strip() or None
    credential = _identity().AzureCliCredential(tenant_id=tenant, process_timeout=30)
    where = f", AZURE_TENANT_ID={tenant}" if tenant else ""
    return credential, f"Azure CLI login (az account get-access-token{where})"


_BUILDERS: dict[AuthMode, Callable[[Endpoints, Mapping[str, str]], tuple[Any, str]]] = {
    AuthMode.ENV: _env,
    AuthMode.CERTIFICATE: _certificate,
    AuthMode.WORKLOAD_IDENTITY: _workload_identity,
    AuthMode.MANAGED_IDENTITY: _managed_identity,
    AuthMode.AZURE_CLI: _azure_cli,
}
