"""Autograd function for one CfC layer over a whole sequence, with hand-written BPTT.

The common configuration is one (unwired) cell with one sigmoid-form backbone layer
("lecun_tanh" or "tanh" after folding) in mode "default" or "no_gate".  With states in the folded form ``l``
(``h = 2 l - 1``) a step is::

    a = sigmoid(z_in[t] + l @ w_h.T)                  # backbone, (B, H)
    ff1, ff2, ti = sigmoid(b + a @ w_y.T)             # heads, (B, 3N), constant time span
    l = lerp(ff1, ff2, ti)                            # no_gate: ff1 + ti * (ff2 - 1/2)

With per-step spans ``ts`` (B, 1) the heads are (B, 4N) and
``ti = sigmoid(t_a * ts + t_b)``.  The backward pass walks the steps with two small
matrix products each and computes every weight gradient at the end with one large
product, instead of one per step.

For float32 CPU tensors the whole loop, forward and backward, runs in the native library
(``csrc/cfc_body.h`` through :mod:`lnnmeta.kernels._native`): the matrix products call
torch's own BLAS ``sgemm``, the element-wise work of a step is one fused pass, and no
Python runs per step.  The native library also covers layers without a backbone (the
heads act on ``[x, l]`` directly: the layers of a wired CfC), mode "pure"
(``l = A - A exp(-ts (|w_tau| + |y|)) y`` with one head ``y``) and the mixed-memory LSTM
in front of the cell.  Elsewhere (or with ``LNNMETA_NATIVE=0``) the common configuration
runs in the eager PyTorch loop below; the others are not routed here.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx

from lnnmeta.kernels import _native

#: Mode names and their codes in the native kernels.
MODES = {"default": 0, "no_gate": 1, "pure": 2}


class CfCScan(torch.autograd.Function):
    """Run the folded CfC cell over a sequence; see the module docstring."""

    @staticmethod
    def forward(
        ctx: FunctionCtx,
        z_in: Tensor,
        l0: Tensor,
        w_h: Tensor,
        w_y: Tensor | None,
        b_y: Tensor | None,
        spans: Tensor | None,
        pure_w: Tensor | None,
        pure_a: Tensor | None,
        zl_in: Tensor | None,
        w_rec: Tensor | None,
        c0: Tensor | None,
        mode: str,
        batch_first: bool,
    ) -> tuple[Tensor, Tensor]:
        """Return the real states (``2 l - 1``; "pure": ``l``) after each step, and the final
        memory cell (an empty tensor without mixed memory).

        Parameters
        ----------
        z_in : Tensor
            (T, B, H) input part of the backbone pre-activation (bias included); without a
            backbone (``w_y`` None), (T, B, K N) input part of the heads.
        l0 : Tensor
            (B, N) initial folded state.
        w_h, w_y, b_y : Tensor
            (H, N) recurrent backbone weight (without a backbone: (K N, N) recurrent head
            weight), (K N, H) head weight and its bias (None without a backbone).
        spans : Tensor or None
            (T, B, 1) time spans with 4 heads or in "pure" mode; None with 3 heads.
        pure_w, pure_a : Tensor or None
            (N,) |w_tau| and A of "pure" mode (None otherwise).
        zl_in, w_rec, c0 : Tensor or None
            Mixed memory (None without): (T, B, 4N) input part of the LSTM pre-activation,
            (4N, N) recurrent weight acting on the folded state, (B, N) initial cell; then
            ``w_h`` acts on the LSTM output (native kernels only).
        mode : str
            "default", "no_gate" or "pure".
        batch_first : bool
            Return (B, T, N) rather than (T, B, N).
        """
        memory = None if zl_in is None or w_rec is None or c0 is None else (zl_in, w_rec, c0)
        tensors = (z_in, l0, w_h, w_y, b_y, spans, pure_w, pure_a, zl_in, w_rec, c0)
        native = _native.cfc_library() if _native_ok(*tensors) else None
        ctx.native = native  # type: ignore[attr-defined]
        ctx.mode = mode  # type: ignore[attr-defined]
        ctx.batch_first = batch_first  # type: ignore[attr-defined]
        ctx.mixed = memory is not None  # type: ignore[attr-defined]
        if native is not None:
            ts = None if spans is None else spans.reshape(spans.size(0), -1).contiguous()
            optional = (_contiguous(t) for t in (w_y, b_y, pure_w, pure_a))
            weights = _native.CfcWeights(w_h.contiguous(), *optional)
            l0 = l0.contiguous()
            mem = None if memory is None else _native.CfcMemory(*(t.contiguous() for t in memory))
            out, states, acts, heads, t_a, kept = native.cfc_forward(
                z_in.contiguous(), l0, weights, ts, MODES[mode], batch_first, mem
            )
            saved: list[Any] = [l0, weights.w_h, weights.w_y, weights.b_y, weights.pure_w]
            saved += [weights.pure_a, acts, heads, states, t_a, ts]
            if mem is not None and kept is not None:
                saved += [mem.w_rec, mem.c0, *kept.tensors()]
                c_last = kept.cells[-1].clone()
            else:
                c_last = z_in.new_empty(0)
            ctx.save_for_backward(*saved)  # None entries are kept as None
            return out, c_last
        if w_y is None or b_y is None or mode == "pure" or memory is not None:
            raise RuntimeError("this CfC configuration needs the native kernels")
        return _eager_forward(ctx, z_in, l0, w_h, w_y, b_y, spans), z_in.new_empty(0)

    @staticmethod
    def backward(ctx: Any, grad: Tensor, grad_c: Tensor) -> tuple[Tensor | None, ...]:
        """Back-propagate through time; weight gradients as one product each at the end."""
        if ctx.native is None:
            return (*_eager_backward(ctx, grad), *[None] * 7)
        l0, w_h, w_y, b_y, pure_w, pure_a, acts, heads, states, t_a, ts, *rest = ctx.saved_tensors
        weights = _native.CfcWeights(w_h, w_y, b_y, pure_w, pure_a)
        memory = memory_saved = None
        if ctx.mixed:
            w_rec, c0, *kept = rest
            memory = _native.CfcMemory(w_rec.new_empty(0), w_rec, c0)
            memory_saved = _native.CfcMemorySaved(*kept)
        saved = _native.CfcSaved(l0, weights, acts, heads, states, t_a, memory, memory_saved)
        g = ctx.native.cfc_backward(
            saved,
            ts,
            MODES[ctx.mode],
            grad.contiguous(),
            ctx.batch_first,
            grad_c.contiguous() if ctx.mixed else None,
        )
        d_spans = g.spans.unsqueeze(-1) if g.spans is not None and ctx.needs_input_grad[5] else None
        m = g.memory
        d_memory = (None, None, None) if m is None else (m.zl_in, m.w_rec, m.c0)
        return (g.d_pre, g.l0, g.w_h, g.w_y, g.b_y, d_spans, g.pure_w, g.pure_a, *d_memory,
                None, None)  # fmt: skip


def _contiguous(t: Tensor | None) -> Tensor | None:
    return None if t is None else t.contiguous()


def _eager_forward(
    ctx: Any, z_in: Tensor, l0: Tensor, w_h: Tensor, w_y: Tensor, b_y: Tensor, spans: Tensor | None
) -> Tensor:
    """Forward pass in eager PyTorch (one backbone layer, mode "default" or "no_gate")."""
    no_gate = ctx.mode == "no_gate"
    steps, batch, hidden = z_in.shape
    n = l0.size(1)
    acts = z_in.new_empty(steps, batch, hidden)
    heads = z_in.new_empty(steps, batch, 3 * n)  # sigmoid(ff1), sigmoid(ff2), ti
    states = z_in.new_empty(steps, batch, n)
    t_a = z_in.new_empty(steps, batch, n) if spans is not None else None
    w_ht, w_yt = w_h.t(), w_y.t()
    state = l0
    for t in range(steps):
        a = torch.sigmoid(torch.addmm(z_in[t], state, w_ht), out=acts[t])
        y = torch.addmm(b_y, a, w_yt)
        if spans is None or t_a is None:
            torch.sigmoid(y, out=heads[t])
        else:
            torch.sigmoid(y[:, : 2 * n], out=heads[t, :, : 2 * n])
            t_a[t] = y[:, 2 * n : 3 * n]
            u = torch.addcmul(y[:, 3 * n :], t_a[t], spans[t])
            torch.sigmoid(u, out=heads[t, :, 2 * n :])
        ff1, ff2, ti = torch.split(heads[t], n, 1)
        if no_gate:
            state = torch.addcmul(ff1, ti, ff2 - 0.5, out=states[t])
        else:
            state = torch.lerp(ff1, ff2, ti, out=states[t])
    timing = (spans, t_a) if spans is not None and t_a is not None else ()
    ctx.save_for_backward(l0, w_h, w_y, acts, heads, states, *timing)
    real = states * 2.0 - 1.0
    return real.transpose(0, 1).contiguous() if ctx.batch_first else real


def _eager_backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
    """Backward pass of :func:`_eager_forward`: gradients of z_in, l0, w_h, w_y, b_y, spans."""
    grad = 2.0 * (grad.transpose(0, 1) if ctx.batch_first else grad)
    l0, w_h, w_y, acts, heads, states, *timing = ctx.saved_tensors
    spans, t_a = timing if timing else (None, None)
    steps, batch, n = states.shape
    coeff = _head_coefficients(heads.view(steps, batch, 3, n), spans, ctx.mode == "no_gate")
    blocks = coeff.size(2)
    d_heads = heads.new_empty(steps, batch, blocks, n)
    d_pre = torch.empty_like(acts)
    dl = grad[-1]
    for t in reversed(range(steps)):
        dy = torch.mul(dl.unsqueeze(1), coeff[t], out=d_heads[t])
        da = torch.mm(dy.view(batch, blocks * n), w_y)
        d_pre[t] = torch.ops.aten.sigmoid_backward(da, acts[t])
        dl = torch.addmm(grad[t - 1], d_pre[t], w_h) if t > 0 else d_pre[t] @ w_h
    prev = torch.cat((l0.unsqueeze(0), states[:-1])).view(-1, n)
    d_w_h = d_pre.view(-1, d_pre.size(-1)).t() @ prev
    flat_heads = d_heads.view(-1, blocks * n)
    d_w_y = flat_heads.t() @ acts.view(-1, acts.size(-1))
    d_spans = None
    if spans is not None and ctx.needs_input_grad[5]:
        d_spans = (d_heads[:, :, 3] * t_a).sum(-1, keepdim=True)
    return d_pre, dl, d_w_h, d_w_y, flat_heads.sum(0), d_spans


def _native_ok(*tensors: Tensor | None) -> bool:
    """Whether the native kernels can take these tensors (float32 on the CPU)."""
    return all(t is None or (t.dtype == torch.float32 and t.device.type == "cpu") for t in tensors)


def _head_coefficients(heads: Tensor, spans: Tensor | None, no_gate: bool) -> Tensor:
    """Return d l / d (head pre-activations), (T, B, 3 or 4, N), for all steps at once.

    ``heads`` holds sigmoid(ff1), sigmoid(ff2) and ti as (T, B, 3, N); with ``spans`` the
    last head splits into ``t_a`` (times the span) and ``t_b``.
    """
    ff1, ff2, ti = heads.unbind(2)
    # d l / d (ff1, ff2, ti) for l = lerp(ff1, ff2, ti), or ff1 + ti * (ff2 - 1/2).
    d_l = (torch.ones_like(ff1), ti, ff2 - 0.5) if no_gate else (1 - ti, ti, ff2 - ff1)
    coeff: Tensor = torch.ops.aten.sigmoid_backward(torch.stack(d_l, 2), heads)
    if spans is None:
        return coeff
    d_ti = coeff[:, :, 2]
    return torch.cat((coeff[:, :, :2], (d_ti * spans).unsqueeze(2), d_ti.unsqueeze(2)), 2)
