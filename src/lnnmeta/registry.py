"""The model registry: every model of the rerun grid is an entry here plus its config.

Torch-free, so that validating the config (at every DAG build) does not import torch; the torch
modules that build the models (lnnmeta.models) import their entries from here. Facts about a model
live on its entry: its family, its core, its canonical name in the literature and the measured
training time that sizes its cluster jobs (lnnmeta.resources).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Family = Literal["LNN", "RNN"]
Kind = Literal["rnn", "lstm", "gru", "ctrnn", "ltc", "cfc"]

#: Cores that are discrete-time RNNs (torch.nn): the time gap is an extra input channel.
DISCRETE_KINDS: tuple[Kind, ...] = ("rnn", "lstm", "gru")
#: Cores of liquid networks (ncps or lnnmeta.kernels): the backend choice applies to them.
LIQUID_KINDS: tuple[Kind, ...] = ("ltc", "cfc")


@dataclass(frozen=True)
class ModelSpec:
    """A registry entry: name, family, core kind and constructor options.

    ``epoch_s`` is the training time of one epoch in seconds at 16 units on 400 sequences of
    48 steps, one thread (measured: LSTM 0.03, CfC 0.2-0.6, CfC-NCP 0.6-1.2, LTC 1.2-2.5; the
    values here are 1.2x to 4x the measured ones; lnnmeta.resources scales them to a job).
    """

    name: str
    family: Family
    kind: Kind
    description: str
    options: dict[str, Any] = field(default_factory=dict)
    ncp: bool = False
    canonical: str = ""
    epoch_s: float = 3.0

    @property
    def discrete(self) -> bool:
        """A discrete-time RNN (RNN, LSTM, GRU): the traditional recurrent baselines."""
        return self.kind in DISCRETE_KINDS

    @property
    def liquid(self) -> bool:
        """A liquid network (LTC or CfC core, wired or not)."""
        return self.kind in LIQUID_KINDS


REGISTRY: dict[str, ModelSpec] = {
    s.name: s
    for s in [
        ModelSpec("rnn", "RNN", "rnn", "Vanilla (Elman) RNN, tanh", canonical="RNN", epoch_s=0.1),
        ModelSpec(
            "lstm",
            "RNN",
            "lstm",
            "LSTM (Hochreiter & Schmidhuber 1997)",
            canonical="LSTM",
            epoch_s=0.1,
        ),
        ModelSpec("gru", "RNN", "gru", "GRU (Cho et al. 2014)", canonical="GRU", epoch_s=0.1),
        ModelSpec(
            "ctrnn",
            "RNN",
            "ctrnn",
            "Continuous-time RNN, 6 Euler unfolds (baseline of the LTC paper)",
            canonical="CT-RNN",
            epoch_s=1.0,
        ),
        ModelSpec(
            "ltc",
            "LNN",
            "ltc",
            "Liquid time-constant network (Hasani et al. 2021), fully connected",
            canonical="LTC",
            epoch_s=3.0,
        ),
        ModelSpec(
            "cfc",
            "LNN",
            "cfc",
            "Closed-form continuous-time network, default mode",
            {"mode": "default"},
            canonical="CfC",
            epoch_s=0.8,
        ),
        ModelSpec(
            "cfc_nogate",
            "LNN",
            "cfc",
            "CfC without the time gate",
            {"mode": "no_gate"},
            canonical="CfC-noGate",
            epoch_s=0.8,
        ),
        ModelSpec(
            "cfc_pure",
            "LNN",
            "cfc",
            "CfC, pure closed-form solution (Cf-S)",
            {"mode": "pure"},
            canonical="CfC-pure",
            epoch_s=0.8,
        ),
        ModelSpec(
            "cfc_mm",
            "LNN",
            "cfc",
            "CfC with mixed memory (an LSTM beside it)",
            {"mixed_memory": True},
            canonical="CfC-mmRNN",
            epoch_s=1.0,
        ),
        ModelSpec(
            "ltc_ncp",
            "LNN",
            "ltc",
            "LTC with NCP wiring (AutoNCP)",
            ncp=True,
            canonical="LTC-NCP",
            epoch_s=3.0,
        ),
        ModelSpec(
            "cfc_ncp",
            "LNN",
            "cfc",
            "CfC with NCP wiring (AutoNCP)",
            ncp=True,
            canonical="CfC-NCP",
            epoch_s=1.5,
        ),
    ]
}

#: The traditional recurrent baselines (discrete-time RNNs), in registry order.
TRADITIONAL: tuple[str, ...] = tuple(n for n, s in REGISTRY.items() if s.discrete)


def get_spec(name: str) -> ModelSpec:
    """The registry entry of ``name``; raises ``KeyError`` with the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; expected one of {', '.join(REGISTRY)}") from None


def canonical_name(name: str) -> str:
    """The literature's canonical name of a registry model (e.g. ``cfc_mm`` -> ``CfC-mmRNN``)."""
    return get_spec(name).canonical or name


def liquid_models() -> set[str]:
    """Registry names of the liquid networks (LTC and CfC cores)."""
    return {n for n, s in REGISTRY.items() if s.liquid}
