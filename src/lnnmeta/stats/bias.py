"""Vote counting, the binomial sign test and Egger's regression test.

Egger's test on standardised mean differences
    The sampling variance of Hedges' g contains ``g^2`` itself, so the classical Egger
    regression of ``g / se`` on ``1 / se`` is biased towards asymmetry when effects are large
    (Pustejovsky & Rodgers 2019 measured inflated type-I error; our null simulation, see
    :func:`egger_null_rate`, rejects 34-77 % at true g of 1-3). For the ``smd`` scale the test
    therefore uses the modified standard error ``sqrt(1/n1 + 1/n2)``, which does not depend on
    g, as the precision in the regression (Pustejovsky & Rodgers 2019). Egger's test is run on
    the literature only: reruns are not selected for publication.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from lnnmeta.measures import TRAINING_MEASURES
from lnnmeta.stats.meta import Dependence, _best_pair, cluster_effects, select_copies
from lnnmeta.stats.schemas import EGGER, SIGN_TEST, typed_frame

#: Egger's test is only run with at least this many effects (Sterne et al. 2011).
MIN_K_EGGER = 10


def _direction(group: pd.DataFrame, dependence: Dependence) -> dict[str, Any]:
    first = group.iloc[0]
    if dependence == "best":
        sign = float(np.sign(_best_pair(group)["effect"].iloc[0]))
    else:
        sign = float(np.sign(np.sign(group["effect"]).mean()))
    has_var = bool(np.isfinite(group["variance"].astype(float)).any())
    keys = ["source", "evidence_paper", "dimension", "metric_family"]
    return {**{k: first[k] for k in keys}, "sign": sign, "has_variance": has_var}


def cluster_directions(effects: pd.DataFrame, dependence: Dependence = "average") -> pd.DataFrame:
    """One direction per comparison cluster.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    dependence : {"average", "best"}
        ``"average"``: the sign of the majority of the cluster's pair directions (0 on a tie);
        ``"best"``: the direction of best LNN vs best RNN.

    Returns
    -------
    pandas.DataFrame
        Columns ``source, evidence_paper, dimension, metric_family, sign, has_variance``.
    """
    usable = effects[effects["effect"].notna()]
    cols = ["source", "evidence_paper", "dimension", "metric_family", "sign", "has_variance"]
    if usable.empty:
        return pd.DataFrame(columns=cols)
    groups = usable.groupby(["source", "evidence_paper", "cluster_id"], sort=True)
    return pd.DataFrame([_direction(g, dependence) for _, g in groups], columns=cols)


def min_p_sign_test(n: int) -> float:
    """Smallest two-sided p of an exact binomial sign test on ``n`` untied comparisons (``2 / 2**n``)."""
    return 1.0 if n < 1 else min(1.0, 2.0 / 2.0**n)


def _binomial(signs: pd.Series, meta: dict[str, Any], alpha: float) -> dict[str, Any]:
    pos, neg = int((signs > 0).sum()), int((signs < 0).sum())
    rec = {**meta, "n_positive": pos, "n_negative": neg, "n_ties": int((signs == 0).sum())}
    rec["n"] = pos + neg
    if pos + neg == 0:
        return {**rec, "note": "no untied comparison"}
    # Binomial sign test, ties dropped (Dixon & Mood 1946); Clopper-Pearson (1934) interval.
    res = sps.binomtest(pos, pos + neg, 0.5)
    ci = res.proportion_ci(confidence_level=1 - alpha, method="exact")
    min_p = min_p_sign_test(pos + neg)
    note = (
        f"{pos + neg} comparison(s): the smallest possible p is {min_p:.3g} >= {alpha:g}"
        if min_p >= alpha
        else None
    )
    return {
        **rec,
        "prop_lnn_better": pos / (pos + neg),
        "ci_low": ci.low,
        "ci_high": ci.high,
        "p_value": res.pvalue,
        "note": note,
    }


def _sign_groups(dirs: pd.DataFrame) -> Iterable[tuple[dict[str, Any], pd.Series]]:
    for (source, dim), sub in dirs.groupby(["source", "dimension"], sort=True):
        subsets = {"no_spread": sub[~sub["has_variance"].astype(bool)], "all": sub}
        for subset, ssub in subsets.items():
            yield (
                {"source": source, "dimension": dim, "metric_family": "all", "subset": subset},
                ssub["sign"],
            )
            for fam, fsub in ssub.groupby("metric_family", sort=True):
                yield (
                    {"source": source, "dimension": dim, "metric_family": fam, "subset": subset},
                    fsub["sign"],
                )


def sign_test(
    effects: pd.DataFrame, dependence: Dependence = "average", alpha: float = 0.05
) -> pd.DataFrame:
    """Binomial sign test on the direction of LNN-vs-RNN comparisons.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    dependence : {"average", "best"}
        How a comparison cluster's pairs are reduced to one direction (see
        :func:`cluster_directions`); the unit of the test is the cluster, not the pair.
    alpha : float
        ``1 - alpha`` is the level of the Clopper-Pearson interval of ``prop_lnn_better``; the
        note says when no p below ``alpha`` is reachable with so few comparisons.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.SIGN_TEST` rows (``scope == "overall"``).
        ``subset == "no_spread"``: clusters whose pairs have no usable variance (the primary
        test for that evidence); ``subset == "all"``: every cluster (vote counting, a
        sensitivity analysis only: it ignores effect sizes and precision, Hedges & Olkin 1985
        ch. 4).
    """
    dirs = cluster_directions(effects, dependence)
    rows = [
        _binomial(signs, {**meta, "scope": "overall", "dependence": dependence}, alpha)
        for meta, signs in _sign_groups(dirs)
    ]
    return typed_frame(rows, SIGN_TEST)


def egger_regression(
    effect: np.ndarray, variance: np.ndarray, predictor_se: np.ndarray | None = None
) -> dict[str, Any]:
    """Egger's regression test (Egger et al. 1997).

    Ordinary least squares of the standard normal deviate ``y / se`` on the precision ``1 / se``;
    the intercept measures funnel-plot asymmetry and is tested with ``t_{k-2}``. Equivalent to
    metafor's ``regtest(model = "lm")``.

    Parameters
    ----------
    effect, variance : numpy.ndarray
        Effects and sampling variances (all finite, variances > 0).
    predictor_se : numpy.ndarray, optional
        Standard errors to use instead of ``sqrt(variance)`` (the modified SE
        ``sqrt(1/n1 + 1/n2)`` for SMDs, Pustejovsky & Rodgers 2019).

    Returns
    -------
    dict
        ``k, intercept, intercept_se, t, df, p_value, slope``.
    """
    from statsmodels.regression.linear_model import OLS

    se = np.sqrt(variance) if predictor_se is None else np.asarray(predictor_se, dtype=float)
    exog = np.column_stack([np.ones_like(se), 1.0 / se])
    fit = OLS(effect / se, exog).fit()
    return {
        "k": len(effect),
        "intercept": float(fit.params[0]),
        "intercept_se": float(fit.bse[0]),
        "t": float(fit.tvalues[0]),
        "df": int(fit.df_resid),
        "p_value": float(fit.pvalues[0]),
        "slope": float(fit.params[1]),
    }


def egger_test(
    effects: pd.DataFrame, dependence: Dependence = "average", min_k: int = MIN_K_EGGER
) -> pd.DataFrame:
    """Egger's test per source, dimension and scale on the cluster-level effects.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    dependence : {"average", "best"}
        As in :func:`lnnmeta.stats.meta.pool_effects`.
    min_k : int
        The test is only run when at least ``min_k`` effects with variance are available
        (default 10; Sterne et al. 2011); otherwise the row says so.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.EGGER` rows (``metric_family == "all"``), reported
        effects only; ``predictor`` says which standard error was used (see the module
        docstring).
    """
    # Each copied number once, as in the pooled estimate the funnel is centred on.
    reported = select_copies(effects[effects["source"] == "reported"], "once")
    clusters = cluster_effects(reported, dependence)
    clusters = clusters[clusters["scale"].isin(["smd", "log_ratio"])]
    mod_se = _modified_se(reported)
    rows = []
    for (source, dim, scale), sub in clusters.groupby(["source", "dimension", "scale"]):
        ok = sub[np.isfinite(sub["variance"]) & (sub["variance"] > 0)]
        pred = None
        if scale == "smd":
            pred = ok["cluster_id"].map(mod_se).to_numpy(dtype=float)
            ok = ok[np.isfinite(pred)]
            pred = pred[np.isfinite(pred)]
        meta = {
            "source": source,
            "dimension": dim,
            "metric_family": "all",
            "scale": scale,
            "dependence": dependence,
            "k": len(ok),
            "predictor": "modified_se" if scale == "smd" else "se",
        }
        if len(ok) < min_k:
            rows.append({**meta, "note": f"k = {len(ok)} < {min_k}: Egger's test not run"})
            continue
        if pred is not None and np.ptp(pred) == 0:
            rows.append(
                {
                    **meta,
                    "note": "every comparison has the same run counts: the modified-SE "
                    "Egger test has no precision to regress on (not testable)",
                }
            )
            continue
        res = egger_regression(ok["effect"].to_numpy(float), ok["variance"].to_numpy(float), pred)
        rows.append({**meta, **res, "note": None})
    return typed_frame(rows, EGGER)


def _modified_se(effects: pd.DataFrame) -> pd.Series:
    """Per cluster ``sqrt(mean(1/n1 + 1/n2))`` over its pairs (Pustejovsky & Rodgers 2019)."""
    if effects.empty:
        return pd.Series(dtype=float)
    n1 = pd.to_numeric(effects["lnn_n"], errors="coerce").astype(float)
    n2 = pd.to_numeric(effects["rnn_n"], errors="coerce").astype(float)
    w = 1.0 / n1 + 1.0 / n2
    mean: pd.Series = w.groupby(effects["cluster_id"]).mean()
    return mean.pow(0.5)


def egger_null_rate(
    true_g: float,
    replications: int = 400,
    k: int = 15,
    n_range: tuple[int, int] = (3, 10),
    alpha: float = 0.05,
    modified: bool = True,
    seed: int = 0,
) -> float:
    """Rejection rate of Egger's test on unbiased (no publication bias) SMD meta-analyses.

    Each replication draws ``k`` two-group studies with ``n`` runs per group (uniform in
    ``n_range``), true standardised difference ``true_g`` and no heterogeneity, computes
    Hedges' g and its variance (:func:`lnnmeta.stats.effect_sizes.hedges_g`) and runs
    :func:`egger_regression` with the modified SE (``modified=True``) or the classical SE.

    Returns
    -------
    float
        Share of replications with ``p < alpha`` (should be near ``alpha``).
    """
    from lnnmeta.stats.effect_sizes import hedges_g

    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(replications):
        n1 = rng.integers(n_range[0], n_range[1] + 1, k)
        n2 = rng.integers(n_range[0], n_range[1] + 1, k)
        a = [rng.normal(true_g, 1.0, n) for n in n1]
        b = [rng.normal(0.0, 1.0, n) for n in n2]
        g, v = hedges_g(
            [x.mean() for x in a],
            [x.std(ddof=1) for x in a],
            n1,
            [x.mean() for x in b],
            [x.std(ddof=1) for x in b],
            n2,
        )
        pred = np.sqrt(1 / n1 + 1 / n2) if modified else None
        hits += int(egger_regression(g, v, pred)["p_value"] < alpha)
    return hits / replications


#: Metrics that measure memory or model size (papers: parameter, neuron and synapse counts;
#: reruns: parameters, bytes of the model, peak training memory, activations saved for backward).
MEMORY_METRICS = tuple(
    dict.fromkeys(
        [
            "n_params",
            "n_neurons",
            "n_synapses",
            # the rerun table's memory and parameter columns (the registry lnnmeta.measures)
            *(n for n, m in TRAINING_MEASURES.items() if m.dimension != "time"),
        ]
    )
)


def memory_sign_test(effects: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The sign test of :func:`sign_test` on the comparisons of :data:`MEMORY_METRICS`, per source.

    Size and memory counts have no spread, so they are counted, not pooled. Per source, the
    ``subset == "all"`` row over every metric family (``metric_family == "all"``) where the test
    has one, else its per-family ``all`` rows.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.SIGN_TEST` rows.
    """
    frames = []
    if not effects.empty:
        for source in sorted(effects["source"].unique()):
            sel = effects[
                (effects["source"] == source) & effects["metric"].isin(list(MEMORY_METRICS))
            ]
            if sel.empty:
                continue
            st = sign_test(sel, alpha=alpha)
            row = st[(st["subset"] == "all") & (st["metric_family"] == "all")]
            frames.append(row if not row.empty else st[st["subset"] == "all"])
    if not frames:
        return typed_frame([], SIGN_TEST)
    return typed_frame(pd.concat(frames, ignore_index=True), SIGN_TEST)
