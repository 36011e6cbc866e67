"""Bad literature files: each kind stops the ingest before anything is written, with one line naming
the file, the table and row, the field, and what was expected (never a traceback)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lnnmeta.errors import InputError
from lnnmeta.literature.loader import ingest_literature, load_literature, load_paper
from lnnmeta.yamlio import MAX_BYTES
from tests.robustness.conftest import BASE_PAPER, LITERATURE, curated, dump, first_cell

BASE = curated()
TEXT = BASE_PAPER.read_text(encoding="utf-8")
PCT = first_cell(BASE, "percent")  # (table, row, column) of a percent cell
T0 = BASE["tables"][0]
T0_NAME = f"table '{T0['id']}'"
PCT_TABLE = f"table '{BASE['tables'][PCT[0]]['id']}'"


def edit(fn: Callable[[dict[str, Any]], Any]) -> bytes:
    data = copy.deepcopy(BASE)
    fn(data)
    return dump(data).encode()


def row(data: dict[str, Any], t: int = 0, r: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = data["tables"][t]["rows"][r]
    return out


def set_pct_cell(value: Any) -> Callable[[dict[str, Any]], None]:
    def fn(data: dict[str, Any]) -> None:
        t, r, c = PCT
        data["tables"][t]["rows"][r]["cells"][c] = value

    return fn


def rename(d: dict[str, Any], old: str, new: str) -> None:
    d[new] = d.pop(old)


PCT_ROW = f"row {PCT[1]}"
PCT_FIELD = f"field 'cells.{PCT[2]}'"

#: id -> (file content, substrings every reported line must hold between them)
CASES: dict[str, tuple[bytes, list[str]]] = {
    "malformed_yaml": (b"key: [unclosed\ntitle: x\n", ["line 2", "malformed YAML"]),
    "tab_indentation": (TEXT.replace("  - id:", "\t- id:", 1).encode(), ["line", "malformed YAML"]),
    "missing_field": (
        edit(lambda d: row(d).pop("model")),
        [T0_NAME, "row 0", "field 'model'", "missing; expected this required field"],
    ),
    "missing_top_field": (edit(lambda d: d.pop("read_from")), ["field 'read_from'", "missing"]),
    "misspelled_field": (
        edit(lambda d: rename(d["tables"][0]["columns"][0], "metric", "metirc")),
        [T0_NAME, "column 0", "field 'metirc'", "did you mean 'metric'?", "expected one of"],
    ),
    "misspelled_row_field": (
        edit(lambda d: rename(row(d), "cells", "cels")),
        [T0_NAME, "row 0", "field 'cels'", "did you mean 'cells'?"],
    ),
    "wrong_type_year": (
        edit(lambda d: d.__setitem__("year", "2021")),
        ["field 'year'", "is text; expected a whole number"],
    ),
    "wrong_type_bool": (
        edit(lambda d: d["tables"][0]["columns"][0].__setitem__("higher_is_better", "yes")),
        [T0_NAME, "column 0", "field 'higher_is_better'", "expected true or false"],
    ),
    "wrong_type_cells": (
        edit(lambda d: row(d).__setitem__("cells", [1.0, 2.0])),
        [T0_NAME, "row 0", "field 'cells'", "expected a mapping"],
    ),
    "wrong_type_date": (
        TEXT.replace("year: 2021", "year: 2021-05-01").encode(),
        ["field 'year'", "expected a whole number"],
    ),
    "unknown_model": (
        edit(lambda d: row(d).__setitem__("model", "HyperNet-9000")),
        [T0_NAME, "row 0 ('HyperNet-9000')", "field 'model'", "unknown model spelling"],
    ),
    "unknown_model_family": (
        edit(lambda d: row(d).update(model="HyperNet", canonical_model="HyperNet", family="CNN")),
        [T0_NAME, "row 0", "field 'family'", "expected one of LNN, RNN, other"],
    ),
    "unknown_metric": (
        edit(lambda d: d["tables"][PCT[0]]["columns"][0].__setitem__("metric", "wibble")),
        [PCT_TABLE, "column 0", "field 'metric'", "unknown metric 'wibble'", "metric_family"],
    ),
    "unknown_unit": (
        edit(lambda d: d["tables"][0]["columns"][0].__setitem__("unit", "furlongs")),
        [T0_NAME, "column 0", "field 'unit'", "expected one of percent"],
    ),
    "negative_spread": (
        edit(set_pct_cell([50.0, -1.0])),
        [PCT_TABLE, PCT_ROW, PCT_FIELD, "spread -1.0 is negative", "spread >= 0"],
    ),
    "percent_above_100": (
        edit(set_pct_cell([150.0, 1.0])),
        [PCT_TABLE, PCT_ROW, PCT_FIELD, "outside -100..100", "expected a percentage"],
    ),
    "nan_value": (
        TEXT.replace(
            f"{PCT[2]}: [", f"{PCT[2]}: [.nan, 0.1] #", 1
        ).encode(),  # first occurrence is the row found
        [PCT_TABLE, "field 'cells.", "not a finite number", "expected a finite value"],
    ),
    "nan_spread": (
        edit(set_pct_cell([50.0, float("nan")])),
        [PCT_TABLE, PCT_ROW, PCT_FIELD, "not a finite number"],
    ),
    "infinite_value": (edit(set_pct_cell(float("inf"))), [PCT_FIELD, "not a finite number"]),
    "empty_value": (
        edit(set_pct_cell(None)),
        [
            PCT_TABLE,
            PCT_ROW,
            PCT_FIELD,
            "None is not a cell",
            "expected a number or [value, spread]",
        ],
    ),
    "empty_string_value": (edit(set_pct_cell("")), [PCT_FIELD, "'' is not a cell"]),
    "text_value": (edit(set_pct_cell("64.5 ± 0.3")), [PCT_FIELD, "is not a cell"]),
    "three_numbers": (edit(set_pct_cell([1, 2, 3])), [PCT_FIELD, "is not a cell"]),
    "huge_integer": (edit(set_pct_cell(10**400)), [PCT_FIELD, "too large for a float"]),
    "empty_model": (
        edit(lambda d: row(d).__setitem__("model", "")),
        [T0_NAME, "row 0", "field 'model'", "too short"],
    ),
    "blank_model": (
        edit(lambda d: row(d).update(model="   ", canonical_model="X", family="RNN")),
        [T0_NAME, "row 0", "field 'model'", "is blank"],
    ),
    "empty_title": (
        edit(lambda d: d.__setitem__("title", None)),
        ["field 'title'", "expected text"],
    ),
    "duplicate_row": (
        edit(lambda d: d["tables"][0]["rows"].append(copy.deepcopy(row(d)))),
        [T0_NAME, f"row {len(T0['rows'])}", "field 'model'", "duplicate of row 0"],
    ),
    "duplicate_table_id": (
        edit(lambda d: d["tables"][1].__setitem__("id", d["tables"][0]["id"])),
        ["field 'id'", "duplicate table id", "expected ids unique"],
    ),
    "duplicate_column_id": (
        edit(lambda d: d["tables"][0]["columns"].append(copy.deepcopy(T0["columns"][0]))),
        [T0_NAME, f"column {len(T0['columns'])}", "field 'id'", "duplicate column id"],
    ),
    "duplicate_key": ((TEXT + "\ntitle: again\n").encode(), ["duplicate key 'title'", "line"]),
    "cell_without_column": (
        edit(lambda d: row(d)["cells"].__setitem__("no_such_column", 1.0)),
        [
            T0_NAME,
            "row 0",
            "field 'cells.no_such_column'",
            "no column 'no_such_column'",
            "expected one of",
        ],
    ),
    "n_params_too_large": (
        edit(lambda d: row(d).__setitem__("n_params", 10**30)),
        [T0_NAME, "row 0", "field 'n_params'", "too large"],
    ),
    "key_not_file_name": (
        edit(lambda d: d.__setitem__("key", "other2020")),
        ["field 'key'", "expected 'hasani2021ltc'"],
    ),
    "non_utf8": (
        TEXT.encode().replace(b"Liquid", b"Liq\xe9id", 1),
        ["line 3", "not UTF-8", "expected UTF-8"],
    ),
    "utf16": (TEXT.encode("utf-16"), ["line 1", "not UTF-8"]),
    "nul_character": (
        TEXT.replace("Liquid", "Liq\x00uid", 1).encode(),
        ["line 3", "character U+0000 is not allowed"],
    ),
    "enormous": (b"# " + b"x" * (MAX_BYTES + 1), ["bytes; expected at most"]),
    "python_object_tag": (
        b"!!python/object/apply:os.system ['echo pwned']\n",
        ["line 1", "malformed YAML", "python/object/apply:os.system"],
    ),
    "python_tag_in_field": (
        TEXT.replace(
            "title: Liquid", "title: !!python/object/apply:os.system ['echo x'] #", 1
        ).encode(),
        ["line 3", "python/object/apply:os.system"],
    ),
    "invalid_date": (
        TEXT.replace("year: 2021", "year: 2021-13-45").encode(),
        ["line 5", "'2021-13-45' cannot be read as timestamp (month must be in 1..12)"],
    ),
    "unhashable_key": (b"? [a, b]\n: 1\n", ["line 1", "a list cannot be a key"]),
    "bad_int_tag": (b"year: !!int twenty\n", ["line 1", "'twenty' cannot be read as int"]),
    "empty_file": (b"", ["the file is empty"]),
    "list_at_top": (b"- a\n- b\n", ["top level", "expected a mapping"]),
    "alias_bomb": (
        b"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + b"".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n".encode()
            for p, n in zip("abcdef", "bcdefg", strict=True)
        )
        + b"authors: *g\n",
        ["expands to more than"],
    ),
    "recursive_alias": (b"authors: &a [*a]\n", ["recursive aliases"]),
    "deep_nesting": (b"title: " + b"[" * 5000 + b"]" * 5000 + b"\n", ["nesting"]),
}


def write(paper_dir: Path, content: bytes) -> Path:
    p = paper_dir / BASE_PAPER.name
    p.write_bytes(content)
    return p


@pytest.mark.parametrize("kind", list(CASES))
def test_bad_literature_file_gives_one_clear_line(kind: str, paper_dir: Path) -> None:
    content, expected = CASES[kind]
    path = write(paper_dir, content)
    with pytest.raises(InputError) as info:
        load_paper(path)
    lines = info.value.problems
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"{path}: "), line
    assert "\n" not in line and "Traceback" not in line
    assert "expected" in line, line
    for part in expected:
        assert part in line, f"{part!r} not in {line!r}"
    assert len(line) < 600


@pytest.mark.parametrize(
    "kind", ["missing_field", "percent_above_100", "python_object_tag", "non_utf8"]
)
def test_ingest_writes_nothing_and_lists_every_bad_file(
    kind: str, tmp_path: Path, paper_dir: Path
) -> None:
    """A folder with good files and two bad ones: both are reported; no table is written."""
    for good in LITERATURE.glob("*.yaml"):
        if good.name != BASE_PAPER.name:
            (paper_dir / good.name).write_bytes(good.read_bytes())
    bad1 = write(paper_dir, CASES[kind][0])
    bad2 = paper_dir / "lechner2020ncp.yaml"
    bad2.write_text(bad2.read_text().replace("metric: mse", "metric: 5", 1))
    out = tmp_path / "results" / "reported.parquet"
    with pytest.raises(InputError) as info:
        ingest_literature(paper_dir, out)
    files = {line.split(": ", 1)[0] for line in info.value.problems}
    assert files == {str(bad1), str(bad2)}
    assert not out.exists() and not out.parent.exists()


def test_yml_extension_is_reported_not_ignored(paper_dir: Path) -> None:
    (paper_dir / "hasani2021ltc.yml").write_bytes(BASE_PAPER.read_bytes())
    with pytest.raises(
        InputError, match=r"hasani2021ltc\.yml: ignored file name; expected the extension \.yaml"
    ):
        load_literature(paper_dir)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="literature folder does not exist"):
        load_literature(tmp_path / "nope")


def test_every_curated_file_still_loads() -> None:
    df, papers = load_literature(LITERATURE)
    assert len(papers) >= 4 and len(df) > 100


def test_strings_are_data_never_code(paper_dir: Path, tmp_path: Path) -> None:
    """Code-like text in any string is stored as text; nothing is evaluated."""
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}') {{{{ 7*7 }}}} ${{HOME}} `touch {marker}`"

    def fn(d: dict[str, Any]) -> None:
        d["title"] = payload
        d["tables"][0]["caption"] = payload
        row(d)["note"] = payload

    path = write(paper_dir, edit(fn))
    paper = load_paper(path)
    assert paper.data["title"] == payload
    assert {r["caption"] for r in paper.rows if r["table_id"] == T0["id"]} == {payload}
    assert not marker.exists()
