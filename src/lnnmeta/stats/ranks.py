"""Across-task rank tests of the rerun models (Demšar 2006; Benavoli et al. 2016, 2017).

For each *measure* the per-task mean over seeds of every model forms a task x model table,
oriented so that higher is better:

* ``"score"``: the metric on the in-distribution condition;
* each efficiency column of the RUNS schema (lower is better);
* ``"drop:<condition>"``: the loss from the in-distribution score under a shifted condition
  (lower is better).

Tasks lacking a model are dropped (complete blocks). On that table: Friedman's test
(Friedman 1937), mean ranks (1 = best) with the Nemenyi critical difference (Demšar 2006),
pairwise Wilcoxon signed-rank tests with Holm's correction (Benavoli et al. 2016 recommend these
over the mean-ranks post-hoc test), a critical-difference diagram (scikit-posthocs) and, for each
LNN-vs-RNN pair, the Bayesian signed-rank test (Benavoli et al. 2017, baycomp) with a region of
practical equivalence. For the Bayesian test each task's values are divided by the task's mean
absolute value over models, so ``rope`` is a *relative* difference (0.01 = 1%).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as sps

from lnnmeta.stats.multiple import holm_rows
from lnnmeta.stats.reruns import long_measures
from lnnmeta.stats.schemas import RANK_FRIEDMAN, RANK_MEANS, RANK_PAIRWISE, typed_frame

#: Posterior probability above which the Bayesian test declares a verdict (Benavoli et al. 2017).
#: A posterior probability, not the level of a test: it does not follow ``alpha``.
BAYES_THRESHOLD = 0.95


def min_p_signed_rank(n: int) -> float:
    """Smallest two-sided p of an exact Wilcoxon signed-rank test on ``n`` nonzero differences."""
    return 1.0 if n < 1 else min(1.0, 2.0 / 2.0**n)


@dataclass
class RankTests:
    """Tables (and diagrams) returned by :func:`rank_tests`."""

    friedman: pd.DataFrame
    mean_ranks: pd.DataFrame
    pairwise: pd.DataFrame
    figures: dict[str, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class _Table:
    measure: str
    scores: pd.DataFrame  # task x model, oriented (higher is better)
    scale: pd.Series  # per task: mean absolute raw value (for the relative Bayesian test)
    family: dict[str, str]
    dropped_tasks: int


def _measure_key(row_measure: str, condition: str) -> str | None:
    if row_measure == "value":
        return "score" if condition == "id" else None
    if row_measure == "drop":
        return f"drop:{condition}"
    return row_measure


def _tables(runs: pd.DataFrame) -> list[_Table]:
    long = long_measures(runs)
    if long.empty:
        return []
    keys = [_measure_key(m, c) for m, c in zip(long["measure"], long["condition"], strict=True)]
    long = long.assign(key=pd.Series(keys, index=long.index, dtype=object))
    long = long[long["key"].notna()]
    family = dict(zip(long["model"], long["family"], strict=False))
    id_scale = _task_scale(long[long["key"] == "score"])
    return [_table(str(k), sub, family, id_scale) for k, sub in long.groupby("key", sort=True)]


def _task_scale(sub: pd.DataFrame) -> pd.Series:
    means = sub.groupby(["task", "model"])["value"].mean()
    return means.abs().groupby(level="task").mean()


def _table(key: str, sub: pd.DataFrame, family: dict[str, str], id_scale: pd.Series) -> _Table:
    means = sub.groupby(["task", "model"])["value"].mean().unstack("model")
    hib = sub.groupby("task")["higher_is_better"].first().astype(bool)
    sign = np.where(hib.reindex(means.index).to_numpy(), 1.0, -1.0)
    scores = means.mul(sign, axis=0)
    complete = scores.dropna(axis=0, how="any")
    scale = id_scale if key.startswith("drop:") else _task_scale(sub)
    dropped = len(scores) - len(complete)
    return _Table(key, complete, scale.reindex(complete.index), family, dropped)


def nemenyi_cd(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference of mean ranks (Demšar 2006, eq. 5).

    Parameters
    ----------
    k : int
        Number of models.
    n : int
        Number of tasks (blocks).
    alpha : float
        Level.

    Returns
    -------
    float
        ``q_alpha sqrt(k (k + 1) / (6 n))`` with ``q_alpha`` the studentized range quantile
        divided by ``sqrt(2)``; NaN for ``k < 2`` or ``n < 1``.
    """
    if k < 2 or n < 1:
        return math.nan
    q = float(sps.studentized_range.ppf(1 - alpha, k, np.inf)) / math.sqrt(2)
    return q * math.sqrt(k * (k + 1) / (6 * n))


def _friedman(t: _Table, alpha: float) -> dict[str, Any]:
    n, k = t.scores.shape
    rec: dict[str, Any] = {"measure": t.measure, "n_tasks": n, "n_models": k}
    notes = [f"{t.dropped_tasks} task(s) without every model dropped"] if t.dropped_tasks else []
    if k < 3 or n < 2:
        notes.append("Friedman needs >= 3 models and >= 2 tasks")
        return {**rec, "note": "; ".join(notes)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sps.friedmanchisquare(*[t.scores[c].to_numpy(float) for c in t.scores.columns])
    if not np.isfinite(res.statistic):
        notes.append("all values tied within every task")
    rec.update(
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        cd_nemenyi=nemenyi_cd(k, n, alpha),
    )
    return {**rec, "note": "; ".join(notes) or None}


def _mean_ranks(t: _Table) -> pd.Series:
    # Rank 1 = best within each task, ties get the average rank (Demšar 2006).
    ranks = t.scores.apply(
        lambda r: pd.Series(sps.rankdata(-r.to_numpy(float)), index=r.index), axis=1
    )
    return ranks.mean(axis=0).sort_values()


def _wilcoxon(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[float, float, str | None]:
    d = x - y
    if len(d) < 2:
        return math.nan, math.nan, "fewer than 2 tasks"
    if np.all(d == 0):
        return math.nan, 1.0, "identical on every task"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sps.wilcoxon(x, y)  # Wilcoxon 1945, two-sided
    n = int(np.count_nonzero(d))  # zero differences are dropped (Wilcoxon's zero_method)
    min_p = min_p_signed_rank(n)
    note = (
        f"{n} task(s): the smallest possible p is {min_p:.3g} >= {alpha:g}"
        if min_p >= alpha
        else None
    )
    return float(res.statistic), float(res.pvalue), note


def _bayes(x: np.ndarray, y: np.ndarray, rope: float, n_samples: int, seed: int) -> dict[str, Any]:
    from baycomp import SignedRankTest

    if len(x) < 2:
        return {}
    probs = SignedRankTest.probs(x, y, rope=rope, nsamples=n_samples, random_state=seed)
    p_a, p_rope, p_b = (probs[0], probs[1], probs[2]) if rope > 0 else (probs[0], 0.0, probs[1])
    verdict = "inconclusive"
    for name, p in (("a better", p_a), ("equivalent", p_rope), ("b better", p_b)):
        if p > BAYES_THRESHOLD:
            verdict = name
    return {
        "p_a_better": float(p_a),
        "p_rope": float(p_rope),
        "p_b_better": float(p_b),
        "bayes_verdict": verdict,
    }


def _pairwise(
    t: _Table, rope: float, n_samples: int, seed: int, alpha: float
) -> list[dict[str, Any]]:
    rows = []
    rel = t.scores.div(t.scale.replace(0, np.nan), axis=0)
    for a, b in combinations(list(t.scores.columns), 2):
        stat, p, note = _wilcoxon(t.scores[a].to_numpy(float), t.scores[b].to_numpy(float), alpha)
        fa, fb = t.family.get(a, "other"), t.family.get(b, "other")
        rec = {
            "measure": t.measure,
            "model_a": a,
            "model_b": b,
            "family_a": fa,
            "family_b": fb,
            "n_tasks": len(t.scores),
            "statistic": stat,
            "p_value": p,
            "note": note,
        }
        if {fa, fb} == {"LNN", "RNN"}:
            ok = rel[[a, b]].dropna()
            bay = _bayes(ok[a].to_numpy(float), ok[b].to_numpy(float), rope, n_samples, seed)
            rec.update(rope=rope, **bay)
        rows.append(rec)
    holm_rows(rows, alpha)  # Holm 1979 over the pairs of one measure
    return rows


def cd_diagram(
    mean_ranks: pd.Series,
    pairwise: pd.DataFrame,
    title: str = "",
    cd: float | None = None,
    colours: Mapping[str, str] | None = None,
    alpha: float = 0.05,
) -> Figure:
    """Critical-difference diagram (Demšar 2006) drawn with scikit-posthocs.

    Parameters
    ----------
    mean_ranks : pandas.Series
        Mean rank per model (index = model).
    pairwise : pandas.DataFrame
        RANK_PAIRWISE rows of one measure; models not separated by the Holm-adjusted Wilcoxon
        tests are joined by a bar.
    title : str
        Axes title.
    cd : float, optional
        Nemenyi critical difference, drawn as a reference bar in its own strip under the diagram
        (never over the rank axis and its tick labels).
    colours : mapping, optional
        Colour per model (the report's fixed model colours); default matplotlib's cycle.
    alpha : float
        Level at which a Holm-adjusted p separates two models (no bar joins them below it).

    Returns
    -------
    matplotlib.figure.Figure
        The diagram (an empty figure with a note when fewer than two models).
    """
    import scikit_posthocs as sp

    models = list(mean_ranks.index)
    cd_ok = cd if cd is not None and np.isfinite(cd) else None
    fig = Figure(figsize=(7, 0.6 + 0.2 * max(len(models), 2) + (0.45 if cd_ok else 0)))
    if len(models) < 2:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "fewer than two models", ha="center", va="center")
        ax.set_axis_off()
        return fig
    if cd_ok:
        ax, cd_ax = fig.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [0.2 * len(models) + 0.6, 0.45]}
        )
    else:
        ax, cd_ax = fig.add_subplot(), None
    sig = pd.DataFrame(1.0, index=models, columns=models)
    for _, r in pairwise.iterrows():
        p = r["p_holm"] if pd.notna(r["p_holm"]) else 1.0
        sig.loc[r["model_a"], r["model_b"]] = sig.loc[r["model_b"], r["model_a"]] = float(p)
    palette = {m: colours[str(m)] for m in models if str(m) in colours} if colours else None
    drawn = sp.critical_difference_diagram(
        mean_ranks,
        sig,
        alpha=alpha,
        ax=ax,
        color_palette=palette if palette and len(palette) == len(models) else None,
    )
    # scikit-posthocs draws each bar through its models in set order, which follows Python's string
    # hash (PYTHONHASHSEED): the same bar with other joins, other pixels. Left to right, every run.
    for bar in drawn.get("crossbars", []):
        for line in bar:
            xs = sorted(float(x) for x in line.get_xdata())
            line.set_data(xs, list(line.get_ydata())[: len(xs)])
    ax.set_title(title, pad=14)
    if cd_ax is not None and cd_ok is not None:
        # The reference bar starts at the best rank, in a strip of its own under the labels.
        lo = float(mean_ranks.min())
        cd_ax.plot([lo, lo + cd_ok], [0, 0], color="black", lw=1.5)
        hi = lo + cd_ok
        cd_ax.plot([lo, lo], [-0.15, 0.15], [hi, hi], [-0.15, 0.15], color="black")
        label = f"  critical difference (Nemenyi) = {cd_ok:.2g}"
        cd_ax.text(hi, 0, label, va="center", fontsize=8)
        cd_ax.set_ylim(-0.5, 0.5)
        cd_ax.set_axis_off()
    return fig


def _empty() -> RankTests:
    return RankTests(
        typed_frame([], RANK_FRIEDMAN), typed_frame([], RANK_MEANS), typed_frame([], RANK_PAIRWISE)
    )


def rank_tests(
    runs: pd.DataFrame,
    rope: float = 0.01,
    measures: list[str] | None = None,
    alpha: float = 0.05,
    n_samples: int = 20000,
    seed: int = 0,
    figures: bool = True,
) -> RankTests:
    """Friedman, mean ranks, pairwise Wilcoxon-Holm, CD diagrams and Bayesian signed-rank tests.

    Parameters
    ----------
    runs : pandas.DataFrame
        RUNS rows.
    rope : float
        Half-width of the region of practical equivalence of the Bayesian signed-rank test, as a
        relative difference (see the module docstring).
    measures : list of str, optional
        Subset of measures (``"score"``, efficiency column names, ``"drop:<condition>"``);
        default all.
    alpha : float
        Level of the Holm correction and of the Nemenyi critical difference.
    n_samples : int
        Posterior samples of the Bayesian test.
    seed : int
        Seed of the Bayesian test's sampler.
    figures : bool
        Whether to draw a critical-difference diagram per measure.

    Returns
    -------
    RankTests
        ``friedman`` (RANK_FRIEDMAN), ``mean_ranks`` (RANK_MEANS), ``pairwise``
        (RANK_PAIRWISE; ``a better`` means ``model_a`` is better) and ``figures`` (measure ->
        Figure). Degenerate inputs give rows with a ``note`` instead of an exception.
    """
    tables = [t for t in _tables(runs) if measures is None or t.measure in measures]
    if not tables:
        return _empty()
    fried, means, pairs, figs = [], [], [], {}
    for t in tables:
        fried.append(_friedman(t, alpha))
        ranks = _mean_ranks(t) if t.scores.size else pd.Series(dtype=float)
        means += [
            {
                "measure": t.measure,
                "model": m,
                "family": t.family.get(str(m), "other"),
                "mean_rank": float(r),
                "n_tasks": len(t.scores),
            }
            for m, r in ranks.items()
        ]
        prs = _pairwise(t, rope, n_samples, seed, alpha)
        pairs += prs
        if figures:
            cd = nemenyi_cd(len(ranks), len(t.scores), alpha)
            figs[t.measure] = cd_diagram(
                ranks, typed_frame(prs, RANK_PAIRWISE), t.measure, cd, alpha=alpha
            )
    return RankTests(
        typed_frame(fried, RANK_FRIEDMAN),
        typed_frame(means, RANK_MEANS),
        typed_frame(pairs, RANK_PAIRWISE),
        figs,
    )
