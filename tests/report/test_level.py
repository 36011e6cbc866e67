"""The report's text names the confidence level of analysis.alpha, never a hard-coded 95%."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lnnmeta import stats
from lnnmeta.claims import load_claims
from lnnmeta.config import load_config
from lnnmeta.literature.loader import load_literature
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.render import render_html
from lnnmeta.report.sections import claims, literature, methods, summary
from lnnmeta.report.sink import TableSink
from lnnmeta.tables import empty_frame
from lnnmeta.verdicts import dimension_verdicts
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def at_90(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """Summary, literature and methods of the curated papers, pooled at alpha = 0.10."""
    config = load_config(ROOT / "config/ci.yaml")
    config["analysis"]["alpha"] = 0.1
    reported, _ = load_literature(ROOT / "config/literature")
    effects = stats.literature_effects(reported)
    meta = stats.pool_effects(effects, alpha=0.1)
    loo = stats.leave_one_paper_out(effects, alpha=0.1)
    analysis = {
        "effects": effects,
        "meta": meta,
        "leave_one_out": loo,
        "literature_sensitivity": stats.literature_sensitivity(meta, loo, effects, alpha=0.1),
        "dimension_verdicts": dimension_verdicts(meta, effects),
    }
    inp = ReportInputs(
        reported,
        empty_frame("runs"),
        analysis,
        load_claims(ROOT / "config/claims.yaml"),
        [],
        config,
    )
    tables = tmp_path_factory.mktemp("tables")
    sink = TableSink(tables, effects, inp.level)
    sections = [f(inp, sink) for f in (claims, summary, literature, methods)]
    return render_html("T", "Q", sections, "c0ffee", lead=[]), tables


def test_level_comes_from_alpha(at_90: tuple[str, Path]) -> None:
    html, tables = at_90
    assert "90% CI" in html and "90% interval" in html
    # "95%" may be data (an I² of 95%, a sparsity level in a paper's caption), never a level
    level_95 = re.compile(r"95 ?% (CI|interval|prediction|t interval|region|interval)")
    assert not level_95.search(html), level_95.search(html)
    assert not level_95.search((tables / "literature_meta.md").read_text(encoding="utf-8"))
    assert "90% CI" in (tables / "summary_pooled.md").read_text(encoding="utf-8")


def test_level_text() -> None:
    inp = ReportInputs(empty_frame("reported"), empty_frame("runs"), {}, [], [], {})
    assert inp.level == "95%"
    for alpha, text in ((0.1, "90%"), (0.01, "99%"), (0.005, "99.5%")):
        assert (
            ReportInputs(inp.reported, inp.runs, {}, [], [], {"analysis": {"alpha": alpha}}).level
            == text
        )
