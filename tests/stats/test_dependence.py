"""Issue 13: degenerate spreads counted, ties kept as ties, copied numbers once, the three-level
model as the primary estimate, one row per efficiency measure, PI never narrower than the CI."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lnnmeta.stats import (
    cluster_effects,
    copies_sensitivity,
    effect_counts,
    literature_effects,
    pool_effects,
    pool_multilevel,
)
from lnnmeta.stats.literature import count_copies_once
from lnnmeta.tables import conform
from tests.stats.builders import reported_frame


def _row(model: str, family: str, value: float, sd: float, **kw: Any) -> dict[str, Any]:
    return {
        "model": model,
        "family": family,
        "value": value,
        "spread": sd,
        "spread_kind": "std",
        "n_runs": 5,
        **kw,
    }


def test_zero_spread_ties_are_counted_not_dropped() -> None:
    rows = [
        _row("LTC", "LNN", 100.0, 0.0),
        _row("CfC", "LNN", 100.0, 0.0),
        _row("LSTM", "RNN", 100.0, 0.0),
        _row("GRU", "RNN", 99.0, 0.0),
    ]
    eff = literature_effects(reported_frame(rows))
    assert set(eff["effect_kind"]) == {"degenerate_spread"}
    assert eff["variance"].isna().all()
    counts = effect_counts(eff)
    conform(counts, "stats_effect_counts")
    row = counts.iloc[0]
    assert (row["n_pairs"], row["n_ties"], row["n_degenerate_spread"]) == (4, 2, 4)
    assert row["n_zero_spread_both"] == 4 and row["n_variance_nan"] == 4
    assert row["n_with_variance"] == 0 and "not pooled" in row["rule"]


def test_best_vs_best_tie_is_a_tie_not_another_pairs_g() -> None:
    # Best LNN 100 +- 0 ties best RNN 100 +- 0; another LNN at 100 +- 0.5 would give a large g.
    rows = [
        _row("LTC", "LNN", 100.0, 0.0),
        _row("CfC", "LNN", 100.0, 0.5),
        _row("LSTM", "RNN", 100.0, 0.0),
        _row("GRU", "RNN", 90.0, 0.5),
    ]
    best = cluster_effects(literature_effects(reported_frame(rows)), dependence="best")
    assert best["effect"].iloc[0] == 0.0 and np.isnan(best["variance"].iloc[0])
    assert best["direction"].iloc[0] == 0.0


def _copied_corpus() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for paper, shift in (("pa", 0.0), ("pb", 1.0)):
        for i in range(3):
            rows.append(_row(f"L{i}", "LNN", 91.0 + i + shift, 1.0, paper_key=paper))
        rows.append(_row("LSTM", "RNN", 90.0, 1.0, paper_key=paper, copied_from="src"))
        rows.append(_row("GRU", "RNN", 89.0 + shift, 1.0, paper_key=paper))
    return rows


def test_each_copied_number_counts_once() -> None:
    eff = literature_effects(reported_frame(_copied_corpus()))
    assert int(eff["copied"].sum()) == 6  # 3 LNNs x the copied LSTM, in two papers
    once = count_copies_once(eff)
    copied = once[once["copied"]]
    assert len(copied) == 1  # one effect for the one copied number, in the first paper
    assert copied["paper_key"].iloc[0] == "pa"
    assert copied["lnn_model"].iloc[0].startswith("mean of")
    mine = eff[eff["copied"] & (eff["paper_key"] == "pa")]
    assert copied["effect"].iloc[0] == pytest.approx(mine["effect"].mean())
    assert copied["variance"].iloc[0] < mine["variance"].mean()  # averaging 3 correlated pairs
    assert len(once) == len(eff) - 5
    sens = copies_sensitivity(eff)
    conform(sens, "stats_sensitivity_copies")
    k = sens[sens["metric_family"] == "all"].set_index("variant")["k"]
    assert k.iloc[0] == 7 and k.iloc[1] == 12 and k.iloc[2] == 6


def test_three_level_is_reported_with_cr2_and_pi_covers_ci() -> None:
    rng = np.random.default_rng(3)
    rows: list[dict[str, Any]] = []
    for p in range(5):
        for t in range(3):
            for m in ("LTC", "CfC"):
                rows.append(
                    _row(
                        m,
                        "LNN",
                        90 + rng.normal(1, 1),
                        1.0,
                        paper_key=f"p{p}",
                        task=f"t{t}",
                        n_runs=4 + p,
                    )
                )
            rows.append(
                _row("LSTM", "RNN", 90.0, 1.0, paper_key=f"p{p}", task=f"t{t}", n_runs=4 + p)
            )
    eff = literature_effects(reported_frame(rows))
    ml = pool_multilevel(eff)
    conform(ml, "stats_meta")
    row = ml[ml["metric_family"] == "all"].iloc[0]
    assert row["method"] == "REML3" and row["k"] == 30 and row["n_outer"] == 5
    assert row["n_inner"] == 15 and 0 < row["df_robust"] <= 4
    assert row["ci_low_robust"] < row["estimate"] < row["ci_high_robust"]
    assert row["pi_low"] <= row["ci_low_robust"] and row["pi_high"] >= row["ci_high_robust"]
    reml = pool_effects(eff, methods=("REML",), scopes=("overall",))
    r = reml[reml["metric_family"] == "all"].iloc[0]
    assert r["pi_low"] <= r["ci_low"] and r["pi_high"] >= r["ci_high"]


def test_efficiency_is_pooled_one_measure_at_a_time() -> None:
    rows: list[dict[str, Any]] = []
    for p in range(3):
        for metric, base in (("time_per_epoch", 10.0), ("peak_memory", 100.0)):
            kw = {
                "paper_key": f"p{p}",
                "metric": metric,
                "metric_family": "cost",
                "dimension": "efficiency",
                "higher_is_better": False,
                "task": metric,
            }
            rows.append(_row("LTC", "LNN", base * (1.5 + p / 10), 0.1 * base, **kw))
            rows.append(_row("LSTM", "RNN", base, 0.1 * base, **kw))
    meta = pool_effects(literature_effects(reported_frame(rows)), scopes=("overall",))
    assert set(meta["measure"]) == {"time_per_epoch", "peak_memory"}
    assert "all" not in set(meta["metric_family"])


def test_a_zero_spread_on_one_side_gives_no_hedges_g() -> None:
    # CfC Table 4: CfC-mmRNN 100.00 +- 0.00 vs ODE-RNN 50.47 +- 0.06 gave g = 1054 (a ceiling at
    # 100 % whose spread is below the print precision, divided into the other side's tiny SD).
    rows = [_row("CfC-mmRNN", "LNN", 100.0, 0.0), _row("ODE-RNN", "RNN", 50.47, 0.06)]
    eff = literature_effects(reported_frame(rows))
    assert eff["effect_kind"].tolist() == ["degenerate_spread"]
    assert eff["effect"].iloc[0] > 0 and eff["variance"].isna().all()  # the sign is kept


def test_egger_and_funnel_count_each_copied_number_once() -> None:
    """The funnel's points and Egger's test use the effects the pooled estimate uses: each copied
    number once (the funnel is centred on that estimate)."""
    from lnnmeta.stats import egger_test
    from lnnmeta.stats.plots import funnel_table

    eff = literature_effects(reported_frame(_copied_corpus()))
    once = cluster_effects(count_copies_once(eff))
    every = cluster_effects(eff)
    once = once[np.isfinite(once["variance"]) & (once["variance"] > 0)]
    points = funnel_table(eff)
    scales = sorted(set(once["scale"]) & {"smd", "log_ratio"})
    assert scales
    for scale in scales:
        pts = points[points["scale"] == scale]["effect"].sort_values().to_numpy()
        ref = once[once["scale"] == scale]["effect"].sort_values().to_numpy()
        assert pts == pytest.approx(ref)
        all_copies = every[every["scale"] == scale]["effect"].sort_values().to_numpy()
        assert len(all_copies) != len(ref) or not np.allclose(all_copies, ref)
        egger = egger_test(eff)
        assert int(egger.loc[egger["scale"] == scale, "k"].iloc[0]) == len(ref)
