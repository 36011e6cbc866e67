"""Multilevel (three-level) random-effects meta-analysis and cluster-robust CR2 inference.

Model
    ``y = mu + u_paper + u_comparison + e``: effects (LNN-vs-RNN pairs) nested in comparisons
    (a table column of one task and metric) nested in papers, with one variance component per
    level (Konstantopoulos 2011; Cheung 2014) and the sampling covariance ``V`` of ``e`` known.
    The marginal covariance is ``M = V + sum_l sigma2_l Z_l Z_l'`` with ``Z_l`` the indicator
    matrix of level ``l``. This is metafor's ``rma.mv(yi, V, random = ~ 1 | paper/comparison)``.

Estimation
    The variance components maximise the restricted (REML) log-likelihood (Harville 1977;
    Viechtbauer 2005)::

        l_R = -(k - p)/2 log(2 pi) + 1/2 log|X'X| - 1/2 log|M| - 1/2 log|X'M^-1X| - 1/2 r'M^-1 r

    (metafor's ``REMLf = TRUE`` form, so the log-likelihood itself matches ``logLik()``), by
    L-BFGS-B over ``sigma2_l >= 0`` from several starting points. ``mu`` is the generalised least
    squares estimate with the model-based standard error ``sqrt((X'M^-1X)^-1)`` and a normal
    interval (metafor's default ``test = "z"``).

Cluster-robust inference (CR2)
    The bias-reduced linearisation estimator of Bell & McCaffrey (2002) as generalised by
    Tipton (2015) and Pustejovsky & Tipton (2018) and implemented in clubSandwich
    (``vcovCR(type = "CR2")``; metafor ``robust(..., clubSandwich = TRUE)``): with working model
    ``Phi = M`` and weights ``W = M^-1``, cluster ``j``'s residuals are adjusted by
    ``A_j = D_j' B_j^{-1/2} D_j``, ``D_j`` the upper Cholesky factor of ``Phi_j`` and
    ``B_j = D_j (Phi_j - X_j (X'WX)^-1 X_j') D_j'``. The test of ``mu`` uses the Satterthwaite
    degrees of freedom of Pustejovsky & Tipton (2018, eq. 11) under the working model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import linalg, optimize
from scipy import stats as sps

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MultilevelFit:
    """Result of :func:`fit_multilevel` (intercept-only model)."""

    k: int
    n_groups: tuple[int, ...]
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    sigma2: tuple[float, ...]
    loglik: float
    converged: bool
    marginal: FloatArray


@dataclass(frozen=True)
class RobustTest:
    """Cluster-robust (CR2) test of the intercept: see :func:`cr2_test`."""

    n_clusters: int
    se: float
    df: float
    ci_low: float
    ci_high: float
    p_value: float


def _indicators(groups: Sequence[npt.ArrayLike]) -> list[FloatArray]:
    out = []
    for g in groups:
        labels = np.asarray(g, dtype=object)
        _, codes = np.unique(labels.astype(str), return_inverse=True)
        z = np.zeros((len(labels), int(codes.max()) + 1 if len(codes) else 0))
        z[np.arange(len(labels)), codes] = 1.0
        out.append(z)
    return out


def _sampling(v: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(v, dtype=np.float64)
    return np.diag(arr) if arr.ndim == 1 else arr


def _reml(
    s2: FloatArray, y: FloatArray, x: FloatArray, v0: FloatArray, zz: list[FloatArray]
) -> tuple[float, float, float]:
    """Restricted log-likelihood, GLS estimate and its variance for variance components ``s2``."""
    m = v0 + sum(s * z for s, z in zip(s2, zz, strict=True))
    try:
        c = linalg.cho_factor(m, lower=True)
    except linalg.LinAlgError:
        return -math.inf, math.nan, math.nan
    mi_x = linalg.cho_solve(c, x[:, 0])
    xtmx = float(x[:, 0] @ mi_x)
    beta = float(mi_x @ y) / xtmx
    r = y - x[:, 0] * beta
    quad = float(r @ linalg.cho_solve(c, r))
    logdet = 2.0 * float(np.sum(np.log(np.diag(c[0]))))
    k, p = len(y), 1
    ll = (
        -0.5 * (k - p) * math.log(2 * math.pi)
        + 0.5 * math.log(float(x[:, 0] @ x[:, 0]))
        - 0.5 * logdet
        - 0.5 * math.log(xtmx)
        - 0.5 * quad
    )
    return ll, beta, 1.0 / xtmx


def fit_multilevel(
    effect: npt.ArrayLike,
    sampling: npt.ArrayLike,
    groups: Sequence[npt.ArrayLike],
    alpha: float = 0.05,
) -> MultilevelFit:
    """Fit ``y = mu + sum_l u_l + e`` by REML (see the module docstring).

    Parameters
    ----------
    effect : array_like
        Effects (finite).
    sampling : array_like
        Sampling variances (vector) or the full sampling covariance matrix.
    groups : sequence of array_like
        One label array per random level, outermost first. For effects nested in comparisons
        nested in papers pass ``[paper, paper + "/" + comparison]`` (metafor's
        ``~ 1 | paper/comparison``).
    alpha : float
        1 - confidence level of the normal interval.

    Returns
    -------
    MultilevelFit
        Estimate, model-based SE, normal CI and p-value, variance components (outermost
        first), the restricted log-likelihood and the fitted marginal covariance.
    """
    y = np.asarray(effect, dtype=np.float64)
    v0 = _sampling(sampling)
    zs = _indicators(groups)
    zz = [z @ z.T for z in zs]
    x = np.ones((len(y), 1))

    def neg(s2: FloatArray) -> float:
        ll = _reml(np.asarray(s2), y, x, v0, zz)[0]
        return -ll if math.isfinite(ll) else 1e300

    spread = float(np.var(y)) if len(y) > 1 else 1.0
    starts = [np.full(len(zz), spread / max(len(zz), 1) * f) for f in (1.0, 0.1, 0.01)]
    starts.append(np.zeros(len(zz)))
    best = None
    for s0 in starts:
        res = optimize.minimize(
            neg,
            s0,
            method="L-BFGS-B",
            bounds=[(0.0, None)] * len(zz),
            options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 2000},
        )
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    s2 = np.maximum(np.asarray(best.x, dtype=np.float64), 0.0)
    ll, est, var = _reml(s2, y, x, v0, zz)
    se = math.sqrt(var)
    z = float(sps.norm.ppf(1 - alpha / 2))
    marginal = v0 + sum(s * m for s, m in zip(s2, zz, strict=True))
    return MultilevelFit(
        k=len(y),
        n_groups=tuple(z_.shape[1] for z_ in zs),
        estimate=est,
        se=se,
        ci_low=est - z * se,
        ci_high=est + z * se,
        p_value=float(2 * sps.norm.sf(abs(est / se))) if se > 0 else math.nan,
        sigma2=tuple(float(s) for s in s2),
        loglik=ll,
        converged=bool(best.success),
        marginal=np.asarray(marginal, dtype=np.float64),
    )


def _inv_sqrt(b: FloatArray) -> FloatArray:
    w, u = np.linalg.eigh((b + b.T) / 2)
    w = np.where(w > 1e-12 * max(float(w.max()), 1e-300), w, np.inf)
    return np.asarray((u / np.sqrt(w)) @ u.T, dtype=np.float64)


def cr2_test(
    effect: npt.ArrayLike,
    marginal: npt.ArrayLike,
    cluster: npt.ArrayLike,
    alpha: float = 0.05,
) -> RobustTest:
    """CR2 cluster-robust standard error and Satterthwaite t-test of the GLS intercept.

    Parameters
    ----------
    effect : array_like
        Effects.
    marginal : array_like
        The fitted marginal covariance ``M`` (working model and inverse weights), e.g.
        :attr:`MultilevelFit.marginal`, or a vector of marginal variances.
    cluster : array_like
        Cluster labels (e.g. the paper).
    alpha : float
        1 - confidence level.

    Returns
    -------
    RobustTest
        NaN SE and df when there are fewer than two clusters.
    """
    y = np.asarray(effect, dtype=np.float64)
    phi = _sampling(marginal)
    labels = np.asarray(cluster, dtype=object).astype(str)
    names = list(dict.fromkeys(labels))
    if len(names) < 2:
        nan = math.nan
        return RobustTest(len(names), nan, nan, nan, nan, nan)
    w = np.linalg.inv(phi)
    x = np.ones((len(y), 1))
    bread = 1.0 / float(x[:, 0] @ w @ x[:, 0])
    beta = bread * float(x[:, 0] @ w @ y)
    e = y - beta
    ih = np.eye(len(y)) - bread * (x @ x.T @ w)  # I - H
    meat = 0.0
    ps = []
    for name in names:
        j = np.flatnonzero(labels == name)
        phi_j = phi[np.ix_(j, j)]
        d = np.linalg.cholesky(phi_j).T  # upper: phi_j = d' d (R's chol())
        b = d @ (phi_j - bread * (x[j] @ x[j].T)) @ d.T
        a = d.T @ _inv_sqrt(b) @ d
        wx = w[np.ix_(j, j)] @ x[j, 0]  # W_j X_j (block-diagonal working model)
        meat += (bread * float(wx @ a @ e[j])) ** 2  # (M X_j' W_j A_j e_j)^2
        ps.append(ih[j].T @ (a @ wx) * bread)  # p_j = (I - H)_j' A_j W_j X_j M
    se = math.sqrt(meat)
    pmat = np.column_stack(ps)  # k x J
    gram = pmat.T @ phi @ pmat  # J x J
    df = float(np.trace(gram) ** 2 / np.sum(gram**2))
    crit = float(sps.t.ppf(1 - alpha / 2, df))
    return RobustTest(
        n_clusters=len(names),
        se=se,
        df=df,
        ci_low=beta - crit * se,
        ci_high=beta + crit * se,
        p_value=float(2 * sps.t.sf(abs(beta / se), df)) if se > 0 else math.nan,
    )


#: Assumed correlation of the sampling errors of two pairs that share one row (an LNN or an RNN
#: arm): 0.5 is exact for equal-variance mean differences sharing an arm (Gleser & Olkin 2009).
SHARED_ROW_RHO = 0.5


def sampling_covariance(
    variance: npt.ArrayLike,
    cluster: npt.ArrayLike,
    lnn_model: npt.ArrayLike,
    rnn_model: npt.ArrayLike,
    rho: float = SHARED_ROW_RHO,
) -> FloatArray:
    """Sampling covariance of pair effects: ``rho sqrt(v_i v_j)`` for pairs sharing a row.

    Parameters
    ----------
    variance : array_like
        Sampling variances of the pairs.
    cluster : array_like
        Comparison cluster of each pair (rows are shared only within a cluster).
    lnn_model, rnn_model : array_like
        The pair's two rows.
    rho : float
        Correlation of two pairs that share exactly one row.

    Returns
    -------
    numpy.ndarray
        ``k x k`` covariance matrix (block diagonal by cluster).

    Notes
    -----
    A fully crossed cluster (every LNN against every RNN) with ``rho = 0.5`` has a singular
    correlation matrix (only ``m + n - 1`` of its ``m n`` differences are independent); Hedges'
    g values do not satisfy those linear constraints exactly, and a singular working covariance
    would give them unbounded weight. Each cluster's correlation matrix is therefore made
    positive definite by raising its eigenvalues to at least :data:`MIN_EIGEN` and rescaling
    to a unit diagonal (the "clipped" working model; CR2 inference protects against its
    misspecification, Pustejovsky & Tipton 2022).
    """
    sd = np.sqrt(np.asarray(variance, dtype=np.float64))
    cl = np.asarray(cluster, dtype=object).astype(str)
    lnn = np.asarray(lnn_model, dtype=object).astype(str)
    rnn = np.asarray(rnn_model, dtype=object).astype(str)
    same = cl[:, None] == cl[None, :]
    share = same & ((lnn[:, None] == lnn[None, :]) | (rnn[:, None] == rnn[None, :]))
    corr = np.where(share, rho, 0.0)
    np.fill_diagonal(corr, 1.0)
    for name in np.unique(cl):
        j = np.flatnonzero(cl == name)
        if len(j) > 1:
            corr[np.ix_(j, j)] = _clip_correlation(corr[np.ix_(j, j)])
    return np.asarray(corr * np.outer(sd, sd), dtype=np.float64)


#: Smallest eigenvalue of a cluster's working correlation matrix.
MIN_EIGEN = 0.1


def _clip_correlation(corr: FloatArray) -> FloatArray:
    w, u = np.linalg.eigh(corr)
    if w.min() >= MIN_EIGEN:
        return corr
    fixed = (u * np.maximum(w, MIN_EIGEN)) @ u.T
    d = np.sqrt(np.diag(fixed))
    return np.asarray(fixed / np.outer(d, d), dtype=np.float64)


def prediction_interval_multilevel(
    fit: MultilevelFit, se: float, df: float | None, alpha: float = 0.05
) -> tuple[float, float]:
    """Prediction interval ``mu +- q sqrt(sum(sigma2) + se^2)`` (metafor ``predict.rma.mv``).

    ``q`` is the normal quantile when ``df`` is None (metafor's default ``test = "z"``), else
    ``t_df`` (the same distribution as the interval of ``mu``, as metafor does after
    ``robust()``), so the prediction interval is never narrower than the confidence interval.
    """
    if not (math.isfinite(se) and all(math.isfinite(s) for s in fit.sigma2)):
        return math.nan, math.nan
    if df is not None and not (math.isfinite(df) and df > 0):
        return math.nan, math.nan
    q = float(sps.norm.ppf(1 - alpha / 2)) if df is None else float(sps.t.ppf(1 - alpha / 2, df))
    half = q * math.sqrt(sum(fit.sigma2) + se**2)
    return fit.estimate - half, fit.estimate + half
