"""The report builder on the real literature data without reruns: every section is there, and a
section whose data does not exist says so plainly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lnnmeta.claims import load_claims
from lnnmeta.config import load_config
from lnnmeta.literature.loader import load_literature
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.render import render_html
from lnnmeta.report.sections import build_sections, lead
from lnnmeta.report.sections.methods import references
from lnnmeta.report.sink import TableSink
from lnnmeta.tables import empty_frame
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def no_reruns(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    reported, _ = load_literature(ROOT / "config/literature")
    tables = tmp_path_factory.mktemp("tables")
    inp = ReportInputs(
        reported,
        empty_frame("runs"),
        {},
        load_claims(ROOT / "config/claims.yaml"),
        references(ROOT / "config/literature/references.bib"),
        load_config(ROOT / "config/ci.yaml"),
    )
    sections = build_sections(inp, TableSink(tables, inp.get("effects")))
    html = render_html("T", "Q", sections, "c0ffee", lead=lead(inp))
    return html, tables


def test_every_section_is_there(no_reruns: tuple[str, Path]) -> None:
    html, _ = no_reruns
    for sid in ("claims", "summary", "literature", "reruns", "reproduction", "quality", "methods"):
        assert f'<section id="{sid}">' in html


def test_missing_data_is_said_plainly(no_reruns: tuple[str, Path]) -> None:
    html, _ = no_reruns
    for text in (
        "No rerun results: the grid trained no model.",
        "No direction comparisons",
        "No value comparisons",
        "No pooled effects",
        "No forest plots",
        "No claim verdicts",
    ):
        assert text in html, text
    assert html.count('class="note"') >= 5


def test_literature_tables_and_references(no_reruns: tuple[str, Path]) -> None:
    html, tables = no_reruns
    assert "Survey tables regenerated from the data" in html
    assert "source: config/literature/hasani2021ltc.yaml" in html
    assert "[hasani2021ltc] Hasani R., Lechner M." in html
    survey = sorted(p.name for p in tables.glob("survey_*.csv"))
    assert survey and all((tables / n.replace(".csv", ".tex")).exists() for n in survey)
    quality = pd.read_csv(tables / "data_quality.csv")
    assert {"paper_key", "numbers", "copied"} <= set(quality.columns)


def test_no_wall_clock_time_in_the_body(no_reruns: tuple[str, Path]) -> None:
    import re

    html, _ = no_reruns
    assert not re.search(r"20\d\d-\d\d-\d\d[ T]\d\d:\d\d", html)


def test_the_answer_says_when_the_two_scales_disagree() -> None:
    import pandas as pd

    from lnnmeta.report.answer import pooled_sentence

    base = {
        "source": "rerun",
        "scope": "overall",
        "dimension": "accuracy",
        "metric_family": "all",
        "method": "REML",
        "k": 12,
    }
    meta = pd.DataFrame(
        [
            {**base, "scale": "smd", "estimate": -0.56, "ci_low": -1.01, "ci_high": -0.11},
            {**base, "scale": "log_ratio", "estimate": -0.33, "ci_low": -1.53, "ci_high": 0.87},
        ]
    )
    effects = pd.DataFrame(
        {"source": "rerun", "dimension": "accuracy", "cluster_id": ["a", "b"], "task": ["t1", "t2"]}
    )
    text = pooled_sentence(meta, effects, "rerun", "accuracy")
    assert text is not None and "the scales disagree" in text
    assert "Hedges' g: RNNs better" in text and "no clear difference" in text
    agree = meta.assign(ci_high=[-0.11, -0.05])
    assert "RNNs better (" in str(pooled_sentence(agree, effects, "rerun", "accuracy"))
