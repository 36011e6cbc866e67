"""Literature layer: pairing, signs, spreads, copied rows, schema."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lnnmeta.stats import hedges_g, literature_effects, spread_to_sd, spread_to_se
from lnnmeta.tables import conform
from tests.stats.builders import reported_frame


def _acc(model: str, family: str, value: float, **kw: object) -> dict[str, object]:
    return {"model": model, "family": family, "value": value, **kw}


def test_pairs_every_lnn_with_every_rnn_within_a_column_only() -> None:
    rows = [
        _acc("LTC", "LNN", 90),
        _acc("CfC", "LNN", 91),
        _acc("LSTM", "RNN", 88),
        _acc("GRU", "RNN", 89),
        _acc("Transformer", "other", 95),
        _acc("LTC", "LNN", 70, column_id="c2"),
        _acc("LSTM", "RNN", 75, table_id="t2"),
    ]
    eff = literature_effects(reported_frame(rows))
    assert len(eff) == 4
    assert set(zip(eff["lnn_model"], eff["rnn_model"], strict=True)) == {
        ("LTC", "LSTM"),
        ("LTC", "GRU"),
        ("CfC", "LSTM"),
        ("CfC", "GRU"),
    }
    assert eff["cluster_id"].nunique() == 1
    conform(eff, "stats_effects")


def test_signs_positive_means_lnn_better() -> None:
    rows = [
        # accuracy, no spread: raw difference, positive
        _acc("LTC", "LNN", 92),
        _acc("LSTM", "RNN", 90),
        # error (lower is better): log ratio, LNN lower -> positive
        _acc("LTC", "LNN", 0.5, metric="mse", higher_is_better=False, column_id="e"),
        _acc("LSTM", "RNN", 1.0, metric="mse", higher_is_better=False, column_id="e"),
        # cost: LNN has more parameters -> negative
        _acc(
            "LTC",
            "LNN",
            4000,
            metric="params",
            metric_family="parameters",
            dimension="efficiency",
            higher_is_better=False,
            column_id="p",
        ),
        _acc(
            "LSTM",
            "RNN",
            1000,
            metric="params",
            metric_family="parameters",
            dimension="efficiency",
            higher_is_better=False,
            column_id="p",
        ),
    ]
    eff = literature_effects(reported_frame(rows)).set_index("metric")
    assert eff.loc["accuracy", "effect"] == pytest.approx(2.0)
    assert eff.loc["accuracy", "effect_kind"] == "raw_difference_no_spread"
    assert math.isnan(eff.loc["accuracy", "variance"])
    assert eff.loc["mse", "effect"] == pytest.approx(math.log(2.0))
    assert eff.loc["mse", "effect_kind"] == "log_ratio_no_spread"
    assert eff.loc["params", "effect"] == pytest.approx(-math.log(4.0))
    assert eff.loc["params", "scale"] == "log_ratio"


def test_hedges_g_used_with_std_and_n_and_sign_flipped_for_lower_is_better() -> None:
    spread = {"spread_kind": "std", "n_runs": 5}
    rows = [
        _acc("LTC", "LNN", 92, spread=1.0, **spread),
        _acc("LSTM", "RNN", 90, spread=1.5, **spread),
        _acc(
            "LTC",
            "LNN",
            -1.0,
            metric="nll",
            higher_is_better=False,
            column_id="n",
            spread=0.1,
            **spread,
        ),
        _acc(
            "LSTM",
            "RNN",
            -0.8,
            metric="nll",
            higher_is_better=False,
            column_id="n",
            spread=0.1,
            **spread,
        ),
    ]
    eff = literature_effects(reported_frame(rows)).set_index("metric")
    g, v = hedges_g(92, 1.0, 5, 90, 1.5, 5)
    assert eff.loc["accuracy", "effect"] == pytest.approx(float(g))
    assert eff.loc["accuracy", "variance"] == pytest.approx(float(v))
    assert eff.loc["accuracy", "effect_kind"] == "hedges_g"
    # lower is better with non-positive values: Hedges' g, negated (LNN lower -> positive)
    assert eff.loc["nll", "effect_kind"] == "hedges_g"
    assert eff.loc["nll", "effect"] > 0


def test_log_ratio_delta_method_variance() -> None:
    sp = {"metric": "mse", "higher_is_better": False, "spread_kind": "sem"}
    rows = [_acc("LTC", "LNN", 0.5, spread=0.05, **sp), _acc("GRU", "RNN", 1.0, spread=0.2, **sp)]
    eff = literature_effects(reported_frame(rows))
    assert eff["effect_kind"].iloc[0] == "log_ratio"
    assert eff["variance"].iloc[0] == pytest.approx(0.05**2 / 0.25 + 0.2**2 / 1.0)


def test_spread_conversions() -> None:
    sd = spread_to_sd(
        [2.0, 1.0, 1.0, 3.0, 1.0],
        ["std", "sem", "sem", "range", "ci95"],
        [np.nan, 4, np.nan, 5, 10],
    )
    assert sd[0] == 2.0 and sd[1] == 2.0 and math.isnan(sd[2]) and math.isnan(sd[3])
    # ci95 half-width 1 with n = 10: sd = sqrt(10) / t_{0.975, 9} (Cochrane Handbook 6.5.2.2)
    assert sd[4] == pytest.approx(math.sqrt(10) / 2.2621571627, rel=1e-8)
    se = spread_to_se([2.0, 0.5, 1.96], ["std", "sem", "ci95"], [4, np.nan, np.nan])
    assert se == pytest.approx([1.0, 0.5, 1.96 / 1.959963984540054])


def test_copied_pairs_are_attributed_to_the_source_and_counted_once() -> None:
    src = [_acc("LTC", "LNN", 90, paper_key="src"), _acc("LSTM", "RNN", 88, paper_key="src")]
    # Two papers copy both numbers from "src": the same observation, counted once (the source's).
    copy = [
        _acc("LTC", "LNN", 90, paper_key=p, copied_from="src") for p in ("citer1", "citer2")
    ] + [_acc("LSTM", "RNN", 88, paper_key=p, copied_from="src") for p in ("citer1", "citer2")]
    # citer1 also compares its own CfC with the copied LSTM: its evidence, flagged as copied.
    own = [_acc("CfC", "LNN", 93, paper_key="citer1")]
    eff = literature_effects(reported_frame(src + copy + own))
    ltc = eff[eff["lnn_model"] == "LTC"]
    assert len(ltc) == 1
    assert ltc["evidence_paper"].iloc[0] == "src" and not ltc["copied"].iloc[0]
    cfc = eff[eff["lnn_model"] == "CfC"]
    assert len(cfc) == 1
    assert cfc["evidence_paper"].iloc[0] == "citer1"
    assert bool(cfc["copied"].iloc[0]) and cfc["copied_from"].iloc[0] == "src"


def test_copied_pair_without_source_in_corpus_is_kept_once_for_the_source() -> None:
    rows = [_acc("LTC", "LNN", 90, paper_key=p, copied_from="absent") for p in ("a", "b")] + [
        _acc("GRU", "RNN", 80, paper_key=p, copied_from="absent") for p in ("a", "b")
    ]
    eff = literature_effects(reported_frame(rows))
    assert len(eff) == 1
    assert eff["evidence_paper"].iloc[0] == "absent"
    assert "attributed to the source" in eff["note"].iloc[0]


def test_no_pairs_and_missing_values_are_handled() -> None:
    assert literature_effects(reported_frame([_acc("LTC", "LNN", 90)])).empty
    rows = [_acc("LTC", "LNN", float("nan")), _acc("LSTM", "RNN", 88)]
    eff = literature_effects(reported_frame(rows, validate=False))
    assert eff["effect_kind"].iloc[0] == "undefined" and math.isnan(eff["effect"].iloc[0])
