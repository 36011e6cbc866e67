"""Issue 16: the report answers first, states its limits, fits the printed page, links pooled numbers
to their effects, and draws forest plots as meta-analysts do.

The report tests build a report from the curated literature and a synthetic rerun grid shaped like
the default config (tests/report/synthetic.py), without running the workflow.
"""

from __future__ import annotations

import base64
import re
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lnnmeta import stats
from lnnmeta.literature.loader import load_literature
from lnnmeta.models import REGISTRY
from lnnmeta.report import answer, figures
from lnnmeta.report.build import build_report
from lnnmeta.report.effects import effects_table, meta_pool_ids
from lnnmeta.report.render import print_overflows
from lnnmeta.tables import read_table
from tests.conftest import ROOT
from tests.report.synthetic import MODELS, synthetic_runs, write_inputs


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("synthetic_report")
    args = write_inputs(work)
    html = work / "report.html"
    build_report(**args, html_out=str(html), tables_dir=str(work / "tables"))
    return {"html": html, "tables": work / "tables", "analysis": work / "analysis"}


def _text(html: Path) -> str:
    raw = html.read_text(encoding="utf-8")
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", raw)).split())


# -- the printed page ----------------------------------------------------------------------------
def test_no_table_or_figure_leaves_the_printed_page(synthetic: dict[str, Path]) -> None:
    """WeasyPrint's own layout of the PDF: every box ends inside its page's content area."""
    over = print_overflows(synthetic["html"])
    assert not over, "\n".join(str(o) for o in over)


def test_overflow_check_finds_a_table_too_wide(tmp_path: Path) -> None:
    """The check is not vacuous: a table of long unbreakable numbers runs off the page."""
    from lnnmeta.report.render import Section, render_html

    s = Section("x", "X")
    s.table(pd.DataFrame({f"c{i}": [10.0**9 + i] for i in range(30)}), "wide")
    html = tmp_path / "r.html"
    html.write_text(render_html("T", "Q", [s], "c0ffee"), encoding="utf-8")
    over = print_overflows(html)
    assert over and over[0].tag == "table" and over[0].right > 0


def test_a_tall_figure_prints_within_the_page_height() -> None:
    """The accuracy-vs-cost figure was 12.3 in tall: printed narrower, it fits MAX_HEIGHT."""
    fig = Figure(figsize=(7.0, 12.3))
    fig.add_subplot().plot([0, 1])
    uri, width = figures.embed(fig)
    png = base64.b64decode(uri.split(",", 1)[1])
    w_in, h_in = figures.png_width_in(png), figures.png_height_in(png)
    assert h_in > figures.MAX_HEIGHT  # drawn too tall for the page
    assert width * h_in / w_in == pytest.approx(figures.MAX_HEIGHT)  # printed at MAX_HEIGHT
    # Per-task figures are split so that each part is drawn at most MAX_HEIGHT tall.
    per = figures.rows_per_figure(2.4)
    assert 2.4 * per + 0.4 <= figures.MAX_HEIGHT
    assert figures.chunks(list("abcdefg"), 3) == [["a", "b", "c"], ["d", "e", "f"], ["g"]]


def test_every_model_has_its_own_fixed_colour() -> None:
    names = list(REGISTRY)
    colours = figures.model_colours(names)
    assert len(set(colours.values())) == len(names) == 11
    assert colours["cfc"] != colours["ltc_ncp"]
    # The same colour whatever else is drawn, and for the literature name of the model.
    assert figures.model_colours(["cfc", "lstm"])["cfc"] == colours["cfc"]
    assert figures.model_colours(["CfC"])["CfC"] == colours["cfc"]


def _boxes_overlap(a: object, b: object) -> bool:
    return bool(a.overlaps(b))  # type: ignore[attr-defined]


def test_degradation_legend_does_not_cover_the_x_labels() -> None:
    runs = synthetic_runs()
    summary = stats.rerun_summary(runs)
    vals = summary[summary["measure"] == "value"]
    fig = figures.degradation_plot(vals, "italy_power_demand")
    assert fig is not None
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = fig.legends[0].get_window_extent(renderer)
    assert len(fig.legends[0].get_texts()) == len(MODELS)
    for ax in fig.axes:
        label = ax.xaxis.label.get_window_extent(renderer)
        assert not _boxes_overlap(legend, label), ax.get_title()
        for tick in ax.get_xticklabels():
            if tick.get_text():
                assert not _boxes_overlap(legend, tick.get_window_extent(renderer))


def test_cd_label_is_not_printed_over_the_tick_labels() -> None:
    ranks = pd.Series({m: float(i + 1) for i, m in enumerate(MODELS)})
    fig = stats.cd_diagram(ranks, pd.DataFrame(columns=["model_a", "model_b", "p_holm"]), "t", 6.8)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    cd_texts = [t for ax in fig.axes for t in ax.texts if "critical difference" in t.get_text()]
    assert len(cd_texts) == 1 and "6.8" in cd_texts[0].get_text()
    box = cd_texts[0].get_window_extent(renderer)
    for ax in fig.axes:
        for tick in ax.get_xticklabels():
            if tick.get_text():
                assert not _boxes_overlap(box, tick.get_window_extent(renderer))


# -- forest plots --------------------------------------------------------------------------------
def _literature_effects() -> pd.DataFrame:
    reported, _ = load_literature(ROOT / "config/literature")
    return stats.literature_effects(reported)


def test_forest_rows_subgroups_weights_and_overall() -> None:
    eff = _literature_effects()
    rows = stats.plots.forest_rows(eff, dimension="accuracy", scale="smd")
    assert list(rows["position"]) == list(range(len(rows)))
    headers = rows[rows["kind"] == "header"]
    studies = rows[rows["kind"] == "study"]
    lnn = set(eff.loc[(eff["dimension"] == "accuracy") & (eff["scale"] == "smd"), "lnn_model"])
    variants = set(headers["variant"])
    # A copied RNN number shared by several LNN variants is counted once, against their mean.
    assert all(v in lnn or v.startswith("mean of ") for v in variants) and len(variants) >= 3
    # Weights are shares of the subgroup's random-effects weights: they sum to 100 per subgroup.
    for _, h in headers.iterrows():
        k = int(h["k"])
        block = rows.iloc[int(h["position"]) + 1 :].head(k)
        assert (block["kind"] == "study").all() and (block["variant"] == h["variant"]).all()
        assert block["weight"].sum() == pytest.approx(100.0)
    assert int(headers["k"].sum()) == len(studies)
    # The overall diamond is the report's pooled REML row (same clusters, same estimator).
    overall = rows[rows["kind"] == "overall"].iloc[0]
    meta = stats.pool_effects(eff, methods=("REML",), scopes=("overall",))
    row = meta[
        (meta["dimension"] == "accuracy")
        & (meta["scale"] == "smd")
        & (meta["metric_family"] == "all")
    ].iloc[0]
    assert overall["effect"] == pytest.approx(row["estimate"])
    assert overall["k"] == row["k"]
    # Every study interval is effect +- 1.96 SE.
    s = studies.iloc[0]
    assert s["effect"] - s["low"] == pytest.approx(s["high"] - s["effect"])


def test_forest_plot_prints_columns_and_heterogeneity() -> None:
    eff = _literature_effects()
    parts = stats.forest_plots(eff, dimension="accuracy", scale="smd", title="t", max_rows=30)
    assert len(parts) >= 2
    texts = [t.get_text() for t in parts[-1].texts] + [
        t.get_text() for ax in parts[-1].axes for t in ax.texts
    ]
    joined = " ".join(texts)
    for needle in ("Estimate [95% CI]", "Weight", "τ² =", "I² =", "Q =", "prediction interval"):
        assert needle in joined, needle
    assert any(re.fullmatch(r"\d+\.\d%", t) for t in texts), "no weight column"
    for fig in parts:
        assert fig.get_size_inches()[1] <= figures.MAX_HEIGHT + 1.5


# -- answer, limitations, links ------------------------------------------------------------------
def test_answer_comes_first_and_is_computed(synthetic: dict[str, Path]) -> None:
    text = _text(synthetic["html"])
    a = text.index("Answer, computed from the data:")
    assert a < text.index("Evidence:") < text.index("0. Claims under test")
    para = text[a : text.index("Evidence:")]
    for needle in ("Accuracy", "Memory efficiency", "Generalization", "How sure"):
        assert needle in para
    meta = read_table(synthetic["analysis"] / "meta.parquet", "stats_meta")
    rows = meta[
        (meta["source"] == "rerun")
        & (meta["scope"] == "overall")
        & (meta["dimension"] == "accuracy")
        & (meta["metric_family"] == "all")
        & (meta["method"] == "REML3")
    ]
    assert f"k = {int(rows['k'].max())}" in para


def test_limitations_are_computed_from_the_data(synthetic: dict[str, Path]) -> None:
    text = _text(synthetic["html"])
    lim = text[text.index("1b. Limitations", text.index("Contents") + 200) :]
    reported, _ = load_literature(ROOT / "config/literature")
    copied = int(reported["copied_from"].notna().sum())
    assert f"{copied} of {len(reported)} reported numbers" in lim
    n = reported["paper_key"].nunique()
    assert f"All {n} curated papers come from one group" in lim
    assert "Grosu" in lim  # the LrcSSM paper (Farsang & Grosu) is linked through Grosu
    assert "Liquid-S4" in lim and "LrcSSM" in lim and "Mamba" in lim
    assert "16 units per model, at most 400 training" in lim
    assert "measured under contention" in lim and "measure_costs" in lim


def test_author_groups() -> None:
    authors = {"a": ["X", "Y"], "b": ["Y", "Z"], "c": ["Z"], "d": ["W"]}
    assert answer.author_groups(["a", "b", "c", "d"], authors) == [["a", "b", "c"], ["d"]]
    bib = answer.bib_authors(ROOT / "config/literature/references.bib")
    assert bib["farsang2025lrcssm"] == ["Farsang", "Grosu"]


def test_pooled_numbers_link_their_effects(synthetic: dict[str, Path]) -> None:
    html = synthetic["html"].read_text(encoding="utf-8")
    assert html.count('href="tables/effects.csv"') >= 2
    table = pd.read_csv(synthetic["tables"] / "effects.csv")
    effects = read_table(synthetic["analysis"] / "effects.parquet", "stats_effects")
    assert len(table) == len(effects)
    meta = read_table(synthetic["analysis"] / "meta.parquet", "stats_meta")
    pooled = meta[(meta["scope"] == "overall") & (meta["method"] == "REML") & (meta["k"] > 0)]
    ids = set(" ".join(table["pools"]).split())
    for pid, k in zip(meta_pool_ids(pooled), pooled["k"], strict=True):
        assert pid in ids, pid
        rows = table[table["pools"].str.split().apply(lambda p, i=pid: i in p)]
        usable = rows[np.isfinite(rows["variance"]) & (rows["variance"] > 0)]
        assert usable["cluster_id"].nunique() >= k  # each pooled comparison has its pairs here
    lit = pd.read_csv(synthetic["tables"] / "literature_meta.csv")
    assert lit["effects"].isin(ids).all()
    assert effects_table(effects.head(0)).empty


def test_labels(synthetic: dict[str, Path]) -> None:
    text = _text(synthetic["html"])
    assert "latency per batch" not in text and "inference latency per sequence" in text
    assert "Conflicts between papers" not in text
    # Survey headers name the metric of each column: Liquid-S4's parameter count and CfC's time.
    assert "Speech Commands raw, full 35 labels: parameters" in text
    assert "time per epoch (min)" in text
