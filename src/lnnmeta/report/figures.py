"""Figures for the report, as self-contained data URIs (PNG, embedded in the HTML).

Every figure is drawn at the size it is printed (at most 7 inches wide, the width of the PDF's text
column), so its fonts print at their point size. LNN models are drawn with circles and solid
lines, RNN models with squares and dashed lines; each model keeps its colour in every figure.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import struct
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from lnnmeta.report.labels import HEADERS, measure_label

DPI = 150
FULL_WIDTH = 7.0
_STYLE: dict[str, Any] = {
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: Printable height of a figure's image (inches): the A4 page's content height (297 mm less the
#: 16 mm and 18 mm margins = 10.35 in) less room for a caption of several lines.
MAX_HEIGHT = 8.2
#: Eleven distinct colours (matplotlib's tab10 and near-black): the registry's 7 LNN models take
#: the first seven, its 4 RNN models the last four; models outside the registry take the colours
#: of :data:`_SPARE` in turn. Family is shown by the marker and line (circle/solid LNN,
#: square/dashed RNN), so colours need not say it.
_LNN_COLOURS = ["#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#e377c2", "#7f7f7f", "#222222"]
_RNN_COLOURS = ["#d62728", "#ff7f0e", "#8c564b", "#bcbd22"]
_SPARE = ["#aec7e8", "#98df8a", "#c5b0d5", "#f7b6d2", "#ff9896", "#ffbb78", "#c49c94", "#dbdb8d"]
FAMILY_MARK = {"LNN": ("o", "-"), "RNN": ("s", "--")}
#: Height (inches) of one row of a figure legend at 7 pt.
LEGEND_ROW = 0.2


def _fixed_colours() -> dict[str, str]:
    from lnnmeta.registry import REGISTRY

    out: dict[str, str] = {}
    for fam, palette in (("LNN", _LNN_COLOURS), ("RNN", _RNN_COLOURS)):
        specs = [s for s in REGISTRY.values() if s.family == fam]
        for spec, colour in zip(specs, palette, strict=False):
            out[spec.name] = out[spec.canonical] = colour
    return out


#: One colour per registry model (its name and its literature name), the same in every figure.
MODEL_COLOURS = _fixed_colours()
P = ParamSpec("P")
R = TypeVar("R")


def styled(draw: Callable[P, R]) -> Callable[P, R]:
    """Draw with the report's style (font sizes, no top/right spines)."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with plt.rc_context(_STYLE):  # type: ignore[arg-type]
            return draw(*args, **kwargs)

    return wrapper


def png_width_in(png: bytes, dpi: int = DPI) -> float:
    """The width in inches of a PNG drawn at ``dpi`` (read from its IHDR chunk)."""
    width = struct.unpack(">I", png[16:20])[0]
    return float(width) / dpi


def png_height_in(png: bytes, dpi: int = DPI) -> float:
    """The height in inches of a PNG drawn at ``dpi`` (read from its IHDR chunk)."""
    height = struct.unpack(">I", png[20:24])[0]
    return float(height) / dpi


def embed(fig: Figure, dpi: int = DPI) -> tuple[str, float]:
    """Encode a figure as a PNG data URI and close it; returns the URI and the width to print it at.

    The print width keeps the image within the page: at most 7 in wide and :data:`MAX_HEIGHT` tall
    (a taller figure prints narrower, at its aspect ratio).
    """
    buf = io.BytesIO()
    # Fixed metadata: no creation time in the PNG, so the same data give the same bytes.
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    png = buf.getvalue()
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return uri, print_width(png_width_in(png, dpi), png_height_in(png, dpi))


def model_colours(models: pd.DataFrame | Iterable[str]) -> dict[str, str]:
    """The colour of each model (a frame with a ``model`` column, or names).

    Registry models keep the colour of :data:`MODEL_COLOURS` in every figure, whichever other
    models are drawn beside them; other models take spare colours in sorted order.
    """
    names = models["model"] if isinstance(models, pd.DataFrame) else models
    out: dict[str, str] = {}
    spare = iter(_SPARE * 4)
    for m in sorted({str(x) for x in names}):
        out[m] = MODEL_COLOURS.get(m) or next(spare)
    return out


def print_width(width_in: float, height_in: float) -> float:
    """The width to print an image at so that it is at most 7 in wide and :data:`MAX_HEIGHT` tall."""
    scale = min(1.0, FULL_WIDTH / width_in, MAX_HEIGHT / height_in) if height_in > 0 else 1.0
    return width_in * scale


def rows_per_figure(row_height: float, extra: float = 0.6) -> int:
    """How many rows of panels of ``row_height`` in fit in one figure of :data:`MAX_HEIGHT`."""
    return max(1, int((MAX_HEIGHT - extra) // row_height))


def chunks(items: list[str], per_figure: int) -> list[list[str]]:
    """``items`` in consecutive groups of at most ``per_figure`` (one figure each)."""
    return [items[i : i + per_figure] for i in range(0, len(items), per_figure)] or [[]]


def _figure(width: float, height: float) -> Figure:
    return plt.figure(figsize=(width, height))


def _grid(n: int, ncols: int, width: float, row_height: float) -> tuple[Figure, list[Axes]]:
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, row_height * nrows + 0.4), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _style_axes(ax: Axes) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(True, axis="both", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=7)


def _metric_label(metric: str, higher_is_better: bool) -> str:
    return f"{metric} ({'higher' if higher_is_better else 'lower'} is better)"


@styled
def results_plot(summary: pd.DataFrame, runs: pd.DataFrame) -> Figure:
    """Per task: each model's in-distribution test metric, mean and 95% interval over seeds, seeds as dots.

    ``summary`` holds RERUN_SUMMARY rows (condition ``id``, measure ``value``); ``runs`` the RUNS rows
    of condition ``id``.
    """
    tasks = sorted(summary["task"].unique())
    colours = model_colours(summary)
    fig, axes = _grid(len(tasks), 2, FULL_WIDTH, 2.3)
    for ax, task in zip(axes, tasks, strict=True):
        sub = summary[summary["task"] == task].sort_values(["family", "model"])
        ys = np.arange(len(sub))[::-1]
        for y, (_, r) in zip(ys, sub.iterrows(), strict=True):
            marker = FAMILY_MARK["LNN" if r["family"] == "LNN" else "RNN"][0]
            c = colours[str(r["model"])]
            lo, hi = r["ci_low"], r["ci_high"]
            if pd.notna(lo) and pd.notna(hi):
                ax.plot([lo, hi], [y, y], color=c, lw=2, alpha=0.6, solid_capstyle="butt")
            ax.plot([r["mean"]], [y], marker=marker, color=c, ms=6, ls="none")
            seeds = runs[(runs["task"] == task) & (runs["model"] == r["model"])]["value"]
            ax.plot(seeds, [y + 0.22] * len(seeds), "|", color="#444", ms=5, alpha=0.8)
        ax.set_yticks(ys, [f"{m} ({f})" for m, f in zip(sub["model"], sub["family"], strict=True)])
        ax.set_ylim(-0.7, len(sub) - 0.3)
        hib = bool(sub["higher_is_better"].iloc[0]) if len(sub) else True
        ax.set_xlabel(_metric_label(str(sub["metric"].iloc[0]) if len(sub) else "", hib))
        ax.set_title(task)
        _style_axes(ax)
    fig.tight_layout()
    return fig


@styled
def rank_heatmap(means: pd.DataFrame) -> Figure:
    """Mean rank (1 = best) of every model on every rank-test measure, as a table of coloured cells.

    Cells of measures taken on fewer than two tasks stay blank.
    """
    ranked = means.assign(mean_rank=means["mean_rank"].where(means["n_tasks"] >= 2))
    wide = ranked.pivot_table(index="model", columns="measure", values="mean_rank", dropna=False)
    fam = means.drop_duplicates("model").set_index("model")["family"]
    order = sorted(wide.index, key=lambda m: (str(fam.get(m, "")), str(m)))
    wide = wide.loc[order]
    cols = sorted(
        wide.columns,
        key=lambda m: (0 if m == "score" else 2 if str(m).startswith("drop:") else 1, str(m)),
    )
    wide = wide[cols]
    n_models = len(wide.index)
    fig = _figure(FULL_WIDTH, 0.9 + 0.32 * n_models + 0.9)
    ax = fig.add_subplot()
    vals = wide.to_numpy(dtype=float)
    im = ax.imshow(vals, cmap="RdYlGn_r", vmin=1, vmax=max(n_models, 2), aspect="auto")
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            if np.isfinite(vals[i, j]):
                ax.text(j, i, f"{vals[i, j]:.2g}", ha="center", va="center", fontsize=7)
    ax.set_xticks(
        range(len(cols)), [measure_label(str(c)) for c in cols], rotation=35, ha="right", fontsize=7
    )
    ax.set_yticks(range(n_models), [f"{m} ({fam.get(m, '')})" for m in wide.index], fontsize=7)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    cb.set_label("mean rank (1 = best)", fontsize=7)
    cb.ax.tick_params(labelsize=6)
    ax.set_title("Mean rank across tasks per measure (blank: measured on fewer than 2 tasks)")
    fig.tight_layout()
    return fig


def _front(xs: np.ndarray, ys: np.ndarray, higher_is_better: bool) -> list[int]:
    """Indices of the Pareto-optimal points (lower x better; y oriented by ``higher_is_better``)."""
    yo = ys if higher_is_better else -ys
    keep = []
    for i in range(len(xs)):
        dominated = any(
            (xs[j] <= xs[i] and yo[j] >= yo[i]) and (xs[j] < xs[i] or yo[j] > yo[i])
            for j in range(len(xs))
        )
        if not dominated:
            keep.append(i)
    return sorted(keep, key=lambda i: xs[i])


def _log_axis(ax: Axes) -> None:
    """Log x axis with plain tick labels at 1, 2 and 5 times powers of ten."""
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


@styled
def pareto_plot(points: pd.DataFrame, costs: Iterable[str] = ("n_params",)) -> Figure:
    """Per task and cost measure: in-distribution metric against the cost (log scale), one point per model.

    ``points`` has one row per task and model with ``mean`` (the metric), ``metric``,
    ``higher_is_better``, ``family`` and the cost columns. The Pareto front (no other model both
    cheaper and better) is joined by a grey line.
    """
    costs = list(costs)
    tasks = sorted(points["task"].unique())
    colours = model_colours(points)
    fig, axes = _grid(len(tasks) * len(costs), len(costs), FULL_WIDTH, 2.4)
    for i, task in enumerate(tasks):
        sub = points[points["task"] == task].reset_index(drop=True)
        hib = bool(sub["higher_is_better"].iloc[0])
        for j, cost in enumerate(costs):
            ax = axes[i * len(costs) + j]
            xs = sub[cost].to_numpy(dtype=float)
            ys = sub["mean"].to_numpy(dtype=float)
            ok = np.isfinite(xs) & np.isfinite(ys) & (xs > 0)
            front = [k for k in _front(xs[ok], ys[ok], hib)]
            fx, fy = xs[ok][front], ys[ok][front]
            ax.plot(fx, fy, color="#999", lw=1, zorder=1)
            for _, r in sub[ok].iterrows():
                fam = "LNN" if r["family"] == "LNN" else "RNN"
                ax.scatter(
                    r[cost],
                    r["mean"],
                    marker=FAMILY_MARK[fam][0],
                    color=colours[str(r["model"])],
                    s=28,
                    zorder=2,
                )
                ax.annotate(
                    str(r["model"]),
                    (r[cost], r["mean"]),
                    textcoords="offset points",
                    xytext=(4, 3),
                    fontsize=7,
                )
            _log_axis(ax)
            unit = " [s]" if cost.endswith("_s") else ""
            ax.set_xlabel(HEADERS.get(cost, cost).lower() + unit + " (log scale, lower is better)")
            ax.set_ylabel(_metric_label(str(sub["metric"].iloc[0]), hib), fontsize=7)
            ax.set_title(task)
            _style_axes(ax)
            ax.margins(x=0.25, y=0.2)
    fig.tight_layout()
    return fig


_KIND_AXIS = {
    "noise": ("noise std (in input stds)", 0.0),
    "irregular": ("fraction of time steps dropped", 0.0),
    "length": ("length factor (1 = as trained)", 1.0),
    "shift": ("0 = in distribution, 1 = shifted", 0.0),
}


@styled
def degradation_plot(summary: pd.DataFrame, task: str) -> Figure | None:
    """One task's test metric under every condition kind: one panel per kind, one line per model.

    The in-distribution point sits at the kind's neutral level (noise 0, no steps dropped, length
    factor 1); bars are 95% intervals over seeds. ``None`` when the task has no condition besides
    ``id``.
    """
    sub = summary[(summary["task"] == task) & (summary["measure"] == "value")]
    kinds = [
        k for k in ("noise", "shift", "irregular", "length") if k in set(sub["condition_kind"])
    ]
    if not kinds:
        return None
    colours = model_colours(sub)
    ncols = min(len(kinds), 4)
    fig, axes = _grid(len(kinds), ncols, min(FULL_WIDTH, 1.0 + 2.2 * ncols), 2.3)
    hib = bool(sub["higher_is_better"].iloc[0])
    handles: dict[str, Any] = {}
    means = sub["mean"].astype(float)
    lo_y, hi_y = float(means.min()), float(means.max())
    pad = max(0.5 * (hi_y - lo_y), 0.05 * max(abs(lo_y), abs(hi_y)), 1e-9)
    models = sorted(sub["model"].unique())
    for ax, kind in zip(axes, kinds, strict=True):
        label, neutral = _KIND_AXIS[kind]
        levels = sub.loc[sub["condition_kind"] == kind, "condition_level"].astype(float)
        span = max(abs(float(levels.max()) - neutral), abs(float(levels.min()) - neutral), 1e-9)
        for model, g in sub.groupby("model", sort=True):
            g = g[g["condition_kind"].isin(["id", kind])].copy()
            dodge = 0.025 * span * (models.index(model) - (len(models) - 1) / 2)
            g["x"] = np.where(g["condition_kind"] == "id", neutral, g["condition_level"]) + dodge
            g = g.sort_values("x")
            fam = "LNN" if g["family"].iloc[0] == "LNN" else "RNN"
            marker, ls = FAMILY_MARK[fam]
            lo = (g["mean"] - g["ci_low"]).clip(lower=0).fillna(0)
            hi = (g["ci_high"] - g["mean"]).clip(lower=0).fillna(0)
            h = ax.errorbar(
                g["x"],
                g["mean"],
                yerr=[lo.to_numpy(), hi.to_numpy()],
                marker=marker,
                ls=ls,
                color=colours[str(model)],
                ms=4,
                lw=1.2,
                capsize=2,
                elinewidth=0.8,
            )
            for bars in h[2]:
                bars.set_alpha(0.45)
            handles[f"{model} ({fam})"] = h
        ax.set_xlabel(label)
        ax.set_title(kind)
        ax.set_ylim(lo_y - pad, hi_y + pad)
        _style_axes(ax)
    axes[0].set_ylabel(_metric_label(str(sub["metric"].iloc[0]), hib))
    # The legend gets its own strip under the panels, tall enough for all its rows, so that it
    # never covers the x labels.
    ncol = min(len(handles), 4)
    strip = LEGEND_ROW * math.ceil(len(handles) / ncol) + 0.15
    width, height = fig.get_size_inches()
    fig.set_size_inches(width, height + strip)
    fig.legend(
        list(handles.values()),
        list(handles.keys()),
        loc="lower center",
        ncol=ncol,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    fig.suptitle(task, fontsize=9)
    fig.tight_layout(rect=(0, strip / (height + strip), 1, 1))
    return fig
