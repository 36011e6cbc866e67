"""Canonical model and metric names for the literature data.

Family convention
-----------------
``LNN``   liquid networks: models whose time constant depends on the input (LTC, CfC in every mode,
          NCP-wired LTC/CfC, Liquid-S4, LrcSSM).
``RNN``   every other recurrent network whose state update is non-linear, discrete or continuous in
          time: RNN, LSTM, GRU, MGU, the ODE-based recurrent baselines of the LTC/CfC papers (CT-RNN,
          ODE-RNN, GRU-ODE, ODE-LSTM, ...), neural controlled/rough differential equations (NCDE,
          NRDE, Log-NCDE: a non-linear vector field of the state driven by the input path) and gated
          RNNs rewritten with a diagonal Jacobian for parallel solving (MguSSM, GruSSM, LstmSSM of
          Farsang & Grosu 2025, still non-linear recurrences). The LNN papers use these as their
          recurrent baselines, so the comparison does too.
``other`` Transformers, convolutional models, MLPs and non-liquid state-space models, whose state
          recurrence is linear (S4, S5, S6/Mamba, LRU, LinOSS). Mamba's input-dependent step size is
          not counted as liquid: the project keeps LNN to the liquid family named above.
A spelling not listed here needs ``canonical_model`` and ``family`` on its row in the paper's file.
"""

from __future__ import annotations

import re

_MODELS: dict[str, tuple[str, str]] = {}


def _add(canonical: str, family: str, *spellings: str) -> None:
    for s in (canonical, *spellings):
        _MODELS[normalize_key(s)] = (canonical, family)


def normalize_key(name: str) -> str:
    """Spelling-insensitive key: lower case, alphanumerics only, '(ours)' and daggers removed."""
    name = re.sub(r"\((ours|this work|ours\))\)?", "", name, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]", "", name.lower())


# --- liquid networks ---
_add(
    "LTC",
    "LNN",
    "Liquid time-constant",
    "LTC (ours)",
    "LTC network",
    "LTCs",
    "Liquid time-constant network",
)
_add("CfC", "LNN", "CfC (ours)", "Closed-form continuous-time", "CfC default")
_add("CfC-noGate", "LNN", "CfC no gate", "CfC (no gate)", "CfC-nogate")
_add("CfC-pure", "LNN", "CfC pure", "Cf-S", "CfS", "CfC (pure)")
_add("CfC-mmRNN", "LNN", "CfC-mm", "CfC mmRNN", "CfC (mixed memory)")
_add("LTC-NCP", "LNN", "NCP", "NCP (LTC)", "LTC NCP", "NCP-LTC")
_add("CfC-NCP", "LNN", "NCP (CfC)", "CfC NCP", "NCP-CfC")
_add("Liquid-S4", "LNN", "Liquid S4", "Liquid-S4 (ours)", "Liquid-S4-PB", "Liquid-S4-KB")
_add("LrcSSM", "LNN", "LrcSSM (ours)", "Liquid-resistance liquid-capacitance SSM")
# --- recurrent networks ---
_add("RNN", "RNN", "Vanilla RNN", "Elman RNN")
_add("LSTM", "RNN", "Long short-term memory")
_add("GRU", "RNN", "Gated recurrent unit")
_add("CT-RNN", "RNN", "CTRNN", "Continuous-time RNN")
_add("CT-GRU", "RNN", "CTGRU")
_add("CT-LSTM", "RNN", "CTLSTM")
_add("ODE-RNN", "RNN", "ODERNN")
_add("GRU-ODE", "RNN", "GRUODE", "GRU-ODE-Bayes")
_add("ODE-LSTM", "RNN", "ODELSTM")
_add("Neural ODE", "RNN", "NeuralODE", "Neural-ODE")
_add("Phased-LSTM", "RNN", "Phased LSTM", "PhasedLSTM")
_add("GRU-D", "RNN", "GRUD")
_add("mmRNN", "RNN", "mixed-memory RNN")
_add("Augmented LSTM", "RNN", "AugmentedLSTM")
_add("Bi-directional RNN", "RNN", "Bidirectional RNN")
_add("coRNN", "RNN", "Coupled oscillatory RNN")
_add("Lipschitz RNN", "RNN", "LipschitzRNN")
_add("HiPPO-RNN", "RNN", "HiPPO RNN")
_add("IndRNN", "RNN")
_add("uRNN", "RNN")
_add("expRNN", "RNN")
_add("LMU", "RNN")
_add("UniCORNN", "RNN")
_add("LEM", "RNN")
_add("GRU-Δt", "RNN", "GRU-dt", "GRU-Delta-t")
_add("Hawk", "RNN")
_add("MGU", "RNN", "Minimal gated unit")
_add("NCDE", "RNN", "Neural CDE", "Neural controlled differential equation")
_add("NRDE", "RNN", "Neural RDE", "Neural rough differential equation")
_add("Log-NCDE", "RNN", "Log NCDE", "LogNCDE")
_add("MguSSM", "RNN", "MGU-SSM")
_add("GruSSM", "RNN", "GRU-SSM")
_add("LstmSSM", "RNN", "LSTM-SSM")
# --- other sequence models ---
_add("Transformer", "other")
_add("S4", "other", "S4-LegS", "S4-FouT", "S4D", "S4D-LegS", "S4D-Inv", "S4D-Lin", "DSS")
_add("S5", "other")
_add("S6", "other")
_add("Mamba", "other")
_add("LRU", "other", "Linear recurrent unit")
_add("LinOSS-IMEX", "other", "LinOSS IMEX")
_add("LinOSS-IM", "other", "LinOSS IM")
_add("RFormer", "other", "Rough Transformer")
_add("MLP", "other")
_add("CNN", "other")


def canonical_model(spelling: str) -> tuple[str, str] | None:
    """Canonical name and family of a model spelling, or ``None`` if unknown."""
    return _MODELS.get(normalize_key(spelling))


#: Metric -> family. ``score``: higher is better by nature (accuracy, return); ``error``: lower is
#: better (losses, error rates); ``cost``: resources (parameters, time, memory), lower is better.
METRIC_FAMILY: dict[str, str] = {
    "accuracy": "score",
    "auc": "score",
    "f1": "score",
    "success_rate": "score",
    "return": "score",
    "error_rate": "error",
    "crash_rate": "error",
    "mse": "error",
    "mae": "error",
    "rmse": "error",
    "nll": "error",
    "loss": "error",
    "bits_per_dim": "error",
    "n_params": "cost",
    "time_per_epoch": "cost",
    "time": "cost",
    "memory": "cost",
    "number_of_function_evaluations": "cost",
}

#: Metrics whose canonical unit is percent (fractions are scaled by 100 on ingest).
PERCENT_METRICS = frozenset({"accuracy", "error_rate", "crash_rate", "success_rate", "f1", "auc"})

#: Time units scaled to seconds on ingest.
TIME_SCALE = {"seconds": 1.0, "milliseconds": 1e-3, "minutes": 60.0, "hours": 3600.0}
