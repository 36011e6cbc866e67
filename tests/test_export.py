"""Table export: Markdown and LaTeX (booktabs) escape what they must."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lnnmeta.report.export import export_table, latex_escape, to_latex, to_markdown


def test_markdown_escapes_pipes() -> None:
    md = to_markdown(pd.DataFrame({"a|b": ["x|y"]}))
    assert r"a\|b" in md and r"x\|y" in md


def test_latex_booktabs_and_escaping() -> None:
    tex = to_latex(pd.DataFrame({"model": ["CfC_mm"], "acc %": ["97 & up"]}), caption="50% of $x")
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"CfC\_mm" in tex and r"97 \& up" in tex and r"acc \%" in tex and r"50\% of \$x" in tex
    assert latex_escape("\\") == r"\textbackslash{}"


def test_export_writes_three_files(tmp_path: Path) -> None:
    paths = export_table(pd.DataFrame({"a": [1]}), tmp_path, "t", "cap")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.md", "t.tex"]
    assert all(p.exists() for p in paths)


def test_csv_defuses_formulas_but_not_numbers(tmp_path: Path) -> None:
    export_table(
        pd.DataFrame({"m": ["=HYPERLINK(1)", "-1.5", "ok"], "v": [-2.0, 1.0, 3.0]}), tmp_path, "t"
    )
    text = (tmp_path / "t.csv").read_text()
    assert "'=HYPERLINK(1)" in text and "\n-1.5," in text and "-2.0" in text
