"""Aspect: every bad manifest in `bad/` fails with exactly the messages and locations pinned
in its `expected.txt` (one `file:line:col: path: message` per line, in report order).

Each case is a directory loaded as the manifest root, from inside it, so file names in the
messages are short. Add a case by adding a directory; the test picks it up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.load import manifests

BAD = Path(__file__).parent / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_bad_manifest_is_reported_exactly(case, monkeypatch):
    monkeypatch.chdir(BAD / case)
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ManifestError) as caught:
        manifests.load(["."])
    assert [str(issue) for issue in caught.value.issues] == expected
    assert (
        str(caught.value) == f"{len(expected)} error{'s' if len(expected) > 1 else ''} in manifests"
    )
