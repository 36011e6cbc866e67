"""Fast drop-in replacement for ``ncps.torch.CfC`` (ncps 1.0.1).

The cell is rewritten as a few fused operations per time step:

* the input part of the first matrix (backbone or heads) is applied to all steps at once;
* the heads ``ff1``, ``ff2``, ``time_a``, ``time_b`` are one matrix (``time_a`` and
  ``time_b`` merge into one head when the time span is a constant);
* ``tanh`` is evaluated as ``2 * sigmoid(2 x) - 1`` (torch's CPU sigmoid is several times
  faster than its tanh), with the affine parts folded into the neighbouring weights, so a
  default-mode step is ``addmm, sigmoid, addmm, sigmoid, lerp``;
* states are carried in that "folded" form ``l`` with ``h = 2 l - 1`` (``pure`` mode:
  ``h = l``) and converted back once for the whole output sequence.

All folding happens on the weights once per forward pass, so gradients flow to the ncps
parameters unchanged.  Cells with no backbone or a one-layer "lecun_tanh" or "tanh"
backbone run as one autograd function per layer with a hand-written backward pass
through time (:class:`lnnmeta.kernels._cfc_ops.CfCScan`), which also writes the output
sequence in the caller's layout: with the native kernels (float32 CPU tensors) in every
mode, with mixed memory (the LSTM runs inside the same loop) and for wirings (each wired
layer over the whole sequence in turn: its input at step t is the previous layer's
output at step t, so the input projection is one product over all steps); in eager
PyTorch only the common configuration (one unwired cell with a backbone layer, mode
"default" or "no_gate", no mixed memory).  Everything else (other backbones, or no
native kernels) runs the folded step under autograd.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ncps
import torch
import torch.nn.functional as F
from ncps.torch import CfCCell, WiredCfCCell
from ncps.torch.lstm import LSTMCell
from torch import Tensor, nn

from lnnmeta.kernels import _native
from lnnmeta.kernels._cfc_ops import CfCScan
from lnnmeta.kernels._common import (
    MemoryCell,
    SequenceLayout,
    Timespans,
    final_state,
    initial_state,
    time_major,
    time_major_spans,
    user_last,
    user_sequence,
)

State = Tensor | tuple[Tensor, Tensor]
#: ``real = scale * stored + shift`` for a tensor kept in folded form.
Form = tuple[float, float]
IDENTITY: Form = (1.0, 0.0)
SIGMOID_TANH: Form = (2.0, -1.0)
#: Typed handle of the autograd function.
scan: Callable[..., tuple[Tensor, Tensor]] = CfCScan.apply


@dataclass(frozen=True)
class Activation:
    """An activation ``post(fn(pre_scale * x))`` with an affine ``post`` left to fold."""

    pre_scale: float
    fn: Callable[[Tensor], Tensor]
    post: Form


#: ncps backbone activations; tanh-like ones go through the (faster) sigmoid.
ACTIVATIONS: dict[str, Activation] = {
    "LeCun": Activation(2 * 0.666, torch.sigmoid, (2 * 1.7159, -1.7159)),
    "Tanh": Activation(2.0, torch.sigmoid, SIGMOID_TANH),
    "SiLU": Activation(1.0, F.silu, IDENTITY),
    "ReLU": Activation(1.0, torch.relu, IDENTITY),
    "GELU": Activation(1.0, F.gelu, IDENTITY),
}


@dataclass
class Dense:
    """A backbone layer after the first: weight, bias, activation and dropout rate."""

    weight: Tensor
    bias: Tensor
    act: Activation
    dropout: float


@dataclass
class LayerPlan:
    """Weights of one CfC cell (one wired layer), folded and ready for the time loop.

    ``first`` acts on ``[x, h]``: its ``x`` part is either hoisted (``z_in``, per step) or
    applied per step (``w_x`` and ``bias``, for wired layers fed by the previous layer).
    """

    units: int
    mode: str
    w_h: Tensor
    w_x: Tensor | None = None
    bias: Tensor | None = None
    z_in: Tensor | None = None
    act: Activation | None = None
    backbone: list[Dense] = field(default_factory=list)
    heads: tuple[Tensor, Tensor] | None = None
    pure: tuple[Tensor, Tensor] | None = None  # |w_tau| and A of pure mode
    out_form: Form = IDENTITY
    training: bool = False


class CfC(nn.Module):
    """Closed-form continuous-time RNN, numerically equal to ``ncps.torch.CfC`` but faster.

    Same constructor, parameters (``state_dict`` keys ``rnn_cell.*``, ``lstm.*``, ``fc.*``)
    and initialisation as ncps 1.0.1.

    Parameters
    ----------
    input_size : int
        Number of input features.
    units : int or ncps.wirings.Wiring
        Number of hidden units, or a wiring (e.g. ``ncps.wirings.AutoNCP``).
    proj_size : int, optional
        Size of a linear output projection.
    return_sequences : bool
        Return the output of every step (True) or only of the last one.
    batch_first : bool
        Input layout (B, T, C) if True, else (T, B, C).
    mixed_memory : bool
        Add ncps' LSTM memory cell in front of the CfC cell.
    mode : str
        "default", "no_gate" or "pure".
    activation : str
        Backbone activation: "lecun_tanh", "tanh", "silu", "relu" or "gelu".
    backbone_units, backbone_layers, backbone_dropout : optional
        Backbone size (default 128 units, 1 layer, dropout 0); not allowed with a wiring.
    """

    def __init__(
        self,
        input_size: int,
        units: int | Any,
        proj_size: int | None = None,
        return_sequences: bool = True,
        batch_first: bool = True,
        mixed_memory: bool = False,
        mode: str = "default",
        activation: str = "lecun_tanh",
        backbone_units: int | None = None,
        backbone_layers: int | None = None,
        backbone_dropout: float | None = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.wiring_or_units = units
        self.proj_size = proj_size
        self.batch_first = batch_first
        self.return_sequences = return_sequences
        self.wired_mode = isinstance(units, ncps.wirings.Wiring)
        if self.wired_mode:
            _reject_backbone(backbone_units, backbone_layers, backbone_dropout)
            wiring: Any = units
            self.wiring = wiring
            self.state_size = int(wiring.units)
            self.output_size = int(wiring.output_dim)
            self.rnn_cell: nn.Module = WiredCfCCell(input_size, units, mode)
        else:
            self.state_size = int(units)
            self.output_size = self.state_size
            self.rnn_cell = CfCCell(
                input_size,
                units,
                mode,
                activation,
                128 if backbone_units is None else backbone_units,
                1 if backbone_layers is None else backbone_layers,
                0.0 if backbone_dropout is None else backbone_dropout,
            )
        self.use_mixed = mixed_memory
        if self.use_mixed:
            self.lstm = LSTMCell(input_size, self.state_size)
        self.fc: nn.Module = (
            nn.Identity() if proj_size is None else nn.Linear(self.output_size, proj_size)
        )

    def forward(
        self,
        input: Tensor,
        hx: State | None = None,
        timespans: Timespans | None = None,
    ) -> tuple[Tensor, State]:
        """Run the CfC over a sequence.

        Parameters
        ----------
        input : Tensor
            (B, T, C) if ``batch_first`` else (T, B, C); (T, C) without batch.
        hx : Tensor or tuple of Tensor, optional
            Initial state (B, units), or (h, c) with mixed memory; zeros if None.
        timespans : float or Tensor, optional
            Elapsed time per step: (B, T) or (B, T, 1) (time-major if not ``batch_first``);
            1.0 if None.

        Returns
        -------
        tuple
            Output (B, T, out) (or (B, out) without ``return_sequences``) and the final
            state (h, or (h, c) with mixed memory).
        """
        x, layout = time_major(input, self.batch_first)
        spans = time_major_spans(timespans, layout, x)
        h0, c0 = initial_state(hx, self.use_mixed, self.state_size, layout, x)
        plans = self._plans(x, spans, folded_state=c0 is None)
        if _scannable(plans, x, mixed=c0 is not None):
            memory = None if c0 is None else self._memory(x, c0, plans[0].out_form)
            return self._scanned(plans, _to_forms(h0, plans), spans, layout, memory)
        outputs, states, c0 = self._sequence(plans, x, h0, c0, spans)
        form = plans[-1].out_form
        if self.return_sequences:
            readout = user_sequence(self.fc(_from_form(outputs, form)), layout)
        else:
            readout = user_last(self.fc(_from_form(outputs[-1], form)), layout)
        h = torch.cat([_from_form(s, p.out_form) for s, p in zip(states, plans, strict=True)], 1)
        return readout, final_state(h, c0, layout)

    def _memory(self, x: Tensor, c0: Tensor, form: Form) -> tuple[Tensor, Tensor, Tensor]:
        """The mixed-memory LSTM as the native kernel takes it (see :class:`CfCScan`).

        Its input projection is one product over all steps (ncps' +1 on the forget gate
        folded into the bias); its recurrent weight acts on the cell's stored state.
        """
        w_in, b_in = self.lstm.input_map.weight, self.lstm.input_map.bias
        units = w_in.size(0) // 4
        shift = torch.zeros_like(b_in)
        shift[2 * units : 3 * units] = 1.0
        w_rec, bias = _fold(self.lstm.recurrent_map.weight, b_in + shift, [(units, form)])
        zl_in = torch.addmm(bias, x.flatten(0, 1), w_in.t()).view(x.size(0), x.size(1), -1)
        return zl_in, w_rec, c0

    def _scanned(
        self,
        plans: list[LayerPlan],
        l0: list[Tensor],
        spans: Timespans,
        layout: SequenceLayout,
        memory: tuple[Tensor, Tensor, Tensor] | None = None,
    ) -> tuple[Tensor, State]:
        """Run :func:`_scannable` plans; outputs come in the user's layout directly.

        Layers run one after the other over the whole sequence (a wired layer's input at
        step t is the previous layer's output at step t, never a later one), each with
        its input projection as one product over all steps.  ``memory``: the mixed-memory
        LSTM of a single cell (see :meth:`_memory`).
        """
        seq: Tensor | None = None
        lasts: list[Tensor] = []
        for k, plan in enumerate(plans):
            z_in = plan.z_in
            if z_in is None:  # a wired layer fed by the previous one (time-major seq)
                assert seq is not None and plan.w_x is not None and plan.bias is not None
                # w_x acts on the stored form of seq: fold the conversion into it instead.
                scale, shift = plans[k - 1].out_form
                w_x, bias = _fold(
                    plan.w_x, plan.bias, [(plan.w_x.size(1), (1 / scale, -shift / scale))]
                )
                z_in = torch.addmm(bias, seq.flatten(0, 1), w_x.t()).view(*seq.shape[:2], -1)
            batch_first = layout.batch_first and k == len(plans) - 1
            seq, c_last = _scan(plan, z_in, l0[k], spans, batch_first, memory)
            lasts.append(seq[:, -1] if batch_first else seq[-1])
        assert seq is not None
        last = lasts[-1].clone()
        if self.return_sequences:
            readout = self.fc(seq)
            readout = readout if layout.batched else readout.squeeze(layout.batch_dim)
        else:
            readout = user_last(self.fc(last), layout)
        h = last if len(plans) == 1 else torch.cat(lasts, 1)
        return readout, final_state(h, None if memory is None else c_last, layout)

    def _sequence(
        self, plans: list[LayerPlan], x: Tensor, h0: Tensor, c0: Tensor | None, spans: Timespans
    ) -> tuple[Tensor, list[Tensor], Tensor | None]:
        """Run the time loop step by step (configurations that :func:`_scan` does not cover).

        Returns
        -------
        tuple
            (T, B, out) last-layer outputs and final per-layer states (stored form), and
            the final memory cell (None without mixed memory).
        """
        steps_ts = spans.unsqueeze(-1).unbind(0) if isinstance(spans, Tensor) else None
        if c0 is not None:
            return self._run_mixed(plans, x, h0, c0, spans, steps_ts)
        outputs, states = _run(plans, _to_forms(h0, plans), spans, steps_ts)
        return outputs, states, None

    def _run_mixed(
        self,
        plans: list[LayerPlan],
        x: Tensor,
        h: Tensor,
        c: Tensor,
        spans: Timespans,
        steps_ts: Sequence[Tensor] | None,
    ) -> tuple[Tensor, list[Tensor], Tensor]:
        """Run the time loop with the LSTM memory cell (states kept unfolded).

        Returns
        -------
        tuple
            (T, B, out) last-layer outputs (stored form), final per-layer states, final c.
        """
        memory = MemoryCell(self.lstm, x, unit_major=False)
        sizes = [p.units for p in plans]
        outputs = []
        states: list[Tensor] = []
        for t, z_t in enumerate(_input_steps(plans)):
            h, c = memory.step(t, h, c)
            ts = spans if steps_ts is None else steps_ts[t]
            states = _step(plans, z_t, list(torch.split(h, sizes, 1)), ts)
            outputs.append(states[-1])
            h = torch.cat(
                [_from_form(s, p.out_form) for s, p in zip(states, plans, strict=True)], 1
            )
        return torch.stack(outputs), states, c

    def _plans(self, x: Tensor, spans: Timespans, folded_state: bool) -> list[LayerPlan]:
        """Fold the weights of every layer; ``folded_state``: states stay in folded form."""
        span = spans if isinstance(spans, float) else None
        if not self.wired_mode:
            return [_cell_plan(self.rnn_cell, x, span, folded_state, self.training)]
        wired: Any = self.rnn_cell
        plans: list[LayerPlan] = []
        for cell in wired._layers:
            plan = _cell_plan(
                cell,
                x if not plans else None,
                span,
                folded_state,
                self.training,
                plans[-1].out_form if plans else IDENTITY,
            )
            plans.append(plan)
        return plans


def _reject_backbone(*values: object) -> None:
    """Raise like ncps when a backbone option is given together with a wiring."""
    for name, value in zip(
        ("backbone_units", "backbone_layers", "backbone_dropout"), values, strict=True
    ):
        if value is not None:
            raise ValueError(f"Cannot use {name} in wired mode")


def _fold(
    weight: Tensor, bias: Tensor, blocks: Sequence[tuple[int, Form]]
) -> tuple[Tensor, Tensor]:
    """Fold the input forms of column blocks into a linear layer.

    Parameters
    ----------
    weight, bias : Tensor
        (O, sum of widths) weight and (O,) bias acting on real-valued inputs.
    blocks : sequence of (width, form)
        Consecutive input column blocks and the forms their inputs are stored in.

    Returns
    -------
    tuple of Tensor
        Weight and bias acting on the stored inputs.
    """
    parts = torch.split(weight, [width for width, _ in blocks], 1)
    scaled = []
    for part, (_, (scale, shift)) in zip(parts, blocks, strict=True):
        if shift:
            bias = bias + shift * part.sum(1)
        scaled.append(part * scale if scale != 1.0 else part)
    return torch.cat(scaled, 1), bias


def _head_params(cell: Any, span: float | None) -> tuple[Tensor, Tensor]:
    """Return the stacked head weight and bias of an ncps ``CfCCell`` (mask applied).

    ``ff1`` and ``ff2`` are doubled (``tanh(y) = 2 sigmoid(2 y) - 1``) except in pure mode;
    with a constant span ``time_a * span + time_b`` becomes one head.
    """
    mask = cell.sparsity_mask
    ff1 = cell.ff1.weight if mask is None else cell.ff1.weight * mask
    if cell.mode == "pure":
        return ff1, cell.ff1.bias
    ff2 = cell.ff2.weight if mask is None else cell.ff2.weight * mask
    weights = [2 * ff1, 2 * ff2]
    biases = [2 * cell.ff1.bias, 2 * cell.ff2.bias]
    ta, tb = cell.time_a, cell.time_b
    if span is None:
        weights += [ta.weight, tb.weight]
        biases += [ta.bias, tb.bias]
    else:
        weights.append(ta.weight * span + tb.weight)
        biases.append(ta.bias * span + tb.bias)
    return torch.cat(weights), torch.cat(biases)


def _backbone_layers(cell: Any) -> list[tuple[nn.Linear, Activation, float]]:
    """Return (linear, activation, dropout rate) per backbone layer of an ncps ``CfCCell``."""
    if cell.backbone_layers == 0:
        return []
    layers: list[tuple[nn.Linear, Activation, float]] = []
    for module in cell.backbone:
        if isinstance(module, nn.Linear):
            layers.append((module, IDENTITY_ACT, 0.0))
        elif isinstance(module, nn.Dropout):
            linear, act, _ = layers[-1]
            layers[-1] = (linear, act, float(module.p))
        else:
            layers[-1] = (layers[-1][0], ACTIVATIONS[type(module).__name__], 0.0)
    return layers


IDENTITY_ACT = Activation(1.0, lambda t: t, IDENTITY)


def _cell_plan(
    cell: Any,
    x: Tensor | None,
    span: float | None,
    folded_state: bool,
    training: bool,
    x_form: Form = IDENTITY,
) -> LayerPlan:
    """Fold the weights of one ncps ``CfCCell`` into a :class:`LayerPlan`.

    Parameters
    ----------
    cell : ncps.torch.CfCCell
        The cell whose parameters are used.
    x : Tensor or None
        (T, B, I) input sequence to hoist the input projection over; None if the cell's
        input comes from the previous wired layer at each step.
    span : float or None
        The constant time span, or None when spans vary per step.
    folded_state : bool
        Whether the cell's own state is fed back in folded form.
    training : bool
        Whether dropout is active.
    x_form : Form
        Form in which the cell's input is stored.
    """
    units = int(cell.hidden_size)
    out_form = IDENTITY if cell.mode == "pure" else SIGMOID_TANH
    h_form = out_form if folded_state else IDENTITY
    heads = _head_params(cell, span)
    layers = _backbone_layers(cell)
    first_w, first_b = (layers[0][0].weight, layers[0][0].bias) if layers else heads
    first_w, first_b = _fold(first_w, first_b, [(first_w.size(1) - units, x_form), (units, h_form)])
    plan = LayerPlan(units=units, mode=cell.mode, w_h=first_w, out_form=out_form, training=training)
    if layers:
        plan.act = layers[0][1]
        first_w, first_b = first_w * plan.act.pre_scale, first_b * plan.act.pre_scale
        plan.backbone, plan.heads = _fold_backbone(layers, heads, training)
    plan.w_h = first_w[:, -units:]
    w_x = first_w[:, :-units]
    if x is not None:
        z_in = torch.addmm(first_b, x.flatten(0, 1), w_x.t())
        plan.z_in = z_in.view(x.size(0), x.size(1), -1)
    else:
        plan.w_x, plan.bias = w_x, first_b
    if cell.mode == "pure":
        plan.pure = (torch.abs(cell.w_tau), cell.A)
    return plan


def _fold_backbone(
    layers: list[tuple[nn.Linear, Activation, float]], heads: tuple[Tensor, Tensor], training: bool
) -> tuple[list[Dense], tuple[Tensor, Tensor]]:
    """Fold each backbone activation's affine part into the next layer (or the heads)."""
    dense: list[Dense] = []
    form = layers[0][1].post
    for linear, act, rate in layers[1:]:
        w, b = _fold(linear.weight, linear.bias, [(linear.in_features, form)])
        dropout = rate if training else 0.0
        dense.append(Dense(w * act.pre_scale, b * act.pre_scale, act, dropout))
        form = IDENTITY if dropout > 0 else act.post
    w, b = _fold(heads[0], heads[1], [(heads[0].size(1), form)])
    return dense, (w, b)


def _to_forms(h: Tensor, plans: list[LayerPlan]) -> list[Tensor]:
    """Split a (B, N) real state into per-layer states in each layer's folded form."""
    parts = torch.split(h, [p.units for p in plans], 1)
    return [_to_form(part, p.out_form) for part, p in zip(parts, plans, strict=True)]


def _to_form(h: Tensor, form: Form) -> Tensor:
    """Return the stored form of real values ``h``."""
    scale, shift = form
    return h if form == IDENTITY else (h - shift) / scale


def _from_form(stored: Tensor, form: Form) -> Tensor:
    """Return the real values of ``stored``."""
    scale, shift = form
    return stored if form == IDENTITY else stored * scale + shift


def _input_steps(plans: list[LayerPlan]) -> tuple[Tensor, ...]:
    """Per-step hoisted input pre-activations of the first layer."""
    assert plans[0].z_in is not None
    return plans[0].z_in.unbind(0)


def _run(
    plans: list[LayerPlan],
    states: list[Tensor],
    spans: Timespans,
    steps_ts: Sequence[Tensor] | None,
) -> tuple[Tensor, list[Tensor]]:
    """Run the time loop without memory cell.

    Returns
    -------
    tuple
        (T, B, out) last-layer outputs and final per-layer states, in stored form.
    """
    outputs = []
    for t, z_t in enumerate(_input_steps(plans)):
        states = _step(plans, z_t, states, spans if steps_ts is None else steps_ts[t])
        outputs.append(states[-1])
    return torch.stack(outputs), states


def _scannable(plans: list[LayerPlan], x: Tensor, mixed: bool = False) -> bool:
    """Whether :class:`CfCScan` covers every layer of this configuration.

    It covers layers without a backbone or with one sigmoid-form backbone layer
    ("lecun_tanh", "tanh"), in every mode, and mixed memory in front of a single cell;
    beyond the common configuration (one unwired cell with a backbone layer, mode
    "default" or "no_gate", no mixed memory), only with the native kernels.
    """
    if not all(_layer_scannable(p) for p in plans) or (mixed and len(plans) > 1):
        return False
    plan = plans[0]
    if len(plans) == 1 and plan.mode != "pure" and plan.act is not None and not mixed:
        return True  # the eager BPTT covers it too
    return x.dtype == torch.float32 and x.device.type == "cpu" and _native.cfc_library() is not None


def _layer_scannable(plan: LayerPlan) -> bool:
    """Whether the native kernels cover one layer (see :func:`_scannable`)."""
    if plan.backbone or (plan.act is not None and plan.act.fn is not torch.sigmoid):
        return False
    return plan.mode == "pure" or plan.out_form == SIGMOID_TANH


def _scan(
    plan: LayerPlan,
    z_in: Tensor,
    l0: Tensor,
    spans: Timespans,
    batch_first: bool,
    memory: tuple[Tensor, Tensor, Tensor] | None = None,
) -> tuple[Tensor, Tensor]:
    """Run one :func:`_scannable` layer with the hand-written BPTT function.

    Returns the real states of every step, (B, T, N) if ``batch_first`` else (T, B, N),
    and the final memory cell (empty without ``memory``).
    """
    w_y, b_y = plan.heads if plan.heads is not None else (None, None)
    ts = spans.unsqueeze(-1) if isinstance(spans, Tensor) else None
    pure_w = pure_a = None
    if plan.pure is not None:
        pure_w, pure_a = (p.reshape(-1) for p in plan.pure)
        if ts is None:
            ts = z_in.new_full((z_in.size(0), z_in.size(1), 1), float(spans))
    zl_in, w_rec, c0 = memory if memory is not None else (None, None, None)
    args = (z_in, l0, plan.w_h, w_y, b_y, ts, pure_w, pure_a, zl_in, w_rec, c0)
    out, c_last = scan(*args, plan.mode, batch_first)
    return out, c_last


def _step(plans: list[LayerPlan], z_t: Tensor, states: list[Tensor], ts: Timespans) -> list[Tensor]:
    """Advance every layer by one step; return the new per-layer states (stored form).

    ``z_t`` is the hoisted input pre-activation of the first layer at this step.
    """
    new: list[Tensor] = []
    for plan, h in zip(plans, states, strict=True):
        if plan.w_x is None:
            pre = torch.addmm(z_t, h, plan.w_h.t())
        else:
            assert plan.bias is not None
            pre = torch.addmm(torch.addmm(plan.bias, new[-1], plan.w_x.t()), h, plan.w_h.t())
        new.append(_heads(plan, _backbone(plan, pre), ts))
    return new


def _backbone(plan: LayerPlan, pre: Tensor) -> Tensor:
    """Apply the backbone (if any) to the first matrix's output; return the heads' input."""
    if plan.act is None:
        return pre
    a = plan.act.fn(pre)
    for dense in plan.backbone:
        a = dense.act.fn(torch.addmm(dense.bias, a, dense.weight.t()))
        if dense.dropout > 0:
            a = F.dropout(_from_form(a, dense.act.post), dense.dropout, training=True)
    assert plan.heads is not None
    return torch.addmm(plan.heads[1], a, plan.heads[0].t())


def _heads(plan: LayerPlan, y: Tensor, ts: Timespans) -> Tensor:
    """Combine the head outputs ``y`` into the new state (stored form)."""
    n = plan.units
    if plan.mode == "pure":
        assert plan.pure is not None
        w_tau, a = plan.pure
        decay = torch.exp((w_tau + torch.abs(y)) * -ts)
        return torch.addcmul(a, a, decay * y, value=-1)
    if isinstance(ts, Tensor):
        ff1, ff2, t_a, t_b = torch.split(y, n, 1)
        t_interp = torch.sigmoid(torch.addcmul(t_b, t_a, ts))
        ff1, ff2 = torch.sigmoid(ff1), torch.sigmoid(ff2)
    else:
        ff1, ff2, t_interp = torch.split(torch.sigmoid(y), n, 1)
    if plan.mode == "no_gate":
        return torch.addcmul(ff1, t_interp, ff2 - 0.5)
    return torch.lerp(ff1, ff2, t_interp)
