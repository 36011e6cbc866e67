"""Autograd functions of the LTC kernel: sensory synapse sums and the fused ODE solver.

Layout conventions (``j`` = post-synaptic unit, ``i`` = pre-synaptic unit or input,
``m`` = flattened samples):

* pre-synaptic potentials ``pre``: (i, m); neuron states are kept unit-major, (N, B).
* synapse parameters ``mu``, ``sig``: (j, i, 1); ``a2``: (j, 2, i) holds, per synapse, the
  weight times reversal potential (row 0) and the weight (row 1), sparsity mask applied.
* activations ``s = sigmoid(sig * (pre - mu))``: (j, i, m), so that the two reductions
  over ``i`` are one batched matrix product ``a2 @ s`` -> (j, 2, m).

Both functions save only their small inputs and recompute the (j, i, m) activations in
the backward pass, which is where the memory saving over ncps comes from.

:class:`SynapseSums` and :class:`FusedSolver` are eager PyTorch; :class:`NativeSynapseSums`
and :class:`NativeSolver` compute the same in the C++ kernels of
:mod:`lnnmeta.kernels._native` (``csrc/``), with the same saved-tensor strategy, without
ever materialising a (j, i, m) tensor.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx, once_differentiable

from lnnmeta.kernels._native import LANES, NativeLibrary

#: Upper bound on the elements of one (j, i, m) activation block of the sensory synapses.
_SENSORY_BLOCK = 1 << 21
#: Upper bound on the elements of the recurrent activations recomputed at once (cache-sized).
_ACTIVATION_BLOCK = 1 << 19


def _activations(pre: Tensor, mu: Tensor, sig: Tensor) -> Tensor:
    """Return ``sigmoid(sig * (pre - mu))``, broadcasting ``pre`` over the first dim of ``mu``.

    Parameters
    ----------
    pre : Tensor
        (i, m) pre-synaptic potentials, or any shape broadcastable against ``mu``.
    mu, sig : Tensor
        (j, i, 1) synapse midpoints and slopes (or broadcastable).
    """
    pre = pre.unsqueeze(0) if pre.dim() == 2 else pre
    shape = [max(p, q) for p, q in zip(pre.shape, mu.shape, strict=True)]
    z = pre.new_empty(shape)  # contiguous, whatever the layouts of pre and mu
    return torch.sub(pre, mu, out=z).mul_(sig).sigmoid_()


def _param_grads(
    dn: Tensor, s: Tensor, dz: Tensor, pre: Tensor, mu: Tensor, sig: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """Gradients of the synapse parameters, summed over samples.

    Parameters
    ----------
    dn : Tensor
        (j, 2, m) gradient of the synapse sums.
    s : Tensor
        (j, i, m) activations.
    dz : Tensor
        (j, i, m) gradient of the sigmoid argument.
    pre : Tensor
        (i, m) pre-synaptic potentials.
    mu, sig : Tensor
        (j, i, 1) synapse midpoints and slopes.

    Returns
    -------
    tuple of Tensor
        Gradients of ``mu``, ``sig`` (both (j, i, 1)) and ``a2`` ((j, 2, i)).
    """
    d_a2 = torch.bmm(dn, s.transpose(1, 2))
    pre2 = torch.stack((pre, torch.ones_like(pre)), dim=1)  # (i, 2, m)
    r = torch.bmm(pre2, dz.permute(1, 2, 0))  # (i, 2, j): sums of dz * pre and of dz
    r_pre, r_one = r[:, 0].t().unsqueeze(-1), r[:, 1].t().unsqueeze(-1)
    return -sig * r_one, r_pre - mu * r_one, d_a2


def _pre_grad(dz: Tensor, sig_i: Tensor, base: Tensor | None = None) -> Tensor:
    """Return the (i, m) gradient of the pre-synaptic potentials (plus ``base``).

    Parameters
    ----------
    dz : Tensor
        (j, i, m) gradient of the sigmoid argument.
    sig_i : Tensor
        (i, 1, j) synapse slopes.
    base : Tensor or None
        (i, m) gradient to add.
    """
    dzp = dz.permute(1, 0, 2)
    if base is None:
        return torch.bmm(sig_i, dzp).squeeze(1)
    return torch.baddbmm(base.unsqueeze(1), sig_i, dzp).squeeze(1)


class SynapseSums(torch.autograd.Function):
    """Sensory synapse sums of a whole sequence: (i, m) inputs -> (j, 2, m) sums."""

    @staticmethod
    def forward(ctx: FunctionCtx, pre: Tensor, mu: Tensor, sig: Tensor, a2: Tensor) -> Tensor:
        """Compute ``a2 @ sigmoid(sig * (pre - mu))`` block by block over samples."""
        ctx.save_for_backward(pre, mu, sig, a2)
        out = pre.new_empty(a2.size(0), 2, pre.size(1))
        for cols in _blocks(pre.size(1), a2.size(0) * pre.size(0)):
            torch.bmm(a2, _activations(pre[:, cols], mu, sig), out=out[:, :, cols])
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        """Recompute the activations block by block and return input/parameter gradients."""
        pre, mu, sig, a2 = ctx.saved_tensors
        a2t = a2.transpose(1, 2).contiguous()
        sig_i = sig.squeeze(-1).t().unsqueeze(1).contiguous()
        d_pre = torch.empty_like(pre)
        totals: list[Tensor] = []
        for cols in _blocks(pre.size(1), a2.size(0) * pre.size(0)):
            s = _activations(pre[:, cols], mu, sig)
            dn = grad[:, :, cols]
            dz = torch.ops.aten.sigmoid_backward(torch.bmm(a2t, dn), s)
            d_pre[:, cols] = _pre_grad(dz, sig_i)
            grads = _param_grads(dn, s, dz, pre[:, cols], mu, sig)
            totals = (
                list(grads) if not totals else [a + b for a, b in zip(totals, grads, strict=True)]
            )
        return d_pre, *totals


def _blocks(m: int, per_col: int) -> list[slice]:
    """Split ``range(m)`` into slices of at most ``_SENSORY_BLOCK // per_col`` columns."""
    width = max(1, _SENSORY_BLOCK // max(1, per_col))
    return [slice(lo, min(lo + width, m)) for lo in range(0, m, width)]


class FusedSolver(torch.autograd.Function):
    """LTC time steps, each ``unfolds`` iterations of the fused (semi-implicit Euler) solver.

    Inputs: the unit-major initial state ``v0`` (N, B); per-step constants ``const``
    (T, N, 2, B), the numerator and denominator terms that do not depend on the state
    (leak, sensory synapses, capacitance, epsilon); ``cm_t``, (N, 1) for a constant time
    span or (T, N, B); the recurrent synapse parameters ``mu``, ``sig`` (j, i, 1) and ``a2``
    (j, 2, i); and two layouts of them for the backward pass, ``a2t`` =
    ``a2.transpose(1, 2)`` and ``sig_i`` (i, 1, j), both contiguous and not differentiated;
    ``unfolds``; and ``train``: False when the caller runs without autograd (inside
    ``forward`` grad mode is always off, so it cannot tell), then nothing is saved.
    One unfold computes::

        s = sigmoid(sig * (v - mu))                  # (j, i, B)
        num, den = (const[t] + a2 @ s).unbind(1)     # (j, B) each
        v = (num + cm_t * v) / den

    Returns the (T, N, B) state after each step.  The forward pass saves the state before
    every unfold and three (N, B) coefficients per unfold (``1 / den``, ``-v_out / den``,
    ``cm_t / den``): a few (N, B) tensors where autograd would keep several (N, N, B) ones.
    The backward pass recomputes one step's activations at a time (all its unfolds at once)
    and walks the unfolds backwards.
    """

    @staticmethod
    def forward(
        ctx: FunctionCtx,
        v0: Tensor,
        const: Tensor,
        cm_t: Tensor,
        mu: Tensor,
        sig: Tensor,
        a2: Tensor,
        a2t: Tensor,
        sig_i: Tensor,
        unfolds: int,
        train: bool = True,
    ) -> Tensor:
        """Run all steps; see the class docstring."""
        steps, n, _, b = const.shape
        total = steps * unfolds
        # (unfold, N, [state, 1], B): the ones row turns a product into a plain sum later.
        chain = v0.new_empty(total + 1, n, 2, b)
        chain[:, :, 1] = 1.0
        chain[0, :, 0] = v0
        sums = v0.new_empty(total, n, 2, b)
        work = v0.new_empty(n, n, b)
        ins = chain[:, :, 0].unbind(0)
        nums, dens, outs = sums[:, :, 0].unbind(0), sums[:, :, 1].unbind(0), sums.unbind(0)
        cms = cm_t.unbind(0) if cm_t.dim() == 3 else (cm_t,) * steps
        for t, (c_t, cm) in enumerate(zip(const.unbind(0), cms, strict=True)):
            for k in range(t * unfolds, (t + 1) * unfolds):
                torch.sub(ins[k].unsqueeze(0), mu, out=work).mul_(sig).sigmoid_()
                torch.baddbmm(c_t, a2, work, out=outs[k])
                torch.div(torch.addcmul(nums[k], cm, ins[k]), dens[k], out=ins[k + 1])
        if train and any(ctx.needs_input_grad):  # type: ignore[attr-defined]
            rows = _backward_rows(chain, sums, cm_t, unfolds)
            ctx.save_for_backward(chain, rows, mu, sig, a2t, sig_i)
            ctx.unfolds = unfolds  # type: ignore[attr-defined]
            ctx.per_sample_cm = cm_t.dim() == 3  # type: ignore[attr-defined]
        return chain[unfolds::unfolds, :, 0]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        """Walk the steps and unfolds backwards; return gradients of the differentiable inputs.

        Per unfold: the gradients of (num, den, cm_t * v) are one product with the saved
        rows, the sigmoid argument's gradient one batched product and ``sigmoid_backward``,
        the state gradient one more batched product; the parameter sums accumulate in place.
        """
        chain, rows, mu, sig, a2t, sig_i = ctx.saved_tensors
        unfolds = ctx.unfolds
        total, n, _, b = rows.shape
        steps = total // unfolds
        width = max(1, min(total, _ACTIVATION_BLOCK // (n * n * b)))  # unfolds per block
        pre = chain[:, :, 0]
        dn = torch.empty_like(rows)
        r = grad.new_zeros(n, 2, n)
        d_a2 = grad.new_zeros(width * n, 2, n)
        g = grad.new_zeros(n, 1, b)
        rows_k, dn_k, chain_k = rows.unbind(0), dn.unbind(0), chain.unbind(0)
        for lo in reversed(range(0, total, width)):
            hi = min(lo + width, total)
            s = _activations(pre[lo:hi].unsqueeze(1), mu.unsqueeze(0), sig.unsqueeze(0))
            for k, s_k in zip(reversed(range(lo, hi)), reversed(s.unbind(0)), strict=True):
                if k % unfolds == unfolds - 1:  # last unfold of a step: add the output's grad
                    g = g.add_(grad[k // unfolds].unsqueeze(1))
                torch.mul(g, rows_k[k], out=dn_k[k])
                dz = torch.ops.aten.sigmoid_backward(torch.bmm(a2t, dn_k[k][:, :2]), s_k)
                r.baddbmm_(chain_k[k], dz.permute(1, 2, 0))
                g = torch.baddbmm(dn_k[k][:, 2:], sig_i, dz.permute(1, 0, 2))
            m = (hi - lo) * n
            d_a2[:m].baddbmm_(dn[lo:hi, :, :2].reshape(m, 2, b), s.view(m, n, b).transpose(1, 2))
        per_step = dn.view(steps, unfolds, n, 3, b)
        d_cm = (per_step[:, :, :, 0] * pre[:-1].view(steps, unfolds, n, b)).sum(1)
        if not ctx.per_sample_cm:
            d_cm = d_cm.sum((0, 2)).unsqueeze(1)
        r_pre, r_one = r[:, 0].t().unsqueeze(-1), r[:, 1].t().unsqueeze(-1)
        return (
            g.squeeze(1),
            per_step[:, :, :, :2].sum(1),
            d_cm,
            -sig * r_one,
            r_pre - mu * r_one,
            d_a2.view(width, n, 2, n).sum(0),
            None,
            None,
            None,
            None,
        )


def _backward_rows(chain: Tensor, sums: Tensor, cm_t: Tensor, unfolds: int) -> Tensor:
    """Return (unfold, N, 3, B) rows ``(1, -v_out, cm_t) / den`` for the backward pass."""
    total, n, _, b = sums.shape
    rows = sums.new_empty(total, n, 3, b)
    inv = torch.reciprocal(sums[:, :, 1], out=rows[:, :, 0])
    torch.mul(chain[1:, :, 0], inv, out=rows[:, :, 1]).neg_()
    if cm_t.dim() == 3:  # (T, N, B): the same cm_t for every unfold of a step
        per_step = rows.view(-1, unfolds, n, 3, b)
        torch.mul(cm_t.unsqueeze(1), per_step[:, :, :, 0], out=per_step[:, :, :, 2])
    else:
        torch.mul(cm_t, inv, out=rows[:, :, 2])
    return rows


def _pad_samples(t: Tensor, width: int, value: float = 0.0) -> Tensor:
    """Return ``t`` contiguous, its last dimension padded with ``value`` to ``width``."""
    pad = width - t.size(-1)
    return torch.nn.functional.pad(t, (0, pad), value=value).contiguous() if pad else t.contiguous()


def _padded_width(samples: int) -> int:
    """``samples`` rounded up to a multiple of the native kernels' vector width."""
    return -(-samples // LANES) * LANES


class NativeSynapseSums(torch.autograd.Function):
    """:class:`SynapseSums` in the native kernels: (i, m) inputs -> (j, 2, m) sums.

    Extra inputs: the (j, i) sparsity mask (synapses where it is zero are skipped; their
    parameters get zero gradients, as in ncps) and the :class:`NativeLibrary`.  The
    forward pass saves only its inputs; the backward pass recomputes the activations.
    """

    @staticmethod
    def forward(
        ctx: FunctionCtx,
        pre: Tensor,
        mu: Tensor,
        sig: Tensor,
        a2: Tensor,
        mask: Tensor,
        native: NativeLibrary,
    ) -> Tensor:
        """Compute ``a2 @ sigmoid(sig * (pre - mu))`` natively; see the class docstring."""
        m = pre.size(1)
        params = _native_synapses(mu, sig, a2, mask)
        pre_p = _pad_samples(pre, _padded_width(m))
        if any(ctx.needs_input_grad):  # type: ignore[attr-defined]
            ctx.save_for_backward(pre_p, *params)
            ctx.native = native  # type: ignore[attr-defined]
        return native.sums_forward(pre_p, *params)[:, :, :m]

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        """Gradients of ``pre``, ``mu``, ``sig`` and ``a2``."""
        pre_p, *params = ctx.saved_tensors
        m = grad.size(2)
        d_pre, d_mu, d_sig, d_we, d_w = ctx.native.sums_backward(
            pre_p, *params, _pad_samples(grad, pre_p.size(1))
        )
        return (
            d_pre[:, :m],
            d_mu.unsqueeze(-1),
            d_sig.unsqueeze(-1),
            torch.stack((d_we, d_w), dim=1),
            None,
            None,
        )


class NativeSolver(torch.autograd.Function):
    """:class:`FusedSolver` in the native kernels (same math, one C++ call each way).

    Inputs: ``v0`` (N, B), ``const`` (T, N, 2, B), ``cm_t`` ((N, 1) or (T, N, B)), ``mu``,
    ``sig`` (j, i, 1), ``a2`` (j, 2, i), the (j, i) sparsity mask, ``unfolds``, the
    :class:`NativeLibrary` and ``train`` (as for :class:`FusedSolver`).  The batch is padded to a multiple of :data:`LANES` (padded
    lanes: state 0, numerator 0, denominator 1, so they stay finite and get zero
    gradients).  The forward pass saves the state before every unfold and ``1 / den`` of
    every unfold -- two (N, B) planes per unfold, where autograd would keep several
    (N, N, B) ones; the backward pass recomputes the activations.  Returns the (T, N, B)
    state after each step.
    """

    @staticmethod
    def forward(
        ctx: FunctionCtx,
        v0: Tensor,
        const: Tensor,
        cm_t: Tensor,
        mu: Tensor,
        sig: Tensor,
        a2: Tensor,
        mask: Tensor,
        unfolds: int,
        native: NativeLibrary,
        train: bool = True,
    ) -> Tensor:
        """Run all steps natively; see the class docstring."""
        batch = v0.size(1)
        width = _padded_width(batch)
        params = _native_synapses(mu, sig, a2, mask)
        const_p = const.contiguous()
        if width != batch:
            const_p = torch.cat(
                (_pad_samples(const[:, :, :1], width), _pad_samples(const[:, :, 1:], width, 1.0)),
                dim=2,
            )
        cm = _pad_samples(cm_t, width) if cm_t.dim() == 3 else cm_t.reshape(-1).contiguous()
        keep = train and any(ctx.needs_input_grad)  # type: ignore[attr-defined]
        out, saved = native.solver_forward(
            _pad_samples(v0, width), const_p, cm, params, unfolds, keep
        )
        if saved is not None:
            ctx.save_for_backward(saved, cm, *params)
            ctx.unfolds = unfolds  # type: ignore[attr-defined]
            ctx.native = native  # type: ignore[attr-defined]
            ctx.per_sample_cm = cm_t.dim() == 3  # type: ignore[attr-defined]
        return out[:, :, :batch]

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        """Gradients of ``v0``, ``const``, ``cm_t``, ``mu``, ``sig`` and ``a2``."""
        saved, cm, *params = ctx.saved_tensors
        batch = grad.size(2)
        d_v0, d_const, d_cm, d_mu, d_sig, d_we, d_w = ctx.native.solver_backward(
            saved, cm, params, ctx.unfolds, _pad_samples(grad, saved.size(2))
        )
        d_cm = d_cm[..., :batch]
        return (
            d_v0[:, :batch],
            d_const[..., :batch],
            d_cm if ctx.per_sample_cm else d_cm.sum(1, keepdim=True),
            d_mu.unsqueeze(-1),
            d_sig.unsqueeze(-1),
            torch.stack((d_we, d_w), dim=1),
            None,
            None,
            None,
            None,
        )


def _native_synapses(
    mu: Tensor, sig: Tensor, a2: Tensor, mask: Tensor
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """(j, i) contiguous ``mu``, ``sig``, ``we``, ``w`` and mask for the native kernels."""
    return (
        mu.detach().squeeze(-1).contiguous(),
        sig.detach().squeeze(-1).contiguous(),
        a2.detach()[:, 0].contiguous(),
        a2.detach()[:, 1].contiguous(),
        mask.detach().to(mu.dtype).contiguous(),
    )
