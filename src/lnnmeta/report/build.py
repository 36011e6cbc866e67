"""Assemble the report from the data: sections (0) claims ... (6) methods, tables exported alongside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from lnnmeta.atomic import write_text
from lnnmeta.claims import load_claims
from lnnmeta.literature.survey import conflicts, quality_summary, regenerate_tables
from lnnmeta.pipeline import git_commit, versions
from lnnmeta.report import figures
from lnnmeta.report.export import export_table
from lnnmeta.report.render import Section, render_html
from lnnmeta.tables import read_table
from lnnmeta.verdicts import claim_verdicts

QUESTION = (
    "Do liquid neural networks (LTC, CfC, NCP) beat recurrent networks (RNN, LSTM, GRU) in accuracy, "
    "memory efficiency and out-of-distribution generalization - according to what papers report, "
    "according to what we can rerun, and how sure can we be?"
)
DIMENSIONS = ("accuracy", "efficiency", "generalization")


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
}


def read_analysis(paths: list[str]) -> dict[str, pd.DataFrame]:
    """Read the analysis tables, each against its declared schema, keyed by file stem."""
    _register_analysis_schemas()
    return {Path(p).stem: read_table(p, SCHEMA_OF[Path(p).stem]) for p in paths}


def references(bib_path: str | Path) -> list[str]:
    """The BibTeX entries rendered as one plain-text reference each, sorted by key."""
    import bibtexparser

    with open(bib_path, encoding="utf-8") as f:
        db = bibtexparser.load(f)
    out = []
    for e in sorted(db.entries, key=lambda e: e["ID"]):
        authors = " ".join(e.get("author", "").replace("\n", " ").split())
        venue = (
            e.get("journal") or e.get("booktitle") or e.get("howpublished") or e.get("eprint", "")
        )
        out.append(
            f"[{e['ID']}] {authors}. {e.get('title', '').strip('{}')}. {venue} ({e.get('year', '')})."
        )
    return out


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

    def export(self, df: pd.DataFrame, stem: str, caption: str) -> None:
        export_table(df, self.tables_dir, stem, caption)
        self.exported.append(stem)

    def get(self, name: str) -> pd.DataFrame:
        return self.a.get(name, pd.DataFrame())

    # (0) claims
    def claims_section(self) -> Section:
        s = Section("claims", "0. Claims under test")
        s.paragraphs.append(
            "Each claim (config/claims.yaml) is judged twice: by the pooled effects of what papers report and by "
            "the reruns. Positive effects mean the LNN is better. The rules are in the Methods section."
        )
        verdicts = claim_verdicts(
            self.claims, self.get("meta"), self.get("rank_pairwise"), list(self.config["models"])
        )
        self.export(verdicts, "claims", "Claims under test and their computed verdicts")
        s.table(verdicts, "Claims and verdicts (literature and reruns side by side)")
        return s

    # (1) summary
    def summary_section(self) -> Section:
        s = Section("summary", "1. Summary: one verdict per dimension")
        meta = self.get("meta")
        rows = []
        for source in ("reported", "rerun"):
            for dim in DIMENSIONS:
                sel = (
                    meta[
                        (meta["source"] == source)
                        & (meta["scope"] == "overall")
                        & (meta["method"] == "REML")
                        & (meta["dimension"] == dim)
                        & (meta["metric_family"] == "all")
                    ]
                    if not meta.empty
                    else meta
                )
                if sel.empty:
                    rows.append(
                        {
                            "source": source,
                            "dimension": dim,
                            "scale": "",
                            "estimate": None,
                            "95% CI": "",
                            "prediction interval": "",
                            "k": 0,
                            "papers": 0,
                            "verdict": "inconclusive",
                            "note": "no comparisons with a usable variance",
                        }
                    )
                    continue
                for _, r in sel.iterrows():
                    v = (
                        "LNN better"
                        if r["ci_low"] > 0
                        else "RNN better"
                        if r["ci_high"] < 0
                        else "inconclusive"
                    )
                    rows.append(
                        {
                            "source": source,
                            "dimension": dim,
                            "scale": r["scale"],
                            "estimate": r["estimate"],
                            "95% CI": f"[{r['ci_low']:.3g}, {r['ci_high']:.3g}]",
                            "prediction interval": ""
                            if pd.isna(r["pi_low"])
                            else f"[{r['pi_low']:.3g}, {r['pi_high']:.3g}]",
                            "k": int(r["k"]),
                            "papers": int(r["n_papers"]),
                            "verdict": v,
                            "note": r["note"] or "",
                        }
                    )
        table = pd.DataFrame(rows)
        self.export(
            table, "summary", "Pooled LNN-vs-RNN effect per dimension (REML, Knapp-Hartung)"
        )
        s.table(
            table,
            "Pooled effect per dimension (positive = LNN better; smd = Hedges' g, log_ratio = log of mean ratio)",
        )
        n_runs = self.runs[["task", "model", "seed"]].drop_duplicates().shape[0]
        s.paragraphs.append(
            f"Evidence: {self.reported['paper_key'].nunique()} papers, {len(self.reported)} reported numbers; "
            f"{self.runs['task'].nunique()} rerun tasks, {self.runs['model'].nunique()} models, "
            f"{self.runs['seed'].nunique()} seeds, {n_runs} training runs."
        )
        return s

    # (2) literature
    def literature_section(self) -> Section:
        s = Section("literature", "2. The literature")
        s.paragraphs.append(
            "Each table below is rebuilt from the curated data (config/literature/) and can be held next to the "
            "paper; † marks a row the paper copied from another paper (counted once in the statistics)."
        )
        cites = {
            k: g["source"].iloc[0].split(",")[0] for k, g in self.reported.groupby("paper_key")
        }
        for (paper, table), df in regenerate_tables(self.reported).items():
            g = self.reported[
                (self.reported["paper_key"] == paper) & (self.reported["table_id"] == table)
            ]
            caption = f"{cites[paper]}, {g['location'].iloc[0]}: {g['caption'].iloc[0]}"
            self.export(df, f"survey_{paper}_{table}", caption)
            s.table(df, caption)
        meta = self.get("meta")
        if not meta.empty:
            lit = meta[(meta["source"] == "reported") & (meta["scope"] == "overall")]
            cols = [
                "dimension",
                "metric_family",
                "scale",
                "method",
                "k",
                "n_papers",
                "estimate",
                "ci_low",
                "ci_high",
                "tau2",
                "i2",
                "q",
                "pi_low",
                "pi_high",
                "note",
            ]
            s.heading("Pooled effects and heterogeneity")
            s.table(lit[cols], "Random-effects pooling of reported LNN-vs-RNN effects (overall)")
            self.export(lit[cols], "literature_meta", "Random-effects pooling of reported effects")
        self._forest(s)
        loo = self.get("leave_one_out")
        if not loo.empty:
            s.heading("Leave-one-paper-out sensitivity")
            cols = [
                "left_out",
                "dimension",
                "metric_family",
                "scale",
                "k",
                "estimate",
                "ci_low",
                "ci_high",
            ]
            sel = loo[(loo["source"] == "reported") & (loo["metric_family"] == "all")][cols]
            s.table(sel, "Overall REML estimate with each paper left out")
        sign = self.get("sign_test")
        if not sign.empty:
            s.heading("Sign test over comparisons without spread")
            cols = [
                "source",
                "scope",
                "dimension",
                "metric_family",
                "subset",
                "n_positive",
                "n_negative",
                "n_ties",
                "prop_lnn_better",
                "p_value",
                "note",
            ]
            sel = sign[(sign["scope"] == "overall")][cols]
            s.table(sel, "Binomial sign test on the direction of LNN-vs-RNN comparisons")
            self.export(sign, "sign_tests", "Sign tests")
        egger = self.get("egger")
        if not egger.empty:
            s.heading("Small-study effects (Egger's test, only when k >= 10)")
            s.table(egger, "Egger's regression test")
        return s

    def _forest(self, s: Section) -> None:
        from lnnmeta import stats

        effects, meta = self.get("effects"), self.get("meta")
        lit = (
            meta[
                (meta["source"] == "reported")
                & (meta["scope"] == "overall")
                & (meta["method"] == "REML")
                & (meta["metric_family"] == "all")
            ]
            if not meta.empty
            else meta
        )
        if lit.empty:
            s.notice("No pooled effects: forest plots need comparisons with a usable variance.")
            return
        s.heading("Forest plots")
        for _, r in lit.iterrows():
            if int(r["k"]) < 1:
                continue
            title = f"{r['dimension']} ({r['scale']}), reported: k = {int(r['k'])}"
            fig = stats.forest_plot(
                effects, source="reported", dimension=r["dimension"], scale=r["scale"], title=title
            )
            s.figure(
                figures.to_data_uri(fig),
                f"Forest plot, {title}: one row per comparison (paper, task, metric), "
                "pooled REML diamond and prediction interval (red) at the bottom.",
            )
            if int(r["k"]) >= 10:
                fig = stats.funnel_plot(
                    effects,
                    source="reported",
                    dimension=r["dimension"],
                    scale=r["scale"],
                    title=title,
                )
                s.figure(
                    figures.to_data_uri(fig),
                    f"Funnel plot, {title}: effect against standard error.",
                )

    # (3) reruns
    def reruns_section(self) -> Section:
        s = Section("reruns", "3. The reruns")
        runs = self.runs
        if runs.empty:
            s.notice("No rerun results.")
            return s
        tasks = runs[["task", "stands_in_for", "metric", "higher_is_better"]].drop_duplicates(
            "task"
        )
        s.table(tasks, "Tasks: what each stands in for, its metric and direction")
        summ = self.get("rerun_summary")
        idsum = (
            summ[(summ["condition"] == "id") & (summ["measure"] == "metric")]
            if not summ.empty
            else summ
        )
        if not idsum.empty:
            tab = idsum.assign(
                result=[
                    f"{m:.3g} [{lo:.3g}, {hi:.3g}]"
                    for m, lo, hi in zip(
                        idsum["mean"], idsum["ci_low"], idsum["ci_high"], strict=True
                    )
                ]
            )
            wide = tab.pivot(index="model", columns="task", values="result").reset_index()
            s.table(wide, "In-distribution test metric per task: mean over seeds [95% t interval]")
            self.export(wide, "rerun_results", "Rerun test metric, mean [95% CI] over seeds")
        comp = self.get("rerun_comparisons")
        if not comp.empty:
            cols = [
                "task",
                "lnn_model",
                "rnn_model",
                "mean_lnn",
                "mean_rnn",
                "p_lnn_better",
                "p_ci_low",
                "p_ci_high",
                "test",
                "p_value",
                "p_holm",
                "reject_holm",
            ]
            s.heading("LNN vs RNN per task")
            s.table(
                comp[cols],
                "P(LNN > RNN) over seeds with a bootstrap CI; Welch or Mann-Whitney, Holm-corrected",
                max_rows=60,
            )
            self.export(comp, "rerun_comparisons", "Rerun comparisons per task")
        self._ranks(s)
        self._efficiency(s, summ)
        self._degradation(s, summ)
        return s

    def _ranks(self, s: Section) -> None:
        fr, means = self.get("rank_friedman"), self.get("rank_means")
        if fr.empty:
            return
        s.heading("Ranks across tasks")
        s.table(fr, "Friedman test per measure")
        if not means.empty:
            s.table(
                means.sort_values(["measure", "mean_rank"]),
                "Mean ranks across tasks (1 = best)",
                max_rows=60,
            )
        from lnnmeta import stats

        rope = float(self.config.get("analysis", {}).get("rope", 0.01))
        for measure, fig in sorted(
            stats.rank_tests(self.runs, rope=rope, figures=True).figures.items()
        ):
            s.figure(
                figures.to_data_uri(fig),
                f"Critical-difference diagram, {measure}: mean ranks across tasks; "
                "models joined by a bar are not significantly different (Nemenyi).",
            )
        pw = self.get("rank_pairwise")
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
            lnn_rnn = pw[pw["family_a"] != pw["family_b"]]
            s.table(
                lnn_rnn[cols],
                "Pairwise Wilcoxon (Holm) and Bayesian signed-rank test with ROPE, LNN vs RNN pairs",
                max_rows=40,
            )
            self.export(pw, "rank_pairwise", "Pairwise rank tests across tasks")

    def _efficiency(self, s: Section, summ: pd.DataFrame) -> None:
        s.heading("Memory and speed")
        cols = [
            "n_params",
            "model_bytes",
            "peak_train_mem_bytes",
            "saved_for_backward_bytes",
            "train_time_per_epoch_s",
            "infer_latency_s",
        ]
        ids = self.runs[self.runs["condition"] == "id"]
        eff = (
            ids.groupby(["model", "family"])[cols]
            .median()
            .reset_index()
            .sort_values("train_time_per_epoch_s")
        )
        s.table(eff, "Median over tasks and seeds: parameters, bytes, time (lower is better)")
        self.export(eff, "efficiency", "Efficiency measures, median over tasks and seeds")
        if summ.empty:
            return
        pts = summ[(summ["condition"] == "id") & (summ["measure"] == "metric")].merge(
            ids.groupby(["task", "model"])["n_params"].median().reset_index(), on=["task", "model"]
        )
        for task in sorted(pts["task"].unique()):
            s.figure(
                figures.to_data_uri(figures.pareto_plot(pts, task)),
                f"{task}: in-distribution metric against trainable parameters (one point per model)",
            )

    def _degradation(self, s: Section, summ: pd.DataFrame) -> None:
        if summ.empty:
            return
        s.heading("Generalization: noise, shift, irregular sampling, length")
        metric = summ[summ["measure"] == "metric"]
        for task in sorted(metric["task"].unique()):
            kinds = sorted(set(metric.loc[metric["task"] == task, "condition_kind"]) - {"id"})
            for kind in kinds:
                s.figure(
                    figures.to_data_uri(figures.degradation_plot(metric, task, kind)),
                    f"{task}: test metric under {kind} (solid LNN, dashed RNN; mean over seeds)",
                )
        wide = metric.pivot_table(
            index=["task", "model"], columns="condition", values="mean"
        ).reset_index()
        self.export(wide, "conditions", "Test metric per condition, mean over seeds")
        s.table(wide, "Test metric under every condition (mean over seeds)", max_rows=80)

    # (4) reported vs reproduced
    def reproduction_section(self) -> Section:
        s = Section("reproduction", "4. Reported vs reproduced")
        d, v = self.get("rvr_directions"), self.get("rvr_values")
        if d.empty and v.empty:
            s.notice(
                "No rerun task stands in for a reported task with both an LNN and an RNN (see analysis.stand_ins)."
            )
            return s
        if not d.empty:
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
            s.table(d[cols], "Direction of each LNN-vs-RNN difference: paper vs rerun", max_rows=60)
            agree = (d["agreement"] == "agree").sum()
            s.paragraphs.append(f"Directions agree in {agree} of {len(d)} model pairs.")
            self.export(d, "reported_vs_reproduced_directions", "Reported vs reproduced directions")
        if not v.empty:
            s.table(
                v, "Reproduced mean vs reported mean ± spread on the paper's own task", max_rows=40
            )
            self.export(v, "reported_vs_reproduced_values", "Reported vs reproduced values")
        return s

    # (5) data quality
    def quality_section(self) -> Section:
        s = Section("quality", "5. Data quality")
        q = quality_summary(self.reported)
        s.table(
            q,
            "Per paper: tables, numbers, numbers without spread, copied numbers, unit fixes, conflicts",
        )
        self.export(q, "data_quality", "Data quality of the literature data")
        c = conflicts(self.reported)
        s.table(
            c,
            "Conflicts: the same task, model and metric reported with different values by different papers",
        )
        fixes = self.reported[self.reported["unit_fixed_from"].notna()][
            ["source", "unit", "unit_fixed_from"]
        ]
        s.table(
            fixes, "Unit fixes: the header claims one unit, the values are in another", max_rows=30
        )
        return s

    # (6) methods
    def methods_section(self) -> Section:
        s = Section("methods", "6. Methods")
        s.paragraphs += [
            "Effect sizes are signed so that positive means the LNN is better: Hedges' g (Hedges & Olkin 1985) where "
            "both sides have a spread and a run count; the log ratio of means for positive error and cost metrics. "
            "Pairs within one comparison (same paper, table, task and metric) are averaged into one effect before "
            "pooling; copied numbers are counted once. Pooling: random effects with REML and DerSimonian-Laird "
            "(DerSimonian & Laird 1986), Knapp-Hartung intervals (Knapp & Hartung 2003), I² clipped at 0, Q and "
            "prediction intervals (Higgins et al. 2009). Comparisons without spread enter a binomial sign test. "
            "Egger's test (Egger et al. 1997) only when k >= 10.",
            "Reruns: per task and model, mean and 95% t interval over seeds; P(LNN > RNN) over seeds with a "
            "percentile bootstrap interval (Bouthillier et al. 2021); Welch's t-test or Mann-Whitney U, Holm-corrected. "
            "Across tasks: Friedman test, pairwise Wilcoxon signed-rank with Holm (Benavoli et al. 2016; Demšar 2006), "
            "Bayesian signed-rank test with a ROPE (Benavoli et al. 2017).",
            "Claims: "
            + (__import__("lnnmeta.verdicts", fromlist=["x"]).__doc__ or "")
            .split("Rules", 1)[-1]
            .strip(),
        ]
        v = versions()
        info = pd.DataFrame(
            [{"item": k, "value": val} for k, val in v.items()]
            + [
                {"item": "commit", "value": git_commit()},
                {
                    "item": "tables exported to reports/tables/",
                    "value": ", ".join(sorted(self.exported)),
                },
            ]
        )
        s.table(info, "Software and provenance")
        s.table(
            pd.DataFrame({"config": [json.dumps(self.config, sort_keys=True, indent=1)]}),
            "The configuration of this run",
        )
        s.heading("References")
        for r in self.refs:
            s.text(r)
        return s

    def sections(self) -> list[Section]:
        return [
            self.claims_section(),
            self.summary_section(),
            self.literature_section(),
            self.reruns_section(),
            self.reproduction_section(),
            self.quality_section(),
            self.methods_section(),
        ]


def build_report(
    reported: str,
    runs: str,
    analysis: list[str],
    claims: str,
    bib: str,
    config: dict[str, Any],
    html_out: str,
    tables_dir: str,
) -> None:
    """Read every table, build the sections, write the HTML report and the exported tables."""
    builder = ReportBuilder(
        read_table(reported, "reported"),
        read_table(runs, "runs"),
        read_analysis(analysis),
        load_claims(claims),
        references(bib),
        config,
        Path(tables_dir),
    )
    sections = builder.sections()
    html = render_html(
        config.get("report", {}).get("title", "lnnmeta report"), QUESTION, sections, git_commit()
    )
    write_text(html_out, html)
