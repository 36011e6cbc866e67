"""Across-task rank tests: degenerate inputs, orientation, Bayesian test, diagrams."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure

from lnnmeta.stats import rank_tests
from lnnmeta.tables import conform
from tests.stats.builders import runs_frame, scores_to_runs


def _scores(n_tasks: int, rng: np.random.Generator) -> dict[str, dict[str, list[float]]]:
    out = {}
    for t in range(n_tasks):
        base = rng.uniform(0.6, 0.9)
        out[f"task{t}"] = {
            "LTC": list(base + 0.05 + rng.normal(0, 0.005, 3)),
            "CfC": list(base + 0.02 + rng.normal(0, 0.005, 3)),
            "LSTM": list(base + rng.normal(0, 0.005, 3)),
        }
    return out


def test_rank_tests_tables_and_figures(rng: np.random.Generator) -> None:
    res = rank_tests(
        scores_to_runs(_scores(8, rng)), rope=0.01, measures=["score", "n_params"], n_samples=1000
    )
    for frame, name in [
        (res.friedman, "stats_rank_friedman"),
        (res.mean_ranks, "stats_rank_means"),
        (res.pairwise, "stats_rank_pairwise"),
    ]:
        conform(frame, name)
    score = res.friedman.set_index("measure").loc["score"]
    assert score["n_tasks"] == 8 and score["p_value"] < 0.01
    ranks = res.mean_ranks[res.mean_ranks["measure"] == "score"].set_index("model")["mean_rank"]
    assert ranks.to_dict() == {"LTC": 1.0, "CfC": 2.0, "LSTM": 3.0}
    pw = res.pairwise[res.pairwise["measure"] == "score"]
    ltc = pw[(pw["model_a"] == "LTC") & (pw["model_b"] == "LSTM")]
    if ltc.empty:
        ltc = pw[(pw["model_a"] == "LSTM") & (pw["model_b"] == "LTC")]
    row = ltc.iloc[0]
    assert row["p_a_better"] + row["p_rope"] + row["p_b_better"] == pytest.approx(1.0)
    ltc_better = row["p_a_better"] if row["model_a"] == "LTC" else row["p_b_better"]
    assert ltc_better > 0.95
    # Pairs within a family get no Bayesian test.
    same = pw[(pw["family_a"] == pw["family_b"])]
    assert same["p_a_better"].isna().all()
    assert isinstance(res.figures["score"], Figure)
    # Efficiency measures are present (identical values: all tied, with a note).
    eff = res.friedman.set_index("measure").loc["n_params"]
    assert "tied" in eff["note"]


def test_lower_is_better_orientation() -> None:
    scores = {f"t{i}": {"LTC": [0.1 + i], "LSTM": [0.2 + i], "GRU": [0.3 + i]} for i in range(4)}
    res = rank_tests(
        scores_to_runs(scores, higher_is_better=False),
        measures=["score"],
        n_samples=500,
        figures=False,
    )
    ranks = res.mean_ranks.set_index("model")["mean_rank"]
    assert ranks["LTC"] == 1.0 and ranks["GRU"] == 3.0


def test_degenerate_inputs_give_notes() -> None:
    one_task = rank_tests(
        scores_to_runs({"t": {"LTC": [0.9], "LSTM": [0.8]}}), measures=["score"], n_samples=200
    )
    row = one_task.friedman.iloc[0]
    assert "Friedman needs" in row["note"]
    pair = one_task.pairwise.iloc[0]
    assert pair["note"] == "fewer than 2 tasks" and np.isnan(pair["p_value"])
    assert isinstance(one_task.figures["score"], Figure)
    one_model = rank_tests(
        scores_to_runs({"t": {"LTC": [0.9]}, "u": {"LTC": [0.8]}}),
        measures=["score"],
        figures=False,
    )
    assert one_model.pairwise.empty and one_model.friedman["n_models"].iloc[0] == 1
    equal = {f"t{i}": {"LTC": [0.5], "LSTM": [0.5], "GRU": [0.5]} for i in range(5)}
    eq = rank_tests(scores_to_runs(equal), measures=["score"], n_samples=200, figures=False)
    assert (eq.pairwise["p_value"] == 1.0).all()
    assert (eq.pairwise.dropna(subset=["p_rope"])["bayes_verdict"] == "equivalent").all()
    empty = rank_tests(scores_to_runs(equal).iloc[0:0])
    assert empty.friedman.empty and not empty.figures


def test_incomplete_tasks_are_dropped_with_a_note() -> None:
    scores: dict[str, dict[str, list[float]]] = {
        f"t{i}": {"LTC": [0.9], "LSTM": [0.8], "GRU": [0.7]} for i in range(3)
    }
    scores["t_missing"] = {"LTC": [0.9], "LSTM": [0.8]}
    res = rank_tests(scores_to_runs(scores), measures=["score"], figures=False, n_samples=200)
    row = res.friedman.iloc[0]
    assert row["n_tasks"] == 3 and "1 task(s)" in row["note"]


def test_generalization_drop_measure() -> None:
    rows: list[dict[str, Any]] = []
    for i in range(4):
        for model, drop in (("LTC", 0.05), ("LSTM", 0.2), ("GRU", 0.1)):
            rows.append({"task": f"t{i}", "model": model, "seed": 0, "value": 0.9})
            rows.append(
                {
                    "task": f"t{i}",
                    "model": model,
                    "seed": 0,
                    "value": 0.9 - drop,
                    "condition": "noise_0.1",
                    "condition_kind": "noise",
                    "condition_level": 0.1,
                }
            )
    res = rank_tests(runs_frame(rows), measures=["drop:noise_0.1"], n_samples=500, figures=False)
    ranks = res.mean_ranks.set_index("model")["mean_rank"]
    assert ranks["LTC"] == 1.0 and ranks["LSTM"] == 3.0


def test_rope_is_a_relative_difference() -> None:
    """``rope`` is relative to each task's scale (config schema, analysis.rope), not metric units.

    baycomp's SignedRankTest compares the differences with ``rope`` in the units of the values it
    is given; rank_tests gives it each task's values divided by the task's mean absolute value.
    """
    base = {"t0": 90.0, "t1": 0.02, "t2": 3.0, "t3": 450.0, "t4": 70.0, "t5": 0.5, "t6": 12.0}
    # LTC is 0.2 % better on every task: 0.18 accuracy points on t0, 0.00004 on t1.
    scores = {t: {"LTC": [v * 1.002], "LSTM": [v]} for t, v in base.items()}
    res = rank_tests(scores_to_runs(scores), rope=0.01, measures=["score"], figures=False)
    row = res.pairwise.iloc[0]
    assert row["rope"] == 0.01
    assert row["bayes_verdict"] == "equivalent" and row["p_rope"] > 0.95
    # The same data in other units (t3 in thousandths): the relative test does not change.
    scaled = {**scores, "t3": {m: [v[0] * 1000] for m, v in scores["t3"].items()}}
    again = rank_tests(scores_to_runs(scaled), rope=0.01, measures=["score"], figures=False)
    assert again.pairwise.iloc[0]["p_rope"] == pytest.approx(row["p_rope"])
    # 3 % better everywhere lies outside a 1 % rope: LTC is better, whatever the units.
    better = {t: {"LTC": [v * 1.03], "LSTM": [v]} for t, v in base.items()}
    out = rank_tests(scores_to_runs(better), rope=0.01, measures=["score"], figures=False)
    assert out.pairwise.iloc[0]["bayes_verdict"] in {"a better", "b better"}
    a_is_ltc = out.pairwise.iloc[0]["model_a"] == "LTC"
    assert out.pairwise.iloc[0]["bayes_verdict"] == ("a better" if a_is_ltc else "b better")


_CD_SCRIPT = """
import hashlib, io
import pandas as pd
from lnnmeta.stats.ranks import cd_diagram
models = ["ltc", "cfc", "cfc_mm", "gru", "lstm", "rnn", "ctrnn", "ltc_ncp"]
ranks = pd.Series({m: 2.0 + 0.5 * i for i, m in enumerate(models)})
pairs = pd.DataFrame(
    [{"model_a": a, "model_b": b, "p_holm": 0.001 if (a, b) == ("ltc", "ltc_ncp") else 0.5}
     for i, a in enumerate(models) for b in models[i + 1:]]
)
buf = io.BytesIO()
cd_diagram(ranks, pairs, "t", 2.0).savefig(buf, format="png", metadata={"Software": None})
print(hashlib.sha1(buf.getvalue()).hexdigest())
"""


def test_cd_diagram_is_the_same_picture_whatever_the_string_hash() -> None:
    """Same data, same pixels: scikit-posthocs joins a bar's models in set order (the string hash
    of PYTHONHASHSEED); cd_diagram draws every bar left to right."""
    import os
    import subprocess
    import sys

    digests = {
        subprocess.run(
            [sys.executable, "-c", _CD_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": seed, "OMP_NUM_THREADS": "1"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
