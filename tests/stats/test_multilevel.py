"""Three-level REML, CR2 and prediction intervals against metafor's published test values.

Sources (metafor's own test suite, github.com/wviechtb/metafor, tests/testthat/):
* test_analysis_example_konstantopoulos2011.r: ``rma.mv(yi, vi, random = ~ 1 | district/study,
  data = dat.konstantopoulos2011)`` (REML) -> coef 0.1847132, se 0.08455592,
  sigma2 c(0.06506194, 0.03273652), logLik -7.9587; see also
  https://www.metafor-project.org/doku.php/analyses:konstantopoulos2011
* test_misc_robust.r: ``robust(rma(yi, vi, data = dat.bcg RR), cluster = trial,
  clubSandwich = TRUE)`` -> vcov 0.03229357, dfs 11.04125, zval -3.97616;
  ``predict(sav, transf = exp)`` -> PI [0.1342926, 1.7836640].
Data: metadat data-raw/dat.konstantopoulos2011.txt (district, study, yi, vi).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lnnmeta.stats.multilevel import (
    cr2_test,
    fit_multilevel,
    prediction_interval_multilevel,
    sampling_covariance,
)
from tests.stats.test_reference_values import _bcg

# fmt: off
KONST = np.array([
    [11, 1, -0.18, 0.118], [11, 2, -0.22, 0.118], [11, 3, 0.23, 0.144], [11, 4, -0.30, 0.144],
    [12, 5, 0.13, 0.014], [12, 6, -0.26, 0.014], [12, 7, 0.19, 0.015], [12, 8, 0.32, 0.024],
    [18, 9, 0.45, 0.023], [18, 10, 0.38, 0.043], [18, 11, 0.29, 0.012], [27, 12, 0.16, 0.020],
    [27, 13, 0.65, 0.004], [27, 14, 0.36, 0.004], [27, 15, 0.60, 0.007], [56, 16, 0.08, 0.019],
    [56, 17, 0.04, 0.007], [56, 18, 0.19, 0.005], [56, 19, -0.06, 0.004], [58, 20, -0.18, 0.020],
    [58, 21, 0.00, 0.018], [58, 22, 0.00, 0.019], [58, 23, -0.28, 0.022], [58, 24, -0.04, 0.020],
    [58, 25, -0.30, 0.021], [58, 26, 0.07, 0.006], [58, 27, 0.00, 0.007], [58, 28, 0.05, 0.007],
    [58, 29, -0.08, 0.007], [58, 30, -0.09, 0.007], [71, 31, 0.30, 0.015], [71, 32, 0.98, 0.011],
    [71, 33, 1.19, 0.010], [86, 34, -0.07, 0.001], [86, 35, -0.05, 0.001], [86, 36, -0.01, 0.001],
    [86, 37, 0.02, 0.001], [86, 38, -0.03, 0.001], [86, 39, 0.00, 0.001], [86, 40, 0.01, 0.001],
    [86, 41, -0.10, 0.001], [91, 42, 0.50, 0.010], [91, 43, 0.66, 0.011], [91, 44, 0.20, 0.010],
    [91, 45, 0.00, 0.009], [91, 46, 0.05, 0.013], [91, 47, 0.07, 0.013], [108, 48, -0.52, 0.031],
    [108, 49, 0.70, 0.031], [108, 50, -0.03, 0.030], [108, 51, 0.27, 0.030],
    [108, 52, -0.34, 0.030], [644, 53, 0.12, 0.087], [644, 54, 0.61, 0.082],
    [644, 55, 0.04, 0.067], [644, 56, -0.05, 0.067],
])
# fmt: on


def _konst_groups() -> list[np.ndarray]:
    district = KONST[:, 0].astype(int).astype(str)
    study = KONST[:, 1].astype(int).astype(str)
    return [district, np.char.add(np.char.add(district, "/"), study)]


def test_three_level_reml_matches_metafor_rma_mv() -> None:
    fit = fit_multilevel(KONST[:, 2], KONST[:, 3], _konst_groups())
    assert fit.estimate == pytest.approx(0.1847132, abs=1e-6)
    assert fit.se == pytest.approx(0.08455592, abs=1e-6)
    assert fit.sigma2 == pytest.approx((0.06506194, 0.03273652), abs=1e-6)
    assert fit.loglik == pytest.approx(-7.9587, abs=5e-5)
    assert fit.n_groups == (11, 56) and fit.converged
    # ICC and total heterogeneity as printed in the same metafor test.
    assert fit.sigma2[0] / sum(fit.sigma2) == pytest.approx(0.6653, abs=5e-5)
    assert sum(fit.sigma2) == pytest.approx(0.0978, abs=5e-5)


def test_single_level_reml_equals_rma_on_bcg() -> None:
    # rma.mv(yi, vi, random = ~ 1 | trial) on dat.bcg: estimate -0.7145, tau^2 0.3132.
    yi, vi = _bcg()
    fit = fit_multilevel(yi, vi, [np.arange(len(yi))])
    assert fit.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert fit.sigma2[0] == pytest.approx(0.3132, abs=5e-5)


def test_cr2_matches_clubsandwich_via_metafor_robust() -> None:
    yi, vi = _bcg()
    fit = fit_multilevel(yi, vi, [np.arange(len(yi))])
    rob = cr2_test(yi, fit.marginal, np.arange(len(yi)))
    assert rob.se**2 == pytest.approx(0.03229357, abs=1e-8)
    assert rob.df == pytest.approx(11.04125, abs=1e-5)
    assert fit.estimate / rob.se == pytest.approx(-3.97616, abs=1e-5)
    lo, hi = prediction_interval_multilevel(fit, rob.se, rob.df)
    assert (math.exp(lo), math.exp(hi)) == pytest.approx((0.1342926, 1.7836640), abs=1e-6)
    # metafor's CI after robust(): exp -> [0.3295991, 0.7267400].
    assert (math.exp(rob.ci_low), math.exp(rob.ci_high)) == pytest.approx(
        (0.3295991, 0.7267400), abs=1e-6
    )


def test_cr2_needs_two_clusters_and_prediction_interval_covers_ci() -> None:
    fit = fit_multilevel(KONST[:, 2], KONST[:, 3], _konst_groups())
    assert math.isnan(cr2_test(KONST[:, 2], fit.marginal, ["a"] * len(KONST)).se)
    rob = cr2_test(KONST[:, 2], fit.marginal, _konst_groups()[0])
    assert rob.n_clusters == 11 and 0 < rob.df <= 10
    lo, hi = prediction_interval_multilevel(fit, rob.se, rob.df)
    assert lo < rob.ci_low and hi > rob.ci_high


def test_sampling_covariance_shares_rows_only_within_a_cluster() -> None:
    v = sampling_covariance([1.0, 4.0, 1.0], ["c", "c", "d"], ["L", "L", "L"], ["R1", "R2", "R1"])
    assert v[0, 1] == pytest.approx(0.5 * 2.0) and v[0, 2] == 0.0 and v[1, 1] == 4.0
