"""Read a table from CSV/TSV text or a Markdown (GitHub pipe) table.

CSV goes through the standard :mod:`csv` module. Markdown tables are read line by line: a row is
split at unescaped pipes, ``**bold**``/``__bold__``/``<b>`` and ``<u>underline</u>`` are recorded
as marks, and backslash escapes are undone (what :func:`lnnmeta.report.export.to_markdown` writes
reads back as it was).
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from lnnmeta.errors import InputError
from lnnmeta.literature.importer.grid import RawCell, RawTable

_SEPARATOR = re.compile(r"^\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|<(?:b|strong)>(.+?)</(?:b|strong)>")
_UNDER = re.compile(r"<(?:u|ins)>(.+?)</(?:u|ins)>")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|<(?:i|em)>(.+?)</(?:i|em)>")
#: Private-use characters stand in for escaped Markdown characters while emphasis is read.
_ESC_BASE = 0xE000


def read_csv(source: Path, text: str) -> RawTable:
    """A CSV (or, for ``.tsv``, tab-separated) table; the first row is the header."""
    delimiter = "\t" if source.suffix.lower() == ".tsv" else ","
    if source.suffix.lower() != ".tsv":
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[list[RawCell]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(x.strip() for x in record):
                continue
            rows.append([RawCell(x.strip(), line) for x in record])
    except csv.Error as exc:
        raise InputError(f"{source}, line {reader.line_num}: {exc}; expected valid CSV") from None
    if not rows:
        raise InputError(f"{source}: no rows; expected a header row and model rows")
    return RawTable(source, rows[0][0].line, rows, header_rows=1)


def _protect(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", lambda m: chr(_ESC_BASE + ord(m[1])), text)


def _restore(text: str) -> str:
    return "".join(
        chr(ord(c) - _ESC_BASE) if _ESC_BASE <= ord(c) < _ESC_BASE + 128 else c for c in text
    )


def _markdown_cell(raw: str, line: int) -> RawCell:
    style: list[str] = []
    text = raw.strip()
    for name, pattern in (("bold", _BOLD), ("underline", _UNDER), ("italic", _ITALIC)):
        new = pattern.sub(lambda m: next(g for g in m.groups() if g is not None), text)
        if new != text:
            style.append(name)
            text = new
    return RawCell(html.unescape(_restore(text)).strip(), line, tuple(style))


def _split_row(line: str) -> list[str]:
    body = _protect(line.strip())
    body = body.removeprefix("|")
    body = body.removesuffix("|")
    return body.split("|")


def read_markdown(source: Path, text: str, select: str | None = None) -> RawTable:
    """The pipe table of a Markdown text (the ``select``-th, 1-based, when there are several)."""
    lines = text.splitlines()
    tables: list[tuple[int, int]] = []  # (header line index, end index)
    i = 0
    while i < len(lines) - 1:
        if "|" in lines[i] and _SEPARATOR.match(lines[i + 1].strip()) and "-" in lines[i + 1]:
            end = i + 2
            while end < len(lines) and "|" in lines[end] and lines[end].strip():
                end += 1
            tables.append((i, end))
            i = end
        else:
            i += 1
    if not tables:
        raise InputError(
            f"{source}: no Markdown table found; expected a header row, a |---| separator row "
            "and model rows"
        )
    if select is None and len(tables) > 1:
        starts = ", ".join(f"{k + 1}: line {s + 1}" for k, (s, _) in enumerate(tables))
        raise InputError(f"{source}: holds {len(tables)} tables ({starts}); expected --select N")
    k = int(select) - 1 if select is not None and select.isdigit() else 0
    if select is not None and not (select.isdigit() and 0 <= k < len(tables)):
        raise InputError(f"{source}: no table {select!r}; expected a number 1..{len(tables)}")
    start, end = tables[k]
    rows = [
        [_markdown_cell(c, n + 1) for c in _split_row(lines[n])]
        for n in [start, *range(start + 2, end)]
    ]
    return RawTable(source, start + 1, rows, header_rows=1)
