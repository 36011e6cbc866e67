"""Survey tables regenerated from the reported data, and the literature's data-quality summary."""

from __future__ import annotations

import math

import pandas as pd

COPIED_MARK = "†"


def _fmt(value: float, spread: float | None) -> str:
    v = f"{value:g}"
    if spread is None or (isinstance(spread, float) and math.isnan(spread)):
        return v
    return f"{v} ± {spread:g}"


def column_labels(g: pd.DataFrame, cols: list[str]) -> dict[str, str]:
    """Header of each column: its data set, with the metric (or the column id) added where two
    columns of one table share a data set."""
    first = {c: g.loc[g["column_id"] == c].iloc[0] for c in cols}
    labels = {c: str(first[c]["dataset"]) for c in cols}
    for extra in ("metric", "column_id"):
        counts = pd.Series(list(labels.values())).value_counts()
        clash = [c for c in cols if counts[labels[c]] > 1]
        for c in clash:
            labels[c] = f"{labels[c]} ({first[c][extra]})"
    return labels


def regenerate_tables(reported: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """One wide table per (paper_key, table_id), rows and columns in the paper's order.

    Cells hold the values as printed (value ± spread); a copied row is marked with a dagger and its
    source. The caller can hold each table next to the paper.
    """
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for (paper, table), g in reported.groupby(["paper_key", "table_id"], sort=False):
        g = g.sort_values(["row_index"], kind="stable")
        cols = list(dict.fromkeys(g["column_id"]))
        labels = column_labels(g, cols)
        records = []
        for _, rows in g.groupby("row_index", sort=True):
            first = rows.iloc[0]
            scale = rows["value_as_printed"] / rows["value"].where(rows["value"] != 0, 1.0)
            rec: dict[str, str] = {
                "Model": first["model_as_printed"]
                + (f" {COPIED_MARK}" if isinstance(first["copied_from"], str) else "")
            }
            for (_, cell), s in zip(rows.iterrows(), scale, strict=True):
                spread = None if pd.isna(cell["spread"]) else float(cell["spread"]) * float(s)
                rec[labels[cell["column_id"]]] = _fmt(float(cell["value_as_printed"]), spread)
            records.append(rec)
        frame = pd.DataFrame(records, columns=["Model", *[labels[c] for c in cols]]).fillna("")
        out[(str(paper), str(table))] = frame
    return out


def conflicts(reported: pd.DataFrame) -> pd.DataFrame:
    """Same task, model and metric reported with different values by different papers.

    A value copied from another paper is compared with the original, so a faithful copy is no
    conflict; a copy whose value differs from its source is.
    """
    key = ["task", "model", "metric", "unit"]
    rows = []
    for k, g in reported.groupby(key):
        if g["paper_key"].nunique() < 2 or g["value"].nunique() < 2:
            continue
        rows.append(
            {
                "task": k[0],
                "model": k[1],
                "metric": k[2],
                "values": "; ".join(
                    f"{v:g} ({s})" for v, s in zip(g["value"], g["source"], strict=True)
                ),
                "papers": ", ".join(sorted(g["paper_key"].unique())),
            }
        )
    return pd.DataFrame(rows, columns=["task", "model", "metric", "values", "papers"])


def quality_summary(reported: pd.DataFrame) -> pd.DataFrame:
    """Rows per paper, rows without spread, copied rows, unit fixes, tables and conflicts."""
    conf = conflicts(reported)
    out = []
    for paper, g in reported.groupby("paper_key"):
        out.append(
            {
                "paper_key": paper,
                "tables": g["table_id"].nunique(),
                "numbers": len(g),
                "without_spread": int(g["spread"].isna().sum()),
                "copied": int(g["copied_from"].notna().sum()),
                "unit_fixes": int(g["unit_fixed_from"].notna().sum()),
                "lnn_rows": int((g["family"] == "LNN").sum()),
                "rnn_rows": int((g["family"] == "RNN").sum()),
                "other_rows": int((g["family"] == "other").sum()),
                "conflicts": int(
                    conf["papers"].str.split(", ").apply(lambda ps, p=paper: p in ps).sum()
                ),
            }
        )
    return pd.DataFrame(out)
