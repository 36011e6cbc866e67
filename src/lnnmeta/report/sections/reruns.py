"""Section 3: the reruns: per-task results, sanity baselines, LNN vs RNN per task, rank tests,
memory and speed as the training jobs measured them, generalization and irregular sampling."""

from __future__ import annotations

import pandas as pd

from lnnmeta import stats
from lnnmeta.measures import TRAINING_MEASURES, headline_measure
from lnnmeta.report import figures
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.labels import Formatter, interval, measure_label, number
from lnnmeta.report.render import Section
from lnnmeta.report.sections.literature import PRINT_ROWS
from lnnmeta.report.sink import TableSink


def reruns(inp: ReportInputs, out: TableSink) -> Section:
    """Section 3: the reruns, as the training jobs measured them."""
    s = Section("reruns", "3. The reruns")
    runs = inp.runs
    if runs.empty:
        s.notice("No rerun results: the grid trained no model.")
        return s
    cfg = inp.config
    conds = sorted(set(runs["condition"]), key=lambda c: (c != "id", c))
    s.paragraphs.append(
        f"Models {', '.join(sorted(runs['model'].unique()))} were trained on "
        f"{runs['task'].nunique()} tasks with {runs['seed'].nunique()} seeds each "
        f"(backend {', '.join(sorted(runs['backend'].unique()))}; "
        f"{cfg.get('training', {}).get('units', '?')} units, at most "
        f"{cfg.get('training', {}).get('epochs', '?')} epochs) and tested in distribution and "
        f"under {len(conds) - 1} shifted conditions: {', '.join(conds[1:]) or 'none'}."
    )
    tasks = runs[["task", "stands_in_for", "metric", "higher_is_better"]].drop_duplicates("task")
    out.table(s, tasks, "Tasks: what each stands in for, its metric and direction", "rerun_tasks")
    _results(inp, out, s)
    _sanity(inp, out, s)
    _comparisons(inp, out, s)
    _ranks(inp, out, s)
    _efficiency(inp, out, s)
    _degradation(inp, out, s)
    _irregular(inp, out, s)
    return s


def _results(inp: ReportInputs, out: TableSink, s: Section) -> None:
    s.heading("Per-task results")
    vals = inp.summary_values()
    idsum = vals[vals["condition"] == "id"] if not vals.empty else vals
    if idsum.empty:
        s.notice("No in-distribution summaries (results/analysis/rerun_summary.parquet is empty).")
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
    out.table(
        s,
        wide.sort_values(["family", "model"]),
        f"In-distribution test metric per task: mean over seeds [{inp.level} t interval] (↑ higher is "
        "better, ↓ lower is better)",
        "rerun_results",
        headers=headers,
        formats={c: str for c in wide.columns},
    )
    ids = inp.runs[inp.runs["condition"] == "id"]
    groups = figures.chunks(sorted(idsum["task"].unique()), 2 * figures.rows_per_figure(2.3))
    for i, group in enumerate(groups, 1):
        part = f" (part {i} of {len(groups)})" if len(groups) > 1 else ""
        out.figure(
            s,
            figures.results_plot(idsum[idsum["task"].isin(group)], ids),
            f"Per-task results{part}. One panel per task, one row per model: marker = mean test "
            f"metric over seeds (circle LNN, square RNN), thick bar = {inp.level} t interval, ticks above = "
            "the individual seeds. The axis label says whether higher or lower is better.",
        )


def _comparisons(inp: ReportInputs, out: TableSink, s: Section) -> None:
    comp = inp.get("rerun_comparisons")
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
    out.table(
        s,
        shown,
        f"P(LNN > RNN) over seeds with a percentile-bootstrap {inp.level} CI; Welch's t-test or "
        "Mann-Whitney U, Holm-corrected over all pairs (means oriented so that higher is better)",
        "rerun_comparisons",
        print_rows=PRINT_ROWS,
    )


def _sanity(inp: ReportInputs, out: TableSink, s: Section) -> None:
    """The sanity baselines per task (results/runs/sanity_summary.parquet, rule collect_runs)."""
    san = inp.get("sanity_summary")
    s.heading("Sanity baselines")
    if san.empty:
        s.notice("No sanity baselines (results/runs/sanity_summary.parquet is empty).")
        return
    tab = san[["task", "metric", "naive", "linear", "naive_value", "threshold", "linear_value"]]
    tab = tab.assign(
        **{
            "runs not learned": [
                f"{int(bad)} of {int(n)}" if n else "-"
                for bad, n in zip(san["n_not_learned"], san["n_runs"], strict=True)
            ]
        }
    )
    # Each task once in the counts (a task whose baselines differ by seed has several rows).
    per_task = san.drop_duplicates("task")
    n_bad, n_runs = int(per_task["n_not_learned"].sum()), int(per_task["n_runs"].sum())
    s.paragraphs.append(
        f"Each task has a baseline that learns nothing from the sequence: the majority class "
        f"(a run must beat it by a one-sided binomial test at the report's alpha) or, for "
        f"regression, the better of the training mean and persistence (the last observed "
        f'value). A run that does not beat it is marked "not learned": {n_bad} of {n_runs} '
        f"runs. Those runs are left out of the reproduction checks, and tasks on which no run "
        f"learned are left out of the rank tests. A linear model on the flattened sequence "
        f"(logistic or ridge regression) is shown for reference."
    )
    out.table(
        s,
        tab,
        "Sanity baselines per task (means over seeds): the naive predictor, the threshold a run "
        "must beat, a linear model, and the runs that did not beat the threshold",
        "sanity_baselines",
    )


def _family(inp: ReportInputs, out: TableSink, s: Section) -> None:
    fam = inp.get("rank_family")
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
    out.table(
        s,
        fam.assign(measure=[measure_label(m) for m in fam["measure"]])[cols],
        "LNN family vs RNN family per measure: tasks where the LNN models rank better / worse, "
        "mean difference of normalised ranks (positive = LNN better), Wilcoxon p (Holm), the "
        "smallest reachable p, and the tasks and seeds 80% power would need",
        "rank_family",
    )


def _ranks(inp: ReportInputs, out: TableSink, s: Section) -> None:
    s.heading("Ranks across tasks")
    _family(inp, out, s)
    fr, means, pw = inp.get("rank_friedman"), inp.get("rank_means"), inp.get("rank_pairwise")
    if fr.empty:
        s.notice("No rank tests: they need at least two tasks and three models.")
        return
    out.table(
        s,
        fr.assign(measure=[measure_label(m) for m in fr["measure"]]),
        "Friedman test per measure (do the models' ranks across tasks differ?)",
        "rank_friedman",
    )
    if not means.empty:
        out.figure(
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
            alpha=inp.alpha,
        )
        out.figure(
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
        lnn_rnn = tested.assign(measure=lambda d: [measure_label(m) for m in d["measure"]])[cols]
        href = out.export(pw, "rank_pairwise", "Pairwise rank tests across tasks")
        if len(tested) < len(pairs):
            s.text(
                f"{len(pairs) - len(tested)} LNN-RNN pairs are not tested (a measure taken on "
                f"fewer than 2 tasks); they are listed in {href}."
            )
        out.table(
            s,
            lnn_rnn,
            "Pairwise Wilcoxon signed-rank tests (Holm) and Bayesian signed-rank tests with a "
            "ROPE across tasks, LNN vs RNN pairs (A better / equivalent / B better)",
            print_rows=PRINT_ROWS,
            full_table=href,
        )


def _efficiency(inp: ReportInputs, out: TableSink, s: Section) -> None:
    s.heading("Memory and speed")
    eff = inp.cost_medians(per_task=False)
    time_col = headline_measure("training", "time")
    if time_col in eff.columns:
        eff = eff.sort_values(time_col)
    fmts: dict[str, Formatter] = {
        n: lambda x: number(round(float(x)))
        for n, m in TRAINING_MEASURES.items()
        if m.unit == "count"
    }
    # the measures' labels, lower case, without the diagnostics' "(measured under contention...)"
    shown = [m for n, m in TRAINING_MEASURES.items() if n in eff.columns]
    named = [m.label.split(" (")[0].lower() for m in shown if not m.diagnostic]
    timed = [m.label.split(" (")[0].lower() for m in shown if m.diagnostic]
    out.table(
        s,
        eff,
        f"Cost per model, median over tasks and seeds (lower is better): {', '.join(named)}"
        + (
            f"; {' and '.join(timed)} (timed inside training jobs that share the machine: "
            "measured under contention, diagnostic; section 3b measures costs alone)"
            if timed
            else ""
        ),
        "efficiency",
        formats=fmts,
    )
    per_task = inp.cost_medians(per_task=True)
    out.table(
        s,
        per_task,
        "Cost per task and model (median over seeds)",
        "efficiency_per_task",
        screen_only=True,
        formats=fmts,
    )
    vals = inp.summary_values()
    pts = vals[vals["condition"] == "id"] if not vals.empty else vals
    if pts.empty:
        s.notice("No Pareto plot: no in-distribution summaries.")
        return
    pts = pts.merge(per_task, on=["task", "model", "family"])
    groups = figures.chunks(sorted(pts["task"].unique()), figures.rows_per_figure(2.4))
    for i, group in enumerate(groups, 1):
        part = f" (part {i} of {len(groups)})" if len(groups) > 1 else ""
        out.figure(
            s,
            figures.pareto_plot(
                pts[pts["task"].isin(group)], (headline_measure("training", "parameters"), time_col)
            ),
            f"Accuracy against cost{part}, one row of panels per task: each marker is one model "
            "(circle LNN, square RNN), at its mean in-distribution test metric (y) and its median "
            "trainable parameters (left) or training time per epoch (right, timed while other "
            "jobs ran: a diagnostic) on a log axis. The grey line joins the Pareto front: the "
            "models no other model beats in both cost and metric.",
        )


def _degradation(inp: ReportInputs, out: TableSink, s: Section) -> None:
    s.heading("Generalization: noise, shift, irregular sampling, length")
    vals = inp.summary_values()
    if vals.empty or set(vals["condition"]) <= {"id"}:
        s.notice("No shifted conditions were evaluated: the grid tests in distribution only.")
        return
    for task in sorted(vals["task"].unique()):
        fig = figures.degradation_plot(vals, task)
        if fig is None:
            s.text(f"{task}: no condition besides in distribution.")
            continue
        out.figure(
            s,
            fig,
            f"{task}: test metric under each kind of shift (one panel per kind). Lines join a "
            "model's in-distribution result (at the kind's neutral level: no noise, no step "
            "dropped, length factor 1) to its results under the shifted conditions; solid lines "
            f"and circles = LNN, dashed lines and squares = RNN; bars = {inp.level} intervals over seeds (cut at "
            "the panel's edge when wider); models are shifted slightly sideways so that they do "
            "not hide each other.",
        )
    summ = inp.get("rerun_summary")
    drops = summ[summ["measure"] == "drop"]
    if not drops.empty:
        shown = drops.assign(
            drop=[
                f"{number(m)} {interval(lo, hi)}"
                for m, lo, hi in zip(drops["mean"], drops["ci_low"], drops["ci_high"], strict=True)
            ]
        )
        wide = shown.pivot_table(
            index=["task", "model", "family"],
            columns="condition",
            values="drop",
            aggfunc="first",
        ).reset_index()
        wide.columns = [str(c) for c in wide.columns]
        out.table(
            s,
            wide.fillna("").rename(columns=condition_header),
            "Drop of the test metric under each condition: in-distribution minus shifted score, "
            f"oriented so that a positive drop is a loss (mean over seeds [{inp.level} CI]; smaller is better)",
            "generalization_drops",
            print_rows=PRINT_ROWS,
            formats={condition_header(c): str for c in wide.columns},
        )
    wide = vals.pivot_table(
        index=["task", "model"], columns="condition", values="mean"
    ).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    out.table(
        s,
        wide,
        "Test metric under every condition (mean over seeds)",
        "conditions",
        screen_only=True,
    )


def _irregular(inp: ReportInputs, out: TableSink, s: Section) -> None:
    s.heading("Irregular sampling")
    vals = inp.summary_values()
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
        "see only the shorter sequence). Tasks: " + ", ".join(sorted(irr["task"].unique())) + "."
    )
    out.table(
        s,
        tab.sort_values(["task", "fraction", "family", "model"]),
        "Test metric with a fraction of the time steps dropped, next to the in-distribution metric "
        f"(mean over seeds [{inp.level} CI])",
        "irregular_sampling",
        headers={
            "fraction": "Steps dropped",
            "in distribution": "In distribution",
            "irregular": "With steps dropped",
        },
        formats={"irregular": str, "fraction": str},
        print_rows=PRINT_ROWS,
    )


def condition_header(name: str) -> str:
    """``noise_0.3`` -> ``noise 0.3``; other column names unchanged."""
    kind, _, level = name.partition("_")
    if kind in ("noise", "irregular", "length") and level:
        return f"{kind} {level}"
    return name
