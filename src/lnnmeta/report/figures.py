"""Figures for the report, as self-contained data URIs (PNG, embedded in the HTML)."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure


def to_data_uri(fig: Figure, dpi: int = 110) -> str:
    """Encode a figure as a PNG data URI and close it."""
    buf = io.BytesIO()
    # Fixed metadata: no creation time in the PNG, so the same data give the same bytes.
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def degradation_plot(summary: pd.DataFrame, task: str, kind: str) -> Figure:
    """Metric per condition level (mean over seeds) for every model of one task, one condition kind."""
    sub = summary[(summary["task"] == task) & summary["condition_kind"].isin(["id", kind])]
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    for model, g in sub.groupby("model"):
        g = g.sort_values("condition_level")
        style = "-" if g["family"].iloc[0] == "LNN" else "--"
        ax.plot(g["condition_level"], g["mean"], style, marker="o", label=str(model))
    ax.set_xlabel(f"{kind} level (0 = in distribution)")
    ax.set_ylabel(str(sub["metric"].iloc[0]) if len(sub) else "metric")
    ax.set_title(f"{task}: {kind}")
    ax.legend(fontsize=6, ncol=2)
    return fig


def pareto_plot(points: pd.DataFrame, task: str) -> Figure:
    """In-distribution metric against trainable parameters (log scale), one point per model."""
    sub = points[points["task"] == task]
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    for _, r in sub.iterrows():
        color = "tab:blue" if r["family"] == "LNN" else "tab:orange"
        ax.scatter(r["n_params"], r["mean"], color=color)
        ax.annotate(str(r["model"]), (r["n_params"], r["mean"]), fontsize=6)
    ax.set_xscale("log")
    ax.set_xlabel("trainable parameters")
    ax.set_ylabel(str(sub["metric"].iloc[0]) if len(sub) else "metric")
    ax.set_title(f"{task}: accuracy vs parameters (blue LNN, orange RNN)")
    return fig
