"""Export tables for pasting into a paper: CSV, Markdown and LaTeX (booktabs).

The CSV holds the full-precision values under the machine column names; the Markdown and LaTeX
files hold the table as the report shows it (readable headers, rounded numbers) when a display
version is given.

Every LaTeX file is a fragment for ``\\input``; it compiles with pdflatex given
``\\usepackage{booktabs,graphicx,longtable}`` (:data:`LATEX_PACKAGES`). Numeric columns are
right-aligned and text columns left-aligned; a table wider than the text is scaled down to the text
width, and a table longer than :data:`LONGTABLE_ROWS` rows is a ``longtable`` that breaks across pages.
Cells the paper prints in bold are ``\\textbf``, marks of copied rows are superscripts, and a value
with a spread is ``value $\\pm$ spread``, so that the table can be read back.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
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
    "∆": r"\ensuremath{\Delta}",
    "–": "--",
    "—": "---",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "…": r"\ldots{}",
    "≈": r"$\approx$",
    "≠": r"$\neq$",
    "→": r"$\rightarrow$",
    "←": r"$\leftarrow$",
    "·": r"$\cdot$",
    "°": r"\textdegree{}",
    "³": r"\textsuperscript{3}",
    "¹": r"\textsuperscript{1}",
    "½": r"$\frac{1}{2}$",
    "√": r"$\surd$",
    "\u00a0": "~",
    "\n": " ",
    "\r": " ",
    "\t": " ",
}
#: Greek capitals that LaTeX has as commands (the others look like Latin letters).
_GREEK_CAPITALS = {
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Pi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
}
#: Greek capitals written as the Latin letter they look like.
_GREEK_LOOKALIKE = dict(
    Alpha="A",
    Beta="B",
    Epsilon="E",
    Zeta="Z",
    Eta="H",
    Iota="I",
    Kappa="K",
    Mu="M",
    Nu="N",
    Omicron="O",
    Rho="P",
    Tau="T",
    Chi="X",
)
#: Packages a LaTeX export needs.
LATEX_PACKAGES = ("booktabs", "graphicx", "longtable")
#: Tables with more body rows than this are longtables (they break across pages).
LONGTABLE_ROWS = 45
_MARKDOWN_SPECIAL = set("\\`*_[]<>|")


def _latex_char(ch: str) -> str:
    """A character pdflatex can typeset: special characters escaped, Greek letters in math mode,
    other characters outside Latin-1 spelled in ASCII where Unicode decomposes them (else ``?``)."""
    if ch in _LATEX_SPECIAL:
        return _LATEX_SPECIAL[ch]
    if ord(ch) < 0x80 or (0xA0 <= ord(ch) <= 0xFF and ch not in "¬¯´¸"):
        return ch if ch.isprintable() or ch == " " else " "
    name = unicodedata.name(ch, "")
    greek = re.fullmatch(r"GREEK (SMALL|CAPITAL) LETTER (\w+)", name)
    if greek:
        letter = greek.group(2).capitalize()
        if greek.group(1) == "SMALL":
            letter = {"Lamda": "lambda", "Omicron": "o"}.get(letter, letter.lower())
            return letter if letter == "o" else rf"\ensuremath{{\{letter}}}"
        letter = {"Lamda": "Lambda"}.get(letter, letter)
        if letter in _GREEK_CAPITALS:
            return rf"\ensuremath{{\{letter}}}"
        return _GREEK_LOOKALIKE.get(letter, "?")
    ascii_ = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return "".join(_latex_char(c) for c in ascii_) if ascii_ else "?"


def latex_escape(text: str) -> str:
    """Escape LaTeX special characters and map non-ASCII symbols to commands pdflatex knows
    (``±`` to ``$\\pm$``, ``Δ`` to ``\\ensuremath{\\Delta}``)."""
    return "".join(_latex_char(ch) for ch in text)


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


def _bold_at(bold: pd.DataFrame | None, i: int, j: int) -> bool:
    return bold is not None and bool(bold.iat[i, j])


def to_markdown(df: pd.DataFrame, bold: pd.DataFrame | None = None) -> str:
    """A GitHub-flavoured Markdown table; cells marked in ``bold`` (same shape) are ``**bold**``."""

    def cell(x: object, strong: bool = False) -> str:
        text = markdown_escape(cell_text(x))
        return f"**{text}**" if strong and text else text

    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = [
        "| " + " | ".join(cell(x, _bold_at(bold, i, j)) for j, x in enumerate(row)) + " |"
        for i, row in enumerate(df.itertuples(index=False))
    ]
    return "\n".join([head, rule, *body]) + "\n"


_NUMERIC = re.compile(
    r"[<>≤≥~]?\s*[-−+]?(\d[\d,]*(\.\d*)?|\.\d+)(e[-+]?\d+)?\s*(%|[KMG]|[kMG]?B|ms|µs|s|min|h)?"
    r"(\s*±\s*(\d[\d,]*(\.\d*)?|n/a)\s*%?)?",
    re.IGNORECASE,
)


def is_numeric_text(text: str) -> bool:
    """Whether a cell reads as a number (``97.25``, ``26.2M``, ``5,068,900``, ``0.10 ± 0.01``,
    ``< 0.001``, ``9.10 MB``): such columns are right-aligned."""
    return bool(_NUMERIC.fullmatch(text.strip()))


def column_alignment(df: pd.DataFrame) -> str:
    """``l`` for a text column, ``r`` for a column of numbers (the first column is always ``l``)."""
    out = []
    for j in range(df.shape[1]):
        texts = [t for t in (cell_text(x) for x in df.iloc[:, j]) if t]
        numeric = j > 0 and bool(texts) and all(is_numeric_text(t) for t in texts)
        out.append("r" if numeric else "l")
    return "".join(out)


def _latex_marked(text: str, marks: Mapping[str, str]) -> str:
    """A label with its copy mark as a superscript (``LSTM\\textsuperscript{\\textdagger{}}``)."""
    mark = marks.get(text, "")
    if mark and text.endswith(mark):
        return latex_escape(text[: -len(mark)]) + r"\textsuperscript{" + latex_escape(mark) + "}"
    return latex_escape(text)


def to_latex(
    df: pd.DataFrame,
    caption: str = "",
    bold: pd.DataFrame | None = None,
    marks: Mapping[str, str] | None = None,
) -> str:
    """A booktabs table (\\toprule, \\midrule, \\bottomrule), see the module docstring.

    ``bold`` (same shape as ``df``) says which cells are set in bold; ``marks`` maps a row label
    or header to the mark it ends with, set as a superscript.
    """
    marks = marks or {}
    cols = column_alignment(df)
    head = " & ".join(_latex_marked(str(c), marks) for c in df.columns) + r" \\"
    body = []
    for i, row in enumerate(df.itertuples(index=False)):
        cells = []
        for j, x in enumerate(row):
            text = _latex_marked(cell_text(x), marks)
            cells.append(r"\textbf{" + text + "}" if _bold_at(bold, i, j) and text else text)
        body.append(" & ".join(cells) + r" \\")
    needs = "% needs \\usepackage{" + ",".join(LATEX_PACKAGES) + "}"
    cap = r"\caption{" + latex_escape(caption) + "}" if caption else ""
    if len(df) > LONGTABLE_ROWS:
        lines = [
            needs,
            "{\\small",
            r"\setlength{\tabcolsep}{3pt}",
            r"\begin{longtable}{" + cols + "}",
        ]
        if cap:
            lines.append(cap + r" \\")
        lines += [r"\toprule", head, r"\midrule", r"\endfirsthead"]
        lines += [r"\toprule", head, r"\midrule", r"\endhead", r"\bottomrule", r"\endlastfoot"]
        lines += [*body, r"\end{longtable}", "}"]
        return "\n".join(lines) + "\n"
    lines = [r"\begin{table}[ht]", r"\centering", needs]
    if cap:
        lines.append(cap)
    # scaled down to the text width when wider, never up
    lines += [r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%"]
    lines += [r"\begin{tabular}{" + cols + "}", r"\toprule", head, r"\midrule", *body]
    lines += [r"\bottomrule", r"\end{tabular}", "}", r"\end{table}"]
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
    bold: pd.DataFrame | None = None,
    marks: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write ``stem``.csv, .md and .tex into ``directory``; returns the paths.

    ``display`` (the table as shown, text cells and readable headers) is written to the Markdown and
    LaTeX files instead of ``df``; the CSV always holds ``df``. ``bold`` and ``marks`` (see
    :func:`to_latex`) apply to the displayed table.
    """
    d = Path(directory)
    shown = df if display is None else display
    paths = [d / f"{stem}.csv", d / f"{stem}.md", d / f"{stem}.tex"]
    write_text(paths[0], csv_safe(df).to_csv(index=False))
    write_text(
        paths[1],
        (f"{markdown_escape(caption)}\n\n" if caption else "") + to_markdown(shown, bold),
    )
    write_text(paths[2], to_latex(shown, caption, bold, marks))
    return paths


def export_csv(df: pd.DataFrame, directory: str | Path, stem: str) -> Path:
    """Write only ``stem``.csv (a table too long for Markdown or LaTeX); returns its path."""
    path = Path(directory) / f"{stem}.csv"
    write_text(path, csv_safe(df).to_csv(index=False))
    return path
