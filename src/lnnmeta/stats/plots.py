"""Forest and funnel plots of the cluster-level effects (drawn by hand with matplotlib).

Forest plot: one line per comparison cluster (effect +- z_{0.975} SE), the pooled random-effects
estimate as a diamond spanning its Knapp-Hartung CI and the prediction interval as a bar under it
(Lewis & Clarke 2001; IntHout et al. 2016 for showing the prediction interval). Funnel plot:
effect against standard error with the pseudo 95% confidence region around the pooled estimate
(Light & Pillemer 1984; Sterne & Egger 2001).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from lnnmeta.stats.meta import Dependence, Method, Pooled, cluster_effects, random_effects

_Z = 1.959963984540054


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


def _diamond(ax: Axes, res: Pooled, y: float) -> None:
    if not np.isfinite(res.ci_low):
        ax.plot([res.estimate], [y], marker="D", color="black")
        return
    pts = [(res.ci_low, y), (res.estimate, y + 0.3), (res.ci_high, y), (res.estimate, y - 0.3)]
    ax.add_patch(Polygon(pts, closed=True, color="black"))
    if np.isfinite(res.pi_low):
        ax.plot([res.pi_low, res.pi_high], [y - 0.6, y - 0.6], color="tab:red", lw=2)


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
) -> Figure:
    """Forest plot of the cluster-level effects with the pooled diamond and prediction interval.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows.
    source, dimension, metric_family, scale : str
        Which effects to show (``None`` = all dimensions / families); one scale only.
    method : {"REML", "DL", "PM"}
        tau2 estimator of the pooled diamond.
    dependence : {"average", "best"}
        As in :func:`lnnmeta.stats.meta.pool_effects`.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Positive effects (right of 0) favour the LNN.
    """
    cl = _select(effects, source, dimension, metric_family, scale, dependence)
    k = len(cl)
    fig = Figure(figsize=(8, 1.5 + 0.3 * max(k, 1)))
    ax = fig.add_subplot()
    ax.axvline(0.0, color="grey", lw=0.8, ls="--")
    if k == 0:
        ax.text(0.5, 0.5, "no effects with a variance", ha="center", transform=ax.transAxes)
        return fig
    se = np.sqrt(cl["variance"].to_numpy(float))
    ys = np.arange(k, 0, -1, dtype=float) + 1.0
    ax.errorbar(cl["effect"], ys, xerr=_Z * se, fmt="s", color="tab:blue", ms=4, capsize=2)
    res = random_effects(cl["effect"], cl["variance"], method)
    _diamond(ax, res, 0.5)
    pooled = f"{method} pooled (k = {res.k}); red: 95% prediction interval"
    labels = [_label(r) for _, r in cl.iterrows()] + [pooled]
    ax.set_yticks([*ys, 0.5], labels, fontsize=7)
    ax.set_xlabel(f"effect ({scale}); > 0 favours LNN")
    ax.set_title(title or f"{source} · {dimension or 'all'} · {metric_family or 'all'}")
    fig.tight_layout()
    return fig


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
) -> Figure:
    """Funnel plot: effect against standard error with the pseudo 95% region.

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
    res = random_effects(cl["effect"], cl["variance"], method)
    top = float(se.max()) * 1.1
    grid = np.array([0.0, top])
    ax.plot(res.estimate - _Z * grid, grid, color="grey", ls="--")
    ax.plot(res.estimate + _Z * grid, grid, color="grey", ls="--")
    ax.axvline(res.estimate, color="black", lw=1)
    ax.scatter(cl["effect"], se, color="tab:blue", s=14)
    ax.set_ylim(top, 0.0)
    ax.set_xlabel(f"effect ({scale}); > 0 favours LNN")
    ax.set_ylabel("standard error")
    ax.set_title(title or f"{source} · {dimension or 'all'} · {metric_family or 'all'}")
    fig.tight_layout()
    return fig
