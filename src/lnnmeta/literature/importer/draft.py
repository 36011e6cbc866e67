"""Write a draft table as a literature YAML block, with every undecided field left as ``TODO``.

The block is text (so that it can carry comments and keep the printed digits: ``100.00`` stays
``100.00``), checked by loading it back: what YAML reads from it must equal the intended data, or
nothing is written. A new paper file gets a skeleton around the block; an existing one gets the
block appended to its ``tables`` list, checked the same way. Files are written atomically.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from lnnmeta.atomic import write_text
from lnnmeta.errors import InputError
from lnnmeta.literature.importer.cells import STYLE_MARKS, Cell
from lnnmeta.literature.importer.grid import Draft, DraftColumn, DraftRow
from lnnmeta.literature.vocabulary import canonical_model
from lnnmeta.yamlio import load_yaml

#: The value of every field the importer cannot decide; ``lnnmeta validate`` refuses it.
TODO = "TODO"


def _scalar(value: Any) -> str:
    """``value`` as a one-line YAML scalar (quoted only when needed)."""
    if value is None:
        return "null"
    text = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=1 << 30)
    return text.strip()[1:-1]


def _number(text: str) -> int | float:
    d = Decimal(text)
    if d == d.to_integral_value() and not any(c in text for c in ".eE"):
        return int(d)
    return float(d)


def _token(text: str) -> str:
    """The printed digits when YAML reads them back as the same number, else Python's spelling."""
    want = _number(text)
    try:
        got = yaml.safe_load(text)
    except yaml.YAMLError:
        got = None
    if isinstance(got, int | float) and not isinstance(got, bool) and got == want:
        return text
    return repr(want)


def cell_value(cell: Cell) -> int | float | list[int | float]:
    """A cell as the literature format holds it: a number or ``[value, spread]``."""
    v = _number(cell.value)
    return v if cell.spread is None else [v, _number(cell.spread)]


def _cell_text(cell: Cell) -> str:
    v = _token(cell.value)
    text = v if cell.spread is None else f"[{v}, {_token(cell.spread)}]"
    canonical = cell.value if cell.spread is None else f"{cell.value}±{cell.spread}"
    same = cell.printed.replace(" ", "").rstrip("%") == canonical.replace("%", "")
    return text + ("" if same else f"  # printed {cell.printed!r}")


def _number_format(col: DraftColumn, rows: list[DraftRow]) -> str | None:
    formats = {r.cells[col.id].number_format for r in rows if col.id in r.cells}
    return next(iter(formats)) if len(formats) == 1 else None


def _column(col: DraftColumn, rows: list[DraftRow]) -> tuple[dict[str, Any], list[str]]:
    unit_note = f"header or cells print {col.unit_hint}; " if col.unit_hint else ""
    hib_note = f"header prints {col.arrow}; " if col.arrow else ""
    data: dict[str, Any] = {
        "id": col.id,
        "task": TODO,
        "dataset": col.header or TODO,
        "metric": TODO,
        "unit": TODO,
        "higher_is_better": TODO,
        "dimension": TODO,
    }
    comments = {
        "task": "snake_case, the same name across papers",
        "dataset": "header as printed",
        "metric": "accuracy, error_rate, mse, ... (config/literature/README.md)",
        "unit": unit_note + "what the values really are; header_unit if the header claims another",
        "higher_is_better": hib_note + "true or false",
        "dimension": "accuracy | efficiency | generalization",
    }
    lines = [f"- id: {_scalar(col.id)}"] + [
        f"  {k}: {_scalar(data[k])}  # {comments[k]}" for k in list(data)[1:]
    ]
    fmt = _number_format(col, rows)
    if fmt:
        data["number_format"] = fmt
        lines.append(f"  number_format: {fmt}  # as printed")
    return data, lines


def _symbols(marks: tuple[str, ...]) -> list[str]:
    return [m for m in marks if m not in STYLE_MARKS]


def _row_note(row: DraftRow) -> str | None:
    """Notes read from the table, and the cell marks the format has no field for."""
    notes = list(row.notes)
    styled = [m for m in STYLE_MARKS if m != "bold"]
    for mark in styled:
        cols = [k for k, c in row.cells.items() if mark in c.marks]
        if cols:
            notes.append(
                f"printed {'underlined' if mark == 'underline' else mark}: {', '.join(cols)}"
            )
    marked = [
        f"{k} {''.join(_symbols(c.marks))}" for k, c in row.cells.items() if _symbols(c.marks)
    ]
    if marked:
        notes.append(f"cells printed with marks: {', '.join(marked)}")
    styles = [m for m in row.marks if m in STYLE_MARKS]
    if styles:
        notes.append(f"model name printed {' and '.join(styles)}")
    return "; ".join(notes) or None


def _row(row: DraftRow) -> tuple[dict[str, Any], list[str]]:
    data: dict[str, Any] = {"model": row.model}
    lines = [f"- model: {_scalar(row.model)}"]
    if canonical_model(row.model) is None:
        data.update(canonical_model=TODO, family=TODO)
        lines += [
            f"  canonical_model: {TODO}  # spelling unknown to lnnmeta: the model's usual name",
            f"  family: {TODO}  # LNN, RNN or other",
        ]
    why = []
    if _symbols(row.marks):
        why.append(f"printed with {' '.join(_symbols(row.marks))}")
    if row.cites:
        why.append(f"cites {', '.join(row.cites)}")
    data["copied_from"] = TODO
    lines.append(
        f"  copied_from: {TODO}  # "
        + (
            "; ".join(why) + ": the source it was copied from, or null"
            if why
            else "no mark printed: null unless the paper says it was copied"
        )
    )
    note = _row_note(row)
    if note:
        data["note"] = note
        lines.append(f"  note: {_scalar(note)}")
    bold = [k for k, c in row.cells.items() if "bold" in c.marks]
    if bold:
        data["bold"] = bold
        lines.append(f"  bold: {_scalar(bold)}  # printed in bold")
    data["cells"] = {k: cell_value(c) for k, c in row.cells.items()}
    lines.append("  cells:")
    lines += [f"    {k}: {_cell_text(c)}" for k, c in row.cells.items()]
    return data, lines


def _copied_marks(draft: Draft) -> dict[str, str]:
    """One ``copied_marks`` entry per mark printed on model names, keyed by a TODO for its source."""
    marks = dict.fromkeys(m for r in draft.rows for m in _symbols(r.marks))
    return {f"{TODO}: source of the rows marked {m}": m for m in marks}


def render(draft: Draft, indent: str = "  ") -> tuple[dict[str, Any], str]:
    """The table block as intended data and as YAML text (a list item under ``tables:``)."""
    has_spread = any(c.spread is not None for r in draft.rows for c in r.cells.values())
    data: dict[str, Any] = {
        "id": draft.table_id,
        "location": draft.location,
        "caption": draft.caption or TODO,
        "n_runs": TODO,
        "spread_kind": TODO if has_spread else "none",
        "note": f"Imported by lnnmeta import-table from {draft.source.name}, line {draft.line}.",
    }
    lines = [
        f"- id: {_scalar(draft.table_id)}",
        f"  location: {_scalar(draft.location)}",
        f"  caption: {_scalar(data['caption'])}"
        + ("" if draft.caption else "  # the paper's caption, verbatim or shortened"),
        f"  n_runs: {TODO}  # runs behind each value; null when the paper does not say",
        f"  spread_kind: {_scalar(data['spread_kind'])}"
        + ("  # std | sem | ci95 | range | unstated (caption names none)" if has_spread else ""),
        f"  note: {_scalar(data['note'])}",
    ]
    if draft.orientation != "models_as_rows":
        data["orientation"] = draft.orientation
        lines.append(f"  orientation: {draft.orientation}  # as printed")
    copied = _copied_marks(draft)
    if copied:
        data["copied_marks"] = copied
        lines.append(
            "  copied_marks:  # the copied_from of the marked rows; drop a mark that is no copy mark"
        )
        lines += [f"    {_scalar(k)}: {_scalar(v)}" for k, v in copied.items()]
    data["columns"] = []
    lines.append("  columns:")
    for col in draft.columns:
        d, ls = _column(col, draft.rows)
        data["columns"].append(d)
        lines += ["    " + x for x in ls]
    data["rows"] = []
    lines.append("  rows:")
    for row in draft.rows:
        d, ls = _row(row)
        data["rows"].append(d)
        lines += ["    " + x for x in ls]
    text = "\n".join(indent + x for x in lines) + "\n"
    _check_same(yaml.safe_load("tables:\n" + text)["tables"][0], data)
    return data, text


def _check_same(got: Any, want: Any) -> None:
    if not _equal(got, want):  # pragma: no cover - a bug in this module, not in the input
        raise AssertionError(f"draft YAML does not read back as intended: {got!r} != {want!r}")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return not isinstance(b, bool) and (a == b or (math.isnan(a) and math.isnan(b)))
    return type(a) is type(b) and bool(a == b)


def _skeleton(draft: Draft) -> tuple[dict[str, Any], str]:
    head = {
        "schema_version": 1,
        "key": draft.paper,
        "title": TODO,
        "authors": [TODO],
        "year": TODO,
        "read_from": TODO,
        "unreadable_tables": [],
    }
    text = (
        "# Draft written by `lnnmeta import-table`: fill every TODO (`lnnmeta validate` refuses them),\n"
        "# add the paper's entry to references.bib, and see config/literature/README.md.\n"
        "schema_version: 1\n"
        f"key: {draft.paper}\n"
        f"title: {TODO}\n"
        f"authors: [{TODO}]  # as printed, first author first\n"
        f"year: {TODO}\n"
        f"read_from: {TODO}  # which text the numbers were read from (version, source file)\n"
        "unreadable_tables: []\n"
        "tables:\n"
    )
    return head, text


def _tables_indent(text: str) -> str:
    """The indentation of the list items under the last top-level ``tables:`` key."""
    lines = text.splitlines()
    starts = [i for i, x in enumerate(lines) if x.rstrip() == "tables:"]
    for x in lines[starts[-1] + 1 :] if starts else []:
        stripped = x.lstrip(" ")
        if stripped.startswith("- "):
            return x[: len(x) - len(stripped)]
    return "  "


def write_draft(draft: Draft, output: Path) -> str:
    """Write ``draft`` to ``output``: a new paper file, or appended to the paper's existing file.

    Returns what was done, in one line. Raises :class:`InputError` (and writes nothing) when the
    existing file is not this paper's, already has the table id, or cannot take the block.
    """
    if not output.exists():
        head, text = _skeleton(draft)
        table, block = render(draft)
        full = text + block
        _check_same(yaml.safe_load(full), {**head, "tables": [table]})
        write_text(output, full)
        return f"wrote {output}: new paper {draft.paper!r} with table {draft.table_id!r}"
    existing = load_yaml(output)
    if not isinstance(existing, dict) or existing.get("key") != draft.paper:
        raise InputError(
            f"{output}: is not the literature file of {draft.paper!r}; expected its key to be "
            f"{draft.paper!r} (or a new file name)"
        )
    tables = existing.get("tables")
    if not isinstance(tables, list) or list(existing)[-1] != "tables":
        raise InputError(
            f"{output}: 'tables' is not the last key or not a list; expected the tables block "
            "at the end of the file (paste the draft by hand)"
        )
    if any(isinstance(t, dict) and t.get("id") == draft.table_id for t in tables):
        raise InputError(
            f"{output}: already has a table {draft.table_id!r}; expected a new id (--table-id)"
        )
    old = output.read_text(encoding="utf-8")
    table, block = render(draft, _tables_indent(old))
    full = old.rstrip("\n") + "\n" + block
    try:
        ok = yaml.safe_load(full)["tables"] == [*tables, table]
    except (yaml.YAMLError, KeyError, TypeError):
        ok = False
    if not ok:
        raise InputError(
            f"{output}: the draft cannot be appended to its tables list; expected a block-style "
            "'tables:' list at the end of the file (paste the draft by hand)"
        )
    write_text(output, full)
    return f"appended table {draft.table_id!r} to {output}"
