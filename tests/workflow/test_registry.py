"""The analysis-table registry (lnnmeta.analysis_tables) agrees with the workflow's DAG and schemas."""

from __future__ import annotations

import re

import lnnmeta.stats.schemas  # noqa: F401 - registers the stats_* schemas
from lnnmeta.analysis_tables import ANALYSIS_TABLES, analysis_outputs, report_inputs
from lnnmeta.tables import SCHEMAS
from tests.conftest import ROOT, snakemake


def test_every_table_has_a_registered_schema() -> None:
    assert [t.schema for t in ANALYSIS_TABLES.values() if t.schema not in SCHEMAS] == []


def test_rule_outputs_and_report_inputs_agree_with_the_registry() -> None:
    """Every analysis table in the DAG of config/ci.yaml is written by the registry's rule, and the
    registry holds every table a rule writes under results/analysis/."""
    res = snakemake(ROOT, "--configfile", "config/ci.yaml", "--detailed-summary", "--cores", "1")
    assert res.returncode == 0, res.stderr[-4000:]
    produced = {}
    for line in res.stdout.splitlines():
        path, _, rest = line.partition("\t")
        if path.startswith("results/analysis/") or path.startswith("results/runs/sanity"):
            produced[path] = rest.split("\t")[1]
    assert produced == {t.path: t.rule for t in ANALYSIS_TABLES.values()}
    # The report reads exactly the registry's tables (rules/report.smk derives ANALYSIS from it).
    report_smk = (ROOT / "rules/report.smk").read_text(encoding="utf-8")
    assert re.search(r"^ANALYSIS = report_inputs\(\)$", report_smk, re.M)
    assert "analysis=ANALYSIS," in report_smk
    assert sorted(report_inputs()) == sorted(produced)


def test_analysis_outputs_split_the_registry() -> None:
    rules = {t.rule for t in ANALYSIS_TABLES.values()}
    merged = {k: v for r in sorted(rules) for k, v in analysis_outputs(r).items()}
    assert merged == {k: t.path for k, t in ANALYSIS_TABLES.items()}
