"""The forest and funnel tables of rule pool_effects (lnnmeta.stats.plots): their schemas, their
numbers against published values (metafor on dat.bcg) and against the pooled table, and figures
drawn from the stored rows equal to those drawn from the effects."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from lnnmeta import stats
from lnnmeta.literature.loader import load_literature
from lnnmeta.stats.plots import (
    draw_forest,
    draw_funnel,
    forest_rows,
    forest_table,
    funnel_plot,
    funnel_table,
)
from lnnmeta.stats.schemas import EFFECTS, FOREST_ROWS, FUNNEL_POINTS, typed_frame
from lnnmeta.tables import conform, read_table, write_table
from tests.conftest import ROOT
from tests.stats.test_reference_values import _bcg

#: z_{0.975} (Abramowitz & Stegun 1964, Table 26.5).
Z_975 = 1.959964


def _bcg_effects() -> pd.DataFrame:
    """dat.bcg as 13 reported comparisons of one LNN variant, one pair each (log risk ratios)."""
    yi, vi = _bcg()
    rows: list[dict[str, Any]] = [
        {
            "source": "reported",
            "paper_key": f"trial{i:02d}",
            "evidence_paper": f"trial{i:02d}",
            "location": "Table 1",
            "table_id": "t1",
            "column_id": "c1",
            "task": "bcg",
            "metric": "log_rr",
            "metric_family": "rate",
            "dimension": "accuracy",
            "higher_is_better": True,
            "cluster_id": f"trial{i:02d}|t1|c1",
            "lnn_model": "LTC",
            "rnn_model": "LSTM",
            "effect": y,
            "variance": v,
            "effect_kind": "log_ratio",
            "scale": "log_ratio",
            "copied": False,
        }
        for i, (y, v) in enumerate(zip(yi, vi, strict=True))
    ]
    return typed_frame(rows, EFFECTS)


def test_forest_rows_of_bcg_match_metafor() -> None:
    # metafor: rma(yi, vi, data = dat.bcg) -> estimate -0.7145, tau^2 0.3132, I^2 92.22%,
    # Q(df = 12) = 152.2330; test = "knha": CI [-1.1084, -0.3206] (metafor documentation of
    # dat.bcg / rma.uni; the same values as tests/stats/test_reference_values.py).
    yi, vi = _bcg()
    rows = forest_rows(_bcg_effects(), dimension="accuracy", scale="log_ratio")
    conform(rows, "stats_forest_rows")
    assert list(rows["kind"]) == ["header"] + ["study"] * 13 + ["subgroup", "overall"]
    for kind in ("subgroup", "overall"):
        r = rows[rows["kind"] == kind].iloc[0]
        assert r["effect"] == pytest.approx(-0.7145, abs=5e-5)
        assert r["tau2"] == pytest.approx(0.3132, abs=5e-5)
        assert r["i2"] == pytest.approx(92.22, abs=5e-3)
        assert r["q"] == pytest.approx(152.2330, abs=5e-5)
        assert (r["q_df"], r["k"]) == (12, 13)
        assert (r["low"], r["high"]) == pytest.approx((-1.1084, -0.3206), abs=5e-5)
    studies = rows[rows["kind"] == "study"].sort_values("evidence_paper")
    assert studies["effect"].to_numpy() == pytest.approx(yi)
    assert studies["low"].to_numpy() == pytest.approx(yi - Z_975 * np.sqrt(vi), abs=1e-5)
    assert studies["high"].to_numpy() == pytest.approx(yi + Z_975 * np.sqrt(vi), abs=1e-5)
    # Random-effects weights 1 / (v_i + tau^2) in % of their sum, at metafor's tau^2.
    w = 1 / (vi + 0.3132)
    assert studies["weight"].to_numpy() == pytest.approx(100 * w / w.sum(), abs=5e-3)


@pytest.fixture(scope="module")
def literature_effects() -> pd.DataFrame:
    reported, _ = load_literature(ROOT / "config/literature")
    return stats.literature_effects(reported)


def test_forest_table_overall_rows_are_the_pooled_table(literature_effects: pd.DataFrame) -> None:
    """Every reported REML row of the pooled table (all metric families) has its forest plot,
    whose overall row is that pooling: estimate, CI, prediction interval, heterogeneity, k."""
    table = forest_table(literature_effects)
    conform(table, FOREST_ROWS)
    meta = stats.pool_effects(literature_effects, methods=("REML",), scopes=("overall",))
    meta = meta[
        (meta["source"] == "reported") & (meta["metric_family"] == "all") & (meta["k"] >= 1)
    ]
    assert len(meta) >= 2
    overall = table[table["kind"] == "overall"].set_index(["dimension", "scale"])
    assert sorted(overall.index) == sorted(zip(meta["dimension"], meta["scale"], strict=True))
    for _, m in meta.iterrows():
        o = overall.loc[(m["dimension"], m["scale"])]
        assert int(o["k"]) == int(m["k"])
        got = [o[c] for c in ("effect", "low", "high", "pi_low", "pi_high", "tau2", "i2", "q")]
        want = [m[c] for c in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")]
        want += [m["tau2"], m["i2"], m["q"]]
        assert got == pytest.approx(want, nan_ok=True)
    # One block per plot, positions in printed order.
    for _, g in table.groupby(["source", "dimension", "scale"]):
        assert list(g["position"]) == list(range(len(g)))


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60, metadata={"Software": None})
    return buf.getvalue()


def test_forest_drawn_from_the_stored_table_is_the_same_figure(
    literature_effects: pd.DataFrame, tmp_path: Path
) -> None:
    import lnnmeta.stats.schemas  # noqa: F401 - registers the stats_* schemas

    path = tmp_path / "forest_rows.parquet"
    write_table(forest_table(literature_effects), path, "stats_forest_rows")
    stored = read_table(path, "stats_forest_rows")
    sel = stored[(stored["dimension"] == "accuracy") & (stored["scale"] == "smd")]
    drawn = draw_forest(sel, title="t", max_rows=30)
    direct = stats.forest_plots(
        literature_effects, dimension="accuracy", scale="smd", title="t", max_rows=30
    )
    assert len(drawn) == len(direct) >= 2
    assert [_png(a) for a in drawn] == [_png(b) for b in direct]
    # No rows: one figure that says so.
    empty = draw_forest(stored.iloc[:0], title="t")
    assert len(empty) == 1 and "no effects with a variance" in empty[0].axes[0].texts[0].get_text()


def test_funnel_points_are_egger_clusters_and_centre_is_the_pooled_estimate(
    literature_effects: pd.DataFrame,
) -> None:
    points = funnel_table(literature_effects)
    conform(points, FUNNEL_POINTS)
    # Egger's test on log ratios takes every cluster with a variance: the same k as the points.
    egger = stats.egger_test(literature_effects)
    row = egger[(egger["dimension"] == "accuracy") & (egger["scale"] == "log_ratio")].iloc[0]
    sel = points[(points["dimension"] == "accuracy") & (points["scale"] == "log_ratio")]
    assert len(sel) == int(row["k"]) > 0
    fig = draw_funnel(sel, 0.25, scale="log_ratio", title="t")
    centre = [ln for ln in fig.axes[0].lines if list(ln.get_xdata()) == [0.25, 0.25]]
    assert len(centre) == 1
    # funnel_plot's centre is the forest's overall row (each copied number once, as pooled).
    rows = forest_rows(literature_effects, dimension="accuracy", scale="log_ratio")
    est = float(rows.loc[rows["kind"] == "overall", "effect"].iloc[0])
    lines = funnel_plot(literature_effects, dimension="accuracy", scale="log_ratio").axes[0].lines
    assert any(list(ln.get_xdata()) == [est, est] for ln in lines)
