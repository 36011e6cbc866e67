"""Issue 13, literature classification: each number is pooled only with numbers of the same kind.

Every expectation below was read in the paper's own text (quoted in the YAML notes and in the
docstring of :mod:`lnnmeta.literature.vocabulary`):

* NCP Table 1 (Lechner et al. 2020) prints "Training square error" beside "Test squared error";
* Latent ODE variants and RNN-VAE are "encoder-decoder ODE-RNN based models" (CfC, Baselines), IP-Nets
  an interpolation network followed by a prediction network: family ``other``; NRDE/NCDE are
  "continuous RNNs" (Liquid-S4, Section 2) and stay ``RNN`` in every paper;
* LTC Table 2's caption states no spread kind and its computational depth serves the
  trajectory-length (expressivity) analysis;
* Liquid-S4: "All reported results are validation accuracy ... except for the BIDMC dataset"
  (Section S2).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from lnnmeta.literature.loader import load_literature, load_paper
from lnnmeta.literature.vocabulary import canonical_model
from lnnmeta.stats import literature_effects
from lnnmeta.stats.meta import pool_effects
from tests.conftest import ROOT

#: The dimensions the claims and the per-dimension verdicts are about.
COMPARED = {"accuracy", "efficiency", "generalization"}


@pytest.fixture(scope="module")
def reported() -> pd.DataFrame:
    df, _ = load_literature(ROOT / "config/literature")
    return df


@pytest.fixture(scope="module")
def effects(reported: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return literature_effects(reported)


def _cells(reported: pd.DataFrame, paper: str, location: str) -> pd.DataFrame:
    return reported[(reported["paper_key"] == paper) & (reported["location"] == location)]


def test_ncp_table1_training_error_is_not_accuracy(
    reported: pd.DataFrame, effects: pd.DataFrame
) -> None:
    t1 = _cells(reported, "lechner2020ncp", "Table 1")
    train = t1[t1["column_id"] == "train_error"]
    assert len(train) == 15  # 15 models, one training error each
    assert set(train["metric"]) == {"train_error"}
    assert set(train["dimension"]) == {"training_fit"}
    assert set(train["metric_family"]) == {"error"} and not train["higher_is_better"].any()
    # The test column stays an accuracy measure (test squared error, lower is better).
    test = t1[t1["column_id"] == "test_error"]
    assert set(test["metric"]) == {"mse"} and set(test["dimension"]) == {"accuracy"}
    # No accuracy-dimension effect and no pooled accuracy row is built from a training error.
    acc = effects[effects["dimension"] == "accuracy"]
    assert "train_error" not in set(acc["metric"])
    assert set(effects.loc[effects["metric"] == "train_error", "dimension"]) == {"training_fit"}


def test_encoder_decoder_models_are_other_in_every_paper(
    reported: pd.DataFrame, effects: pd.DataFrame
) -> None:
    printed = {
        ("hasani2021ltc", "Latent ODE"): "Latent ODE",
        ("hasani2021ltc", "Latent ODE (D enc.)"): "Latent-ODE-RNN",
        ("hasani2021ltc", "Latent ODE(C enc.)"): "Latent-ODE-ODE",
        ("hasani2021ltc", "RNN-VAE"): "RNN-VAE",
        ("hasani2022cfc", "Latent-ODE-RNN"): "Latent-ODE-RNN",
        ("hasani2022cfc", "Latent-ODE-ODE"): "Latent-ODE-ODE",
        ("hasani2022cfc", "RNN-VAE"): "RNN-VAE",
        ("hasani2022cfc", "IP-Nets"): "IP-Nets",
    }
    for (paper, name), canonical in printed.items():
        rows = reported[(reported["paper_key"] == paper) & (reported["model_as_printed"] == name)]
        assert not rows.empty, (paper, name)
        assert set(rows["model"]) == {canonical}, (paper, name)
        assert set(rows["family"]) == {"other"}, (paper, name)
    # The vocabulary agrees, so a new paper printing these names gets the same family.
    for name in ("Latent ODE", "Latent ODE (D enc.)", "Latent ODE(C enc.)", "RNN-VAE", "IP-Nets"):
        assert canonical_model(name) is not None and canonical_model(name)[1] == "other", name
    # None of them is an RNN side of an LNN-vs-RNN pair.
    assert not set(effects["rnn_model"]) & set(printed.values())


def test_ncde_family_is_rnn_in_every_paper(reported: pd.DataFrame) -> None:
    # One reading for NRDE/NCDE/Log-NCDE across papers (Liquid-S4 Tables 2 and S2, LrcSSM Table 1).
    rows = reported[reported["model"].isin(["NRDE", "NCDE", "Log-NCDE"])]
    assert set(rows["paper_key"]) == {"hasani2022liquids4", "farsang2025lrcssm"}
    assert set(rows["family"]) == {"RNN"}


def test_ltc_table2_spread_kind_unstated_and_not_efficiency(
    reported: pd.DataFrame, effects: pd.DataFrame
) -> None:
    t2 = _cells(reported, "hasani2021ltc", "Table 2")
    assert len(t2) == 12  # 3 models x 4 activations
    assert set(t2["spread_kind"]) == {"unstated"}  # not "std": the caption names no spread
    assert set(t2["metric"]) == {"computational_depth"}
    assert set(t2["dimension"]) == {"expressivity"}
    assert "computational_depth" not in set(
        effects.loc[effects["dimension"] == "efficiency", "metric"]
    )
    # An unstated spread gives no variance: the solver-step counts are never pooled (k = 0).
    depth = effects[effects["metric"] == "computational_depth"]
    assert len(depth) == 8 and depth["variance"].isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        meta = pool_effects(effects, methods=("REML",), scopes=("overall",))
    assert (meta.loc[meta["dimension"] == "expressivity", "k"] == 0).all()
    assert not (meta["measure"] == "computational_depth").any()


def test_liquid_s4_validation_accuracy_is_not_pooled_with_test_accuracy(
    reported: pd.DataFrame, effects: pd.DataFrame
) -> None:
    paper = reported[reported["paper_key"] == "hasani2022liquids4"]
    scores = paper[paper["metric_family"] == "score"]
    for loc in ("Table 1", "Table 3", "Table 4", "Table S2"):
        sel = scores[scores["location"] == loc]
        assert not sel.empty, loc
        assert set(sel["metric"]) == {"val_accuracy"}, loc
        assert set(sel["dimension"]) == {"validation"}, loc
    # BIDMC (Table 2) is on the test set: RMSE in the accuracy dimension, spread kind unstated.
    bidmc = paper[paper["location"] == "Table 2"]
    assert set(bidmc["metric"]) == {"rmse"} and set(bidmc["dimension"]) == {"accuracy"}
    assert set(bidmc.loc[bidmc["spread"].notna(), "spread_kind"]) == {"unstated"}
    # No compared dimension holds a validation score, and validation holds nothing else.
    assert not (reported["dimension"].isin(COMPARED) & (reported["metric"] == "val_accuracy")).any()
    assert set(reported.loc[reported["dimension"] == "validation", "metric"]) == {"val_accuracy"}
    assert set(effects.loc[effects["metric"] == "val_accuracy", "dimension"]) == {"validation"}


def test_no_two_printed_names_of_a_table_share_a_canonical_name(reported: pd.DataFrame) -> None:
    names = reported.groupby(["paper_key", "table_id", "model"])["model_as_printed"].nunique()
    assert names.max() == 1, names[names > 1]


def test_distinct_names_for_s4_variants_and_unit_counts(reported: pd.DataFrame) -> None:
    lra = _cells(reported, "hasani2022liquids4", "Table 1")
    canon = dict(zip(lra["model_as_printed"], lra["model"], strict=False))
    assert canon["S4 (original)"] == "S4"
    wanted = ["S4-LegS", "S4-FouT", "S4-LegS/FouT", "S4D-LegS", "S4D-Inv", "S4D-Lin", "DSS", "S5"]
    assert [canon[m] for m in wanted] == wanted
    # "S4-(LegS/FouT)" (Tables 2-4) is the same model as Table 1's "S4-LegS/FouT".
    bidmc = _cells(reported, "hasani2022liquids4", "Table 2")
    assert set(bidmc.loc[bidmc["model_as_printed"] == "S4-(LegS/FouT)", "model"]) == {
        "S4-LegS/FouT"
    }
    ncp = _cells(reported, "lechner2020ncp", "Table 1")
    units = ncp[ncp["model_as_printed"].str.contains("units")]
    assert (units["model"] == units["model_as_printed"]).all()
    assert units["model"].nunique() == 8  # CT-RNN, Sparse CT-RNN, LSTM, Sparse LSTM x 19/64 units
    assert {"LSTM (19 units)", "LSTM (64 units)"} <= set(units["model"])


def test_a_spread_without_kind_is_unstated_not_std(tmp_path: Path) -> None:
    """The loader never assumes that an unnamed spread is a standard deviation."""
    text = (ROOT / "config/literature/hasani2021ltc.yaml").read_text(encoding="utf-8")
    assert "    spread_kind: unstated\n" in text
    path = tmp_path / "hasani2021ltc.yaml"
    path.write_text(text.replace("    spread_kind: unstated\n", "", 1), encoding="utf-8")
    rows = pd.DataFrame(load_paper(path).rows)
    t2 = rows[rows["location"] == "Table 2"]
    assert set(t2["spread_kind"]) == {"unstated"}
    # Tables that state their spread keep it.
    assert set(rows.loc[rows["location"] == "Table 3", "spread_kind"]) == {"std"}
