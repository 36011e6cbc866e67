"""Survey tables regenerated from the reported data, and the literature's data-quality summary.

A regenerated table is the paper's table as printed: the same orientation (models as rows or as
columns), the values with the printed digits (``100.00 ± 0.00``, ``26.2M``), the cells the paper
prints in bold and the marks it puts on rows copied from other papers. Headers name the data set,
the metric and the unit of the printed values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

#: Mark shown on a copied row when the data does not say which mark the paper prints.
COPIED_MARK = "†"

#: How a metric is named in a header.
METRIC_LABELS = {
    "accuracy": "accuracy",
    "error_rate": "error rate",
    "mse": "MSE",
    "train_mse": "training MSE",
    "mae": "MAE",
    "rmse": "RMSE",
    "nll": "NLL",
    "auc": "AUC",
    "f1": "F1",
    "n_params": "parameters",
    "time_per_epoch": "time per epoch",
    "computational_depth": "computational depth",
    "n_neurons": "neurons",
    "n_synapses": "synapses",
    "success_rate": "success rate",
    "crash_rate": "crash rate",
    "bits_per_dim": "bits/dim",
}

#: How the unit of the printed values is written after the metric ("" when it goes without saying).
UNIT_LABELS = {
    "percent": "%",
    "fraction": "fraction",
    "seconds": "s",
    "minutes": "min",
    "hours": "h",
    "milliseconds": "ms",
    "bytes": "bytes",
    "count": "",
    "none": "",
}


@dataclass(frozen=True)
class SurveyTable:
    """One paper table rebuilt from the data.

    ``frame`` holds the cells as text (the first column labels the rows); ``bold`` has the same
    shape and says which cells the paper prints in bold; ``marks`` holds, per row label, the mark the
    paper prints on a copied row (models as rows) and, per column header, the same for models as
    columns; ``legend`` explains the marks.
    """

    paper_key: str
    table_id: str
    location: str
    caption: str
    orientation: str
    frame: pd.DataFrame
    bold: pd.DataFrame
    marks: dict[str, str] = field(default_factory=dict)
    legend: list[str] = field(default_factory=list)


def metric_header(metric: str, unit: str) -> str:
    """``accuracy (%)``, ``MSE``, ``time per epoch (min)``."""
    name = METRIC_LABELS.get(metric, metric.replace("_", " "))
    u = UNIT_LABELS.get(unit, unit)
    return f"{name} ({u})" if u else name


def _text(x: object) -> str | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def cell_text(cell: pd.Series) -> str:
    """A cell as printed: ``value ± spread`` with the paper's digits (from ``value_text`` and
    ``spread_text``; reconstructed from the numbers for data ingested without them)."""
    value = _text(cell.get("value_text")) or f"{float(cell['value_as_printed']):g}"
    if pd.isna(cell["spread"]):
        return value
    spread = _text(cell.get("spread_text"))
    if spread is None:
        v = float(cell["value"])
        scale = float(cell["value_as_printed"]) / v if v != 0 else 1.0
        spread = f"{float(cell['spread']) * scale:g}"
    return f"{value} ± {spread}"


def _unit(cell: pd.Series) -> str:
    printed = _text(cell.get("unit_as_printed"))
    return printed if printed is not None else str(cell["unit"])


def _mark(cell: pd.Series) -> str:
    """The mark the paper prints on the cell's row ('' for none)."""
    mark = _text(cell.get("copied_mark"))
    if mark is not None:
        return mark
    return COPIED_MARK if isinstance(cell.get("copied_from"), str) else ""


def _unique(labels: list[str], extras: list[list[str]]) -> list[str]:
    """``labels`` with the first distinguishing extra (then the position) added to repeats."""
    out = list(labels)
    for extra in [*extras, [str(i + 1) for i in range(len(labels))]]:
        counts = pd.Series(out).value_counts()
        clash = [i for i, lab in enumerate(out) if counts[lab] > 1]
        if not clash:
            break
        for i in clash:
            if extra[i]:
                out[i] = f"{out[i]} [{extra[i]}]"
    return out


def _column_order(g: pd.DataFrame) -> list[str]:
    if "column_index" in g.columns and g["column_index"].notna().all():
        order = g.drop_duplicates("column_id").sort_values("column_index", kind="stable")
        return [str(c) for c in order["column_id"]]
    return [str(c) for c in dict.fromkeys(g.sort_values("row_index", kind="stable")["column_id"])]


def _orientation(g: pd.DataFrame) -> str:
    if "orientation" in g.columns and g["orientation"].notna().any():
        return str(g["orientation"].dropna().iloc[0])
    return "models_as_rows"


def survey_table(g: pd.DataFrame) -> SurveyTable:
    """Rebuild one paper table from its reported rows (one ``paper_key`` and ``table_id``)."""
    first = g.iloc[0]
    cols = _column_order(g)
    by_col = {c: g.loc[g["column_id"] == c].iloc[0] for c in cols}
    col_labels = _unique(
        [
            f"{by_col[c]['dataset']}: {metric_header(str(by_col[c]['metric']), _unit(by_col[c]))}"
            for c in cols
        ],
        [cols],
    )
    row_ids = sorted(g["row_index"].unique())
    by_row = {r: g.loc[g["row_index"] == r].iloc[0] for r in row_ids}
    marks = {r: _mark(by_row[r]) for r in row_ids}
    model_labels = _unique(
        [str(by_row[r]["model_as_printed"]) for r in row_ids],
        [[_text(by_row[r].get("note")) or "" for r in row_ids]],
    )
    text: dict[tuple[int, str], str] = {}
    bold: dict[tuple[int, str], bool] = {}
    for _, cell in g.iterrows():
        key = (int(cell["row_index"]), str(cell["column_id"]))
        text[key] = cell_text(cell)
        b = cell.get("bold")
        bold[key] = bool(b) if b is not None and not pd.isna(b) else False
    model_names = {r: lab + marks[r] for r, lab in zip(row_ids, model_labels, strict=True)}
    orientation = _orientation(g)
    if orientation == "models_as_columns":
        head = ["Data set: metric (unit)", *[model_names[r] for r in row_ids]]
        frame = pd.DataFrame(
            [
                [lab, *[text.get((r, c), "") for r in row_ids]]
                for c, lab in zip(cols, col_labels, strict=True)
            ],
            columns=head,
        )
        mask = pd.DataFrame(
            [[False, *[bold.get((r, c), False) for r in row_ids]] for c in cols], columns=head
        )
        mark_of = {model_names[r]: marks[r] for r in row_ids if marks[r]}
    else:
        head = ["Model", *col_labels]
        frame = pd.DataFrame(
            [[model_names[r], *[text.get((r, c), "") for c in cols]] for r in row_ids], columns=head
        )
        mask = pd.DataFrame(
            [[False, *[bold.get((r, c), False) for c in cols]] for r in row_ids], columns=head
        )
        mark_of = {model_names[r]: marks[r] for r in row_ids if marks[r]}
    sources: dict[str, list[str]] = {}
    for r in row_ids:
        src = by_row[r].get("copied_from")
        if marks[r] and isinstance(src, str) and src not in sources.setdefault(marks[r], []):
            sources[marks[r]].append(src)
    legend = [f"{m} copied from {', '.join(s)}" for m, s in sources.items()]
    if any(bold.values()):
        legend.append("bold as printed in the paper")
    return SurveyTable(
        paper_key=str(first["paper_key"]),
        table_id=str(first["table_id"]),
        location=str(first["location"]),
        caption=str(first["caption"]),
        orientation=orientation,
        frame=frame,
        bold=mask,
        marks=mark_of,
        legend=legend,
    )


def survey_tables(reported: pd.DataFrame) -> list[SurveyTable]:
    """Every paper table of ``reported`` rebuilt as printed, in the order of the data."""
    return [survey_table(g) for _, g in reported.groupby(["paper_key", "table_id"], sort=False)]


def regenerate_tables(reported: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """One table of text cells per (paper_key, table_id), as printed (see :func:`survey_table`)."""
    return {(t.paper_key, t.table_id): t.frame for t in survey_tables(reported)}


CONFLICT_COLUMNS = ["task", "model", "metric", "unit", "paper_a", "value_a", "paper_b", "value_b"]


def conflicts(reported: pd.DataFrame) -> pd.DataFrame:
    """One column of one paper against one column of another: same task, model, metric, unit, other value.

    Two columns of one table (total and RNN-only parameters, say) are never compared with each
    other. Between two papers, columns with the same column id are paired when both papers have
    such columns for the key; otherwise every column of one paper is paired with every column of
    the other. A value copied from another paper is compared with the original, so a faithful copy
    is no conflict; a copy whose value differs from its source is. A row can also mean two
    different setups under one task name, not an error: the values carry their column labels.
    """
    key = ["task", "model", "metric", "unit"]
    rows = []
    for k, g in reported.groupby(key, sort=True):
        papers = sorted(g["paper_key"].unique())
        for i, a in enumerate(papers):
            for b in papers[i + 1 :]:
                ga, gb = g[g["paper_key"] == a], g[g["paper_key"] == b]
                shared = set(ga["column_id"]) & set(gb["column_id"])
                for _, ra in ga.iterrows():
                    for _, rb in gb.iterrows():
                        if shared and not (ra["column_id"] == rb["column_id"] in shared):
                            continue
                        if ra["value"] == rb["value"]:
                            continue
                        rows.append(
                            {
                                "task": k[0],
                                "model": k[1],
                                "metric": k[2],
                                "unit": k[3],
                                "paper_a": f"{a}, {ra['location']}, column {ra['column_id']}",
                                "value_a": f"{ra['value']:g}",
                                "paper_b": f"{b}, {rb['location']}, column {rb['column_id']}",
                                "value_b": f"{rb['value']:g}",
                            }
                        )
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)


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
                    (
                        conf["paper_a"].str.startswith(f"{paper},")
                        | conf["paper_b"].str.startswith(f"{paper},")
                    ).sum()
                ),
            }
        )
    return pd.DataFrame(out)
