"""The native CT-RNN scan (``csrc/ctrnn_body.h``) against the eager reference loop.

The eager loop (:func:`lnnmeta.kernels.ctrnn.ctrnn_scan_eager`, differentiated by autograd) is
the reference: the native forward pass and its hand-written backward pass must give the same
final state and the same gradients of every parameter, of the input and of the time spans.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import Tensor

from lnnmeta.kernels import _native
from lnnmeta.kernels import ctrnn as ctrnn_mod
from lnnmeta.kernels.ctrnn import CtrnnScan, ctrnn_scan, ctrnn_scan_eager
from lnnmeta.models import CTRNN, build_model

#: Relative tolerance of native vs eager (float32 rounding over up to 6 x 40 sub-steps).
RTOL = 1e-5


@pytest.fixture
def native_library() -> _native.NativeLibrary:
    """The native library with sgemm; fails (not skips) unless LNNMETA_NATIVE=0."""
    if not _native.enabled():
        pytest.skip(f"{_native.ENV_SWITCH}=0: native kernels switched off")
    native = _native.cfc_library()
    assert native is not None, "native kernels (with torch's sgemm) failed to build or load"
    return native


def _pair(input_size: int, units: int, unfolds: int, seed: int) -> tuple[CTRNN, CTRNN]:
    """A native CT-RNN and an eager one with equal, non-trivial weights."""
    torch.manual_seed(seed)
    native = CTRNN(input_size, units, unfolds=unfolds, native=True)
    with torch.no_grad():
        native.log_tau.uniform_(-1.0, 1.0)
        native.rec.weight.mul_(2.0)  # a recurrent gain well away from zero
    eager = CTRNN(input_size, units, unfolds=unfolds, native=False)
    eager.load_state_dict(native.state_dict())
    return native, eager


def _close(actual: Tensor, expected: Tensor, what: str) -> None:
    """|actual - expected| <= RTOL * max |expected| (a scale-relative comparison)."""
    scale = float(expected.abs().max())
    diff = float((actual - expected).abs().max())
    assert diff <= RTOL * max(scale, 1e-6), f"{what}: max diff {diff:.3g}, scale {scale:.3g}"


def _run(model: CTRNN, x: Tensor, dt: Tensor, weight: Tensor) -> tuple[Tensor, ...]:
    """Final state, and gradients of a weighted sum of it wrt parameters, x and dt."""
    model.zero_grad()
    x, dt = x.clone().requires_grad_(), dt.clone().requires_grad_()
    h = model(x, dt)
    (h * weight).sum().backward()
    params = [p.grad for p in (model.inp.weight, model.inp.bias, model.rec.weight, model.log_tau)]
    assert all(g is not None for g in params)
    return (h.detach(), *params, x.grad, dt.grad)  # type: ignore[return-value]


NAMES = ("state", "d inp.weight", "d inp.bias", "d rec.weight", "d log_tau", "d x", "d dt")


@pytest.mark.parametrize(
    ("batch", "steps", "units", "unfolds"),
    [(1, 1, 1, 1), (3, 9, 5, 6), (17, 40, 19, 6), (64, 12, 16, 6), (5, 7, 33, 3), (2, 4, 128, 2)],
)
def test_native_equals_eager_outputs_and_gradients(
    native_library: _native.NativeLibrary, batch: int, steps: int, units: int, unfolds: int
) -> None:
    """State and the gradients of every parameter, of x and of dt equal the eager loop's
    (odd batch and unit counts, one unit, one unfold, dt varying per sample and step)."""
    native, eager = _pair(3, units, unfolds, seed=units + steps)
    x = torch.randn(batch, steps, 3)
    dt = torch.rand(batch, steps) * 2.0 + 0.05
    weight = torch.randn(batch, units)
    got, want = _run(native, x, dt, weight), _run(eager, x, dt, weight)
    for name, a, b in zip(NAMES, got, want, strict=True):
        _close(a, b, name)


def test_initial_state_gradient_and_no_grad(native_library: _native.NativeLibrary) -> None:
    """A given initial state gets the eager gradient; without autograd the scan keeps nothing
    and returns the same state."""
    torch.manual_seed(3)
    drive, dt = torch.randn(6, 11, 9), torch.rand(6, 11) + 0.1
    weight, inv_tau = torch.randn(9, 9), torch.rand(9) + 0.5
    grads = []
    for native in (True, False):
        h0 = torch.randn(6, 9, generator=torch.Generator().manual_seed(4)).requires_grad_()
        ctrnn_scan(drive, dt, weight, inv_tau, 4, h0, native=native).square().sum().backward()
        grads.append(h0.grad)
    _close(grads[0], grads[1], "d h0")
    kept = []
    forward = native_library.ctrnn_forward

    def spy(*args: Any) -> Any:
        kept.append(args[-1])
        return forward(*args)

    with torch.no_grad(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(native_library, "ctrnn_forward", spy)
        plain = ctrnn_scan(drive, dt, weight.clone().requires_grad_(), inv_tau, 4)
    assert kept == [False]  # parameters that require grad, but no autograd: nothing kept
    _close(plain, ctrnn_scan_eager(drive, dt, weight, inv_tau, 4, torch.zeros(6, 9)), "state")


def test_backward_twice_with_retained_graph(native_library: _native.NativeLibrary) -> None:
    """The saved states come from the workspace: a second backward pass (retain_graph) and
    other scans in between must not change them."""
    native, _ = _pair(2, 12, 6, seed=5)
    x, dt = torch.randn(8, 10, 2), torch.rand(8, 10) + 0.5
    h = native(x, dt)
    h.sum().backward(retain_graph=True)
    first = native.rec.weight.grad.clone()  # type: ignore[union-attr]
    native.zero_grad()
    native(torch.randn(8, 10, 2), dt).sum().backward()  # reuses free workspace buffers
    native.zero_grad()
    h.sum().backward()
    torch.testing.assert_close(native.rec.weight.grad, first, rtol=0, atol=0)


def _forbid_native(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any) -> None:
        raise AssertionError("the native scan ran")

    monkeypatch.setattr(CtrnnScan, "apply", fail)


def test_float64_runs_the_eager_loop(
    native_library: _native.NativeLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """float64 falls back to the eager loop, whose gradients pass torch's gradcheck."""
    _forbid_native(monkeypatch)
    torch.manual_seed(6)
    args = [
        torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True),
        (torch.rand(2, 3, dtype=torch.float64) + 0.5).requires_grad_(),
        torch.randn(4, 4, dtype=torch.float64, requires_grad=True),
        (torch.rand(4, dtype=torch.float64) + 0.5).requires_grad_(),
    ]
    assert torch.autograd.gradcheck(lambda d, s, w, i: ctrnn_scan(d, s, w, i, 3), args)


def test_switch_and_backend_select_the_eager_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """LNNMETA_NATIVE=0 and the ``ncps`` backend (the reference implementation) run eager;
    the ``fast`` backend asks for the native scan."""
    assert build_model("ctrnn", 2, 1, 8, backend="fast").core.native is True
    assert build_model("ctrnn", 2, 1, 8, backend="ncps").core.native is False
    monkeypatch.setenv(_native.ENV_SWITCH, "0")
    assert not ctrnn_mod.native_available(torch.zeros(1))
    _forbid_native(monkeypatch)
    CTRNN(2, 4)(torch.randn(3, 5, 2), torch.ones(3, 5)).sum().backward()


def test_bad_unfolds_is_rejected() -> None:
    with pytest.raises(ValueError, match="unfolds"):
        ctrnn_scan(torch.zeros(1, 1, 1), torch.ones(1, 1), torch.zeros(1, 1), torch.ones(1), 0)


def test_mismatched_shapes_are_rejected() -> None:
    """Shapes are checked before the native scan (which would read out of bounds)."""
    drive, dt, weight, inv_tau = (
        torch.zeros(2, 3, 4),
        torch.ones(2, 3),
        torch.zeros(4, 4),
        torch.ones(4),
    )
    with pytest.raises(ValueError, match=r"dt must have shape \(2, 3\)"):
        ctrnn_scan(drive, torch.ones(2, 5), weight, inv_tau, 6)
    with pytest.raises(ValueError, match="weight must have shape"):
        ctrnn_scan(drive, dt, torch.zeros(4, 3), inv_tau, 6)
    with pytest.raises(ValueError, match="h0 must have shape"):
        ctrnn_scan(drive, dt, weight, inv_tau, 6, torch.zeros(3, 4))


def test_training_on_both_backends_agrees(native_library: _native.NativeLibrary) -> None:
    """The rerun grid's CT-RNN (``build_model``) trained for 30 Adam steps with the ``fast``
    backend (native scan) and the ``ncps`` one (eager loop), from the same seed: same losses
    and weights to float32 rounding."""
    torch.manual_seed(7)
    x, dt, y = torch.randn(32, 20, 3), torch.rand(32, 20) + 0.5, torch.randint(0, 2, (32,))
    runs = []
    for backend in ("fast", "ncps"):
        torch.manual_seed(8)
        model = build_model("ctrnn", 3, 2, 16, backend=backend)  # type: ignore[arg-type]
        opt = torch.optim.Adam(model.parameters(), lr=5e-3)
        losses = []
        for _ in range(30):
            loss = torch.nn.functional.cross_entropy(model(x, dt), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        runs.append(
            (torch.tensor(losses), torch.cat([p.detach().flatten() for p in model.parameters()]))
        )
    (loss_fast, w_fast), (loss_ref, w_ref) = runs
    assert loss_fast[-1] < loss_fast[0]  # it trains
    torch.testing.assert_close(loss_fast, loss_ref, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(w_fast, w_ref, rtol=1e-4, atol=1e-5)
