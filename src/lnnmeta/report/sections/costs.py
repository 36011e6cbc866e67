"""The report's cost-benchmark section: costs measured alone (:mod:`lnnmeta.costs`), not inside training.

Reads ``results/costs/{costs,exponents,comparisons}.parquet`` and adds to the report: the LNN/RNN
cost ratios at the comparison cell (one column per measure, never pooled), the growth exponents
(cost ~ T^a H^b), log-log plots of each measure against T and against H (both liquid backends: "LNN
as published in ncps" and "LNN with an optimised kernel"), and accuracy-vs-memory and
accuracy-vs-parameters Pareto plots across the rerun grid.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from lnnmeta.costs import COST_COMPARISONS, COST_EXPONENTS, COSTS, MEASURES
from lnnmeta.measures import TRAINING_MEASURES, headline_measure
from lnnmeta.report import figures
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.labels import (
    BACKEND_LABELS,
    cost_interval_words,
    fit_words,
    interval,
    level_words,
    nbytes,
    number,
    seconds,
)
from lnnmeta.report.render import Section
from lnnmeta.report.sink import TableSink
from lnnmeta.tables import read_table

SCHEMAS = {"costs": COSTS, "exponents": COST_EXPONENTS, "comparisons": COST_COMPARISONS}
#: Short names of the measures in tables and figures (their labels in lnnmeta.measures).
MEASURE_NAMES = {name: m.label for name, m in MEASURES.items()}
#: (marker, line style) of each backend in the figures.
BACKEND_STYLE = {"ncps": ("x", ":"), "fast": ("o", "-"), "torch": ("s", "--")}
#: The reference RNN of the printed ratio table (every RNN is in the full table).
REFERENCE_RNN = "lstm"
#: The measures of the printed growth-exponent table: time and memory, the noisy ones left out
#: (every measure is in the exported table).
EXPONENT_MEASURES = tuple(
    n for n, m in MEASURES.items() if m.dimension != "parameters" and not m.noisy
)


def read_cost_tables(paths: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The cost tables keyed by file stem (``costs``, ``exponents``, ``comparisons``), each checked
    against its declared schema; other files in ``paths`` are ignored."""
    out = {}
    for p in paths:
        stem = Path(p).stem
        if stem in SCHEMAS:
            out[stem] = read_table(p, SCHEMAS[stem])
    return out


def _value(measure: str, x: float) -> str:
    unit = MEASURES[measure].unit
    return seconds(x) if unit == "s" else nbytes(x) if unit == "bytes" else number(round(x))


def _ratio_text(row: Mapping[Hashable, Any]) -> str:
    """``ratio [low, high]`` for bootstrapped ratios; the bare ratio for exact ones."""
    if row["interval_kind"] != "exact":
        return f"{number(row['ratio'])} {interval(row['ratio_low'], row['ratio_high'])}".strip()
    return number(row["ratio"])


def _contender(model: str, backend: str) -> str:
    return model if backend == "torch" else f"{model} ({backend})"


def costs(inp: ReportInputs, out: TableSink) -> Section:
    """Section 3b, "Costs, measured as a benchmark", built from the cost tables (``inp.costs``)."""
    tables = inp.costs
    s = Section("costs", "3b. Costs, measured as a benchmark")
    cost = tables.get("costs", pd.DataFrame())
    if cost.empty:
        s.notice("No cost benchmark in this run (results/costs/costs.parquet is missing or empty).")
        return s
    first = cost.iloc[0]
    rounds = int(cost.loc[cost["measure"] == headline_measure("benchmark", "time"), "n"].max())
    s.paragraphs.append(
        "The training jobs time themselves while other jobs share the machine; their timing "
        "columns are diagnostics. Here every model is measured on its own: one process and one "
        f"thread, {rounds} interleaved round(s) (the model order rotates each round), CPU time of "
        f"the process (Python's {first['clock']}), a batch of {int(first['batch'])} random "
        f"sequences with {int(first['inputs'])} inputs, over a grid of sequence lengths T and units "
        f"H (torch {first['torch_version']}, ncps {first['ncps_version']}). The liquid models run "
        f"twice: '{BACKEND_LABELS['ncps']}' (ncps, stepped per time step as the pipeline runs it) "
        f"and '{BACKEND_LABELS['fast']}' (lnnmeta.kernels). Times are medians over rounds; "
        "memory: bytes autograd saves for backward, the peak of tensor memory (torch's CPU "
        "allocator, exact; native scratch buffers not counted) and the peak increase of the "
        "process's resident memory (all allocations, page-granular, noisy) during one training "
        "step. Lower is better for every measure; measures are compared one at a time."
    )
    _comparisons(out, s, tables.get("comparisons", pd.DataFrame()))
    _exponents(out, s, tables.get("exponents", pd.DataFrame()))
    _scaling(out, s, cost)
    _pareto(inp, out, s)
    return s


def _interval_sentence(cmp: pd.DataFrame) -> str:
    """Which measures carry which interval, from the table's typed interval columns."""
    parts = []
    for (kind, level, reps), g in cmp.groupby(
        ["interval_kind", "interval_level", "resamples"], dropna=False, sort=False
    ):
        names = [MEASURE_NAMES[m] for m in MEASURES if m in set(g["measure"])]
        parts.append(f"{', '.join(names)}: {cost_interval_words(str(kind), level, reps)}")
    return "; ".join(parts)


def _comparisons(out: TableSink, s: Section, cmp: pd.DataFrame) -> None:
    s.heading("LNN against RNN, one measure at a time")
    if cmp.empty:
        s.notice("No LNN-vs-RNN comparison: the cost grid has no LNN or no RNN model.")
        return
    t, h = int(cmp["steps"].iloc[0]), int(cmp["units"].iloc[0])
    cmp = cmp.assign(cell=[_ratio_text(r) for r in cmp.to_dict("records")])
    ref = REFERENCE_RNN if REFERENCE_RNN in set(cmp["rnn_model"]) else str(cmp["rnn_model"].iloc[0])
    wide = (
        cmp[cmp["rnn_model"] == ref]
        .assign(measure=lambda d: d["measure"].map(MEASURE_NAMES))
        .pivot_table(
            index=["lnn_model", "backend"], columns="measure", values="cell", aggfunc="first"
        )
        .reset_index()
        .rename(columns={"lnn_model": "LNN", "backend": "backend"})
    )
    wide.columns.name = None
    order = ["LNN", "backend", *(MEASURE_NAMES[m] for m in MEASURES if MEASURE_NAMES[m] in wide)]
    out.table(
        s,
        wide[order],
        f"Cost of each LNN relative to {ref} at T = {t}, H = {h} (both with H units: equal units, "
        "not equal parameters): median LNN / median RNN, each column one measure (below 1: the LNN "
        f"is cheaper). Intervals: {_interval_sentence(cmp)}.",
        "costs_ratios",
    )
    full = pd.DataFrame(
        {
            "measure": cmp["measure"].map(MEASURE_NAMES),
            "LNN": cmp["lnn_model"],
            "backend": cmp["backend"],
            "RNN": cmp["rnn_model"],
            "LNN value": [
                _value(m, x) for m, x in zip(cmp["measure"], cmp["lnn_median"], strict=True)
            ],
            "RNN value": [
                _value(m, x) for m, x in zip(cmp["measure"], cmp["rnn_median"], strict=True)
            ],
            "LNN / RNN [interval]": cmp["cell"],
            "favours": cmp["favours"],
        }
    )
    out.table(
        s,
        full,
        f"Every LNN against every RNN at T = {t}, H = {h}, per measure "
        "(results/costs/comparisons.parquet; 'favours' names the cheaper family when the interval "
        "excludes 1)",
        "costs_comparisons",
        screen_only=True,
    )


def _exponents(out: TableSink, s: Section, exps: pd.DataFrame) -> None:
    s.heading("How costs grow with T and H")
    if exps.empty:
        s.notice("No growth exponents in this run.")
        return
    level = " / ".join(level_words(x) for x in sorted(set(exps["interval_level"])))
    shown = list(EXPONENT_MEASURES)
    rows = []
    for (model, backend), g in exps.groupby(["model", "backend"], sort=True):
        row = {"model": model, "backend": backend}
        for r in g.set_index("measure").reindex(shown).dropna(subset=["n_cells"]).itertuples():
            name = MEASURE_NAMES[str(r.Index)]
            for var, est, lo, hi in (
                ("T", r.exponent_steps, r.steps_low, r.steps_high),
                ("H", r.exponent_units, r.units_low, r.units_high),
            ):
                row[f"{name}: {var}"] = f"{number(est)} {interval(lo, hi)}".strip()
        rows.append(row)
    out.table(
        s,
        pd.DataFrame(rows),
        "Growth exponents a (T) and b (H) of cost ≈ c · T^a · H^b, log-log OLS on the cell medians "
        f"(statsmodels) with {level} intervals; 1 means linear growth. Every measure in "
        "results/costs/exponents.parquet",
        "costs_exponents",
        print_rows=20,
    )
    odd = exps[(exps["fit"] != "fitted") | (exps["zero_cells"] > 0)]
    if not odd.empty:
        s.text(
            "Fits with cells left out or without an interval: "
            + "; ".join(
                f"{_contender(str(r['model']), str(r['backend']))}, "
                f"{MEASURE_NAMES[str(r['measure'])]}: {fit_words(str(r['fit']), r['zero_cells'])}"
                for _, r in odd.iterrows()
            )
            + "."
        )


@figures.styled
def scaling_plot(costs: pd.DataFrame, measure: str) -> Figure:
    """One measure against T (at the anchor H) and against H (at the anchor T), log-log axes.

    One line per model and backend: colour per model, marker and line style per backend; the
    error bars of timed measures span the interquartile range over rounds.
    """
    sub = costs[costs["measure"] == measure]
    anchor_t = int(sub["steps"].mode().iloc[-1])
    anchor_h = int(sub["units"].mode().iloc[-1])
    colours = figures.model_colours(sub)
    fig, axes = plt.subplots(1, 2, figsize=(figures.FULL_WIDTH, 2.9), sharey=True)
    panels = (
        ("steps", "units", anchor_h, "sequence length T"),
        ("units", "steps", anchor_t, "units H"),
    )
    for ax, (var, fixed, at, label) in zip(axes, panels, strict=True):
        here = sub[sub[fixed] == at]
        for (model, backend), g in here.groupby(["model", "backend"], sort=True):
            g = g.sort_values(var)
            marker, line = BACKEND_STYLE[str(backend)]
            ax.errorbar(
                g[var], g["median"], yerr=[g["median"] - g["q25"], g["q75"] - g["median"]],
                marker=marker, ls=line, color=colours[str(model)], ms=4, lw=1, capsize=2,
                label=_contender(str(model), str(backend)),
            )  # fmt: skip
        ax.set_xscale("log")
        ax.set_yscale("log")
        ticks = sorted(here[var].unique())
        ax.set_xticks(ticks, [str(int(v)) for v in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel(f"{label} ({'H' if var == 'steps' else 'T'} = {at})")
        ax.set_title(f"{MEASURE_NAMES[measure]} against {label.split()[-1]}")
    axes[0].set_ylabel(f"{MEASURE_NAMES[measure]} [{MEASURES[measure].unit}] (log)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=6, frameon=False
    )
    fig.tight_layout()
    return fig


def _scaling(out: TableSink, s: Section, costs: pd.DataFrame) -> None:
    s.heading("Cost against sequence length and units")
    if costs["steps"].nunique() < 2 and costs["units"].nunique() < 2:
        s.notice("No scaling plots: the cost grid has a single cell.")
        return
    for measure in MEASURES:
        sub = costs[(costs["measure"] == measure) & (costs["median"] > 0)]
        if sub.empty:
            continue
        out.figure(
            s,
            scaling_plot(sub, measure),
            f"{MEASURES[measure].description[0].upper()}{MEASURES[measure].description[1:]}, "
            "against T (left) and H (right), log-log. Dotted lines with crosses: "
            f"{BACKEND_LABELS['ncps']}; solid with circles: {BACKEND_LABELS['fast']}; dashed with "
            "squares: PyTorch RNNs. Bars: interquartile range over rounds (timed measures).",
        )


def _pareto(inp: ReportInputs, out: TableSink, s: Section) -> None:
    s.heading("Accuracy against memory and parameters")
    runs = inp.runs
    vals = inp.summary_values()
    pts = vals[vals["condition"] == "id"] if not vals.empty else vals
    if pts.empty or runs.empty:
        s.notice("No Pareto plot: no in-distribution rerun summaries.")
        return
    cost_cols = [headline_measure("training", d) for d in ("parameters", "memory")]
    per_task = inp.cost_medians(per_task=True)
    if not set(cost_cols) <= set(per_task.columns):
        s.notice("No Pareto plot: the rerun cost medians (rerun_costs) were not given.")
        return
    pts = pts.merge(
        per_task[["task", "model", "family", *cost_cols]], on=["task", "model", "family"]
    )
    backends = ", ".join(sorted(runs["backend"].unique()))
    out.figure(
        s,
        figures.pareto_plot(pts, cost_cols),
        "Across the rerun grid, one row of panels per task: each model's mean in-distribution test "
        f"metric (y) against its {TRAINING_MEASURES[cost_cols[0]].description} (left) and the "
        f"{TRAINING_MEASURES[cost_cols[1]].description} (right; the reruns' backend: {backends}), "
        "log axes. The grey line joins the Pareto front: models no other model beats in both.",
        screen_only=pts["task"].nunique() > 4,
    )
