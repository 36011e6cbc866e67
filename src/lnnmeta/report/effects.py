"""The per-comparison effect table behind every pooled number, and the ids that link them.

Every pooled row (results/analysis/meta.parquet) pools the effects of one source, dimension,
metric family and scale (and, for efficiency, one measure). :func:`pool_id` names that set;
:func:`effects_table` is the EFFECTS table (one row per LNN-RNN pair) with a ``pools`` column that
lists the ids of every pooled row the pair enters, so that a reader can filter the exported CSV
(reports/tables/effects.csv) by the id printed beside a pooled number.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Where the report links to the effect table (relative to reports/report.html) and its CSV stem.
EFFECTS_STEM = "effects"
EFFECTS_HREF = f"tables/{EFFECTS_STEM}.csv"


def pool_id(source: str, dimension: str, family: str, scale: str, measure: Any = None) -> str:
    """``reported:accuracy:all:smd``; efficiency rows pooled per measure add ``:<measure>``."""
    base = f"{source}:{dimension}:{family}:{scale}"
    if isinstance(measure, str) and measure and measure != "all":
        return f"{base}:{measure}"
    return base


def meta_pool_ids(meta: pd.DataFrame) -> list[str]:
    """The pool id of each pooled (META) row."""
    measure = meta["measure"] if "measure" in meta.columns else [None] * len(meta)
    return [
        pool_id(s, d, f, sc, m)
        for s, d, f, sc, m in zip(
            meta["source"],
            meta["dimension"],
            meta["metric_family"],
            meta["scale"],
            measure,
            strict=True,
        )
    ]


def effect_pool_ids(row: pd.Series) -> str:
    """Space-separated ids of the pooled rows an effect (EFFECTS row) can enter."""
    s, d, f, sc = row["source"], row["dimension"], row["metric_family"], row["scale"]
    ids = [pool_id(s, d, "all", sc), pool_id(s, d, f, sc)]
    if d == "efficiency":
        ids.append(pool_id(s, d, f, sc, row["metric"]))
    return " ".join(dict.fromkeys(ids))


def effects_table(effects: pd.DataFrame) -> pd.DataFrame:
    """The EFFECTS table with its ``pools`` ids first (what reports/tables/effects.csv holds)."""
    if effects.empty:
        return effects.assign(pools=pd.Series(dtype=str))
    pools = [effect_pool_ids(r) for _, r in effects.iterrows()]
    out = effects.assign(pools=pools)
    return out[["pools", *[c for c in effects.columns if c != "pools"]]]
