"""Readable column headers and cell formats for the report's tables.

Tables are built from the analysis tables, whose columns have machine names (``ci_low``,
``p_holm``). :func:`header` gives the printed header of a column and :func:`formatter` the
function that turns one of its cells into text (significant digits, bytes, seconds, p-values).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from lnnmeta.measures import TRAINING_MEASURES

Formatter = Callable[[Any], str]

HEADERS: dict[str, str] = {
    "source": "Source",
    "scope": "Scope",
    "dimension": "Dimension",
    "metric_family": "Metric family",
    "scale": "Scale",
    "method": "Method",
    "dependence": "Dependence",
    "k": "k",
    "n": "n",
    "n_pairs": "Pairs",
    "n_papers": "Papers",
    "estimate": "Estimate",
    "se": "SE",
    "ci": "95% CI",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "pi_low": "PI low",
    "pi_high": "PI high",
    "p_ci_low": "P: CI low",
    "p_ci_high": "P: CI high",
    "estimate [95% CI]": "Estimate [95% CI]",
    "pi": "95% prediction interval",
    "tau2": "τ²",
    "i2": "I²",
    "q": "Q",
    "q_df": "df",
    "q_p": "p (Q)",
    "note": "Note",
    "left_out": "Paper left out",
    "p_value": "p",
    "p_holm": "p (Holm)",
    "reject_holm": "Significant (Holm)",
    "task": "Task",
    "model": "Model",
    "family": "Family",
    "lnn_model": "LNN",
    "rnn_model": "RNN",
    "mean_lnn": "LNN mean",
    "mean_rnn": "RNN mean",
    "p_lnn_better": "P(LNN > RNN)",
    "p_ci": "95% CI of P",
    "test": "Test",
    "measure": "Measure",
    "n_tasks": "Tasks",
    "n_models": "Models",
    "statistic": "Statistic",
    "cd_nemenyi": "Critical difference (Nemenyi)",
    "mean_rank": "Mean rank",
    "model_a": "Model A",
    "model_b": "Model B",
    "p_a_better": "P(A better)",
    "p_rope": "P(equivalent)",
    "p_b_better": "P(B better)",
    "bayes_verdict": "Bayesian verdict",
    "subset": "Subset",
    "n_positive": "LNN better",
    "n_negative": "RNN better",
    "n_ties": "Ties",
    "prop_lnn_better": "Share LNN better",
    "intercept": "Intercept",
    "intercept_se": "SE (intercept)",
    "t": "t",
    "df": "df",
    "slope": "Slope",
    "stands_in_for": "Stands in for",
    "metric": "Metric",
    "higher_is_better": "Higher is better",
    # The training jobs' cost columns, labelled in their registry (timings there are marked as
    # measured under contention: diagnostics; the cost benchmark is lnnmeta.costs, measured alone).
    **{name: m.label for name, m in TRAINING_MEASURES.items()},
    "rerun_task": "Rerun task",
    "paper_task": "Paper task",
    "paper_key": "Paper",
    "location": "Location",
    "column_id": "Column",
    "reported_direction": "Reported direction",
    "reproduced_direction": "Reproduced direction",
    "agreement": "Agreement",
    "reported_value": "Reported",
    "reported_sd": "Reported SD",
    "reported_n": "Reported n",
    "reproduced_mean": "Reproduced mean",
    "reproduced_sd": "Reproduced SD",
    "reproduced_n": "Reproduced n",
    "verdict": "Verdict",
    "unit": "Unit",
    "unit_fixed_from": "Header said",
    "tables": "Tables",
    "numbers": "Numbers",
    "without_spread": "Without spread",
    "copied": "Copied",
    "unit_fixes": "Unit fixes",
    "lnn_rows": "LNN rows",
    "rnn_rows": "RNN rows",
    "other_rows": "Other rows",
    "conflicts": "Conflicts",
    "values": "Values",
    "papers": "Papers",
    "condition": "Condition",
    "condition_kind": "Condition kind",
    "condition_level": "Level",
    "mean": "Mean",
    "std": "SD",
    "item": "Item",
    "paper_a": "Paper A (location, column)",
    "value_a": "Value A",
    "paper_b": "Paper B (location, column)",
    "value_b": "Value B",
    "effects": "Effects (id in effects.csv)",
    "value": "Value",
}

#: Wording of the copied-number treatments in ``sensitivity_copies.variant``
#: (lnnmeta.stats.meta.COPY_VARIANTS).
COPY_VARIANT_LABELS: dict[str, str] = {
    "once": "each copied number once (main)",
    "all": "every pair as printed (with copies)",
    "exclude": "no copied numbers",
}

#: How each cost-benchmark backend (``backend`` of the cost tables, lnnmeta.costs.BACKENDS) is
#: named in the report's tables, figures and claim cards.
BACKEND_LABELS: dict[str, str] = {
    "ncps": "LNN as published in ncps",
    "fast": "LNN with an optimised kernel",
    "torch": "PyTorch (CT-RNN: this project's native scan)",
}

#: How a growth fit of the cost benchmark ended (``fit`` of lnnmeta.costs.COST_EXPONENTS).
FIT_LABELS: dict[str, str] = {
    "fitted": "",
    "no_interval": "no residual degree of freedom: no interval",
    "too_few_cells": "too few cells to fit",
}


def level_words(level: Any) -> str:
    """A confidence level (a fraction, 0.95) as printed: ``95%``."""
    return f"{100 * float(level):.4g}%"


def cost_interval_words(kind: str, level: Any = None, resamples: Any = None) -> str:
    """How a cost ratio's interval was obtained, in words (``interval_kind``, ``interval_level``
    and ``resamples`` of lnnmeta.costs.COST_COMPARISONS)."""
    if kind == "exact":
        return "exact (measured once)"
    if kind == "percentile_bootstrap":
        reps = "" if missing(resamples) else f" ({int(resamples)} resamples)"
        lvl = "" if missing(level) else f"{level_words(level)} "
        return f"{lvl}percentile bootstrap over rounds{reps}"
    raise ValueError(f"unknown interval kind {kind!r}; expected 'percentile_bootstrap' or 'exact'")


def fit_words(status: str, zero_cells: Any = 0) -> str:
    """What a cost growth fit left out or could not do, in words ("" when nothing)."""
    parts = [FIT_LABELS[status]] if FIT_LABELS[status] else []
    if not missing(zero_cells) and int(zero_cells) > 0:
        parts.insert(0, f"{int(zero_cells)} cell(s) with a median of 0 left out")
    return "; ".join(parts)


_BYTES = {name for name, m in TRAINING_MEASURES.items() if m.unit == "bytes"}
_SECONDS = {name for name, m in TRAINING_MEASURES.items() if m.unit == "s"}
_P = {"p_value", "p_holm", "q_p", "p"}
_PROB = {"p_lnn_better", "p_a_better", "p_rope", "p_b_better", "prop_lnn_better"}
_PERCENT = {"i2"}


def level_headers(level: str) -> dict[str, str]:
    """The headers that name the intervals' confidence level (``level``: ``95%``)."""
    return {
        "ci": f"{level} CI",
        "pi": f"{level} prediction interval",
        "p_ci": f"{level} CI of P",
        f"estimate [{level} CI]": f"Estimate [{level} CI]",
    }


def header(column: str) -> str:
    """The printed header of a column: from :data:`HEADERS`, else snake_case made readable."""
    if column in HEADERS:
        return HEADERS[column]
    if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", column):
        text = column.replace("_", " ")
        return text[0].upper() + text[1:]
    return column


def missing(x: Any) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return bool(isinstance(x, float | np.floating) and math.isnan(x))
    except TypeError:
        return False


def number(x: Any, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, without exponent between 0.001 and 10^6.

    Integers get thousands separators; booleans become yes/no; text is returned unchanged.
    """
    if missing(x):
        return ""
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, int | np.integer):
        return f"{int(x):,}"
    if not isinstance(x, float | np.floating):
        return str(x)
    v = float(x)
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    av = abs(v)
    if av == 0:
        return "0"
    if av >= 1e6 or av < 1e-3:
        return f"{v:.{max(digits - 1, 0)}e}"
    e = math.floor(math.log10(av))
    decimals = max(0, digits - 1 - e)
    text = f"{v:,.{decimals}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def p_value(x: Any) -> str:
    """A p-value: two significant digits, "< 0.001" below 0.001."""
    if missing(x):
        return ""
    v = float(x)
    return "< 0.001" if v < 0.001 else f"{v:.2g}"


def probability(x: Any) -> str:
    """A probability or a share, two decimals."""
    return "" if missing(x) else f"{float(x):.2f}"


def percent(x: Any) -> str:
    return "" if missing(x) else f"{float(x):.0f}%"


def nbytes(x: Any) -> str:
    """Bytes in B, kB, MB or GB (powers of 1000), three significant digits."""
    if missing(x):
        return ""
    v = float(x)
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(v) >= size:
            return f"{number(v / size)} {unit}"
    return f"{v:.0f} B"


def seconds(x: Any) -> str:
    """A duration in s, ms or µs, three significant digits."""
    if missing(x):
        return ""
    v = float(x)
    if abs(v) >= 1 or v == 0:
        return f"{number(v)} s"
    if abs(v) >= 1e-3:
        return f"{number(v * 1e3)} ms"
    return f"{number(v * 1e6)} µs"


def interval(lo: Any, hi: Any, digits: int = 3) -> str:
    """``[lo, hi]`` or an empty string when either end is missing."""
    if missing(lo) or missing(hi):
        return ""
    return f"[{number(float(lo), digits)}, {number(float(hi), digits)}]"


def formatter(column: str, digits: int = 3) -> Formatter:
    """The cell format of a column, chosen by its machine name."""
    if column in _BYTES:
        return nbytes
    if column in _SECONDS:
        return seconds
    if column in _P:
        return p_value
    if column in _PROB:
        return probability
    if column in _PERCENT:
        return percent
    return lambda x: number(x, digits)


def measure_label(measure: str) -> str:
    """A rank-test measure in words: ``drop:noise_0.3`` -> ``drop under noise 0.3``."""
    if measure.startswith("drop:"):
        cond = measure.split(":", 1)[1]
        kind, _, level = cond.partition("_")
        return f"drop under {kind} {level}".strip()
    if measure == "score":
        return "test score"
    return HEADERS.get(measure, measure).lower()
