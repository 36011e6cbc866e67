"""Counts of what is pooled and what is not: degenerate spreads, ties, invalid variances, copies."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lnnmeta.stats.effect_sizes import DEGENERATE_RULE
from lnnmeta.stats.literature import count_copies_once
from lnnmeta.stats.schemas import EFFECT_COUNTS, typed_frame

_KEYS = ["source", "dimension", "metric_family", "scale"]


def _count(sub: pd.DataFrame, after: int) -> dict[str, Any]:
    v = sub["variance"].to_numpy(dtype=float)
    lnn_sd = pd.to_numeric(sub["lnn_sd"], errors="coerce").to_numpy(dtype=float)
    rnn_sd = pd.to_numeric(sub["rnn_sd"], errors="coerce").to_numpy(dtype=float)
    ties = sub["lnn_value"].astype(float).to_numpy() == sub["rnn_value"].astype(float).to_numpy()
    kinds = sub["effect_kind"].astype(str)
    return {
        "n_pairs": len(sub),
        "n_with_variance": int((np.isfinite(v) & (v > 0)).sum()),
        "n_ties": int(ties.sum()),
        "n_degenerate_spread": int((kinds == "degenerate_spread").sum()),
        "n_zero_spread_both": int(((lnn_sd == 0) & (rnn_sd == 0)).sum()),
        "n_no_spread": int(kinds.isin(["raw_difference_no_spread", "log_ratio_no_spread"]).sum()),
        "n_variance_zero": int((v == 0).sum()),
        "n_variance_negative": int((v < 0).sum()),
        "n_variance_nan": int(np.isnan(v).sum()),
        "n_variance_inf": int(np.isinf(v).sum()),
        "n_copied": int(sub["copied"].astype(bool).sum()),
        "n_after_copies_once": after,
        "rule": DEGENERATE_RULE,
    }


def effect_counts(effects: pd.DataFrame) -> pd.DataFrame:
    """Per source, dimension, metric family and scale: how many pairs, and why some are not pooled.

    Parameters
    ----------
    effects : pandas.DataFrame
        EFFECTS rows (all pairs, copies as printed).

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.stats.schemas.EFFECT_COUNTS` rows. ``n_ties``: pairs whose two printed
        values are equal (e.g. 100 vs 100); ``n_degenerate_spread``: pairs without Hedges' g
        because the pooled SD is degenerate; ``n_zero_spread_both``: both printed spreads 0;
        ``n_variance_*``: variances that are 0, negative, NaN (no spread) or infinite, none of
        which is pooled; ``n_after_copies_once``: pairs left when each copied number counts
        once (:func:`lnnmeta.stats.literature.count_copies_once`).
    """
    if effects.empty:
        return typed_frame([], EFFECT_COUNTS)
    once = count_copies_once(effects)
    after = once.groupby(_KEYS, sort=True).size()
    rows = []
    for keys, sub in effects.groupby(_KEYS, sort=True):
        rec = dict(zip(_KEYS, keys, strict=True))
        rows.append({**rec, **_count(sub, int(after.get(keys, 0)))})
    return typed_frame(rows, EFFECT_COUNTS)
