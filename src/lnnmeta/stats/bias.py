"""Vote counting, the binomial sign test and Egger's regression test."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from lnnmeta.stats.meta import Dependence, _best_pair, cluster_effects
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


def _binomial(signs: pd.Series, meta: dict[str, Any]) -> dict[str, Any]:
    pos, neg = int((signs > 0).sum()), int((signs < 0).sum())
    rec = {**meta, "n_positive": pos, "n_negative": neg, "n_ties": int((signs == 0).sum())}
    rec["n"] = pos + neg
    if pos + neg == 0:
        return {**rec, "note": "no untied comparison"}
    # Binomial sign test, ties dropped (Dixon & Mood 1946); Clopper-Pearson interval.
    res = sps.binomtest(pos, pos + neg, 0.5)
    ci = res.proportion_ci(confidence_level=0.95, method="exact")
    note = "fewer than 6 comparisons: p < 0.05 is unreachable" if pos + neg < 6 else None
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


def sign_test(effects: pd.DataFrame, dependence: Dependence = "average") -> pd.DataFrame:
    """Binomial sign test on the direction of LNN-vs-RNN comparisons.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    dependence : {"average", "best"}
        How a comparison cluster's pairs are reduced to one direction (see
        :func:`cluster_directions`); the unit of the test is the cluster, not the pair.

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
        _binomial(signs, {**meta, "scope": "overall", "dependence": dependence})
        for meta, signs in _sign_groups(dirs)
    ]
    return typed_frame(rows, SIGN_TEST)


def egger_regression(effect: np.ndarray, variance: np.ndarray) -> dict[str, Any]:
    """Egger's regression test (Egger et al. 1997).

    Ordinary least squares of the standard normal deviate ``y / se`` on the precision ``1 / se``;
    the intercept measures funnel-plot asymmetry and is tested with ``t_{k-2}``. Equivalent to
    metafor's ``regtest(model = "lm")``.

    Parameters
    ----------
    effect, variance : numpy.ndarray
        Effects and sampling variances (all finite, variances > 0).

    Returns
    -------
    dict
        ``k, intercept, intercept_se, t, df, p_value, slope``.
    """
    from statsmodels.regression.linear_model import OLS

    se = np.sqrt(variance)
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
        :data:`lnnmeta.stats.schemas.EGGER` rows (``metric_family == "all"``).
    """
    clusters = cluster_effects(effects, dependence)
    clusters = clusters[clusters["scale"].isin(["smd", "log_ratio"])]
    rows = []
    for (source, dim, scale), sub in clusters.groupby(["source", "dimension", "scale"]):
        ok = sub[np.isfinite(sub["variance"]) & (sub["variance"] > 0)]
        meta = {
            "source": source,
            "dimension": dim,
            "metric_family": "all",
            "scale": scale,
            "dependence": dependence,
            "k": len(ok),
        }
        if len(ok) < min_k:
            rows.append({**meta, "note": f"k = {len(ok)} < {min_k}: Egger's test not run"})
            continue
        res = egger_regression(ok["effect"].to_numpy(float), ok["variance"].to_numpy(float))
        rows.append({**meta, **res, "note": None})
    return typed_frame(rows, EGGER)
