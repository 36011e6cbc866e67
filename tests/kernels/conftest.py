"""Fixtures of the fast-kernel tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from lnnmeta.kernels import _native


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Run every kernel test on one torch thread (the machine is shared)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(params=["native", "eager"])
def ltc_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the native LTC kernels, then with the eager path (LNNMETA_NATIVE=0).

    The native variant fails (rather than skips) when the kernels cannot be built, unless
    the whole run was started with LNNMETA_NATIVE=0.
    """
    path = str(request.param)
    if path == "eager":
        monkeypatch.setenv(_native.ENV_SWITCH, "0")
    elif not _native.enabled():
        pytest.skip(f"{_native.ENV_SWITCH}=0: native kernels switched off")
    else:
        assert _native.library() is not None, "native LTC kernels failed to build or load"
    return path
