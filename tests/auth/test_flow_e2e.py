"""Aspects, end to end over https against the emulator's token endpoint:

- the client-secret and certificate (PFX with password) flows drive plan --out, apply with
  an audit log and backups, drift with every report format and export, and no secret,
  token or certificate material appears in any file produced, in stdout/stderr or in a
  DEBUG log of the whole run;
- `--auth auto` says which credentials it used;
- a wrong secret exits 1 naming the problem, not the secret, before any Graph request;
- a token lacking DeviceManagementConfiguration.ReadWrite.All stops apply before any
  write, naming the permission;
- tokens are refreshed during a run longer than their lifetime.
"""

from __future__ import annotations

from reconciler.fetch.auth.permissions import READ, WRITE
from tests.support.cli import run

from .pki import PFX_PASSWORD
from .support import (
    ADMIN_TOKEN,
    CLIENT_ID,
    ISSUED_TOKEN_PREFIX,
    SECRET,
    TENANT,
    apply_policies,
    debug_log,
    full_run,
    leaks,
    manifests,
)


def secret_env(monkeypatch, emulator) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", emulator.root_url)


def test_client_secret_flow_leaves_no_secret_or_token_anywhere(
    capsys, tls_emulator, monkeypatch, tmp_path
) -> None:
    emulator = tls_emulator(client_id=CLIENT_ID, client_secret=SECRET, token=ADMIN_TOKEN)
    secret_env(monkeypatch, emulator)
    with debug_log(tmp_path / "debug.log"):
        runs = full_run(capsys, emulator, tmp_path)
    assert emulator.stats()["token_requests"] >= 1
    assert (tmp_path / "debug.log").stat().st_size > 0
    assert leaks(tmp_path, runs, [SECRET, ISSUED_TOKEN_PREFIX, ADMIN_TOKEN]) == []
    expected = (
        f"Using credentials: client secret (AZURE_CLIENT_ID={CLIENT_ID}, "
        f"AZURE_TENANT_ID={TENANT}) (chosen by --auth auto)"
    )
    assert all(expected in r.err.splitlines() for r in runs)


def test_certificate_flow_leaves_no_key_material_anywhere(
    capsys, tls_emulator, pki, monkeypatch, tmp_path
) -> None:
    emulator = tls_emulator(
        client_id=CLIENT_ID, client_certificate=pki.app_cert_pem, token=ADMIN_TOKEN
    )
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURE_CLIENT_CERTIFICATE_PATH", str(pki.app_pfx))
    monkeypatch.setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", PFX_PASSWORD)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", emulator.root_url)
    with debug_log(tmp_path / "debug.log"):
        runs = full_run(capsys, emulator, tmp_path)
    cert_body = pki.app_cert_pem.splitlines()[3]
    needles = [PFX_PASSWORD, pki.key_body, cert_body, "PRIVATE KEY", "BEGIN CERTIFICATE"]
    assert leaks(tmp_path, runs, [*needles, ISSUED_TOKEN_PREFIX]) == []
    assert f"Using credentials: client certificate {pki.app_pfx}" in runs[0].err


def test_wrong_secret_exits_1_naming_the_problem_not_the_secret(
    capsys, tls_emulator, monkeypatch, tmp_path
) -> None:
    emulator = tls_emulator(client_id=CLIENT_ID, client_secret=SECRET)
    secret_env(monkeypatch, emulator)
    wrong = "Wr0ng~Secret.Value-1a2b3c"
    monkeypatch.setenv("AZURE_CLIENT_SECRET", wrong)
    with debug_log(tmp_path / "debug.log"):
        result = run(capsys, "plan", str(manifests(tmp_path)), "--graph-url", emulator.base_url)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.err
    assert "Could not get a token with client secret" in errors[0]
    assert "Invalid client secret" in errors[0]
    every_line_ours = ("Using credentials: ", "error: ", "hint: ")
    assert all(line.startswith(every_line_ours) for line in result.err.splitlines()), result.err
    log = (tmp_path / "debug.log").read_text(encoding="utf-8")
    assert wrong not in result.out + result.err + log and SECRET not in log
    assert emulator.stats()["total"] == 0  # no Graph request was made


def test_read_only_app_is_stopped_before_any_write(capsys, tls_emulator, monkeypatch, tmp_path):
    emulator = tls_emulator(client_id=CLIENT_ID, client_secret=SECRET, token_roles=(READ,))
    secret_env(monkeypatch, emulator)
    m = manifests(tmp_path)
    planned = run(
        capsys,
        "plan",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--out",
        str(tmp_path / "plan.json"),
    )
    assert planned.code == 0, planned.err  # reading needs only Read.All
    for target in (str(tmp_path / "plan.json"), str(m)):
        applied = run(
            capsys,
            "apply",
            target,
            "--graph-url",
            emulator.base_url,
            "--auto-approve",
            "--state-dir",
            str(tmp_path / "state"),
        )
        assert applied.code == 1
        assert f"error: The access token lacks {WRITE} (it has {READ})" in applied.err
        assert "stopped before changing anything" in applied.err
    assert emulator.stats()["writes"] == 0
    # The state folder was checked writable up front; it holds no backup and no audit line.
    assert not any((tmp_path / "state" / "backups").iterdir())
    assert (tmp_path / "state" / "audit.jsonl").read_text() == ""


def test_tokens_are_refreshed_during_a_run_longer_than_their_life(
    capsys, tls_emulator, monkeypatch, tmp_path
) -> None:
    emulator = tls_emulator(client_id=CLIENT_ID, client_secret=SECRET, latency_ms=300)
    emulator.configure(token_lifetime=2)
    secret_env(monkeypatch, emulator)
    result = apply_policies(capsys, emulator, tmp_path, 6, "--write-rate", "0")
    assert result.code == 0, result.err
    assert emulator.stats()["token_requests"] >= 2  # a 2 s token did not last the run
