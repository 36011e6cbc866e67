"""Load, validate and normalize the literature files (one YAML file per paper).

Every problem is reported as one line naming the file, the table, the row and the field, what is
wrong and what was expected. :func:`load_literature` collects the problems of all files and raises
one :class:`~lnnmeta.errors.InputError` listing them, before anything is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from lnnmeta.errors import InputError
from lnnmeta.literature.vocabulary import (
    METRIC_FAMILY,
    PERCENT_METRICS,
    TIME_SCALE,
    canonical_model,
)
from lnnmeta.tables import REPORTED
from lnnmeta.yamlio import load_yaml


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


def _where(data: Any, path: list[str | int]) -> str:
    """Human-readable location of a JSON path inside a paper document."""
    parts: list[str] = []
    node = data
    i = 0
    while i < len(path):
        key = path[i]
        if key == "tables" and i + 1 < len(path) and isinstance(node, dict):
            idx = path[i + 1]
            tables = node.get("tables") or []
            tab = tables[idx] if isinstance(idx, int) and idx < len(tables) else {}
            label = tab.get("id") if isinstance(tab, dict) else None
            loc = tab.get("location") if isinstance(tab, dict) else None
            parts.append(
                f"table {label!r}" + (f" ({loc})" if loc else "") if label else f"table #{idx}"
            )
            node, i = tab, i + 2
            continue
        if key in ("rows", "columns") and i + 1 < len(path) and isinstance(node, dict):
            idx = path[i + 1]
            items = node.get(key) or []
            item = items[idx] if isinstance(idx, int) and idx < len(items) else {}
            name = (
                (item.get("model") if key == "rows" else item.get("id"))
                if isinstance(item, dict)
                else None
            )
            kind = "row" if key == "rows" else "column"
            parts.append(f"{kind} {idx}" + (f" ({name!r})" if name else ""))
            node, i = item, i + 2
            continue
        rest = ".".join(str(p) for p in path[i:])
        parts.append(f"field {rest!r}")
        break
    return ", ".join(parts) if parts else "top level"


def _schema_problems(data: Any, path: Path) -> list[str]:
    validator = jsonschema.Draft202012Validator(literature_schema())
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = _where(data, list(err.absolute_path))
        problems.append(f"{path}: {where}: {_explain(err)}")
    return problems


def _explain(err: jsonschema.ValidationError) -> str:
    """Turn a jsonschema error into 'what is wrong; expected what'."""
    v = err.validator
    if v == "required":
        return f"{err.message}; add the field"
    if v == "additionalProperties":
        schema = err.schema if isinstance(err.schema, dict) else {}
        allowed = sorted((schema.get("properties") or {}).keys())
        hint = f"; expected only: {', '.join(allowed)}" if allowed else ""
        return f"{err.message}{hint}"
    if v == "enum":
        options = err.validator_value if isinstance(err.validator_value, list) else []
        return f"{err.instance!r} is not allowed; expected one of {', '.join(map(str, options))}"
    if v == "oneOf" and err.path and isinstance(err.instance, (list, dict, str, bool, type(None))):
        return (
            f"{err.instance!r} is not a cell; expected a number or [value, spread] with spread >= 0"
        )
    if v == "type":
        return f"{err.instance!r} has the wrong type; expected {err.validator_value}"
    return err.message


def _semantic_problems(data: dict[str, Any], path: Path) -> list[str]:
    """Checks the schema cannot express: cells vs columns, units, duplicates, finiteness, key."""
    out: list[str] = []
    if data.get("key") != path.stem:
        out.append(
            f"{path}: field 'key': {data.get('key')!r} differs from the file name; expected {path.stem!r}"
        )
    seen_tables: set[str] = set()
    for table in data.get("tables", []):
        tname = f"table {table['id']!r} ({table['location']})"
        if table["id"] in seen_tables:
            out.append(f"{path}: {tname}: duplicate table id; expected ids unique in the file")
        seen_tables.add(table["id"])
        columns = {c["id"]: c for c in table["columns"]}
        if len(columns) != len(table["columns"]):
            out.append(f"{path}: {tname}: duplicate column id; expected ids unique in the table")
        for c in table["columns"]:
            if c["metric"] not in METRIC_FAMILY and "metric_family" not in c:
                out.append(
                    f"{path}: {tname}, column {c['id']!r}, field 'metric': unknown metric {c['metric']!r}; "
                    f"expected one of {', '.join(sorted(METRIC_FAMILY))} or a 'metric_family'"
                )
        seen_rows: dict[tuple[Any, ...], int] = {}
        for r_idx, row in enumerate(table["rows"]):
            rname = f"{tname}, row {r_idx} ({row['model']!r})"
            sig = (row["model"], row.get("n_params"), row.get("note"), row.get("copied_from"))
            if sig in seen_rows:
                out.append(
                    f"{path}: {rname}: duplicate of row {seen_rows[sig]}; expected each model once per "
                    "table (tell variants apart with 'note' or 'n_params')"
                )
            seen_rows[sig] = r_idx
            if canonical_model(row["model"]) is None and not (
                "canonical_model" in row and "family" in row
            ):
                out.append(
                    f"{path}: {rname}, field 'model': unknown model spelling {row['model']!r}; "
                    "expected a known model or 'canonical_model' and 'family' on the row"
                )
            for col_id, cell in row["cells"].items():
                out.extend(_cell_problems(path, rname, col_id, cell, columns))
    return out


def _cell_problems(
    path: Path, rname: str, col_id: str, cell: Any, columns: dict[str, dict[str, Any]]
) -> list[str]:
    where = f"{path}: {rname}, field 'cells.{col_id}'"
    if col_id not in columns:
        return [
            f"{where}: no column {col_id!r} in this table; expected one of {', '.join(columns)}"
        ]
    value, spread = (cell[0], cell[1]) if isinstance(cell, list) else (cell, None)
    nums = [x for x in (value, spread) if x is not None]
    if any(isinstance(x, float) and not math.isfinite(x) for x in nums):
        return [f"{where}: {cell!r} is not a finite number; expected a finite value"]
    col = columns[col_id]
    if col["unit"] == "percent" and not -100.0 <= float(value) <= 100.0:
        return [
            f"{where}: {value!r} is outside -100..100 but the column's unit is percent; expected a percentage"
        ]
    if (
        col["unit"] == "fraction"
        and col["metric"] in PERCENT_METRICS
        and not 0.0 <= float(value) <= 1.0
    ):
        return [
            f"{where}: {value!r} is outside 0..1 but the column's unit is fraction; expected a fraction"
        ]
    return []


def _scale(metric: str, unit: str) -> tuple[float, str]:
    """Factor from the recorded unit to the canonical unit, and the canonical unit."""
    if metric in PERCENT_METRICS and unit == "fraction":
        return 100.0, "percent"
    if unit in TIME_SCALE:
        return TIME_SCALE[unit], "seconds"
    return 1.0, unit


def normalize(data: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    """One normalized row (REPORTED schema) per cell of a validated paper."""
    citation = short_citation(data)
    rows: list[dict[str, Any]] = []
    for table in data["tables"]:
        columns = {c["id"]: c for c in table["columns"]}
        for r_idx, row in enumerate(table["rows"]):
            known = canonical_model(row["model"])
            model = row.get("canonical_model") or (known[0] if known else row["model"])
            family = row.get("family") or (known[1] if known else "other")
            for col_id, cell in row["cells"].items():
                col = columns[col_id]
                value, spread = (cell[0], cell[1]) if isinstance(cell, list) else (cell, None)
                factor, unit = _scale(col["metric"], col["unit"])
                spread_kind = col.get(
                    "spread_kind", table.get("spread_kind", "none" if spread is None else "std")
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
                        "n_runs": col.get("n_runs", table.get("n_runs")),
                        "n_params": row.get("n_params"),
                        "copied_from": row.get("copied_from"),
                        "note": row.get("note"),
                        "source": f"{citation}, {table['location']}, row {row['model']!r}, "
                        f"column {col.get('dataset', col_id)!r}",
                    }
                )
    return rows


def load_paper(path: str | Path) -> Paper:
    """Load, validate and normalize one literature file; raises :class:`InputError`."""
    p = Path(path)
    data = load_yaml(p)
    if not isinstance(data, dict):
        raise InputError(
            f"{p}: top level is {type(data).__name__}; expected a mapping (see config/literature/README.md)"
        )
    problems = _schema_problems(data, p)
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
    papers: list[Paper] = []
    problems: list[str] = []
    for f in literature_files(directory):
        try:
            papers.append(load_paper(f))
        except InputError as exc:
            problems.extend(exc.problems)
    if not papers and not problems:
        problems.append(f"{directory}: no literature files (*.yaml); expected at least one paper")
    if problems:
        raise InputError(problems)
    rows = [r for p in papers for r in p.rows]
    df = pd.DataFrame(rows, columns=REPORTED.names)
    return df, papers
