"""A printed table as a grid of cells, from any source format, turned into a draft table.

The readers (:mod:`.latex`, :mod:`.text`) produce a :class:`RawTable`: rows of :class:`RawCell`
with the text as printed, the formatting marks, spans and the line each cell was read from.
:func:`build_draft` expands the spans, checks the shape, splits header from body and model names
from values, and reads every value cell with :func:`~.cells.parse_cell`. Every problem is one
:class:`~lnnmeta.errors.InputError` line naming the source file and line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from lnnmeta.errors import InputError, short_repr
from lnnmeta.literature.importer.cells import Cell, CellError, parse_cell, split_marks


@dataclass(frozen=True)
class RawCell:
    """One printed cell: its text (markup removed), formatting marks, spans and source line."""

    text: str
    line: int
    style: tuple[str, ...] = ()
    colspan: int = 1
    rowspan: int = 1
    cites: tuple[str, ...] = ()
    #: set on the copies that fill the columns (or rows) a span covers
    spanned: bool = False


@dataclass(frozen=True)
class RawTable:
    """A printed table: its rows, the number of header rows when the source says it (a rule under
    the header), and its caption and label when the source has them."""

    source: Path
    line: int
    rows: list[list[RawCell]]
    header_rows: int | None = None
    caption: str | None = None
    label: str | None = None
    #: indices of the rows printed under a full-width rule (a rule ends a group of rows)
    rules_before: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DraftColumn:
    """A value column: its id, its header as printed and the unit the header or cells print."""

    id: str
    header: str
    line: int
    unit_hint: str | None = None
    arrow: str | None = None


@dataclass(frozen=True)
class DraftRow:
    """A model row: the printed name without marks, its marks, notes, citations and cells."""

    model: str
    line: int
    marks: tuple[str, ...] = ()
    cells: dict[str, Cell] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A draft table block: what was read; what was not decided is left to the curator."""

    paper: str
    table_id: str
    location: str
    source: Path
    line: int
    caption: str | None
    columns: list[DraftColumn]
    rows: list[DraftRow]
    orientation: str = "models_as_rows"


@dataclass(frozen=True)
class Layout:
    """How to read the grid: header rows and label columns (``None``: from the source or guessed
    from the content), and whether the paper prints models as columns."""

    header_rows: int | None = None
    label_columns: int | None = None
    models_as_columns: bool = False


_UNIT_WORDS: dict[str, str] = {
    "%": "percent",
    "percent": "percent",
    "s": "seconds",
    "sec": "seconds",
    "secs": "seconds",
    "second": "seconds",
    "seconds": "seconds",
    "ms": "milliseconds",
    "msec": "milliseconds",
    "milliseconds": "milliseconds",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "b": "bytes",
    "kb": "bytes",
    "mb": "bytes",
    "gb": "bytes",
    "bytes": "bytes",
}
_UNIT_IN_HEADER = re.compile(r"[(\[]\s*([A-Za-z%]+)\s*[)\]]|(%)")


def _err(source: Path, line: int, message: str) -> InputError:
    return InputError(f"{source}, line {line}: {message}")


def expand_spans(table: RawTable) -> list[list[RawCell]]:
    """The grid with every span filled: a ``\\multicolumn`` repeats its cell (marked ``spanned``)
    over the columns it covers, a ``\\multirow`` fills the empty cells below it."""
    grid: list[list[RawCell]] = []
    for row in table.rows:
        out: list[RawCell] = []
        for cell in row:
            out.append(cell)
            out += [replace(cell, spanned=True)] * (cell.colspan - 1)
        grid.append(out)
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell.rowspan > 1 and not cell.spanned:
                for below in grid[r + 1 : r + cell.rowspan]:
                    if c < len(below) and not below[c].text.strip():
                        below[c] = replace(cell, line=below[c].line, rowspan=1, spanned=True)
    width = len(grid[0])
    for row in grid[1:]:
        if len(row) != width:
            raise _err(
                table.source,
                row[0].line if row else table.line,
                f"row has {len(row)} cells but the first row has {width}; expected the same "
                "number of cells in every row (a span is written with \\multicolumn)",
            )
    return grid


def _numeric(cell: RawCell) -> bool:
    try:
        return parse_cell(cell.text) is not None
    except CellError:
        return False


def _label_columns(body: list[list[RawCell]], width: int) -> int:
    """Leading columns that hold no number in any body row (at least one, and one value column
    left)."""
    n = 1
    while n < width - 1 and not any(_numeric(row[n]) for row in body):
        n += 1
    return n


def slug(text: str, fallback: str) -> str:
    """An id ``[a-z0-9_]+`` from a header (ASCII, lower case); ``fallback`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:32].strip("_")
    return s or fallback


def unit_hint(header: str) -> str | None:
    """The unit a header prints, such as ``(%)`` or ``(min)``, as a literature unit name."""
    for m in _UNIT_IN_HEADER.finditer(header):
        word = (m.group(1) or m.group(2) or "").lower()
        if word in _UNIT_WORDS:
            return _UNIT_WORDS[word]
    return None


def _columns(header: list[list[RawCell]], first: int, width: int) -> list[DraftColumn]:
    cols: list[DraftColumn] = []
    seen: set[str] = set()
    for j in range(first, width):
        parts: list[str] = []
        for row in header:
            t = " ".join(row[j].text.split())
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        text = " / ".join(parts)
        base = slug(text, f"c{j + 1}")
        cid, k = base, 2
        while cid in seen:
            cid, k = f"{base}_{k}", k + 1
        seen.add(cid)
        arrow = "↑" if "↑" in text else ("↓" if "↓" in text else None)
        line = header[-1][j].line if header else 0
        cols.append(DraftColumn(cid, text, line, unit_hint(text), arrow))
    return cols


def _read_value(source: Path, cell: RawCell, header: str) -> Cell | None:
    try:
        value = parse_cell(cell.text, cell.style)
    except CellError as exc:
        raise _err(source, cell.line, f"column {short_repr(header)}: {exc}") from None
    if value is not None and cell.spanned:
        raise _err(
            source,
            cell.line,
            f"column {short_repr(header)}: value {cell.text.strip()!r} is printed across several "
            "columns or rows; expected one value per cell (split the span by hand)",
        )
    return value


def build_draft(
    table: RawTable, paper: str, location: str, table_id: str, layout: Layout | None = None
) -> Draft:
    """Read a printed table into a draft: columns with their headers, rows with their model names
    and marks, cells as printed. Raises :class:`InputError` naming the line of the first problem."""
    layout = layout or Layout()
    grid = expand_spans(table)
    h = layout.header_rows if layout.header_rows is not None else (table.header_rows or 1)
    if layout.models_as_columns:
        n_lab = layout.label_columns or 1
        width = len(grid[0])
        grid = [[grid[r][c] for r in range(len(grid))] for c in range(width)]
        h, n_lab = n_lab, h
    else:
        n_lab = layout.label_columns or 0
    width = len(grid[0])
    if h >= len(grid) or width < 2:
        raise _err(
            table.source,
            table.line,
            f"table has {len(grid)} rows and {width} columns with {h} header rows; expected a "
            "header, at least one model row and at least one value column",
        )
    header, body = grid[:h], grid[h:]
    n_lab = n_lab or _label_columns(body, width)
    if n_lab >= width:
        raise _err(
            table.source, table.line, f"no value column after {n_lab} label columns; expected one"
        )
    columns = _columns(header, n_lab, width)
    rows: list[DraftRow] = []
    group: str | None = None
    for i, row in enumerate(body, start=h):
        if i in table.rules_before and not layout.models_as_columns:
            group = None
        rows_or_group = _read_row(table.source, row, n_lab, columns, group)
        if isinstance(rows_or_group, str):
            group = rows_or_group or None
        elif rows_or_group is not None:
            rows.append(rows_or_group)
    if not rows:
        raise _err(table.source, table.line, "no row holds a value; expected at least one")
    columns = _with_cell_units(columns, rows)
    orientation = "models_as_columns" if layout.models_as_columns else "models_as_rows"
    return Draft(
        paper,
        table_id,
        location,
        table.source,
        table.line,
        table.caption,
        columns,
        rows,
        orientation,
    )


def _read_row(
    source: Path, row: list[RawCell], n_lab: int, columns: list[DraftColumn], group: str | None
) -> DraftRow | str | None:
    """A model row, or the text of a group heading row (``str``), or ``None`` for a blank row."""
    labels = [" ".join(c.text.split()) for c in row[:n_lab]]
    if row[0].colspan > n_lab and not row[0].spanned:  # a heading printed across the table
        return labels[0]
    cells: dict[str, Cell] = {}
    for col, cell in zip(columns, row[n_lab:], strict=True):
        value = _read_value(source, cell, col.header)
        if value is not None:
            cells[col.id] = value
    name_cell = row[n_lab - 1]
    name, marks = split_marks(labels[-1])
    if not cells:
        text = " ".join(t for t in labels if t) or " ".join(
            " ".join(c.text.split()) for c in row[n_lab:] if c.text.strip() and not c.spanned
        )
        return text if text else None
    if not name:
        raise _err(
            source,
            name_cell.line,
            "row has values but no model name; expected the model in the first column(s)",
        )
    notes: list[str] = []
    if group:
        notes.append(f"printed under the heading {group!r}")
    notes += [f"printed beside {t!r}" for t in labels[:-1] if t]
    cites = tuple(dict.fromkeys(c for cell in row[:n_lab] for c in cell.cites))
    return DraftRow(
        name, name_cell.line, tuple(name_cell.style) + marks, cells, tuple(notes), cites
    )


def _with_cell_units(columns: list[DraftColumn], rows: list[DraftRow]) -> list[DraftColumn]:
    """The columns, where a column whose header names no unit but whose cells print ``%`` gets
    ``percent`` as its unit hint."""
    return [
        replace(col, unit_hint="percent")
        if col.unit_hint is None and any(r.cells[col.id].percent for r in rows if col.id in r.cells)
        else col
        for col in columns
    ]
