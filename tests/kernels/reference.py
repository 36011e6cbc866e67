"""Reference helpers: ncps 1.0.1 is the reference the fast kernels must match."""

from __future__ import annotations

from typing import Any

import torch
from ncps.wirings import AutoNCP
from torch import Tensor, nn

TOLERANCE = 1e-5


def units_of(spec: Any) -> Any:
    """A fresh ``AutoNCP(units, motors)`` wiring for ("ncp", units, motors), else ``spec``."""
    return AutoNCP(spec[1], spec[2]) if isinstance(spec, tuple) else spec


def ncps_stepped(ref: Any, x: Tensor, hx: Any, spans: Tensor) -> tuple[Tensor, Any]:
    """ncps' own forward loop, but with per-step (B, 1) time spans.

    ncps 1.0.1 squeezes each step's spans to (B,), which then broadcasts against the units;
    passing (B, 1) to its cell is the intended per-sample behaviour.  ``x`` is (B, T, C)
    and ``spans`` (B, T); ``ref`` is an ``ncps.torch.LTC`` or ``ncps.torch.CfC``.
    """
    h, c = hx if ref.use_mixed else (hx, None)
    outputs = []
    for t in range(x.size(1)):
        if ref.use_mixed:
            h, c = ref.lstm(x[:, t], (h, c))
        out, h = ref.rnn_cell.forward(x[:, t], h, spans[:, t : t + 1])
        outputs.append(ref.fc(out) if hasattr(ref, "fc") else out)
    return torch.stack(outputs, 1), ((h, c) if ref.use_mixed else h)


def pair(ref_cls: Any, fast_cls: Any, *args: Any, **kwargs: Any) -> tuple[nn.Module, nn.Module]:
    """Build an ncps module and a fast one with the ncps weights."""
    ref = ref_cls(*args, **kwargs)
    fast = fast_cls(*args, **kwargs)
    fast.load_state_dict(ref.state_dict())
    return ref, fast


def random_state(module: Any, batch: int) -> Any:
    """A random initial state (a tuple with mixed memory)."""
    h = torch.randn(batch, module.state_size)
    return (h, torch.randn(batch, module.state_size)) if module.use_mixed else h


def assert_same(
    ref: nn.Module, fast: nn.Module, out_ref: Any, out_fast: Any, target_seed: int = 0
) -> None:
    """Assert equal outputs/states, then equal parameter gradients of a mean-square loss."""
    y_ref, h_ref = out_ref
    y_fast, h_fast = out_fast
    assert y_fast.shape == y_ref.shape
    assert max_diff(y_ref, y_fast) <= TOLERANCE
    for a, b in zip(flat_state(h_ref), flat_state(h_fast), strict=True):
        assert b.shape == a.shape
        assert max_diff(a, b) <= TOLERANCE
    target = torch.randn(y_ref.shape, generator=torch.Generator().manual_seed(target_seed))
    ((y_ref - target) ** 2).mean().backward()
    ((y_fast - target) ** 2).mean().backward()
    named_fast = dict(fast.named_parameters())
    for name, p in ref.named_parameters():
        q = named_fast[name]
        if p.grad is None:
            assert q.grad is None or not q.grad.any(), name
            continue
        assert q.grad is not None, name
        assert max_diff(p.grad, q.grad) <= TOLERANCE, name


def max_diff(a: Tensor, b: Tensor) -> float:
    """Largest absolute elementwise difference."""
    return float((a.detach() - b.detach()).abs().max())


def flat_state(state: Any) -> list[Tensor]:
    """The tensors of a state: [h] or [h, c]."""
    return list(state) if isinstance(state, tuple) else [state]


def leaf_copies(x: Tensor, spans: Tensor, hx: Any) -> tuple[Tensor, Tensor, Any]:
    """Fresh leaf copies (requiring gradients) of an input, time spans and state."""
    if isinstance(hx, tuple):
        hx = tuple(h.clone().requires_grad_() for h in hx)
    else:
        hx = hx.clone().requires_grad_()
    return x.clone().requires_grad_(), spans.clone().requires_grad_(), hx


def assert_same_grads(pairs: list[tuple[Tensor, Tensor]]) -> None:
    """Assert that both tensors of every pair received equal gradients."""
    for a, b in pairs:
        assert a.grad is not None and b.grad is not None
        assert max_diff(a.grad, b.grad) <= TOLERANCE
