"""Table export: CSV keeps the data, Markdown and LaTeX escape what they must."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from lnnmeta.report.export import (
    cell_text,
    export_table,
    latex_escape,
    markdown_escape,
    to_latex,
    to_markdown,
)
from lnnmeta.report.render import display_frame


def test_markdown_escapes_inline_syntax_and_html() -> None:
    md = to_markdown(
        pd.DataFrame({"model|name": ["CfC_mm *x*"], "note": ["<script>alert(1)</script>\nnext"]})
    )
    head, rule, row = md.splitlines()
    assert head == r"| model\|name | note |"
    assert rule == "|---|---|"
    assert r"CfC\_mm \*x\*" in row
    assert r"\<script\>alert(1)\</script\> next" in row
    assert "<script>" not in md
    assert row.count(" | ") == 1  # two cells: no pipe leaked from the data


def test_markdown_escape_backslash_first() -> None:
    assert markdown_escape("a\\b") == "a\\\\b"
    assert markdown_escape("[link](x)") == r"\[link\](x)"


def test_latex_escapes_every_special_character() -> None:
    assert latex_escape("&%$#_{}~^\\") == (
        r"\&\%\$\#\_\{\}\textasciitilde{}\textasciicircum{}\textbackslash{}"
    )
    assert latex_escape("<b>|") == r"\textless{}b\textgreater{}\textbar{}"
    assert latex_escape("97.2 ± 0.3 †") == r"97.2 $\pm$ 0.3 \textdagger{}"
    assert latex_escape("τ² ≥ 1") == r"$\tau$\textsuperscript{2} $\geq$ 1"


def test_latex_is_booktabs_with_escaped_caption_header_and_cells() -> None:
    df = pd.DataFrame({"model_name": ["CfC_mm", "LTC"], "acc %": [97.25, math.nan]})
    tex = to_latex(df, caption="50% of $x & y")
    lines = tex.splitlines()
    assert lines[0] == r"\begin{table}[ht]"
    assert r"\caption{50\% of \$x \& y}" in lines
    assert r"\begin{tabular}{lr}" in lines
    assert lines.index(r"\toprule") < lines.index(r"\midrule") < lines.index(r"\bottomrule")
    assert r"model\_name & acc \% \\" in lines
    assert r"CfC\_mm & 97.25 \\" in lines
    assert r"LTC &  \\" in lines  # missing value: empty cell
    assert lines[-1] == r"\end{table}"


def test_cell_text() -> None:
    assert cell_text(None) == "" and cell_text(math.nan) == "" and cell_text(pd.NA) == ""
    assert cell_text(1 / 3) == "0.3333"
    assert cell_text(7) == "7"


def test_export_writes_raw_csv_and_displayed_markdown_latex(tmp_path: Path) -> None:
    raw = pd.DataFrame({"p_holm": [0.00001234, 0.5], "peak_train_mem_bytes": [9.1e6, 1234.0]})
    paths = export_table(raw, tmp_path, "t", "A | caption", display=display_frame(raw))
    assert [p.name for p in paths] == ["t.csv", "t.md", "t.tex"]
    back = pd.read_csv(paths[0])
    assert list(back.columns) == ["p_holm", "peak_train_mem_bytes"]
    assert back["p_holm"].iloc[0] == 0.00001234
    md = paths[1].read_text()
    assert md.startswith(r"A \| caption")
    assert "| p (Holm) | Peak training memory |" in md
    assert r"\< 0.001" in md and "9.10 MB" in md and "1.23 kB" in md
    tex = paths[2].read_text()
    assert r"p (Holm) & Peak training memory \\" in tex
    assert r"\textless{} 0.001 & 9.10 MB \\" in tex


def test_export_without_display_writes_the_frame(tmp_path: Path) -> None:
    export_table(pd.DataFrame({"a": [1]}), tmp_path, "plain")
    assert (tmp_path / "plain.md").read_text() == "| a |\n|---|\n| 1 |\n"
