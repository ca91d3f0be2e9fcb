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
| `github-oidc`       | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `ACTIONS_ID_TOKEN_REQUEST_URL`, |
|                     | `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (a fresh GitHub ID token for each |
|                     | Graph token: see github.py)                                        |
| `azure-pipelines`   | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` (else `AZURESUBSCRIPTION_TENANT_ID`, |
|                     | `AZURESUBSCRIPTION_CLIENT_ID`), `RECONCILER_SERVICE_CONNECTION_ID` |
|                     | (else `AZURESUBSCRIPTION_SERVICE_CONNECTION_ID`),                  |
|                     | `SYSTEM_ACCESSTOKEN`; `AzurePipelinesCredential` itself reads only |
|                     | `SYSTEM_OIDCREQUESTURI`                                            |
| `device-code`       | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` (a public client app); the    |
| `interactive`       | sign-in is remembered (see signin.py)                              |

`auto` (the default) takes the first that applies, in `AUTO_ORDER`: token, client
secret, certificate, workload identity (each when its variable is set), then managed
identity (when `IDENTITY_ENDPOINT` or `MSI_ENDPOINT` is set), then Azure CLI (when `az`
is on PATH). Nothing is probed over the network, so IMDS (Azure VMs) needs
`--auth managed-identity`. For a loopback Graph URL (the local emulator) `auto` skips the
two machine-wide sources (managed identity, Azure CLI) and, finding nothing, sends no
credentials; for any other URL finding nothing is an error. The CI modes (`github-oidc`,
`azure-pipelines`) and the user sign-ins (`device-code`, `interactive`) are never chosen
by `auto`: they are asked for.

Every description names the source and ids, never a secret.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from reconciler.errors import AuthError, ConfigError
from reconciler.fetch.auth import github, signin
from reconciler.fetch.auth.clouds import Endpoints
from reconciler.fetch.auth.signin import RememberedSignIn

if TYPE_CHECKING:
    # bearer.py builds on requests; it is imported where a connection is made, so the parser
    # (which needs only AuthMode) keeps `reconciler --version` and `validate` free of it.
    from reconciler.fetch.auth.bearer import BearerTokenAuth, CredentialAuth

# Values that must never reach a message, even if a library echoed them.
SECRET_VARIABLES = (
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "RECONCILER_TOKEN",
    "IDENTITY_HEADER",
    "MSI_SECRET",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "SYSTEM_ACCESSTOKEN",
)


BROWSER_TIMEOUT = 300  # seconds --auth interactive waits for the browser sign-in


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
    GITHUB_OIDC = "github-oidc"
    AZURE_PIPELINES = "azure-pipelines"
    DEVICE_CODE = "device-code"
    INTERACTIVE = "interactive"


@dataclass(frozen=True)
class Connection:
    """What a run talks to and with which credentials (`auth` None: anonymous); `warnings`
    are one-line notes for stderr (an unencrypted token cache)."""

    endpoints: Endpoints
    auth: BearerTokenAuth | CredentialAuth | None
    description: str
    warnings: tuple[str, ...] = ()


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
        "or AZURE_FEDERATED_TOKEN_FILE), run `az login`, or pass --auth managed-identity, "
        "github-oidc, azure-pipelines, device-code or interactive; see docs/credentials.md.",
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
    from reconciler.fetch.auth.bearer import BearerTokenAuth, CredentialAuth

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
    warnings = credential.warnings if isinstance(credential, RememberedSignIn) else ()
    return Connection(endpoints, auth, description, warnings)


# -- one builder per mode: (credential, description) ------------------------------------


def _app_ids(mode: str, environ: Mapping[str, str], *extra: str, hint: str = "") -> dict[str, str]:
    needed = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", *extra)
    missing = [name for name in needed if not _set(environ, name)]
    if missing:
        raise ConfigError(
            f"--auth {mode} needs {', '.join(needed)} (missing: {', '.join(missing)}).",
            hint=hint,
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
        from reconciler.fetch.auth.bearer import describe_error

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


def _github_oidc(endpoints: Endpoints, environ: Mapping[str, str]) -> tuple[Any, str]:
    ids = _app_ids(
        "github-oidc",
        environ,
        github.REQUEST_URL,
        github.REQUEST_TOKEN,
        hint="Give the GitHub Actions job `permissions: id-token: write` (GitHub then sets "
        "ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN), and set AZURE_TENANT_ID and "
        "AZURE_CLIENT_ID of an app with a federated credential for the repository.",
    )
    fetch = github.GitHubIdToken(ids[github.REQUEST_URL], ids[github.REQUEST_TOKEN])
    credential = _identity().ClientAssertionCredential(
        ids["AZURE_TENANT_ID"], ids["AZURE_CLIENT_ID"], func=fetch, **_authority(endpoints)
    )
    return (
        credential,
        f"GitHub Actions OIDC (a new ID token from {github.REQUEST_URL} for each Graph "
        f"token, {_ids(ids)})",
    )


def _first(environ: Mapping[str, str], *names: str) -> str | None:
    return next((environ[name].strip() for name in names if _set(environ, name)), None)


# What --auth azure-pipelines reads: ours first, then what the AzureCLI@2 and
# AzurePowerShell@5 tasks set for their scripts.
_PIPELINES_VARIABLES = {
    "tenant_id": ("AZURE_TENANT_ID", "AZURESUBSCRIPTION_TENANT_ID"),
    "client_id": ("AZURE_CLIENT_ID", "AZURESUBSCRIPTION_CLIENT_ID"),
    "service_connection_id": (
        "RECONCILER_SERVICE_CONNECTION_ID",
        "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
    ),
    "system_access_token": ("SYSTEM_ACCESSTOKEN",),
    "oidc_request_uri": ("SYSTEM_OIDCREQUESTURI",),  # read by AzurePipelinesCredential itself
}


def _azure_pipelines(endpoints: Endpoints, environ: Mapping[str, str]) -> tuple[Any, str]:
    found = {key: _first(environ, *names) for key, names in _PIPELINES_VARIABLES.items()}
    missing = [" or ".join(_PIPELINES_VARIABLES[key]) for key, value in found.items() if not value]
    if missing:
        raise ConfigError(
            f"--auth azure-pipelines needs {'; '.join(missing)}.",
            hint="Azure Pipelines sets SYSTEM_OIDCREQUESTURI; map the job token into the step "
            "with `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`, and name the service "
            "connection (workload identity federation) and its app.",
        )
    given = {key: value for key, value in found.items() if value and key != "oidc_request_uri"}
    credential = _identity().AzurePipelinesCredential(**given, **_authority(endpoints))
    return (
        credential,
        f"Azure Pipelines service connection {given['service_connection_id']} "
        f"(SYSTEM_OIDCREQUESTURI, AZURE_CLIENT_ID={given['client_id']}, "
        f"AZURE_TENANT_ID={given['tenant_id']})",
    )


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _signed_in_user(
    mode: AuthMode, endpoints: Endpoints, environ: Mapping[str, str]
) -> tuple[Any, str]:
    ids = _app_ids(
        mode.value,
        environ,
        hint="Register a public client app (Authentication: allow public client flows; for "
        "interactive, the redirect URI http://localhost) with the delegated permission "
        "DeviceManagementConfiguration.ReadWrite.All (or Read.All), and set AZURE_TENANT_ID "
        "and AZURE_CLIENT_ID.",
    )
    identity = _identity()
    cache = signin.token_cache(identity, environ)
    record_file = signin.record_path(
        environ,
        authority=endpoints.authority,
        tenant=ids["AZURE_TENANT_ID"],
        client_id=ids["AZURE_CLIENT_ID"],
    )
    record = signin.load_record(identity, record_file)
    options: dict[str, Any] = {
        "tenant_id": ids["AZURE_TENANT_ID"],
        "cache_persistence_options": cache.options,
        "disable_instance_discovery": not endpoints.known_authority,
    }
    if record is None:
        options.update(client_id=ids["AZURE_CLIENT_ID"], authority=endpoints.authority)
    else:  # the record names the client and authority (and they key its file)
        options["authentication_record"] = record
    announce: Callable[[], None]
    if mode is AuthMode.DEVICE_CODE:
        credential = identity.DeviceCodeCredential(
            prompt_callback=lambda uri, code, expires: _say(
                f"To sign in, open {uri} and enter the code {code} "
                f"(it expires at {expires:%H:%M} UTC)."
            ),
            **options,
        )
        how, announce = "device code sign-in", lambda: None
    else:
        credential = identity.InteractiveBrowserCredential(timeout=BROWSER_TIMEOUT, **options)
        how = "interactive browser sign-in"
        announce = lambda: _say(  # noqa: E731
            f"Opening a browser to sign in (waiting up to {BROWSER_TIMEOUT // 60} minutes; "
            "without a browser use --auth device-code)."
        )
    remembered = RememberedSignIn(
        credential,
        record_file=record_file,
        signed_in=record is not None,
        cache=cache,
        announce=announce,
        warn=lambda text: _say(f"warning: {text}"),
    )
    who = f"as {record.username}, remembered" if record is not None else "signing in"
    protection = "encrypted" if cache.encrypted else "unencrypted"
    return (
        remembered,
        f"{how} ({_ids(ids)}; {who}; token cache {cache.path}, {protection})",
    )


_BUILDERS: dict[AuthMode, Callable[[Endpoints, Mapping[str, str]], tuple[Any, str]]] = {
    AuthMode.ENV: _env,
    AuthMode.CERTIFICATE: _certificate,
    AuthMode.WORKLOAD_IDENTITY: _workload_identity,
    AuthMode.MANAGED_IDENTITY: _managed_identity,
    AuthMode.AZURE_CLI: _azure_cli,
    AuthMode.GITHUB_OIDC: _github_oidc,
    AuthMode.AZURE_PIPELINES: _azure_pipelines,
    AuthMode.DEVICE_CODE: functools.partial(_signed_in_user, AuthMode.DEVICE_CODE),
    AuthMode.INTERACTIVE: functools.partial(_signed_in_user, AuthMode.INTERACTIVE),
}
