"""The collector pause around loading and planning gives the collector back as it found
it, whatever happens inside."""

from __future__ import annotations

import gc

import pytest

from reconciler.engine import collector
from reconciler.errors import ManifestError
from reconciler.load import manifests


def test_the_pause_restores_the_collector_even_when_the_body_raises():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        assert not gc.isenabled()
        raise RuntimeError("inside")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_a_failed_load_leaves_the_collector_on(tmp_path):
    (tmp_path / "m.yaml").write_text("apiVersion: reconciler/v1\nkind: Nope\n")
    with pytest.raises(ManifestError):
        manifests.load([str(tmp_path)])
    assert gc.isenabled()
