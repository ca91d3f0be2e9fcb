"""Aspects: which credentials `--auth auto` picks from the environment and in what order
(loopback URLs skip the machine-wide ones), what each explicit mode builds from its
variables (the azure-identity class and its settings), and the errors for missing
variables or unreadable certificates, none of which shows a secret."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
import responses
from azure.identity import (
    AzureCliCredential,
    AzurePipelinesCredential,
    CertificateCredential,
    ClientAssertionCredential,
    ClientSecretCredential,
    DeviceCodeCredential,
    InteractiveBrowserCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
)

from reconciler.errors import AuthError, ConfigError
from reconciler.fetch.auth.bearer import BearerTokenAuth, CredentialAuth
from reconciler.fetch.auth.clouds import resolve
from reconciler.fetch.auth.credentials import AuthMode, choose, connect

from .pki import PFX_PASSWORD

IDS = {"AZURE_TENANT_ID": "contoso.example", "AZURE_CLIENT_ID": "11111111-aaaa"}
SECRET = "secret-Qm7vX2pL"


def no_az(name: str) -> None:
    return None


def has_az(name: str) -> str | None:
    return "/opt/az/bin/az" if name == "az" else None


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"RECONCILER_TOKEN": "t", "AZURE_CLIENT_SECRET": "s"}, AuthMode.TOKEN),
        ({"AZURE_CLIENT_SECRET": "s", "AZURE_CLIENT_CERTIFICATE_PATH": "p"}, AuthMode.ENV),
        (
            {"AZURE_CLIENT_CERTIFICATE_PATH": "p", "AZURE_FEDERATED_TOKEN_FILE": "f"},
            AuthMode.CERTIFICATE,
        ),
        ({"AZURE_FEDERATED_TOKEN_FILE": "f", "IDENTITY_ENDPOINT": "e"}, AuthMode.WORKLOAD_IDENTITY),
        ({"IDENTITY_ENDPOINT": "e"}, AuthMode.MANAGED_IDENTITY),
        ({"MSI_ENDPOINT": "e"}, AuthMode.MANAGED_IDENTITY),
        ({}, AuthMode.AZURE_CLI),
        ({"RECONCILER_TOKEN": "  "}, AuthMode.AZURE_CLI),  # blank counts as unset
    ],
)
def test_auto_order(environ: dict[str, str], expected: AuthMode) -> None:
    assert choose(environ, loopback=False, which=has_az) is expected


def test_auto_without_anything_is_an_error_naming_the_options() -> None:
    with pytest.raises(ConfigError) as caught:
        choose({}, loopback=False, which=no_az)
    assert "AZURE_CLIENT_SECRET" in caught.value.hint and "az login" in caught.value.hint


def test_auto_on_loopback_skips_machine_wide_sources_and_may_send_nothing() -> None:
    assert choose({"IDENTITY_ENDPOINT": "e"}, loopback=True, which=has_az) is None
    assert choose({}, loopback=True, which=has_az) is None
    assert choose({"AZURE_CLIENT_SECRET": "s"}, loopback=True, which=has_az) is AuthMode.ENV


def endpoints(environ: dict[str, str] | None = None):
    return resolve(cloud=None, graph_url=None, environ=environ or {})


def build(mode: AuthMode, environ: dict[str, str]):
    return connect(mode, endpoints(environ), environ, loopback=False, which=no_az)


def credential_of(connection) -> object:
    assert isinstance(connection.auth, CredentialAuth)
    return connection.auth._credential


def mock_authority(mocked: responses.RequestsMock, authority: str, tenant: str) -> None:
    base = f"{authority}/{tenant}"
    mocked.get(
        f"{base}/v2.0/.well-known/openid-configuration",
        json={
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"{base}/v2.0",
        },
    )
    mocked.post(
        f"{base}/oauth2/v2.0/token",
        json={"token_type": "Bearer", "expires_in": 3599, "access_token": "issued-token"},
    )


@pytest.mark.parametrize(
    ("cloud", "authority", "scope"),
    [
        ("global", "https://login.microsoftonline.com", "https://graph.microsoft.com/.default"),
        ("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us/.default"),
        (
            "usgov-dod",
            "https://login.microsoftonline.us",
            "https://dod-graph.microsoft.us/.default",
        ),
        (
            "china",
            "https://login.chinacloudapi.cn",
            "https://microsoftgraph.chinacloudapi.cn/.default",
        ),
    ],
)
def test_env_mode_asks_the_clouds_authority_for_the_clouds_graph_scope(
    cloud: str, authority: str, scope: str
) -> None:
    environ = IDS | {"AZURE_CLIENT_SECRET": SECRET}
    where = resolve(cloud=cloud, graph_url=None, environ=environ)
    connection = connect(AuthMode.ENV, where, environ, loopback=False, which=no_az)
    assert isinstance(credential_of(connection), ClientSecretCredential)
    assert connection.description == (
        "client secret (AZURE_CLIENT_ID=11111111-aaaa, AZURE_TENANT_ID=contoso.example)"
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mock_authority(mocked, authority, IDS["AZURE_TENANT_ID"])
        assert connection.auth is not None and connection.auth.token() == "issued-token"
        (token_call,) = [c for c in mocked.calls if c.request.method == "POST"]
    assert token_call.request.url == f"{authority}/contoso.example/oauth2/v2.0/token"
    form = parse_qs(str(token_call.request.body))
    assert form["scope"] == [scope]
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_id"] == [IDS["AZURE_CLIENT_ID"]]
    assert SECRET not in repr(connection)


def test_env_mode_falls_back_to_the_certificate(pki) -> None:
    environ = IDS | {"AZURE_CLIENT_CERTIFICATE_PATH": str(pki.app_pem)}
    assert isinstance(credential_of(build(AuthMode.ENV, environ)), CertificateCredential)


@pytest.mark.parametrize("form", ["app_pem", "app_pem_encrypted", "app_pfx"])
def test_certificate_mode_loads_pem_and_pfx(pki, form: str) -> None:
    environ = IDS | {"AZURE_CLIENT_CERTIFICATE_PATH": str(getattr(pki, form))}
    if form != "app_pem":
        environ["AZURE_CLIENT_CERTIFICATE_PASSWORD"] = PFX_PASSWORD
    connection = build(AuthMode.CERTIFICATE, environ)
    assert isinstance(credential_of(connection), CertificateCredential)
    assert connection.description.startswith(f"client certificate {getattr(pki, form)} (")


def test_wrong_certificate_password_is_an_auth_error_without_the_password(pki) -> None:
    environ = IDS | {
        "AZURE_CLIENT_CERTIFICATE_PATH": str(pki.app_pfx),
        "AZURE_CLIENT_CERTIFICATE_PASSWORD": "wrong-pass-Kd93",
    }
    with pytest.raises(AuthError) as caught:
        build(AuthMode.CERTIFICATE, environ)
    assert str(pki.app_pfx) in str(caught.value)
    assert "wrong-pass-Kd93" not in str(caught.value) + caught.value.hint


def test_missing_certificate_file_is_a_config_error(tmp_path) -> None:
    environ = IDS | {"AZURE_CLIENT_CERTIFICATE_PATH": str(tmp_path / "none.pem")}
    with pytest.raises(ConfigError, match="no such file"):
        build(AuthMode.CERTIFICATE, environ)


def test_workload_identity_reads_the_federated_token_file(tmp_path) -> None:
    token_file = tmp_path / "oidc-token"
    token_file.write_text("header.claims.signature")
    environ = IDS | {"AZURE_FEDERATED_TOKEN_FILE": str(token_file)}
    connection = build(AuthMode.WORKLOAD_IDENTITY, environ)
    assert isinstance(credential_of(connection), WorkloadIdentityCredential)
    assert f"AZURE_FEDERATED_TOKEN_FILE={token_file}" in connection.description


@pytest.mark.parametrize(
    ("environ", "kind"),
    [
        ({"IDENTITY_ENDPOINT": "http://127.0.0.1:1/msi", "IDENTITY_HEADER": "h"}, "App Service"),
        ({"IDENTITY_ENDPOINT": "http://127.0.0.1:1/a", "IMDS_ENDPOINT": "http://x"}, "Azure Arc"),
        ({"MSI_ENDPOINT": "http://127.0.0.1:1/cloudshell"}, "MSI_ENDPOINT"),
        ({}, "IMDS at 169.254.169.254"),
    ],
)
def test_managed_identity_says_which_endpoint(monkeypatch, environ, kind: str) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)  # azure-identity reads os.environ itself
    connection = build(AuthMode.MANAGED_IDENTITY, environ)
    assert isinstance(credential_of(connection), ManagedIdentityCredential)
    assert kind in connection.description and "system-assigned" in connection.description


def test_managed_identity_with_client_id_is_user_assigned() -> None:
    connection = build(AuthMode.MANAGED_IDENTITY, {"AZURE_CLIENT_ID": "22222222-bbbb"})
    assert "user-assigned AZURE_CLIENT_ID=22222222-bbbb" in connection.description


def test_azure_cli_mode_builds_the_cli_credential() -> None:
    connection = build(AuthMode.AZURE_CLI, {"AZURE_TENANT_ID": "contoso.example"})
    assert isinstance(credential_of(connection), AzureCliCredential)
    assert "AZURE_TENANT_ID=contoso.example" in connection.description


def test_token_mode_uses_reconciler_token() -> None:
    connection = build(AuthMode.TOKEN, {"RECONCILER_TOKEN": "abc.def.ghi"})
    assert isinstance(connection.auth, BearerTokenAuth)
    assert connection.auth.token() == "abc.def.ghi"


@pytest.mark.parametrize(
    ("mode", "environ", "missing"),
    [
        (AuthMode.ENV, {"AZURE_CLIENT_SECRET": SECRET}, "AZURE_TENANT_ID, AZURE_CLIENT_ID"),
        (AuthMode.ENV, IDS, "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH"),
        (AuthMode.CERTIFICATE, IDS, "AZURE_CLIENT_CERTIFICATE_PATH"),
        (AuthMode.WORKLOAD_IDENTITY, IDS, "AZURE_FEDERATED_TOKEN_FILE"),
        (AuthMode.TOKEN, {}, "RECONCILER_TOKEN"),
    ],
)
def test_explicit_mode_names_the_missing_variables(mode, environ, missing: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build(mode, environ)
    assert missing in str(caught.value)
    assert SECRET not in str(caught.value)


def test_custom_authority_is_used_without_instance_discovery() -> None:
    environ = IDS | {"AZURE_CLIENT_SECRET": SECRET, "AZURE_AUTHORITY_HOST": "https://login.test"}
    connection = build(AuthMode.ENV, environ)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mock_authority(mocked, "https://login.test", IDS["AZURE_TENANT_ID"])
        assert connection.auth is not None and connection.auth.token() == "issued-token"
        hosts = {str(c.request.url).split("/")[2] for c in mocked.calls}
    # Instance discovery would have asked login.microsoftonline.com about login.test.
    assert hosts == {"login.test"}


CI_AND_USER_VARIABLES = {
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.example/idtoken?api-version=2.0",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "gh-request",
    "SYSTEM_OIDCREQUESTURI": "https://dev.azure.com/o/p/_apis/x/oidctoken",
    "SYSTEM_ACCESSTOKEN": "job-token",
    "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": "sc",
}


def test_auto_never_picks_the_ci_or_sign_in_modes() -> None:
    environ = IDS | CI_AND_USER_VARIABLES
    assert choose(environ, loopback=True, which=no_az) is None
    with pytest.raises(ConfigError) as caught:
        choose(environ, loopback=False, which=no_az)
    assert "github-oidc, azure-pipelines, device-code or interactive" in caught.value.hint


def test_github_request_url_asks_for_entras_audience_over_https() -> None:
    from reconciler.fetch.auth.github import request_url

    assert request_url("https://gh.example/idtoken?api-version=2.0") == (
        "https://gh.example/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
    )
    assert request_url("http://127.0.0.1:5/idtoken").endswith(
        "/idtoken?audience=api%3A%2F%2FAzureADTokenExchange"
    )
    with pytest.raises(ConfigError, match="https"):
        request_url("http://gh.example/idtoken?api-version=2.0")


def test_github_oidc_builds_an_assertion_credential_and_keeps_the_request_token_out() -> None:
    connection = build(AuthMode.GITHUB_OIDC, IDS | CI_AND_USER_VARIABLES)
    assert isinstance(credential_of(connection), ClientAssertionCredential)
    assert "gh-request" not in connection.description + repr(connection)
    assert connection.auth is not None and "gh-request" in connection.auth._secrets


def test_azure_pipelines_reads_the_task_variables_and_ours_first() -> None:
    environ = CI_AND_USER_VARIABLES | {
        "AZURESUBSCRIPTION_TENANT_ID": "t-task",
        "AZURESUBSCRIPTION_CLIENT_ID": "c-task",
        "AZURE_CLIENT_ID": "c-ours",
        "RECONCILER_SERVICE_CONNECTION_ID": "sc-ours",
    }
    connection = build(AuthMode.AZURE_PIPELINES, environ)
    credential = credential_of(connection)
    assert isinstance(credential, AzurePipelinesCredential)
    assert credential._service_connection_id == "sc-ours"
    assert connection.description == (
        "Azure Pipelines service connection sc-ours (SYSTEM_OIDCREQUESTURI, "
        "AZURE_CLIENT_ID=c-ours, AZURE_TENANT_ID=t-task)"
    )
    assert "job-token" in connection.auth._secrets  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        (AuthMode.DEVICE_CODE, DeviceCodeCredential),
        (AuthMode.INTERACTIVE, InteractiveBrowserCredential),
    ],
)
def test_sign_in_modes_use_the_persistent_cache_and_a_saved_record(mode, kind, tmp_path) -> None:
    from azure.identity import AuthenticationRecord

    from reconciler.fetch.auth.signin import RememberedSignIn, record_path

    environ = IDS | {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    first = credential_of(build(mode, environ))
    assert isinstance(first, RememberedSignIn) and isinstance(first._credential, kind)
    assert first._credential._cache_options.name == "reconciler"
    assert first._credential._cache_options.allow_unencrypted_storage
    record = AuthenticationRecord(
        IDS["AZURE_TENANT_ID"],
        IDS["AZURE_CLIENT_ID"],
        "login.microsoftonline.com",
        "uid.utid",
        "a@b",
    )
    saved = record_path(
        environ,
        authority="https://login.microsoftonline.com",
        tenant=IDS["AZURE_TENANT_ID"],
        client_id=IDS["AZURE_CLIENT_ID"],
    )
    assert saved.parent == tmp_path / "config" / "reconciler"
    saved.parent.mkdir(parents=True)
    saved.write_text(record.serialize())
    connection = build(mode, environ)
    again = credential_of(connection)
    assert isinstance(again, RememberedSignIn) and again._signed_in
    assert again._credential._auth_record.username == "a@b"
    assert "as a@b, remembered" in connection.description
