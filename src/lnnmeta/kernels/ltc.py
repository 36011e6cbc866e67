"""Fast drop-in replacement for ``ncps.torch.LTC`` (ncps 1.0.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ncps
import numpy as np
import torch
from ncps.torch import LTCCell
from ncps.torch.lstm import LSTMCell
from torch import Tensor, nn

from lnnmeta.kernels import _native
from lnnmeta.kernels._common import (
    MemoryCell,
    Timespans,
    final_state,
    initial_state,
    time_major,
    time_major_spans,
    user_last,
    user_sequence,
)
from lnnmeta.kernels._ltc_ops import FusedSolver, NativeSolver, NativeSynapseSums, SynapseSums

#: Typed handles of the autograd functions (eager PyTorch and native C++).
solve: Callable[..., Tensor] = FusedSolver.apply
sensory_sums: Callable[..., Tensor] = SynapseSums.apply
native_solve: Callable[..., Tensor] = NativeSolver.apply
native_sensory_sums: Callable[..., Tensor] = NativeSynapseSums.apply

State = Tensor | tuple[Tensor, Tensor]


class LTC(nn.Module):
    """Liquid time-constant RNN, numerically equal to ``ncps.torch.LTC`` but faster.

    Same constructor, parameters (``state_dict`` keys ``rnn_cell.*`` and ``lstm.*``) and
    initialisation as ncps 1.0.1, so ncps checkpoints load and equal seeds give equal
    weights.  The forward pass hoists everything that does not depend on the state out of
    the time loop (input mapping, all sensory synapses, softplus of the parameters,
    sparsity masks, output mapping) and runs the ODE solver of all time steps as one
    autograd function (one call per step with mixed memory) whose hand-written backward
    pass recomputes the synapse activations instead of storing them.

    For float32 CPU tensors the sensory synapses and the solver run in native C++ kernels
    (:class:`lnnmeta.kernels._ltc_ops.NativeSynapseSums`, :class:`NativeSolver`), built on
    first use (:mod:`lnnmeta.kernels._native`); otherwise, or when the build fails, or
    with ``LNNMETA_NATIVE=0``, in eager PyTorch (:class:`SynapseSums`,
    :class:`FusedSolver`).  Both paths compute the same values to float32 rounding.

    Parameters
    ----------
    input_size : int
        Number of input features.
    units : int or ncps.wirings.Wiring
        Number of fully connected units, or a wiring (e.g. ``ncps.wirings.AutoNCP``).
    return_sequences : bool
        Return the output of every step (True) or only of the last one.
    batch_first : bool
        Input layout (B, T, C) if True, else (T, B, C).
    mixed_memory : bool
        Add ncps' LSTM memory cell in front of the LTC cell.
    input_mapping, output_mapping : str
        "affine", "linear" or anything else for none, as in ncps.
    ode_unfolds : int
        Solver iterations per time step.
    epsilon : float
        Added to the solver's denominator.
    implicit_param_constraints : bool
        Apply softplus to the positive parameters at run time (else call
        :meth:`apply_weight_constraints` after each optimiser step, as with ncps).
    """

    def __init__(
        self,
        input_size: int,
        units: int | Any,
        return_sequences: bool = True,
        batch_first: bool = True,
        mixed_memory: bool = False,
        input_mapping: str = "affine",
        output_mapping: str = "affine",
        ode_unfolds: int = 6,
        epsilon: float = 1e-8,
        implicit_param_constraints: bool = True,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.wiring_or_units = units
        self.batch_first = batch_first
        self.return_sequences = return_sequences
        wiring = (
            units if isinstance(units, ncps.wirings.Wiring) else ncps.wirings.FullyConnected(units)
        )
        self.rnn_cell = LTCCell(
            wiring=wiring,
            in_features=input_size,
            input_mapping=input_mapping,
            output_mapping=output_mapping,
            ode_unfolds=ode_unfolds,
            epsilon=epsilon,
            implicit_param_constraints=implicit_param_constraints,
        )
        self._wiring = wiring
        self.use_mixed = mixed_memory
        if self.use_mixed:
            self.lstm = LSTMCell(input_size, self.state_size)

    @property
    def state_size(self) -> int:
        """Number of neurons."""
        return int(self._wiring.units)

    @property
    def sensory_size(self) -> int:
        """Number of input features."""
        return int(self._wiring.input_dim)

    @property
    def motor_size(self) -> int:
        """Number of output (motor) neurons."""
        return int(self._wiring.output_dim)

    @property
    def output_size(self) -> int:
        """Number of output features (the motor neurons)."""
        return self.motor_size

    @property
    def synapse_count(self) -> int:
        """Number of recurrent synapses."""
        return int(np.sum(np.abs(self._wiring.adjacency_matrix)))

    @property
    def sensory_synapse_count(self) -> int:
        """Number of recurrent synapses (sic: ncps reports the same count as above)."""
        return int(np.sum(np.abs(self._wiring.adjacency_matrix)))

    def apply_weight_constraints(self) -> None:
        """Clip the positive parameters (only needed with explicit constraints)."""
        self.rnn_cell.apply_weight_constraints()

    def forward(
        self,
        input: Tensor,
        hx: State | None = None,
        timespans: Timespans | None = None,
    ) -> tuple[Tensor, State]:
        """Run the LTC over a sequence.

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
            Output (B, T, motor) (or (B, motor) without ``return_sequences``) and the final
            state (h, or (h, c) with mixed memory).
        """
        x, layout = time_major(input, self.batch_first)
        spans = time_major_spans(timespans, layout, x)
        h0, c0 = initial_state(hx, self.use_mixed, self.state_size, layout, x)
        states, c = self._run(x, spans, h0.t(), c0.t() if c0 is not None else None)
        if self.return_sequences:
            readout = user_sequence(self._map_outputs(states), layout)
        else:
            readout = user_last(self._map_outputs(states[-1:])[0], layout)
        h = states[-1].t().contiguous()  # not a view of the solver's saved buffer
        return readout, final_state(h, c.t() if c is not None else None, layout)

    def _run(
        self, x: Tensor, spans: Timespans, v: Tensor, c: Tensor | None
    ) -> tuple[Tensor, Tensor | None]:
        """Run all steps from the unit-major (N, B) state ``v`` (and memory cell ``c``).

        Returns
        -------
        tuple
            The (T, N, B) states after each step and the final (N, B) memory cell.
        """
        cell = self.rnn_cell
        unfolds = int(cell._ode_unfolds)
        native = self._native_library(unfolds, x, v, c)
        cm_t, const = self._step_constants(x, spans, unfolds, native)
        mu, sig, a2 = _recurrent_synapses(cell)
        train = torch.is_grad_enabled()  # else the solver saves nothing for backward
        synapses: tuple[Any, ...]
        if native is not None:
            solver = native_solve
            synapses = (mu, sig, a2, cell.sparsity_mask.t(), unfolds, native, train)
        else:
            solver = solve
            a2t = a2.detach().transpose(1, 2).contiguous()
            sig_i = sig.detach().squeeze(-1).t().unsqueeze(1).contiguous()
            synapses = (mu, sig, a2, a2t, sig_i, unfolds, train)
        if c is None:
            return solver(v, const, cm_t, *synapses), None
        memory = MemoryCell(self.lstm, x, unit_major=True)
        cms = torch.split(cm_t, 1) if cm_t.dim() == 3 else (cm_t,) * x.size(0)
        states = []
        for t, (const_t, cm_step) in enumerate(zip(torch.split(const, 1), cms, strict=True)):
            v, c = memory.step(t, v, c)
            v = solver(v, const_t, cm_step, *synapses)[0]
            states.append(v)
        return torch.stack(states), c

    def _native_library(
        self, unfolds: int, *tensors: Tensor | None
    ) -> _native.NativeLibrary | None:
        """The native kernels if they apply (float32 CPU tensors and parameters), else None."""
        given = [t for t in tensors if t is not None]
        if unfolds < 1 or any(
            t.dtype != torch.float32 or t.device.type != "cpu" for t in (*given, *self.parameters())
        ):
            return None
        return _native.library()

    def _step_constants(
        self, x: Tensor, spans: Timespans, unfolds: int, native: _native.NativeLibrary | None
    ) -> tuple[Tensor, Tensor]:
        """Return ``cm_t`` and the solver constants of all steps, computed at once.

        Returns
        -------
        tuple of Tensor
            ``cm_t`` ((N, 1) for a constant span, else (T, N, B)) and the (T, N, 2, B)
            numerator terms (leak, sensory synapses) and denominator terms (capacitance,
            leak, sensory synapses, epsilon).
        """
        cell = self.rnn_cell
        positive = cell.make_positive_fn
        steps, batch = x.size(0), x.size(1)
        pre = cell._map_inputs(x).permute(2, 0, 1).reshape(x.size(2), steps * batch)
        if native is not None:
            mask = cell.sensory_sparsity_mask.t()
            sums = native_sensory_sums(pre, *_sensory_synapses(cell), mask, native)
        else:
            sums = sensory_sums(pre, *_sensory_synapses(cell))
        sums = sums.view(-1, 2, steps, batch)
        gleak = positive(cell.gleak)
        cm = positive(cell.cm)
        if isinstance(spans, Tensor):
            cm_t = cm[None, :, None] / (spans[:, None, :] / unfolds)
            den_cm = cm_t.permute(1, 0, 2)
        else:
            cm_t = (cm / (spans / unfolds)).unsqueeze(1)
            den_cm = cm_t.unsqueeze(2)
        num = sums[:, 0] + (gleak * cell.vleak)[:, None, None]
        den = sums[:, 1] + den_cm + (gleak + cell._epsilon)[:, None, None]
        return cm_t, torch.stack((num.transpose(0, 1), den.transpose(0, 1)), dim=2)

    def _map_outputs(self, states: Tensor) -> Tensor:
        """Map (T, N, B) unit-major states to (T, B, motor) outputs (ncps' output mapping)."""
        cell = self.rnn_cell
        out = states[:, : self.motor_size].transpose(1, 2)
        if cell._output_mapping in ("affine", "linear"):
            out = out * cell.output_w
        if cell._output_mapping == "affine":
            out = out + cell.output_b
        return out


def _synapse_tensors(
    w: Tensor, mask: Tensor, erev: Tensor, mu: Tensor, sigma: Tensor, positive: nn.Module
) -> tuple[Tensor, Tensor, Tensor]:
    """Return ``mu``, ``sig`` as (j, i, 1) and ``a2`` as (j, 2, i) from (i, j) parameters."""
    weight = positive(w) * mask
    a2 = torch.stack(((weight * erev).t(), weight.t()), dim=1)
    return mu.t().unsqueeze(-1).contiguous(), sigma.t().unsqueeze(-1).contiguous(), a2


def _recurrent_synapses(cell: Any) -> tuple[Tensor, Tensor, Tensor]:
    """Synapse tensors of the recurrent connections of an ncps ``LTCCell``."""
    return _synapse_tensors(
        cell.w, cell.sparsity_mask, cell.erev, cell.mu, cell.sigma, cell.make_positive_fn
    )


def _sensory_synapses(cell: Any) -> tuple[Tensor, Tensor, Tensor]:
    """Synapse tensors of the sensory connections of an ncps ``LTCCell``."""
    return _synapse_tensors(
        cell.sensory_w,
        cell.sensory_sparsity_mask,
        cell.sensory_erev,
        cell.sensory_mu,
        cell.sensory_sigma,
        cell.make_positive_fn,
    )
