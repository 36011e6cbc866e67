"""Export tables for pasting into a paper: CSV, Markdown and LaTeX (booktabs).

The CSV holds the full-precision values under the machine column names; the Markdown and LaTeX
files hold the table as the report shows it (readable headers, rounded numbers) when a display
version is given.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from lnnmeta.atomic import write_text

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "±": r"$\pm$",
    "†": r"\textdagger{}",
    "‡": r"\textdaggerdbl{}",
    "τ": r"$\tau$",
    "²": r"\textsuperscript{2}",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "×": r"$\times$",
    "−": r"$-$",
    "µ": r"$\mu$",
    "∞": r"$\infty$",
    "\n": " ",
}
_MARKDOWN_SPECIAL = set("\\`*_[]<>|")


def latex_escape(text: str) -> str:
    """Escape LaTeX special characters (and map the few non-ASCII symbols the report uses)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def markdown_escape(text: str) -> str:
    """Escape Markdown's inline syntax and table pipes; newlines become spaces."""
    out = "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)
    return out.replace("\r", " ").replace("\n", " ")


def cell_text(x: object) -> str:
    """A cell as text: missing values empty, floats to 4 significant digits."""
    if x is None or x is pd.NA:
        return ""
    if isinstance(x, float):
        return "" if math.isnan(x) else f"{x:.4g}"
    return str(x)


def to_markdown(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table."""

    def cell(x: object) -> str:
        return markdown_escape(cell_text(x))

    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(x) for x in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body]) + "\n"


def to_latex(df: pd.DataFrame, caption: str = "") -> str:
    """A booktabs table (\\toprule, \\midrule, \\bottomrule); needs \\usepackage{booktabs}."""
    cols = "l" + "r" * (len(df.columns) - 1)
    lines = [r"\begin{table}[ht]", r"\centering"]
    if caption:
        lines.append(r"\caption{" + latex_escape(caption) + "}")
    lines += [r"\begin{tabular}{" + cols + "}", r"\toprule"]
    lines.append(" & ".join(latex_escape(str(c)) for c in df.columns) + r" \\")
    lines.append(r"\midrule")
    for row in df.itertuples(index=False):
        lines.append(" & ".join(latex_escape(cell_text(x)) for x in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(x: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP CSV injection);
    numbers, including negative ones, are left alone."""
    if not isinstance(x, str) or not x.startswith(_FORMULA_START):
        return x
    try:
        float(x)
    except ValueError:
        return "'" + x
    return x


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with formula-like text cells (and headers) defused for spreadsheets."""
    out = df.copy()
    out.columns = [_defuse(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_defuse)
    return out


def export_table(
    df: pd.DataFrame,
    directory: str | Path,
    stem: str,
    caption: str = "",
    display: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``stem``.csv, .md and .tex into ``directory``; returns the paths.

    ``display`` (the table as shown, text cells and readable headers) is written to the Markdown and
    LaTeX files instead of ``df``; the CSV always holds ``df``.
    """
    d = Path(directory)
    shown = df if display is None else display
    paths = [d / f"{stem}.csv", d / f"{stem}.md", d / f"{stem}.tex"]
    write_text(paths[0], csv_safe(df).to_csv(index=False))
    write_text(
        paths[1], (f"{markdown_escape(caption)}\n\n" if caption else "") + to_markdown(shown)
    )
    write_text(paths[2], to_latex(shown, caption))
    return paths
