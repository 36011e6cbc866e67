"""Rerun layer: summaries over seeds, per-task LNN-vs-RNN comparisons, rerun effect sizes.

Test choice (per comparison of two models' seeds)
    Welch's t-test (Welch 1947) unless the data rule it out, then Mann-Whitney U (Mann & Whitney
    1947). The rule: Mann-Whitney when either model has zero variance over its seeds (saturated
    or deterministic scores) or when a Shapiro-Wilk test (Shapiro & Wilk 1965, at a fixed 0.05:
    a rule for choosing the test, not the analysis ``alpha``) rejects normality for either
    model's seeds (n >= 3); Welch's t-test otherwise. Fewer than two seeds on a side: no test.
    All values identical on both sides: p = 1.

Probability of outperforming
    ``P(LNN > RNN)`` is estimated over all seed pairs (ties count 1/2), i.e. the Mann-Whitney
    ``U / (n m)``; its confidence interval is the percentile bootstrap that resamples each
    model's seeds (Bouthillier et al. 2021). Seeds are not paired across architectures. The
    interval describes the size of the difference only: with 3 seeds a percentile bootstrap
    interval excluding 0.5 happened for about 20 % of identical models, so it no longer decides
    significance. A comparison is ``significant`` when its two-sample test (above) rejects after
    Holm's (1979) correction across all comparisons returned (family-wise level ``alpha``), and
    ``meaningful`` when it is significant and the estimate lies beyond ``gamma`` (0.75) or
    ``1 - gamma`` (the threshold of Bouthillier et al. 2021).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from lnnmeta.measures import TRAINING_MEASURES
from lnnmeta.stats.literature import effects_from_pairs
from lnnmeta.stats.multiple import holm_rows
from lnnmeta.stats.schemas import (
    EFFECTS,
    RERUN_COMPARISONS,
    RERUN_COST_RATIOS,
    RERUN_COSTS,
    RERUN_SUMMARY,
    typed_frame,
)

FloatArray = npt.NDArray[np.float64]

#: Efficiency columns of the RUNS schema (lower is better for all) and their metric family
#: (the registry lnnmeta.measures).
EFFICIENCY: dict[str, str] = {n: m.dimension for n, m in TRAINING_MEASURES.items()}
_ID = ["task", "model", "family", "seed"]
_COND = ["condition", "condition_kind", "condition_level"]
_LONG = [*_ID, *_COND, "measure", "metric", "higher_is_better", "value"]
_SUMMARY_KEYS = ["task", "model", "family", *_COND, "measure", "metric", "higher_is_better"]


def oriented(values: npt.ArrayLike, higher_is_better: bool) -> FloatArray:
    """Return values so that higher is better (negated for lower-is-better measures).

    Parameters
    ----------
    values : array_like
        Raw values.
    higher_is_better : bool
        Orientation of the measure.

    Returns
    -------
    numpy.ndarray
        Oriented values.
    """
    arr = np.asarray(values, dtype=np.float64)
    return arr if higher_is_better else -arr


def _value_rows(runs: pd.DataFrame) -> pd.DataFrame:
    out = runs[[*_ID, *_COND, "metric", "higher_is_better", "value"]].copy()
    out["measure"] = "value"
    return out[_LONG]


def _efficiency_rows(runs: pd.DataFrame) -> pd.DataFrame:
    ident = runs[runs["condition"] == "id"].drop_duplicates(subset=_ID)
    frames = []
    for measure in EFFICIENCY:
        sub = ident[[*_ID, *_COND]].copy()
        sub["measure"] = measure
        sub["metric"] = measure
        sub["higher_is_better"] = not TRAINING_MEASURES[measure].lower_is_better
        sub["value"] = pd.to_numeric(ident[measure], errors="coerce").astype(float)
        frames.append(sub)
    return pd.concat(frames, ignore_index=True)[_LONG]


def _drop_rows(runs: pd.DataFrame) -> pd.DataFrame:
    """Generalization drop per seed: oriented(id score) - oriented(condition score)."""
    base = runs[runs["condition"] == "id"][[*_ID, "metric", "value"]]
    other = runs[runs["condition"] != "id"]
    merged = other.merge(base, on=[*_ID, "metric"], suffixes=("", "_id"))
    hib = merged["higher_is_better"].astype(bool)
    sign = np.where(hib, 1.0, -1.0)
    merged["value"] = sign * (merged["value_id"].astype(float) - merged["value"].astype(float))
    merged["measure"] = "drop"
    merged["higher_is_better"] = False
    return merged[_LONG]


def long_measures(runs: pd.DataFrame) -> pd.DataFrame:
    """Stack scores, efficiency measures and generalization drops into one long table.

    Parameters
    ----------
    runs : pandas.DataFrame
        RUNS rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``task, model, family, seed, condition, condition_kind, condition_level,
        measure, metric, higher_is_better, value``. ``measure`` is ``"value"`` (the metric, every
        condition), one of :data:`EFFICIENCY` (condition ``"id"``, lower is better) or ``"drop"``
        (non-``id`` conditions: the in-distribution score minus the condition's score, oriented so
        that a positive drop is a loss; lower is better).
    """
    if runs.empty:
        return pd.DataFrame(columns=_LONG)
    parts = [_value_rows(runs), _efficiency_rows(runs), _drop_rows(runs)]
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out


def _describe(values: FloatArray, alpha: float) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    n = len(finite)
    rec: dict[str, Any] = {"n": n, "note": None}
    if len(values) > n:
        rec["note"] = f"{len(values) - n} non-finite value(s) dropped"
    if n == 0:
        return rec
    rec["mean"] = float(finite.mean())
    if n < 2:
        rec["note"] = "; ".join(filter(None, [rec["note"], "n < 2: no spread"]))
        return rec
    sd = float(finite.std(ddof=1))
    sem = sd / math.sqrt(n)
    half = float(sps.t.ppf(1 - alpha / 2, n - 1)) * sem  # Student t interval
    return {
        **rec,
        "std": sd,
        "sem": sem,
        "ci_low": rec["mean"] - half,
        "ci_high": rec["mean"] + half,
    }


def summarize_long(long: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Mean, SD, n and t interval per group of a :func:`long_measures` table.

    Parameters
    ----------
    long : pandas.DataFrame
        Output of :func:`long_measures`.
    alpha : float
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.RERUN_SUMMARY` rows.
    """
    rows = []
    for keys, sub in long.groupby(_SUMMARY_KEYS, sort=True, dropna=False):
        rec = dict(zip(_SUMMARY_KEYS, keys, strict=True))
        desc = _describe(sub["value"].to_numpy(float), alpha)
        rows.append({**rec, **_clip(desc, str(rec["measure"]), str(rec["metric"]))})
    return typed_frame(rows, RERUN_SUMMARY)


#: The range a metric's values can take; t intervals of few seeds can leave it (accuracy 147 %).
METRIC_RANGE: dict[str, tuple[float, float]] = {"accuracy": (0.0, 100.0), "mse": (0.0, math.inf)}


def _clip(desc: dict[str, Any], measure: str, metric: str) -> dict[str, Any]:
    """Clip a t interval of a metric value (or of a cost, never negative) to its possible range."""
    lo_hi = METRIC_RANGE.get(metric) if measure == "value" else None
    if measure in EFFICIENCY:
        lo_hi = (0.0, math.inf)
    if lo_hi is None or "ci_low" not in desc:
        return desc
    lo, hi = max(desc["ci_low"], lo_hi[0]), min(desc["ci_high"], lo_hi[1])
    if (lo, hi) == (desc["ci_low"], desc["ci_high"]):
        return desc
    note = f"t interval clipped to the range of {metric if measure == 'value' else measure}"
    return {
        **desc,
        "ci_low": lo,
        "ci_high": hi,
        "note": "; ".join(filter(None, [desc["note"], note])),
    }


def rerun_summary(runs: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Summaries over seeds per task, model, condition and measure.

    Parameters
    ----------
    runs : pandas.DataFrame
        RUNS rows.
    alpha : float
        1 - confidence level of the Student t interval of the mean.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.RERUN_SUMMARY` rows; ``measure`` as in
        :func:`long_measures`.
    """
    return summarize_long(long_measures(runs), alpha)


@dataclass(frozen=True)
class TwoSample:
    """Outcome of :func:`two_sample_test`."""

    test: str
    reason: str
    statistic: float
    p_value: float


def _shapiro_rejects(x: FloatArray, alpha: float) -> bool:
    if len(x) < 3:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(sps.shapiro(x).pvalue < alpha)


def _choose(x: FloatArray, y: FloatArray, normality_alpha: float) -> tuple[str, str]:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return "mann_whitney", "zero variance on a side"
    if _shapiro_rejects(x, normality_alpha) or _shapiro_rejects(y, normality_alpha):
        return "mann_whitney", "Shapiro-Wilk rejects normality"
    return "welch", "no evidence against normality"


def two_sample_test(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    normality_alpha: float = 0.05,
    method: Literal["auto", "welch", "mann_whitney"] = "auto",
) -> TwoSample:
    """Welch's t-test or Mann-Whitney U, chosen by the rule in the module docstring.

    Parameters
    ----------
    a, b : array_like
        The two models' values over seeds (non-finite values are dropped).
    normality_alpha : float
        Level of the Shapiro-Wilk pre-test.
    method : {"auto", "welch", "mann_whitney"}
        ``"auto"`` applies the rule; the others force a test.

    Returns
    -------
    TwoSample
        Test name (``"welch"``, ``"mann_whitney"`` or ``"none"``), the reason for the choice,
        the statistic and the two-sided p-value.
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if min(len(x), len(y)) < 2:
        return TwoSample("none", "fewer than 2 values on a side", math.nan, math.nan)
    if np.ptp(np.concatenate([x, y])) == 0:
        return TwoSample("none", "all values identical", math.nan, 1.0)
    test, reason = _choose(x, y, normality_alpha) if method == "auto" else (method, "requested")
    if test == "welch":
        res = sps.ttest_ind(x, y, equal_var=False)  # Welch 1947
        return TwoSample("welch", reason, float(res.statistic), float(res.pvalue))
    res = sps.mannwhitneyu(x, y, alternative="two-sided")  # Mann & Whitney 1947
    return TwoSample("mann_whitney", reason, float(res.statistic), float(res.pvalue))


def _p_greater(a: FloatArray, b: FloatArray) -> FloatArray:
    diff = a[..., :, None] - b[..., None, :]
    return np.asarray(((diff > 0) + 0.5 * (diff == 0)).mean(axis=(-2, -1)), dtype=np.float64)


def prob_outperform(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    n_boot: int = 1000,
    alpha: float = 0.05,
    rng: np.random.Generator | None = None,
) -> tuple[float, float, float]:
    """``P(A > B)`` over seeds with a percentile bootstrap interval (Bouthillier et al. 2021).

    Parameters
    ----------
    a, b : array_like
        Oriented (higher is better) values of the two models over seeds.
    n_boot : int
        Bootstrap resamples (each model's seeds resampled independently).
    alpha : float
        1 - confidence level.
    rng : numpy.random.Generator, optional
        Random generator (default: seeded with 0).

    Returns
    -------
    tuple of float
        Estimate, lower and upper bound (NaN when a side is empty).
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if len(x) == 0 or len(y) == 0:
        return math.nan, math.nan, math.nan
    rng = rng if rng is not None else np.random.default_rng(0)
    est = float(_p_greater(x, y))
    boot = _p_greater(
        x[rng.integers(0, len(x), (n_boot, len(x)))], y[rng.integers(0, len(y), (n_boot, len(y)))]
    )
    lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    return est, float(lo), float(hi)


def _compare(
    meta: dict[str, Any],
    a: FloatArray,
    b: FloatArray,
    gamma: float,
    n_boot: int,
    rng: np.random.Generator,
    alpha: float,
) -> dict[str, Any]:
    p, lo, hi = prob_outperform(a, b, n_boot, alpha, rng)
    test = two_sample_test(a, b)
    fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
    mean_a = float(fa.mean()) if len(fa) else math.nan
    mean_b = float(fb.mean()) if len(fb) else math.nan
    return {
        **meta,
        "n_lnn": len(fa),
        "n_rnn": len(fb),
        "difference": mean_a - mean_b,
        "p_lnn_better": p,
        "p_ci_low": lo,
        "p_ci_high": hi,
        "test": test.test,
        "test_reason": test.reason,
        "statistic": test.statistic,
        "p_value": test.p_value,
        "note": None if test.test != "none" else test.reason,
    }


def _task_pairs(sub: pd.DataFrame) -> list[tuple[str, str, FloatArray, FloatArray]]:
    hib = bool(sub["higher_is_better"].iloc[0])
    by_model = {str(m): oriented(g["value"], hib) for m, g in sub.groupby("model", sort=True)}
    fam = sub.drop_duplicates("model").set_index("model")["family"]
    lnn = [m for m in by_model if fam[m] == "LNN"]
    rnn = [m for m in by_model if fam[m] == "RNN"]
    return [(a, b, by_model[a], by_model[b]) for a in lnn for b in rnn]


def rerun_comparisons(
    runs: pd.DataFrame,
    condition: str = "id",
    gamma: float = 0.75,
    n_boot: int = 1000,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Per task, each LNN model against each RNN model over seeds.

    Parameters
    ----------
    runs : pandas.DataFrame
        RUNS rows.
    condition : str
        Condition compared (default the in-distribution test, ``"id"``).
    gamma : float
        Threshold of a meaningful ``P(LNN > RNN)`` (Bouthillier et al. 2021).
    n_boot : int
        Bootstrap resamples for the interval of ``P(LNN > RNN)``.
    alpha : float
        Family-wise level of the Holm (1979) correction across all comparisons returned, and
        ``1 - alpha`` the level of the bootstrap interval of ``P(LNN > RNN)``.
    seed : int
        Seed of the bootstrap generator.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.RERUN_COMPARISONS` rows; ``difference`` is the oriented
        mean difference (positive = LNN better). See the module docstring for the test rule.
    """
    rng = np.random.default_rng(seed)
    sel = runs[runs["condition"] == condition]
    rows: list[dict[str, Any]] = []
    for (task, metric), sub in sel.groupby(["task", "metric"], sort=True):
        hib = bool(sub["higher_is_better"].iloc[0])
        for lnn, rnn, a, b in _task_pairs(sub):
            # a, b are oriented; orienting again gives the means back in metric units.
            meta = {
                "task": task,
                "metric": metric,
                "higher_is_better": hib,
                "lnn_model": lnn,
                "rnn_model": rnn,
                "mean_lnn": float(np.nanmean(oriented(a, hib))),
                "mean_rnn": float(np.nanmean(oriented(b, hib))),
            }
            rows.append(_compare(meta, a, b, gamma, n_boot, rng, alpha))
    holm_rows(rows, alpha)  # Holm 1979 across every comparison returned
    for r in rows:
        reject = r.get("reject_holm")
        r["significant"] = None if reject is None else bool(reject)
        p = r["p_lnn_better"]
        r["meaningful"] = None if reject is None else bool(reject and (p > gamma or p < 1 - gamma))
    return typed_frame(rows, RERUN_COMPARISONS)


def _effect_identity(summary: pd.DataFrame) -> pd.DataFrame:
    out = summary.copy()
    is_drop = out["measure"] == "drop"
    is_eff = out["measure"].isin(list(EFFICIENCY))
    out["dimension"] = np.where(
        is_drop, "generalization", np.where(is_eff, "efficiency", "accuracy")
    )
    out["metric_family"] = np.where(
        is_drop,
        out["condition_kind"].astype(str),
        np.where(is_eff, out["measure"].map(EFFICIENCY).astype(str), out["metric"].astype(str)),
    )
    out["metric"] = np.where(
        is_drop, "drop:" + out["condition"] + ":" + out["metric"], out["metric"]
    )
    keep = (out["measure"] != "value") | (out["condition"] == "id")
    return out[keep]


def _rerun_side(summary: pd.DataFrame) -> pd.DataFrame:
    """The rerun means as one side of a pair; ``all_positive`` opens the log-ratio scale.

    Drops under a shifted condition never take the log-ratio scale: a drop is a difference (zero or
    negative when a model does not degrade), so its ratio explodes near zero (a drop of 0.00005
    against 0.18 is a log ratio of 8.1), and choosing the scale by the sign of the drops would split
    the conditions by their outcome (every model degraded: log ratio; some did not: Hedges' g).
    Drops are compared on Hedges' g only.
    """
    side = summary.rename(columns={"mean": "value", "std": "sd", "sem": "se"})
    side["n"] = side["n"].astype(float)
    keys = ["task", "metric", "condition"]
    positive = (side["value"] > 0).astype(float)
    side["all_positive"] = (positive.groupby([side[k] for k in keys]).transform("min") == 1) & (
        side["dimension"] != "generalization"
    )
    return side


def rerun_effects(runs: pd.DataFrame) -> pd.DataFrame:
    """LNN-vs-RNN effect sizes from reruns, in the EFFECTS schema (``source = "rerun"``).

    Parameters
    ----------
    runs : pandas.DataFrame
        RUNS rows.

    Returns
    -------
    pandas.DataFrame
        One row per task x measure x (LNN, RNN) pair, from the means, SDs and seed counts of
        :func:`rerun_summary`: the in-distribution score (dimension ``accuracy``), the efficiency
        measures (``efficiency``) and the drops under each shifted condition
        (``generalization``). Same effect-size rules as the literature layer.
    """
    side = _rerun_side(_effect_identity(rerun_summary(runs)))
    keys = ["task", "metric", "condition"]
    cols = ["model", "value", "sd", "se", "n", "all_positive"]
    shared = ["dimension", "metric_family", "higher_is_better"]
    lnn = side.loc[side["family"] == "LNN", keys + shared + cols]
    rnn = side.loc[side["family"] == "RNN", keys + cols]
    pairs = lnn.merge(rnn, on=keys, suffixes=("_lnn", "_rnn"))
    if pairs.empty:
        return typed_frame([], EFFECTS)
    pairs = pairs.rename(columns={f"{c}_lnn": f"lnn_{c}" for c in cols})
    pairs = pairs.rename(columns={f"{c}_rnn": f"rnn_{c}" for c in cols})
    for col in ("paper_key", "evidence_paper", "location", "table_id"):
        pairs[col] = "rerun"
    pairs["copied"] = False
    pairs["column_id"] = pairs["condition"]
    pairs["cluster_id"] = "rerun|" + pairs["task"] + "|" + pairs["metric"]
    return effects_from_pairs(pairs, "rerun")


#: The memory measures whose LNN/RNN ratio :func:`rerun_cost_ratios` gives.
MEMORY_RATIO_MEASURES = ("peak_train_mem_bytes", "saved_for_backward_bytes", "n_params")


def rerun_costs(runs: pd.DataFrame) -> pd.DataFrame:
    """Medians of the training jobs' cost columns in distribution, per task and model and overall.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.RERUN_COSTS` rows: per task, model and measure the median over
        seeds; per model and measure (``task == "all"``) the median over tasks and seeds. ``n``
        counts the finite values behind each median.
    """
    ids = runs[runs["condition"] == "id"] if not runs.empty else runs
    if ids.empty:
        return typed_frame([], RERUN_COSTS)
    cols = list(EFFICIENCY)
    rows = []
    for keys, g in [
        *ids.groupby(["task", "model", "family"], sort=True),
        *(((("all", *k)), g) for k, g in ids.groupby(["model", "family"], sort=True)),
    ]:
        task, model, family = keys
        for col in cols:
            x = g[col].astype(float)
            x = x[np.isfinite(x)]
            rows.append(
                {
                    "task": task,
                    "model": model,
                    "family": family,
                    "measure": col,
                    "n": len(x),
                    "median": float(x.median()) if len(x) else math.nan,
                }
            )
    return typed_frame(rows, RERUN_COSTS)


def rerun_cost_ratios(runs: pd.DataFrame) -> pd.DataFrame:
    """Per memory measure: the median over tasks of LNN/RNN, the ratio of the family medians.

    The family median of a task is taken over its models and seeds in distribution; tasks where
    either family is missing, or the ratio is not finite, are left out (``n_tasks`` counts the
    others). Returns :data:`lnnmeta.stats.schemas.RERUN_COST_RATIOS` rows (none without both
    families).
    """
    if runs.empty:
        return typed_frame([], RERUN_COST_RATIOS)
    ids = runs[(runs["condition"] == "id") & runs["family"].isin(["LNN", "RNN"])]
    rows = []
    for col in MEMORY_RATIO_MEASURES:
        med = ids.groupby(["task", "family"])[col].median().unstack("family")
        if not {"LNN", "RNN"} <= set(med.columns):
            continue
        ratio = (med["LNN"] / med["RNN"]).replace([math.inf, -math.inf], math.nan).dropna()
        rows.append(
            {
                "measure": col,
                "n_tasks": len(ratio),
                "ratio": float(ratio.median()) if len(ratio) else math.nan,
            }
        )
    return typed_frame(rows, RERUN_COST_RATIOS)
