"""Load, validate and normalize the literature files (one YAML file per paper).

Every problem is reported as one line naming the file, the table, the row and the field, what is
wrong and what was expected. :func:`load_literature` collects the problems of all files and raises
one :class:`~lnnmeta.errors.InputError` listing them, before anything is written.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from lnnmeta.errors import InputError, one_line, schema_errors, short_repr
from lnnmeta.literature.vocabulary import (
    METRIC_FAMILY,
    PERCENT_METRICS,
    TIME_SCALE,
    canonical_model,
)
from lnnmeta.tables import REPORTED, write_table
from lnnmeta.yamlio import load_yaml, printed_text


@dataclass(frozen=True)
class Paper:
    """One curated paper: its file, its bibliographic data and its normalized rows."""

    path: Path
    data: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.data["key"])

    @property
    def citation(self) -> str:
        return short_citation(self.data)


def short_citation(data: dict[str, Any]) -> str:
    """'Hasani et al. 2021' from the authors and year."""
    authors = data.get("authors") or ["?"]
    last = str(authors[0]).split()[-1]
    more = (
        " et al."
        if len(authors) > 2
        else (f" & {str(authors[1]).split()[-1]}" if len(authors) == 2 else "")
    )
    return f"{last}{more} {data.get('year', '')}".strip()


@cache
def literature_schema() -> dict[str, Any]:
    """The JSON Schema of a literature file (shipped inside the package)."""
    text = resources.files("lnnmeta").joinpath("schemas/literature.schema.yaml").read_text("utf-8")
    schema: dict[str, Any] = yaml.safe_load(text)
    return schema


def _label(text: Any, limit: int = 40) -> str:
    """A location as printed in the paper, on one line and at most ``limit`` characters."""
    t = one_line(str(text))
    return t if len(t) <= limit else t[: limit - 3] + "..."


def _where(data: Any, path: list[str | int]) -> str:
    """Human-readable location of a JSON path inside a paper document."""
    parts: list[str] = []
    node = data
    i = 0
    while i < len(path):
        key = path[i]
        if key == "tables" and i + 1 < len(path) and isinstance(node, dict):
            idx = path[i + 1]
            tables = node.get("tables")
            tables = tables if isinstance(tables, list) else []
            tab = tables[idx] if isinstance(idx, int) and 0 <= idx < len(tables) else {}
            label = tab.get("id") if isinstance(tab, dict) else None
            loc = tab.get("location") if isinstance(tab, dict) else None
            parts.append(
                f"table {short_repr(label)}" + (f" ({_label(loc)})" if loc else "")
                if label
                else f"table #{idx}"
            )
            node, i = tab, i + 2
            continue
        if key in ("rows", "columns") and i + 1 < len(path) and isinstance(node, dict):
            idx = path[i + 1]
            items = node.get(key)
            items = items if isinstance(items, list) else []
            item = items[idx] if isinstance(idx, int) and 0 <= idx < len(items) else {}
            name = (
                (item.get("model") if key == "rows" else item.get("id"))
                if isinstance(item, dict)
                else None
            )
            kind = "row" if key == "rows" else "column"
            parts.append(f"{kind} {idx}" + (f" ({short_repr(name)})" if name else ""))
            node, i = item, i + 2
            continue
        rest = ".".join(str(p) for p in path[i:])
        parts.append(f"field {short_repr(rest)}")
        break
    return ", ".join(parts) if parts else "top level"


#: A value that ``lnnmeta import-table`` leaves for a curator: "TODO" or text starting with it.
_TODO = re.compile(r"^\s*TODO\b")


def todo_problems(data: Any, path: Path) -> list[str]:
    """One line per field still holding a TODO (a draft of ``lnnmeta import-table``), keys included."""
    out: list[str] = []

    def walk(node: Any, where: list[str | int]) -> None:
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else []
        )
        for key, value in items:
            here = _where(data, [*where, key])
            if isinstance(key, str) and _TODO.match(key):
                out.append(
                    f"{path}: {here}: the key is a TODO left by lnnmeta import-table; "
                    "expected the curator's value"
                )
            if isinstance(value, str) and _TODO.match(value):
                out.append(
                    f"{path}: {here}: is TODO (left by lnnmeta import-table); expected a "
                    "value read in the paper"
                )
            walk(value, [*where, key])

    walk(data, [])
    return out


def _schema_problems(data: Any, path: Path) -> list[str]:
    validator = jsonschema.Draft202012Validator(literature_schema())
    return [
        f"{path}: {_where(data, where)}: {msg}"
        for where, msg in schema_errors(validator, data, explain=_explain)
    ]


def _explain(err: jsonschema.ValidationError) -> list[tuple[list[str | int], str]] | None:
    """Messages for the one construct the generic explanations do not cover: a table cell."""
    p = list(err.absolute_path)
    if err.validator == "oneOf" and len(p) >= 2 and p[-2] == "cells":
        cell = err.instance
        if (
            isinstance(cell, list)
            and len(cell) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in cell)
            and cell[1] < 0
        ):
            return [
                (p, f"spread {cell[1]!r} is negative; expected [value, spread] with spread >= 0")
            ]
        return [
            (
                p,
                f"{short_repr(cell)} is not a cell; expected a number or [value, spread] "
                "with spread >= 0 (omit a cell the paper leaves empty)",
            )
        ]
    return None


#: Largest integer a count column (n_params, n_runs) may hold (int64).
_INT64_MAX = 2**63 - 1


def _number(x: Any) -> float | None:
    """``x`` as a finite float, or ``None`` when it is not finite or too large for a float."""
    try:
        f = float(x)
    except (OverflowError, TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _blank(x: Any) -> bool:
    return isinstance(x, str) and not x.strip()


def _semantic_problems(data: dict[str, Any], path: Path) -> list[str]:
    """Checks the schema cannot express: cells vs columns, units, duplicates, finiteness, key."""
    out: list[str] = []
    if data.get("key") != path.stem:
        out.append(
            f"{path}: field 'key': {short_repr(data.get('key'))} differs from the file name; "
            f"expected {path.stem!r}"
        )
    for name in ("title", "read_from"):
        if _blank(data.get(name)):
            out.append(f"{path}: field {name!r}: is blank; expected text")
    for i, author in enumerate(data.get("authors", [])):
        if _blank(author):
            out.append(f"{path}: field 'authors.{i}': is blank; expected a name")
    seen_tables: set[str] = set()
    for table in data.get("tables", []):
        tname = f"table {table['id']!r} ({_label(table['location'])})"
        if table["id"] in seen_tables:
            out.append(
                f"{path}: {tname}, field 'id': duplicate table id; expected ids unique in the file"
            )
        seen_tables.add(table["id"])
        for name in ("location", "caption"):
            if _blank(table[name]):
                out.append(f"{path}: {tname}, field {name!r}: is blank; expected text")
        if table.get("n_runs") is not None and table["n_runs"] > _INT64_MAX:
            out.append(f"{path}: {tname}, field 'n_runs': too large; expected a run count")
        columns: dict[str, dict[str, Any]] = {}
        for c_idx, c in enumerate(table["columns"]):
            cname = f"{tname}, column {c_idx} ({c['id']!r})"
            if c["id"] in columns:
                out.append(
                    f"{path}: {cname}, field 'id': duplicate column id; expected ids unique in the table"
                )
            columns.setdefault(c["id"], c)
            if c["metric"] not in METRIC_FAMILY and "metric_family" not in c:
                out.append(
                    f"{path}: {cname}, field 'metric': unknown metric {c['metric']!r}; "
                    f"expected one of {', '.join(sorted(METRIC_FAMILY))} or a 'metric_family' "
                    "(score, error or cost) on the column"
                )
            if c.get("n_runs") is not None and c["n_runs"] > _INT64_MAX:
                out.append(f"{path}: {cname}, field 'n_runs': too large; expected a run count")
        seen_rows: dict[tuple[Any, ...], int] = {}
        for r_idx, row in enumerate(table["rows"]):
            rname = f"{tname}, row {r_idx} ({short_repr(row['model'])})"
            sig = (row["model"], row.get("n_params"), row.get("note"), row.get("copied_from"))
            if sig in seen_rows:
                out.append(
                    f"{path}: {rname}, field 'model': duplicate of row {seen_rows[sig]}; expected "
                    "each model once per table (tell variants apart with 'note' or 'n_params')"
                )
            seen_rows.setdefault(sig, r_idx)
            for name in ("model", "canonical_model"):
                if _blank(row.get(name)):
                    out.append(f"{path}: {rname}, field {name!r}: is blank; expected a model name")
            if canonical_model(row["model"]) is None and not (
                "canonical_model" in row and "family" in row
            ):
                out.append(
                    f"{path}: {rname}, field 'model': unknown model spelling {short_repr(row['model'])}; "
                    "expected a known model or 'canonical_model' and 'family' (LNN, RNN or other) "
                    "on the row"
                )
            if row.get("n_params") is not None and row["n_params"] > _INT64_MAX:
                out.append(
                    f"{path}: {rname}, field 'n_params': too large; expected a parameter count"
                )
            for col_id, cell in row["cells"].items():
                out.extend(_cell_problems(path, rname, col_id, cell, columns))
            for b_idx, col_id in enumerate(row.get("bold", [])):
                if col_id not in row["cells"]:
                    out.append(
                        f"{path}: {rname}, field 'bold.{b_idx}': {short_repr(col_id)} names no cell "
                        f"of this row{_suggest(col_id, row['cells'])}; expected one of "
                        f"{', '.join(map(str, row['cells']))}"
                    )
    return out


def _cell_problems(
    path: Path, rname: str, col_id: Any, cell: Any, columns: dict[str, dict[str, Any]]
) -> list[str]:
    where = f"{path}: {rname}, field {short_repr(f'cells.{col_id}')}"
    if col_id not in columns:
        return [
            f"{where}: no column {short_repr(col_id)} in this table{_suggest(col_id, columns)}; "
            f"expected one of {', '.join(columns)}"
        ]
    raw_value, raw_spread = (cell[0], cell[1]) if isinstance(cell, list) else (cell, None)
    value = _number(raw_value)
    spread = None if raw_spread is None else _number(raw_spread)
    if value is None or (raw_spread is not None and spread is None):
        huge = any(
            isinstance(x, int) and not isinstance(x, bool) and _number(x) is None
            for x in (raw_value, raw_spread)
        )
        what = "holds a number too large for a float" if huge else "is not a finite number"
        return [f"{where}: {short_repr(cell)} {what}; expected a finite value"]
    col = columns[col_id]
    if col["unit"] == "percent" and not -100.0 <= value <= 100.0:
        return [
            f"{where}: {short_repr(raw_value)} is outside -100..100 but the column's unit is "
            "percent; expected a percentage"
        ]
    if col["unit"] == "fraction" and col["metric"] in PERCENT_METRICS and not 0.0 <= value <= 1.0:
        return [
            f"{where}: {short_repr(raw_value)} is outside 0..1 but the column's unit is fraction; "
            "expected a fraction"
        ]
    factor, _ = _scale(col["metric"], col["unit"])
    if not math.isfinite(value * factor) or (
        spread is not None and not math.isfinite(spread * factor)
    ):
        return [f"{where}: {short_repr(cell)} is too large; expected a finite value"]
    return []


def _suggest(name: Any, options: dict[str, Any]) -> str:
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _scale(metric: str, unit: str) -> tuple[float, str]:
    """Factor from the recorded unit to the canonical unit, and the canonical unit."""
    if metric in PERCENT_METRICS and unit == "fraction":
        return 100.0, "percent"
    if unit in TIME_SCALE:
        return TIME_SCALE[unit], "seconds"
    return 1.0, unit


#: Mark of a copied row whose table does not say which mark the paper prints.
DEFAULT_COPIED_MARK = "†"


def as_printed(x: Any, number_format: str = "plain") -> str | None:
    """A number as the paper prints it: the digits as typed in the YAML file (``0.10``), whole
    numbers in the column's format (``5,068,900``, ``26.2M``); ``None`` for ``None``."""
    if x is None:
        return None
    if isinstance(x, int) and not isinstance(x, bool):
        if number_format == "thousands":
            return f"{x:,}"
        if number_format == "si":
            for factor, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "K")):
                if abs(x) >= factor:
                    return f"{x / factor:.3g}{suffix}"
    return printed_text(x) or f"{float(x):g}"


def _copied_mark(table: dict[str, Any], row: dict[str, Any]) -> str | None:
    source = row.get("copied_from")
    if source is None:
        return None
    return str(table.get("copied_marks", {}).get(source, DEFAULT_COPIED_MARK))


def normalize(data: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    """One normalized row (REPORTED schema) per cell of a validated paper."""
    citation = short_citation(data)
    rows: list[dict[str, Any]] = []
    for table in data["tables"]:
        columns = {c["id"]: c for c in table["columns"]}
        col_index = {c_id: i for i, c_id in enumerate(columns)}
        orientation = table.get("orientation", "models_as_rows")
        for r_idx, row in enumerate(table["rows"]):
            bold = set(row.get("bold", []))
            mark = _copied_mark(table, row)
            known = canonical_model(row["model"])
            model = row.get("canonical_model") or (known[0] if known else row["model"])
            family = row.get("family") or (known[1] if known else "other")
            for col_id, cell in row["cells"].items():
                col = columns[col_id]
                value, spread = (cell[0], cell[1]) if isinstance(cell, list) else (cell, None)
                factor, unit = _scale(col["metric"], col["unit"])
                # A printed spread whose kind the file does not state is "unstated", never
                # assumed to be an SD (issue 13: LTC Table 2, Liquid-S4 Tables 2 and 4).
                spread_kind = col.get(
                    "spread_kind",
                    table.get("spread_kind", "none" if spread is None else "unstated"),
                )
                header = col.get("header_unit")
                rows.append(
                    {
                        "paper_key": data["key"],
                        "location": table["location"],
                        "table_id": table["id"],
                        "caption": table["caption"],
                        "column_id": col_id,
                        "row_index": r_idx,
                        "task": col["task"],
                        "dataset": col.get("dataset", col["task"]),
                        "metric": col["metric"],
                        "metric_family": col.get(
                            "metric_family", METRIC_FAMILY.get(col["metric"], "score")
                        ),
                        "dimension": col["dimension"],
                        "higher_is_better": bool(col["higher_is_better"]),
                        "unit": unit,
                        "unit_fixed_from": header if header and header != col["unit"] else None,
                        "model_as_printed": row["model"],
                        "model": model,
                        "family": family,
                        "value": float(value) * factor,
                        "value_as_printed": float(value),
                        "spread": None if spread is None else float(spread) * factor,
                        "spread_kind": spread_kind if spread is not None else "none",
                        "n_runs": _int_or_none(col.get("n_runs", table.get("n_runs"))),
                        "n_params": _int_or_none(row.get("n_params")),
                        "copied_from": row.get("copied_from"),
                        "note": row.get("note"),
                        "source": f"{citation}, {table['location']}, row {row['model']!r}, "
                        f"column {col.get('dataset', col_id)!r}",
                        "value_text": as_printed(value, col.get("number_format", "plain")),
                        "spread_text": as_printed(spread, col.get("number_format", "plain")),
                        "unit_as_printed": col["unit"],
                        "bold": col_id in bold,
                        "copied_mark": mark,
                        "column_index": col_index[col_id],
                        "orientation": orientation,
                    }
                )
    return rows


def _int_or_none(x: Any) -> int | None:
    return None if x is None else int(x)


def load_paper(path: str | Path) -> Paper:
    """Load, validate and normalize one literature file; raises :class:`InputError`."""
    p = Path(path)
    data = load_yaml(p, keep_printed=True)
    if data is None:
        raise InputError(
            f"{p}: the file is empty; expected one paper (see config/literature/README.md)"
        )
    if not isinstance(data, dict):
        raise InputError(
            f"{p}: top level is {short_repr(data)}; expected a mapping (see config/literature/README.md)"
        )
    problems = todo_problems(data, p) or _schema_problems(data, p)
    if problems:
        raise InputError(problems)
    problems = _semantic_problems(data, p)
    if problems:
        raise InputError(problems)
    return Paper(path=p, data=data, rows=normalize(data, p))


def literature_files(directory: str | Path) -> list[Path]:
    """The paper files of a literature folder, sorted (README and BibTeX excluded)."""
    return sorted(p for p in Path(directory).glob("*.yaml") if not p.name.startswith("."))


def load_literature(directory: str | Path) -> tuple[pd.DataFrame, list[Paper]]:
    """Load every paper of ``directory``; all problems of all files are raised together."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError(
            f"{folder}: literature folder does not exist; expected a folder of *.yaml files"
        )
    papers: list[Paper] = []
    problems: list[str] = [
        f"{p}: ignored file name; expected the extension .yaml"
        for p in sorted(folder.iterdir())
        if p.suffix.lower() in (".yml", ".yaml")
        and p.suffix != ".yaml"
        and not p.name.startswith(".")
    ]
    for f in literature_files(folder):
        try:
            papers.append(load_paper(f))
        except InputError as exc:
            problems.extend(exc.problems)
    if not papers and not problems:
        problems.append(f"{folder}: no literature files (*.yaml); expected at least one paper")
    if problems:
        raise InputError(problems)
    rows = [r for p in papers for r in p.rows]
    df = pd.DataFrame(rows, columns=REPORTED.names)
    return df, papers


def ingest_literature(literature_dir: str | Path, out: str | Path) -> pd.DataFrame:
    """Validate and normalize every literature file into ``reported.parquet``."""
    df, _ = load_literature(literature_dir)
    write_table(df, out, "reported")
    return df
