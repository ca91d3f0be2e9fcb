"""Aspect: files that are dangerous or odd on disk never hang, escape the root or crash.

Built at test time (FIFOs, device links, symlinks out of the root, oversized files) rather
than committed, so no checkout ever holds a link to a device.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.files import MAX_BYTES
from reconciler.load import manifests
from reconciler.values.canonical import plain

POLICY = """\
apiVersion: reconciler/v1
kind: WindowsOfficeClientSecurityConfiguration
metadata:
  name: baseline
spec:
  displayName: Baseline
  priority: 1
  policyPayload: {{file: {payload}}}
"""


def messages(paths: list[str]) -> list[str]:
    with pytest.raises(ManifestError) as caught:
        manifests.load(paths)
    return [str(issue) for issue in caught.value.issues]


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m").mkdir()
    return tmp_path / "m"


def with_payload(root: Path, payload: str) -> None:
    (root / "p.yaml").write_text(POLICY.format(payload=payload), encoding="utf-8")


def test_payload_fifo_is_refused_without_blocking(root):
    os.mkfifo(root / "pipe.json")
    with_payload(root, "pipe.json")
    assert messages(["m"]) == [
        "m/p.yaml:8:25: spec.policyPayload.file: payload file 'pipe.json' "
        "is not a regular file (a device, FIFO or socket)"
    ]


def test_payload_symlink_to_a_device_outside_the_root_is_refused(root):
    (root / "zero.json").symlink_to("/dev/zero")
    with_payload(root, "zero.json")
    assert messages(["m"]) == [
        "m/p.yaml:8:25: spec.policyPayload.file: payload file 'zero.json' "
        "is a symlink to a file outside the manifest root 'm'"
    ]


def test_manifest_path_that_is_a_device_is_refused_without_reading_it():
    assert messages(["/dev/zero"]) == [
        "/dev/zero: file is not a regular file (a device, FIFO or socket)"
    ]


def test_payload_symlink_out_of_the_root_is_refused(root, tmp_path):
    (tmp_path / "secret.json").write_text('{"a": 1}', encoding="utf-8")
    (root / "link.json").symlink_to(tmp_path / "secret.json")
    with_payload(root, "link.json")
    assert messages(["m"]) == [
        "m/p.yaml:8:25: spec.policyPayload.file: payload file 'link.json' "
        "is a symlink to a file outside the manifest root 'm'"
    ]


def test_payload_symlink_inside_the_root_is_fine(root):
    (root / "real.json").write_text('{"a": 1}', encoding="utf-8")
    (root / "link.json").symlink_to("real.json")
    with_payload(root, "link.json")
    (resource,) = manifests.load(["m"]).resources
    assert plain(resource.spec["policyPayload"]) == {"a": 1}


def test_payload_over_the_size_limit_is_refused(root):
    (root / "big.json").write_bytes(b'"' + b"x" * MAX_BYTES + b'"')
    with_payload(root, "big.json")
    assert messages(["m"]) == [
        "m/p.yaml:8:25: spec.policyPayload.file: payload file 'big.json' "
        f"is larger than 1 MiB ({MAX_BYTES + 2} bytes)"
    ]


def test_payload_nested_too_deeply_is_refused(root):
    (root / "deep.json").write_text("[" * 100 + "]" * 100, encoding="utf-8")
    with_payload(root, "deep.json")
    assert messages(["m"]) == [
        "m/p.yaml:8:25: spec.policyPayload.file: payload file 'deep.json' is nested more than 64 levels deep"
    ]


def test_payload_nan_is_refused(root):
    (root / "nan.json").write_text('{"x": NaN}', encoding="utf-8")
    with_payload(root, "nan.json")
    assert messages(["m"]) == [
        "m/p.yaml:8:25: spec.policyPayload.file: payload file 'nan.json' "
        "is not valid JSON: NaN is not a JSON number"
    ]


def test_payload_not_utf8_is_refused(root):
    (root / "latin.json").write_bytes(b'{\n "x": "caf\xe9"}')
    with_payload(root, "latin.json")
    assert messages(["m"]) == [
        "m/p.yaml:8:25: spec.policyPayload.file: payload file 'latin.json' "
        "is not valid UTF-8 (byte 0xe9 at line 2, column 11)"
    ]


def test_manifest_fifo_in_a_directory_is_refused_without_blocking(root):
    os.mkfifo(root / "pipe.yaml")
    assert messages(["m"]) == ["m/pipe.yaml: file is not a regular file (a device, FIFO or socket)"]


def test_manifest_over_the_size_limit_is_refused(root):
    (root / "big.yaml").write_text("# " + "x" * MAX_BYTES + "\n", encoding="utf-8")
    assert messages(["m"]) == [f"m/big.yaml: file is larger than 1 MiB ({MAX_BYTES + 3} bytes)"]


def test_missing_path_is_reported(root):
    assert messages(["nowhere", "m/none.yaml"]) == [
        "m/none.yaml: no such file or directory",
        "nowhere: no such file or directory",
    ]


def test_no_paths_at_all_is_an_error():
    assert messages([]) == [": no manifest files or directories given"]


def test_unreadable_manifest_is_reported(root, monkeypatch):
    target = root / "secret.yaml"
    target.write_text("apiVersion: reconciler/v1\n", encoding="utf-8")
    target.chmod(0)
    if os.geteuid() == 0:
        # root reads any file, so stand in for the kernel's refusal at the one open call
        real_open = os.open

        def refuse(path, *args, **kwargs):
            if str(path).endswith("secret.yaml"):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr("reconciler.files.os.open", refuse)
    assert messages(["m"]) == ["m/secret.yaml: file cannot be read (permission denied)"]


def test_symlinked_directory_is_not_followed(root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.yaml").write_text("{not: [valid", encoding="utf-8")
    (root / "linked").symlink_to(elsewhere)
    (root / "ok.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: OfficeConfiguration\nspec: {}\n"
    )
    assert manifests.load(["m"]).files == ("m/ok.yaml",)
