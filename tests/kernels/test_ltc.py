"""``lnnmeta.kernels.LTC`` equals ``ncps.torch.LTC`` (ncps 1.0.1) given the same weights.

Every test runs twice: with the native C++ kernels and with the eager PyTorch path.
"""

from __future__ import annotations

from typing import Any

import ncps.torch
import pytest
import torch

from lnnmeta.bench.kernels import saved_bytes
from lnnmeta.kernels import LTC
from tests.kernels.reference import (
    assert_same,
    assert_same_grads,
    flat_state,
    leaf_copies,
    max_diff,
    ncps_stepped,
    pair,
    random_state,
    units_of,
)

#: Each test on both paths (fixture ``ltc_path`` in conftest.py).
pytestmark = pytest.mark.usefixtures("ltc_path")

CASES = [
    # (batch, steps, inputs, units, constructor kwargs)
    (4, 6, 3, 8, {}),
    (16, 12, 8, 32, {}),
    (5, 7, 5, ("ncp", 16, 4), {}),
    (3, 5, 4, 8, {"mixed_memory": True}),
    (3, 5, 4, ("ncp", 12, 3), {"mixed_memory": True}),
    (4, 6, 3, 8, {"ode_unfolds": 3, "return_sequences": False}),
    (4, 6, 3, 8, {"batch_first": False}),
    (
        4,
        6,
        3,
        8,
        {"input_mapping": "linear", "output_mapping": "none", "implicit_param_constraints": False},
    ),
    (2, 4, 3, 6, {"input_mapping": "none", "output_mapping": "linear", "epsilon": 1e-3}),
]


@pytest.mark.parametrize(("batch", "steps", "inputs", "units", "kwargs"), CASES)
def test_matches_ncps(
    batch: int, steps: int, inputs: int, units: Any, kwargs: dict[str, Any]
) -> None:
    torch.manual_seed(0)
    ref, fast = pair(ncps.torch.LTC, LTC, inputs, units_of(units), **kwargs)
    shape = (batch, steps, inputs) if kwargs.get("batch_first", True) else (steps, batch, inputs)
    x = torch.randn(shape)
    hx = random_state(ref, batch)
    assert_same(ref, fast, ref(x, hx), fast(x, hx))


def test_default_state_matches_ncps() -> None:
    torch.manual_seed(1)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    x = torch.randn(4, 6, 3)
    assert_same(ref, fast, ref(x), fast(x))


@pytest.mark.parametrize("units", [8, ("ncp", 12, 3)])
def test_same_parameters_and_initialisation(units: Any) -> None:
    torch.manual_seed(3)
    ref = ncps.torch.LTC(5, units_of(units), mixed_memory=True)
    torch.manual_seed(3)
    fast = LTC(5, units_of(units), mixed_memory=True)
    ref_state, fast_state = ref.state_dict(), fast.state_dict()
    assert list(fast_state) == list(ref_state)
    assert all(torch.equal(ref_state[k], fast_state[k]) for k in ref_state)


@pytest.mark.parametrize("trailing", [False, True])
@pytest.mark.parametrize(("batch", "units"), [(4, 8), (8, 8), (5, ("ncp", 12, 3))])
@pytest.mark.parametrize("mixed", [False, True])
def test_timespans_per_step(trailing: bool, batch: int, units: Any, mixed: bool) -> None:
    """(B, T) and (B, T, 1) spans act per step and sample, also when B equals the units."""
    torch.manual_seed(2)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, units_of(units), mixed_memory=mixed)
    x = torch.randn(batch, 6, 3)
    spans = torch.rand(batch, 6) + 0.25
    hx = random_state(ref, batch)
    given = spans.unsqueeze(-1) if trailing else spans
    assert_same(ref, fast, ncps_stepped(ref, x, hx, spans), fast(x, hx, given))


def test_timespans_time_major() -> None:
    torch.manual_seed(4)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    fast_tm = LTC(3, 8, batch_first=False)
    fast_tm.load_state_dict(ref.state_dict())
    x, spans = torch.randn(4, 6, 3), torch.rand(4, 6) + 0.5
    y, h = fast(x, None, spans)
    y_tm, h_tm = fast_tm(x.transpose(0, 1), None, spans.t().unsqueeze(-1))
    assert max_diff(y, y_tm.transpose(0, 1)) == 0.0
    assert max_diff(h, h_tm) == 0.0


def test_constant_timespans_match_ncps_default() -> None:
    """A scalar span (or a 0-d tensor) equals ncps' default of 1.0 per step."""
    torch.manual_seed(5)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    x = torch.randn(4, 6, 3)
    y = ref(x)[0]
    assert max_diff(y, fast(x, None, 1.0)[0]) <= 1e-6
    assert max_diff(y, fast(x, None, torch.tensor(1.0))[0]) <= 1e-6


def test_unbatched_input() -> None:
    torch.manual_seed(6)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8, mixed_memory=True)
    x = torch.randn(6, 3)
    hx = (torch.randn(8), torch.randn(8))
    y, (h, c) = fast(x, hx, torch.rand(6) + 0.5)
    assert y.shape == (6, 8) and h.shape == (8,) and c.shape == (8,)
    assert_same(ref, fast, ref(x, hx), fast(x, hx))


def test_mixed_memory_requires_tuple() -> None:
    fast = LTC(3, 8, mixed_memory=True)
    with pytest.raises(RuntimeError, match="tuple"):
        fast(torch.randn(2, 4, 3), torch.zeros(2, 8))


def test_rejects_misshaped_timespans() -> None:
    fast = LTC(3, 8)
    with pytest.raises(ValueError, match="timespans"):
        fast(torch.randn(2, 4, 3), None, torch.ones(4, 2))


def test_saves_an_eighth_of_ncps_bytes() -> None:
    torch.manual_seed(7)
    ref, fast = pair(ncps.torch.LTC, LTC, 8, 32)
    x = torch.randn(16, 10, 8)
    assert saved_bytes(fast, x) * 8 <= saved_bytes(ref, x)


@pytest.mark.parametrize("mixed", [False, True])
def test_input_and_state_gradients_match_ncps(mixed: bool) -> None:
    """Gradients reach the input, the initial state and the time spans (stacked models)."""
    torch.manual_seed(8)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8, mixed_memory=mixed)
    base = (torch.randn(4, 5, 3), torch.rand(4, 5) + 0.5, random_state(ref, 4))
    leaves = [leaf_copies(*base) for _ in range(2)]
    (x1, s1, h1), (x2, s2, h2) = leaves
    assert_same(ref, fast, ncps_stepped(ref, x1, h1, s1), fast(x2, h2, s2))
    assert_same_grads([(x1, x2), (s1, s2), *zip(flat_state(h1), flat_state(h2), strict=True)])


def test_sensory_synapses_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long sequences are processed in blocks; the result does not depend on the block size."""
    from lnnmeta.kernels import _ltc_ops

    monkeypatch.setattr(_ltc_ops, "_SENSORY_BLOCK", 100)
    torch.manual_seed(9)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    x = torch.randn(5, 7, 3)
    assert_same(ref, fast, ref(x), fast(x))
