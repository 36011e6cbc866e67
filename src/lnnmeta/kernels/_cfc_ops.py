"""Autograd function for the common CfC configuration: a whole sequence, hand-written BPTT.

Covers one (unwired) cell with one sigmoid-form backbone layer ("lecun_tanh" or "tanh"
after folding) in mode "default" or "no_gate".  With states in the folded form ``l``
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
Python runs per step.  Elsewhere (or with ``LNNMETA_NATIVE=0``) the loop below runs in
eager PyTorch.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx

from lnnmeta.kernels import _native


class CfCScan(torch.autograd.Function):
    """Run the folded CfC cell over a sequence; see the module docstring."""

    @staticmethod
    def forward(
        ctx: FunctionCtx,
        z_in: Tensor,
        l0: Tensor,
        w_h: Tensor,
        w_y: Tensor,
        b_y: Tensor,
        spans: Tensor | None,
        no_gate: bool,
        batch_first: bool,
    ) -> Tensor:
        """Return the real states ``h = 2 l - 1`` after each step, (B, T, N) or (T, B, N).

        Parameters
        ----------
        z_in : Tensor
            (T, B, H) input part of the backbone pre-activation (bias included).
        l0 : Tensor
            (B, N) initial folded state.
        w_h, w_y, b_y : Tensor
            (H, N) recurrent backbone weight, (3N, H) or (4N, H) head weight and its bias.
        spans : Tensor or None
            (T, B, 1) time spans with (4N, H) heads; None with (3N, H) heads.
        no_gate : bool
            Mode "no_gate" instead of "default".
        batch_first : bool
            Return (B, T, N) rather than (T, B, N).
        """
        native = _native.cfc_library() if _native_ok(z_in, l0, w_h, w_y, b_y, spans) else None
        ctx.native = native  # type: ignore[attr-defined]
        ctx.no_gate = no_gate  # type: ignore[attr-defined]
        ctx.batch_first = batch_first  # type: ignore[attr-defined]
        if native is not None:
            ts = None if spans is None else spans.reshape(spans.size(0), -1).contiguous()
            params = (l0.contiguous(), w_h.contiguous(), w_y.contiguous())
            out, states, acts, heads, t_a = native.cfc_forward(
                z_in.contiguous(), *params, b_y.contiguous(), ts, no_gate, batch_first
            )
            extra = (ts, t_a) if ts is not None and t_a is not None else ()
            ctx.save_for_backward(*params, acts, heads, states, *extra)
            return out
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
        return real.transpose(0, 1).contiguous() if batch_first else real

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        """Back-propagate through time; weight gradients as one product each at the end."""
        if ctx.native is not None:
            l0, w_h, w_y, acts, heads, states, *timing = ctx.saved_tensors
            ts, t_a = timing if timing else (None, None)
            saved = (l0, w_h, w_y, acts, heads, states, t_a)
            grad = grad.contiguous()
            grads = ctx.native.cfc_backward(saved, ts, ctx.no_gate, grad, ctx.batch_first)
            d_spans = grads[5]
            if d_spans is not None:
                d_spans = d_spans.unsqueeze(-1) if ctx.needs_input_grad[5] else None
            return (*grads[:5], d_spans, None, None)
        grad = 2.0 * (grad.transpose(0, 1) if ctx.batch_first else grad)
        l0, w_h, w_y, acts, heads, states, *timing = ctx.saved_tensors
        spans, t_a = timing if timing else (None, None)
        steps, batch, n = states.shape
        coeff = _head_coefficients(heads.view(steps, batch, 3, n), spans, ctx.no_gate)
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
        return d_pre, dl, d_w_h, d_w_y, flat_heads.sum(0), d_spans, None, None


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
