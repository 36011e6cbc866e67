"""Forest and funnel plots of the cluster-level effects (drawn by hand with matplotlib).

Forest plot as meta-analysts draw it (Lewis & Clarke 2001; metafor's ``forest``): study labels,
each comparison's estimate and CI as a column of text and as a square (size ~ weight) with
whiskers, its weight in %, subgroups (one per LNN variant) with their pooled diamonds, the overall
pooled diamond over its Knapp-Hartung CI with the prediction interval as a red bar (IntHout et al.
2016), and τ², I² and Q under the plot. Funnel plot: effect against standard error with the
pseudo confidence region around the pooled estimate (Light & Pillemer 1984; Sterne & Egger 2001).
Every interval has the level ``1 - alpha`` (config ``analysis.alpha``; 95 % by default), and the
plots print it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from lnnmeta.stats.meta import (
    Dependence,
    Method,
    Pooled,
    cluster_effects,
    random_effects,
    select_copies,
)


def _z(alpha: float) -> float:
    """The two-sided normal quantile ``z_{1 - alpha/2}`` (1.96 at alpha = 0.05)."""
    from scipy import stats as sps

    return float(sps.norm.ppf(1 - alpha / 2))


def level_text(alpha: float) -> str:
    """The confidence level ``1 - alpha`` in words: ``"95%"``, ``"90%"``, ``"99.5%"``."""
    return f"{100 * (1 - alpha):.4g}%"


def _select(
    effects: pd.DataFrame,
    source: str,
    dimension: str | None,
    metric_family: str | None,
    scale: str,
    dependence: Dependence,
) -> pd.DataFrame:
    cl = cluster_effects(effects, dependence)
    keep = (cl["source"] == source) & (cl["scale"] == scale)
    if dimension is not None:
        keep &= cl["dimension"] == dimension
    if metric_family is not None:
        keep &= cl["metric_family"] == metric_family
    cl = cl[keep]
    return cl[np.isfinite(cl["variance"].astype(float)) & (cl["variance"] > 0)]


def _label(row: pd.Series) -> str:
    return f"{row['evidence_paper']} · {row['task']} · {row['metric']} ({row['n_pairs']})"


def _diamond(
    ax: Axes, res: Pooled, y: float, colour: str = "black", half: float = 0.3, pi: bool = True
) -> None:
    """The pooled estimate as a diamond over its CI; the prediction interval as a red bar on it."""
    if not np.isfinite(res.ci_low):
        ax.plot([res.estimate], [y], marker="D", color=colour)
        return
    pts = [(res.ci_low, y), (res.estimate, y + half), (res.ci_high, y), (res.estimate, y - half)]
    ax.add_patch(Polygon(pts, closed=True, color=colour))
    if pi and np.isfinite(res.pi_low):
        ax.plot([res.pi_low, res.pi_high], [y, y], color="tab:red", lw=1.2, zorder=0)


def _num(x: float) -> str:
    return f"{x:.2f}" if np.isfinite(x) else "n/a"


def _p(x: float) -> str:
    return "< 0.001" if x < 0.001 else f"{x:.2g}"


def heterogeneity_text(res: Pooled, short: bool = False) -> str:
    """``τ² = 0.12, I² = 45%, Q = 10.9 (df = 6, p = 0.09)`` of one pooling (I² clipped at 0).

    ``short`` leaves out Q's degrees of freedom (df = k - 1).
    """
    i2 = max(res.i2, 0.0) if np.isfinite(res.i2) else float("nan")
    df = "" if short else f"df = {res.q_df}, "
    q = f", Q = {res.q:.3g} ({df}p = {_p(res.q_p)})" if np.isfinite(res.q) else ""
    return f"τ² = {res.tau2:.3g}, I² = {i2:.0f}%{q}"


def _variant_clusters(effects: pd.DataFrame, dependence: Dependence) -> pd.DataFrame:
    """Comparison clusters split by LNN variant: the pairs of one LNN model in one comparison."""
    eff = effects.assign(cluster_id=effects["cluster_id"].astype(str) + "‖" + effects["lnn_model"])
    cl = cluster_effects(eff, dependence)
    return cl.assign(variant=[str(c).split("‖", 1)[1] for c in cl["cluster_id"]])


@dataclass(frozen=True)
class ForestRow:
    """One printed row: a comparison, a subgroup header, a subgroup or the overall diamond."""

    kind: str  # "study", "header", "subgroup", "overall"
    label: str
    effect: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")
    weight: float = float("nan")
    pooled: Pooled | None = None


def forest_rows(
    effects: pd.DataFrame,
    *,
    source: str = "reported",
    dimension: str | None = None,
    metric_family: str | None = None,
    scale: str = "smd",
    method: Method = "REML",
    dependence: Dependence = "average",
    alpha: float = 0.05,
) -> tuple[list[ForestRow], Pooled | None]:
    """The rows of a forest plot, grouped by LNN variant, and the overall pooling.

    A study row is one comparison (paper, table, task, metric) restricted to one LNN variant (its
    pairs with the RNNs of that comparison averaged as in the pooling); its weight is its share of
    the random-effects weights ``1 / (v_i + τ²)`` of its subgroup. Each subgroup with at least two
    rows gets its own pooled diamond; the overall diamond pools the comparison clusters exactly as
    the report's pooled table does (all variants of a comparison averaged into one effect, each
    copied number counted once). Every interval (study, subgroup, overall, prediction) has level
    ``1 - alpha``.
    """
    # Each copied number once, as in the pooled table (lnnmeta.stats.meta.pool_effects).
    effects = select_copies(effects, "once")
    cl = _select(effects, source, dimension, metric_family, scale, dependence)
    if cl.empty:
        return [], None
    overall = random_effects(cl["effect"], cl["variance"], method, alpha)
    sub = effects[(effects["source"] == source) & (effects["scale"] == scale)]
    if dimension is not None:
        sub = sub[sub["dimension"] == dimension]
    if metric_family is not None:
        sub = sub[sub["metric_family"] == metric_family]
    vc = _variant_clusters(sub, dependence)
    vc = vc[np.isfinite(vc["variance"].astype(float)) & (vc["variance"].astype(float) > 0)]
    rows: list[ForestRow] = []
    sizes = vc.groupby("variant").size().sort_values(ascending=False, kind="stable")
    for variant in sizes.index:
        g = vc[vc["variant"] == variant].sort_values(["evidence_paper", "task", "metric"])
        e, v = g["effect"].to_numpy(float), g["variance"].to_numpy(float)
        res = random_effects(e, v, method, alpha) if len(g) >= 2 else None
        tau2 = res.tau2 if res is not None and np.isfinite(res.tau2) else 0.0
        w = 1.0 / (v + tau2)
        w = 100 * w / w.sum()
        rows.append(ForestRow("header", f"{variant} (k = {len(g)})"))
        se, z = np.sqrt(v), _z(alpha)
        for (_, r), wi, ei, si in zip(g.iterrows(), w, e, se, strict=True):
            rows.append(ForestRow("study", _label(r), ei, ei - z * si, ei + z * si, wi))
        if res is not None:
            rows.append(
                ForestRow(
                    "subgroup",
                    f"{method} pooled: {heterogeneity_text(res, short=True)}",
                    res.estimate,
                    res.ci_low,
                    res.ci_high,
                    pooled=res,
                )
            )
    rows.append(
        ForestRow(
            "overall",
            f"All comparisons: {method} pooled (k = {overall.k})",
            overall.estimate,
            overall.ci_low,
            overall.ci_high,
            pooled=overall,
        )
    )
    return rows, overall


#: Height of one forest-plot row in inches (7 pt text).
ROW_HEIGHT = 0.15


def _draw_forest(
    rows: list[ForestRow],
    overall: Pooled | None,
    scale: str,
    title: str,
    last: bool,
    alpha: float = 0.05,
) -> Figure:
    n = max(len(rows), 1)
    foot = 0.85 if last else 0.45
    height = 0.6 + ROW_HEIGHT * n + foot
    fig = Figure(figsize=(7.0, height))
    left, width = 0.47, 0.27
    ax = fig.add_axes((left, foot / height, width, ROW_HEIGHT * n / height))
    ax.axvline(0.0, color="grey", lw=0.8, ls="--")
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", labelsize=7)
    tr = ax.get_yaxis_transform()  # x in axes fraction, y in rows

    def col(x_fig: float) -> float:
        return (x_fig - left) / width

    for x, text, ha in (
        (0.01, "Comparison (LNN-RNN pairs)", "left"),
        (0.755, f"Estimate [{level_text(alpha)} CI]", "left"),
        (0.995, "Weight", "right"),
    ):
        ax.text(col(x), -0.9, text, fontsize=7, weight="bold", ha=ha, va="bottom", transform=tr)
    for y, r in enumerate(rows):
        label = r.label if len(r.label) <= 64 else r.label[:63] + "…"
        ax.text(
            col(0.01),
            y,
            label,
            fontsize=6.5,
            ha="left",
            va="center",
            transform=tr,
            weight="bold" if r.kind in ("header", "overall") else "normal",
            style="italic" if r.kind == "subgroup" else "normal",
        )
        if r.kind == "header":
            continue
        ax.text(
            col(0.755),
            y,
            f"{_num(r.effect)} [{_num(r.low)}, {_num(r.high)}]",
            fontsize=6.5,
            ha="left",
            va="center",
            transform=tr,
        )
        if r.kind == "study":
            ax.text(
                col(0.995),
                y,
                f"{r.weight:.1f}%",
                fontsize=6.5,
                ha="right",
                va="center",
                transform=tr,
            )
            size = 2.5 + 4.0 * np.sqrt(max(r.weight, 0.0) / 100)
            ax.plot([r.low, r.high], [y, y], color="#333", lw=0.8)
            ax.plot([r.effect], [y], marker="s", color="#1f4e89", ms=size, ls="none")
        elif r.pooled is not None:
            colour = "black" if r.kind == "overall" else "#777"
            _diamond(ax, r.pooled, float(y), colour, half=0.35, pi=r.kind == "overall")
    ax.set_xlabel(f"effect ({scale}); > 0 favours the LNN", fontsize=7)
    fig.suptitle(title, fontsize=8.5, y=1 - 0.08 / height, va="top")
    if last and overall is not None:
        fig.text(
            0.01,
            0.04 / height,
            f"Overall heterogeneity: {heterogeneity_text(overall)}.\nRed bar: {level_text(alpha)} "
            "prediction "
            f"interval [{_num(overall.pi_low)}, {_num(overall.pi_high)}]. Weights: % of the "
            "random-effects weights within the subgroup.",
            fontsize=7,
            ha="left",
            va="bottom",
        )
    return fig


def forest_plots(
    effects: pd.DataFrame,
    *,
    source: str = "reported",
    dimension: str | None = None,
    metric_family: str | None = None,
    scale: str = "smd",
    method: Method = "REML",
    dependence: Dependence = "average",
    title: str | None = None,
    max_rows: int = 46,
    alpha: float = 0.05,
) -> list[Figure]:
    """A forest plot in parts of about ``max_rows`` rows (each part fits a printed page).

    Columns: the comparison (paper · task · metric, with its number of LNN-RNN pairs), its effect
    with its ``1 - alpha`` interval drawn and printed, and its weight in its subgroup (one subgroup
    per LNN variant, each with its pooled diamond, τ² and I², Q). The last part ends with the
    overall pooled diamond, its ``1 - alpha`` prediction interval (red) and the overall τ², I² and
    Q under the plot.
    """
    rows, overall = forest_rows(
        effects,
        source=source,
        dimension=dimension,
        metric_family=metric_family,
        scale=scale,
        method=method,
        dependence=dependence,
        alpha=alpha,
    )
    name = title or f"{source} · {dimension or 'all'} · {metric_family or 'all'}"
    if not rows:
        fig = Figure(figsize=(7.0, 1.5))
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "no effects with a variance", ha="center", transform=ax.transAxes)
        ax.set_title(name)
        return [fig]
    parts: list[list[ForestRow]] = [[]]
    for r in rows:
        # A new part starts at a subgroup header once a part is full, or mid-subgroup when long.
        if len(parts[-1]) >= max_rows and r.kind == "header":
            parts.append([])
        elif len(parts[-1]) >= max_rows + 8 and r.kind == "study":
            parts.append([ForestRow("header", "(continued)")])
        parts[-1].append(r)
    n = len(parts)
    return [
        _draw_forest(
            part, overall, scale, name + (f" (part {i} of {n})" if n > 1 else ""), i == n, alpha
        )
        for i, part in enumerate(parts, 1)
    ]


def forest_plot(
    effects: pd.DataFrame,
    *,
    source: str = "reported",
    dimension: str | None = None,
    metric_family: str | None = None,
    scale: str = "smd",
    method: Method = "REML",
    dependence: Dependence = "average",
    title: str | None = None,
    alpha: float = 0.05,
) -> Figure:
    """The whole forest plot in one figure (:func:`forest_plots` splits it into printable parts).

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    source, dimension, metric_family, scale : str
        Which effects to show (``None`` = all dimensions / families); one scale only.
    method : {"REML", "DL", "PM"}
        tau2 estimator of the pooled diamonds.
    dependence : {"average", "best"}
        As in :func:`lnnmeta.stats.meta.pool_effects`.
    title : str, optional
        Figure title.
    alpha : float
        ``1 - alpha`` is the level of every interval drawn.

    Returns
    -------
    matplotlib.figure.Figure
        Positive effects (right of 0) favour the LNN.
    """
    return forest_plots(
        effects,
        source=source,
        dimension=dimension,
        metric_family=metric_family,
        scale=scale,
        method=method,
        dependence=dependence,
        title=title,
        max_rows=10**9,
        alpha=alpha,
    )[0]


def funnel_plot(
    effects: pd.DataFrame,
    *,
    source: str = "reported",
    dimension: str | None = None,
    metric_family: str | None = None,
    scale: str = "smd",
    method: Method = "REML",
    dependence: Dependence = "average",
    title: str | None = None,
    alpha: float = 0.05,
) -> Figure:
    """Funnel plot: effect against standard error with the pseudo ``1 - alpha`` region.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    source, dimension, metric_family, scale : str
        Which effects to show, as in :func:`forest_plot`.
    method : {"REML", "DL", "PM"}
        tau2 estimator of the pooled estimate at the centre of the funnel.
    dependence : {"average", "best"}
        As in :func:`lnnmeta.stats.meta.pool_effects`.
    title : str, optional
        Figure title.
    alpha : float
        ``1 - alpha`` is the level of the pseudo confidence region.

    Returns
    -------
    matplotlib.figure.Figure
        Standard error on an inverted y axis (precise effects on top).
    """
    cl = _select(effects, source, dimension, metric_family, scale, dependence)
    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot()
    if cl.empty:
        ax.text(0.5, 0.5, "no effects with a variance", ha="center", transform=ax.transAxes)
        return fig
    se = np.sqrt(cl["variance"].to_numpy(float))
    res = random_effects(cl["effect"], cl["variance"], method, alpha)
    z = _z(alpha)
    top = float(se.max()) * 1.1
    grid = np.array([0.0, top])
    ax.plot(res.estimate - z * grid, grid, color="grey", ls="--")
    ax.plot(res.estimate + z * grid, grid, color="grey", ls="--")
    ax.text(res.estimate + z * top, top, f" {level_text(alpha)} region", fontsize=7, va="bottom")
    ax.axvline(res.estimate, color="black", lw=1)
    ax.scatter(cl["effect"], se, color="tab:blue", s=14)
    ax.set_ylim(top, 0.0)
    ax.set_xlabel(f"effect ({scale}); > 0 favours LNN")
    ax.set_ylabel("standard error")
    ax.set_title(title or f"{source} · {dimension or 'all'} · {metric_family or 'all'}")
    fig.tight_layout()
    return fig
