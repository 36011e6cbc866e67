"""Declared schemas: extra, missing and null-in-required columns are rejected; writes are atomic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from lnnmeta.tables import TableError, conform, read_table, write_table

SCHEMA = pa.schema(
    [pa.field("a", pa.string(), nullable=False), pa.field("b", pa.float64(), nullable=True)]
)


def test_roundtrip(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": ["x", "y"], "b": [1.0, None]})
    write_table(df, tmp_path / "t.parquet", SCHEMA)
    back = read_table(tmp_path / "t.parquet", SCHEMA)
    assert back["a"].tolist() == ["x", "y"]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]  # no temp file left behind


@pytest.mark.parametrize(
    ("df", "message"),
    [
        (pd.DataFrame({"a": ["x"], "b": [1.0], "c": [1]}), "unexpected: c"),
        (pd.DataFrame({"a": ["x"]}), "missing: b"),
        (pd.DataFrame({"a": [None], "b": [1.0]}), "required column 'a' is null in row 0"),
        (pd.DataFrame({"a": ["x"], "b": ["not a number"]}), "cannot convert"),
    ],
)
def test_contract_breaks_are_rejected(df: pd.DataFrame, message: str, tmp_path: Path) -> None:
    with pytest.raises(TableError, match=message):
        write_table(df, tmp_path / "t.parquet", SCHEMA)
    assert not (tmp_path / "t.parquet").exists()


def test_read_rejects_other_schema(tmp_path: Path) -> None:
    write_table(pd.DataFrame({"a": ["x"], "b": [1.0]}), tmp_path / "t.parquet", SCHEMA)
    other = pa.schema([pa.field("a", pa.string())])
    with pytest.raises(TableError, match="unexpected"):
        read_table(tmp_path / "t.parquet", other)


def test_read_rejects_truncated_file(tmp_path: Path) -> None:
    p = tmp_path / "t.parquet"
    write_table(pd.DataFrame({"a": ["x"] * 100, "b": [1.0] * 100}), p, SCHEMA)
    p.write_bytes(p.read_bytes()[:50])
    with pytest.raises(TableError, match="not a readable Parquet file"):
        read_table(p, SCHEMA)


def test_conform_names_where() -> None:
    with pytest.raises(TableError, match=r"^my table: "):
        conform(pd.DataFrame({"a": ["x"]}), SCHEMA, where="my table")
