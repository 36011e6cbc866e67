"""The literature sensitivity table (rule pool_effects) holds the numbers the report formats."""

from __future__ import annotations

import pandas as pd
import pytest

from lnnmeta import stats
from lnnmeta.literature.loader import load_literature
from lnnmeta.tables import conform
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def pooled() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    reported, _ = load_literature(ROOT / "config/literature")
    effects = stats.literature_effects(reported)
    meta = stats.pool_effects(effects, alpha=0.1)
    loo = stats.leave_one_paper_out(effects, alpha=0.1)
    return effects, meta, loo


def test_one_row_per_pooled_dimension_and_scale(
    pooled: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    effects, meta, loo = pooled
    sens = stats.literature_sensitivity(meta, loo, effects, alpha=0.1)
    conform(sens, "stats_literature_sensitivity")
    base = meta[(meta["scope"] == "overall") & (meta["metric_family"] == "all") & (meta["k"] > 0)]
    assert len(sens) == base.groupby(["dimension", "scale"]).ngroups > 0
    for _, r in sens.iterrows():
        here = base[(base["dimension"] == r["dimension"]) & (base["scale"] == r["scale"])]
        for method, prefix in (("REML", "reml"), ("DL", "dl")):
            row = here[here["method"] == method].iloc[0]
            assert r[f"{prefix}_k"] == row["k"]
            assert r[f"{prefix}_estimate"] == pytest.approx(row["estimate"])
            assert r[f"{prefix}_ci_low"] == pytest.approx(row["ci_low"])  # at alpha 0.1
        left = loo[
            (loo["dimension"] == r["dimension"])
            & (loo["scale"] == r["scale"])
            & (loo["metric_family"] == "all")
            & loo["estimate"].notna()
        ]
        assert r["loo_n"] == len(left)
        if len(left):
            assert r["loo_min"] == pytest.approx(left["estimate"].min())
            assert r["loo_max"] == pytest.approx(left["estimate"].max())
        assert 0 <= r["loo_excluding_zero"] <= r["loo_n"]


def test_without_copies_pools_fewer_or_as_many(
    pooled: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    effects, meta, loo = pooled
    sens = stats.literature_sensitivity(meta, loo, effects, alpha=0.1)
    both = sens.dropna(subset=["no_copies_k"])
    assert (both["no_copies_k"] <= both["reml_k"]).all()


def test_nothing_pooled_gives_an_empty_table() -> None:
    empty = stats.literature_sensitivity(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    assert empty.empty
    conform(empty, "stats_literature_sensitivity")
