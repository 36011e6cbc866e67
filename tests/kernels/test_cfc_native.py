"""The native CfC sequence kernel (``csrc/cfc_body.h``) and its buffer workspace."""

from __future__ import annotations

import platform
from typing import Any

import ncps.torch
import pytest
import torch
from ncps.wirings import AutoNCP

from lnnmeta.kernels import CfC, _native
from lnnmeta.kernels._common import time_major
from lnnmeta.kernels.cfc import _scannable
from tests.kernels.reference import (
    assert_same,
    assert_same_grads,
    leaf_copies,
    ncps_stepped,
    pair,
    random_state,
    units_of,
)


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


NATIVE_ONLY = [
    ({"mode": "pure"}, 21),
    ({"mode": "pure", "backbone_layers": 0}, 13),
    ({"backbone_layers": 0}, 13),
    ({"mode": "no_gate", "backbone_layers": 0}, 13),
    ({}, ("ncp", 19, 5)),
    ({"mode": "no_gate"}, ("ncp", 19, 5)),
    ({"mode": "pure"}, ("ncp", 19, 5)),
    ({"batch_first": False, "return_sequences": False}, ("ncp", 12, 3)),
]


@pytest.mark.parametrize(("kwargs", "units"), NATIVE_ONLY)
def test_native_pure_direct_and_wired_match_ncps(
    ltc_path: str, kwargs: dict[str, Any], units: Any
) -> None:
    """Pure mode, cells without a backbone and wired (NCP) stacks: outputs, states and all
    gradients (parameters, input, spans, state) equal ncps, with per-step and constant spans.
    """
    torch.manual_seed(13)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, units_of(units), **kwargs)
    shape = (5, 7) if kwargs.get("batch_first", True) else (7, 5)
    base = (torch.randn(*shape, 3), torch.rand(*shape) + 0.5, torch.randn(5, ref.state_size))
    (x1, s1, h1), (x2, s2, h2) = (leaf_copies(*base) for _ in range(2))
    if kwargs.get("batch_first", True):
        assert_same(ref, fast, ncps_stepped(ref, x1, h1, s1), fast(x2, h2, s2))
        assert_same_grads([(x1, x2), (s1, s2), (h1, h2)])
        h = torch.randn(5, ref.state_size)
        half = torch.full(shape, 0.5)
        assert_same(ref, fast, ncps_stepped(ref, x1, h, half), fast(x1, h, 0.5), target_seed=1)
    x = torch.randn(*shape, 3)
    assert_same(ref, fast, ref(x), fast(x), target_seed=2)


MIXED = [
    {},
    {"mode": "no_gate"},
    {"mode": "pure"},
    {"backbone_layers": 0},
    {"mode": "pure", "backbone_layers": 0},
    {"batch_first": False, "return_sequences": False, "proj_size": 3},
]


@pytest.mark.parametrize("kwargs", MIXED)
def test_native_mixed_memory_matches_ncps(ltc_path: str, kwargs: dict[str, Any]) -> None:
    """Mixed memory (the LSTM in front of the cell): outputs, final (h, c) and the gradients
    of parameters, input, spans and both initial states equal ncps."""
    torch.manual_seed(14)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, 17, mixed_memory=True, **kwargs)
    shape = (5, 7, 3) if kwargs.get("batch_first", True) else (7, 5, 3)
    x, hx = torch.randn(shape), random_state(ref, 5)
    assert_same(ref, fast, ref(x, hx), fast(x, hx))
    if kwargs:
        return
    base = (torch.randn(5, 7, 3), torch.rand(5, 7) + 0.5, random_state(ref, 5))
    (x1, s1, h1), (x2, s2, h2) = (leaf_copies(*base) for _ in range(2))
    for y, (h, c) in (ncps_stepped(ref, x1, h1, s1), fast(x2, h2, s2)):
        ((y**2).mean() + h.sum() + 0.3 * c.sum()).backward()
    assert_same_grads([(x1, x2), (s1, s2), (h1[0], h2[0]), (h1[1], h2[1])])


def test_native_covers_pure_wired_and_mixed() -> None:
    """With the native kernels, pure mode, NCP wirings and mixed memory take the scan."""
    if _native.cfc_library() is None:
        pytest.skip("native CfC kernels unavailable")
    x = torch.randn(2, 3, 4)
    models = (CfC(4, 8, mode="pure"), CfC(4, AutoNCP(12, 3)), CfC(4, 8, mixed_memory=True))
    for model in models:
        plans = model._plans(time_major(x, True)[0], 1.0, folded_state=not model.use_mixed)
        assert _scannable(plans, x, mixed=model.use_mixed)


def _isas() -> list[int]:
    """Instruction sets this CPU runs (all up to the widest)."""
    library = _native.cfc_library() if _native.enabled() else None
    return list(range(library.isa + 1)) if library is not None else []


@pytest.mark.parametrize("isa", _isas(), ids=lambda i: _native.ISAS[i])
@pytest.mark.parametrize(
    ("kwargs", "units"),
    [({}, 19), ({"mode": "pure"}, 7), ({"mixed_memory": True}, 21), ({}, ("ncp", 19, 5))],
)
def test_every_instruction_set_matches_ncps(
    isa: int, kwargs: dict[str, Any], units: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generic, AVX2 and AVX-512 bodies (whole and partial vectors) all equal ncps."""
    native = _native.cfc_library()
    assert native is not None
    monkeypatch.setattr(native, "isa", isa)
    torch.manual_seed(16)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, units_of(units), **kwargs)
    base = (torch.randn(5, 7, 3), torch.rand(5, 7) + 0.5, random_state(ref, 5))
    (x1, s1, h1), (x2, s2, h2) = (leaf_copies(*base) for _ in range(2))
    assert_same(ref, fast, ncps_stepped(ref, x1, h1, s1), fast(x2, h2, s2))
    assert_same_grads([(x1, x2), (s1, s2)])


def test_float64_takes_the_eager_step() -> None:
    """Configurations only the native kernels scan fall back to the eager step in float64."""
    torch.manual_seed(15)
    for kwargs in ({"mode": "pure"}, {"mixed_memory": True}, {}):
        units = units_of(("ncp", 12, 3)) if not kwargs else 9
        ref, fast = pair(ncps.torch.CfC, CfC, 3, units, **kwargs)
        ref.double(), fast.double()
        x = torch.randn(4, 6, 3, dtype=torch.float64)
        hx = random_state(ref, 4)
        hx = tuple(h.double() for h in hx) if isinstance(hx, tuple) else hx.double()
        assert_same(ref, fast, ref(x, hx), fast(x, hx))


def test_native_rejects_inconsistent_arguments() -> None:
    """The C entry point checks its arguments (pure mode needs time spans)."""
    native = _native.cfc_library()
    if native is None:
        pytest.skip("native CfC kernels unavailable")
    z_in, l0 = torch.zeros(2, 3, 5), torch.zeros(3, 5)
    weights = _native.CfcWeights(torch.zeros(5, 5), pure_w=torch.zeros(5), pure_a=torch.zeros(5))
    with pytest.raises(RuntimeError, match="invalid argument"):
        native.cfc_forward(z_in, l0, weights, None, 2, False)


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
