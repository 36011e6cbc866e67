"""The models of the rerun grid, built from their registry entries (lnnmeta.registry).

Each model is a recurrent core followed by the same readout head (a linear layer on the last output).
Discrete-time RNNs (RNN, LSTM, GRU) receive the time gap of each step as an extra input channel;
continuous-time models (CT-RNN, LTC, CfC) receive it as their per-step time span. Both see a gap of
1.0 for regularly sampled data.
"""

from __future__ import annotations

from typing import Any, Literal

import torch
from torch import nn

from lnnmeta.registry import REGISTRY, ModelSpec, canonical_name, get_spec

__all__ = [
    "CTRNN",
    "MIN_LTC_GAP",
    "REGISTRY",
    "Backend",
    "ModelSpec",
    "SequenceModel",
    "build_model",
    "canonical_name",
    "count_trainable",
    "get_spec",
    "model_bytes",
]

Backend = Literal["fast", "ncps"]
MIN_LTC_GAP = 1e-3


class CTRNN(nn.Module):
    """Continuous-time RNN: dh/dt = -h / tau + tanh(W x + U h + b), explicit Euler with ``unfolds`` steps.

    The CT-RNN baseline of Hasani et al. 2021 (Funahashi & Nakamura 1993), with a learned positive
    time constant per unit.  With ``native`` (the ``fast`` backend) float32 CPU inputs run the scan in
    the native library (:func:`lnnmeta.kernels.ctrnn.ctrnn_scan`, equal to the eager loop to float32
    rounding); otherwise, and wherever the library is unavailable, the eager reference loop.
    """

    def __init__(self, input_size: int, units: int, unfolds: int = 6, native: bool = True) -> None:
        super().__init__()
        self.units = units
        self.unfolds = unfolds
        self.native = native
        self.inp = nn.Linear(input_size, units)
        self.rec = nn.Linear(units, units, bias=False)
        self.log_tau = nn.Parameter(torch.zeros(units))

    def forward(self, x: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
        from lnnmeta.kernels.ctrnn import ctrnn_scan

        drive = self.inp(x)  # hoisted: the input term for all steps at once
        inv_tau = torch.exp(-self.log_tau)
        return ctrnn_scan(drive, dt, self.rec.weight, inv_tau, self.unfolds, native=self.native)


def _ncps_stepped(core: Any, x: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
    """Run an ncps LTC/CfC step by step with per-step (B, 1) time spans.

    ncps 1.0.1 squeezes (B, T, 1) time spans to (B,), which broadcasts against the units axis: an error
    when batch != units and silently wrong when equal. Stepping the cell ourselves avoids that.
    """
    batch = x.shape[0]
    h = x.new_zeros(batch, core.state_size)
    c = x.new_zeros(batch, core.state_size) if core.use_mixed else None
    out = h
    for t in range(x.shape[1]):
        if core.use_mixed:
            h, c = core.lstm(x[:, t], (h, c))
        out, h = core.rnn_cell(x[:, t], h, dt[:, t].unsqueeze(-1))
    fc = getattr(core, "fc", None)
    return fc(out) if fc is not None else out


class SequenceModel(nn.Module):
    """Recurrent core + the shared linear readout on the last step's output."""

    def __init__(
        self, spec: ModelSpec, input_size: int, output_size: int, units: int, backend: Backend
    ) -> None:
        super().__init__()
        self.spec = spec
        self.backend = backend
        self.discrete = spec.discrete
        in_size = input_size + 1 if self.discrete else input_size
        self.core, feat = _build_core(spec, in_size, units, backend)
        self.head = nn.Linear(feat, output_size)

    def forward(self, x: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
        """``x``: (B, T, C) inputs; ``dt``: (B, T) time elapsed before each step."""
        if self.discrete:
            out, _ = self.core(torch.cat([x, dt.unsqueeze(-1)], dim=-1))
            return self.head(out[:, -1])
        if self.spec.kind == "ctrnn":
            return self.head(self.core(x, dt))
        if self.spec.kind == "ltc":
            # LTC's fused solver divides by the time span; a zero gap (left padding) is floored at
            # MIN_LTC_GAP, which leaves the state unchanged up to a relative 1e-3.
            dt = dt.clamp_min(MIN_LTC_GAP)
        if self.backend == "ncps":
            return self.head(_ncps_stepped(self.core, x, dt))
        out, _ = self.core(x, timespans=dt)
        return self.head(out)


def _liquid_classes(backend: Backend) -> tuple[Any, Any]:
    """(LTC, CfC) classes: lnnmeta's fast kernels or the reference ncps 1.0.1 ones."""
    if backend == "fast":
        import importlib

        kernels = importlib.import_module("lnnmeta.kernels")
        return kernels.LTC, kernels.CfC
    from ncps.torch import LTC, CfC

    return LTC, CfC


def _build_core(
    spec: ModelSpec, in_size: int, units: int, backend: Backend
) -> tuple[nn.Module, int]:
    if spec.discrete:
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[spec.kind]
        return cls(in_size, units, batch_first=True), units
    if spec.kind == "ctrnn":
        return CTRNN(in_size, units, native=backend == "fast"), units
    from ncps.wirings import AutoNCP

    motor = max(2, units // 4)
    wiring: Any = AutoNCP(units, motor) if spec.ncp else units
    feat = motor if spec.ncp else units
    ltc_cls, cfc_cls = _liquid_classes(backend)
    if spec.kind == "ltc":
        return ltc_cls(in_size, wiring, batch_first=True, return_sequences=False), feat
    return cfc_cls(in_size, wiring, batch_first=True, return_sequences=False, **spec.options), feat


def build_model(
    name: str, input_size: int, output_size: int, units: int, backend: Backend = "fast"
) -> SequenceModel:
    """Build the registered model ``name`` with the shared readout head."""
    return SequenceModel(get_spec(name), input_size, output_size, units, backend)


def count_trainable(model: nn.Module) -> int:
    """Trainable parameters (ncps registers its sparsity masks as parameters without gradient)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def model_bytes(model: nn.Module) -> int:
    """Bytes of the model's state (parameters and buffers, masks included), as stored on disk."""
    return sum(t.numel() * t.element_size() for t in model.state_dict().values())
