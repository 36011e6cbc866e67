"""Declared Parquet schemas for every table passed between rules, and validated atomic I/O.

One pyarrow schema per table. :func:`write_table` and :func:`read_table` reject extra columns, missing
columns and nulls in required (non-nullable) columns, so that a contract break stops the run at the
rule that caused it. Writes go to a temporary file in the same directory and are renamed into place,
so a killed job never leaves a partial Parquet file behind.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lnnmeta.atomic import atomic_path
from lnnmeta.measures import TRAINING_MEASURES


class TableError(ValueError):
    """A table does not match its declared schema."""


def _f(name: str, typ: pa.DataType, nullable: bool = False) -> pa.Field:
    return pa.field(name, typ, nullable=nullable)


#: One row per number a paper reports (``results/literature/reported.parquet``).
REPORTED = pa.schema(
    [
        _f("paper_key", pa.string()),
        _f("location", pa.string()),
        _f("table_id", pa.string()),
        _f("caption", pa.string()),
        _f("column_id", pa.string()),
        _f("row_index", pa.int64()),
        _f("task", pa.string()),
        _f("dataset", pa.string()),
        _f("metric", pa.string()),
        _f("metric_family", pa.string()),
        _f("dimension", pa.string()),
        _f("higher_is_better", pa.bool_()),
        _f("unit", pa.string()),
        _f("unit_fixed_from", pa.string(), nullable=True),
        _f("model_as_printed", pa.string()),
        _f("model", pa.string()),
        _f("family", pa.string()),
        _f("value", pa.float64()),
        _f("value_as_printed", pa.float64()),
        _f("spread", pa.float64(), nullable=True),
        _f("spread_kind", pa.string()),
        _f("n_runs", pa.int64(), nullable=True),
        _f("n_params", pa.int64(), nullable=True),
        _f("copied_from", pa.string(), nullable=True),
        _f("note", pa.string(), nullable=True),
        _f("source", pa.string()),
        # as the paper prints it (regenerated survey tables; see lnnmeta.literature.survey)
        _f("value_text", pa.string(), nullable=True),
        _f("spread_text", pa.string(), nullable=True),
        _f("unit_as_printed", pa.string(), nullable=True),
        _f("bold", pa.bool_(), nullable=True),
        _f("copied_mark", pa.string(), nullable=True),
        _f("column_index", pa.int64(), nullable=True),
        _f("orientation", pa.string(), nullable=True),
    ]
)

#: One row per task x model x seed x condition (``results/runs/{task}/{model}/seed{seed}.parquet``).
RUNS = pa.schema(
    [
        _f("task", pa.string()),
        _f("stands_in_for", pa.string()),
        _f("model", pa.string()),
        _f("family", pa.string()),
        _f("backend", pa.string()),
        _f("seed", pa.int64()),
        _f("condition", pa.string()),
        _f("condition_kind", pa.string()),
        _f("condition_level", pa.float64()),
        _f("metric", pa.string()),
        _f("higher_is_better", pa.bool_()),
        _f("value", pa.float64()),
        # the efficiency columns (registry: lnnmeta.measures)
        *(_f(n, pa.int64() if m.integer else pa.float64()) for n, m in TRAINING_MEASURES.items()),
        _f("epochs_run", pa.int64()),
        _f("best_epoch", pa.int64()),
        _f("units", pa.int64()),
        _f("lr", pa.float64()),
        _f("torch_version", pa.string()),
        _f("ncps_version", pa.string()),
        _f("lnnmeta_version", pa.string()),
        _f("config_hash", pa.string()),
        _f("git_commit", pa.string()),
    ]
)

#: Every rerun row (``results/runs/all.parquet``): RUNS plus the run's sanity check (lnnmeta.sanity).
RUNS_ALL = pa.schema(
    [
        *RUNS,
        _f("sanity_threshold", pa.float64()),
        _f("learned", pa.bool_()),
    ]
)

#: One row per task x seed: the sanity baselines (``results/sanity/{task}.parquet``).
SANITY = pa.schema(
    [
        _f("task", pa.string()),
        _f("seed", pa.int64()),
        _f("metric", pa.string()),
        _f("higher_is_better", pa.bool_()),
        _f("n_test", pa.int64()),
        _f("naive", pa.string()),
        _f("naive_value", pa.float64()),
        _f("threshold", pa.float64()),
        _f("linear", pa.string()),
        _f("linear_value", pa.float64()),
    ]
)

#: One row per task and baselines (``results/runs/sanity_summary.parquet``): the sanity baselines
#: averaged over seeds, and the task's in-distribution runs and those not learned.
SANITY_SUMMARY = pa.schema(
    [
        _f("task", pa.string()),
        _f("metric", pa.string()),
        _f("naive", pa.string()),
        _f("linear", pa.string()),
        _f("n_seeds", pa.int64()),
        _f("naive_value", pa.float64()),
        _f("threshold", pa.float64()),
        _f("linear_value", pa.float64()),
        _f("n_runs", pa.int64()),
        _f("n_not_learned", pa.int64()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "reported": REPORTED,
    "runs": RUNS,
    "runs_all": RUNS_ALL,
    "sanity": SANITY,
    "sanity_summary": SANITY_SUMMARY,
}


def register(name: str, schema: pa.Schema) -> pa.Schema:
    """Declare the schema of a table under ``name`` (used by the analysis modules)."""
    SCHEMAS[name] = schema
    return schema


def _schema(name_or_schema: str | pa.Schema) -> pa.Schema:
    if isinstance(name_or_schema, pa.Schema):
        return name_or_schema
    try:
        return SCHEMAS[name_or_schema]
    except KeyError:
        raise TableError(f"no schema declared for table {name_or_schema!r}") from None


def conform(df: pd.DataFrame, schema: str | pa.Schema, where: str = "table") -> pa.Table:
    """Check ``df`` against ``schema`` and return it as a typed Arrow table.

    Raises :class:`TableError` naming ``where``, the column and the problem.
    """
    sch = _schema(schema)
    cols = list(df.columns)
    expected = sch.names
    extra = [c for c in cols if c not in expected]
    missing = [c for c in expected if c not in cols]
    if extra or missing:
        raise TableError(
            f"{where}: columns do not match the declared schema"
            + (f"; unexpected: {', '.join(map(str, extra))}" if extra else "")
            + (f"; missing: {', '.join(missing)}" if missing else "")
        )
    for field in sch:
        if not field.nullable and df[field.name].isna().any():
            row = int(df[field.name].isna().to_numpy().nonzero()[0][0])
            raise TableError(f"{where}: required column {field.name!r} is null in row {row}")
    try:
        return pa.Table.from_pandas(df[expected], schema=sch, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise TableError(f"{where}: cannot convert to the declared types: {exc}") from None


def write_table(df: pd.DataFrame, path: str | os.PathLike[str], schema: str | pa.Schema) -> None:
    """Validate ``df`` and write it to ``path`` atomically (temp file + rename)."""
    table = conform(df, schema, where=str(path))
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def read_table(path: str | os.PathLike[str], schema: str | pa.Schema) -> pd.DataFrame:
    """Read ``path`` and check it against ``schema``; returns a DataFrame."""
    sch = _schema(schema)
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise TableError(f"{path}: not a readable Parquet file: {exc}") from None
    got = set(table.schema.names)
    if got != set(sch.names):
        extra = sorted(got - set(sch.names))
        missing = sorted(set(sch.names) - got)
        raise TableError(f"{path}: columns do not match; unexpected: {extra}; missing: {missing}")
    df = table.select(sch.names).to_pandas()
    conform(df, sch, where=str(path))
    return df


def empty_frame(schema: str | pa.Schema) -> pd.DataFrame:
    """An empty DataFrame with the columns (and dtypes) of ``schema``."""
    return _schema(schema).empty_table().to_pandas()


def concat_tables(paths: Mapping[str, str] | list[str], schema: str | pa.Schema) -> pd.DataFrame:
    """Read several tables with the same schema and concatenate them."""
    items = list(paths.values()) if isinstance(paths, Mapping) else list(paths)
    frames = [read_table(p, schema) for p in items]
    if not frames:
        return empty_frame(schema)
    return pd.concat(frames, ignore_index=True)
