"""`make fuzz`: fuzz the manifest loader for a bounded time (not part of `make test`).

    python -m tools.fuzz_manifests [--seconds 60] [--seed N]

Feeds `manifests.load` a manifest root holding `p.yaml` and a payload file `p.json`, built
by three hypothesis strategies: random bytes, a soup of YAML syntax and manifest words, and
the repository's example manifests with random edits. The contract: `load` returns a
`Desired` or raises `ManifestError` whose every issue prints as one short line, within a
few seconds. Anything else (another exception, an issue of 1,000 characters or with a
control character, a slow input) is
minimised by hypothesis and saved under tests/reliability/regressions/<name>/, where
tests/reliability/test_regressions.py replays it on every `make test`; the run then exits 1.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from reconciler.errors import ManifestError
from reconciler.load import manifests

REPO = Path(__file__).resolve().parents[1]
REGRESSIONS = REPO / "tests" / "reliability" / "regressions"
MAX_ISSUE_CHARS = 1000
MAX_SECONDS_PER_INPUT = 5.0
ROUND_EXAMPLES = 300

EXAMPLES = [p.read_text(encoding="utf-8") for p in sorted((REPO / "manifests").glob("*.yaml"))]
PAYLOAD_LINE = "  policyPayload: {file: p.json}\n"
WORDS = [
    "apiVersion", "reconciler/v1", "kind", "metadata", "name", "id", "ignore", "spec",
    "displayName", "description", "priority", "policyPayload", "userPreferencePayload",
    "assignments", "groupId", "file", "inline", "p.json", "../p.json", "/dev/zero",
    "WindowsOfficeClientConfiguration", "WindowsOfficeClientSecurityConfiguration",
    "OfficeConfiguration", "tenantCheckinStatuses", "userCheckinSummary", "@odata.type",
    "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "null", "~", "true", "yes", "0x1F", "0o17",
    "1e400", ".inf", ".nan", "-0", "2147483648", "9" * 60, "'quoted'", '"dq\\u0000"',
]  # fmt: skip
SYNTAX = [
    ": ", ":", "- ", "-", "[", "]", "{", "}", ", ", "&a ", "*a", "&b ", "*b", "<<: ", "? ",
    "!!str ", "!!binary ", "!custom ", "!!python/object ", "---\n", "...\n", "\n", "\n  ",
    "\n    ", "\t", "#", "|\n", ">-\n", '"', "'", "\\", "%YAML 1.1\n", "%TAG ! tag:x:\n",
    "\ufeff", "\x00", "\x85", "\u2028", "é",
]  # fmt: skip

soup = st.lists(st.sampled_from(WORDS + SYNTAX), max_size=60).map("".join)
mangled = st.tuples(
    st.sampled_from(EXAMPLES),
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.integers(0, 8),
            st.sampled_from(WORDS + SYNTAX) | st.text(max_size=4),
        ),
        min_size=1,
        max_size=6,
    ),
).map(lambda pair: _mangle(*pair))
manifest_text = (
    st.binary(max_size=2000)
    | soup.map(str.encode)
    | mangled.map(str.encode)
    | (mangled.map(lambda text: text + PAYLOAD_LINE)).map(str.encode)
)
payload = st.binary(max_size=300) | soup.map(str.encode) | st.sampled_from(
    [b'{"a": 1e400}', b"[" * 5000, b'{"n": ' + b"9" * 5000 + b"}", b'{"a": NaN}', b"\xef\xbb\xbf{}"]
)  # fmt: skip


def _mangle(text: str, edits: list[tuple[float, int, str]]) -> str:
    """Replace `length` characters at relative `where` with `insert`, for each edit."""
    for where, length, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + length :]
    return text


class Finding(Exception):
    """The loader broke its contract on one input."""


def check(manifest: bytes, payload_file: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "m"
        root.mkdir()
        (root / "p.yaml").write_bytes(manifest)
        (root / "p.json").write_bytes(payload_file)
        started = time.monotonic()
        try:
            manifests.load([root])
        except ManifestError as error:
            lines = [str(issue) for issue in error.issues]
            if bad := [s for s in lines if len(s) > MAX_ISSUE_CHARS or not s.isprintable()]:
                shown = bad[0].replace(str(root), "m")[:200]
                raise Finding(f"an issue that is not one short line: {shown!r}") from None
        except Exception as error:
            raise Finding(f"{type(error).__name__}: {error}".replace(str(root), "m")) from error
        finally:
            took = time.monotonic() - started
        if took > MAX_SECONDS_PER_INPUT:
            raise Finding(f"took {took:.1f}s")


def save_regression(manifest: bytes, payload_file: bytes, why: str) -> Path:
    digest = hashlib.sha256(manifest + b"\0" + payload_file).hexdigest()[:12]
    directory = REGRESSIONS / f"fuzz-{digest}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "p.yaml").write_bytes(manifest)
    (directory / "p.json").write_bytes(payload_file)
    (directory / "found.txt").write_text(why.splitlines()[0][:500] + "\n", encoding="utf-8")
    return directory


def fuzz_round(round_seed: int) -> tuple[bytes, bytes, str] | None:
    """One hypothesis run of ROUND_EXAMPLES inputs; the minimised failing input, if any."""
    found: list[tuple[bytes, bytes, str]] = []

    @seed(round_seed)
    @settings(
        max_examples=ROUND_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(manifest_text, payload)
    def run(manifest: bytes, payload_file: bytes) -> None:
        try:
            check(manifest, payload_file)
        except Finding as finding:
            found[:] = [(manifest, payload_file, str(finding))]  # the last is the minimal one
            raise

    try:
        run()
    except Finding:
        return found[-1]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz_manifests")
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="first seed (default: random)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    deadline = time.monotonic() + args.seconds
    rounds = 0
    while time.monotonic() < deadline:
        finding = fuzz_round(seed + rounds)
        rounds += 1
        if finding is not None:
            manifest, payload_file, why = finding
            where = save_regression(manifest, payload_file, why)
            print(f"fuzz: contract broken ({why.splitlines()[0][:200]})", file=sys.stderr)
            print(f"fuzz: saved the minimised input to {where.relative_to(REPO)}", file=sys.stderr)
            return 1
    print(
        f"fuzz: {rounds * ROUND_EXAMPLES} inputs in {args.seconds:g}s (seeds {seed}..{seed + rounds - 1}): "
        "manifests.load kept its contract"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
