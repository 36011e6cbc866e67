"""Export tables for pasting into a paper: CSV, Markdown and LaTeX (booktabs)."""

from __future__ import annotations

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
}


def latex_escape(text: str) -> str:
    """Escape LaTeX special characters."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_markdown(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table."""

    def cell(x: object) -> str:
        return str(x).replace("|", r"\|").replace("\n", " ")

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
        lines.append(" & ".join(latex_escape(str(x)) for x in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def export_table(
    df: pd.DataFrame, directory: str | Path, stem: str, caption: str = ""
) -> list[Path]:
    """Write ``stem``.csv, .md and .tex into ``directory``; returns the paths."""
    d = Path(directory)
    paths = [d / f"{stem}.csv", d / f"{stem}.md", d / f"{stem}.tex"]
    write_text(paths[0], df.to_csv(index=False))
    write_text(paths[1], (f"{caption}\n\n" if caption else "") + to_markdown(df))
    write_text(paths[2], to_latex(df, caption))
    return paths
