"""``lnnmeta import-table`` on hand-written LaTeX, CSV and Markdown fixtures (tests/literature/fixtures):
every construct read as printed, malformed input refused with one line naming the line, drafts that
``lnnmeta validate`` refuses until the TODOs are filled, and files written whole or not at all."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from lnnmeta.cli import main
from lnnmeta.errors import InputError
from lnnmeta.literature.importer import Layout, import_table, render, write_draft
from lnnmeta.literature.importer.cells import CellError, parse_cell
from lnnmeta.literature.loader import load_paper
from tests.conftest import ROOT

FIX = Path(__file__).parent / "fixtures"


def _cells(draft: Any) -> dict[str, dict[str, tuple[str, str | None, tuple[str, ...]]]]:
    return {
        r.model: {k: (c.value, c.spread, c.marks) for k, c in r.cells.items()} for r in draft.rows
    }


def test_booktabs_table_with_every_construct() -> None:
    d = import_table(FIX / "booktabs.tex", "foo2024bar", "Table 3")
    assert d.table_id == "t3" and d.line == 6
    assert d.caption == "Test accuracy (%) and training time (min). Mean ± std over 5 runs."
    # two header rows (above \midrule), the \multicolumn header spans both accuracy columns
    assert [c.header for c in d.columns] == [
        "Accuracy (%) ↑ / Gesture",
        "Accuracy (%) ↑ / Occupancy",
        "Time / (min)",
    ]
    assert [c.id for c in d.columns] == ["accuracy_gesture", "accuracy_occupancy", "time_min"]
    assert [c.unit_hint for c in d.columns] == ["percent", "percent", "minutes"]
    assert [c.arrow for c in d.columns] == ["↑", "↑", None]
    assert [(r.model, r.marks, r.line) for r in d.rows] == [
        ("LSTM", ("†",), 13),  # LSTM$^\dagger$~\cite{...}
        ("GRU", ("*",), 14),  # GRU\textsuperscript{*}
        ("LTC (ours)", (), 16),
        ("CfC", (), 17),
    ]
    assert d.rows[0].cites == ("hochreiter1997",)
    assert _cells(d) == {
        "LSTM": {
            "accuracy_gesture": ("64.57", "0.59", ()),  # $\pm$
            "accuracy_occupancy": ("93.18", "1.66", ()),  # \pm inside math without spaces
            "time_min": ("12.5", None, ()),
        },
        "GRU": {"accuracy_gesture": ("65.10", "0.40", ()), "time_min": ("11.0", None, ())},
        "LTC (ours)": {
            "accuracy_gesture": ("69.55", "1.13", ("bold",)),  # \textbf{...}
            "accuracy_occupancy": ("94.63", "0.17", ("bold",)),  # {\bf ...}
            "time_min": ("100.00", None, ("underline",)),  # printed digits kept
        },
        "CfC": {
            "accuracy_gesture": ("68.00", None, ("underline",)),
            "accuracy_occupancy": ("94.10", "0.10", ()),
            "time_min": ("0.10", None, ()),
        },
    }
    # \multirow label carried down; the full-width \multicolumn heading is a group, ended by \midrule
    assert d.rows[1].notes == (
        "printed under the heading 'Recurrent baselines'",
        "printed beside 'RNN'",
    )
    assert d.rows[2].notes == ("printed beside 'ODE'",)


def test_draft_block_keeps_digits_marks_and_todos() -> None:
    d = import_table(FIX / "booktabs.tex", "foo2024bar", "Table 3")
    data, text = render(d)
    assert "time_min: 100.00" in text and "time_min: 0.10" in text and "[65.10, 0.40]" in text
    assert data["rows"][2]["bold"] == ["accuracy_gesture", "accuracy_occupancy"]
    assert "underlined: time_min" in data["rows"][2]["note"]
    assert set(data["copied_marks"].values()) == {"†", "*"}
    for col in data["columns"]:
        for key in ("task", "metric", "unit", "higher_is_better", "dimension"):
            assert col[key] == "TODO"
    assert all(r["copied_from"] == "TODO" for r in data["rows"])
    assert "# printed with †; cites hochreiter1997" in text
    assert data["n_runs"] == "TODO" and data["spread_kind"] == "TODO"


def test_two_tables_select_by_label_or_number() -> None:
    with pytest.raises(InputError, match=r"holds 2 tables .*tab:params.*tab:second.*--select"):
        import_table(FIX / "two_tables.tex", "foo", "Table 1")
    d = import_table(FIX / "two_tables.tex", "foo", "Table 1", select="tab:params")
    assert d.caption == "Parameter counts."
    assert [(r.model, r.cells["params"].value, r.cells["params"].printed) for r in d.rows] == [
        ("InceptionNet", "481000", "481K"),
        ("ConvNet", "26200000", "26.2M"),
        ("S5", "5068900", "5,068,900"),
    ]
    # "value (spread)" and \\[2pt]
    assert (d.rows[0].cells["accuracy"].value, d.rows[0].cells["accuracy"].spread) == (
        "61.24",
        "0.69",
    )
    assert "number_format" not in render(d)[0]["columns"][0]  # si and thousands mixed
    second = import_table(FIX / "two_tables.tex", "foo", "Table 2", select="2")
    assert _cells(second) == {"LSTM": {"mse": ("0.5", None, ())}}
    with pytest.raises(InputError, match="no table 'tab:nope'"):
        import_table(FIX / "two_tables.tex", "foo", "Table 1", select="tab:nope")


def test_models_as_columns() -> None:
    d = import_table(
        FIX / "transposed.tex", "foo", "Table 2", layout=Layout(models_as_columns=True)
    )
    assert d.orientation == "models_as_columns"
    assert [c.id for c in d.columns] == ["tanh", "sigmoid"]
    assert _cells(d)["LTC"] == {
        "tanh": ("9.19", "2.92", ("bold",)),
        "sigmoid": ("7.00", "5.36", ("bold",)),
    }
    assert _cells(d)["Neural ODE"]["sigmoid"] == ("0.56", "0.00", ())
    assert render(d)[0]["orientation"] == "models_as_columns"


def test_longtable_repeated_header_and_foot_are_not_rows() -> None:
    d = import_table(FIX / "longtable.tex", "foo", "Table 9")
    assert d.caption == "A long table."
    assert [c.header for c in d.columns] == ["Accuracy (%)"]
    assert _cells(d) == {
        "LSTM": {"accuracy": ("90.1", None, ())},
        "CfC": {"accuracy": ("91.2", None, ())},
    }
    assert render(d)[0]["spread_kind"] == "none"


def test_csv_table() -> None:
    d = import_table(FIX / "table.csv", "foo", "Table 1")
    assert [r.model for r in d.rows] == ["LSTM", "CfC", "LTC"]
    assert d.rows[0].marks == ("†",)
    assert _cells(d)["CfC"]["gesture"] == ("69.55", "1.13", ())  # "+-"
    assert "gesture" not in _cells(d)["LTC"]  # an em dash is an empty cell
    assert _cells(d)["LSTM"]["params"][0] == "5068900"
    assert d.columns[0].unit_hint == "percent"


def test_markdown_table() -> None:
    d = import_table(FIX / "table.md", "foo", "Table 3")
    assert d.line == 3
    assert [(r.model, r.marks) for r in d.rows] == [
        ("LSTM", ("*",)),
        ("LTC", ("bold",)),
        ("CT-RNN", ()),
    ]
    assert _cells(d)["LTC"] == {
        "gesture": ("69.55", "1.13", ("bold",)),
        "traffic_mse": ("0.099", "0.0095", ("underline",)),
    }
    assert "gesture" not in _cells(d)["CT-RNN"]  # n/a
    assert d.columns[1].arrow == "↓"


@pytest.mark.parametrize(
    ("name", "line", "what"),
    [
        ("unbalanced.tex", 4, 'macro "textbf" is not closed'),
        ("ragged.tex", 5, "row has 2 cells but the first row has 3"),
        ("bad_spread.tex", 5, "'12.3 ± n/a' is not a value"),
        ("ragged.csv", 3, "row has 2 cells but the first row has 3"),
    ],
)
def test_malformed_input_one_line_naming_the_line_no_file(
    name: str, line: int, what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError) as exc:
        import_table(FIX / name, "foo", "Table 1")
    assert len(exc.value.problems) == 1
    assert exc.value.problems[0].startswith(f"{FIX / name}, line {line}: ")
    assert what in exc.value.problems[0]
    out = tmp_path / "foo.yaml"
    argv = ["import-table", str(FIX / name), "--paper", "foo", "--location", "Table 1"]
    assert main([*argv, "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"line {line}:" in err[0] and "Traceback" not in err[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text", ["<0.01", "1.2$\\times$10$^{3}$", "$10^3$", "$\\sim$5", "1,5", "0.5 $\\pm$ -0.1"]
)
def test_never_guesses_a_number(text: str, tmp_path: Path) -> None:
    src = tmp_path / "t.tex"
    src.write_text(
        "\\begin{tabular}{lc}\nModel & Acc \\\\\n\\hline\nLSTM & "
        + text
        + " \\\\\n\\end{tabular}\n"
    )
    with pytest.raises(InputError, match=r"line 4: column 'Acc': "):
        import_table(src, "foo", "Table 1")


def test_cell_reader() -> None:
    assert parse_cell("97.26 ± 0.10 %") is not None
    assert parse_cell("—") is None and parse_cell("n/a") is None and parse_cell("") is None
    with pytest.raises(CellError, match="expected a number"):
        parse_cell("12.3 ± n/a")


def _fill(node: Any, key: str = "") -> Any:
    """What a curator types in place of each TODO (valid values for a test)."""
    values = {
        "title": "A test paper",
        "authors.0": "Ada Lovelace",
        "year": 2024,
        "read_from": "the fixture booktabs.tex",
        "n_runs": 5,
        "spread_kind": "std",
        "task": "gesture_segmentation",
        "metric": "accuracy",
        "unit": "percent",
        "higher_is_better": True,
        "dimension": "accuracy",
        "copied_from": None,
        "canonical_model": "LTC",
        "family": "LNN",
    }
    if isinstance(node, dict):
        return {
            k: _fill(v, k)
            for k, v in node.items()
            if not (isinstance(k, str) and k.startswith("TODO"))
        }
    if isinstance(node, list):
        return [_fill(v, f"{key}.{i}") for i, v in enumerate(node)]
    return values[key] if node == "TODO" else node


def test_validate_refuses_todos_until_filled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lit" / "foo2024bar.yaml"
    argv = ["import-table", str(FIX / "booktabs.tex"), "--paper", "foo2024bar"]
    assert main([*argv, "--location", "Table 3", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    with pytest.raises(InputError) as exc:
        load_paper(out)
    todo = [p for p in exc.value.problems if "TODO" in p]
    assert todo == exc.value.problems  # TODOs first, one line each
    for field in ("task", "metric", "unit", "dimension", "higher_is_better", "copied_from"):
        assert any(f"field {field!r}: is TODO" in p for p in todo), field
    assert main(["validate", "--literature", str(out.parent)]) == 1
    assert "is TODO (left by lnnmeta import-table)" in capsys.readouterr().err
    # a curator fills the TODOs: the draft is then a valid literature file with the printed digits
    filled = tmp_path / "filled" / "foo2024bar.yaml"
    filled.parent.mkdir()
    filled.write_text(yaml.safe_dump(_fill(yaml.safe_load(out.read_text())), allow_unicode=True))
    paper = load_paper(filled)
    ltc = [r for r in paper.rows if r["model_as_printed"] == "LTC (ours)"]
    assert [(r["value"], r["bold"]) for r in ltc] == [(69.55, True), (94.63, True), (100.0, False)]


def test_append_to_an_existing_paper_file(tmp_path: Path) -> None:
    target = tmp_path / "hasani2021ltc.yaml"
    shutil.copy(ROOT / "config/literature/hasani2021ltc.yaml", target)
    before = yaml.safe_load(target.read_text())
    d = import_table(FIX / "table.csv", "hasani2021ltc", "Table 9")
    assert "appended table 't9'" in write_draft(d, target)
    after = yaml.safe_load(target.read_text())
    assert after["tables"][:-1] == before["tables"] and after["tables"][-1]["id"] == "t9"
    original = target.read_bytes()
    with pytest.raises(InputError, match="already has a table 't9'"):
        write_draft(d, target)
    other = import_table(FIX / "table.csv", "someone2020", "Table 9", table_id="t10")
    with pytest.raises(InputError, match="is not the literature file of 'someone2020'"):
        write_draft(other, target)
    assert target.read_bytes() == original  # refused: nothing written
