"""Every registered model: output shape, trainable-parameter count, and the ncps stepping fix."""

from __future__ import annotations

import pytest
import torch

from lnnmeta.models import REGISTRY, _ncps_stepped, build_model, count_trainable

torch.set_num_threads(1)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_forward_shape_and_grad(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, input_size=3, output_size=5, units=12, backend="ncps")
    x, dt = torch.randn(4, 7, 3), torch.ones(4, 7)
    out = model(x, dt)
    assert out.shape == (4, 5)
    out.sum().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


def test_masks_are_not_counted() -> None:
    model = build_model("ltc_ncp", input_size=3, output_size=2, units=12, backend="ncps")
    total = sum(p.numel() for p in model.parameters())
    assert count_trainable(model) < total  # ncps registers sparsity masks as frozen parameters


@pytest.mark.parametrize("kind", ["cfc", "ltc"])
def test_stepped_ncps_matches_ncps_with_unit_gaps(kind: str) -> None:
    torch.manual_seed(0)
    model = build_model(kind, input_size=3, output_size=2, units=8, backend="ncps")
    x = torch.randn(5, 6, 3)
    ref, _ = model.core(x)  # ncps' own loop, default time span 1.0
    ours = _ncps_stepped(model.core, x, torch.ones(5, 6))
    torch.testing.assert_close(ours, ref)


def test_stepped_ncps_uses_per_sample_gaps() -> None:
    """With batch == units ncps 1.0.1 silently broadcasts (B,) gaps over units; stepping does not."""
    torch.manual_seed(0)
    model = build_model("cfc", input_size=2, output_size=2, units=4, backend="ncps")
    x = torch.randn(4, 3, 2)
    dt = torch.tensor([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [0.5, 0.5, 0.5], [3.0, 3.0, 3.0]])
    batched = _ncps_stepped(model.core, x, dt)
    for i in range(4):
        single = _ncps_stepped(model.core, x[i : i + 1], dt[i : i + 1])
        torch.testing.assert_close(batched[i : i + 1], single)


def test_ctrnn_is_the_euler_solution_of_its_ode() -> None:
    """The fused CT-RNN step equals dh/dt = -h/tau + tanh(W x + U h + b), 6 Euler unfolds per step."""
    import torch

    from lnnmeta.models import CTRNN

    torch.manual_seed(0)
    m = CTRNN(2, 5)
    with torch.no_grad():
        m.log_tau.uniform_(-1, 1)
    x, dt = torch.randn(3, 7, 2), torch.rand(3, 7) + 0.5
    h = torch.zeros(3, 5)
    tau = torch.exp(m.log_tau)
    for t in range(7):
        for _ in range(6):
            dhdt = -h / tau + torch.tanh(m.inp(x[:, t]) + h @ m.rec.weight.t())
            h = h + dt[:, t : t + 1] / 6 * dhdt
    assert torch.allclose(m(x, dt), h, atol=1e-6)


def test_registry_facts_decide_the_core() -> None:
    from lnnmeta.registry import TRADITIONAL

    for name in REGISTRY:
        model = build_model(name, input_size=2, output_size=1, units=8, backend="ncps")
        assert model.discrete == (name in TRADITIONAL), name
        assert isinstance(model.core, torch.nn.RNNBase) == (name in TRADITIONAL), name
