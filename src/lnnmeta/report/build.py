"""Assemble the report from the data: sections (0) claims ... (6) methods, tables exported alongside.

Every number in the report is computed here or in :mod:`lnnmeta.stats` from the tables the workflow
wrote; a section whose data does not exist says so in a visible note instead of disappearing.
Tables that are long stay whole in the HTML and in ``reports/tables/`` (CSV, Markdown, LaTeX) but
print only their first rows in the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from lnnmeta.atomic import write_text
from lnnmeta.claims import load_claims
from lnnmeta.literature.survey import conflicts, quality_summary, survey_tables
from lnnmeta.provenance import git_commit, versions
from lnnmeta.report import answer, figures
from lnnmeta.report import effects as effects_mod
from lnnmeta.report.costs_section import costs_section, read_cost_tables
from lnnmeta.report.export import export_csv, export_table
from lnnmeta.report.labels import Formatter, interval, measure_label, number
from lnnmeta.report.render import Section, display_frame, render_html
from lnnmeta.tables import read_table
from lnnmeta.verdicts import MIN_K, dimension_verdicts

QUESTION = (
    "Do liquid neural networks (LTC, CfC, NCP) beat recurrent networks (RNN, LSTM, GRU) in accuracy, "
    "memory efficiency and out-of-distribution generalization - according to what papers report, "
    "according to what we can rerun, and how sure can we be?"
)
DIMENSIONS = ("accuracy", "efficiency", "generalization")
#: Rows a long table prints in the PDF (every row stays in the HTML and the CSV).
PRINT_ROWS = 12
#: Survey tables print whole up to this many rows (the papers' own models are often the last rows).
SURVEY_PRINT_ROWS = 30
EFFICIENCY_COLS = [
    "n_params",
    "model_bytes",
    "peak_train_mem_bytes",
    "saved_for_backward_bytes",
    "train_time_per_epoch_s",
    "infer_latency_s",
]
SCALE_WORDS = {
    "smd": "Hedges' g (standardized mean difference)",
    "log_ratio": "log ratio of means",
}
DIRECTION_WORDS = {
    "lnn_better": "LNNs better than RNNs",
    "rnn_better": "RNNs better than LNNs",
    "lnn_not_better": "LNNs not better than RNNs",
}
MARK = {"supported": "good", "contradicted": "bad", "inconclusive": "neutral"}
#: How each pooling method is labelled in report tables (meta.parquet's ``method``).
METHOD_LABELS = {
    "REML3": "REML3 (three-level, CR2)",
    "REML": "REML (comparison averages)",
    "DL": "DerSimonian-Laird",
    "PM": "Paule-Mandel",
}
METHOD_ORDER = {"REML3": 0, "REML": 1, "DL": 2, "PM": 3}


def robust_ci(rows: pd.DataFrame) -> tuple[list[float], list[float]]:
    """The CI of each pooled row: CR2 (``ci_*_robust``) where it exists, else ``ci_low/ci_high``."""
    lo, hi = rows["ci_low"].tolist(), rows["ci_high"].tolist()
    if "ci_low_robust" in rows.columns:
        rl, rh = rows["ci_low_robust"].tolist(), rows["ci_high_robust"].tolist()
        lo = [b if pd.notna(b) and pd.notna(c) else a for a, b, c in zip(lo, rl, rh, strict=True)]
        hi = [c if pd.notna(b) and pd.notna(c) else a for a, b, c in zip(hi, rl, rh, strict=True)]
    return lo, hi


def _register_analysis_schemas() -> None:
    import lnnmeta.stats.schemas  # noqa: F401 - registers the analysis schemas


SCHEMA_OF = {
    "effects": "stats_effects",
    "meta": "stats_meta",
    "leave_one_out": "stats_leave_one_out",
    "sign_test": "stats_sign_test",
    "egger": "stats_egger",
    "rerun_summary": "stats_rerun_summary",
    "rerun_comparisons": "stats_rerun_comparisons",
    "rank_friedman": "stats_rank_friedman",
    "rank_means": "stats_rank_means",
    "rank_pairwise": "stats_rank_pairwise",
    "rvr_directions": "stats_rvr_directions",
    "rvr_values": "stats_rvr_values",
    "rank_family": "stats_rank_family",
    "rvr_excluded": "stats_rvr_excluded",
    "claim_verdicts": "stats_claim_verdicts",
    "effect_counts": "stats_effect_counts",
    "sensitivity_copies": "stats_sensitivity_copies",
    "sanity": "sanity",
}


def read_analysis(paths: list[str]) -> dict[str, pd.DataFrame]:
    """Read the analysis tables, each against its declared schema, keyed by file stem."""
    _register_analysis_schemas()
    return {Path(p).stem: read_table(p, SCHEMA_OF[Path(p).stem]) for p in paths}


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[{}]", "", text).replace("\\&", "&").split())


def format_authors(field: str, max_authors: int = 6) -> str:
    """BibTeX authors (``Last, First and ...`` or ``First Last and ...``) as ``Last F., ...``."""
    names = [n.strip() for n in _clean(field).split(" and ") if n.strip()]
    out = []
    for n in names:
        if "," in n:
            last, first = (p.strip() for p in n.split(",", 1))
        else:
            parts = n.split()
            last, first = parts[-1], " ".join(parts[:-1])
        initials = " ".join(p[0] + "." for p in re.split(r"[\s-]+", first) if p)
        out.append(f"{last} {initials}".strip())
    if len(out) > max_authors:
        return ", ".join(out[:max_authors]) + " et al."
    return ", ".join(out)


def references(bib_path: str | Path) -> list[str]:
    """The BibTeX entries rendered as one plain-text reference each, sorted by key."""
    import bibtexparser

    with open(bib_path, encoding="utf-8") as f:
        db = bibtexparser.load(f)
    out = []
    for e in sorted(db.entries, key=lambda e: e["ID"]):
        venue = _clean(e.get("journal") or e.get("booktitle") or e.get("howpublished") or "")
        if not venue and e.get("publisher"):  # a book: "Publisher, Address"
            venue = ", ".join(_clean(e[k]) for k in ("publisher", "address") if e.get(k))
        parts = [f"[{e['ID']}] {format_authors(e.get('author', ''))} ({e.get('year', 'n.d.')})."]
        title = _clean(e.get("title", ""))
        parts.append(title if title.endswith(("?", "!", ".")) else f"{title}.")
        if venue:
            vol = e.get("volume", "")
            pages = e.get("pages", "").replace("--", "–")
            parts.append(venue + (f" {vol}" if vol else "") + (f", {pages}" if pages else "") + ".")
        if e.get("doi"):
            parts.append(f"doi:{e['doi']}.")
        if e.get("eprint"):
            parts.append(f"arXiv:{e['eprint']}.")
        out.append(" ".join(parts))
    return out


def plural(n: Any, word: str) -> str:
    """``1 paper``, ``2 papers``."""
    return f"{n} {word}" + ("" if int(n) == 1 else "s")


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


def _short_cites(reported: pd.DataFrame) -> dict[str, str]:
    return {
        str(k): str(g["source"].iloc[0]).split(",")[0]
        for k, g in reported.groupby("paper_key", sort=True)
    }


def printed_unit(value: float, printed: float, unit: str) -> str:
    """The unit the printed values are really in, from the scaling applied on ingest."""
    if printed == 0 or value == printed:
        return unit
    ratio = round(value / printed, 6)
    return {100.0: "fraction", 60.0: "minutes", 3600.0: "hours", 0.001: "milliseconds"}.get(
        ratio, unit
    )


def verdict_count_words(vt: pd.DataFrame) -> str:
    """'7 claims under test' (and how many verdicts, when a claim has one per backend)."""
    n = int(vt["id"].nunique()) if not vt.empty else 0
    extra = f" ({len(vt)} verdicts: efficiency claims once per backend)" if len(vt) > n else ""
    return f"{n} claims under test{extra}"


def _side_card(r: pd.Series, prefix: str, name: str) -> dict[str, Any]:
    """One side of a claim card from a CLAIM_VERDICTS row (``prefix`` literature or rerun)."""
    amount = str(r[f"{prefix}_amount"])
    if r[f"{prefix}_method"] and r[f"{prefix}_method"] != "none":
        amount += f"; method: {r[f'{prefix}_method']}"
    design = r.get("rerun_design") if prefix == "rerun" else None
    if isinstance(design, str) and design:
        amount += f"; {design}"
    return {
        "name": name,
        "verdict": r[f"{prefix}_verdict"],
        "mark": MARK[r[f"{prefix}_verdict"]],
        "evidence": r[f"{prefix}_evidence"],
        "amount": amount,
        "strength": r[f"{prefix}_strength"],
    }


def claim_card(r: pd.Series) -> dict[str, Any]:
    """The card of one CLAIM_VERDICTS row (a claim, or a claim on one cost-benchmark backend)."""
    label = r["backend_label"] if isinstance(r["backend_label"], str) else ""
    rerun_name = f"Cost benchmark, {label}" if label else "Reruns"
    tested = (
        f"Tested: {DIRECTION_WORDS[r['direction']]} ({r['quantifier']}); papers: "
        f"{r['literature_named']}; {'cost benchmark' if label else 'reruns'}: {r['rerun_named']}."
    )
    return {
        "id": r["id"] + (f"-{r['backend']}" if isinstance(r["backend"], str) else ""),
        "claim": r["claim"] + (f" [{label}]" if label else ""),
        "quote": r["quote"],
        "source": r["source"],
        "verdict": r["verdict"],
        "mark": MARK[r["verdict"]],
        "basis": r["basis"],
        "tested": tested,
        "sides": [
            _side_card(r, "literature", "Papers"),
            _side_card(r, "rerun", rerun_name),
        ],
    }


class ReportBuilder:
    """Holds the data and builds each section; one method per section."""

    def __init__(
        self,
        reported: pd.DataFrame,
        runs: pd.DataFrame,
        analysis: dict[str, pd.DataFrame],
        claims: list[dict[str, Any]],
        refs: list[str],
        config: dict[str, Any],
        tables_dir: Path,
    ):
        self.reported = reported
        self.runs = runs
        self.a = analysis
        self.claims = claims
        self.refs = refs
        self.config = config
        self.tables_dir = tables_dir
        self.exported: list[str] = []
        self.n_figures = 0
        self.authors: dict[str, list[str]] = {}  # surnames per paper key (answer.bib_authors)
        self.cost_tables: dict[str, pd.DataFrame] = {}  # the cost benchmark (costs_section)
        # Computed by the judge_claims rule (lnnmeta.verdicts); the report only renders them.
        self.verdicts = self.get("claim_verdicts")

    def get(self, name: str) -> pd.DataFrame:
        return self.a.get(name, pd.DataFrame())

    # helpers ------------------------------------------------------------------------------------
    def export(
        self,
        df: pd.DataFrame,
        stem: str,
        caption: str,
        formats: Mapping[str, Formatter] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Export a table (CSV raw; Markdown and LaTeX as displayed); returns the CSV's path."""
        export_table(
            df,
            self.tables_dir,
            stem,
            caption,
            display=display_frame(df, formats=formats, headers=headers),
        )
        self.exported.append(stem)
        return f"reports/tables/{stem}.csv"

    def table(
        self,
        s: Section,
        df: pd.DataFrame,
        caption: str,
        stem: str | None = None,
        **opts: Any,
    ) -> None:
        """Add a table to a section (and export it when ``stem`` is given)."""
        if df.empty:
            s.notice(f"{caption}: no rows in this data.")
            return
        if stem:
            opts["full_table"] = self.export(
                df, stem, caption, opts.get("formats"), opts.get("headers")
            )
        if "effects" in df.columns:  # pooled numbers: link the effects they pool
            opts.setdefault("links", [self.effects_link()])
        s.table(df, caption, **opts)

    def effects_link(self) -> tuple[str, str]:
        """Export the per-comparison effect table once; the link text and target under a table."""
        if effects_mod.EFFECTS_STEM not in self.exported:
            export_csv(
                effects_mod.effects_table(self.get("effects")),
                self.tables_dir,
                effects_mod.EFFECTS_STEM,
            )
            self.exported.append(effects_mod.EFFECTS_STEM)
        return (
            "The effects behind each pooled number: reports/tables/effects.csv, one row per "
            "LNN-RNN pair; its 'pools' column holds the id in this table's Effects column",
            effects_mod.EFFECTS_HREF,
        )

    def figure(self, s: Section, fig: Any, caption: str, screen_only: bool = False) -> None:
        uri, width = figures.embed(fig)
        self.n_figures += 1
        s.figure(uri, caption, width_in=width, screen_only=screen_only)

    def evidence_counts(self) -> dict[str, int]:
        runs = self.runs
        return {
            "papers": int(self.reported["paper_key"].nunique()),
            "numbers": len(self.reported),
            "tasks": int(runs["task"].nunique()) if not runs.empty else 0,
            "models": int(runs["model"].nunique()) if not runs.empty else 0,
            "seeds": int(runs["seed"].nunique()) if not runs.empty else 0,
            "runs": int(runs[["task", "model", "seed"]].drop_duplicates().shape[0])
            if not runs.empty
            else 0,
        }

    def lead(self) -> list[str]:
        c = self.evidence_counts()
        v = self.verdicts["verdict"].value_counts() if not self.verdicts.empty else pd.Series()
        claims = ", ".join(
            f"{int(v.get(x, 0))} {x}" for x in ("supported", "contradicted", "inconclusive")
        )
        return [
            self.answer_text(),
            f"Evidence: {c['papers']} papers with {c['numbers']} reported numbers; "
            f"{c['runs']} training runs of our own ({c['models']} models × {c['tasks']} tasks × "
            f"{c['seeds']} seeds). Of {verdict_count_words(self.verdicts)}: {claims}.",
        ]

    def answer_text(self) -> str:
        """The answer to the question, per dimension and source (lnnmeta.report.answer)."""
        papers = sorted(self.reported["paper_key"].unique()) if not self.reported.empty else []
        groups = answer.author_groups(papers, self.authors)
        note = (
            "all linked by shared authors (see Limitations)"
            if len(groups) == 1 and len(papers) > 1
            else ""
        )
        return answer.answer(
            self.get("meta"), self.get("effects"), self.runs, len(papers), group_note=note
        )

    def limitations_section(self) -> Section:
        """What limits the answer, each item computed from the data."""
        s = Section("limitations", "1b. Limitations")
        s.items(
            answer.limitations(
                self.reported, self.runs, self.get("effects"), self.config, self.authors
            )
        )
        return s

    # (0) claims ---------------------------------------------------------------------------------
    def claims_section(self) -> Section:
        s = Section("claims", "0. Claims under test")
        s.paragraphs.append(
            "Each claim (config/claims.yaml) is judged twice: by the random-effects pooling of what the "
            "papers report and by our reruns, on exactly the evidence the claim names (for "
            "generalization claims, only the rerun conditions of the named kinds). Positive effects "
            "mean the LNN is better. The rules, and the words used for the amount of evidence, are "
            "in the Methods section."
        )
        vt = self.verdicts
        if vt.empty:
            s.notice(
                "No claim verdicts: results/analysis/claim_verdicts.parquet (rule judge_claims) "
                "was not given to the report."
            )
            return s
        s.claims([claim_card(r) for _, r in vt.iterrows()])
        counts = vt["verdict"].value_counts()
        s.paragraphs.append(
            f"Verdicts on {verdict_count_words(vt)}: "
            + ", ".join(
                f"{int(counts.get(x, 0))} {x}"
                for x in ("supported", "contradicted", "inconclusive")
            )
            + ". Estimates are pooled effects with 95% intervals "
            "(smd = Hedges' g, log_ratio = log of the ratio of means; > 0 favours the LNN); "
            "efficiency claims are judged on the cost benchmark, one measure at a time and once per "
            "backend (ratio LNN/RNN, < 1 favours the LNN). The training jobs' own timings are "
            "measured under contention and decide no claim."
        )
        self.export(vt, "claims", "Claims under test and their computed verdicts")
        return s

    # (1) summary --------------------------------------------------------------------------------
    def summary_section(self) -> Section:
        s = Section("summary", "1. Summary: one verdict per dimension")
        summary, detail = dimension_verdicts(self.get("meta"), self.get("effects"), DIMENSIONS)
        lines: dict[tuple[str, str], list[str]] = {}
        for _, r in detail.iterrows():
            key = (r["dimension"], r["source"])
            if r["k"] == 0:
                lines.setdefault(key, []).append("nothing to pool")
                continue
            lines.setdefault(key, []).append(
                f"{r['scale']} {number(r['estimate'])} {interval(r['ci_low'], r['ci_high'])}, "
                f"k = {r['k']}: {r['says']}"
            )
        table = pd.DataFrame(
            [
                {
                    "Dimension": r["dimension"],
                    "Verdict": r["verdict"],
                    "Papers say (pooled effect [95% CI])": "\n".join(
                        lines.get((r["dimension"], "reported"), [])
                    ),
                    "Literature evidence": r["literature evidence"],
                    "Reruns say (pooled effect [95% CI])": "\n".join(
                        lines.get((r["dimension"], "rerun"), [])
                    ),
                    "Rerun evidence": r["rerun evidence"],
                }
                for _, r in summary.iterrows()
            ]
        )
        s.paragraphs.append(
            "One verdict per dimension: each random-effects pooling (REML3 where it exists, else "
            "REML) with at least "
            f"{MIN_K} comparisons says 'LNN better' (95% interval above 0), 'RNN better' (below 0) or "
            "'inconclusive'; the dimension's verdict is their common answer, 'mixed' if they disagree. "
            "Effects are pooled on two scales that are never mixed: smd (Hedges' g) where both sides "
            "report a spread and run count, log_ratio (log of the ratio of means) for positive error "
            "and cost measures; generalization effects of the reruns are the drops under noise, shift, "
            "irregular sampling and length change."
        )
        self.table(s, table, "Verdict per dimension (positive effects favour the LNN)", "summary")

        def evidence(r: pd.Series) -> str:
            if r["source"] == "reported":
                text = f"{plural(r['papers'], 'paper')}, {plural(r['tasks'], 'task')}"
            else:
                text = f"{plural(r['tasks'], 'task')}, {plural(r['runs'], 'training run')}"
            return text + (f"; {r['without spread']} without spread" if r["without spread"] else "")

        shown = pd.DataFrame(
            {
                "dimension": detail["dimension"],
                "source": detail["source"].map({"reported": "papers", "rerun": "reruns"}),
                "scale": detail["scale"],
                "method": detail["method"],
                "estimate [95% CI]": [
                    f"{number(e)} {interval(a, b)}" if pd.notna(e) else ""
                    for e, a, b in zip(
                        detail["estimate"], detail["ci_low"], detail["ci_high"], strict=True
                    )
                ],
                "pi": [
                    interval(a, b) for a, b in zip(detail["pi_low"], detail["pi_high"], strict=True)
                ],
                "k": detail["k"],
                "evidence": [evidence(r) for _, r in detail.iterrows()],
                "says": detail["says"],
                "note": detail["note"],
                "effects": [
                    effects_mod.pool_id(src, dim, "all", sc) if k > 0 else ""
                    for src, dim, sc, k in zip(
                        detail["source"],
                        detail["dimension"],
                        detail["scale"],
                        detail["k"],
                        strict=True,
                    )
                ],
            }
        )
        self.table(
            s,
            shown,
            "Pooled effects behind the verdicts (method per row: REML3 with its CR2 95% CI where "
            "it exists, else REML with a Knapp-Hartung 95% CI; k = pooled comparisons; "
            "'without spread' = comparisons that enter only the sign test)",
            "summary_pooled",
            headers={"says": "Says", "evidence": "Evidence behind it"},
            formats={"k": str},
        )
        c = self.evidence_counts()
        s.paragraphs.append(
            f"Evidence in total: {c['papers']} papers, {c['numbers']} reported numbers; "
            f"{c['tasks']} rerun tasks, {c['models']} models, {c['seeds']} seeds, {c['runs']} training runs."
        )
        return s

    # (2) literature -----------------------------------------------------------------------------
    def literature_section(self) -> Section:
        s = Section("literature", "2. The literature")
        if self.reported.empty:
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
        cites = _short_cites(self.reported)
        for t in survey_tables(self.reported):
            legend = f" Marks: {'; '.join(t.legend)}." if t.legend else ""
            caption = (
                f"{cites[t.paper_key]} [{t.paper_key}], {t.location}: {t.caption.rstrip('.')}.{legend} "
                f"(source: config/literature/{t.paper_key}.yaml, table {t.table_id})"
            )
            stem = f"survey_{t.paper_key}_{t.table_id}"
            export_table(t.frame, self.tables_dir, stem, caption, bold=t.bold, marks=t.marks)
            self.exported.append(stem)
            s.table(
                t.frame,
                caption,
                print_rows=SURVEY_PRINT_ROWS,
                formats={c: str for c in t.frame.columns},
                headers={c: c for c in t.frame.columns},
                full_table=f"reports/tables/{stem}.csv",
                bold=t.bold,
            )
        self._pooled_literature(s)
        self._forest(s)
        self._sensitivity(s)
        self._bias(s)
        return s

    def _pooled_literature(self, s: Section) -> None:
        s.heading("Pooled effects and heterogeneity")
        meta = self.get("meta")
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
        self.table(
            s,
            reml,
            "Random-effects pooling of the reported LNN-vs-RNN effects: REML3 (three-level: pairs in "
            "comparisons in papers; CR2 cluster-robust 95% CI by paper, the primary estimate) and "
            "REML on comparison averages (Knapp-Hartung 95% CI); 95% prediction interval; τ², I² "
            "and Cochran's Q measure heterogeneity (τ² of REML3 = the sum of its two levels)",
            "literature_meta",
        )
        self._pooling_counts(s)
        self.table(
            s,
            shown[cols],
            "REML and DerSimonian-Laird side by side (every pooled row)",
            "literature_meta_all_methods",
            screen_only=True,
        )

    def _pooling_counts(self, s: Section) -> None:
        """What was pooled and what not, and why (results/analysis/effect_counts.parquet)."""
        counts = self.get("effect_counts")
        if counts.empty:
            s.notice("No effect counts: results/analysis/effect_counts.parquet was not given.")
            return
        self.table(
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

    def _copies_sensitivity(self, s: Section) -> None:
        """The three-level pooling under each treatment of copied numbers (sensitivity_copies)."""
        sens = self.get("sensitivity_copies")
        if sens.empty:
            s.notice(
                "No copied-number sensitivity: results/analysis/sensitivity_copies.parquet was not "
                "given."
            )
            return
        sel = sens[sens["k"] > 0]
        shown = pd.DataFrame(
            {
                "copied numbers": sel["variant"],
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
        self.table(
            s,
            shown,
            "Copied numbers: the three-level pooling with each copied number counted once (main "
            "analysis), with every pair as printed (copies repeated), and without copied numbers",
            "sensitivity_copies",
            print_rows=PRINT_ROWS,
            formats={"k": str, "papers": str},
        )

    def _forest(self, s: Section) -> None:
        from lnnmeta import stats

        effects, meta = self.get("effects"), self.get("meta")
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
        for _, r in lit.iterrows():
            k = int(r["k"])
            title = f"{r['dimension']}, {r['scale']}: k = {k} comparisons"
            parts = stats.forest_plots(
                effects, source="reported", dimension=r["dimension"], scale=r["scale"], title=title
            )
            for i, fig in enumerate(parts, 1):
                part = f" (part {i} of {len(parts)})" if len(parts) > 1 else ""
                self.figure(
                    s,
                    fig,
                    f"Forest plot{part}, reported {r['dimension']} effects on the "
                    f"{SCALE_WORDS.get(r['scale'], r['scale'])} scale (k = {k}, "
                    f"{int(r['n_papers'])} papers). Rows are grouped by LNN variant; each row is one "
                    "comparison (paper · task · metric, with the number of LNN-RNN pairs averaged "
                    "into it) of that variant: square = effect (size ~ weight), whiskers = its 95% "
                    "interval, printed on the right with its weight within the subgroup. Grey "
                    "diamond = the variant's REML pooled estimate (τ², I², Q in its label); black "
                    "diamond = REML pooled estimate over all comparisons (each comparison once, as "
                    "in the pooled table) spanning its Knapp-Hartung 95% interval, with the 95% "
                    "prediction interval as a red bar; τ², I² and Q under the plot. Dashed line = "
                    "no difference; right of 0 favours the LNN.",
                )
            if k >= 10:
                fig = stats.funnel_plot(
                    effects,
                    source="reported",
                    dimension=r["dimension"],
                    scale=r["scale"],
                    title=title,
                )
                self.figure(
                    s,
                    fig,
                    f"Funnel plot, reported {r['dimension']} effects ({r['scale']}, k = {k}): each dot is "
                    "one comparison, effect against its standard error (precise comparisons at the top). "
                    "Vertical line = pooled estimate; dashed lines = pseudo 95% region. An asymmetric "
                    "cloud hints at small-study effects (see Egger's test below).",
                )
            else:
                s.text(
                    f"No funnel plot for {r['dimension']} ({r['scale']}): k = {k} < 10 comparisons."
                )

    def _sensitivity(self, s: Section) -> None:
        from lnnmeta import stats

        s.heading("Sensitivity")
        meta, loo, effects = self.get("meta"), self.get("leave_one_out"), self.get("effects")
        if meta.empty:
            s.notice("No sensitivity analysis: nothing was pooled.")
            return
        base = meta[
            (meta["source"] == "reported")
            & (meta["scope"] == "overall")
            & (meta["metric_family"] == "all")
            & (meta["k"] > 0)
        ]
        lit_eff = effects[effects["source"] == "reported"] if not effects.empty else effects
        no_copy = (
            stats.pool_effects(
                lit_eff, methods=("REML",), include_copied=False, scopes=("overall",)
            )
            if not lit_eff.empty
            else pd.DataFrame()
        )
        rows = []
        for (dim, scale), g in base.groupby(["dimension", "scale"], sort=True):
            reml = g[g["method"] == "REML"]
            dl = g[g["method"] == "DL"]
            rec: dict[str, Any] = {"Dimension": dim, "Scale": scale}

            def est(frame: pd.DataFrame) -> str:
                if frame.empty or pd.isna(frame["estimate"].iloc[0]):
                    return ""
                r = frame.iloc[0]
                return f"{number(r['estimate'])} {interval(r['ci_low'], r['ci_high'])}, k = {int(r['k'])}"

            rec["REML (comparison averages)"] = est(reml)
            rec["DerSimonian-Laird"] = est(dl)
            nc = (
                no_copy[
                    (no_copy["dimension"] == dim)
                    & (no_copy["scale"] == scale)
                    & (no_copy["metric_family"] == "all")
                ]
                if not no_copy.empty
                else no_copy
            )
            rec["Without copied numbers"] = est(nc) or "nothing left"
            lsel = (
                loo[
                    (loo["source"] == "reported")
                    & (loo["dimension"] == dim)
                    & (loo["scale"] == scale)
                    & (loo["metric_family"] == "all")
                    & (loo["method"] == "REML")
                ]
                if not loo.empty
                else loo
            )
            lok = lsel[lsel["estimate"].notna()] if not lsel.empty else lsel
            if lok.empty:
                rec["Leave one paper out: range of estimates"] = "no paper can be left out"
                rec["Leave one paper out: CI excludes 0"] = ""
            else:
                rec["Leave one paper out: range of estimates"] = (
                    f"{number(lok['estimate'].min())} to {number(lok['estimate'].max())}"
                )
                excl = ((lok["ci_low"] > 0) | (lok["ci_high"] < 0)).sum()
                rec["Leave one paper out: CI excludes 0"] = f"{int(excl)} of {len(lok)}"
            rows.append(rec)
        self.table(
            s,
            pd.DataFrame(rows),
            "How the pooled literature estimate moves: another tau² estimator, without copied "
            "numbers, and with each paper left out (REML; estimate [95% CI])",
            "literature_sensitivity",
        )
        self._copies_sensitivity(s)
        if not loo.empty:
            sel = loo[(loo["source"] == "reported") & (loo["metric_family"] == "all")]
            shown = sel.assign(
                ci=[interval(a, b) for a, b in zip(sel["ci_low"], sel["ci_high"], strict=True)]
            )[["left_out", "dimension", "scale", "k", "n_papers", "estimate", "ci", "i2", "note"]]
            self.table(
                s,
                shown,
                "Overall REML estimate with each paper left out",
                "literature_leave_one_out",
                screen_only=True,
            )

    def _bias(self, s: Section) -> None:
        sign = self.get("sign_test")
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
            self.table(
                s,
                sel,
                "Binomial sign test on the direction of reported LNN-vs-RNN comparisons (subset "
                "'no_spread': only those without a spread; 'all': every comparison)",
                "sign_tests",
                print_rows=PRINT_ROWS,
                headers={"ci": "95% CI of share"},
            )
        egger = self.get("egger")
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
        self.table(s, sel, "Egger's regression test for funnel-plot asymmetry", "egger")

    # (3) reruns ---------------------------------------------------------------------------------
    def reruns_section(self) -> Section:
        s = Section("reruns", "3. The reruns")
        runs = self.runs
        if runs.empty:
            s.notice("No rerun results: the grid trained no model.")
            return s
        cfg = self.config
        conds = sorted(set(runs["condition"]), key=lambda c: (c != "id", c))
        s.paragraphs.append(
            f"Models {', '.join(sorted(runs['model'].unique()))} were trained on "
            f"{runs['task'].nunique()} tasks with {runs['seed'].nunique()} seeds each "
            f"(backend {', '.join(sorted(runs['backend'].unique()))}; "
            f"{cfg.get('training', {}).get('units', '?')} units, at most "
            f"{cfg.get('training', {}).get('epochs', '?')} epochs) and tested in distribution and "
            f"under {len(conds) - 1} shifted conditions: {', '.join(conds[1:]) or 'none'}."
        )
        tasks = runs[["task", "stands_in_for", "metric", "higher_is_better"]].drop_duplicates(
            "task"
        )
        self.table(
            s, tasks, "Tasks: what each stands in for, its metric and direction", "rerun_tasks"
        )
        self._results(s)
        self._sanity(s)
        self._comparisons(s)
        self._ranks(s)
        self._efficiency(s)
        self._degradation(s)
        self._irregular(s)
        return s

    def _summary_values(self) -> pd.DataFrame:
        summ = self.get("rerun_summary")
        return summ[summ["measure"] == "value"] if not summ.empty else summ

    def _results(self, s: Section) -> None:
        s.heading("Per-task results")
        vals = self._summary_values()
        idsum = vals[vals["condition"] == "id"] if not vals.empty else vals
        if idsum.empty:
            s.notice(
                "No in-distribution summaries (results/analysis/rerun_summary.parquet is empty)."
            )
            return
        tab = idsum.assign(
            result=[
                f"{number(m)} {interval(lo, hi)}"
                for m, lo, hi in zip(idsum["mean"], idsum["ci_low"], idsum["ci_high"], strict=True)
            ]
        )
        wide = tab.pivot(index=["model", "family"], columns="task", values="result").reset_index()
        wide.columns = [str(c) for c in wide.columns]
        metrics = idsum.drop_duplicates("task").set_index("task")
        headers = {
            t: f"{t} ({metrics.loc[t, 'metric']}, {'↑' if metrics.loc[t, 'higher_is_better'] else '↓'})"
            for t in metrics.index
        }
        self.table(
            s,
            wide.sort_values(["family", "model"]),
            "In-distribution test metric per task: mean over seeds [95% t interval] (↑ higher is "
            "better, ↓ lower is better)",
            "rerun_results",
            headers=headers,
            formats={c: str for c in wide.columns},
        )
        ids = self.runs[self.runs["condition"] == "id"]
        groups = figures.chunks(sorted(idsum["task"].unique()), 2 * figures.rows_per_figure(2.3))
        for i, group in enumerate(groups, 1):
            part = f" (part {i} of {len(groups)})" if len(groups) > 1 else ""
            self.figure(
                s,
                figures.results_plot(idsum[idsum["task"].isin(group)], ids),
                f"Per-task results{part}. One panel per task, one row per model: marker = mean test "
                "metric over seeds (circle LNN, square RNN), thick bar = 95% t interval, ticks above = "
                "the individual seeds. The axis label says whether higher or lower is better.",
            )

    def _comparisons(self, s: Section) -> None:
        comp = self.get("rerun_comparisons")
        s.heading("LNN vs RNN per task")
        if comp.empty:
            s.notice("No per-task comparisons: the grid has no LNN-RNN pair on a task.")
            return
        shown = comp.assign(
            p_ci=[
                f"[{a:.2f}, {b:.2f}]" if pd.notna(a) and pd.notna(b) else ""
                for a, b in zip(comp["p_ci_low"], comp["p_ci_high"], strict=True)
            ]
        )[
            [
                "task",
                "lnn_model",
                "rnn_model",
                "mean_lnn",
                "mean_rnn",
                "p_lnn_better",
                "p_ci",
                "test",
                "p_value",
                "p_holm",
                "reject_holm",
            ]
        ]
        self.table(
            s,
            shown,
            "P(LNN > RNN) over seeds with a percentile-bootstrap 95% CI; Welch's t-test or "
            "Mann-Whitney U, Holm-corrected over all pairs (means oriented so that higher is better)",
            "rerun_comparisons",
            print_rows=PRINT_ROWS,
        )

    def _sanity(self, s: Section) -> None:
        san = self.get("sanity")
        s.heading("Sanity baselines")
        if san.empty:
            s.notice("No sanity baselines (results/runs/sanity.parquet is empty).")
            return
        ids = self.runs[self.runs["condition"] == "id"]
        learned = ids.groupby("task")["learned"].agg(["size", "sum"])
        tab = (
            san.groupby(["task", "metric", "naive", "linear"], sort=True)
            .agg(
                naive_value=("naive_value", "mean"),
                threshold=("threshold", "mean"),
                linear_value=("linear_value", "mean"),
            )
            .reset_index()
        )
        tab["runs not learned"] = [
            f"{int(learned.loc[t, 'size'] - learned.loc[t, 'sum'])} of {int(learned.loc[t, 'size'])}"
            if t in learned.index
            else "-"
            for t in tab["task"]
        ]
        n_bad = int((~ids["learned"].astype(bool)).sum())
        s.paragraphs.append(
            f"Each task has a baseline that learns nothing from the sequence: the majority class "
            f"(a run must beat it by a one-sided binomial test at the report's alpha) or, for "
            f"regression, the better of the training mean and persistence (the last observed "
            f'value). A run that does not beat it is marked "not learned": {n_bad} of {len(ids)} '
            f"runs. Those runs are left out of the reproduction checks, and tasks on which no run "
            f"learned are left out of the rank tests. A linear model on the flattened sequence "
            f"(logistic or ridge regression) is shown for reference."
        )
        self.table(
            s,
            tab,
            "Sanity baselines per task (means over seeds): the naive predictor, the threshold a run "
            "must beat, a linear model, and the runs that did not beat the threshold",
            "sanity_baselines",
        )

    def _family(self, s: Section) -> None:
        fam = self.get("rank_family")
        if fam.empty:
            return
        first = fam.iloc[0]
        s.paragraphs.append(
            f"Primary comparison: the LNN family against the RNN family, one Wilcoxon signed-rank "
            f"test per measure over the tasks' normalised ranks (Holm-corrected across measures). "
            f"With {int(first['n_tasks'])} tasks the smallest p this design can give is "
            f"{number(float(first['min_p']))}; the table also gives the tasks (at the observed "
            f"effect) and the seeds per task that 80% power would need. The full pairwise table "
            f"below is secondary."
        )
        cols = [
            "measure",
            "n_tasks",
            "lnn_better_tasks",
            "rnn_better_tasks",
            "mean_difference",
            "p_value",
            "p_holm",
            "min_p",
            "tasks_needed",
            "seeds_needed",
            "note",
        ]
        self.table(
            s,
            fam.assign(measure=[measure_label(m) for m in fam["measure"]])[cols],
            "LNN family vs RNN family per measure: tasks where the LNN models rank better / worse, "
            "mean difference of normalised ranks (positive = LNN better), Wilcoxon p (Holm), the "
            "smallest reachable p, and the tasks and seeds 80% power would need",
            "rank_family",
        )

    def _ranks(self, s: Section) -> None:
        from lnnmeta import stats

        s.heading("Ranks across tasks")
        self._family(s)
        fr, means, pw = self.get("rank_friedman"), self.get("rank_means"), self.get("rank_pairwise")
        if fr.empty:
            s.notice("No rank tests: they need at least two tasks and three models.")
            return
        self.table(
            s,
            fr.assign(measure=[measure_label(m) for m in fr["measure"]]),
            "Friedman test per measure (do the models' ranks across tasks differ?)",
            "rank_friedman",
        )
        if not means.empty:
            self.figure(
                s,
                figures.rank_heatmap(means),
                "Mean rank of each model (rows) on each measure (columns) across tasks: 1 = best; "
                "green = good, red = poor. Test score first, then the costs (parameters, bytes, "
                "time), then the drop of the test metric under each shifted condition.",
            )
        ok = fr[fr["p_value"].notna()]
        for _, r in ok.sort_values("measure").iterrows():
            m = str(r["measure"])
            ranks = means[means["measure"] == m].set_index("model")["mean_rank"].dropna()
            if len(ranks) < 2:
                continue
            fig = stats.cd_diagram(
                ranks.astype(float),
                pw[pw["measure"] == m],
                measure_label(m),
                float(r["cd_nemenyi"]),
                figures.model_colours(list(ranks.index)),
            )
            self.figure(
                s,
                fig,
                f"Critical-difference diagram, {measure_label(m)}: models placed at their mean rank "
                f"across {int(r['n_tasks'])} tasks (1 = best, at the left); models joined by a thick "
                "bar are not separated by the Holm-corrected pairwise Wilcoxon tests; the CD bar is "
                "the Nemenyi critical difference.",
                screen_only=m != "score",
            )
        if not pw.empty:
            cols = [
                "measure",
                "model_a",
                "model_b",
                "n_tasks",
                "p_value",
                "p_holm",
                "reject_holm",
                "p_a_better",
                "p_rope",
                "p_b_better",
                "bayes_verdict",
            ]
            pairs = pw[pw["family_a"] != pw["family_b"]]
            tested = pairs[pairs["p_value"].notna()]
            lnn_rnn = tested.assign(measure=lambda d: [measure_label(m) for m in d["measure"]])[
                cols
            ]
            self.export(pw, "rank_pairwise", "Pairwise rank tests across tasks")
            if len(tested) < len(pairs):
                s.text(
                    f"{len(pairs) - len(tested)} LNN-RNN pairs are not tested (a measure taken on "
                    "fewer than 2 tasks); they are listed in reports/tables/rank_pairwise.csv."
                )
            self.table(
                s,
                lnn_rnn,
                "Pairwise Wilcoxon signed-rank tests (Holm) and Bayesian signed-rank tests with a "
                "ROPE across tasks, LNN vs RNN pairs (A better / equivalent / B better)",
                print_rows=PRINT_ROWS,
                full_table="reports/tables/rank_pairwise.csv",
            )

    def _efficiency(self, s: Section) -> None:
        s.heading("Memory and speed")
        ids = self.runs[self.runs["condition"] == "id"]
        eff = (
            ids.groupby(["model", "family"])[EFFICIENCY_COLS]
            .median()
            .reset_index()
            .sort_values("train_time_per_epoch_s")
        )
        fmts: dict[str, Formatter] = {"n_params": lambda x: number(round(float(x)))}
        self.table(
            s,
            eff,
            "Cost per model, median over tasks and seeds (lower is better): trainable parameters, "
            "model size, peak memory while training, activations saved for backward, training time "
            "per epoch and inference latency per sequence (both timed inside training jobs that share "
            "the machine: measured under contention, diagnostic; section 3b measures costs alone)",
            "efficiency",
            formats=fmts,
        )
        per_task = ids.groupby(["task", "model", "family"])[EFFICIENCY_COLS].median().reset_index()
        self.table(
            s,
            per_task,
            "Cost per task and model (median over seeds)",
            "efficiency_per_task",
            screen_only=True,
            formats=fmts,
        )
        vals = self._summary_values()
        pts = vals[vals["condition"] == "id"] if not vals.empty else vals
        if pts.empty:
            s.notice("No Pareto plot: no in-distribution summaries.")
            return
        pts = pts.merge(per_task, on=["task", "model", "family"])
        groups = figures.chunks(sorted(pts["task"].unique()), figures.rows_per_figure(2.4))
        for i, group in enumerate(groups, 1):
            part = f" (part {i} of {len(groups)})" if len(groups) > 1 else ""
            self.figure(
                s,
                figures.pareto_plot(
                    pts[pts["task"].isin(group)], ("n_params", "train_time_per_epoch_s")
                ),
                f"Accuracy against cost{part}, one row of panels per task: each marker is one model "
                "(circle LNN, square RNN), at its mean in-distribution test metric (y) and its median "
                "trainable parameters (left) or training time per epoch (right, timed while other "
                "jobs ran: a diagnostic) on a log axis. The grey line joins the Pareto front: the "
                "models no other model beats in both cost and metric.",
            )

    def _degradation(self, s: Section) -> None:
        s.heading("Generalization: noise, shift, irregular sampling, length")
        vals = self._summary_values()
        if vals.empty or set(vals["condition"]) <= {"id"}:
            s.notice("No shifted conditions were evaluated: the grid tests in distribution only.")
            return
        for task in sorted(vals["task"].unique()):
            fig = figures.degradation_plot(vals, task)
            if fig is None:
                s.text(f"{task}: no condition besides in distribution.")
                continue
            self.figure(
                s,
                fig,
                f"{task}: test metric under each kind of shift (one panel per kind). Lines join a "
                "model's in-distribution result (at the kind's neutral level: no noise, no step "
                "dropped, length factor 1) to its results under the shifted conditions; solid lines "
                "and circles = LNN, dashed lines and squares = RNN; bars = 95% intervals over seeds (cut at "
                "the panel's edge when wider); models are shifted slightly sideways so that they do "
                "not hide each other.",
            )
        summ = self.get("rerun_summary")
        drops = summ[summ["measure"] == "drop"]
        if not drops.empty:
            shown = drops.assign(
                drop=[
                    f"{number(m)} {interval(lo, hi)}"
                    for m, lo, hi in zip(
                        drops["mean"], drops["ci_low"], drops["ci_high"], strict=True
                    )
                ]
            )
            wide = shown.pivot_table(
                index=["task", "model", "family"],
                columns="condition",
                values="drop",
                aggfunc="first",
            ).reset_index()
            wide.columns = [str(c) for c in wide.columns]
            self.table(
                s,
                wide.fillna("").rename(columns=condition_header),
                "Drop of the test metric under each condition: in-distribution minus shifted score, "
                "oriented so that a positive drop is a loss (mean over seeds [95% CI]; smaller is better)",
                "generalization_drops",
                print_rows=PRINT_ROWS,
                formats={condition_header(c): str for c in wide.columns},
            )
        wide = vals.pivot_table(
            index=["task", "model"], columns="condition", values="mean"
        ).reset_index()
        wide.columns = [str(c) for c in wide.columns]
        self.table(
            s,
            wide,
            "Test metric under every condition (mean over seeds)",
            "conditions",
            screen_only=True,
        )

    def _irregular(self, s: Section) -> None:
        s.heading("Irregular sampling")
        vals = self._summary_values()
        irr = vals[vals["condition_kind"] == "irregular"] if not vals.empty else vals
        if irr.empty:
            s.notice(
                "No irregular-sampling condition was evaluated (conditions.irregular is empty, or every "
                "task is irregularly sampled by nature)."
            )
            return
        idv = vals[vals["condition"] == "id"][["task", "model", "mean"]].rename(
            columns={"mean": "in distribution"}
        )
        tab = irr.merge(idv, on=["task", "model"]).assign(
            irregular=lambda d: [
                f"{number(m)} {interval(lo, hi)}"
                for m, lo, hi in zip(d["mean"], d["ci_low"], d["ci_high"], strict=True)
            ],
            fraction=lambda d: [f"{x:.0%}" for x in d["condition_level"]],
        )[["task", "model", "family", "fraction", "in distribution", "irregular"]]
        s.text(
            "A fraction of the time steps of each test sequence is dropped at random and the gaps are "
            "given to the models as time spans (continuous-time models can use them; discrete RNNs "
            "see only the shorter sequence). Tasks: "
            + ", ".join(sorted(irr["task"].unique()))
            + "."
        )
        self.table(
            s,
            tab.sort_values(["task", "fraction", "family", "model"]),
            "Test metric with a fraction of the time steps dropped, next to the in-distribution metric "
            "(mean over seeds [95% CI])",
            "irregular_sampling",
            headers={
                "fraction": "Steps dropped",
                "in distribution": "In distribution",
                "irregular": "With steps dropped",
            },
            formats={"irregular": str, "fraction": str},
            print_rows=PRINT_ROWS,
        )

    # (4) reported vs reproduced -----------------------------------------------------------------
    def reproduction_section(self) -> Section:
        s = Section("reproduction", "4. Reported vs reproduced")
        d, v = self.get("rvr_directions"), self.get("rvr_values")
        stand = self.config.get("analysis", {}).get("stand_ins", {}) or {}
        s.paragraphs.append(
            "A rerun task stands in for a paper's task where the config says so (analysis.stand_ins: "
            + (", ".join(f"{k} → {val}" for k, val in sorted(stand.items())) or "none")
            + "). Directions compare the sign of each LNN-vs-RNN difference; values test whether the "
            "reproduced mean is consistent with the reported mean ± spread (Welch's test from summary "
            "statistics)."
        )
        exc = self.get("rvr_excluded")
        if not exc.empty:
            bad = exc[exc["n_not_learned"] > 0]
            s.paragraphs.append(
                f"Runs that did not beat their task's sanity baseline are not reproduction results "
                f"and are left out here: {int(exc['n_not_learned'].sum())} of {int(exc['n_runs'].sum())} "
                f"runs"
                + (
                    " ("
                    + ", ".join(
                        f"{m} on {t}: {n_bad} of {n}"
                        for m, t, n_bad, n in zip(
                            bad["model"].head(12),
                            bad["task"].head(12),
                            bad["n_not_learned"].head(12),
                            bad["n_runs"].head(12),
                            strict=True,
                        )
                    )
                    + (", ..." if len(bad) > 12 else "")
                    + ")."
                    if len(bad)
                    else "."
                )
            )
        s.heading("Directions of LNN-vs-RNN differences")
        if d.empty:
            s.notice(
                "No direction comparisons: no rerun task stands in for a paper task on which the paper "
                "reports both an LNN and an RNN that we also reran."
            )
        else:
            cols = [
                "rerun_task",
                "paper_task",
                "paper_key",
                "location",
                "lnn_model",
                "rnn_model",
                "reported_direction",
                "reproduced_direction",
                "agreement",
            ]
            agree = int((d["agreement"] == "agree").sum())
            s.text(f"Directions agree in {agree} of {len(d)} model pairs.")
            self.table(
                s,
                d[cols],
                "Direction of each LNN-vs-RNN difference: paper vs rerun (+1 = LNN better)",
                "reported_vs_reproduced_directions",
                print_rows=PRINT_ROWS,
                formats={"reported_direction": str, "reproduced_direction": str},
            )
        s.heading("Reproduced values")
        if v.empty:
            s.notice(
                "No value comparisons: no rerun task is the paper's own task (analysis.own_tasks)."
            )
        else:
            counts = v["verdict"].value_counts()
            s.text(
                "Verdicts: "
                + ", ".join(f"{int(n)} {str(k).replace('_', ' ')}" for k, n in counts.items())
                + f" of {len(v)} reported numbers."
            )

            def msd(m: Any, sd: Any, n: Any) -> str:
                text = number(m)
                if pd.notna(sd):
                    text += f" ± {number(sd)}"
                return text + (f" (n = {n})" if pd.notna(n) else "")

            shown = pd.DataFrame(
                {
                    "task": v["task"],
                    "paper_key": v["paper_key"],
                    "location": v["location"],
                    "model": v["model"],
                    "metric": v["metric"],
                    "reported": [
                        msd(*x)
                        for x in zip(
                            v["reported_value"], v["reported_sd"], v["reported_n"], strict=True
                        )
                    ],
                    "reproduced": [
                        msd(*x)
                        for x in zip(
                            v["reproduced_mean"],
                            v["reproduced_sd"],
                            v["reproduced_n"],
                            strict=True,
                        )
                    ],
                    "p_value": v["p_value"],
                    "verdict": [str(x).replace("_", " ") for x in v["verdict"]],
                }
            )
            self.export(
                v, "reported_vs_reproduced_values", "Reported vs reproduced values (full table)"
            )
            self.table(
                s,
                shown,
                "Reproduced mean vs reported mean ± SD on the paper's own task (Welch's test; "
                "'consistent' = no significant difference)",
                print_rows=PRINT_ROWS,
                headers={"reported": "Reported mean ± SD", "reproduced": "Reproduced mean ± SD"},
                full_table="reports/tables/reported_vs_reproduced_values.csv",
            )
        return s

    # (5) data quality ---------------------------------------------------------------------------
    def quality_section(self) -> Section:
        s = Section("quality", "5. Data quality")
        if self.reported.empty:
            s.notice("No reported numbers to check.")
            return s
        q = quality_summary(self.reported)
        self.table(
            s,
            q,
            "Per paper: tables, numbers, numbers without spread, copied numbers, unit fixes, rows by "
            "family, conflicts with other papers",
            "data_quality",
        )
        c = conflicts(self.reported)
        s.heading("Same task, model and metric, different values in two papers")
        if c.empty:
            s.notice(
                "None: no task, model and metric is reported with different values by two papers."
            )
        else:
            self.table(
                s,
                c,
                "One column of one paper against one column of another paper (never two columns of "
                "one table): same task name, model, metric and unit, different values. Columns with "
                "the same id are paired when both papers have them; a difference can mean two setups "
                "under one task name, not an error",
                "conflicts",
                print_rows=6,
                formats={"value_a": str, "value_b": str},
            )
        s.heading("Unit fixes")
        fixes = self.reported[self.reported["unit_fixed_from"].notna()]
        fixes = fixes.assign(
            printed=[
                printed_unit(v, p, u)
                for v, p, u in zip(
                    fixes["value"], fixes["value_as_printed"], fixes["unit"], strict=True
                )
            ]
        )[["source", "unit_fixed_from", "printed", "unit"]]
        if fixes.empty:
            s.notice("No unit fixes: every table's header matches its values.")
        else:
            self.table(
                s,
                fixes,
                "The header claims one unit, the values are in another (corrected before analysis)",
                "unit_fixes",
                print_rows=6,
                headers={
                    "unit_fixed_from": "Header said",
                    "printed": "Values are",
                    "unit": "Analysed in",
                },
            )
        copied = self.reported[self.reported["copied_from"].notna()]
        s.text(
            f"Copied numbers: {len(copied)} of {len(self.reported)} reported numbers were copied from "
            "another paper (marked † in the survey tables); each is counted once in the statistics."
        )
        return s

    # (6) methods --------------------------------------------------------------------------------
    def methods_section(self) -> Section:
        import lnnmeta.verdicts as verdicts_module

        s = Section("methods", "6. Methods")
        s.heading("Effect sizes and pooling")
        s.text(
            "Effect sizes are signed so that positive means the LNN is better: Hedges' g (Hedges & "
            "Olkin 1985) where both sides have a spread and a run count; the log ratio of means for "
            "positive error and cost metrics. Pairs within one comparison (same paper, table, task and "
            "metric) are averaged into one effect before pooling, with correlation 0.5 between pairs "
            "that share a row; copied numbers are counted once. Pooling: random effects with REML and "
            "DerSimonian-Laird (DerSimonian & Laird 1986), Knapp-Hartung intervals (Knapp & Hartung "
            "2003), I² clipped at 0, Cochran's Q and prediction intervals (Higgins et al. 2009). "
            "Comparisons without spread enter a binomial sign test. Egger's test (Egger et al. 1997) "
            "only when k ≥ 10."
        )
        s.heading("Tests on the reruns and corrections for multiple testing")
        s.text(
            "Per task and model: mean and 95% t interval over seeds. Per task, LNN vs RNN: P(LNN > RNN) "
            "over seeds with a percentile bootstrap interval (Bouthillier et al. 2021); Welch's t-test, "
            "or Mann-Whitney U when the seeds are not normal, Holm-corrected over all pairs. Across "
            "tasks: Friedman test, pairwise Wilcoxon signed-rank tests with Holm correction (Benavoli "
            "et al. 2016; Demšar 2006) and Bayesian signed-rank tests with a region of practical "
            f"equivalence of ±{self.config.get('analysis', {}).get('rope', 0.01)} (relative; Benavoli "
            "et al. 2017). Generalization effects are the drops of the test metric under each "
            "shifted condition."
        )
        s.heading("Verdicts")
        doc = verdicts_module.__doc__ or ""
        rules = doc.split("Rules (stated in the report's Methods):", 1)[-1]
        items = [" ".join(b.replace("``", "'").split()) for b in rules.split("* ") if b.strip()]
        s.items(items)
        s.heading("Configuration")
        s.pre(
            yaml.safe_dump(self.config, sort_keys=True, default_flow_style=None, width=88).strip(),
            "The configuration of this run (defaults filled in)",
        )
        s.heading("Software and provenance")
        v = versions()
        info = pd.DataFrame(
            [{"item": k, "value": val} for k, val in v.items()]
            + [
                {"item": "commit", "value": git_commit()},
                {
                    "item": "inputs",
                    "value": "results/literature/reported.parquet, results/runs/all.parquet, results/analysis/*.parquet",
                },
                {
                    "item": "tables exported to reports/tables/ (CSV, Markdown, LaTeX)",
                    "value": ", ".join(sorted(set(self.exported))),
                },
            ]
        )
        s.table(info, "Software versions, commit and exported tables", formats={"value": str})
        s.heading("References")
        if self.refs:
            s.items(self.refs, ordered=True)
        else:
            s.notice("No references: config/literature/references.bib is empty.")
        return s

    def sections(self) -> list[Section]:
        # Methods last: it lists every exported table.
        out = [
            self.claims_section(),
            self.summary_section(),
            self.limitations_section(),
            self.literature_section(),
            self.reruns_section(),
            *([costs_section(self, self.cost_tables)] if self.cost_tables else []),
            self.reproduction_section(),
            self.quality_section(),
        ]
        return [*out, self.methods_section()]


def build_report(
    reported: str,
    runs: str,
    analysis: list[str],
    claims: str,
    bib: str,
    config: dict[str, Any],
    html_out: str,
    tables_dir: str,
    costs: Sequence[str] = (),
) -> None:
    """Read every table, build the sections, write the HTML report and the exported tables.

    ``costs``: the cost benchmark's tables (results/costs/*.parquet); without them, no cost section.
    """
    builder = ReportBuilder(
        read_table(reported, "reported"),
        read_table(runs, "runs_all"),
        read_analysis(analysis),
        load_claims(claims),
        references(bib),
        config,
        Path(tables_dir),
    )
    builder.cost_tables = read_cost_tables(costs)
    builder.authors = answer.bib_authors(bib)
    sections = builder.sections()
    html = render_html(
        config.get("report", {}).get("title", "Liquid neural networks vs recurrent networks"),
        QUESTION,
        sections,
        git_commit(),
        lead=builder.lead(),
    )
    write_text(html_out, html)


def condition_header(name: str) -> str:
    """``noise_0.3`` -> ``noise 0.3``; other column names unchanged."""
    kind, _, level = name.partition("_")
    if kind in ("noise", "irregular", "length") and level:
        return f"{kind} {level}"
    return name
