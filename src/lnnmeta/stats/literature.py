"""Literature layer: LNN-vs-RNN effect sizes from the numbers papers report.

Pairing
    Every LNN row is paired with every RNN row of the same paper, table, column, task and
    metric. A *comparison cluster* is that group (``cluster_id``); its pairs share rows and are
    therefore dependent, which :func:`lnnmeta.stats.meta.cluster_effects` accounts for.

Copied numbers
    A row with ``copied_from`` was copied from another paper.

    * A pair whose two sides are both copied from the same source is the source's evidence, not
      the citing paper's: it is attributed to the source (``evidence_paper``).
    * Identical pairs (same evidence paper, task, metric, models and values) are kept once,
      preferring the uncopied one, so that a number copied into several papers (or repeated in
      two tables of one paper) counts once.
    * A pair with only one side copied (a paper comparing its own LNN with a baseline number
      taken from elsewhere) stays the citing paper's evidence with ``copied = True``;
      :func:`lnnmeta.stats.meta.pool_effects` can leave those out as a sensitivity analysis.
    * In the main analysis each copied number counts once (:func:`count_copies_once`): all pairs
      that use the same copied number (same source, model, task, metric and value) are averaged
      into one effect, kept in the first comparison cluster that uses it (sorted by evidence
      paper and cluster); the variance of the average uses correlation 0.5 between pairs
      sharing a row (Gleser & Olkin 2009). Pooling every pair as printed is the sensitivity
      analysis ``results/analysis/sensitivity_copies.parquet``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lnnmeta.stats.effect_sizes import KIND_SCALE, pair_effects, spread_to_sd, spread_to_se
from lnnmeta.stats.schemas import EFFECTS, typed_frame

#: Columns that define a comparison within one paper.
PAIR_KEYS = ["paper_key", "table_id", "column_id", "task", "metric"]
_SHARED = ["location", "metric_family", "dimension", "higher_is_better"]
_SIDE = ["model", "value", "sd", "se", "n", "copied_from", "all_positive"]


def _prepare_rows(reported: pd.DataFrame) -> pd.DataFrame:
    """Keep LNN and RNN rows and add ``sd``, ``se``, ``n`` and the cluster's positivity."""
    rows = reported[reported["family"].isin(["LNN", "RNN"])].copy()
    n = pd.to_numeric(rows["n_runs"], errors="coerce").astype("float64").to_numpy()
    spread = pd.to_numeric(rows["spread"], errors="coerce").astype("float64").to_numpy()
    kind = rows["spread_kind"].astype(object).fillna("none").to_numpy()
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype("float64")
    rows["sd"] = spread_to_sd(spread, kind, n)
    rows["se"] = spread_to_se(spread, kind, n)
    rows["n"] = n
    positive = (rows["value"] > 0).astype(float)
    rows["all_positive"] = positive.groupby([rows[k] for k in PAIR_KEYS]).transform("min") == 1
    return rows


def _pairs(rows: pd.DataFrame) -> pd.DataFrame:
    """Cross LNN rows with RNN rows within each comparison."""
    keep = PAIR_KEYS + _SHARED + _SIDE
    lnn = rows.loc[rows["family"] == "LNN", keep]
    rnn = rows.loc[rows["family"] == "RNN", PAIR_KEYS + _SIDE]
    pairs = lnn.merge(rnn, on=PAIR_KEYS, suffixes=("_lnn", "_rnn"))
    return pairs.rename(columns={f"{c}_lnn": f"lnn_{c}" for c in _SIDE}).rename(
        columns={f"{c}_rnn": f"rnn_{c}" for c in _SIDE}
    )


def _attribute_copies(pairs: pd.DataFrame) -> pd.DataFrame:
    """Set ``evidence_paper``, ``copied``, ``copied_from`` and drop duplicated evidence."""
    cl, cr = pairs["lnn_copied_from"], pairs["rnn_copied_from"]
    same_source = cl.notna() & cr.notna() & (cl.astype(object) == cr.astype(object))
    pairs["evidence_paper"] = np.where(same_source, cl.astype(object), pairs["paper_key"])
    pairs["copied"] = cl.notna() | cr.notna()
    pairs["copied_side"] = [
        "both" if a and b else "lnn" if a else "rnn" if b else None
        for a, b in zip(cl.notna(), cr.notna(), strict=True)
    ]
    sources = [
        ";".join(sorted({str(s) for s in (a, b) if isinstance(s, str)}))
        for a, b in zip(cl.astype(object), cr.astype(object), strict=True)
    ]
    pairs["copied_from"] = [s or None for s in sources]
    note = "both sides copied from " + cl.astype(str) + ": attributed to the source"
    pairs["note"] = note.where(same_source)
    via = np.where(same_source, "via " + pairs["paper_key"].astype(str) + " ", "")
    pairs["cluster_id"] = (
        pairs["evidence_paper"].astype(str)
        + "|"
        + via
        + pairs["table_id"].astype(str)
        + "|"
        + pairs["column_id"].astype(str)
        + "|"
        + pairs["task"].astype(str)
        + "|"
        + pairs["metric"].astype(str)
    )
    dedup = ["evidence_paper", "task", "metric", "lnn_model", "rnn_model", "lnn_value", "rnn_value"]
    pairs = pairs.sort_values("copied", kind="stable")
    return pairs.drop_duplicates(subset=dedup, keep="first").sort_index()


def _copied_key(row: pd.Series) -> str | None:
    side = row["copied_side"]
    if side not in ("lnn", "rnn", "both") or row["evidence_paper"] != row["paper_key"]:
        return None
    side = "rnn" if side == "both" else side
    return "|".join(
        str(row[c])
        for c in ("copied_from", "task", "metric", f"{side}_model", f"{side}_value", "scale")
    )


def _average_pairs(group: pd.DataFrame, rho: float) -> dict[str, Any]:
    from lnnmeta.stats.multilevel import sampling_covariance

    finite = group[np.isfinite(group["variance"].to_numpy(dtype=float))]
    group = finite if not finite.empty else group
    first: dict[str, Any] = {str(k): v for k, v in group.iloc[0].items()}
    v = group["variance"].to_numpy(dtype=float)
    if len(group) == 1 or not np.isfinite(v).all():
        first["effect"] = float(group["effect"].mean())
        first["variance"] = float(v.mean()) if np.isfinite(v).all() else np.nan
    else:
        cov = sampling_covariance(
            v, group["cluster_id"], group["lnn_model"], group["rnn_model"], rho
        )
        first["effect"] = float(group["effect"].mean())
        first["variance"] = float(cov.sum() / len(group) ** 2)
    other = "lnn" if str(first["copied_side"]) == "rnn" else "rnn"
    names = sorted({str(m) for m in group[f"{other}_model"]})
    if len(names) > 1:
        first[f"{other}_model"] = "mean of " + ", ".join(names)
        first["note"] = f"copied number counted once: mean of {len(group)} pairs"
    return first


def count_copies_once(effects: pd.DataFrame, rho: float = 0.5) -> pd.DataFrame:
    """Reduce the pairs of each copied number to one effect (see the module docstring).

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows; only reported pairs with one side copied into the citing paper are
        affected (pairs attributed to their source are already counted once).
    rho : float
        Correlation of two pairs sharing a row, for the variance of the average.

    Returns
    -------
    pandas.DataFrame
        EFFECTS rows: uncopied pairs unchanged, one row per copied number.
    """
    if effects.empty or "copied_side" not in effects.columns:
        return effects
    keys = pd.Series([_copied_key(r) for _, r in effects.iterrows()], index=effects.index)
    plain = effects[keys.isna()]
    copied = effects[keys.notna()].assign(_key=keys[keys.notna()])
    if copied.empty:
        return effects
    copied = copied.sort_values(["evidence_paper", "cluster_id"], kind="stable")
    home = copied.groupby("_key", sort=False)["cluster_id"].transform("first")
    copied = copied[copied["cluster_id"] == home]
    recs = [_average_pairs(g, rho) for _, g in copied.groupby("_key", sort=True)]
    merged = pd.concat([plain, pd.DataFrame(recs).drop(columns="_key")], ignore_index=True)
    return typed_frame(merged, EFFECTS)


def effects_from_pairs(pairs: pd.DataFrame, source: str) -> pd.DataFrame:
    """Compute effect sizes for a frame of pairs and return it in the EFFECTS schema.

    Parameters
    ----------
    pairs : pandas.DataFrame
        One row per pair with ``lnn_``/``rnn_`` prefixed ``value``, ``sd``, ``se``, ``n`` and
        ``all_positive`` plus the EFFECTS identification columns.
    source : str
        ``"reported"`` or ``"rerun"``.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`lnnmeta.stats.schemas.EFFECTS`.
    """
    use_lr = pairs["lnn_all_positive"].astype(bool) & pairs["rnn_all_positive"].astype(bool)
    effect, var, kind = pair_effects(
        pairs["lnn_value"],
        pairs["rnn_value"],
        pairs["lnn_sd"],
        pairs["rnn_sd"],
        pairs["lnn_se"],
        pairs["rnn_se"],
        pairs["lnn_n"],
        pairs["rnn_n"],
        pairs["higher_is_better"].astype(bool),
        use_lr,
    )
    out = pairs.assign(source=source, effect=effect, variance=var, effect_kind=kind)
    out["scale"] = [KIND_SCALE[k] for k in kind]
    for side in ("lnn", "rnn"):
        out[f"{side}_n"] = out[f"{side}_n"].round().astype("Int64")
    return typed_frame(out, EFFECTS)


def literature_effects(reported: pd.DataFrame) -> pd.DataFrame:
    """Pair every LNN row with every RNN row of the same paper, table, column, task and metric.

    Parameters
    ----------
    reported : pandas.DataFrame
        Rows of the REPORTED schema (:data:`lnnmeta.tables.REPORTED`).

    Returns
    -------
    pandas.DataFrame
        One row per pair in the :data:`lnnmeta.stats.schemas.EFFECTS` schema, ``source`` =
        ``"reported"``. ``effect`` > 0 means the LNN is better. See
        :mod:`lnnmeta.stats.effect_sizes` for the effect-size rules and this module's docstring
        for the treatment of copied numbers.
    """
    rows = _prepare_rows(reported)
    pairs = _pairs(rows)
    if pairs.empty:
        return typed_frame([], EFFECTS)
    return effects_from_pairs(_attribute_copies(pairs), "reported")
