"""Native (C++) kernels of the LTC and CfC, built on first use and called through ctypes.

The sources in ``csrc/`` hold the sensory synapse sums and the fused ODE solver of ncps
1.0.1 (``LTCCell._ode_solver``), forward and backward, for float32 CPU tensors on one
thread, and the whole-sequence CfC cell (``cfc_body.h``: every mode, with or without a
one-layer backbone, optionally behind the mixed-memory LSTM) and the CT-RNN scan
(``ctrnn_body.h``, :mod:`lnnmeta.kernels.ctrnn`), whose matrix products call
the BLAS ``sgemm_`` that torch exports (:func:`find_sgemm`; without it, the CfC and the
CT-RNN run in eager PyTorch).  A CfC call with :data:`GEMM_ONLY` added to its mode replays only its
matrix products (the benchmark's floor).  The CfC's large results come from a :class:`Workspace` that keeps buffers
between calls.  :func:`library` compiles them on first use with
``torch.utils.cpp_extension.load`` (g++ and ninja; no torch headers, so the build takes a
few seconds) into torch's extension cache (``$TORCH_EXTENSIONS_DIR``, by default
``~/.cache/torch_extensions``), under a name that hashes the sources and flags, and
loads the shared library with :mod:`ctypes`.  The body is compiled for a generic target
and, on x86-64, for AVX2+FMA and AVX-512 (``#pragma GCC target``); the widest one the
CPU supports is used.

If the build or the load fails (no compiler, no ninja, ...), :func:`library` logs one
warning and returns None for the rest of the process, and the kernels use their eager
PyTorch path.  ``LNNMETA_NATIVE=0`` in the environment forces the eager path.

The wrappers here take and return tensors; every sample dimension (``batch`` of the
solver, ``columns`` of the synapse sums) must be a multiple of :data:`LANES` -- the
autograd functions in :mod:`lnnmeta.kernels._ltc_ops` pad it.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import shutil
import sysconfig
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

LOG = logging.getLogger(__name__)

#: Sample counts passed to the native kernels must be multiples of this (widest vector).
LANES = 16
#: Environment variable: "0" forces the eager path.
ENV_SWITCH = "LNNMETA_NATIVE"
#: Instruction sets of the native body, by the index the C++ code uses.
ISAS = ("generic", "avx2", "avx512")

CSRC = Path(__file__).with_name("csrc")
SOURCES = ("ltc_native.cpp", "ltc_body.h", "cfc_body.h", "ctrnn_body.h")
#: -O3 with the default target (the vector code picks its ISA through pragmas);
#: -ffp-contract=fast lets a * b + c become one FMA (one rounding instead of two); no
#: -ffast-math (the code must not be reassociated).
CFLAGS = ("-O3", "-ffp-contract=fast", "-Wno-psabi")

_P = ctypes.c_void_p
_I = ctypes.c_int
_L = ctypes.c_int64
_SIGNATURES: dict[str, list[type]] = {
    "lnn_best_isa": [],
    "lnn_sums_forward": [_I, _L, _L, _L, *[_P] * 7],
    "lnn_sums_backward": [_I, _L, _L, _L, *[_P] * 12],
    "lnn_solver_forward": [_I, _L, _L, _L, _L, _P, _P, _P, _I, *[_P] * 8],
    "lnn_solver_backward": [_I, _L, _L, _L, _L, _P, _P, _P, _I, *[_P] * 13],
    "lnn_cfc_forward": [_I, _P, *[_L] * 5, _I, *[_P] * 13, _I, _P],
    "lnn_cfc_backward": [_I, _P, *[_L] * 5, _I, *[_P] * 11, _I, *[_P] * 8, _P],
    "lnn_ctrnn_forward": [_I, _P, *[_L] * 4, *[_P] * 8],
    "lnn_ctrnn_backward": [_I, _P, *[_L] * 4, *[_P] * 12],
}
#: Added to a CfC mode: run only the matrix products of the call (a timing floor; the
#: buffers must hold the results of an earlier call with the same arguments).
GEMM_ONLY = 8
_ERRORS = {1: "invalid argument", 2: "instruction set not available", 3: "out of memory"}
#: A build lock older than this (seconds) was left by a killed process (builds take ~2 s).
STALE_LOCK_SECONDS = 300.0


@dataclass
class NativeLibrary:
    """The loaded native kernels.

    Attributes
    ----------
    path : str
        The shared library.
    sgemm : int or None
        Address of the BLAS ``sgemm_`` inside torch, which the CfC kernels call for their
        matrix products; None (CfC kernels unavailable) if torch exports none that
        passes a self-test.
    isa : int
        Index into :data:`ISAS` of the instruction set used (the widest the CPU has).
    load_seconds : float
        Wall time of build (or cache check) and load on first use.
    """

    path: str
    isa: int
    load_seconds: float
    dll: ctypes.CDLL
    #: Address of torch's BLAS ``sgemm_`` (for the CfC kernels), None if not found.
    sgemm: int | None = None

    @property
    def isa_name(self) -> str:
        """Name of the instruction set in use."""
        return ISAS[self.isa]

    def _call(self, name: str, *args: object) -> None:
        code = getattr(self.dll, name)(self.isa, *args)
        if code != 0:
            raise RuntimeError(f"native LTC kernel {name} failed: {_ERRORS.get(code, code)}")

    def sums_forward(
        self, pre: Tensor, mu: Tensor, sig: Tensor, we: Tensor, w: Tensor, mask: Tensor
    ) -> Tensor:
        """Synapse sums (n_post, 2, m) of pre-synaptic potentials ``pre`` (n_pre, m).

        ``mu``, ``sig``, ``we`` (weight times reversal potential), ``w`` (weight, mask
        applied) and ``mask`` are (n_post, n_pre); see ``csrc/ltc_body.h``.
        """
        n_post, n_pre = mu.shape
        out = pre.new_empty(n_post, 2, pre.size(1))
        self._call(
            "lnn_sums_forward",
            n_post,
            n_pre,
            pre.size(1),
            *_pointers(pre, mu, sig, we, w, mask, out),
        )
        return out

    def sums_backward(
        self,
        pre: Tensor,
        mu: Tensor,
        sig: Tensor,
        we: Tensor,
        w: Tensor,
        mask: Tensor,
        grad: Tensor,
    ) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        """Gradients of ``pre``, ``mu``, ``sig``, ``we`` and ``w`` given the sums' ``grad``."""
        n_post, n_pre = mu.shape
        d_pre = torch.empty_like(pre)
        d_mu, d_sig, d_we, d_w = (torch.empty_like(mu) for _ in range(4))
        self._call(
            "lnn_sums_backward",
            n_post,
            n_pre,
            pre.size(1),
            *_pointers(pre, mu, sig, we, w, mask, grad, d_pre, d_mu, d_sig, d_we, d_w),
        )
        return d_pre, d_mu, d_sig, d_we, d_w

    def solver_forward(
        self,
        v0: Tensor,
        const: Tensor,
        cm: Tensor,
        synapses: tuple[Tensor, Tensor, Tensor, Tensor, Tensor],
        unfolds: int,
        keep: bool,
    ) -> tuple[Tensor, Tensor | None]:
        """Run the fused solver over all steps.

        Parameters
        ----------
        v0 : Tensor
            (N, B) initial state.
        const : Tensor
            (T, N, 2, B) state-independent numerator and denominator terms per step.
        cm : Tensor
            (N,) ``cm_t`` for every step and sample, or (T, N, B).
        synapses : tuple of Tensor
            (N, N) ``mu``, ``sig``, ``we``, ``w``, ``mask``, indexed [post, pre].
        unfolds : int
            Solver iterations per step.
        keep : bool
            Also return what the backward pass needs.

        Returns
        -------
        tuple
            (T, N, B) state after each step; if ``keep``, a (2 T U + 1, N, B) tensor with
            the state before every unfold (the first T U + 1 planes) and the reciprocal
            denominator of every unfold (the last T U), else None.  One allocation rather
            than two: large buffers freed together are less often returned to the system
            by the allocator (and then page-faulted in again on the next step).
        """
        steps, n, _, batch = const.shape
        total = steps * unfolds
        out = v0.new_empty(steps, n, batch)
        saved = v0.new_empty(2 * total + 1, n, batch) if keep else None
        chain, inv_den = (None, None) if saved is None else (saved[: total + 1], saved[total + 1 :])
        self._call(
            "lnn_solver_forward",
            n,
            steps,
            unfolds,
            batch,
            *_pointers(v0, const, cm),
            int(cm.dim() == 3),
            *_pointers(*synapses, out, chain, inv_den),
        )
        return out, saved

    def solver_backward(
        self,
        saved: Tensor,
        cm: Tensor,
        synapses: tuple[Tensor, Tensor, Tensor, Tensor, Tensor],
        unfolds: int,
        grad: Tensor,
    ) -> tuple[Tensor, ...]:
        """Backward pass of :meth:`solver_forward` given the (T, N, B) output gradient.

        ``saved`` is what the forward pass returned; ``cm`` and ``synapses`` are its inputs.

        Returns
        -------
        tuple of Tensor
            Gradients of ``v0`` (N, B), ``const`` (T, N, 2, B), ``cm`` per sample ((T, N, B)
            for a (T, N, B) ``cm``, else (N, B), summed over steps) and of ``mu``, ``sig``,
            ``we``, ``w`` (N, N).
        """
        steps, n, batch = grad.shape
        total = steps * unfolds
        d_v0 = grad.new_empty(n, batch)
        d_const = grad.new_empty(steps, n, 2, batch)
        d_cm = grad.new_empty(*((steps,) if cm.dim() == 3 else ()), n, batch)
        d_params = [grad.new_empty(n, n) for _ in range(4)]
        self._call(
            "lnn_solver_backward",
            n,
            steps,
            unfolds,
            batch,
            *_pointers(saved[: total + 1], saved[total + 1 :], cm),
            int(cm.dim() == 3),
            *_pointers(*synapses, grad, d_v0, d_const, d_cm, *d_params),
        )
        return (d_v0, d_const, d_cm, *d_params)

    def cfc_forward(
        self,
        z_in: Tensor,
        l0: Tensor,
        weights: CfcWeights,
        spans: Tensor | None,
        mode: int,
        batch_first: bool,
        memory: CfcMemory | None = None,
    ) -> tuple[Tensor, Tensor, Tensor | None, Tensor, Tensor | None, CfcMemorySaved | None]:
        """Run the folded CfC cell over a sequence (``csrc/cfc_body.h``).

        Parameters
        ----------
        z_in : Tensor
            (T, B, H) input part of the backbone pre-activation (bias included); without a
            backbone, (T, B, K N) input part of the head pre-activations.
        l0 : Tensor
            (B, N) initial folded state.
        weights : CfcWeights
            The folded weights.
        spans : Tensor or None
            (T, B) time spans with (4N, .) heads or in "pure" mode; None with (3N, .) heads.
        mode : int
            0 "default", 1 "no_gate", 2 "pure".
        batch_first : bool
            Lay the output out as (B, T, N) rather than (T, B, N).
        memory : CfcMemory, optional
            The mixed-memory LSTM in front of the cell.

        Returns
        -------
        tuple
            The real states (``2 l - 1``; "pure": ``l``) after each step, (B, T, N) or
            (T, B, N); and what the backward pass needs: (T, B, N) folded states, (T, B, H)
            backbone activations (None without a backbone), (T, B, 3N) gates ("pure": the
            heads and their decay), with 4 heads the (T, B, N) ``time_a`` head (else None)
            and with mixed memory its gates and cells (the last cell is the final c).
        """
        steps, batch, hidden = z_in.shape
        n = l0.size(1)
        heads_count = weights.heads_count(n)
        acts = None if weights.w_y is None else WORKSPACE.empty(steps, batch, hidden)
        heads = WORKSPACE.empty(steps, batch, 3 * n)
        states = WORKSPACE.empty(steps, batch, n)
        t_a = WORKSPACE.empty(steps, batch, n) if heads_count == 4 else None
        out = WORKSPACE.empty(*((batch, steps) if batch_first else (steps, batch)), n)
        kept = None
        lstm: ctypes.Array[ctypes.c_void_p] | None = None
        if memory is not None:
            kept = CfcMemorySaved(
                WORKSPACE.empty(steps, batch, 4 * n),
                *(WORKSPACE.empty(steps, batch, n) for _ in range(3)),
            )
            lstm = _pointer_array(memory.zl_in, memory.w_rec, memory.c0, *kept.tensors())
        self._call(
            "lnn_cfc_forward",
            self.sgemm,
            steps,
            batch,
            n,
            hidden,
            heads_count,
            mode,
            *_pointers(z_in, l0, weights.w_h, weights.w_y, weights.b_y, spans),
            *_pointers(weights.pure_w, weights.pure_a, acts, heads, states, t_a, out),
            int(batch_first),
            _address(lstm),
        )
        return out, states, acts, heads, t_a, kept

    def cfc_backward(
        self,
        saved: CfcSaved,
        spans: Tensor | None,
        mode: int,
        grad: Tensor,
        batch_first: bool,
        grad_c: Tensor | None = None,
    ) -> CfcGrads:
        """Backward pass of :meth:`cfc_forward` given the gradient of its output.

        ``saved`` holds the inputs and outputs of the forward pass; ``grad_c`` is the
        gradient of the final memory cell (mixed memory; None: zero).
        """
        w = saved.weights
        steps, batch, n = saved.states.shape
        hidden = w.w_h.size(0)
        heads_count = w.heads_count(n)
        d_pre = WORKSPACE.empty(steps, batch, hidden)
        grads = CfcGrads(
            d_pre,
            torch.empty_like(saved.l0),
            torch.empty_like(w.w_h),
            None if w.w_y is None else torch.empty_like(w.w_y),
            None if w.b_y is None else torch.empty_like(w.b_y),
            None if spans is None else torch.empty_like(spans),
            None if w.pure_w is None else torch.empty_like(w.pure_w),
            None if w.pure_a is None else torch.empty_like(w.pure_a),
        )
        lstm: ctypes.Array[ctypes.c_void_p] | None = None
        m, kept = saved.memory, saved.memory_saved
        if m is not None and kept is not None:
            grads.memory = CfcMemory(
                WORKSPACE.empty(steps, batch, 4 * n),
                torch.empty_like(m.w_rec),
                torch.empty_like(m.c0),
            )
            d = grads.memory
            lstm = _pointer_array(m.w_rec, m.c0, *kept.tensors(), grad_c, d.zl_in, d.c0, d.w_rec)
        self._call(
            "lnn_cfc_backward",
            self.sgemm,
            steps,
            batch,
            n,
            hidden,
            heads_count,
            mode,
            *_pointers(saved.l0, w.w_h, w.w_y, spans, w.pure_w, w.pure_a, saved.acts),
            *_pointers(saved.heads, saved.states, saved.t_a, grad),
            int(batch_first),
            *_pointers(grads.d_pre, grads.l0, grads.w_h, grads.w_y, grads.b_y, grads.spans),
            *_pointers(grads.pure_w, grads.pure_a),
            _address(lstm),
        )
        return grads

    def ctrnn_forward(
        self,
        drive: Tensor,
        dt: Tensor,
        weight: Tensor,
        inv_tau: Tensor,
        h0: Tensor,
        unfolds: int,
        keep: bool,
    ) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """Run the CT-RNN's Euler scan over a sequence (``csrc/ctrnn_body.h``).

        Parameters
        ----------
        drive : Tensor
            (B, T, N) input drive ``W x + b``.
        dt : Tensor
            (B, T) time span of each step.
        weight : Tensor
            (N, N) recurrent weight, [out, in].
        inv_tau : Tensor
            (N,) reciprocal time constants.
        h0 : Tensor
            (B, N) initial state.
        unfolds : int
            Euler sub-steps per step.
        keep : bool
            Also return what the backward pass needs.

        Returns
        -------
        tuple
            The (B, N) final state; if ``keep``, the (T U + 1, B, N) state before every
            sub-step (the last plane is the final state) and the (T U, B, N) tanh of every
            sub-step (from :data:`WORKSPACE`), else None twice.
        """
        batch, steps, units = drive.shape
        total = steps * unfolds
        out = drive.new_empty(batch, units)
        chain = WORKSPACE.empty(total + 1, batch, units) if keep else None
        acts = WORKSPACE.empty(total, batch, units) if keep else None
        self._call(
            "lnn_ctrnn_forward",
            self.sgemm,
            steps,
            unfolds,
            batch,
            units,
            *_pointers(drive, dt, weight, inv_tau, h0, out, chain, acts),
        )
        return out, chain, acts

    def ctrnn_backward(
        self,
        dt: Tensor,
        weight: Tensor,
        inv_tau: Tensor,
        chain: Tensor,
        acts: Tensor,
        grad: Tensor,
    ) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        """Backward pass of :meth:`ctrnn_forward` given the (B, N) gradient of its output.

        Returns
        -------
        tuple of Tensor
            Gradients of ``drive`` (B, T, N), ``dt`` (B, T), ``weight`` (N, N), ``inv_tau``
            (N,) and ``h0`` (B, N).
        """
        batch, steps = dt.shape
        total, _, units = acts.shape
        d_pre = WORKSPACE.empty(total, batch, units)
        d_drive = grad.new_empty(batch, steps, units)
        d_dt = torch.empty_like(dt)
        d_weight = torch.empty_like(weight)
        d_inv_tau = torch.empty_like(inv_tau)
        d_h0 = torch.empty_like(grad)
        self._call(
            "lnn_ctrnn_backward",
            self.sgemm,
            steps,
            total // steps,
            batch,
            units,
            *_pointers(dt, weight, inv_tau, chain, acts, grad, d_pre, d_drive, d_dt),
            *_pointers(d_weight, d_inv_tau, d_h0),
        )
        return d_drive, d_dt, d_weight, d_inv_tau, d_h0


@dataclass(frozen=True)
class CfcWeights:
    """Folded weights of one CfC cell, as the native kernels take them (contiguous).

    ``w_h`` is (H, N): the recurrent part of the backbone's first layer, or, without a
    backbone (``w_y`` None), of the heads (H = K N).  ``w_y`` (K N, H) and ``b_y`` are
    the heads after the backbone; ``pure_w`` (|w_tau|) and ``pure_a`` (A), (N,) each,
    only in "pure" mode.
    """

    w_h: Tensor
    w_y: Tensor | None = None
    b_y: Tensor | None = None
    pure_w: Tensor | None = None
    pure_a: Tensor | None = None

    def heads_count(self, units: int) -> int:
        """Number K of head blocks of N units."""
        rows = self.w_h.size(0) if self.w_y is None else self.w_y.size(0)
        return rows // units


@dataclass(frozen=True)
class CfcMemory:
    """Inputs of the mixed-memory LSTM (or their gradients).

    ``zl_in`` (T, B, 4N): input part of its pre-activation (bias and ncps' +1 on the
    forget gate included); ``w_rec`` (4N, N): recurrent weight acting on the folded
    state; ``c0`` (B, N): initial memory cell.
    """

    zl_in: Tensor
    w_rec: Tensor
    c0: Tensor


@dataclass(frozen=True)
class CfcMemorySaved:
    """What the mixed-memory LSTM's forward pass keeps: (T, B, 4N) gates, (T, B, N) cells,
    their tanh and the LSTM output ``hm`` (the cell's recurrent input)."""

    gates: Tensor
    cells: Tensor
    tcells: Tensor
    hm: Tensor

    def tensors(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """The four tensors, in the native argument order."""
        return self.gates, self.cells, self.tcells, self.hm


@dataclass(frozen=True)
class CfcSaved:
    """What the backward pass of the native CfC needs from its forward pass."""

    l0: Tensor
    weights: CfcWeights
    acts: Tensor | None
    heads: Tensor
    states: Tensor
    t_a: Tensor | None
    memory: CfcMemory | None = None
    memory_saved: CfcMemorySaved | None = None


@dataclass
class CfcGrads:
    """Gradients of the native CfC's inputs (None for inputs it does not have)."""

    d_pre: Tensor
    l0: Tensor
    w_h: Tensor
    w_y: Tensor | None
    b_y: Tensor | None
    spans: Tensor | None
    pure_w: Tensor | None
    pure_a: Tensor | None
    memory: CfcMemory | None = None


class Workspace:
    """Large float32 buffers kept between calls, for the CfC kernels' results.

    A training step of the CfC allocates and frees tens of megabytes; glibc returns such
    freed memory to the system, and touching it again on the next step costs a page
    fault per 4 KiB (a third of the step at 128 units).  Buffers taken from here are
    kept: one is handed out again (as a view) once nothing but the workspace refers to
    its storage -- the caller's tensors, views and autograd's saved tensors all count.
    Small requests, and requests beyond :attr:`limit` buffers, get fresh tensors.
    """

    #: Requests smaller than this (bytes) are not pooled.
    MIN_BYTES = 1 << 18

    def __init__(self, limit: int = 24) -> None:
        self.limit = limit
        self._buffers: list[Tensor] = []
        self._lock = threading.Lock()

    def empty(self, *shape: int) -> Tensor:
        """Return an uninitialised float32 CPU tensor of ``shape``."""
        numel = 1
        for size in shape:
            numel *= size
        if 4 * numel < self.MIN_BYTES or not _can_count_uses():
            return torch.empty(shape)
        with self._lock:
            free = [b for b in self._buffers if b.numel() >= numel and _unused(b)]
            if free:
                buffer = min(free, key=Tensor.numel)
                self._drop(buffer)
            else:
                buffer = torch.empty(numel)
                if len(self._buffers) >= self.limit:
                    unused = [b for b in self._buffers if _unused(b)]
                    if not unused:
                        return buffer.view(shape)
                    self._drop(min(unused, key=Tensor.numel))
            self._buffers.append(buffer)  # most recently used last
            return buffer[:numel].view(shape)

    def _drop(self, buffer: Tensor) -> None:
        """Remove ``buffer`` from the kept ones (by identity: ``==`` compares values)."""
        self._buffers = [b for b in self._buffers if b is not buffer]

    def clear(self) -> None:
        """Drop every kept buffer (memory in use by callers stays theirs)."""
        with self._lock:
            self._buffers.clear()


def _can_count_uses() -> bool:
    """Whether this torch has the storage use count :func:`_unused` relies on."""
    return hasattr(torch._C, "_storage_Use_Count")


def _unused(buffer: Tensor) -> bool:
    """Whether only ``buffer`` itself refers to its storage (the +1 is the wrapper)."""
    storage = buffer.untyped_storage()
    return int(torch._C._storage_Use_Count(storage._cdata)) == 2


#: The workspace of the CfC kernels (see :class:`Workspace`).
WORKSPACE = Workspace()


def _pointers(*tensors: Tensor | None) -> list[int | None]:
    """Data pointers of contiguous float32 CPU tensors (None stays None, a null pointer)."""
    for t in tensors:
        if t is not None and not (
            t.dtype == torch.float32 and t.device.type == "cpu" and t.is_contiguous()
        ):
            raise ValueError("native LTC kernels need contiguous float32 CPU tensors")
    return [None if t is None else t.data_ptr() for t in tensors]


def _pointer_array(*tensors: Tensor | None) -> ctypes.Array[ctypes.c_void_p]:
    """A C array of the data pointers of ``tensors`` (see :func:`_pointers`)."""
    return (ctypes.c_void_p * len(tensors))(*_pointers(*tensors))


def _address(array: ctypes.Array[ctypes.c_void_p] | None) -> int | None:
    """Address of a C array (None: a null pointer); the caller keeps the array alive."""
    return None if array is None else ctypes.addressof(array)


_lock = threading.Lock()
_loaded: list[NativeLibrary | None] = []  # empty until the first attempt


def enabled() -> bool:
    """Whether the native path is allowed (``LNNMETA_NATIVE`` is not "0")."""
    return os.environ.get(ENV_SWITCH, "1").strip() != "0"


def library() -> NativeLibrary | None:
    """Return the native kernels, building them on first use; None for the eager path.

    None when ``LNNMETA_NATIVE=0`` or when building or loading failed (then one warning
    is logged, and the build is not retried in this process).
    """
    if not enabled():
        return None
    with _lock:
        if not _loaded:
            _loaded.append(_try_load())
        return _loaded[0]


def cfc_library() -> NativeLibrary | None:
    """Return the native kernels if they include the CfC ones (torch's sgemm found)."""
    native = library()
    return native if native is not None and native.sgemm is not None else None


def _try_load() -> NativeLibrary | None:
    try:
        return load()
    except Exception as error:  # any failure means: use the eager path
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        LOG.warning(
            "lnnmeta: native LTC kernels unavailable, using the slower eager PyTorch path "
            "(%s: %s); set %s=0 to skip the build",
            type(error).__name__,
            " | ".join(lines[-2:]),
            ENV_SWITCH,
        )
        LOG.debug("native LTC kernel build failure", exc_info=True)
        return None


def extension_name() -> str:
    """Name of the extension: a hash of the sources and flags, so edits rebuild."""
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((CSRC / name).read_bytes())
    digest.update(" ".join(CFLAGS).encode())
    return f"lnnmeta_ltc_{digest.hexdigest()[:16]}"


@contextlib.contextmanager
def _ninja_on_path() -> Iterator[None]:
    """Make the ``ninja`` of this environment findable while building.

    ``pip install ninja`` puts it next to the interpreter's scripts, which is not on PATH
    when the environment's Python is run without activating the environment.
    """
    if shutil.which("ninja") is not None:
        yield
        return
    before = os.environ.get("PATH")
    extra = [sysconfig.get_path("scripts")]
    with contextlib.suppress(ImportError, AttributeError):
        import ninja  # type: ignore[import-not-found,import-untyped,unused-ignore]

        extra.append(str(ninja.BIN_DIR))
    os.environ["PATH"] = os.pathsep.join([*extra, *([before] if before else [])])
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before


def _remove_stale_lock(build_directory: Path) -> None:
    """Remove a build lock left behind by a process killed while building.

    torch waits, without a time limit, for the lock file of a build directory to go away;
    the build takes seconds, so a lock older than :data:`STALE_LOCK_SECONDS` is stale.
    """
    lock = build_directory / "lock"
    with contextlib.suppress(FileNotFoundError):
        if time.time() - lock.stat().st_mtime > STALE_LOCK_SECONDS:
            LOG.info("lnnmeta: removing the stale build lock %s", lock)
            lock.unlink()


def load(verbose: bool = False) -> NativeLibrary:
    """Build (or find in the cache) and load the native kernels; raise on failure."""
    from torch.utils import cpp_extension

    start = time.perf_counter()
    name = extension_name()
    # torch's own choice of directory: $TORCH_EXTENSIONS_DIR or its cache, per Python.
    build_directory = Path(cpp_extension._get_build_directory(name, verbose))
    _remove_stale_lock(build_directory)
    with _ninja_on_path():
        path = cpp_extension.load(
            name=name,
            sources=[str(CSRC / SOURCES[0])],
            extra_cflags=list(CFLAGS),
            extra_include_paths=[str(CSRC)],
            build_directory=str(build_directory),
            is_python_module=False,
            verbose=verbose,
        )
    dll = ctypes.CDLL(str(path))
    for name, argtypes in _SIGNATURES.items():
        function = getattr(dll, name)
        function.argtypes = argtypes
        function.restype = _I
    seconds = time.perf_counter() - start
    native = NativeLibrary(str(path), int(dll.lnn_best_isa()), seconds, dll, find_sgemm())
    LOG.info("lnnmeta: native LTC kernels (%s) ready in %.1f s: %s", native.isa_name, seconds, path)
    return native


def find_sgemm() -> int | None:
    """Return the address of the BLAS ``sgemm_`` exported by torch's CPU library, or None.

    torch's x86-64 wheels link MKL into ``libtorch_cpu`` and export its Fortran-interface
    ``sgemm_`` (32-bit integers), the routine behind ``torch.mm``.  The address is only
    returned after a small product through it equals ``torch.mm``.
    """
    lib_dir = Path(torch.__file__).parent / "lib"
    candidates = sorted(lib_dir.glob("libtorch_cpu.*"))
    for candidate in candidates:
        try:
            address = ctypes.cast(ctypes.CDLL(str(candidate)).sgemm_, ctypes.c_void_p).value
        except (OSError, AttributeError):
            continue
        if address is not None and _sgemm_works(address):
            return int(address)
    LOG.info("lnnmeta: no usable sgemm_ in torch's CPU library; CfC runs in eager PyTorch")
    return None


def _sgemm_works(address: int) -> bool:
    """Whether ``sgemm_`` at ``address`` computes a 3 x 5 by 5 x 4 product like torch."""
    fn = ctypes.CFUNCTYPE(
        None,
        ctypes.c_char_p,
        ctypes.c_char_p,
        *[ctypes.POINTER(_I)] * 3,
        ctypes.POINTER(ctypes.c_float),
        _P,
        ctypes.POINTER(_I),
        _P,
        ctypes.POINTER(_I),
        ctypes.POINTER(ctypes.c_float),
        _P,
        ctypes.POINTER(_I),
    )(address)
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(3, 5, generator=gen), torch.randn(5, 4, generator=gen)
    c = torch.zeros(3, 4)
    m, n, k = (ctypes.byref(_I(v)) for v in (4, 3, 5))  # column-major C^T = B^T A^T
    one, zero = ctypes.c_float(1.0), ctypes.c_float(0.0)
    fn(
        b"N", b"N", m, n, k, ctypes.byref(one), b.data_ptr(), ctypes.byref(_I(4)),
        a.data_ptr(), ctypes.byref(_I(5)), ctypes.byref(zero), c.data_ptr(), ctypes.byref(_I(4)),
    )  # fmt: skip
    return bool(torch.allclose(c, a @ b, rtol=1e-5, atol=1e-6))
