"""The native LTC kernels: every instruction set, edge cases, and the eager fallback."""

from __future__ import annotations

import logging
import os
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ncps.torch
import pytest
import torch
from torch import Tensor

from lnnmeta.kernels import LTC, _native, ltc
from lnnmeta.kernels._ltc_ops import FusedSolver, NativeSolver, NativeSynapseSums, SynapseSums
from tests.kernels.reference import (
    TOLERANCE,
    assert_same,
    max_diff,
    ncps_stepped,
    pair,
    random_state,
    units_of,
)


@pytest.fixture
def native() -> _native.NativeLibrary:
    """The native kernels (skip when switched off with LNNMETA_NATIVE=0; fail if broken)."""
    if not _native.enabled():
        pytest.skip(f"{_native.ENV_SWITCH}=0: native kernels switched off")
    library = _native.library()
    assert library is not None, "native LTC kernels failed to build or load"
    return library


def available_isas() -> list[int]:
    """Instruction sets this CPU runs (all up to the widest), for parametrisation."""
    library = _native.library() if _native.enabled() else None
    return list(range(library.isa + 1)) if library is not None else [0]


@pytest.fixture(params=available_isas(), ids=lambda i: _native.ISAS[i])
def isa(
    request: pytest.FixtureRequest, native: _native.NativeLibrary, monkeypatch: pytest.MonkeyPatch
) -> int:
    """Run a test with each available instruction set of the native kernels."""
    monkeypatch.setattr(native, "isa", request.param)
    return int(request.param)


@pytest.fixture
def fresh_loader(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Forget the loaded kernels, so that the next call of ``library()`` loads again."""
    monkeypatch.setattr(_native, "_loaded", [])
    yield


@pytest.fixture
def count_native_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the calls of the native autograd functions by ``lnnmeta.kernels.ltc``."""
    counts = {"solve": 0, "sums": 0}

    def counted(name: str, fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
        def wrapper(*args: Any) -> Tensor:
            counts[name] += 1
            return fn(*args)

        return wrapper

    monkeypatch.setattr(ltc, "native_solve", counted("solve", ltc.native_solve))
    monkeypatch.setattr(ltc, "native_sensory_sums", counted("sums", ltc.native_sensory_sums))
    return counts


ISA_CASES = [
    # (batch, steps, inputs, units, constructor kwargs, per-step spans)
    (64, 5, 8, 32, {}, False),
    (5, 6, 3, ("ncp", 16, 4), {"mixed_memory": True}, True),
    (17, 4, 4, 8, {"ode_unfolds": 2, "implicit_param_constraints": False}, True),
]


@pytest.mark.parametrize(("batch", "steps", "inputs", "units", "kwargs", "spans"), ISA_CASES)
def test_every_instruction_set_matches_ncps(
    isa: int,
    count_native_calls: dict[str, int],
    batch: int,
    steps: int,
    inputs: int,
    units: Any,
    kwargs: dict[str, Any],
    spans: bool,
) -> None:
    torch.manual_seed(10)
    ref, fast = pair(ncps.torch.LTC, LTC, inputs, units_of(units), **kwargs)
    x = torch.randn(batch, steps, inputs)
    hx = random_state(ref, batch)
    if spans:
        ts = torch.rand(batch, steps) + 0.25
        assert_same(ref, fast, ncps_stepped(ref, x, hx, ts), fast(x, hx, ts))
    else:
        assert_same(ref, fast, ref(x, hx), fast(x, hx))
    assert count_native_calls["solve"] >= 1 and count_native_calls["sums"] == 1


def test_saturated_synapses_match_ncps(isa: int) -> None:
    """Large inputs and states drive the sigmoids far into saturation (exp over/underflow)."""
    torch.manual_seed(11)
    ref, fast = pair(ncps.torch.LTC, LTC, 4, 8)
    x = 200.0 * torch.randn(6, 5, 4)
    hx = 100.0 * torch.randn(6, 8)
    assert_same(ref, fast, ref(x, hx), fast(x, hx))


def test_nan_propagates_per_sample_like_ncps(native: _native.NativeLibrary) -> None:
    torch.manual_seed(12)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    x = torch.randn(4, 5, 3)
    x[1, 2, 0] = float("nan")
    with torch.no_grad():
        y_ref, y_fast = ref(x)[0], fast(x)[0]
    assert torch.equal(y_ref.isnan(), y_fast.isnan())
    assert y_fast[1, 2:].isnan().all() and not y_fast[[0, 2, 3]].isnan().any()
    assert max_diff(y_ref[[0, 2, 3]], y_fast[[0, 2, 3]]) <= TOLERANCE


def test_inference_without_grad_equals_training_forward(native: _native.NativeLibrary) -> None:
    torch.manual_seed(13)
    fast = LTC(5, 16)
    x = torch.randn(20, 7, 5)
    y_train = fast(x)[0]
    assert y_train.grad_fn is not None
    with torch.no_grad():
        y_infer = fast(x)[0]
    assert torch.equal(y_train.detach(), y_infer)


def test_frozen_parameters_input_gradient_only(native: _native.NativeLibrary) -> None:
    """Only the input requires gradients: the solver still saves what its backward needs."""
    torch.manual_seed(14)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    for p in [*ref.parameters(), *fast.parameters()]:
        p.requires_grad_(False)
    x1 = torch.randn(4, 6, 3, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_()
    ref(x1)[0].square().sum().backward()
    fast(x2)[0].square().sum().backward()
    assert x1.grad is not None and x2.grad is not None
    assert max_diff(x1.grad, x2.grad) <= TOLERANCE


def test_double_precision_uses_the_eager_path(count_native_calls: dict[str, int]) -> None:
    torch.manual_seed(15)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    ref.double(), fast.double()
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    assert_same(ref, fast, ref(x), fast(x))
    assert count_native_calls == {"solve": 0, "sums": 0}


def _eager_and_native_grads(
    eager: Callable[..., Tensor],
    native_fn: Callable[..., Tensor],
    inputs: list[Tensor],
    extra_eager: tuple[Any, ...],
    extra_native: tuple[Any, ...],
    a2_mask: Tensor,
) -> None:
    """Assert equal outputs and input gradients of an eager and a native function.

    The gradient of ``a2`` (the last input) is compared where ``a2_mask`` is non-zero: the
    eager functions know no mask, and the module multiplies that gradient by it.
    """
    leaves = [[t.clone().requires_grad_() for t in inputs] for _ in range(2)]
    out_eager = eager(*leaves[0], *extra_eager)
    out_native = native_fn(*leaves[1], *extra_native)
    assert max_diff(out_eager, out_native) <= TOLERANCE
    weight = torch.randn(out_eager.shape, generator=torch.Generator().manual_seed(0))
    (out_eager * weight).sum().backward()
    (out_native * weight).sum().backward()
    for k, (a, b) in enumerate(zip(*leaves, strict=True)):
        assert a.grad is not None and b.grad is not None
        mask = a2_mask.unsqueeze(1) if k == len(inputs) - 1 else torch.ones(())
        scale = max(1.0, float(a.grad.abs().max()))
        assert max_diff(a.grad * mask, b.grad * mask) <= TOLERANCE * scale
        assert not (b.grad * (1 - mask)).any()


def _synapses(n_post: int, n_pre: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Random synapse tensors (mu, sig (j, i, 1), a2 (j, 2, i), mask (j, i)) with a silent
    post unit (no active synapse) and a silent pre unit."""
    mu = torch.rand(n_post, n_pre, 1) * 0.5 + 0.3
    sig = torch.rand(n_post, n_pre, 1) * 5.0 + 3.0
    mask = (torch.rand(n_post, n_pre) > 0.3).float()
    mask[0] = 0.0
    mask[:, -1] = 0.0
    weight = (torch.rand(n_post, n_pre) + 0.01) * mask
    erev = torch.randint(0, 2, (n_post, n_pre)).float() * 2.0 - 1.0
    return mu, sig, torch.stack((weight * erev, weight), dim=1), mask


@pytest.mark.parametrize("columns", [1, 16, 37, 96])
def test_native_synapse_sums_equal_eager(isa: int, columns: int) -> None:
    torch.manual_seed(16)
    mu, sig, a2, mask = _synapses(6, 5)
    pre = torch.randn(5, columns)
    _eager_and_native_grads(
        SynapseSums.apply,
        NativeSynapseSums.apply,
        [pre, mu, sig, a2],
        (),
        (mask, _native.library()),
        mask,
    )


@pytest.mark.parametrize("per_sample_cm", [False, True])
@pytest.mark.parametrize("batch", [3, 16, 40])
def test_native_solver_equals_eager(isa: int, batch: int, per_sample_cm: bool) -> None:
    torch.manual_seed(17)
    n, steps, unfolds = 7, 4, 3
    mu, sig, a2, mask = _synapses(n, n)
    v0 = torch.randn(n, batch)
    const = torch.stack((torch.randn(steps, n, batch), torch.rand(steps, n, batch) + 2.0), 2)
    cm_t = torch.rand(steps, n, batch) + 0.5 if per_sample_cm else torch.rand(n, 1) + 0.5
    a2t = a2.transpose(1, 2).contiguous()
    sig_i = sig.squeeze(-1).t().unsqueeze(1).contiguous()
    _eager_and_native_grads(
        FusedSolver.apply,
        NativeSolver.apply,
        [v0, const, cm_t, mu, sig, a2],
        (a2t, sig_i, unfolds),
        (mask, unfolds, _native.library()),
        mask,
    )


def test_switched_off_by_environment(
    monkeypatch: pytest.MonkeyPatch, fresh_loader: None, count_native_calls: dict[str, int]
) -> None:
    monkeypatch.setenv(_native.ENV_SWITCH, "0")

    def must_not_load(verbose: bool = False) -> _native.NativeLibrary:
        raise AssertionError("built although switched off")

    monkeypatch.setattr(_native, "load", must_not_load)
    assert _native.library() is None
    torch.manual_seed(18)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    x = torch.randn(4, 5, 3)
    assert_same(ref, fast, ref(x), fast(x))
    assert count_native_calls == {"solve": 0, "sums": 0}


def test_failed_build_falls_back_with_one_warning(
    monkeypatch: pytest.MonkeyPatch,
    fresh_loader: None,
    caplog: pytest.LogCaptureFixture,
    count_native_calls: dict[str, int],
) -> None:
    monkeypatch.delenv(_native.ENV_SWITCH, raising=False)
    attempts = []

    def broken(verbose: bool = False) -> _native.NativeLibrary:
        attempts.append(1)
        raise RuntimeError("Error building extension 'lnnmeta_ltc': c++: not found")

    monkeypatch.setattr(_native, "load", broken)
    torch.manual_seed(19)
    ref, fast = pair(ncps.torch.LTC, LTC, 3, 8)
    x = torch.randn(4, 5, 3)
    with caplog.at_level(logging.WARNING, logger=_native.LOG.name):
        assert_same(ref, fast, ref(x), fast(x))
        fast(x)
    warnings = [r for r in caplog.records if r.name == _native.LOG.name]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "eager" in warnings[0].getMessage()
    assert "c++: not found" in warnings[0].getMessage()
    assert attempts == [1]
    assert count_native_calls == {"solve": 0, "sums": 0}


def test_missing_compiler_falls_back(
    monkeypatch: pytest.MonkeyPatch,
    fresh_loader: None,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Any,
) -> None:
    """A real build attempt with a compiler that does not exist, in an empty cache."""
    monkeypatch.delenv(_native.ENV_SWITCH, raising=False)
    monkeypatch.setenv("CXX", str(tmp_path / "no-such-compiler"))
    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path / "cache"))
    # A new flag gives a new extension name: torch builds it instead of reusing the one
    # this process loaded already.
    monkeypatch.setattr(_native, "CFLAGS", (*_native.CFLAGS, "-DLNN_TEST_NO_COMPILER"))
    with caplog.at_level(logging.WARNING, logger=_native.LOG.name):
        assert _native.library() is None
    ours = [r for r in caplog.records if r.name == _native.LOG.name]
    assert len(ours) == 1 and ours[0].levelno == logging.WARNING
    fast = LTC(3, 8)
    assert fast(torch.randn(2, 4, 3))[0].shape == (2, 4, 8)


def test_library_reports_instruction_set(native: _native.NativeLibrary) -> None:
    assert native.isa_name in _native.ISAS
    assert native.load_seconds >= 0.0
    assert _native.extension_name().startswith("lnnmeta_ltc_")


def test_missing_ninja_falls_back(
    monkeypatch: pytest.MonkeyPatch,
    fresh_loader: None,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Any,
) -> None:
    """No ninja on PATH, none next to the interpreter, no ninja package: eager, PATH kept."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.delenv(_native.ENV_SWITCH, raising=False)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(empty))
    monkeypatch.setitem(sys.modules, "ninja", None)  # import ninja fails
    monkeypatch.setattr(_native, "CFLAGS", (*_native.CFLAGS, "-DLNN_TEST_NO_NINJA"))
    with caplog.at_level(logging.WARNING, logger=_native.LOG.name):
        assert _native.library() is None
    ours = [r for r in caplog.records if r.name == _native.LOG.name]
    assert len(ours) == 1 and "eager" in ours[0].getMessage()
    assert "ninja" in ours[0].getMessage().lower()
    assert os.environ["PATH"] == str(empty)


def test_stale_build_lock_is_removed(
    monkeypatch: pytest.MonkeyPatch, fresh_loader: None, tmp_path: Any
) -> None:
    """A lock left by a killed build would make torch wait forever; it is removed."""
    from torch.utils import cpp_extension

    monkeypatch.delenv(_native.ENV_SWITCH, raising=False)
    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path))
    monkeypatch.setattr(_native, "CFLAGS", (*_native.CFLAGS, "-DLNN_TEST_STALE_LOCK"))
    lock = Path(cpp_extension._get_build_directory(_native.extension_name(), False)) / "lock"
    lock.touch()
    old = time.time() - 2 * _native.STALE_LOCK_SECONDS
    os.utime(lock, (old, old))
    result: list[_native.NativeLibrary | None] = []
    worker = threading.Thread(target=lambda: result.append(_native.library()), daemon=True)
    worker.start()
    worker.join(timeout=300)
    assert not worker.is_alive(), "waited on the stale lock"
    assert result and result[0] is not None
    assert not lock.exists()
