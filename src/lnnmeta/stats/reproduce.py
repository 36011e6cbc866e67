"""Reported vs reproduced: do the reruns agree with what the papers report?

Directions
    For each rerun task, the paper task it stands in for (``stand_ins``; a task missing from the
    mapping stands for itself) and each LNN-vs-RNN pair reported on that paper task, the
    reported direction (sign of the literature effect) is compared with the reproduced one (sign
    of the oriented difference of rerun means): ``agree``, ``disagree`` or ``tie``.

Values
    Only where the rerun task *is* the paper task and the metric is the same: each reported
    number is compared with the reproduced mean over seeds.

    * reported SD (or SE/CI convertible to an SD) and ``n_runs >= 2``: Welch's t-test from summary
      statistics (Welch 1947);
    * a spread but no ``n_runs``: z-test that treats the reported spread as the uncertainty of
      the reported number (conservative: a SD is at least a SE);
    * no spread: one-sample t-test of the reproduced seeds against the reported number.

    ``verdict``: ``consistent`` (p >= alpha), ``reproduced_better`` / ``reproduced_worse``
    (oriented by ``higher_is_better``), or ``untestable``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as sps

from lnnmeta.stats.effect_sizes import spread_to_sd
from lnnmeta.stats.literature import literature_effects
from lnnmeta.stats.reruns import rerun_comparisons, rerun_summary
from lnnmeta.stats.schemas import RVR_DIRECTIONS, RVR_VALUES, typed_frame


class ReportedVsReproduced(NamedTuple):
    """Tables returned by :func:`reported_vs_reproduced`."""

    directions: pd.DataFrame
    values: pd.DataFrame


def _agreement(reported: int, reproduced: int) -> str:
    if reported == 0 or reproduced == 0:
        return "tie"
    return "agree" if reported == reproduced else "disagree"


def _direction_rows(
    effects: pd.DataFrame, comps: pd.DataFrame, task: str, paper_task: str
) -> list[dict[str, Any]]:
    rep = effects[(effects["task"] == paper_task) & effects["effect"].notna()]
    mine = comps[comps["task"] == task]
    merged = rep.merge(mine, on=["lnn_model", "rnn_model"], suffixes=("", "_rerun"))
    rows = []
    for _, r in merged.iterrows():
        rep_dir, rer_dir = int(np.sign(r["effect"])), int(np.sign(r["difference"]))
        rows.append(
            {
                "rerun_task": task,
                "paper_task": paper_task,
                "same_task": task == paper_task,
                "paper_key": r["paper_key"],
                "location": r["location"],
                "column_id": r["column_id"],
                "reported_metric": r["metric"],
                "rerun_metric": r["metric_rerun"],
                "lnn_model": r["lnn_model"],
                "rnn_model": r["rnn_model"],
                "reported_effect": r["effect"],
                "reported_direction": rep_dir,
                "reproduced_difference": r["difference"],
                "reproduced_direction": rer_dir,
                "reproduced_p_holm": r["p_holm"],
                "agreement": _agreement(rep_dir, rer_dir),
                "note": "stand-in task" if task != paper_task else None,
            }
        )
    return rows


def _verdict(p: float, diff: float, hib: bool, alpha: float) -> str:
    if not np.isfinite(p):
        return "untestable"
    if p >= alpha:
        return "consistent"
    better = diff > 0 if hib else diff < 0
    return "reproduced_better" if better else "reproduced_worse"


def _value_test(rep: pd.Series, mean: float, sd: float, n: int) -> tuple[str, float, float]:
    sd_p, n_p = rep["reported_sd"], rep["reported_n"]
    value = float(rep["value"])
    if n < 2 or not np.isfinite(sd):
        return "none", math.nan, math.nan
    if np.isfinite(sd_p) and pd.notna(n_p) and n_p >= 2:
        res = sps.ttest_ind_from_stats(mean, sd, n, value, sd_p, int(n_p), equal_var=False)
        return "welch_from_stats", float(res.statistic), float(res.pvalue)
    if np.isfinite(rep["spread_se"]) and rep["spread_se"] > 0:
        z = (mean - value) / math.sqrt(rep["spread_se"] ** 2 + sd**2 / n)
        return "z_reported_spread", z, float(2 * sps.norm.sf(abs(z)))
    if sd == 0:
        return "none", math.nan, math.nan
    t = (mean - value) / (sd / math.sqrt(n))
    return "one_sample_t", t, float(2 * sps.t.sf(abs(t), n - 1))


def _reported_rows(reported: pd.DataFrame) -> pd.DataFrame:
    rows = reported[reported["family"].isin(["LNN", "RNN"])].copy()
    n = pd.to_numeric(rows["n_runs"], errors="coerce").astype(float).to_numpy()
    spread = pd.to_numeric(rows["spread"], errors="coerce").astype(float).to_numpy()
    kind = rows["spread_kind"].astype(object).fillna("none").to_numpy()
    rows["reported_sd"] = spread_to_sd(spread, kind, n)
    rows["reported_n"] = n
    # Uncertainty of the number when n is unknown: the spread itself (SD, SEM or CI half-width).
    usable = np.isin(kind, ["std", "sem", "ci95"])
    rows["spread_se"] = np.where(usable, spread, np.nan)
    return rows


def _value_rows(
    reported: pd.DataFrame, summary: pd.DataFrame, task: str, alpha: float
) -> list[dict[str, Any]]:
    rep = _reported_rows(reported[reported["task"] == task])
    mine = summary[
        (summary["task"] == task) & (summary["measure"] == "value") & (summary["condition"] == "id")
    ]
    merged = rep.merge(mine, on=["model", "metric"], suffixes=("", "_rerun"))
    rows = []
    for _, r in merged.iterrows():
        mean, sd, n = float(r["mean"]), float(r["std"]), int(r["n"])
        test, stat, p = _value_test(r, mean, sd, n)
        hib = bool(r["higher_is_better"])
        rows.append(
            {
                "task": task,
                "paper_key": r["paper_key"],
                "location": r["location"],
                "column_id": r["column_id"],
                "metric": r["metric"],
                "model": r["model"],
                "family": r["family"],
                "higher_is_better": hib,
                "reported_value": r["value"],
                "reported_sd": r["reported_sd"],
                "reported_n": None if not np.isfinite(r["reported_n"]) else int(r["reported_n"]),
                "reproduced_mean": mean,
                "reproduced_sd": sd,
                "reproduced_n": n,
                "test": test,
                "statistic": stat,
                "p_value": p,
                "verdict": _verdict(p, mean - float(r["value"]), hib, alpha),
                "note": "fewer than 2 seeds or no spread in the reruns" if test == "none" else None,
            }
        )
    return rows


def reported_vs_reproduced(
    reported: pd.DataFrame,
    runs: pd.DataFrame,
    stand_ins: Mapping[str, str] | None = None,
    alpha: float = 0.05,
) -> ReportedVsReproduced:
    """Compare reported LNN-vs-RNN results with the reruns.

    Parameters
    ----------
    reported : pandas.DataFrame
        REPORTED rows.
    runs : pandas.DataFrame
        RUNS rows.
    stand_ins : mapping, optional
        Rerun task -> paper task it stands in for (e.g. ``{"bit_stream_xor":
        "bit_stream_xor_event"}``). Tasks not in the mapping stand for themselves.
    alpha : float
        Level of the value tests and of the Holm correction of the rerun comparisons, and
        ``1 - alpha`` the level of the rerun t intervals.

    Returns
    -------
    ReportedVsReproduced
        ``directions`` (RVR_DIRECTIONS) and ``values`` (RVR_VALUES); see the module docstring.
    """
    stand_ins = dict(stand_ins or {})
    effects = literature_effects(reported)
    comps = rerun_comparisons(runs, n_boot=200, alpha=alpha)  # directions use p_holm only
    summary = rerun_summary(runs, alpha)
    dirs: list[dict[str, Any]] = []
    vals: list[dict[str, Any]] = []
    for task in sorted(runs["task"].unique()):
        paper_task = stand_ins.get(str(task), str(task))
        dirs += _direction_rows(effects, comps, str(task), paper_task)
        if paper_task == task:
            vals += _value_rows(reported, summary, str(task), alpha)
    return ReportedVsReproduced(typed_frame(dirs, RVR_DIRECTIONS), typed_frame(vals, RVR_VALUES))
