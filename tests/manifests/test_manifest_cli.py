"""Aspect: `reconciler validate` as a process: exit codes, the one-line summary, every error
listed in one run, and no traceback for any input (including random bytes and mangled
copies of the examples, fed to `manifests.load` in-process).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.errors import ManifestError
from reconciler.load import manifests

REPO = Path(__file__).resolve().parents[2]
BAD = "tests/manifests/bad"


def validate(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", "validate", *paths],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_examples_validate_with_a_one_line_summary():
    result = validate("manifests")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "Valid: 8 resource(s) of 5 kind(s) in 5 file(s).\n"
        "Not checked offline: the settings against the tenant's catalog "
        "(plan and drift check every setting and option).\n"
    )


def test_every_error_of_several_files_is_listed_in_one_run():
    result = validate(
        f"{BAD}/errors-everywhere",
        f"{BAD}/not-utf8",
        f"{BAD}/yaml-bomb",
        f"{BAD}/tab-indent/m.yaml",
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[-1] == "error: 9 errors in manifests"
    assert (
        f"error: {BAD}/errors-everywhere/m.yaml:8:13: spec.priority: expected an integer, got 'high'"
        in lines
    )
    assert (
        f"error: {BAD}/not-utf8/m.yaml:6:19: file is not valid UTF-8 (byte 0xe9 at line 6, column 19)"
        in lines
    )
    assert any(
        line.startswith(f"error: {BAD}/yaml-bomb/m.yaml:14:42: document expands") for line in lines
    )
    assert (
        f"error: {BAD}/tab-indent/m.yaml:4:1: tab character found; YAML must be indented with spaces"
        in lines
    )
    assert "Traceback" not in result.stderr


def test_missing_path_exits_1_without_traceback():
    result = validate("does/not/exist")
    assert result.returncode == 1
    assert result.stderr == (
        "error: does/not/exist: no such file or directory\nerror: 1 error in manifests\n"
    )


def _load_quietly(path: Path) -> None:
    # ManifestError is expected for most inputs; anything else fails the test.
    with contextlib.suppress(ManifestError):
        manifests.load([path])


_FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_never_raise_anything_but_manifest_error(tmp_path, data):
    target = tmp_path / "m.yaml"
    target.write_bytes(data)
    _load_quietly(target)


_EXAMPLE = (REPO / "manifests/security.yaml").read_text(encoding="utf-8")


def _example_beside_its_payloads(tmp_path: Path, text: str) -> Path:
    shutil.copytree(REPO / "manifests/payloads", tmp_path / "payloads", dirs_exist_ok=True)
    target = tmp_path / "m.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def test_the_unmangled_example_loads_in_the_fuzz_setup(tmp_path):
    # Otherwise every mangled input would stop at a missing payload file, and the fuzz
    # below would never reach validation past it.
    assert manifests.load([_example_beside_its_payloads(tmp_path, _EXAMPLE)]).resources


@_FUZZ
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(_EXAMPLE)),
            st.sampled_from(
                ["", ":", "-", "[", "{", "&a", "*a", "\t", "\n  ", "'", "!!x ", "null", "3"]
            ),
        ),
        max_size=4,
    )
)
def test_mangled_examples_never_raise_anything_but_manifest_error(tmp_path, edits):
    text = _EXAMPLE
    for at, insert in edits:
        text = text[:at] + insert + text[at + 1 :]
    _load_quietly(_example_beside_its_payloads(tmp_path, text))
