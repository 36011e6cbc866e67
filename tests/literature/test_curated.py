"""The curated literature files load, normalize and regenerate their tables."""

from __future__ import annotations

import pandas as pd
import pytest

from lnnmeta.literature.loader import load_literature
from lnnmeta.literature.survey import (
    CONFLICT_COLUMNS,
    conflicts,
    quality_summary,
    regenerate_tables,
)
from lnnmeta.tables import conform
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def reported() -> pd.DataFrame:
    df, _ = load_literature(ROOT / "config/literature")
    return df


def test_every_row_has_provenance_and_matches_schema(reported: pd.DataFrame) -> None:
    conform(reported, "reported")
    assert reported["source"].str.contains("Table").all()
    assert set(reported["family"]) <= {"LNN", "RNN", "other"}
    # Issue 13: training error, validation scores and untrained-network properties are kept apart
    # from the compared dimensions; no curated paper prints a test-set generalization number with
    # an RNN baseline (Liquid-S4's 8kHz zero-shot columns are validation accuracy).
    assert set(reported["dimension"]) == {
        "accuracy",
        "efficiency",
        "training_fit",
        "validation",
        "expressivity",
    }


def test_spot_values_as_printed(reported: pd.DataFrame) -> None:
    # Hasani et al. 2021 (AAAI), Table 3: LSTM on hand gesture segmentation, 64.57 ± 0.59 (%).
    row = reported[
        (reported["paper_key"] == "hasani2021ltc")
        & (reported["location"] == "Table 3")
        & (reported["model"] == "LSTM")
        & (reported["task"] == "gesture_segmentation")
    ]
    assert row[["value", "spread"]].values.tolist() == [[64.57, 0.59]]
    assert row["n_runs"].iloc[0] == 5


def test_unit_fix_fraction_to_percent(reported: pd.DataFrame) -> None:
    # CfC preprint, PhysioNet: the header says AUC (%) but the values are fractions.
    rows = reported[
        (reported["paper_key"] == "hasani2022cfc")
        & (reported["task"] == "physionet")
        & (reported["metric"] == "auc")
    ]
    assert (rows["unit_fixed_from"] == "percent").all()
    assert ((rows["value"] > 1) & (rows["value"] <= 100)).all()
    assert (rows["value"] == rows["value_as_printed"] * 100).all()


def test_copied_rows_are_flagged(reported: pd.DataFrame) -> None:
    copied = reported[reported["copied_from"].notna()]
    assert "rubanova2019latent" in set(copied["copied_from"])
    assert (reported.loc[reported["model"] == "Liquid-S4", "copied_from"].isna()).all()


def test_regenerated_table_has_paper_shape(reported: pd.DataFrame) -> None:
    tables = regenerate_tables(reported)
    t3 = tables[("hasani2021ltc", "t3")]  # printed with the models as columns
    assert t3.columns[1:].tolist() == ["LSTM", "CT-RNN", "Neural ODE", "CT-GRU", "LTC"]
    assert t3.shape == (7, 6)  # seven data sets, label + five models
    assert "64.57 ± 0.59" in t3.iloc[0].tolist()


def test_quality_and_conflicts(reported: pd.DataFrame) -> None:
    q = quality_summary(reported)
    assert q["numbers"].sum() == len(reported)
    c = conflicts(reported)
    assert list(c.columns) == CONFLICT_COLUMNS
    # Never two columns of one table: each row pairs two different papers.
    assert (c["paper_a"].str.split(",").str[0] != c["paper_b"].str.split(",").str[0]).all()
    # Lane keeping, LSTM: CfC Table 3 prints 33,089 RNN parameters, NCP Table 2 prints 24,897;
    # the RNN-parameter columns are paired, the CfC total (259,733) is not compared with them.
    lstm = c[(c["task"] == "lane_keeping") & (c["model"] == "LSTM")]
    assert lstm[["value_a", "value_b"]].values.tolist() == [["33089", "24897"]]


def test_lrcssm_paper_numbers_and_marks(reported: pd.DataFrame) -> None:
    # Farsang & Grosu, NeurIPS 2025 (LrcSSM), Tables 1-2: 83 cells in Table 1 (12 models x 7
    # columns, the Transformer's EigenWorms cell prints OOM) and 28 in Table 2 (4 models x 7).
    paper = reported[reported["paper_key"] == "farsang2025lrcssm"]
    assert len(paper) == 111
    assert paper.groupby("location").size().to_dict() == {"Table 1": 83, "Table 2": 28}
    # Copied baselines: nine rows marked † (from Rusch & Rus 2025), two marked ‡ (Moreno-Pino et al.).
    copied = paper[paper["copied_from"].notna()]
    assert copied.groupby("copied_mark").size().to_dict() == {"†": 63, "‡": 13}
    assert set(copied["copied_from"]) == {"rusch2025linoss", "morenopino2024rough"}
    assert paper.loc[paper["model"] == "LrcSSM", "copied_from"].isna().all()
    # Table 1, LrcSSM (Ours) on EigenWorms: 90.6 ± 1.4 (%), 5 seeds, standard deviation.
    worms = paper[
        (paper["location"] == "Table 1")
        & (paper["model_as_printed"] == "LrcSSM (Ours)")
        & (paper["task"] == "uea_eigenworms")
    ]
    assert worms[["value", "spread", "n_runs", "spread_kind"]].values.tolist() == [
        [90.6, 1.4, 5, "std"]
    ]
    # Table 2, LstmSSM average: printed "62.34 ± 8.0"; the average's spread is a standard error
    # across the six data sets, not across runs.
    avg = paper[(paper["model"] == "LstmSSM") & (paper["task"] == "uea_average")]
    assert avg[["value_text", "spread_text", "spread_kind"]].values.tolist() == [
        ["62.34", "8.0", "sem"]
    ]
    assert avg["n_runs"].isna().all()


def test_lrcssm_model_families(reported: pd.DataFrame) -> None:
    paper = reported[reported["paper_key"] == "farsang2025lrcssm"]
    family = dict(zip(paper["model"], paper["family"], strict=True))
    assert family["LrcSSM"] == "LNN"
    # Non-linear recurrences: GRU/LSTM/MGU rewritten with a diagonal Jacobian, neural CDEs/RDEs.
    for m in ("MguSSM", "GruSSM", "LstmSSM", "NCDE", "NRDE", "Log-NCDE"):
        assert family[m] == "RNN", m
    # Linear state-space models and attention models.
    for m in ("LRU", "S5", "S6", "Mamba", "LinOSS-IMEX", "LinOSS-IM", "Transformer", "RFormer"):
        assert family[m] == "other", m


def test_lrcssm_table2_keeps_the_paper_orientation(reported: pd.DataFrame) -> None:
    paper = reported[reported["paper_key"] == "farsang2025lrcssm"]
    assert set(paper.loc[paper["location"] == "Table 2", "orientation"]) == {"models_as_columns"}
    assert set(paper.loc[paper["location"] == "Table 1", "orientation"]) == {"models_as_rows"}
