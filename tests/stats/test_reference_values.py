"""Published reference values: metafor, R's stats help pages, Borenstein et al. (2009)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from lnnmeta.stats import (
    egger_regression,
    hedges_g,
    prediction_interval,
    random_effects,
    rank_tests,
    two_sample_test,
)
from lnnmeta.stats.ranks import nemenyi_cd
from tests.stats.builders import scores_to_runs

# --- dat.bcg (Colditz et al. 1994), as distributed with R's metadat/metafor ------------------
# tpos, tneg, cpos, cneg for the 13 BCG vaccine trials; log risk ratios and variances as
# escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg).
BCG = np.array(
    [
        [4, 119, 11, 128],
        [6, 300, 29, 274],
        [3, 228, 11, 209],
        [62, 13536, 248, 12619],
        [33, 5036, 47, 5761],
        [180, 1361, 372, 1079],
        [8, 2537, 10, 619],
        [505, 87886, 499, 87892],
        [29, 7470, 45, 7232],
        [17, 1699, 65, 1600],
        [186, 50448, 141, 27197],
        [5, 2493, 3, 2338],
        [27, 16886, 29, 17825],
    ],
    dtype=float,
)


def _bcg() -> tuple[np.ndarray, np.ndarray]:
    a, b, c, d = BCG.T
    yi = np.log(a / (a + b)) - np.log(c / (c + d))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return yi, vi


def test_bcg_reml_matches_metafor() -> None:
    # metafor: rma(yi, vi, data = dat) -> estimate -0.7145, se 0.1798, tau^2 0.3132,
    # I^2 92.22%, Q(df = 12) = 152.2330; with test = "knha": se 0.1808,
    # CI [-1.1084, -0.3206] (metafor documentation of dat.bcg / rma.uni).
    yi, vi = _bcg()
    r = random_effects(yi, vi, "REML")
    assert r.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert r.se_wald == pytest.approx(0.1798, abs=5e-5)
    assert r.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert r.i2 == pytest.approx(92.22, abs=5e-3)
    assert r.q == pytest.approx(152.2330, abs=5e-5)
    assert r.q_df == 12
    assert r.se == pytest.approx(0.1808, abs=5e-5)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.1084, -0.3206), abs=5e-5)


def test_bcg_dl_matches_metafor() -> None:
    # metafor: rma(yi, vi, data = dat, method = "DL") -> estimate -0.7141, se 0.1787,
    # tau^2 0.3088, I^2 92.12%; test = "knha": se 0.1807, CI [-1.1078, -0.3204]
    # (Viechtbauer's reproduction of Borenstein et al. 2009, ch. 20-21, with dat.bcg).
    yi, vi = _bcg()
    r = random_effects(yi, vi, "DL")
    assert r.estimate == pytest.approx(-0.7141, abs=5e-5)
    assert r.se_wald == pytest.approx(0.1787, abs=5e-5)
    assert r.tau2 == pytest.approx(0.3088, abs=5e-5)
    assert r.i2 == pytest.approx(92.12, abs=5e-3)
    assert r.se == pytest.approx(0.1807, abs=5e-5)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.1078, -0.3204), abs=5e-5)


def test_bcg_prediction_interval_matches_metafor() -> None:
    # metadat dat.bcg example: predict(rma(yi, vi), transf = exp) -> PI [0.1546, 1.5490]
    # (normal quantile, as metafor uses for test = "z" models).
    yi, vi = _bcg()
    r = random_effects(yi, vi, "REML")
    lo, hi = prediction_interval(r.estimate, r.se_wald, r.tau2, r.k, dist="z")
    assert (math.exp(lo), math.exp(hi)) == pytest.approx((0.1546, 1.5490), abs=5e-5)
    # The reported (Higgins et al. 2009) interval uses t_{k-2} and is wider.
    assert r.pi_low < lo and r.pi_high > hi


# --- Kacker (2004) example: metafor results stored in statsmodels' test suite -------------
# statsmodels/stats/tests/results/results_meta.py (exk1_metafor, exk1_dl, exk1_dl_hksj).
KACKER_Y = np.array([61.00, 61.40, 62.21, 62.30, 62.34, 62.60, 62.70, 62.84, 65.90])
KACKER_V = np.array([0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225])


def test_kacker_dl_and_knapp_hartung_match_metafor() -> None:
    r = random_effects(KACKER_Y, KACKER_V, "DL")
    assert r.estimate == pytest.approx(62.3901386044504, abs=1e-9)
    assert r.tau2 == pytest.approx(0.288049246973751, abs=1e-9)
    assert r.se_wald == pytest.approx(0.245749668040304, abs=1e-9)
    assert r.q == pytest.approx(24.801897741835, abs=1e-9)
    assert r.i2 == pytest.approx(67.744403741711, abs=1e-7)
    assert r.se == pytest.approx(0.29477605699879, abs=1e-9)
    assert (r.ci_low, r.ci_high) == pytest.approx((61.710383798052, 63.0698934108488), abs=1e-8)


def test_kacker_paule_mandel_matches_metafor() -> None:
    r = random_effects(KACKER_Y, KACKER_V, "PM")
    assert r.tau2 == pytest.approx(0.705395309224248, abs=1e-5)
    assert r.estimate == pytest.approx(62.4076199113286, abs=1e-5)
    assert r.i2 == pytest.approx(83.7218626490482, abs=1e-3)


# --- Egger's test: dat.egger2001 (magnesium trials), metafor's regtest() documentation ---------
# ai, n1i, ci, n2i for trials 1-15 (ISIS-4, trial 16, excluded as in the documentation).
EGGER2001 = np.array(
    [
        [1, 40, 2, 36],
        [9, 135, 23, 135],
        [2, 200, 7, 200],
        [1, 48, 1, 46],
        [10, 150, 8, 148],
        [1, 59, 9, 56],
        [1, 25, 3, 23],
        [0, 22, 1, 21],
        [6, 76, 11, 75],
        [1, 27, 7, 27],
        [2, 89, 12, 80],
        [5, 23, 13, 33],
        [4, 130, 8, 122],
        [90, 1159, 118, 1157],
        [4, 107, 17, 108],
    ],
    dtype=float,
)


def test_egger_matches_metafor_regtest_lm() -> None:
    # escalc(measure = "OR") adds 1/2 to every cell of a trial with a zero cell.
    # regtest(model = "lm"): t = -3.1783, df = 13, p = 0.0073; limit estimate b = -0.1512.
    # rma(yi, vi) on the same data: estimate -0.8745, tau^2 0.1911, I^2 38.19%, Q = 20.9184.
    ai, n1, ci, n2 = EGGER2001.T
    cells = np.column_stack([ai, n1 - ai, ci, n2 - ci])
    cells = cells + 0.5 * (cells == 0).any(axis=1, keepdims=True)
    a, b, c, d = cells.T
    yi, vi = np.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d
    eg = egger_regression(yi, vi)
    assert eg["t"] == pytest.approx(-3.1783, abs=5e-5)
    assert eg["df"] == 13
    assert eg["p_value"] == pytest.approx(0.0073, abs=5e-5)
    assert eg["slope"] == pytest.approx(-0.1512, abs=5e-5)
    r = random_effects(yi, vi, "REML")
    assert r.estimate == pytest.approx(-0.8745, abs=5e-5)
    assert r.tau2 == pytest.approx(0.1911, abs=5e-5)
    assert r.i2 == pytest.approx(38.19, abs=5e-3)
    assert r.q == pytest.approx(20.9184, abs=5e-5)


# --- Hedges' g: Borenstein, Hedges, Higgins & Rothstein (2009), ch. 4 and Table 14.1 -----------


def test_hedges_g_textbook_example() -> None:
    # Ch. 4 worked example: means 103 vs 100, SDs 5.5 and 4.5, n = 50 each:
    # S_within = 5.0249, d = 0.5970, J = 0.9923, g = 0.5924.
    g, var = hedges_g(103.0, 5.5, 50, 100.0, 4.5, 50, "approx", "hedges_olkin")
    assert float(g) == pytest.approx(0.5924, abs=5e-5)
    # Variance: 1/n1 + 1/n2 + g^2 / (2 (N - 3.94)) (Hedges & Olkin 1985 as in R's meta).
    assert float(var) == pytest.approx(0.04 + 0.5924**2 / (2 * 96.06), abs=1e-5)


def test_hedges_g_table_14_1_matches_book_and_r_meta() -> None:
    # Borenstein et al. (2009) Table 14.1 (Dataset 1): g per study as printed in the book
    # (Carroll .0945 ... Young .1852); variances from R's meta::metacont as stored in
    # statsmodels' test suite (TestEffSmdMeta.vi_m).
    data = pd.DataFrame(
        [
            [94, 22, 60, 92, 20, 60],
            [98, 21, 65, 92, 22, 65],
            [98, 28, 40, 88, 26, 40],
            [94, 19, 200, 82, 17, 200],
            [98, 21, 50, 88, 22, 45],
            [96, 21, 85, 92, 22, 85],
        ],
        columns=["m1", "s1", "n1", "m2", "s2", "n2"],
    )
    g, var = hedges_g(*(data[c] for c in data.columns), "approx", "hedges_olkin")
    book = [0.0945, 0.2774, 0.3665, 0.6644, 0.4618, 0.1852]
    assert g == pytest.approx(book, abs=5e-5)
    meta_vi = [
        0.03337182573880991,
        0.03107434965484927,
        0.05088322525353587,
        0.01055724834741877,
        0.04339324466573324,
        0.02363264537147130,
    ]
    assert var == pytest.approx(meta_vi, rel=1e-10)


# --- metafor escalc(measure = "SMD") on dat.normand1999, studies 1-4 ---------------------------
# metafor tests/testthat/test_misc_escalc.r ("escalc() works correctly for measure='SMD/SMDH/ROM'"):
# yi c(-0.3552, -0.3479, -2.3176, -1.8880), vi c(0.0131, 0.0645, 0.0458, 0.1606).
# Data: metadat data-raw/dat.normand1999.txt (n1i, m1i, sd1i, n2i, m2i, sd2i).
NORMAND = np.array(
    [
        [155, 55, 47, 156, 75, 64],
        [31, 27, 7, 32, 29, 4],
        [75, 64, 17, 71, 119, 29],
        [18, 66, 20, 18, 137, 48],
    ],
    dtype=float,
)


def test_hedges_g_matches_metafor_escalc_smd() -> None:
    n1, m1, s1, n2, m2, s2 = NORMAND.T
    g, var = hedges_g(m1, s1, n1, m2, s2, n2)
    assert g == pytest.approx([-0.3552, -0.3479, -2.3176, -1.8880], abs=5e-5)
    assert var == pytest.approx([0.0131, 0.0645, 0.0458, 0.1606], abs=5e-5)
    # metafor's vtype "LS": vi = 1/n1 + 1/n2 + yi^2 / (2 (n1 + n2)) with the corrected yi.
    assert var == pytest.approx(1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2)), rel=1e-12)


def test_exact_bias_correction_equals_gamma_ratio() -> None:
    from lnnmeta.stats.effect_sizes import bias_correction

    m = 8.0  # two groups of 5 runs
    exact = math.gamma(m / 2) / (math.sqrt(m / 2) * math.gamma((m - 1) / 2))
    assert float(bias_correction(m)) == pytest.approx(exact, rel=1e-12)
    assert float(bias_correction(m, exact=False)) == pytest.approx(1 - 3 / (4 * m - 1))


# --- R's stats help pages ------------------------------------------------------------------
# friedman.test example: Hollander & Wolfe (1973) p. 140, RoundingTimes (22 players x 3
# methods). R prints: Friedman chi-squared = 11.143, df = 2, p-value = 0.003805.
ROUNDING_TIMES = np.array(
    [
        [5.40, 5.50, 5.55],
        [5.85, 5.70, 5.75],
        [5.20, 5.60, 5.50],
        [5.55, 5.50, 5.40],
        [5.90, 5.85, 5.70],
        [5.45, 5.55, 5.60],
        [5.40, 5.40, 5.35],
        [5.45, 5.50, 5.35],
        [5.25, 5.15, 5.00],
        [5.85, 5.80, 5.70],
        [5.25, 5.20, 5.10],
        [5.65, 5.55, 5.45],
        [5.60, 5.35, 5.45],
        [5.05, 5.00, 4.95],
        [5.50, 5.50, 5.40],
        [5.45, 5.55, 5.50],
        [5.55, 5.55, 5.35],
        [5.45, 5.50, 5.55],
        [5.50, 5.45, 5.25],
        [5.65, 5.60, 5.40],
        [5.70, 5.65, 5.55],
        [6.30, 6.30, 6.25],
    ]
)


def test_friedman_rounding_times_matches_r() -> None:
    models = ["LTC", "LSTM", "GRU"]  # stand-ins for round out, narrow angle, wide angle
    scores = {
        f"player{i}": {m: [row[j]] for j, m in enumerate(models)}
        for i, row in enumerate(ROUNDING_TIMES)
    }
    res = rank_tests(
        scores_to_runs(scores, higher_is_better=False),
        measures=["score"],
        n_samples=500,
        figures=False,
    )
    row = res.friedman.iloc[0]
    assert row["n_tasks"] == 22 and row["n_models"] == 3
    assert row["statistic"] == pytest.approx(11.143, abs=5e-4)
    assert row["p_value"] == pytest.approx(0.003805, abs=5e-7)


# wilcox.test examples: Hollander & Wolfe (1973) p. 29f, Hamilton depression scale (paired):
# wilcox.test(x, y, paired = TRUE, alternative = "greater") -> V = 40, p-value = 0.01953.
DEPRESSION_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def test_pairwise_wilcoxon_depression_matches_r() -> None:
    scores = {
        f"patient{i}": {"LTC": [x], "LSTM": [y]}
        for i, (x, y) in enumerate(zip(DEPRESSION_X, DEPRESSION_Y, strict=True))
    }
    res = rank_tests(scores_to_runs(scores), measures=["score"], n_samples=500, figures=False)
    row = res.pairwise.iloc[0]
    # R's one-sided p = 0.01953 (V = 40 of 45); the pairwise test is two-sided: 2 x 0.01953.
    assert row["p_value"] == pytest.approx(2 * 0.01953, abs=1e-5)
    assert row["statistic"] == pytest.approx(45 - 40)  # scipy reports min(W+, W-)


def test_mann_whitney_and_welch_match_r() -> None:
    # wilcox.test two-sample example, Hollander & Wolfe (1973) p. 69f (permeability):
    # W = 35, one-sided p-value = 0.1272 (exact; two-sided is twice that, no ties).
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    mw = two_sample_test(x, y, method="mann_whitney")
    assert mw.statistic == 35
    assert mw.p_value == pytest.approx(2 * 0.1272, abs=2e-4)
    # t.test example on the sleep data (Student 1908): t.test(extra ~ group, data = sleep) ->
    # Welch t = -1.8608, df = 17.776, p-value = 0.07939.
    g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    w = two_sample_test(g1, g2, method="welch")
    assert w.statistic == pytest.approx(-1.8608, abs=5e-5)
    assert w.p_value == pytest.approx(0.07939, abs=5e-6)


def test_nemenyi_critical_values_match_demsar() -> None:
    # Demšar (2006), Table 5(a): q_0.05 = 2.343 (k = 3), 2.569 (k = 4), 2.728 (k = 5).
    for k, q in [(3, 2.343), (4, 2.569), (5, 2.728)]:
        cd = nemenyi_cd(k, 10)
        assert cd / math.sqrt(k * (k + 1) / 60) == pytest.approx(q, abs=1e-3)  # table rounds


def test_scipy_binomtest_reference() -> None:
    # Sign test sanity: 9 successes in 10 trials, two-sided exact p = 22 / 1024.
    assert sps.binomtest(9, 10).pvalue == pytest.approx(22 / 1024)
