"""Shared plumbing of the fast liquid kernels: input layout, time spans, states, memory cell.

Everything here mirrors the argument handling of ``ncps.torch.LTC`` / ``ncps.torch.CfC``
(version 1.0.1) so that the fast modules are drop-in replacements, except for time spans,
which are applied per step and per sample (ncps 1.0.1 broadcasts them against the units).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

#: Per-step time span: one Python number for every sample and step, or a (T, B) tensor.
Timespans = float | Tensor


@dataclass(frozen=True)
class SequenceLayout:
    """How a user's input sequence maps to the kernels' time-major layout.

    Attributes
    ----------
    batch_first : bool
        Whether the user's tensors are (B, T, C) rather than (T, B, C).
    batched : bool
        Whether the user passed a batch dimension at all.
    steps : int
        Sequence length T.
    batch : int
        Batch size B (1 for unbatched input).
    """

    batch_first: bool
    batched: bool
    steps: int
    batch: int

    @property
    def batch_dim(self) -> int:
        """Index of the batch dimension in the user's tensors."""
        return 0 if self.batch_first else 1


def time_major(inputs: Tensor, batch_first: bool) -> tuple[Tensor, SequenceLayout]:
    """Return the input as a contiguous (T, B, C) tensor and its layout.

    Parameters
    ----------
    inputs : Tensor
        (B, T, C) if ``batch_first`` else (T, B, C); or (T, C) without batch.
    batch_first : bool
        Layout flag of the module.

    Returns
    -------
    tuple of Tensor and SequenceLayout
        The time-major input and the layout needed to restore the user's layout.
    """
    if inputs.dim() not in (2, 3):
        raise ValueError(f"expected a 2-D or 3-D input, got shape {tuple(inputs.shape)}")
    batched = inputs.dim() == 3
    if not batched:
        inputs = inputs.unsqueeze(0 if batch_first else 1)
    if batch_first:
        inputs = inputs.transpose(0, 1)
    layout = SequenceLayout(batch_first, batched, inputs.size(0), inputs.size(1))
    return inputs.contiguous(), layout


def time_major_spans(
    timespans: Timespans | None, layout: SequenceLayout, like: Tensor
) -> Timespans:
    """Normalise time spans to a Python float or a (T, B) tensor.

    Parameters
    ----------
    timespans : float, Tensor or None
        None means 1.0 per step (ncps' default).  A tensor may have the user's sequence
        layout with or without a trailing singleton: (B, T), (B, T, 1), (T, B), (T, B, 1),
        or (T,), (T, 1) for unbatched input; a 0-d tensor is one span for all steps.
    layout : SequenceLayout
        Layout of the input sequence.
    like : Tensor
        Tensor whose dtype and device the spans take.

    Returns
    -------
    float or Tensor
        A float, or a (T, B) tensor applied per step and per sample.
    """
    if timespans is None:
        return 1.0
    if not isinstance(timespans, Tensor):
        return float(timespans)
    spans = timespans.to(dtype=like.dtype, device=like.device)
    if spans.dim() == 0:
        return spans.expand(layout.steps, layout.batch)
    if not layout.batched:
        spans = spans.unsqueeze(layout.batch_dim)
    if spans.dim() == 3 and spans.size(-1) == 1:
        spans = spans.squeeze(-1)
    if layout.batch_first and spans.dim() == 2:
        spans = spans.transpose(0, 1)
    if spans.shape != (layout.steps, layout.batch):
        raise ValueError(
            "timespans must have shape (B, T) or (B, T, 1) (time-major: (T, B) or (T, B, 1)) "
            f"matching the input; got {tuple(timespans.shape)} for T={layout.steps}, "
            f"B={layout.batch}"
        )
    return spans


def initial_state(
    hx: Tensor | tuple[Tensor, Tensor] | None,
    mixed: bool,
    units: int,
    layout: SequenceLayout,
    like: Tensor,
) -> tuple[Tensor, Tensor | None]:
    """Return the (B, units) hidden state and, with mixed memory, the memory cell.

    Parameters
    ----------
    hx : Tensor, tuple of Tensor or None
        User state, as accepted by ncps: h or (h, c) with mixed memory; None for zeros.
    mixed : bool
        Whether the module has the LSTM memory cell.
    units : int
        State size.
    layout : SequenceLayout
        Layout of the input sequence.
    like : Tensor
        Tensor whose dtype and device fresh states take.

    Returns
    -------
    tuple
        Batched (B, units) hidden state and memory cell (None without mixed memory).
    """
    if hx is None:
        zeros = like.new_zeros(layout.batch, units)
        return zeros, (like.new_zeros(layout.batch, units) if mixed else None)
    if mixed and isinstance(hx, Tensor):
        raise RuntimeError(
            "Running with mixed_memory=True requires a tuple (h0, c0) to be passed as state "
            "(got torch.Tensor instead)"
        )
    h, c = hx if isinstance(hx, tuple) else (hx, None)
    want = 2 if layout.batched else 1
    if h.dim() != want:
        kind = "batched 2-D" if layout.batched else "unbatched 1-D"
        raise RuntimeError(
            f"For {kind} input, hx and cx should also be {want}-D but got ({h.dim()}-D) tensor"
        )
    if not layout.batched:
        h = h.unsqueeze(0)
        c = c.unsqueeze(0) if c is not None else None
    return h, (c if mixed else None)


def final_state(
    h: Tensor, c: Tensor | None, layout: SequenceLayout
) -> Tensor | tuple[Tensor, Tensor]:
    """Return the final state in the user's layout (drops the batch dim when unbatched).

    Parameters
    ----------
    h : Tensor
        (B, units) hidden state.
    c : Tensor or None
        (B, units) memory cell, or None without mixed memory.
    layout : SequenceLayout
        Layout of the input sequence.

    Returns
    -------
    Tensor or tuple of Tensor
        h, or (h, c) with mixed memory.
    """
    if not layout.batched:
        h = h[0]
        c = c[0] if c is not None else None
    return h if c is None else (h, c)


def user_sequence(seq: Tensor, layout: SequenceLayout) -> Tensor:
    """Return a time-major (T, B, F) output sequence in the user's layout.

    Parameters
    ----------
    seq : Tensor
        (T, B, F) outputs.
    layout : SequenceLayout
        Layout of the input sequence.

    Returns
    -------
    Tensor
        Contiguous (B, T, F) or (T, B, F); without the batch dimension for unbatched input.
    """
    if layout.batch_first:
        seq = seq.transpose(0, 1)
    seq = seq.contiguous()
    return seq if layout.batched else seq.squeeze(layout.batch_dim)


def user_last(output: Tensor, layout: SequenceLayout) -> Tensor:
    """Return a (B, F) last-step output in the user's layout (unbatched: (F,))."""
    return output if layout.batched else output[0]


class MemoryCell:
    """The mixed-memory LSTM of ncps, with its input projection hoisted out of the loop.

    Parameters
    ----------
    lstm : ncps.torch.lstm.LSTMCell
        The memory cell whose parameters are used (not its forward).
    x : Tensor
        (T, B, I) time-major input.
    unit_major : bool
        Whether states are (units, B) rather than (B, units).
    """

    def __init__(self, lstm: Any, x: Tensor, unit_major: bool) -> None:
        w_in: Tensor = lstm.input_map.weight
        units = w_in.size(0) // 4
        # ncps adds 1.0 to the forget gate pre-activation; fold it into the bias once.
        shift = torch.zeros_like(lstm.input_map.bias)
        shift[2 * units : 3 * units] = 1.0
        bias = lstm.input_map.bias + shift
        self.unit_major = unit_major
        self.w_rec: Tensor = lstm.recurrent_map.weight
        if unit_major:
            z = torch.matmul(w_in, x.transpose(1, 2)) + bias[:, None]
        else:
            z = torch.addmm(bias, x.flatten(0, 1), w_in.t()).view(x.size(0), x.size(1), -1)
        self.z_in = z.unbind(0)

    def step(self, t: int, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        """Advance the memory cell by step ``t`` from state (h, c); return the new (h, c)."""
        if self.unit_major:
            z = torch.addmm(self.z_in[t], self.w_rec, h)
        else:
            z = torch.addmm(self.z_in[t], h, self.w_rec.t())
        dim = 0 if self.unit_major else 1
        i, gates = z.tensor_split([z.size(dim) // 4], dim=dim)
        ig, fg, og = torch.sigmoid(gates).chunk(3, dim=dim)
        c = torch.addcmul(c * fg, torch.tanh(i), ig)
        return torch.tanh(c) * og, c
