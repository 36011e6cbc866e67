"""The native CfC sequence kernel (``csrc/cfc_body.h``) and its buffer workspace."""

from __future__ import annotations

import platform

import ncps.torch
import pytest
import torch

from lnnmeta.kernels import CfC, _native
from tests.kernels.reference import assert_same, assert_same_grads, leaf_copies, ncps_stepped, pair


def test_torch_sgemm_is_found() -> None:
    """torch's x86-64 Linux wheels export MKL's sgemm_; the CfC kernels need it."""
    if platform.machine() != "x86_64" or platform.system() != "Linux":
        pytest.skip("only checked where torch links MKL")
    assert _native.find_sgemm() is not None


@pytest.mark.parametrize("mode", ["default", "no_gate"])
@pytest.mark.parametrize(("batch", "steps", "units"), [(1, 1, 5), (3, 9, 19), (17, 4, 32)])
@pytest.mark.parametrize("batch_first", [True, False])
def test_both_paths_match_ncps(
    ltc_path: str, mode: str, batch: int, steps: int, units: int, batch_first: bool
) -> None:
    """Native and eager (LNNMETA_NATIVE=0) CfC equal ncps, odd sizes included."""
    if ltc_path == "native":
        assert _native.cfc_library() is not None
    torch.manual_seed(10)
    kwargs = {"mode": mode, "batch_first": batch_first, "backbone_units": 24}
    ref, fast = pair(ncps.torch.CfC, CfC, 3, units, **kwargs)
    shape = (batch, steps, 3) if batch_first else (steps, batch, 3)
    x = torch.randn(shape)
    assert_same(ref, fast, ref(x), fast(x))


@pytest.mark.parametrize("mode", ["default", "no_gate"])
def test_both_paths_match_ncps_with_spans(ltc_path: str, mode: str) -> None:
    """Per-step spans: gradients of input, spans and state equal ncps on both paths."""
    torch.manual_seed(11)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, 21, mode=mode)
    base = (torch.randn(5, 7, 3), torch.rand(5, 7) + 0.5, torch.randn(5, 21))
    (x1, s1, h1), (x2, s2, h2) = (leaf_copies(*base) for _ in range(2))
    assert_same(ref, fast, ncps_stepped(ref, x1, h1, s1), fast(x2, h2, s2))
    assert_same_grads([(x1, x2), (s1, s2), (h1, h2)])


def test_workspace_reuses_only_released_buffers() -> None:
    if not _native._can_count_uses():
        pytest.skip("this torch has no storage use count")
    space = _native.Workspace(limit=2)
    big = _native.Workspace.MIN_BYTES // 4
    a = space.empty(2, big)
    a_ptr = a.data_ptr()
    b = space.empty(2, big)
    assert b.data_ptr() != a_ptr  # a is still held
    del a
    c = space.empty(big)  # fits into a's buffer, which is free again
    assert c.data_ptr() == a_ptr
    view = b[0]
    del b
    d = space.empty(2, big)  # b's buffer is still referenced by the view
    assert d.data_ptr() not in (a_ptr, view.data_ptr())
    assert space.empty(3).numel() == 3  # small requests are not pooled


def test_outputs_survive_the_next_call() -> None:
    """A kept output is not overwritten by the next forward pass (workspace reuse)."""
    torch.manual_seed(12)
    model = CfC(4, 40)
    x1, x2 = torch.randn(64, 40, 4), torch.randn(64, 40, 4)  # outputs above MIN_BYTES
    with torch.no_grad():
        y1 = model(x1)[0]
        copy = y1.clone()
        for _ in range(3):
            model(x2)
    assert torch.equal(y1, copy)
