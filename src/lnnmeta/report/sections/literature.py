"""Section 2: the literature: survey tables regenerated from the data, pooled effects, forest and
funnel plots, sensitivity analyses (rule pool_effects), sign tests and Egger's test."""

from __future__ import annotations

import pandas as pd

from lnnmeta.literature.survey import survey_tables
from lnnmeta.report import effects as effects_mod
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.labels import COPY_VARIANT_LABELS, interval, number
from lnnmeta.report.render import Section
from lnnmeta.report.sink import TableSink
from lnnmeta.stats.plots import draw_forest, draw_funnel

#: Survey tables print whole up to this many rows (the papers' own models are often the last rows).
SURVEY_PRINT_ROWS = 30
#: Rows a long table prints in the PDF (every row stays in the HTML and the CSV).
PRINT_ROWS = 12
SCALE_WORDS = {
    "smd": "Hedges' g (standardized mean difference)",
    "log_ratio": "log ratio of means",
}
#: How each pooling method is labelled in report tables (meta.parquet's ``method``).
METHOD_LABELS = {
    "REML3": "REML3 (three-level, CR2)",
    "REML": "REML (comparison averages)",
    "DL": "DerSimonian-Laird",
    "PM": "Paule-Mandel",
}
METHOD_ORDER = {"REML3": 0, "REML": 1, "DL": 2, "PM": 3}


def literature(inp: ReportInputs, out: TableSink) -> Section:
    """Section 2: survey tables, pooled effects, forest plots, sensitivity, sign and Egger tests."""
    s = Section("literature", "2. The literature")
    if inp.reported.empty:
        s.notice("No reported numbers: config/literature/ holds no paper.")
        return s
    s.paragraphs.append(
        "Each table below is rebuilt from the curated data (config/literature/<paper>.yaml) and can "
        "be held next to the paper: same orientation, values with the printed digits (value ± "
        "spread), the paper's bold cells in bold and its marks (†, *) on rows it copied from "
        "another paper (counted once in the statistics). Headers give the data set, the metric "
        "and the unit of the printed values. The caption gives the paper, the table's location "
        "and its caption in the paper."
    )
    s.heading("Survey tables regenerated from the data")
    cites = _short_cites(inp.reported)
    for t in survey_tables(inp.reported):
        legend = f" Marks: {'; '.join(t.legend)}." if t.legend else ""
        caption = (
            f"{cites[t.paper_key]} [{t.paper_key}], {t.location}: {t.caption.rstrip('.')}.{legend} "
            f"(source: config/literature/{t.paper_key}.yaml, table {t.table_id})"
        )
        stem = f"survey_{t.paper_key}_{t.table_id}"
        href = out.export(t.frame, stem, caption, bold=t.bold, marks=t.marks)
        s.table(
            t.frame,
            caption,
            print_rows=SURVEY_PRINT_ROWS,
            formats={c: str for c in t.frame.columns},
            headers={c: c for c in t.frame.columns},
            full_table=href,
            bold=t.bold,
        )
    _pooled_literature(inp, out, s)
    _forest(inp, out, s)
    _sensitivity(inp, out, s)
    _bias(inp, out, s)
    return s


def _pooled_literature(inp: ReportInputs, out: TableSink, s: Section) -> None:
    s.heading("Pooled effects and heterogeneity")
    meta = inp.get("meta")
    lit = (
        meta[(meta["source"] == "reported") & (meta["scope"] == "overall")]
        if not meta.empty
        else meta
    )
    if lit.empty:
        s.notice("No pooled effects: no reported comparison has a usable spread.")
        return
    lit = drop_repeated_families(lit).sort_values(
        ["dimension", "scale", "metric_family", "method"],
        key=lambda c: c.map(METHOD_ORDER).fillna(9) if c.name == "method" else c,
    )
    shown = lit.assign(
        ci=[interval(a, b) for a, b in zip(*robust_ci(lit), strict=True)],
        pi=[interval(a, b) for a, b in zip(lit["pi_low"], lit["pi_high"], strict=True)],
        method=[METHOD_LABELS.get(m, m) for m in lit["method"]],
        effects=effects_mod.meta_pool_ids(lit),
    )
    cols = [
        "method",
        "dimension",
        "metric_family",
        "scale",
        "k",
        "n_papers",
        "estimate",
        "ci",
        "pi",
        "tau2",
        "i2",
        "q",
        "q_p",
        "note",
        "effects",
    ]
    reml = shown[lit["method"].isin(["REML3", "REML"]).to_numpy()][cols]
    out.table(
        s,
        reml,
        "Random-effects pooling of the reported LNN-vs-RNN effects: REML3 (three-level: pairs in "
        f"comparisons in papers; CR2 cluster-robust {inp.level} CI by paper, the primary estimate) "
        f"and REML on comparison averages (Knapp-Hartung {inp.level} CI); {inp.level} prediction "
        "interval; τ², I² "
        "and Cochran's Q measure heterogeneity (τ² of REML3 = the sum of its two levels)",
        "literature_meta",
    )
    _pooling_counts(inp, out, s)
    out.table(
        s,
        shown[cols],
        "REML and DerSimonian-Laird side by side (every pooled row)",
        "literature_meta_all_methods",
        screen_only=True,
    )


def _pooling_counts(inp: ReportInputs, out: TableSink, s: Section) -> None:
    """What was pooled and what not, and why (results/analysis/effect_counts.parquet)."""
    counts = inp.get("effect_counts")
    if counts.empty:
        s.notice("No effect counts: results/analysis/effect_counts.parquet was not given.")
        return
    out.table(
        s,
        counts,
        "What is pooled and what is not, per source, dimension, metric family and scale: pairs; "
        "with a usable variance; ties (equal values); degenerate spreads (a printed spread of 0) "
        "and the rule applied to them; pairs without spread; invalid variances (zero, negative, "
        "NaN, infinite; dropped, never silently); copied pairs and the pairs left with each "
        "copied number counted once",
        "effect_counts",
        print_rows=PRINT_ROWS,
    )


def _copies_sensitivity(inp: ReportInputs, out: TableSink, s: Section) -> None:
    """The three-level pooling under each treatment of copied numbers (sensitivity_copies)."""
    sens = inp.get("sensitivity_copies")
    if sens.empty:
        s.notice(
            "No copied-number sensitivity: results/analysis/sensitivity_copies.parquet was not "
            "given."
        )
        return
    sel = sens[sens["k"] > 0]
    shown = pd.DataFrame(
        {
            "copied numbers": [COPY_VARIANT_LABELS.get(v, v) for v in sel["variant"]],
            "method": [METHOD_LABELS.get(m, m) for m in sel["method"]],
            "dimension": sel["dimension"],
            "measure": sel["measure"].fillna("all"),
            "scale": sel["scale"],
            "k": sel["k"],
            "papers": sel["n_papers"],
            "estimate": sel["estimate"],
            "ci": [interval(a, b) for a, b in zip(*robust_ci(sel), strict=True)],
            "note": sel["note"],
        }
    )
    out.table(
        s,
        shown,
        "Copied numbers: the three-level pooling with each copied number counted once (main "
        "analysis), with every pair as printed (copies repeated), and without copied numbers",
        "sensitivity_copies",
        print_rows=PRINT_ROWS,
        formats={"k": str, "papers": str},
    )


def _forest(inp: ReportInputs, out: TableSink, s: Section) -> None:
    lv = inp.level
    meta = inp.get("meta")
    lit = (
        meta[
            (meta["source"] == "reported")
            & (meta["scope"] == "overall")
            & (meta["method"] == "REML")
            & (meta["metric_family"] == "all")
            & (meta["k"] >= 1)
        ]
        if not meta.empty
        else meta
    )
    s.heading("Forest plots")
    if lit.empty:
        s.notice("No forest plots: no reported comparison has a usable spread.")
        return
    forest, funnel = inp.get("forest_rows"), inp.get("funnel_points")
    for _, r in lit.iterrows():
        k = int(r["k"])
        title = f"{r['dimension']}, {r['scale']}: k = {k} comparisons"
        rows = _rows_of(forest, r, metric_family="all", method="REML")
        parts = draw_forest(rows, title=title, alpha=inp.alpha)
        for i, fig in enumerate(parts, 1):
            part = f" (part {i} of {len(parts)})" if len(parts) > 1 else ""
            out.figure(
                s,
                fig,
                f"Forest plot{part}, reported {r['dimension']} effects on the "
                f"{SCALE_WORDS.get(r['scale'], r['scale'])} scale (k = {k}, "
                f"{int(r['n_papers'])} papers). Rows are grouped by LNN variant; each row is one "
                "comparison (paper · task · metric, with the number of LNN-RNN pairs averaged "
                "into it) of that variant: square = effect (size ~ weight), whiskers = its "
                f"{lv} interval, printed on the right with its weight within the subgroup. Grey "
                "diamond = the variant's REML pooled estimate (τ², I², Q in its label); black "
                "diamond = REML pooled estimate over all comparisons (each comparison once, as "
                f"in the pooled table) spanning its Knapp-Hartung {lv} interval, with the {lv} "
                "prediction interval as a red bar; τ², I² and Q under the plot. Dashed line = "
                "no difference; right of 0 favours the LNN.",
            )
        if k >= 10:
            # Centre: the pooled estimate of this REML row (each copied number once).
            fig = draw_funnel(
                _rows_of(funnel, r),
                float(r["estimate"]),
                scale=str(r["scale"]),
                title=title,
                alpha=inp.alpha,
            )
            out.figure(
                s,
                fig,
                f"Funnel plot, reported {r['dimension']} effects ({r['scale']}, k = {k}): each dot is "
                "one comparison, effect against its standard error (precise comparisons at the top). "
                f"Vertical line = pooled estimate; dashed lines = pseudo {lv} region. An asymmetric "
                "cloud hints at small-study effects (see Egger's test below).",
            )
        else:
            s.text(f"No funnel plot for {r['dimension']} ({r['scale']}): k = {k} < 10 comparisons.")


def _rows_of(table: pd.DataFrame, r: pd.Series, **keys: str) -> pd.DataFrame:
    """The rows of a plot table (forest_rows, funnel_points) of the pooled row ``r``'s reported
    dimension and scale (and ``keys``); empty when the table is."""
    if table.empty:
        return table
    keep = (
        (table["source"] == "reported")
        & (table["dimension"] == r["dimension"])
        & (table["scale"] == r["scale"])
    )
    for col, value in keys.items():
        keep &= table[col] == value
    return table[keep]


def _estimate(r: pd.Series, variant: str, empty: str = "") -> str:
    """``estimate [CI], k = k`` of one pooling of a LITERATURE_SENSITIVITY row."""
    if pd.isna(r[f"{variant}_k"]) or pd.isna(r[f"{variant}_estimate"]):
        return empty
    ci = interval(r[f"{variant}_ci_low"], r[f"{variant}_ci_high"])
    return f"{number(r[f'{variant}_estimate'])} {ci}, k = {int(r[f'{variant}_k'])}"


def _sensitivity(inp: ReportInputs, out: TableSink, s: Section) -> None:
    s.heading("Sensitivity")
    sens, loo = inp.get("literature_sensitivity"), inp.get("leave_one_out")
    if inp.get("meta").empty:
        s.notice("No sensitivity analysis: nothing was pooled.")
        return
    table = pd.DataFrame(
        {
            "Dimension": sens["dimension"],
            "Scale": sens["scale"],
            "REML (comparison averages)": [_estimate(r, "reml") for _, r in sens.iterrows()],
            "DerSimonian-Laird": [_estimate(r, "dl") for _, r in sens.iterrows()],
            "Without copied numbers": [
                _estimate(r, "no_copies", "nothing left") for _, r in sens.iterrows()
            ],
            "Leave one paper out: range of estimates": [
                f"{number(r['loo_min'])} to {number(r['loo_max'])}"
                if r["loo_n"]
                else "no paper can be left out"
                for _, r in sens.iterrows()
            ],
            "Leave one paper out: CI excludes 0": [
                f"{int(r['loo_excluding_zero'])} of {int(r['loo_n'])}" if r["loo_n"] else ""
                for _, r in sens.iterrows()
            ],
        }
    )
    out.table(
        s,
        table,
        "How the pooled literature estimate moves: another tau² estimator, without copied "
        f"numbers, and with each paper left out (REML; estimate [{inp.level} CI])",
        "literature_sensitivity",
    )
    _copies_sensitivity(inp, out, s)
    if not loo.empty:
        sel = loo[(loo["source"] == "reported") & (loo["metric_family"] == "all")]
        shown = sel.assign(
            ci=[interval(a, b) for a, b in zip(sel["ci_low"], sel["ci_high"], strict=True)]
        )[["left_out", "dimension", "scale", "k", "n_papers", "estimate", "ci", "i2", "note"]]
        out.table(
            s,
            shown,
            "Overall REML estimate with each paper left out",
            "literature_leave_one_out",
            screen_only=True,
        )


def _bias(inp: ReportInputs, out: TableSink, s: Section) -> None:
    sign = inp.get("sign_test")
    s.heading("Comparisons without spread: sign test")
    if sign.empty:
        s.notice("No sign tests: no comparison was left without a spread.")
    else:
        sel = sign[(sign["source"] == "reported") & (sign["scope"] == "overall")]
        sel = sel.assign(
            ci=[interval(a, b) for a, b in zip(sel["ci_low"], sel["ci_high"], strict=True)]
        )[
            [
                "dimension",
                "metric_family",
                "subset",
                "n_positive",
                "n_negative",
                "n_ties",
                "prop_lnn_better",
                "ci",
                "p_value",
                "note",
            ]
        ]
        out.table(
            s,
            sel,
            "Binomial sign test on the direction of reported LNN-vs-RNN comparisons (subset "
            "'no_spread': only those without a spread; 'all': every comparison)",
            "sign_tests",
            print_rows=PRINT_ROWS,
            headers={"ci": f"{inp.level} CI of share"},
        )
    egger = inp.get("egger")
    s.heading("Small-study effects (Egger's test, only when k ≥ 10)")
    if egger.empty:
        s.notice("No Egger's test: nothing was pooled.")
        return
    sel = egger[egger["source"] == "reported"][
        [
            "dimension",
            "metric_family",
            "scale",
            "k",
            "intercept",
            "intercept_se",
            "t",
            "df",
            "p_value",
            "note",
        ]
    ]
    out.table(s, sel, "Egger's regression test for funnel-plot asymmetry", "egger")


def robust_ci(rows: pd.DataFrame) -> tuple[list[float], list[float]]:
    """The CI of each pooled row: CR2 (``ci_*_robust``) where it exists, else ``ci_low/ci_high``."""
    lo, hi = rows["ci_low"].tolist(), rows["ci_high"].tolist()
    if "ci_low_robust" in rows.columns:
        rl, rh = rows["ci_low_robust"].tolist(), rows["ci_high_robust"].tolist()
        lo = [b if pd.notna(b) and pd.notna(c) else a for a, b, c in zip(lo, rl, rh, strict=True)]
        hi = [c if pd.notna(b) and pd.notna(c) else a for a, b, c in zip(hi, rl, rh, strict=True)]
    return lo, hi


def drop_repeated_families(meta: pd.DataFrame) -> pd.DataFrame:
    """Pooled rows without those of a metric family that holds every comparison of its dimension.

    When a dimension has one metric family, its row repeats the ``all`` row; only ``all`` is kept.
    """
    keys = ["source", "scope", "dimension", "scale", "method"]
    ks = {
        tuple(r[k] for k in keys): r["k"]
        for _, r in meta[meta["metric_family"] == "all"].iterrows()
    }
    keep = [
        r["metric_family"] == "all" or ks.get(tuple(r[k] for k in keys)) != r["k"]
        for _, r in meta.iterrows()
    ]
    return meta[keep]


def distinct_column_labels(reported: pd.DataFrame) -> pd.DataFrame:
    """Reported rows whose ``dataset`` (a survey table's column label) is unique within each table.

    Two columns of one paper table can share a dataset (accuracy and time per epoch on PhysioNet);
    their labels get the column id appended so that the regenerated table keeps both columns.
    """
    out = reported.copy()
    keys = ["paper_key", "table_id", "dataset"]
    shared = out.groupby(keys)["column_id"].transform("nunique") > 1
    out.loc[shared, "dataset"] = [
        f"{d} [{str(c).replace('_', ' ')}]"
        for d, c in zip(out.loc[shared, "dataset"], out.loc[shared, "column_id"], strict=True)
    ]
    return out


def _short_cites(reported: pd.DataFrame) -> dict[str, str]:
    return {
        str(k): str(g["source"].iloc[0]).split(",")[0]
        for k, g in reported.groupby("paper_key", sort=True)
    }
