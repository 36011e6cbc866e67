"""Hostile text: HTML or script in any literature string is escaped in the HTML report; YAML is
loaded safely (Python tags are rejected with a clear line); nothing evaluates input strings."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lnnmeta.errors import InputError
from lnnmeta.literature.loader import load_paper
from lnnmeta.literature.survey import regenerate_tables
from lnnmeta.report.render import Section, environment, render_html
from lnnmeta.tables import REPORTED
from lnnmeta.yamlio import load_yaml
from tests.conftest import ROOT
from tests.robustness.conftest import BASE_PAPER, curated, dump

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
ATTRIBUTE = '" onerror="alert(2)'  # breaks out of a quoted attribute if not escaped


def hostile_paper(folder: Path) -> Path:
    """The curated file with a script in its title, a caption, a column's dataset and a model name."""
    data: dict[str, Any] = copy.deepcopy(curated())
    data["title"] = f"Liquid {SCRIPT} networks"
    table = data["tables"][0]
    table["caption"] = f"Caption {SCRIPT}{ATTRIBUTE}"
    table["columns"][0]["dataset"] = f"Dataset {SCRIPT}"
    row = table["rows"][0]
    row.update(model=f"LSTM{SCRIPT}", canonical_model="LSTM", family="RNN", note=SCRIPT)
    path = folder / BASE_PAPER.name
    path.write_text(dump(data), encoding="utf-8")
    return path


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<script" not in html.lower()
    assert ESCAPED in html
    assert 'onerror="alert' not in html


def test_literature_strings_are_escaped_in_the_report(tmp_path: Path) -> None:
    paper = load_paper(hostile_paper(tmp_path))
    reported = pd.DataFrame(paper.rows, columns=REPORTED.names)
    section = Section("literature", f"2. The literature of {paper.data['title']}")
    section.paragraphs.append(f"Read from {paper.data['title']}")
    for (key, table), df in regenerate_tables(reported).items():
        caption = reported.loc[reported["table_id"] == table, "caption"].iloc[0]
        section.heading(f"{key} {caption}")
        section.table(df, caption)
        section.figure("data:image/png;base64,AAAA", caption)
        section.notice(caption)
    html = render_html(f"Report {SCRIPT}", f"Question {SCRIPT}", [section], commit=SCRIPT)
    assert_escaped(html)
    # the hostile model name, caption and dataset reached the page, as text
    assert f"LSTM{ESCAPED}" in html and f"Dataset {ESCAPED}" in html
    assert "&#34; onerror=&#34;alert(2)" in html


def test_report_environment_escapes_everything() -> None:
    env = environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x=SCRIPT) == ESCAPED


def test_no_template_or_report_code_marks_text_as_safe() -> None:
    """`|safe`, Markup() or `autoescape false` would let a string through unescaped."""
    files = [
        *(ROOT / "src/lnnmeta/templates").glob("*"),
        *(ROOT / "src/lnnmeta/report").glob("*.py"),
    ]
    pattern = re.compile(r"\|\s*safe\b|Markup\(|autoescape\s+false|autoescape\s*=\s*False")
    offenders = [f"{f}: {m.group(0)}" for f in files for m in pattern.finditer(f.read_text())]
    assert offenders == []


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    ],
)
def test_python_tags_are_rejected_with_a_clear_line(payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "x.yaml"
    path.write_text(f"title: {payload.format(marker=marker)}\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    (line,) = info.value.problems
    assert line.startswith(f"{path}: line 1, column 8: malformed YAML: ")
    assert "python/" in line and "expected plain YAML (Python tags are never loaded)" in line
    assert not marker.exists()


def test_the_workflow_loads_no_yaml_unsafely() -> None:
    """Every YAML read in src/ and the workflow goes through a safe loader."""
    unsafe = re.compile(
        r"yaml\.(unsafe_load|full_load|load_all|load)\((?![^)]*Loader=_UniqueKeyLoader)"
    )
    where = [
        *(ROOT / "src/lnnmeta").rglob("*.py"),
        *(ROOT / "workflow/scripts").glob("*.py"),
        *(ROOT / "rules").glob("*.smk"),
        ROOT / "Snakefile",
    ]
    offenders = [
        f"{f}: {m.group(0)}" for f in where for m in unsafe.finditer(f.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_nothing_evaluates_input_strings() -> None:
    """No eval/exec of text, no pickle, no pandas query/eval strings in the library and workflow."""
    pattern = re.compile(
        r"(?<![\w.])(eval|exec)\(|pickle\.load|\.query\(|pd\.eval\(|\bDataFrame\.eval\("
    )
    where = [
        *(ROOT / "src/lnnmeta").rglob("*.py"),
        *(ROOT / "workflow/scripts").glob("*.py"),
        *(ROOT / "rules").glob("*.smk"),
    ]
    offenders = [
        f"{f}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for f in where
        for text in [f.read_text(encoding="utf-8")]
        for m in pattern.finditer(text)
    ]
    assert offenders == []
