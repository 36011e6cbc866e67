"""Table export (report/export.py): CSV keeps the data, Markdown and LaTeX escape what they must,
and every LaTeX export compiles."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from lnnmeta.report.export import (
    cell_text,
    export_table,
    latex_escape,
    markdown_escape,
    to_latex,
    to_markdown,
)
from lnnmeta.report.render import display_frame


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


# -- survey tables as printed; LaTeX that pdflatex compiles ------------------------------------


def test_latex_maps_greek_and_symbols_pdflatex_lacks() -> None:
    assert latex_escape("RNN Δt") == r"RNN \ensuremath{\Delta}t"  # fails raw in pdflatex
    assert latex_escape("∆ α ≈ – Nyströmformer") == (
        r"\ensuremath{\Delta} \ensuremath{\alpha} $\approx$ -- Nyströmformer"
    )
    assert latex_escape("Α✓") == "A?"  # a Greek capital like a Latin letter; no glyph: ?


def test_latex_bold_marks_alignment() -> None:
    df = pd.DataFrame(
        {"Model": ["LSTM†", "LTC"], "Gesture: accuracy (%)": ["64.57 ± 0.59", "69.55 ± 1.13"]}
    )
    bold = pd.DataFrame({"Model": [False, False], "Gesture: accuracy (%)": [False, True]})
    tex = to_latex(df, "cap", bold=bold, marks={"LSTM†": "†"})
    lines = tex.splitlines()
    assert r"\begin{tabular}{lr}" in lines
    assert r"LSTM\textsuperscript{\textdagger{}} & 64.57 $\pm$ 0.59 \\" in lines
    assert r"LTC & \textbf{69.55 $\pm$ 1.13} \\" in lines
    assert r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%" in lines
    md = to_markdown(df, bold)
    assert "| LTC | **69.55 ± 1.13** |" in md
    text = to_latex(
        pd.DataFrame({"a": ["x", "y"], "b": ["n/a", "text"], "c": ["26.2M", "5,068,900"]})
    )
    assert r"\begin{tabular}{llr}" in text


def test_long_tables_are_longtables() -> None:
    df = pd.DataFrame({"model": [f"m{i}" for i in range(60)], "v": list(range(60))})
    tex = to_latex(df, "long")
    assert r"\begin{longtable}{lr}" in tex and r"\endhead" in tex and r"\resizebox" not in tex
    assert tex.count("m5 & 5") == 1


def _compile(tex_file: Path, work: Path) -> str:
    """Compile ``tex_file`` inside a minimal article; returns the log (raises on an error)."""
    import subprocess

    doc = work / "doc.tex"
    doc.write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n"
        "\\usepackage{booktabs,graphicx,longtable}\n\\begin{document}\n"
        f"\\input{{{tex_file.as_posix()}}}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    res = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (work / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert res.returncode == 0, f"{tex_file.name}: {log[-2000:]}"
    return log


def test_every_latex_export_compiles_and_fits_the_page(tmp_path: Path) -> None:
    """The survey tables and the other literature-section exports, plus a hostile, wide and
    long table: each compiles with pdflatex, and none is wider than the text (no overfull box)."""
    import shutil

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (apt-get install texlive-latex-recommended)")
    from lnnmeta.claims import load_claims
    from lnnmeta.config import load_config
    from lnnmeta.literature.loader import load_literature
    from lnnmeta.report.inputs import ReportInputs
    from lnnmeta.report.sections import build_sections
    from lnnmeta.report.sections.methods import references
    from lnnmeta.report.sink import TableSink
    from lnnmeta.tables import empty_frame
    from tests.conftest import ROOT

    out = tmp_path / "tables"
    out.mkdir()
    reported, _ = load_literature(ROOT / "config/literature")
    inp = ReportInputs(
        reported,
        empty_frame("runs"),
        {},
        load_claims(ROOT / "config/claims.yaml"),
        references(ROOT / "config/literature/references.bib"),
        load_config(ROOT / "config/ci.yaml"),
    )
    build_sections(inp, TableSink(out, inp.get("effects")))
    hostile = "<b>&%$#_{}~^\\|Δτ²≥±†‡×−µ∞∆–—’…≈→·°½√ Nyströmformer Α✓"
    wide = pd.DataFrame(
        {f"{hostile} column {j}": [f"{i}.{j}0 ± 0.0{j}" for i in range(80)] for j in range(12)}
    )
    export_table(wide, out, "hostile_wide_long", caption=hostile)
    files = sorted(out.glob("*.tex"))
    assert len([f for f in files if f.name.startswith("survey_")]) >= 17
    work = tmp_path / "work"
    work.mkdir()
    for f in files:
        log = _compile(f, work)
        if "longtable" not in f.read_text(encoding="utf-8"):
            assert "Overfull \\hbox" not in log, f.name


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
