"""The curated literature files load, normalize and regenerate their tables."""

from __future__ import annotations

import pandas as pd
import pytest

from lnnmeta.literature.loader import load_literature
from lnnmeta.literature.survey import conflicts, quality_summary, regenerate_tables
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
    assert set(reported["dimension"]) == {"accuracy", "efficiency", "generalization"}


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
    t3 = tables[("hasani2021ltc", "t3")]
    assert t3["Model"].tolist() == ["LSTM", "CT-RNN", "Neural ODE", "CT-GRU", "LTC"]
    assert t3.shape[1] == 8  # model + seven data sets
    assert "64.57 ± 0.59" in t3.iloc[0].tolist()


def test_quality_and_conflicts(reported: pd.DataFrame) -> None:
    q = quality_summary(reported)
    assert q["numbers"].sum() == len(reported)
    c = conflicts(reported)
    assert {"task", "model", "metric", "values", "papers"} <= set(c.columns)
