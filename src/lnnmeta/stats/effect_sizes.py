"""Effect sizes for one LNN-vs-RNN comparison, signed so that positive means "LNN better".

Rules (applied per pair, vectorised over arrays):

* lower-is-better metric with both values > 0 (errors, costs): log ratio of means
  ``ln(rnn / lnn)`` (Hedges, Gurevitch & Curtis 1999), with the delta-method variance
  ``se_lnn^2 / lnn^2 + se_rnn^2 / rnn^2`` when both standard errors are known, else NaN
  (``effect_kind`` ``"log_ratio_no_spread"``);
* otherwise, with both standard deviations and ``n >= 2`` runs on both sides: Hedges' g exactly
  as metafor's ``escalc(measure = "SMD")`` computes it (Hedges 1981): ``d = (m1 - m2) / s_p`` with
  the pooled SD ``s_p``, the exact bias correction ``J(m) = Gamma(m/2) / (sqrt(m/2)
  Gamma((m-1)/2))``, ``m = n1 + n2 - 2``, and the large-sample variance ``vi = 1/n1 + 1/n2 +
  g^2 / (2 (n1 + n2))`` (metafor's default ``vtype = "LS"``); negated for lower-is-better metrics;
* otherwise the raw difference ``lnn - rnn`` (negated for lower-is-better) with variance NaN
  (``"raw_difference_no_spread"``): usable only for its sign.

Degenerate spreads (the rule, :data:`DEGENERATE_RULE`)
    A printed spread of 0 on either side ("100 +- 0", typically a ceiling at 100 %) or a pooled
    SD below ``REL_SD_FLOOR`` times the larger mean says that the runs agreed to the printed
    precision; it does not say how much they
    varied. Hedges' g would divide by that rounding artefact (single effects of g = 1054 were
    seen). We do **not** impute a spread floor: any floor (e.g. half the last printed digit)
    would set g by the print precision, not by the data. Such pairs get ``effect_kind``
    ``"degenerate_spread"``: their raw difference is kept for its sign (a tie when the two
    printed values are equal), they are never pooled on the SMD scale, and they are counted in
    :func:`effect_counts` so that the report shows how many there are. Lower-is-better metrics
    with positive values are unaffected: they use the log ratio of means, which needs no SD.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special
from scipy import stats as sps

FloatArray = npt.NDArray[np.float64]

#: effect_kind -> pooling scale. Only effects on the same scale are ever pooled together.
KIND_SCALE: dict[str, str] = {
    "hedges_g": "smd",
    "log_ratio": "log_ratio",
    "log_ratio_no_spread": "log_ratio",
    "raw_difference_no_spread": "raw",
    "degenerate_spread": "raw",
    "undefined": "none",
}

#: One-line statement of the degenerate-spread rule (shown in the report).
DEGENERATE_RULE = (
    "pairs where either printed SD is 0 ('± 0') or the pooled SD is below 1e-4 times the larger "
    "mean get no Hedges' g and are not pooled; their sign (or tie) is kept for the sign test and "
    "counted"
)


def _as_float(x: npt.ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def spread_to_sd(spread: npt.ArrayLike, kind: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """Convert a reported spread to a standard deviation of the runs.

    Parameters
    ----------
    spread : array_like of float
        The printed spread (NaN when none).
    kind : array_like of str
        ``"std"``, ``"sem"``, ``"ci95"`` (half-width of a 95% CI of the mean), ``"range"`` or
        ``"none"``.
    n : array_like of float
        Number of runs (NaN when unknown).

    Returns
    -------
    numpy.ndarray
        SD; NaN where it cannot be recovered (range, none, or sem/ci95 without ``n``).

    Notes
    -----
    ``sd = sem * sqrt(n)``; ``sd = sqrt(n) * half_width / t_{0.975, n-1}`` for a 95% CI
    (Cochrane Handbook, Higgins et al. 2023, section 6.5.2.2). Ranges are not converted: the
    Hozo et al. (2005) approximation needs a median and behaves badly for few runs.
    """
    s, n_ = _as_float(spread), _as_float(n)
    k = np.asarray(kind, dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_crit = sps.t.ppf(0.975, np.where(n_ >= 2, n_ - 1, np.nan))
        sd = np.select(
            [k == "std", k == "sem", k == "ci95"],
            [s, s * np.sqrt(n_), np.sqrt(n_) * s / t_crit],
            default=np.nan,
        )
    return np.where(np.isfinite(sd) & (sd >= 0), sd, np.nan)


def spread_to_se(spread: npt.ArrayLike, kind: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """Convert a reported spread to the standard error of the reported mean.

    Parameters
    ----------
    spread, kind, n : array_like
        As in :func:`spread_to_sd`.

    Returns
    -------
    numpy.ndarray
        SE; ``sd / sqrt(n)`` for ``std``, the spread itself for ``sem``, ``half_width / t`` for
        ``ci95`` (``t_{0.975, n-1}``, or the normal 1.96 when ``n`` is unknown); NaN otherwise.
    """
    s, n_ = _as_float(spread), _as_float(n)
    k = np.asarray(kind, dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_crit = np.where(n_ >= 2, sps.t.ppf(0.975, np.maximum(n_ - 1, 1)), sps.norm.ppf(0.975))
        se = np.select(
            [k == "std", k == "sem", k == "ci95"],
            [s / np.sqrt(n_), s, s / t_crit],
            default=np.nan,
        )
    return np.where(np.isfinite(se) & (se >= 0), se, np.nan)


#: Pooled SDs below this fraction of the larger absolute mean count as "no usable spread".
REL_SD_FLOOR = 1e-4


def bias_correction(m: npt.ArrayLike, exact: bool = True) -> FloatArray:
    """Small-sample correction ``J(m)`` of Hedges (1981) for ``m`` degrees of freedom.

    Parameters
    ----------
    m : array_like
        Degrees of freedom ``n1 + n2 - 2`` (> 1).
    exact : bool
        ``True``: ``Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))`` (metafor's ``.cmicalc``), computed
        on the log scale with :func:`scipy.special.gammaln`; ``False``: the approximation
        ``1 - 3 / (4 m - 1)`` (Hedges & Olkin 1985, used by R's meta and statsmodels).

    Returns
    -------
    numpy.ndarray
        ``J``; NaN where ``m <= 1``.
    """
    m_ = _as_float(m)
    with np.errstate(invalid="ignore", divide="ignore"):
        if exact:
            safe = np.where(m_ > 1, m_, 2.0)
            j = np.exp(
                special.gammaln(safe / 2) - 0.5 * np.log(safe / 2) - special.gammaln((safe - 1) / 2)
            )
        else:
            j = 1 - 3 / (4 * m_ - 1)
    return np.where(m_ > 1, j, np.nan)


def hedges_g(
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n1: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    n2: npt.ArrayLike,
    correction: Literal["exact", "approx"] = "exact",
    variance: Literal["metafor", "hedges_olkin"] = "metafor",
) -> tuple[FloatArray, FloatArray]:
    """Hedges' g of ``mean1 - mean2`` and its variance, as metafor's ``escalc("SMD")``.

    Parameters
    ----------
    mean1, sd1, n1 : array_like
        Mean, SD and number of runs of the first group.
    mean2, sd2, n2 : array_like
        The same for the second group.
    correction : {"exact", "approx"}
        Bias correction: the exact gamma-function ``J`` (metafor) or ``1 - 3/(4 m - 1)``.
    variance : {"metafor", "hedges_olkin"}
        ``"metafor"``: ``1/n1 + 1/n2 + g^2 / (2 (n1 + n2))`` (metafor ``vtype = "LS"``);
        ``"hedges_olkin"``: ``N/(n1 n2) + g^2 / (2 (N - 3.94))`` (R's meta, statsmodels).

    Returns
    -------
    g, var : numpy.ndarray
        Bias-corrected standardised mean difference and its sampling variance; NaN where
        ``n < 2`` on a side or the pooled SD is degenerate (see :func:`degenerate_spread`).
    """
    m1, s1, k1 = _as_float(mean1), _as_float(sd1), _as_float(n1)
    m2, s2, k2 = _as_float(mean2), _as_float(sd2), _as_float(n2)
    ok = (k1 >= 2) & (k2 >= 2) & ~degenerate_spread(m1, s1, k1, m2, s2, k2)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(((k1 - 1) * s1**2 + (k2 - 1) * s2**2) / (k1 + k2 - 2))
        g = bias_correction(k1 + k2 - 2, exact=correction == "exact") * (m1 - m2) / pooled
        if variance == "metafor":
            var = 1 / k1 + 1 / k2 + g**2 / (2 * (k1 + k2))
        else:
            var = (k1 + k2) / (k1 * k2) + g**2 / (2 * (k1 + k2 - 3.94))
    ok &= np.isfinite(g) & np.isfinite(var)
    return np.where(ok, g, np.nan), np.where(ok, var, np.nan)


def degenerate_spread(
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n1: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    n2: npt.ArrayLike,
) -> npt.NDArray[np.bool_]:
    """Whether two groups with known SDs have a degenerate pooled SD (see the module docstring).

    Returns
    -------
    numpy.ndarray of bool
        True where both SDs are known, ``n >= 2`` on both sides, and either SD is 0 or the pooled
        SD is below ``REL_SD_FLOOR`` times the larger absolute mean.
    """
    m1, s1, k1 = _as_float(mean1), _as_float(sd1), _as_float(n1)
    m2, s2, k2 = _as_float(mean2), _as_float(sd2), _as_float(n2)
    with np.errstate(invalid="ignore"):
        pooled = ((k1 - 1) * s1**2 + (k2 - 1) * s2**2) / (k1 + k2 - 2)
        known = (k1 >= 2) & (k2 >= 2) & np.isfinite(pooled)
        scale = np.maximum(np.abs(m1), np.abs(m2))
        tiny = np.sqrt(np.where(known, np.maximum(pooled, 0.0), 0.0)) <= REL_SD_FLOOR * scale
        zero_side = (s1 <= 0) | (s2 <= 0)
    return np.asarray(known & ((pooled <= 0) | tiny | zero_side), dtype=bool)


def log_ratio(
    lnn: npt.ArrayLike, rnn: npt.ArrayLike, se_lnn: npt.ArrayLike, se_rnn: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Log ratio of means ``ln(rnn / lnn)`` for a lower-is-better, positive metric.

    Parameters
    ----------
    lnn, rnn : array_like
        Means of the LNN and the RNN (must be > 0).
    se_lnn, se_rnn : array_like
        Standard errors of the two means (NaN when unknown).

    Returns
    -------
    effect, var : numpy.ndarray
        Positive effect = the LNN's error/cost is lower. Variance by the delta method
        (Hedges, Gurevitch & Curtis 1999); NaN when a standard error is unknown or both are 0.
    """
    a, b = _as_float(lnn), _as_float(rnn)
    sa, sb = _as_float(se_lnn), _as_float(se_rnn)
    with np.errstate(invalid="ignore", divide="ignore"):
        effect = np.log(b) - np.log(a)
        var = sa**2 / a**2 + sb**2 / b**2
    return effect, np.where(np.isfinite(var) & (var > 0), var, np.nan)


def pair_effects(
    lnn_value: npt.ArrayLike,
    rnn_value: npt.ArrayLike,
    lnn_sd: npt.ArrayLike,
    rnn_sd: npt.ArrayLike,
    lnn_se: npt.ArrayLike,
    rnn_se: npt.ArrayLike,
    lnn_n: npt.ArrayLike,
    rnn_n: npt.ArrayLike,
    higher_is_better: npt.ArrayLike,
    use_log_ratio: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.object_]]:
    """Apply the module's effect-size rules to arrays of pairs.

    Parameters
    ----------
    lnn_value, rnn_value : array_like
        Reported (or mean) values.
    lnn_sd, rnn_sd, lnn_se, rnn_se : array_like
        Standard deviations of the runs and standard errors of the means (NaN if unknown).
    lnn_n, rnn_n : array_like
        Number of runs (NaN if unknown).
    higher_is_better : array_like of bool
        Orientation of the metric.
    use_log_ratio : array_like of bool
        Whether the pair is on the log-ratio scale (lower-is-better and all values of its
        comparison cluster > 0); decided per cluster by the caller.

    Returns
    -------
    effect, variance, kind : numpy.ndarray
        Signed effect (positive = LNN better), variance (NaN = no usable spread) and
        ``effect_kind``.
    """
    a, b = _as_float(lnn_value), _as_float(rnn_value)
    hib = np.asarray(higher_is_better, dtype=bool)
    use_lr = np.asarray(use_log_ratio, dtype=bool) & ~hib & (a > 0) & (b > 0)
    sign = np.where(hib, 1.0, -1.0)
    lr, lr_var = log_ratio(a, b, lnn_se, rnn_se)
    g, g_var = hedges_g(a, lnn_sd, lnn_n, b, rnn_sd, rnn_n)
    has_g = np.isfinite(g) & np.isfinite(g_var)
    degenerate = degenerate_spread(a, lnn_sd, lnn_n, b, rnn_sd, rnn_n)
    effect = np.where(use_lr, lr, np.where(has_g, sign * g, sign * (a - b)))
    var = np.where(use_lr, lr_var, np.where(has_g, g_var, np.nan))
    kind = np.where(
        use_lr,
        np.where(np.isfinite(lr_var), "log_ratio", "log_ratio_no_spread"),
        np.where(
            has_g, "hedges_g", np.where(degenerate, "degenerate_spread", "raw_difference_no_spread")
        ),
    ).astype(object)
    undefined = ~(np.isfinite(a) & np.isfinite(b))
    kind[undefined] = "undefined"
    return np.where(undefined, np.nan, effect), np.where(undefined, np.nan, var), kind
