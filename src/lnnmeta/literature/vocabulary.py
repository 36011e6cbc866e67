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
          recurrent baselines, so the comparison does too. NRDE/NCDE stay RNN in every paper (issue 13
          asked whether NRDE is an encoder-decoder; the texts say it is a recurrence): Hasani et al.
          2022 (Liquid-S4), Section 2, lists among "continuous RNNs such as ODE-RNNs ..., GRU-ODE ...,
          Log-ODE methods (Morrill et al., 2020) which compresses the input time-series by
          time-continuous path signatures ..., and neural controlled differential equations (Kidger et
          al., 2020)"; Farsang & Grosu 2025 call them "SSMs" but use the word for non-linear
          recurrences too ("LrcSSM, a non-linear recurrent model").
``other`` Transformers, convolutional models, MLPs and non-liquid state-space models, whose state
          recurrence is linear (S4 and its variants S4-LegS, S4-FouT, S4-LegS/FouT, S4D-*, DSS, S5,
          S6/Mamba, LRU, LinOSS). Mamba's input-dependent step size is not counted as liquid: the
          project keeps LNN to the liquid family named above. Also ``other``: encoder-decoder and
          latent-variable models and pipelines whose classifier is not a plain recurrence, which are
          not RNN baselines. Latent ODE (every encoder) and RNN-VAE: Hasani et al. 2022 (CfC),
          Baselines, "encoder-decoder ODE-RNN based models, such as RNN-VAE, Latent variable models
          with RNNs, and with ODEs"; Hasani et al. 2021 (LTC), Table 5 note, "D-enc. = RNN encoder
          C-enc = ODE encoder". IP-Nets: "a semi-parametric interpolation network followed by the application of a
          prediction network ... any standard deep learning model can be used for the prediction
          network" (Shukla & Marlin 2019, the authors' mlds-lab/interp-net README; the CfC text lists it
          without a description).
Variants keep distinct canonical names (S4-LegS is not S4D-LegS, a 19-unit LSTM is not a 64-unit
LSTM): two printed names of one table never share a canonical name unless they are the same model.
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
# Liquid-S4 means its PB kernel, the one used in every experiment of the paper (Section S2: "In
# all experiments, we choose our simplified PB kernel over the KB kernel").
_add("Liquid-S4", "LNN", "Liquid S4", "Liquid-S4 (ours)", "Liquid-S4-PB")
_add("Liquid-S4-KB", "LNN")
_add("LrcSSM", "LNN", "LrcSSM (ours)", "Liquid-resistance liquid-capacitance SSM")
# --- recurrent networks ---
_add("RNN", "RNN", "Vanilla RNN", "Elman RNN")
_add("LSTM", "RNN", "Long short-term memory")
_add("GRU", "RNN", "Gated recurrent unit")
_add("CT-RNN", "RNN", "CTRNN", "Continuous-time RNN")
_add("CT-GRU", "RNN", "CTGRU")
_add("CT-LSTM", "RNN", "CTLSTM")
_add("ODE-RNN", "RNN", "ODERNN")
_add("GRU-ODE", "RNN", "GRUODE")
_add("GRU-ODE-Bayes", "RNN", "GRUODEBayes")
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
_add("S4", "other", "S4 (original)")
_add("S4-LegS", "other")
_add("S4-FouT", "other")
_add("S4-LegS/FouT", "other", "S4-(LegS/FouT)")
_add("S4D", "other")
_add("S4D-LegS", "other")
_add("S4D-Inv", "other")
_add("S4D-Lin", "other")
_add("DSS", "other", "Diagonal state spaces")
_add("S5", "other")
_add("S6", "other")
_add("Mamba", "other")
_add("LRU", "other", "Linear recurrent unit")
_add("LinOSS-IMEX", "other", "LinOSS IMEX")
_add("LinOSS-IM", "other", "LinOSS IM")
_add("RFormer", "other", "Rough Transformer")
_add("MLP", "other")
_add("CNN", "other")
# encoder-decoder / latent-variable models and interpolation pipelines (see the docstring)
_add("Latent ODE", "other", "Latent-ODE")
_add("Latent-ODE-RNN", "other", "Latent ODE (D enc.)", "Latent ODE (RNN encoder)")
_add("Latent-ODE-ODE", "other", "Latent ODE (C enc.)", "Latent ODE (ODE encoder)")
_add("RNN-VAE", "other", "RNN VAE")
_add("IP-Nets", "other", "IPNet", "IP-Net", "Interpolation-prediction network")
_add("SeFT", "other")


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
    "computational_depth": "cost",
    "train_error": "error",
    "val_accuracy": "score",
}

#: Metrics whose canonical unit is percent (fractions are scaled by 100 on ingest).
PERCENT_METRICS = frozenset(
    {"accuracy", "val_accuracy", "error_rate", "crash_rate", "success_rate", "f1", "auc"}
)

#: Time units scaled to seconds on ingest.
TIME_SCALE = {"seconds": 1.0, "milliseconds": 1e-3, "minutes": 60.0, "hours": 3600.0}
