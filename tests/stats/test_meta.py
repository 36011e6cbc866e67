"""Pooling, dependence handling, sign test, Egger gating, leave-one-out and plots."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from lnnmeta.stats import (
    cluster_effects,
    egger_test,
    forest_plot,
    funnel_plot,
    leave_one_paper_out,
    literature_effects,
    pool_effects,
    random_effects,
    sign_test,
)
from lnnmeta.tables import conform
from tests.stats.builders import reported_frame


def _paper(
    key: str,
    delta: float,
    sd: float = 1.0,
    n: int = 5,
    task: str = "t",
    n_lnn: int = 1,
    n_rnn: int = 1,
) -> list[dict[str, Any]]:
    sp = {
        "paper_key": key,
        "task": task,
        "column_id": task,
        "spread": sd,
        "spread_kind": "std",
        "n_runs": n,
    }
    lnn = [{"model": f"L{i}", "family": "LNN", "value": 90 + delta, **sp} for i in range(n_lnn)]
    rnn = [{"model": f"R{i}", "family": "RNN", "value": 90.0, **sp} for i in range(n_rnn)]
    return lnn + rnn


def _corpus(deltas: list[float], **kw: Any) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, d in enumerate(deltas):
        rows += _paper(f"p{i}", d, **kw)
    return literature_effects(reported_frame(rows))


def test_cluster_average_uses_covariance_of_shared_rows() -> None:
    # 1 LNN vs 2 RNNs with equal values/variances: the two pairs share the LNN row
    # (correlation 0.5), so var(mean) = (v + v + 2 * 0.5 v) / 4 = 0.75 v.
    eff = literature_effects(reported_frame(_paper("p", 1.0, n_rnn=2)))
    assert len(eff) == 2
    cl = cluster_effects(eff)
    assert len(cl) == 1 and cl["n_pairs"].iloc[0] == 2
    v = eff["variance"].iloc[0]
    assert cl["variance"].iloc[0] == pytest.approx(0.75 * v)
    best = cluster_effects(eff, dependence="best")
    assert best["variance"].iloc[0] == pytest.approx(v)


def test_pool_effects_overall_and_per_paper_with_notes() -> None:
    eff = _corpus([0.5, 1.0, 1.5, 0.8, 1.2, 0.9], n_lnn=2, n_rnn=2)
    meta = pool_effects(eff)
    conform(meta, "stats_meta")
    overall = meta[(meta["scope"] == "overall") & (meta["metric_family"] == "all")]
    assert set(overall["method"]) == {"REML", "DL"}
    row = overall[overall["method"] == "REML"].iloc[0]
    assert row["k"] == 6 and row["n_papers"] == 6 and row["n_pairs"] == 24
    assert row["estimate"] > 0 and row["ci_low"] < row["estimate"] < row["ci_high"]
    assert row["pi_low"] <= row["ci_low"] and row["i2"] >= 0
    per_paper = meta[meta["scope"] == "paper:p0"]
    assert (per_paper["k"] == 1).all()
    assert per_paper["note"].str.contains("k = 1").all()
    # The pooled estimate is the REML estimate of the cluster-level effects.
    cl = cluster_effects(eff)
    ref = random_effects(cl["effect"], cl["variance"], "REML")
    assert row["estimate"] == pytest.approx(ref.estimate)


def test_homogeneous_effects_give_zero_tau2_and_nonnegative_i2() -> None:
    meta = pool_effects(_corpus([1.0, 1.0, 1.0, 1.0]), scopes=("overall",))
    assert (meta["tau2"] == 0).all() and (meta["i2"] == 0).all()
    assert meta["note"].str.contains("k < 5").all()
    assert meta["note"].str.contains("identical").all()


def test_small_k_and_no_variance() -> None:
    rows = [
        {"model": "LTC", "family": "LNN", "value": 91.0},
        {"model": "LSTM", "family": "RNN", "value": 90.0},
    ]
    eff = literature_effects(reported_frame(rows))
    assert pool_effects(eff).empty  # raw differences are never pooled
    two = pool_effects(_corpus([1.0, 2.0]), scopes=("overall",))
    assert (two["k"] == 2).all() and two["pi_low"].isna().all()


def test_copied_sensitivity_drops_copied_clusters() -> None:
    rows = _paper("a", 1.0) + _paper("b", 1.0) + _paper("c", 2.0)
    rows[-1]["copied_from"] = "elsewhere"  # c's RNN number was copied
    eff = literature_effects(reported_frame(rows))
    with_c = pool_effects(eff, scopes=("overall",))
    without_c = pool_effects(eff, include_copied=False, scopes=("overall",))
    assert (with_c["k"] == 3).all() and (without_c["k"] == 2).all()


def test_sign_test_counts_clusters_not_pairs() -> None:
    rows: list[dict[str, Any]] = []
    for i, val in enumerate([91, 92, 93, 94, 95, 96, 97, 89]):
        rows += [
            {"paper_key": f"p{i}", "model": m, "family": "LNN", "value": float(val)}
            for m in ("LTC", "CfC")
        ]
        rows += [
            {"paper_key": f"p{i}", "model": m, "family": "RNN", "value": 90.0}
            for m in ("LSTM", "GRU")
        ]
    st = sign_test(literature_effects(reported_frame(rows)))
    conform(st, "stats_sign_test")
    row = st[(st["subset"] == "no_spread") & (st["metric_family"] == "all")].iloc[0]
    assert (row["n_positive"], row["n_negative"], row["n"]) == (7, 1, 8)
    assert row["p_value"] == pytest.approx(0.0703125)  # binom(7 of 8), two-sided
    allrow = st[(st["subset"] == "all") & (st["metric_family"] == "all")].iloc[0]
    assert allrow["n"] == 8


def test_sign_test_majority_and_ties() -> None:
    rows = [
        {"model": "LTC", "family": "LNN", "value": 91.0},
        {"model": "LSTM", "family": "RNN", "value": 90.0},
        {"model": "GRU", "family": "RNN", "value": 92.0},
    ]
    eff = literature_effects(reported_frame(rows))
    st = sign_test(eff)
    assert st["n_ties"].iloc[0] == 1 and st["n"].iloc[0] == 0
    assert st["note"].iloc[0] == "no untied comparison"
    best = sign_test(eff, dependence="best")
    assert best["n_negative"].iloc[0] == 1


def test_egger_requires_ten_effects(rng: np.random.Generator) -> None:
    few = egger_test(_corpus([1.0, 2.0, 0.5]))
    conform(few, "stats_egger")
    assert few["k"].iloc[0] == 3 and "not run" in few["note"].iloc[0]
    assert math.isnan(few["p_value"].iloc[0])
    # Run counts differ between papers: the modified-SE Egger test needs varying precision.
    rows: list[dict[str, Any]] = []
    for i, d in enumerate(rng.normal(1.0, 0.3, 12)):
        rows += _paper(f"p{i}", float(d), n=4 + i % 6)
    many = egger_test(literature_effects(reported_frame(rows)))
    assert many["k"].iloc[0] == 12 and many["df"].iloc[0] == 10
    assert many["predictor"].iloc[0] == "modified_se"
    same_n = egger_test(_corpus(list(rng.normal(1.0, 0.3, 12)), n=8))
    assert "not testable" in same_n["note"].iloc[0] and math.isnan(same_n["p_value"].iloc[0])
    assert 0 <= many["p_value"].iloc[0] <= 1


def test_leave_one_paper_out() -> None:
    eff = _corpus([0.5, 1.0, 3.0, 0.8])
    loo = leave_one_paper_out(eff)
    conform(loo, "stats_leave_one_out")
    assert sorted(loo["left_out"].unique()) == ["p0", "p1", "p2", "p3"]
    est = loo[loo["metric_family"] == "all"].set_index("left_out")["estimate"]
    assert est["p2"] == est.min()  # dropping the outlier lowers the estimate most
    assert (loo["k"] == 3).all()


def test_plots_return_figures() -> None:
    eff = _corpus([0.5, 1.0, 1.5, 0.8])
    fig = forest_plot(eff, dimension="accuracy")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.patches, "pooled diamond missing"
    assert any(line.get_color() == "tab:red" for line in ax.lines), "prediction interval missing"
    assert isinstance(funnel_plot(eff), Figure)
    assert isinstance(forest_plot(eff, scale="log_ratio"), Figure)  # empty selection


def test_dl_truncates_negative_tau2_to_fixed_effect() -> None:
    # Q < df: the DL moment estimate is negative; DerSimonian & Laird truncate it at 0,
    # which gives the inverse-variance fixed-effect estimate.
    y = np.array([0.10, 0.12, 0.11, 0.09])
    v = np.array([0.01, 0.02, 0.015, 0.01])
    for method in ("DL", "PM", "REML"):
        r = random_effects(y, v, method)  # type: ignore[arg-type]
        assert r.tau2 == 0.0 and r.i2 == 0.0
        assert r.estimate == pytest.approx(np.sum(y / v) / np.sum(1 / v))


def test_modified_egger_holds_its_level_where_classical_egger_fails() -> None:
    # Null simulation (no publication bias, no heterogeneity, 3-10 runs per group, k = 15):
    # Pustejovsky & Rodgers (2019) show that Egger's test with the usual SE of Hedges' g
    # rejects far too often when g is large; the modified SE sqrt(1/n1 + 1/n2) holds alpha.
    from lnnmeta.stats.bias import egger_null_rate

    for g in (1.0, 2.0, 3.0):
        rate = egger_null_rate(g, replications=300, seed=1)
        assert 0.01 <= rate <= 0.095  # 5 % +- ~3.5 Monte Carlo SE (sqrt(.05 .95 / 300) = .0126)
    assert egger_null_rate(2.0, replications=300, modified=False, seed=1) > 0.3


def test_egger_is_not_run_on_reruns() -> None:
    eff = _corpus([1.0, 2.0, 0.5]).assign(source="rerun")
    assert egger_test(eff).empty
