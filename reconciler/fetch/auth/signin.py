"""Signing in as a user (`--auth device-code`, `--auth interactive`) once, not every run.

Two things are kept between runs:

- the tokens (access and refresh), in azure-identity's persistent token cache named
  `reconciler` (`TokenCachePersistenceOptions`, stored by msal-extensions): encrypted with
  DPAPI on Windows (`%LOCALAPPDATA%\\.IdentityService\\reconciler.nocae`), in the Keychain on
  macOS and in the Secret Service (libsecret) on Linux (`~/.IdentityService/reconciler.nocae`
  is then only a change marker). Where no encryption is usable (Linux without libsecret or
  a desktop session: SSH, containers, CI) that file holds the tokens in plain text; it is
  kept at mode 0600 and every run warns.
- the `AuthenticationRecord` of the sign-in (account name and id, tenant, authority,
  client id; no token), at `<config dir>/reconciler/signin-<key>.json` (mode 0600), where
  the config dir is `%APPDATA%` on Windows, else `$XDG_CONFIG_HOME` or `~/.config`, and the
  key a hash of authority, tenant and client id. With it the next run finds its account in
  the cache and signs in silently (refreshing the access token with the refresh token);
  without it, or when the cache no longer has a usable token, the credential asks again.

Delete both to sign out.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.errors import FileWriteError
from reconciler.files import write_text_atomic

CACHE_NAME = "reconciler"
CACHE_FILE = CACHE_NAME + ".nocae"  # azure-identity's suffix for a cache without CAE tokens
# What azure-identity gives libsecret for a named cache (its _persistent_cache module).
_LIBSECRET_ATTRIBUTES = {"MsalClientID": "Microsoft.Developer.IdentityService"}


@dataclass(frozen=True)
class TokenCache:
    """Where the persistent token cache is and whether its content is encrypted."""

    options: Any  # azure.identity.TokenCachePersistenceOptions
    path: Path
    encrypted: bool

    @property
    def warning(self) -> str | None:
        if self.encrypted:
            return None
        return (
            f"the token cache {self.path} is not encrypted (no keyring usable here); "
            "it is kept readable only by you (mode 0600)"
        )

    def protect(self) -> None:
        """Mode 0600 on an unencrypted cache file that exists (msal-extensions creates it
        so; this also covers one made by an older version or another tool)."""
        if not self.encrypted and self.path.exists():
            os.chmod(self.path, 0o600)


def _cache_path(environ: Mapping[str, str]) -> Path:
    if sys.platform.startswith("win") and environ.get("LOCALAPPDATA"):
        return Path(environ["LOCALAPPDATA"]) / ".IdentityService" / CACHE_FILE
    return Path.home() / ".IdentityService" / CACHE_FILE


def _encryption_usable(path: Path) -> bool:
    """Whether azure-identity will encrypt the cache: always on Windows and macOS; on Linux
    when msal-extensions can build its libsecret persistence, which is the test
    azure-identity applies before falling back to a plain file."""
    if sys.platform.startswith(("win", "darwin")):
        return True
    try:
        from msal_extensions import LibsecretPersistence

        LibsecretPersistence(str(path), CACHE_FILE, _LIBSECRET_ATTRIBUTES, label="MSALCache")
    except Exception:  # ImportError (no PyGObject), no D-Bus session, locked keyring, ...
        return False
    return True


def token_cache(identity: Any, environ: Mapping[str, str]) -> TokenCache:
    """The persistent cache options for the credential (`identity`: azure.identity), falling
    back to a plain file where encryption is not usable (the caller warns)."""
    path = _cache_path(environ)
    encrypted = _encryption_usable(path)
    if not encrypted:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    cache = TokenCache(
        identity.TokenCachePersistenceOptions(name=CACHE_NAME, allow_unencrypted_storage=True),
        path,
        encrypted,
    )
    cache.protect()
    return cache


def config_dir(environ: Mapping[str, str]) -> Path:
    """The per-user folder of reconciler's own files (sign-in records)."""
    if sys.platform.startswith("win") and environ.get("APPDATA"):
        return Path(environ["APPDATA"]) / "reconciler"
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".config") / "reconciler"


def record_path(environ: Mapping[str, str], *, authority: str, tenant: str, client_id: str) -> Path:
    key = hashlib.sha256(f"{authority}|{tenant}|{client_id}".lower().encode()).hexdigest()[:16]
    return config_dir(environ) / f"signin-{key}.json"


def load_record(identity: Any, path: Path) -> Any | None:
    """The AuthenticationRecord saved at `path`; None when there is none or it is unreadable
    (then the user signs in again and it is replaced)."""
    try:
        return identity.AuthenticationRecord.deserialize(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class RememberedSignIn:
    """An azure-identity interactive credential that, on the first token request of a run
    without a saved record, signs in (`authenticate`) and saves the record at
    `record_file`; then, and on later runs, tokens come from the cache (`get_token`).

    `announce` is called before the first sign-in (to say a browser opens, or that a code
    follows); `warn` receives a one-line warning when the record cannot be saved."""

    def __init__(
        self,
        credential: Any,
        *,
        record_file: Path,
        signed_in: bool,
        cache: TokenCache,
        announce: Callable[[], None] = lambda: None,
        warn: Callable[[str], None],
    ) -> None:
        self._credential = credential
        self._record_file = record_file
        self._signed_in = signed_in
        self._cache = cache
        self._announce = announce
        self._warn = warn

    @property
    def warnings(self) -> tuple[str, ...]:
        warning = self._cache.warning
        return (warning,) if warning else ()

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        if not self._signed_in:
            self._announce()
            record = self._credential.authenticate(scopes=list(scopes))
            self._signed_in = True
            self._cache.protect()
            try:
                # Not a secret, but whose account this machine signs in as: 0600.
                write_text_atomic(self._record_file, record.serialize(), private=True)
            except FileWriteError as error:
                self._warn(f"{error}; the next run asks you to sign in again")
        token = self._credential.get_token(*scopes, **kwargs)
        self._cache.protect()
        return token

    def __repr__(self) -> str:
        return f"RememberedSignIn({type(self._credential).__name__}, {self._record_file})"
