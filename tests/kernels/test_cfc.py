"""``lnnmeta.kernels.CfC`` equals ``ncps.torch.CfC`` (ncps 1.0.1) given the same weights."""

from __future__ import annotations

from typing import Any

import ncps.torch
import pytest
import torch

from lnnmeta.kernels import CfC
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

MODES = ["default", "no_gate", "pure"]
UNITS = [8, ("ncp", 16, 4)]


@pytest.mark.parametrize("mixed", [False, True])
@pytest.mark.parametrize("units", UNITS)
@pytest.mark.parametrize("mode", MODES)
def test_modes_and_wirings_match_ncps(mode: str, units: Any, mixed: bool) -> None:
    torch.manual_seed(0)
    ref, fast = pair(ncps.torch.CfC, CfC, 5, units_of(units), mode=mode, mixed_memory=mixed)
    x = torch.randn(4, 7, 5)
    hx = random_state(ref, 4)
    assert_same(ref, fast, ref(x, hx), fast(x, hx))


BACKBONES = [
    {"backbone_layers": 0},
    {"backbone_layers": 2, "backbone_units": 16, "activation": "tanh"},
    {"backbone_layers": 3, "backbone_units": 12, "activation": "silu", "backbone_dropout": 0.2},
    {"activation": "relu", "mode": "no_gate"},
    {"activation": "gelu", "proj_size": 3},
    {"return_sequences": False, "proj_size": 2, "mixed_memory": True},
    {"batch_first": False, "mode": "pure"},
]


@pytest.mark.parametrize("kwargs", BACKBONES)
def test_backbones_and_options_match_ncps(kwargs: dict[str, Any]) -> None:
    torch.manual_seed(1)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, 6, **kwargs)
    ref.eval(), fast.eval()  # dropout off: its random masks cannot match
    x = torch.randn((5, 6, 3) if kwargs.get("batch_first", True) else (6, 5, 3))
    hx = random_state(ref, 5)
    assert_same(ref, fast, ref(x, hx), fast(x, hx))


@pytest.mark.parametrize("mode", MODES)
def test_benchmark_shape_matches_ncps(mode: str) -> None:
    """The benchmarked configuration (32 units, 8 inputs), default state, float32."""
    torch.manual_seed(2)
    ref, fast = pair(ncps.torch.CfC, CfC, 8, 32, mode=mode)
    x = torch.randn(16, 25, 8)
    assert_same(ref, fast, ref(x), fast(x))


@pytest.mark.parametrize("trailing", [False, True])
@pytest.mark.parametrize(("batch", "units"), [(4, 8), (8, 8), (5, ("ncp", 16, 4))])
@pytest.mark.parametrize("mode", MODES)
def test_timespans_per_step(trailing: bool, batch: int, units: Any, mode: str) -> None:
    """(B, T) and (B, T, 1) spans act per step and sample, also when B equals the units."""
    torch.manual_seed(3)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, units_of(units), mode=mode, proj_size=2)
    x = torch.randn(batch, 6, 3)
    spans = torch.rand(batch, 6) + 0.25
    hx = random_state(ref, batch)
    given = spans.unsqueeze(-1) if trailing else spans
    assert_same(ref, fast, ncps_stepped(ref, x, hx, spans), fast(x, hx, given))


def test_timespans_with_mixed_memory() -> None:
    torch.manual_seed(4)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, 8, mixed_memory=True)
    x, spans = torch.randn(4, 6, 3), torch.rand(4, 6) + 0.5
    hx = random_state(ref, 4)
    assert_same(ref, fast, ncps_stepped(ref, x, hx, spans), fast(x, hx, spans))


@pytest.mark.parametrize("mode", MODES)
def test_constant_timespans(mode: str) -> None:
    """A Python float span equals the same span given per step."""
    torch.manual_seed(5)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, 8, mode=mode)
    x = torch.randn(4, 6, 3)
    hx = random_state(ref, 4)
    expected = ncps_stepped(ref, x, hx, torch.full((4, 6), 0.7))
    assert_same(ref, fast, expected, fast(x, hx, 0.7))


def test_unbatched_input() -> None:
    torch.manual_seed(6)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, 8)
    x, hx = torch.randn(6, 3), torch.randn(8)
    y, h = fast(x, hx, torch.rand(6, 1) + 0.5)
    assert y.shape == (6, 8) and h.shape == (8,)
    assert_same(ref, fast, ref(x, hx), fast(x, hx))


def test_same_parameters_and_initialisation() -> None:
    torch.manual_seed(7)
    ref = ncps.torch.CfC(5, units_of(("ncp", 16, 4)), mixed_memory=True, proj_size=3)
    torch.manual_seed(7)
    fast = CfC(5, units_of(("ncp", 16, 4)), mixed_memory=True, proj_size=3)
    ref_state, fast_state = ref.state_dict(), fast.state_dict()
    assert list(fast_state) == list(ref_state)
    assert all(torch.equal(ref_state[k], fast_state[k]) for k in ref_state)


def test_dropout_in_training_mode() -> None:
    torch.manual_seed(8)
    fast = CfC(3, 6, backbone_layers=2, backbone_dropout=0.5)
    x = torch.randn(4, 5, 3)
    y1, y2 = fast(x)[0], fast(x)[0]
    assert max_diff(y1, y2) > 0
    y1.sum().backward()
    fast.eval()
    assert max_diff(fast(x)[0], fast(x)[0]) == 0.0


def test_backbone_options_rejected_with_wiring() -> None:
    with pytest.raises(ValueError, match="backbone_units"):
        CfC(3, units_of(("ncp", 16, 4)), backbone_units=8)


@pytest.mark.parametrize(
    "kwargs", [{}, {"mode": "no_gate"}, {"mixed_memory": True}, {"mode": "pure"}]
)
@pytest.mark.parametrize("units", UNITS)
@pytest.mark.parametrize("with_spans", [False, True])
def test_input_and_state_gradients_match_ncps(
    kwargs: dict[str, Any], units: Any, with_spans: bool
) -> None:
    """Gradients reach the input, the initial state and the time spans (stacked models)."""
    torch.manual_seed(9)
    ref, fast = pair(ncps.torch.CfC, CfC, 3, units_of(units), **kwargs)
    base = (torch.randn(4, 5, 3), torch.rand(4, 5) + 0.5, random_state(ref, 4))
    leaves = [leaf_copies(*base) for _ in range(2)]
    (x1, s1, h1), (x2, s2, h2) = leaves
    if with_spans:
        assert_same(ref, fast, ncps_stepped(ref, x1, h1, s1), fast(x2, h2, s2))
        pairs = [(x1, x2), (s1, s2)]
    else:
        assert_same(ref, fast, ref(x1, h1), fast(x2, h2))
        pairs = [(x1, x2)]
    assert_same_grads([*pairs, *zip(flat_state(h1), flat_state(h2), strict=True)])
