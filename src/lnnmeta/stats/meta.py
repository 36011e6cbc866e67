"""Random-effects meta-analysis of LNN-vs-RNN effects.

Dependence
    Within one comparison cluster (same paper, table, column, task, metric) many pairs share
    an LNN or an RNN row. Pooling them as independent would count each shared row several times.
    By default (``dependence="average"``) the pairs of a cluster are averaged into one effect per
    cluster and scale; the variance of the average uses the within-cluster covariance with
    correlation 1 for a pair with itself, 0.5 for two pairs sharing one row (the exact value for
    equal-variance comparisons sharing an arm; Gleser & Olkin 2009, Borenstein et al. 2009
    ch. 24-25) and 0 otherwise. ``dependence="best"`` instead keeps one pair per cluster: the best
    LNN against the best RNN. Clusters of one paper (different tasks) are treated as independent;
    :func:`leave_one_paper_out` shows how much any single paper drives the result.

Estimators
    REML via PyMARE (``VarianceBasedLikelihoodEstimator``), DerSimonian & Laird (1986) and
    Paule & Mandel (1982) via :func:`statsmodels.stats.meta_analysis.combine_effects`. Confidence
    intervals use the Knapp & Hartung (2003) adjustment with ``t_{k-1}``. The prediction interval
    follows metafor's ``predict()`` for ``test = "knha"`` models (:data:`PI_FORMULA`):
    ``mu +- t_{k-1} sqrt(tau2 + se_KH^2)``, the same quantile and standard error as the confidence
    interval, so it is never narrower than the CI. I2 is
    ``tau2 / (tau2 + s2)`` with the typical within-study variance ``s2`` (Higgins & Thompson
    2002), as metafor prints it; it is never negative.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from lnnmeta.stats.schemas import (
    LEAVE_ONE_OUT,
    LITERATURE_SENSITIVITY,
    META,
    SENSITIVITY_COPIES,
    typed_frame,
)

Method = Literal["REML", "DL", "PM"]
Copies = Literal["once", "all", "exclude"]

#: The prediction-interval formula, as stated in the report.
PI_FORMULA = "mu ± t_{k-1} · sqrt(tau² + SE_KH²) (metafor predict() for test = 'knha')"
Dependence = Literal["average", "best"]
FloatArray = npt.NDArray[np.float64]

#: Fewer pooled effects than this get a warning note.
MIN_K_TRUST = 5
_CLUSTER_KEYS = ["source", "evidence_paper", "cluster_id", "scale"]
_CLUSTER_FIRST = ["dimension", "metric_family", "task", "metric", "location", "paper_key"]


@dataclass(frozen=True)
class Pooled:
    """Result of one random-effects pooling (see :func:`random_effects`)."""

    method: str
    k: int
    estimate: float
    se: float
    se_wald: float
    ci_low: float
    ci_high: float
    p_value: float
    tau2: float
    i2: float
    q: float
    q_df: int | None
    q_p: float
    pi_low: float
    pi_high: float
    note: str | None


def prediction_interval(
    estimate: float,
    se: float,
    tau2: float,
    k: int,
    alpha: float = 0.05,
    dist: Literal["knha", "t", "z"] = "knha",
) -> tuple[float, float]:
    """Prediction interval for the effect in a new study.

    Parameters
    ----------
    estimate, se, tau2 : float
        Pooled estimate, its standard error (Knapp-Hartung for ``"knha"``, Wald otherwise) and
        the between-study variance.
    k : int
        Number of pooled effects.
    alpha : float
        1 - coverage.
    dist : {"knha", "t", "z"}
        ``"knha"`` (default): ``t_{k-1}`` quantile with the Knapp-Hartung SE, metafor's
        ``predict()`` for ``test = "knha"`` models (needs k >= 3 here, although metafor allows
        k = 2); ``"t"``: ``t_{k-2}`` (Higgins, Thompson & Spiegelhalter 2009; k >= 3);
        ``"z"``: normal quantile (metafor's default for ``test = "z"`` models).

    Returns
    -------
    tuple of float
        Lower and upper bound (NaN when undefined).
    """
    if not (np.isfinite(estimate) and np.isfinite(se) and np.isfinite(tau2)):
        return math.nan, math.nan
    if dist in ("t", "knha") and k < 3:
        return math.nan, math.nan
    df = {"t": k - 2, "knha": k - 1}.get(dist)
    crit = sps.t.ppf(1 - alpha / 2, df) if df is not None else sps.norm.ppf(1 - alpha / 2)
    half = float(crit) * math.sqrt(tau2 + se**2)
    return estimate - half, estimate + half


def i_squared(v: FloatArray, tau2: float) -> float:
    """I2 in percent as ``tau2 / (tau2 + s2)`` (Higgins & Thompson 2002), clipped to [0, 100].

    Parameters
    ----------
    v : numpy.ndarray
        Sampling variances.
    tau2 : float
        Between-study variance.

    Returns
    -------
    float
        I2 in percent; equals ``(Q - df) / Q`` for the DerSimonian-Laird tau2.
    """
    w = 1.0 / v
    k = len(v)
    denom = w.sum() ** 2 - (w**2).sum()
    if k < 2 or denom <= 0 or not np.isfinite(tau2):
        return math.nan
    s2 = (k - 1) * w.sum() / denom
    return float(np.clip(100.0 * tau2 / (tau2 + s2), 0.0, 100.0))


def _fit_statsmodels(
    y: FloatArray, v: FloatArray, method: str
) -> tuple[float, float, float, float]:
    # DerSimonian & Laird 1986 ("dl"); Paule & Mandel 1982 ("pm", statsmodels' "iterated").
    from statsmodels.stats.meta_analysis import combine_effects

    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = combine_effects(y, v, method_re="dl" if method == "DL" else "pm")
    tau2 = float(res.tau2)
    if tau2 >= 0:
        # Knapp & Hartung 2003 variance as computed by statsmodels.
        return float(res.mean_effect_re), tau2, float(np.sqrt(res.var_hksj_re)), float(res.q)
    # statsmodels 0.15 does not truncate the DL moment estimate at zero; DerSimonian & Laird
    # (1986) do, and then the model is the fixed-effect one (weights 1 / v).
    w = 1.0 / v
    est = float(np.sum(w * y) / np.sum(w))
    se_kh = float(np.sqrt(np.sum(w * (y - est) ** 2) / ((len(y) - 1) * np.sum(w))))
    return est, 0.0, se_kh, float(res.q)


def _fit_pymare(y: FloatArray, v: FloatArray) -> tuple[float, float, float, float]:
    # REML (Viechtbauer 2005) with the Knapp & Hartung (2003) standard error, via PyMARE.
    from pymare import Dataset
    from pymare.estimators import VarianceBasedLikelihoodEstimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est_ = VarianceBasedLikelihoodEstimator(method="REML").fit_dataset(Dataset(y=y, v=v))
        res = est_.summary()
        fe = res.get_fe_stats()
        q = res.get_heterogeneity_stats()["Q"]
    tau2 = float(np.asarray(res.tau2).ravel()[0])
    est = float(np.asarray(fe["est"]).ravel()[0])
    se_kh = float(np.asarray(fe["se"]).ravel()[0])
    return est, max(tau2, 0.0), se_kh, float(np.asarray(q).ravel()[0])


def _empty(method: str, k: int, note: str | None) -> dict[str, Any]:
    nan = math.nan
    return {
        "method": method,
        "k": k,
        "estimate": nan,
        "se": nan,
        "se_wald": nan,
        "ci_low": nan,
        "ci_high": nan,
        "p_value": nan,
        "tau2": nan,
        "i2": nan,
        "q": nan,
        "q_df": None,
        "q_p": nan,
        "pi_low": nan,
        "pi_high": nan,
        "note": note,
    }


def _single(y: FloatArray, v: FloatArray, method: str, alpha: float, note: str) -> Pooled:
    rec = _empty(method, len(y), note)
    if len(y) == 1:
        est, se = float(y[0]), float(math.sqrt(v[0]))
        z = float(sps.norm.ppf(1 - alpha / 2))
        rec.update(
            estimate=est,
            se=se,
            se_wald=se,
            ci_low=est - z * se,
            ci_high=est + z * se,
            p_value=float(2 * sps.norm.sf(abs(est / se))),
        )
    return Pooled(**rec)


def random_effects(
    effect: npt.ArrayLike, variance: npt.ArrayLike, method: Method = "REML", alpha: float = 0.05
) -> Pooled:
    """Pool effects with a random-effects model and a Knapp-Hartung confidence interval.

    Parameters
    ----------
    effect, variance : array_like
        Effects and sampling variances; pairs with a non-finite or non-positive variance are
        dropped.
    method : {"REML", "DL", "PM"}
        tau2 estimator: REML (PyMARE), DerSimonian & Laird 1986 or Paule & Mandel 1982
        (statsmodels).
    alpha : float
        1 - confidence level.

    Returns
    -------
    Pooled
        ``se`` is the Knapp-Hartung standard error behind ``ci_low``/``ci_high`` and
        ``p_value`` (``t_{k-1}``); ``se_wald`` the usual ``1 / sqrt(sum w)``.
    """
    y, v = np.asarray(effect, dtype=float), np.asarray(variance, dtype=float)
    ok = np.isfinite(y) & np.isfinite(v) & (v > 0)
    y, v = y[ok], v[ok]
    if len(y) < 2:
        msg = "no effect with a usable variance" if len(y) == 0 else "k = 1: nothing to pool"
        return _single(y, v, method, alpha, msg)
    fit = _fit_pymare(y, v) if method == "REML" else _fit_statsmodels(y, v, method)
    return _assemble(y, v, method, alpha, *fit)


def _assemble(
    y: FloatArray,
    v: FloatArray,
    method: str,
    alpha: float,
    est: float,
    tau2: float,
    se_kh: float,
    q: float,
) -> Pooled:
    k = len(y)
    rec = _empty(method, k, None)
    se_wald = float(1.0 / np.sqrt(np.sum(1.0 / (v + tau2))))
    ok = bool(np.isfinite(se_kh) and se_kh > 0)
    if ok:
        crit = float(sps.t.ppf(1 - alpha / 2, k - 1))
        rec.update(
            ci_low=est - crit * se_kh,
            ci_high=est + crit * se_kh,
            p_value=float(2 * sps.t.sf(abs(est / se_kh), k - 1)),
        )
    pi_lo, pi_hi = prediction_interval(est, se_kh if ok else se_wald, tau2, k, alpha, "knha")
    rec.update(
        estimate=est,
        se=se_kh,
        se_wald=se_wald,
        tau2=tau2,
        i2=i_squared(v, tau2),
        q=q,
        q_df=k - 1,
        q_p=float(sps.chi2.sf(q, k - 1)),
        pi_low=pi_lo,
        pi_high=pi_hi,
        note=_note(k, ok, se_kh, se_wald, y),
    )
    return Pooled(**rec)


def _note(k: int, se_ok: bool, se_kh: float, se_wald: float, y: FloatArray) -> str | None:
    notes = []
    if np.ptp(y) == 0:
        notes.append(
            "all pooled effects are identical (e.g. the same printed numbers): the interval and "
            "p-value describe rounding, not evidence"
        )
    elif se_ok and se_kh < se_wald:
        notes.append(
            "effects agree more closely than their sampling variances imply (Q < k - 1): the "
            "Knapp-Hartung SE is below the Wald SE, so the p-value is optimistic"
        )
    if k < MIN_K_TRUST:
        notes.append(f"k < {MIN_K_TRUST}: too few to trust the pooled estimate")
    if k < 3:
        notes.append("k < 3: no prediction interval")
    if not se_ok:
        notes.append("Knapp-Hartung standard error is zero (identical effects)")
    return "; ".join(notes) or None


def _pair_covariance(group: pd.DataFrame, rho: float) -> float:
    """Variance of the mean of a cluster's pairs (correlation ``rho`` when sharing a row)."""
    sd = np.sqrt(group["variance"].to_numpy(dtype=float))
    lnn = group["lnn_model"].to_numpy(dtype=object)
    rnn = group["rnn_model"].to_numpy(dtype=object)
    shares = (lnn[:, None] == lnn[None, :]).astype(float) + (rnn[:, None] == rnn[None, :])
    corr = np.where(shares >= 2, 1.0, np.where(shares == 1, rho, 0.0))
    m = len(sd)
    return float(sd @ corr @ sd / m**2)


def _oriented(values: pd.Series, hib: bool) -> pd.Series:
    return values if hib else -values


def _best_pair(group: pd.DataFrame) -> pd.DataFrame:
    """The best LNN against the best RNN; a tie of the two best values is a tie (effect 0).

    When several pairs share the best values (tied models), the one with the smallest
    ``|effect|`` is kept, and when the best values are equal the returned pair has effect 0 and
    no variance: a tie must never be read as a large g from another pair's spreads.
    """
    hib = bool(group["higher_is_better"].iloc[0])
    lnn = _oriented(group["lnn_value"], hib)
    rnn = _oriented(group["rnn_value"], hib)
    chosen = group[(lnn == lnn.max()) & (rnn == rnn.max())]
    order = chosen["effect"].abs().sort_values(kind="stable").index
    best: pd.DataFrame = chosen.loc[order[:1]].copy()
    if lnn.max() == rnn.max():
        best["effect"], best["variance"] = 0.0, math.nan
    return best


def _collapse(group: pd.DataFrame, dependence: Dependence, rho: float) -> dict[str, Any]:
    first = group.iloc[0]
    rec: dict[str, Any] = {k: first[k] for k in _CLUSTER_KEYS + _CLUSTER_FIRST}
    rec["copied"] = bool(group["copied"].any())
    rec["n_pairs"] = len(group)
    rec["direction"] = float(np.sign(np.sign(group["effect"]).mean()))
    if dependence == "best":
        best = _best_pair(group)
        rec["effect"], rec["variance"] = float(best["effect"].iloc[0]), best["variance"].iloc[0]
        rec["direction"] = float(np.sign(rec["effect"]))
        return rec
    with_var = group[np.isfinite(group["variance"].astype(float))]
    if with_var.empty:
        rec["effect"], rec["variance"] = float(group["effect"].mean()), math.nan
    else:
        rec["effect"] = float(with_var["effect"].mean())
        rec["variance"] = _pair_covariance(with_var, rho)
    return rec


def select_copies(effects: pd.DataFrame, copies: Copies) -> pd.DataFrame:
    """The pairs an analysis uses: copied numbers once, all as printed, or none."""
    from lnnmeta.stats.literature import count_copies_once

    if copies == "all" or effects.empty:
        return effects
    if copies == "exclude":
        return effects[~effects["copied"].astype(bool)]
    return count_copies_once(effects)


def cluster_effects(
    effects: pd.DataFrame, dependence: Dependence = "average", rho: float = 0.5
) -> pd.DataFrame:
    """Reduce pairs to one effect per comparison cluster and scale.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    dependence : {"average", "best"}
        Average the pairs (variance with correlation ``rho`` between pairs sharing a row) or keep
        the best-LNN-vs-best-RNN pair.
    rho : float
        Assumed correlation of two pairs that share one row.

    Returns
    -------
    pandas.DataFrame
        Columns ``source, evidence_paper, cluster_id, scale, dimension, metric_family, task,
        metric, location, paper_key, copied, n_pairs, direction, effect, variance``.
        ``direction`` is the sign of the majority of the pairs' directions (or of the best pair).
    """
    usable = effects[effects["effect"].notna()]
    cols = _CLUSTER_KEYS + _CLUSTER_FIRST + ["copied", "n_pairs", "direction", "effect", "variance"]
    if usable.empty:
        return pd.DataFrame(columns=cols)
    groups = usable.groupby(_CLUSTER_KEYS, sort=True, dropna=False)
    recs = [_collapse(g, dependence, rho) for _, g in groups]
    out = pd.DataFrame(recs, columns=cols)
    out["variance"] = out["variance"].astype(float)
    return out


def _scopes(clusters: pd.DataFrame, scopes: Sequence[str]) -> Iterable[tuple[str, pd.DataFrame]]:
    if "overall" in scopes:
        yield "overall", clusters
    if "paper" in scopes:
        for paper, sub in clusters.groupby("evidence_paper", sort=True):
            yield f"paper:{paper}", sub


#: Dimensions whose metrics measure different constructs (memory, time, parameters): pooled one
#: measure (metric) at a time, never across measures.
PER_MEASURE = ("efficiency",)


def _groupings(clusters: pd.DataFrame) -> Iterable[tuple[str, str, str, pd.DataFrame]]:
    """(dimension, metric family, measure, rows): never pools different constructs in one row."""
    for dim, sub in clusters.groupby("dimension", sort=True):
        if str(dim) in PER_MEASURE:
            for (fam, metric), msub in sub.groupby(["metric_family", "metric"], sort=True):
                yield str(dim), str(fam), str(metric), msub
            continue
        yield str(dim), "all", "all", sub
        for fam, fsub in sub.groupby("metric_family", sort=True):
            yield str(dim), str(fam), "all", fsub


def _pool_rows(
    clusters: pd.DataFrame, methods: Sequence[Method], alpha: float, meta: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for method in methods:
        res = random_effects(clusters["effect"], clusters["variance"], method, alpha)
        usable = clusters[np.isfinite(clusters["variance"]) & (clusters["variance"] > 0)]
        rec = {**meta, **asdict(res)}
        rec["n_pairs"] = int(usable["n_pairs"].sum())
        rec["n_papers"] = int(usable["evidence_paper"].nunique())
        rows.append(rec)
    return rows


def pool_effects(
    effects: pd.DataFrame,
    methods: Sequence[Method] = ("REML", "DL"),
    dependence: Dependence = "average",
    include_copied: bool = True,
    scopes: Sequence[str] = ("overall", "paper"),
    alpha: float = 0.05,
    copies: Copies = "once",
) -> pd.DataFrame:
    """Random-effects pooling per dimension and per metric family, per paper and overall.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows (literature and/or reruns; each ``source`` is pooled separately).
    methods : sequence of {"REML", "DL", "PM"}
        tau2 estimators, one output row each.
    dependence : {"average", "best"}
        How dependent pairs of a comparison cluster are reduced to one effect; see the module
        docstring.
    include_copied : bool
        If False, clusters containing a copied number are left out (same as
        ``copies="exclude"``).
    scopes : sequence of {"overall", "paper"}
        ``"overall"`` pools all papers; ``"paper"`` adds one scope ``"paper:<key>"`` per
        evidence paper.
    alpha : float
        1 - confidence level.
    copies : {"once", "all", "exclude"}
        ``"once"`` (main analysis): each copied number counts once
        (:func:`lnnmeta.stats.literature.count_copies_once`); ``"all"``: every pair as printed;
        ``"exclude"``: no pair with a copied number.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.META` rows. Only effects on the same ``scale`` (``smd`` for
        Hedges' g, ``log_ratio``) are pooled together; ``metric_family == "all"`` rows pool every
        family of the dimension. Effects without variance are not pooled (see
        :func:`lnnmeta.stats.bias.sign_test`). ``k`` counts clusters with a usable variance.

    Notes
    -----
    Dependence: the pairs of one comparison cluster (same paper, table, column, task, metric)
    share LNN or RNN rows. They are averaged into one effect per cluster before pooling, with
    the variance of the average computed from a correlation of 0.5 between pairs that share a
    row (Gleser & Olkin 2009); ``dependence="best"`` pools the best-vs-best pair instead. Pairs
    copied wholesale from another paper are attributed to that paper and counted once
    (:mod:`lnnmeta.stats.literature`).
    """
    chosen = select_copies(effects, "exclude" if not include_copied else copies)
    clusters = cluster_effects(chosen, dependence)
    clusters = clusters[clusters["scale"].isin(["smd", "log_ratio"])]
    rows: list[dict[str, Any]] = []
    for (source, scale), sub in clusters.groupby(["source", "scale"], sort=True):
        for scope, ssub in _scopes(sub, scopes):
            for dim, fam, measure, gsub in _groupings(ssub):
                meta = {
                    "source": source,
                    "scope": scope,
                    "dimension": dim,
                    "metric_family": fam,
                    "measure": measure,
                    "scale": scale,
                    "dependence": dependence,
                }
                rows.extend(_pool_rows(gsub, methods, alpha, meta))
    return typed_frame(rows, META)


def leave_one_paper_out(
    effects: pd.DataFrame,
    methods: Sequence[Method] = ("REML",),
    dependence: Dependence = "average",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Re-pool the overall estimates once without each evidence paper.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    methods : sequence of {"REML", "DL", "PM"}
        tau2 estimators.
    dependence : {"average", "best"}
        As in :func:`pool_effects`.
    alpha : float
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.LEAVE_ONE_OUT` rows: the ``overall`` rows of
        :func:`pool_effects` computed without paper ``left_out`` (scope ``"overall"``).
    """
    frames = []
    for paper in sorted(effects["evidence_paper"].dropna().unique()):
        rest = effects[effects["evidence_paper"] != paper]
        pooled = pool_effects(rest, methods, dependence, scopes=("overall",), alpha=alpha)
        frames.append(pooled.assign(left_out=str(paper)))
    if not frames:
        return typed_frame([], LEAVE_ONE_OUT)
    return typed_frame(pd.concat(frames, ignore_index=True), LEAVE_ONE_OUT)


def _outer(effects: pd.DataFrame) -> pd.Series:
    """Top level of the three-level model: the evidence paper (reported) or the task (reruns)."""
    return pd.Series(
        np.where(effects["source"] == "rerun", effects["task"], effects["evidence_paper"]),
        index=effects.index,
    ).astype(str)


def _multilevel_row(pairs: pd.DataFrame, alpha: float, rho: float) -> dict[str, Any]:
    from lnnmeta.stats.multilevel import (
        cr2_test,
        fit_multilevel,
        prediction_interval_multilevel,
        sampling_covariance,
    )

    v_all = pairs["variance"].to_numpy(dtype=float)
    ok = np.isfinite(pairs["effect"].to_numpy(dtype=float)) & np.isfinite(v_all) & (v_all > 0)
    usable = pairs[ok]
    rec = _empty("REML3", len(usable), None)
    rec["n_pairs"] = len(usable)
    rec["n_papers"] = int(usable["evidence_paper"].nunique())
    rec["n_invalid_variance"] = int((~ok).sum())
    if len(usable) < 3:
        rec["note"] = f"k = {len(usable)} < 3 pairs with a usable variance: not pooled"
        return rec
    outer = _outer(usable)
    inner = outer + "/" + usable["cluster_id"].astype(str)
    cov = sampling_covariance(
        usable["variance"], usable["cluster_id"], usable["lnn_model"], usable["rnn_model"], rho
    )
    y = usable["effect"].to_numpy(dtype=float)
    fit = fit_multilevel(y, cov, [outer.to_numpy(), inner.to_numpy()], alpha)
    rob = cr2_test(y, fit.marginal, outer.to_numpy(), alpha)
    robust_ok = bool(np.isfinite(rob.se) and rob.df > 0)
    pi_lo, pi_hi = prediction_interval_multilevel(
        fit, rob.se if robust_ok else fit.se, rob.df if robust_ok else None, alpha
    )
    notes = []
    if fit.n_groups[0] < 2:
        notes.append("one top-level cluster: no between-paper variance, no CR2 interval")
    elif rob.df < 4:
        notes.append(
            f"CR2 Satterthwaite df = {rob.df:.2g} < 4 (few papers): robust interval unreliable"
        )
    if np.ptp(y) == 0:
        notes.append("all pooled effects are identical: the interval describes rounding")
    if not fit.converged:
        notes.append("REML optimizer did not report convergence")
    rec.update(
        estimate=fit.estimate,
        se=fit.se,
        se_wald=fit.se,
        ci_low=fit.ci_low,
        ci_high=fit.ci_high,
        p_value=fit.p_value,
        tau2=float(sum(fit.sigma2)),
        pi_low=pi_lo,
        pi_high=pi_hi,
        sigma2_outer=fit.sigma2[0],
        sigma2_inner=fit.sigma2[1],
        n_outer=fit.n_groups[0],
        n_inner=fit.n_groups[1],
        se_robust=rob.se,
        df_robust=rob.df,
        ci_low_robust=rob.ci_low,
        ci_high_robust=rob.ci_high,
        p_robust=rob.p_value,
        note="; ".join(notes) or None,
    )
    return rec


def pool_multilevel(
    effects: pd.DataFrame,
    scopes: Sequence[str] = ("overall",),
    alpha: float = 0.05,
    copies: Copies = "once",
    rho: float = 0.5,
) -> pd.DataFrame:
    """Three-level REML pooling of pair effects (the primary literature estimate).

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows (each ``source`` and ``scale`` pooled separately).
    scopes : sequence of {"overall", "paper"}
        As in :func:`pool_effects`.
    alpha : float
        1 - confidence level.
    copies : {"once", "all", "exclude"}
        Treatment of copied numbers, as in :func:`pool_effects`.
    rho : float
        Correlation of the sampling errors of two pairs sharing a row.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.META` rows with ``method = "REML3"`` and ``dependence =
        "multilevel"``: pairs nested in comparisons nested in papers (tasks for reruns), fitted
        by :func:`lnnmeta.stats.multilevel.fit_multilevel`; ``ci_*`` model-based (normal),
        ``ci_*_robust`` CR2 with Satterthwaite df clustered by paper (task for reruns);
        ``tau2`` is the sum of the two variance components; the prediction interval uses the CR2
        SE and df when available (else the model's), so it is never narrower than that interval.
        ``n_invalid_variance`` counts pairs dropped for a zero, negative, NaN or infinite
        variance (or a non-finite effect).
    """
    chosen = select_copies(effects, copies)
    chosen = chosen[chosen["scale"].isin(["smd", "log_ratio"])]
    rows: list[dict[str, Any]] = []
    for (source, scale), sub in chosen.groupby(["source", "scale"], sort=True):
        for scope, ssub in _scopes(sub, scopes):
            for dim, fam, measure, gsub in _groupings(ssub):
                meta = {
                    "source": source,
                    "scope": scope,
                    "dimension": dim,
                    "metric_family": fam,
                    "measure": measure,
                    "scale": scale,
                    "dependence": "multilevel",
                }
                rows.append({**meta, **_multilevel_row(gsub, alpha, rho)})
    return typed_frame(rows, META)


#: Variants of :func:`copies_sensitivity` (the ``variant`` column), main analysis first: each
#: copied number once, every pair as printed, no copied numbers. Their wording is the report's
#: (lnnmeta.report.labels.COPY_VARIANT_LABELS).
COPY_VARIANTS: tuple[Copies, ...] = ("once", "all", "exclude")


def copies_sensitivity(effects: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The overall three-level pooling under each treatment of copied numbers.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.SENSITIVITY_COPIES` rows: ``variant`` (one of
        :data:`COPY_VARIANTS`) plus the META columns of :func:`pool_multilevel` (scope
        ``"overall"``).
    """
    frames = [
        pool_multilevel(effects, ("overall",), alpha, copies).assign(variant=copies)
        for copies in COPY_VARIANTS
    ]
    return typed_frame(pd.concat(frames, ignore_index=True), SENSITIVITY_COPIES)


def _first_pooled(rows: pd.DataFrame, prefix: str) -> dict[str, Any]:
    """``<prefix>_k``, ``_estimate``, ``_ci_low``, ``_ci_high`` of the first row (nulls if none)."""
    if rows.empty or pd.isna(rows["estimate"].iloc[0]):
        return {}
    r = rows.iloc[0]
    return {
        f"{prefix}_k": int(r["k"]),
        f"{prefix}_estimate": float(r["estimate"]),
        f"{prefix}_ci_low": float(r["ci_low"]),
        f"{prefix}_ci_high": float(r["ci_high"]),
    }


def literature_sensitivity(
    meta: pd.DataFrame, leave_one_out: pd.DataFrame, effects: pd.DataFrame, alpha: float = 0.05
) -> pd.DataFrame:
    """How the overall pooled literature estimate moves, per dimension and scale.

    For every overall ``reported`` pooling over all metric families with ``k > 0`` in ``meta``:
    the REML and DerSimonian-Laird estimates (comparison averages), REML again without copied
    numbers (:func:`pool_effects` with ``include_copied=False``), and the REML estimates of
    ``leave_one_out`` (one paper left out each): their range and how many intervals exclude 0.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.LITERATURE_SENSITIVITY` rows.
    """
    if meta.empty:
        return typed_frame([], LITERATURE_SENSITIVITY)
    base = meta[
        (meta["source"] == "reported")
        & (meta["scope"] == "overall")
        & (meta["metric_family"] == "all")
        & (meta["k"] > 0)
    ]
    lit = effects[effects["source"] == "reported"] if not effects.empty else effects
    no_copy = (
        pool_effects(lit, methods=("REML",), include_copied=False, scopes=("overall",), alpha=alpha)
        if not lit.empty
        else pd.DataFrame(columns=META.names)
    )
    no_copy = no_copy[no_copy["metric_family"] == "all"]
    loo = leave_one_out
    if not loo.empty:
        loo = loo[
            (loo["source"] == "reported")
            & (loo["metric_family"] == "all")
            & (loo["method"] == "REML")
            & loo["estimate"].notna()
        ]
    rows = []
    for (dim, scale), g in base.groupby(["dimension", "scale"], sort=True):
        row: dict[str, Any] = {"dimension": dim, "scale": scale}
        row |= _first_pooled(g[g["method"] == "REML"], "reml")
        row |= _first_pooled(g[g["method"] == "DL"], "dl")
        nc = no_copy[(no_copy["dimension"] == dim) & (no_copy["scale"] == scale)]
        row |= _first_pooled(nc, "no_copies")
        sel = loo[(loo["dimension"] == dim) & (loo["scale"] == scale)] if not loo.empty else loo
        excl = ((sel["ci_low"] > 0) | (sel["ci_high"] < 0)).sum() if not sel.empty else 0
        row |= {
            "loo_n": len(sel),
            "loo_min": float(sel["estimate"].min()) if not sel.empty else math.nan,
            "loo_max": float(sel["estimate"].max()) if not sel.empty else math.nan,
            "loo_excluding_zero": int(excl),
        }
        rows.append(row)
    return typed_frame(rows, LITERATURE_SENSITIVITY)
