"""Forest and funnel plots of the cluster-level effects: their rows as tables, drawn by hand.

Forest plot as meta-analysts draw it (Lewis & Clarke 2001; metafor's ``forest``): study labels,
each comparison's estimate and CI as a column of text and as a square (size ~ weight) with
whiskers, its weight in %, subgroups (one per LNN variant) with their pooled diamonds, the overall
pooled diamond over its Knapp-Hartung CI with the prediction interval as a red bar (IntHout et al.
2016), and τ², I² and Q under the plot. Funnel plot: effect against standard error with the
pseudo confidence region around the pooled estimate (Light & Pillemer 1984; Sterne & Egger 2001).
Every interval has the level ``1 - alpha`` (config ``analysis.alpha``; 95 % by default), and the
plots print it.

The numbers are computed once, in the workflow (rule pool_effects): :func:`forest_table` gives
every printed row with its interval, weight and pooled fields (schema ``stats_forest_rows``) and
:func:`funnel_table` the points of the funnel (``stats_funnel_points``). :func:`draw_forest` and
:func:`draw_funnel` only draw those rows; :func:`forest_plots`, :func:`forest_plot` and
:func:`funnel_plot` compute and draw in one call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
from lnnmeta.stats.schemas import FOREST_ROWS, FUNNEL_POINTS, typed_frame


def _z(alpha: float) -> float:
    """The two-sided normal quantile ``z_{1 - alpha/2}`` (1.96 at alpha = 0.05)."""
    from scipy import stats as sps

    return float(sps.norm.ppf(1 - alpha / 2))


def level_text(alpha: float) -> str:
    """The confidence level ``1 - alpha`` in words: ``"95%"``, ``"90%"``, ``"99.5%"``."""
    return f"{100 * (1 - alpha):.4g}%"


def _keep(
    frame: pd.DataFrame,
    source: str,
    dimension: str | None,
    metric_family: str | None,
    scale: str,
) -> pd.DataFrame:
    keep = (frame["source"] == source) & (frame["scale"] == scale)
    if dimension is not None:
        keep &= frame["dimension"] == dimension
    if metric_family is not None:
        keep &= frame["metric_family"] == metric_family
    return frame[keep]


def _with_variance(cl: pd.DataFrame) -> pd.DataFrame:
    v = cl["variance"].astype(float)
    return cl[np.isfinite(v) & (v > 0)]


def _select(
    effects: pd.DataFrame,
    source: str,
    dimension: str | None,
    metric_family: str | None,
    scale: str,
    dependence: Dependence,
) -> pd.DataFrame:
    cl = cluster_effects(effects, dependence)
    return _with_variance(_keep(cl, source, dimension, metric_family, scale))


def _variant_clusters(effects: pd.DataFrame, dependence: Dependence) -> pd.DataFrame:
    """Comparison clusters split by LNN variant: the pairs of one LNN model in one comparison."""
    eff = effects.assign(cluster_id=effects["cluster_id"].astype(str) + "‖" + effects["lnn_model"])
    cl = cluster_effects(eff, dependence)
    return cl.assign(variant=[str(c).split("‖", 1)[1] for c in cl["cluster_id"]])


def _pooled_fields(res: Pooled) -> dict[str, Any]:
    return {
        "effect": res.estimate,
        "low": res.ci_low,
        "high": res.ci_high,
        "k": res.k,
        "tau2": res.tau2,
        "i2": res.i2,
        "q": res.q,
        "q_df": res.q_df,
        "q_p": res.q_p,
        "pi_low": res.pi_low,
        "pi_high": res.pi_high,
    }


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
) -> pd.DataFrame:
    """The rows of one forest plot, grouped by LNN variant, and the overall pooling.

    A study row is one comparison (paper, table, task, metric) restricted to one LNN variant (its
    pairs with the RNNs of that comparison averaged as in the pooling); its weight is its share (%)
    of the random-effects weights ``1 / (v_i + τ²)`` of its subgroup. Each subgroup with at least
    two rows gets its own pooled row; the overall row pools the comparison clusters exactly as the
    pooled table does (all variants of a comparison averaged into one effect, each copied number
    counted once). Every interval (study, subgroup, overall, prediction) has level ``1 - alpha``.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.FOREST_ROWS` rows in printed order (``position``): for each
        variant (most comparisons first) a ``header``, its ``study`` rows and, from k = 2, its
        ``subgroup`` pooling; then the ``overall`` pooling. Empty when no effect has a variance.
    """
    # Each copied number once, as in the pooled table (lnnmeta.stats.meta.pool_effects).
    effects = select_copies(effects, "once")
    cl = _select(effects, source, dimension, metric_family, scale, dependence)
    if cl.empty:
        return typed_frame([], FOREST_ROWS)
    overall = random_effects(cl["effect"], cl["variance"], method, alpha)
    sub = _keep(effects, source, dimension, metric_family, scale)
    vc = _with_variance(_variant_clusters(sub, dependence))
    recs: list[dict[str, Any]] = []
    sizes = vc.groupby("variant").size().sort_values(ascending=False, kind="stable")
    z = _z(alpha)
    for variant in sizes.index:
        g = vc[vc["variant"] == variant].sort_values(["evidence_paper", "task", "metric"])
        e, v = g["effect"].to_numpy(float), g["variance"].to_numpy(float)
        res = random_effects(e, v, method, alpha) if len(g) >= 2 else None
        tau2 = res.tau2 if res is not None and np.isfinite(res.tau2) else 0.0
        w = 1.0 / (v + tau2)
        w = 100 * w / w.sum()
        recs.append({"kind": "header", "variant": variant, "k": len(g)})
        for (_, r), wi, ei, si in zip(g.iterrows(), w, e, np.sqrt(v), strict=True):
            recs.append(
                {
                    "kind": "study",
                    "variant": variant,
                    "evidence_paper": r["evidence_paper"],
                    "task": r["task"],
                    "metric": r["metric"],
                    "n_pairs": int(r["n_pairs"]),
                    "effect": ei,
                    "low": ei - z * si,
                    "high": ei + z * si,
                    "weight": wi,
                }
            )
        if res is not None:
            recs.append({"kind": "subgroup", "variant": variant, **_pooled_fields(res)})
    recs.append({"kind": "overall", **_pooled_fields(overall)})
    for i, rec in enumerate(recs):
        rec.update(
            source=source,
            dimension=dimension if dimension is not None else "all",
            metric_family=metric_family if metric_family is not None else "all",
            scale=scale,
            method=method,
            dependence=dependence,
            position=i,
        )
    return typed_frame(recs, FOREST_ROWS)


def forest_table(
    effects: pd.DataFrame,
    *,
    sources: tuple[str, ...] = ("reported",),
    method: Method = "REML",
    dependence: Dependence = "average",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The forest rows (:func:`forest_rows`) of every dimension and scale of ``sources``, all
    metric families together: the table ``forest_rows`` of rule pool_effects."""
    frames = [
        forest_rows(
            effects,
            source=src,
            dimension=str(dim),
            scale=str(scale),
            method=method,
            dependence=dependence,
            alpha=alpha,
        )
        for src in sources
        for dim, scale in sorted(
            set(
                zip(
                    effects.loc[effects["source"] == src, "dimension"],
                    effects.loc[effects["source"] == src, "scale"],
                    strict=True,
                )
            )
        )
    ]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return typed_frame([], FOREST_ROWS)
    return typed_frame(pd.concat(frames, ignore_index=True), FOREST_ROWS)


def funnel_rows(
    effects: pd.DataFrame,
    *,
    source: str = "reported",
    dimension: str | None = None,
    metric_family: str | None = None,
    scale: str = "smd",
    dependence: Dependence = "average",
) -> pd.DataFrame:
    """The points of one funnel plot: the comparison clusters with a variance (as Egger's test
    takes them, :func:`lnnmeta.stats.bias.egger_test`), each with its own dimension and metric
    family; :data:`FUNNEL_POINTS` rows."""
    cl = _select(
        select_copies(effects, "once"), source, dimension, metric_family, scale, dependence
    )
    return typed_frame(cl.assign(dependence=dependence), FUNNEL_POINTS)


def funnel_table(
    effects: pd.DataFrame,
    *,
    sources: tuple[str, ...] = ("reported",),
    dependence: Dependence = "average",
) -> pd.DataFrame:
    """The funnel points (:func:`funnel_rows`) of every dimension and scale of ``sources``: the
    table ``funnel_points`` of rule pool_effects."""
    cl = _with_variance(cluster_effects(select_copies(effects, "once"), dependence))
    return typed_frame(cl[cl["source"].isin(sources)].assign(dependence=dependence), FUNNEL_POINTS)


# -- drawing ---------------------------------------------------------------------------------------
def _diamond(
    ax: Axes,
    line: _Line,
    y: float,
    colour: str = "black",
    half: float = 0.3,
    pi: bool = True,
) -> None:
    """The pooled estimate as a diamond over its CI; the prediction interval as a red bar on it."""
    if not np.isfinite(line.low):
        ax.plot([line.effect], [y], marker="D", color=colour)
        return
    pts = [(line.low, y), (line.effect, y + half), (line.high, y), (line.effect, y - half)]
    ax.add_patch(Polygon(pts, closed=True, color=colour))
    if pi and np.isfinite(line.pi_low):
        ax.plot([line.pi_low, line.pi_high], [y, y], color="tab:red", lw=1.2, zorder=0)


def _num(x: float) -> str:
    return f"{x:.2f}" if np.isfinite(x) else "n/a"


def _p(x: float) -> str:
    return "< 0.001" if x < 0.001 else f"{x:.2g}"


def _float(x: Any) -> float:
    return float("nan") if x is None or pd.isna(x) else float(x)


def heterogeneity_text(res: Pooled | Mapping[str, Any] | pd.Series, short: bool = False) -> str:
    """``τ² = 0.12, I² = 45%, Q = 10.9 (df = 6, p = 0.09)`` of one pooling (I² clipped at 0).

    ``res`` is a :class:`~lnnmeta.stats.meta.Pooled` or a row with its ``tau2, i2, q, q_df,
    q_p``; ``short`` leaves out Q's degrees of freedom (df = k - 1).
    """
    get = (lambda k: getattr(res, k)) if isinstance(res, Pooled) else res.__getitem__
    tau2, i2_raw, q, q_p = (_float(get(k)) for k in ("tau2", "i2", "q", "q_p"))
    q_df = get("q_df")
    i2 = max(i2_raw, 0.0) if np.isfinite(i2_raw) else float("nan")
    df = "" if short else f"df = {None if q_df is None or pd.isna(q_df) else int(q_df)}, "
    qt = f", Q = {q:.3g} ({df}p = {_p(q_p)})" if np.isfinite(q) else ""
    return f"τ² = {tau2:.3g}, I² = {i2:.0f}%{qt}"


@dataclass(frozen=True)
class _Line:
    """One printed line of a forest plot: a comparison, a header, a subgroup or the overall row."""

    kind: str  # "study", "header", "subgroup", "overall"
    label: str
    effect: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")
    weight: float = float("nan")
    pi_low: float = float("nan")
    pi_high: float = float("nan")


def _line(r: pd.Series) -> _Line:
    """The printed line of one FOREST_ROWS row (its label worded here, not in the table)."""
    kind = str(r["kind"])
    if kind == "header":
        label = f"{r['variant']} (k = {int(r['k'])})"
    elif kind == "study":
        label = f"{r['evidence_paper']} · {r['task']} · {r['metric']} ({int(r['n_pairs'])})"
    elif kind == "subgroup":
        label = f"{r['method']} pooled: {heterogeneity_text(r, short=True)}"
    else:
        label = f"All comparisons: {r['method']} pooled (k = {int(r['k'])})"
    return _Line(
        kind,
        label,
        effect=_float(r["effect"]),
        low=_float(r["low"]),
        high=_float(r["high"]),
        weight=_float(r["weight"]),
        pi_low=_float(r["pi_low"]),
        pi_high=_float(r["pi_high"]),
    )


#: Height of one forest-plot row in inches (7 pt text).
ROW_HEIGHT = 0.15


def _draw_forest(
    rows: list[_Line],
    overall: pd.Series | None,
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
        else:
            colour = "black" if r.kind == "overall" else "#777"
            _diamond(ax, r, float(y), colour, half=0.35, pi=r.kind == "overall")
    ax.set_xlabel(f"effect ({scale}); > 0 favours the LNN", fontsize=7)
    fig.suptitle(title, fontsize=8.5, y=1 - 0.08 / height, va="top")
    if last and overall is not None:
        fig.text(
            0.01,
            0.04 / height,
            f"Overall heterogeneity: {heterogeneity_text(overall)}.\nRed bar: {level_text(alpha)} "
            "prediction "
            f"interval [{_num(_float(overall['pi_low']))}, {_num(_float(overall['pi_high']))}]. "
            "Weights: % of the random-effects weights within the subgroup.",
            fontsize=7,
            ha="left",
            va="bottom",
        )
    return fig


def _empty(title: str, size: tuple[float, float]) -> Figure:
    fig = Figure(figsize=size)
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, "no effects with a variance", ha="center", transform=ax.transAxes)
    ax.set_title(title)
    return fig


def draw_forest(
    rows: pd.DataFrame, *, title: str, max_rows: int = 46, alpha: float = 0.05
) -> list[Figure]:
    """Draw one forest plot from its :data:`FOREST_ROWS` rows (one source, dimension, family and
    scale), in parts of about ``max_rows`` rows (each part fits a printed page).

    Columns: the comparison (paper · task · metric, with its number of LNN-RNN pairs), its effect
    with its ``1 - alpha`` interval drawn and printed, and its weight in its subgroup (one subgroup
    per LNN variant, each with its pooled diamond, τ² and I², Q). The last part ends with the
    overall pooled diamond, its ``1 - alpha`` prediction interval (red) and the overall τ², I² and
    Q under the plot. ``alpha`` only names the level; the intervals are the table's.
    """
    if rows.empty:
        return [_empty(title, (7.0, 1.5))]
    rows = rows.sort_values("position", kind="stable")
    overall_rows = rows[rows["kind"] == "overall"]
    overall = overall_rows.iloc[0] if not overall_rows.empty else None
    scale = str(rows["scale"].iloc[0])
    parts: list[list[_Line]] = [[]]
    for _, row in rows.iterrows():
        r = _line(row)
        # A new part starts at a subgroup header once a part is full, or mid-subgroup when long.
        if len(parts[-1]) >= max_rows and r.kind == "header":
            parts.append([])
        elif len(parts[-1]) >= max_rows + 8 and r.kind == "study":
            parts.append([_Line("header", "(continued)")])
        parts[-1].append(r)
    n = len(parts)
    return [
        _draw_forest(
            part, overall, scale, title + (f" (part {i} of {n})" if n > 1 else ""), i == n, alpha
        )
        for i, part in enumerate(parts, 1)
    ]


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
    """:func:`forest_rows` of one selection drawn by :func:`draw_forest` (in printable parts)."""
    rows = forest_rows(
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
    return draw_forest(rows, title=name, max_rows=max_rows, alpha=alpha)


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


def draw_funnel(
    points: pd.DataFrame,
    estimate: float,
    *,
    scale: str,
    title: str,
    alpha: float = 0.05,
) -> Figure:
    """Draw a funnel plot: the :data:`FUNNEL_POINTS` rows of one selection, effect against
    standard error, around the pooled ``estimate`` with the pseudo ``1 - alpha`` region.

    Returns
    -------
    matplotlib.figure.Figure
        Standard error on an inverted y axis (precise effects on top).
    """
    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot()
    if points.empty:
        ax.text(0.5, 0.5, "no effects with a variance", ha="center", transform=ax.transAxes)
        return fig
    se = np.sqrt(points["variance"].to_numpy(float))
    z = _z(alpha)
    top = float(se.max()) * 1.1
    grid = np.array([0.0, top])
    ax.plot(estimate - z * grid, grid, color="grey", ls="--")
    ax.plot(estimate + z * grid, grid, color="grey", ls="--")
    ax.text(estimate + z * top, top, f" {level_text(alpha)} region", fontsize=7, va="bottom")
    ax.axvline(estimate, color="black", lw=1)
    ax.scatter(points["effect"].to_numpy(float), se, color="tab:blue", s=14)
    ax.set_ylim(top, 0.0)
    ax.set_xlabel(f"effect ({scale}); > 0 favours LNN")
    ax.set_ylabel("standard error")
    ax.set_title(title)
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
        tau2 estimator of the pooled estimate at the centre of the funnel (the overall row of
        :func:`forest_rows`: each copied number once, as in the pooled table).
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
    points = funnel_rows(
        effects,
        source=source,
        dimension=dimension,
        metric_family=metric_family,
        scale=scale,
        dependence=dependence,
    )
    rows = forest_rows(
        effects,
        source=source,
        dimension=dimension,
        metric_family=metric_family,
        scale=scale,
        method=method,
        dependence=dependence,
    )
    overall = rows[rows["kind"] == "overall"]
    estimate = float(overall["effect"].iloc[0]) if not overall.empty else float("nan")
    name = title or f"{source} · {dimension or 'all'} · {metric_family or 'all'}"
    return draw_funnel(points, estimate, scale=scale, title=name, alpha=alpha)
