"""The primary rerun comparison: the LNN family against the RNN family, across tasks.

Tasks measure different things (accuracy in %, MSE on standardized targets), so raw differences
cannot be compared across tasks. Per task and measure the models are ranked (1 = best, ties get
the average rank, Demšar 2006) and the ranks normalised to [0, 1] (0 = best); the task's effect is

    d_t = mean normalised rank of the RNN models - mean normalised rank of the LNN models,

positive when the LNN models rank better. Across tasks: a two-sided Wilcoxon signed-rank test of
the d_t (exact for small n; Wilcoxon 1945), Holm's correction over the measures (Holm 1979). One
test per measure keeps the primary comparison to a few tests; the full pairwise table
(:mod:`lnnmeta.stats.ranks`) is secondary.

What the design can decide:

* ``min_p``: the smallest two-sided p an exact signed-rank test on ``n`` tasks can give,
  ``2 / 2**n`` (all differences of one sign); ``p_reachable`` is ``min_p < alpha``. With 5 tasks
  it is 0.0625: no result could be significant.
* ``tasks_needed``: tasks for 80% power at the observed standardized effect ``dz = mean(d) / sd(d)``:
  the paired t-test's sample size (statsmodels ``TTestPower``) divided by the signed-rank test's
  asymptotic relative efficiency 3/pi (Lehmann 1975), and at least the smallest n with
  ``min_p < alpha``.
* ``seeds_needed``: seeds per task for 80% power of the same contrast within a task: per seed, the
  mean oriented score of the LNN models minus that of the RNN models; its ``dz`` over seeds gives a
  one-sample t-test sample size per task; the median over tasks is reported.

Tasks where no run beat its sanity baseline (``learned`` false for every run; lnnmeta.sanity)
carry no information about the models and are left out, with a count.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from lnnmeta.stats.multiple import holm_rows
from lnnmeta.stats.ranks import _Table, _tables, min_p_signed_rank
from lnnmeta.stats.reruns import long_measures
from lnnmeta.stats.schemas import RANK_FAMILY, typed_frame

#: Asymptotic relative efficiency of the signed-rank test to the t-test under normality (3/pi).
ARE_SIGNED_RANK = 3.0 / math.pi


def smallest_design(alpha: float) -> int:
    """The fewest tasks for which an exact signed-rank test can reach ``p < alpha``."""
    n = 1
    while min_p_signed_rank(n) >= alpha:
        n += 1
    return n


def _t_sample_size(dz: float, alpha: float, power: float, n_min: int) -> float:
    """Smallest n >= n_min at which a one-sample (paired) two-sided t-test has ``power`` at
    effect ``dz`` (statsmodels ``TTestPower``); NaN when dz is 0 or undefined, n_min when infinite."""
    from statsmodels.stats.power import TTestPower

    if np.isnan(dz) or dz == 0:
        return math.nan
    if abs(dz) >= 50:  # also identical per-task differences (sd ~ 1e-17): power ~ 1 at any n
        return float(n_min)
    tp = TTestPower()
    n = n_min
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while n < 100_000:
            if float(tp.power(effect_size=abs(dz), nobs=n, alpha=alpha)) >= power:
                return float(n)
            n = n + 1 if n < 1000 else int(n * 1.01) + 1
    return math.inf


def tasks_needed(dz: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Tasks for ``power`` at standardized effect ``dz`` with the signed-rank test (NaN if dz = 0)."""
    n_t = _t_sample_size(dz, alpha, power, 2)
    if not np.isfinite(n_t):
        return n_t  # NaN: no effect; inf: more than 100,000
    return float(max(math.ceil(n_t / ARE_SIGNED_RANK), smallest_design(alpha)))


def seeds_needed(dz: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Seeds for ``power`` of a one-sample t-test of a per-seed contrast at effect ``dz``."""
    n = _t_sample_size(dz, alpha, power, 2)
    return float(math.ceil(n)) if np.isfinite(n) else n


def learned_tasks(runs: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``runs`` without the tasks where no run was learned, and those tasks' names."""
    if "learned" not in runs.columns or runs.empty:
        return runs, []
    ident = runs[runs["condition"] == "id"]
    any_learned = ident.groupby("task")["learned"].any()
    dead = sorted(str(t) for t in any_learned.index[~any_learned.to_numpy(bool)])
    return runs[~runs["task"].isin(dead)], dead


def _dz(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return math.nan
    sd = float(x.std(ddof=1))
    if sd == 0:
        return math.inf if float(x.mean()) != 0 else math.nan
    return float(x.mean()) / sd


def _seed_effects(long: pd.DataFrame, t: _Table, lnn: list[str], rnn: list[str]) -> list[float]:
    """Per task: dz over seeds of (mean LNN oriented value - mean RNN oriented value)."""
    out = []
    for task in t.scores.index:
        sub = long[long["task"] == task]
        if sub.empty:
            continue
        sign = 1.0 if bool(sub["higher_is_better"].iloc[0]) else -1.0
        by = sub.groupby(["seed", "model"])["value"].mean().unstack("model") * sign
        if not set(lnn) <= set(by.columns) or not set(rnn) <= set(by.columns):
            continue
        out.append(_dz((by[lnn].mean(axis=1) - by[rnn].mean(axis=1)).to_numpy(float)))
    return out


def _measure_rows(long: pd.DataFrame, key: str) -> pd.DataFrame:
    if key == "score":
        return long[(long["measure"] == "value") & (long["condition"] == "id")]
    if key.startswith("drop:"):
        cond = key.split(":", 1)[1]
        return long[(long["measure"] == "drop") & (long["condition"] == cond)].assign(
            higher_is_better=False
        )
    return long[long["measure"] == key].assign(higher_is_better=False)


def _one(
    t: _Table, long: pd.DataFrame, dead: list[str], alpha: float, power: float
) -> dict[str, Any] | None:
    lnn = [m for m in t.scores.columns if t.family.get(str(m)) == "LNN"]
    rnn = [m for m in t.scores.columns if t.family.get(str(m)) == "RNN"]
    if not lnn or not rnn:
        return None
    n = len(t.scores)
    rec: dict[str, Any] = {
        "measure": t.measure,
        "n_tasks": n,
        "n_lnn": len(lnn),
        "n_rnn": len(rnn),
        "tasks_left_out": len(dead) + t.dropped_tasks,
        "min_p": min_p_signed_rank(n),
        "p_reachable": min_p_signed_rank(n) < alpha,
        "seeds": int(long["seed"].nunique()) if not long.empty else 0,
    }
    notes = []
    if dead:
        notes.append(f"left out (no run beat its sanity baseline): {', '.join(dead)}")
    if t.dropped_tasks:
        notes.append(f"{t.dropped_tasks} task(s) without every model left out")
    if n == 0:
        return {**rec, "lnn_better_tasks": 0, "rnn_better_tasks": 0, "note": "; ".join(notes)}
    ranks = t.scores.rank(axis=1, ascending=False, method="average")
    k = ranks.shape[1]
    norm = (ranks - 1.0) / max(k - 1, 1)
    d = (norm[rnn].mean(axis=1) - norm[lnn].mean(axis=1)).to_numpy(float)
    rec.update(
        mean_difference=float(d.mean()),
        median_difference=float(np.median(d)),
        lnn_better_tasks=int((d > 0).sum()),
        rnn_better_tasks=int((d < 0).sum()),
        effect_dz=_dz(d),
    )
    if n >= 2 and np.any(d != 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sps.wilcoxon(d)  # two-sided; exact for small n without ties
        rec.update(statistic=float(res.statistic), p_value=float(res.pvalue))
    elif n >= 2:
        rec.update(p_value=1.0)
        notes.append("the families rank equally on every task")
    rec["tasks_needed"] = tasks_needed(rec["effect_dz"], alpha, power)
    seed_dz = _seed_effects(_measure_rows(long, t.measure), t, lnn, rnn)
    finite = [x for x in seed_dz if not np.isnan(x) and x != 0]
    if finite:
        rec["seed_effect_dz"] = float(np.median(np.abs(finite)))
        rec["seeds_needed"] = float(np.median([seeds_needed(x, alpha, power) for x in finite]))
    if not rec["p_reachable"]:
        notes.append(
            f"{n} task(s): the smallest possible p is {rec['min_p']:.3g} >= {alpha:g}; "
            f"at least {smallest_design(alpha)} tasks are needed for any significant result"
        )
    return {**rec, "note": "; ".join(notes) or None}


def family_tests(
    runs: pd.DataFrame,
    alpha: float = 0.05,
    power: float = 0.8,
    measures: list[str] | None = None,
) -> pd.DataFrame:
    """LNN family vs RNN family per measure (see the module docstring); a RANK_FAMILY table.

    Parameters
    ----------
    runs : pandas.DataFrame
        RUNS_ALL rows (a ``learned`` column is used when present).
    alpha : float
        Level of the tests, of Holm's correction and of the power analysis.
    power : float
        Target power of the sample-size estimates.
    measures : list of str, optional
        Measures (``"score"``, ``"drop:<condition>"``, efficiency columns); default all.
    """
    kept, dead = learned_tasks(runs)
    long = long_measures(kept)
    rows = []
    for t in _tables(kept):
        if measures is not None and t.measure not in measures:
            continue
        rec = _one(t, long, dead, alpha, power)
        if rec is not None:
            rows.append(rec)
    for r in rows:
        r.setdefault("p_value", math.nan)
    holm_rows(rows, alpha)  # Holm 1979 over the measures
    return typed_frame(rows, RANK_FAMILY)
