"""Aspects, end to end with the CLI as a real process against the emulator's user sign-in
endpoints over https:

- `--auth device-code` prints the verification URL and code on stderr, waits until the
  user approves the code at the verification page, then plans; the next run signs in
  silently from the token cache (no second device code), whether the access token is still
  valid or must be refreshed with the refresh token;
- `--auth interactive` opens the authorize URL with the `BROWSER` command (a script that
  plays the browser: it fetches the URL and posts the form the emulator answers to the
  credential's localhost listener), with PKCE; the next run opens no browser;
- without a usable keyring the cache is a file of mode 0600, and every run says so; the
  sign-in record beside it (0600) holds the account, not a token; no token appears in any
  output.
"""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.cli import run_process

from .support import ISSUED_TOKEN_PREFIX, TENANT, manifests

PUBLIC_CLIENT = "5e6f7a8b-public-client"
USER = "admin@contoso.example"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
PROMPT = re.compile(r"To sign in, open (?P<uri>\S+) and enter the code (?P<code>[A-Z-]+) ")


def libsecret_usable() -> bool:
    try:
        import gi  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture
def signin_emulator(tls_emulator, monkeypatch):
    def start(**options):
        emulator = tls_emulator(
            client_id=PUBLIC_CLIENT,
            user=USER,
            device_code_interval=1,
            device_code_lifetime=30,
            **options,
        )
        monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
        monkeypatch.setenv("AZURE_CLIENT_ID", PUBLIC_CLIENT)
        monkeypatch.setenv("AZURE_AUTHORITY_HOST", emulator.root_url)
        return emulator

    return start


def plan_argv(emulator, root: Path, mode: str) -> list[str]:
    return ["plan", str(manifests(root)), "--graph-url", emulator.base_url, "--auth", mode]


def sign_in_with_device_code(emulator, argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI; act as the user: read the code it prints, approve it at the page."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None and proc.stdout is not None
    err_lines: list[str] = []
    found = None
    for line in proc.stderr:  # the prompt comes before the run can finish
        err_lines.append(line)
        found = PROMPT.search(line)
        if found:
            break
    assert found, "".join(err_lines)
    assert found["uri"] == f"{emulator.root_url}/devicelogin"
    assert emulator.stats()["device_codes"] == 1
    # The user is slower than the first poll, which must then be told to keep waiting.
    deadline = time.monotonic() + 20
    while not emulator.stats()["token_requests_by_grant"].get(DEVICE_GRANT):
        assert time.monotonic() < deadline, "the CLI never polled"
        time.sleep(0.05)
    approved = requests.post(found["uri"], data={"user_code": found["code"]}, timeout=10)
    assert approved.status_code == 200 and USER in approved.text
    rest: list[str] = []
    reader = threading.Thread(target=lambda: rest.extend(proc.stderr))  # type: ignore[arg-type]
    reader.start()
    out = proc.stdout.read()
    proc.wait(timeout=60)
    reader.join(timeout=10)
    return proc.returncode, out, "".join(err_lines + rest)


def cache_file() -> Path:
    return Path.home() / ".IdentityService" / "reconciler.nocae"


def record_files() -> list[Path]:
    return sorted((Path.home() / ".config" / "reconciler").glob("signin-*.json"))


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("token_lifetime", [3599, 120], ids=["token-cached", "token-refreshed"])
def test_device_code_signs_in_once_then_the_cache_signs_in(
    signin_emulator, tmp_path, token_lifetime
) -> None:
    emulator = signin_emulator(token_lifetime=token_lifetime)
    argv = plan_argv(emulator, tmp_path, "device-code")
    code, out, err = sign_in_with_device_code(emulator, argv)
    assert code == 0, err
    assert "Using credentials: device code sign-in (AZURE_CLIENT_ID=" in err
    assert "signing in; token cache " in err
    assert "Policy A" in out  # the plan read the tenant with the user's token
    grants = emulator.stats()["token_requests_by_grant"]
    assert grants[DEVICE_GRANT] >= 2  # pending, then granted

    (record,) = record_files()
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved["username"] == USER and saved["clientId"] == PUBLIC_CLIENT
    assert mode_of(record) == 0o600
    assert ISSUED_TOKEN_PREFIX not in record.read_text(encoding="utf-8")
    before = emulator.stats()

    second = run_process(*argv, timeout=60)
    assert second.code == 0, second.err
    assert "To sign in" not in second.err
    assert (
        f"device code sign-in (AZURE_CLIENT_ID={PUBLIC_CLIENT}, AZURE_TENANT_ID={TENANT}; as {USER}, remembered;"
        in second.err
    )
    after = emulator.stats()
    assert after["device_codes"] == 1  # nobody was asked again
    refreshes = after["token_requests_by_grant"].get("refresh_token", 0) - before[
        "token_requests_by_grant"
    ].get("refresh_token", 0)
    if token_lifetime == 3599:
        assert after["token_requests"] == before["token_requests"]  # the cached access token
    else:
        # MSAL renews a token with under 5 minutes left: the refresh token, no user.
        assert refreshes >= 1
    for text in (out, err, second.out, second.err):
        assert ISSUED_TOKEN_PREFIX not in text


@pytest.mark.skipif(libsecret_usable(), reason="the keyring encrypts the cache here")
def test_an_unencrypted_cache_is_0600_and_every_run_warns(signin_emulator, tmp_path) -> None:
    emulator = signin_emulator()
    argv = plan_argv(emulator, tmp_path, "device-code")
    code, _, err = sign_in_with_device_code(emulator, argv)
    assert code == 0, err
    warning = f"warning: the token cache {cache_file()} is not encrypted"
    assert [line for line in err.splitlines() if line.startswith(warning)], err
    assert mode_of(cache_file()) == 0o600
    assert ISSUED_TOKEN_PREFIX in cache_file().read_text(encoding="utf-8")  # it is the cache
    cache_file().chmod(0o644)  # widened by someone: the next run narrows it again
    second = run_process(*argv, timeout=60)
    assert second.code == 0, second.err
    assert warning in second.err
    assert mode_of(cache_file()) == 0o600


BROWSER_SCRIPT = """#!{python}
# Plays the browser for InteractiveBrowserCredential: logs the URL, then (in the background,
# since the credential waits for this command before it listens) fetches the authorize URL
# and delivers what the emulator answers, a form post or a redirect, to the listener.
import html, os, re, ssl, sys, urllib.error, urllib.parse, urllib.request

url = sys.argv[1]
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(url + "\\n")
if os.fork():
    sys.exit(0)
os.setsid()
null = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


context = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
try:
    reply = opener.open(url, timeout=10)
    status, headers, body = reply.status, reply.headers, reply.read().decode()
except urllib.error.HTTPError as error:
    status, headers, body = error.code, error.headers, error.read().decode()
if status == 302:
    urllib.request.urlopen(headers["Location"], timeout=10).read()
else:
    action = html.unescape(re.search(r'action="([^"]+)"', body)[1])
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', body))
    data = urllib.parse.urlencode({{k: html.unescape(v) for k, v in fields.items()}}).encode()
    urllib.request.urlopen(action, data=data, timeout=10).read()
"""


def test_interactive_signs_in_through_the_browser_once(signin_emulator, tmp_path) -> None:
    emulator = signin_emulator()
    log = tmp_path / "browser.log"
    browser = tmp_path / "browser"
    browser.write_text(BROWSER_SCRIPT.format(python=sys.executable, log=str(log)))
    browser.chmod(0o755)
    env = {"BROWSER": str(browser)}
    argv = plan_argv(emulator, tmp_path, "interactive")

    first = run_process(*argv, env=env, timeout=90)
    assert first.code == 0, first.err
    assert "Opening a browser to sign in" in first.err
    assert "Using credentials: interactive browser sign-in (" in first.err
    (opened,) = log.read_text(encoding="utf-8").splitlines()
    query = {k: v[0] for k, v in parse_qs(urlsplit(opened).query).items()}
    assert opened.startswith(f"{emulator.root_url}/{TENANT}/oauth2/v2.0/authorize?")
    assert query["code_challenge_method"] == "S256" and query["response_mode"] == "form_post"
    assert query["redirect_uri"].startswith("http://localhost:")
    assert emulator.stats()["token_requests_by_grant"]["authorization_code"] == 1
    assert len(record_files()) == 1

    second = run_process(*argv, env=env, timeout=60)
    assert second.code == 0, second.err
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1  # no second browser run
    assert "Opening a browser" not in second.err and f"as {USER}, remembered" in second.err
    assert emulator.stats()["authorizations"] == 1
    for text in (first.out, first.err, second.out, second.err):
        assert ISSUED_TOKEN_PREFIX not in text


def test_a_failed_browser_sign_in_exits_1_and_saves_nothing(signin_emulator, tmp_path) -> None:
    emulator = signin_emulator()
    browser = tmp_path / "no-browser"
    browser.write_text("#!/bin/sh\nexit 1\n")
    browser.chmod(0o755)
    result = run_process(
        *plan_argv(emulator, tmp_path, "interactive"), env={"BROWSER": str(browser)}, timeout=60
    )
    assert result.code == 1
    assert "error: Could not get a token with interactive browser sign-in" in result.err
    assert "Failed to open a browser" in result.err
    assert record_files() == []
    assert emulator.stats()["total"] == 0  # no Graph request


def test_sign_in_modes_need_the_app_ids(tmp_path) -> None:
    result = run_process("plan", str(manifests(tmp_path)), "--auth", "device-code", timeout=60)
    assert result.code == 1
    assert "--auth device-code needs AZURE_TENANT_ID, AZURE_CLIENT_ID" in result.err
    assert "hint: Register a public client app" in result.err
