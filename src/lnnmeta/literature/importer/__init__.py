"""Import a paper's table (LaTeX, CSV or Markdown) as a draft block of a literature file.

``lnnmeta import-table SOURCE --paper KEY --location "Table 3"`` reads the table as printed
(values, spreads and marks kept as strings; nothing rounded or guessed) and writes a draft in the
format of config/literature/README.md. Whatever the source cannot tell (task, metric, unit,
dimension, higher_is_better, copied_from, ...) is left as ``TODO``, which ``lnnmeta validate``
refuses until a curator has filled it in.
"""

from __future__ import annotations

import re
from pathlib import Path

from lnnmeta.errors import InputError
from lnnmeta.literature.importer.draft import TODO, render, write_draft
from lnnmeta.literature.importer.grid import Draft, Layout, RawTable, build_draft
from lnnmeta.literature.importer.latex import read_latex
from lnnmeta.literature.importer.text import read_csv, read_markdown

__all__ = ["TODO", "Draft", "Layout", "import_table", "read_source", "render", "write_draft"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_ID = re.compile(r"^[a-z0-9_]+$")
#: Largest source file read (a whole paper's LaTeX is well under this).
MAX_BYTES = 5_000_000


def default_table_id(location: str) -> str:
    """``"Table 3"`` -> ``"t3"``, ``"Table S2"`` -> ``"ts2"``; other locations are slugged."""
    m = re.fullmatch(r"\s*table\s+([A-Za-z]?\d+[a-z]?)\s*", location, flags=re.IGNORECASE)
    if m:
        return "t" + m[1].lower()
    return re.sub(r"[^a-z0-9]+", "_", location.lower()).strip("_") or "t"


def read_source(source: str | Path, select: str | None = None) -> RawTable:
    """The printed table of a .tex, .csv/.tsv or .md file; raises :class:`InputError`."""
    path = Path(source)
    kinds = {
        ".tex": "latex",
        ".csv": "csv",
        ".tsv": "csv",
        ".md": "markdown",
        ".markdown": "markdown",
    }
    kind = kinds.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path}: unknown kind of file; expected .tex, .csv, .tsv or .md (Markdown)"
        )
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: larger than {MAX_BYTES} bytes; expected one paper's source")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file does not exist; expected a table source") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); expected UTF-8") from None
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror}); expected a readable file"
        ) from None
    if kind == "latex":
        return read_latex(path, text, select)
    if kind == "markdown":
        return read_markdown(path, text, select)
    return read_csv(path, text)


def import_table(
    source: str | Path,
    paper: str,
    location: str,
    table_id: str | None = None,
    select: str | None = None,
    layout: Layout | None = None,
) -> Draft:
    """Read one table of ``source`` into a :class:`Draft` for ``paper`` (a literature key)."""
    if not _KEY.match(paper):
        raise InputError(f"--paper {paper!r}: expected a BibTeX-style key, [a-z][a-z0-9_]*")
    if not location.strip():
        raise InputError("--location is blank; expected the table's location as printed (Table 3)")
    tid = table_id or default_table_id(location)
    if not _ID.match(tid):
        raise InputError(f"--table-id {tid!r}: expected [a-z0-9_]+")
    layout = layout or Layout()
    for name, n in (
        ("--header-rows", layout.header_rows),
        ("--label-columns", layout.label_columns),
    ):
        if n is not None and n < 1:
            raise InputError(f"{name} {n}: expected a number >= 1")
    return build_draft(read_source(source, select), paper, location.strip(), tid, layout)
