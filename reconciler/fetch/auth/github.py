"""GitHub Actions ID tokens for `--auth github-oidc`, fetched fresh for every Graph token.

GitHub's documented request ("About security hardening with OpenID Connect", "Methods for
requesting the OIDC token"): in a job with `permissions: id-token: write`,
`GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange` with
`Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` answers `{"value": "<jwt>"}`. The
ID token lives minutes; the request token lasts the whole job, so asking again whenever
Entra ID needs an assertion keeps a long apply signed in after the first hour, where an
assertion fetched once (a token file, `azure/login` then `az`) expires
(Azure/azure-cli#28708).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from reconciler.errors import ConfigError
from reconciler.fetch.translate import excerpt, one_line
from reconciler.fetch.urls import is_loopback

REQUEST_URL = "ACTIONS_ID_TOKEN_REQUEST_URL"
REQUEST_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
AUDIENCE = "api://AzureADTokenExchange"  # what Entra ID's federated credentials expect
TIMEOUT = 30.0


def request_url(url: str, audience: str = AUDIENCE) -> str:
    """`url` with the `audience` parameter; ConfigError unless it is https (or loopback
    http), since the request token goes there."""
    parts = urlsplit(url)
    if not parts.hostname or not (
        parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))
    ):
        raise ConfigError(f"{REQUEST_URL} must be an https:// URL.")
    joiner = "&" if parts.query else "?"
    return f"{url}{joiner}audience={quote(audience, safe='')}"


class GitHubIdToken:
    """A callable for `ClientAssertionCredential(func=...)`: each call asks GitHub for a new
    ID token. Failures raise azure-core's ClientAuthenticationError without the request
    token or any token in the message."""

    def __init__(self, url: str, request_token: str, *, audience: str = AUDIENCE) -> None:
        self._url = request_url(url, audience)
        self._request_token = request_token

    def __call__(self) -> str:
        # Imported here, not at the top: the parser imports this module (for AuthMode), and
        # `reconciler --version` and the offline `validate` should not pay for requests.
        import requests
        from azure.core.exceptions import ClientAuthenticationError

        try:
            response = requests.get(
                self._url,
                headers={"Authorization": f"Bearer {self._request_token}"},
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise ClientAuthenticationError(
                f"GitHub's OIDC token request ({REQUEST_URL}) failed: {one_line(str(error), 200)}"
            ) from error
        if response.status_code != 200:
            raise ClientAuthenticationError(
                f"GitHub's OIDC token request ({REQUEST_URL}) answered HTTP "
                f"{response.status_code}: {excerpt(response.content)}"
            )
        try:
            value = response.json().get("value")
        except (ValueError, AttributeError):
            value = None
        if not isinstance(value, str) or not value.strip():
            raise ClientAuthenticationError(
                f"GitHub's OIDC token request ({REQUEST_URL}) answered without an ID token "
                '(no "value").'
            )
        return value.strip()

    def __repr__(self) -> str:
        return f"GitHubIdToken({REQUEST_URL}, request_token=<redacted>)"
