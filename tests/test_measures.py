"""The efficiency-measure registry is the one list: every other list of measures agrees with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml

from lnnmeta.claims import CLAIMS_SCHEMA, COST_MEASURES, load_claims
from lnnmeta.errors import InputError
from lnnmeta.measures import COST_MEASURES as COST_REGISTRY
from lnnmeta.measures import (
    DIAGNOSTIC_MEASURES,
    TRAINING_MEASURES,
    cost_measure_names,
    training_measure_names,
)
from lnnmeta.tables import RUNS


def _rerun_props() -> dict[str, Any]:
    item = CLAIMS_SCHEMA["properties"]["claims"]["items"]
    props: dict[str, Any] = item["properties"]["rerun"]["properties"]
    return props


def test_runs_schema_has_the_training_measures_in_order_and_type() -> None:
    names = [n for n in RUNS.names if n in TRAINING_MEASURES]
    assert names == list(training_measure_names())
    start = RUNS.names.index(names[0])
    assert RUNS.names[start : start + len(names)] == names  # one contiguous block
    for name, m in TRAINING_MEASURES.items():
        assert RUNS.field(name).type == (pa.int64() if m.integer else pa.float64()), name
        assert not RUNS.field(name).nullable


def test_rerun_statistics_take_every_measure_with_its_family() -> None:
    from lnnmeta.stats.reruns import EFFICIENCY

    assert {n: m.dimension for n, m in TRAINING_MEASURES.items()} == EFFICIENCY
    assert all(m.lower_is_better for m in TRAINING_MEASURES.values())


def test_claims_schema_enums_are_the_registry() -> None:
    props = _rerun_props()
    assert props["measures"]["items"]["enum"] == [
        n for n, m in TRAINING_MEASURES.items() if not m.diagnostic
    ]
    assert props["cost_measures"]["items"]["enum"] == list(COST_REGISTRY)
    assert cost_measure_names() == COST_MEASURES


def test_claims_reject_a_diagnostic_timing(tmp_path: Path) -> None:
    base = {
        "id": "x", "claim": "c", "source": "s", "dimension": "efficiency",
        "direction": "lnn_better", "quantifier": "some",
    }  # fmt: skip
    path = tmp_path / "claims.yaml"
    path.write_text(
        yaml.safe_dump({"claims": [{**base, "rerun": {"measures": ["model_bytes"]}}]}), "utf-8"
    )
    assert load_claims(path)[0]["rerun"]["measures"] == ["model_bytes"]
    path.write_text(
        yaml.safe_dump({"claims": [{**base, "rerun": {"measures": ["infer_latency_s"]}}]}),
        "utf-8",
    )
    with pytest.raises(InputError, match=r"claim 0 \('x'\), field 'rerun.measures.0'"):
        load_claims(path)


def test_diagnostics_are_the_contention_timed_columns() -> None:
    from lnnmeta.verdicts import DIAGNOSTIC_MEASURES as in_verdicts

    assert in_verdicts == DIAGNOSTIC_MEASURES == ("train_time_per_epoch_s", "infer_latency_s")
    assert all(TRAINING_MEASURES[n].unit == "s" for n in DIAGNOSTIC_MEASURES)


def test_cost_tables_use_the_registry() -> None:
    from lnnmeta.costs import MEASURES

    assert MEASURES == COST_REGISTRY
    assert all(m.source == "benchmark" for m in MEASURES.values())
    assert {n for n, m in MEASURES.items() if m.per_round} == {
        "train_step_s",
        "infer_s_per_seq",
        "peak_rss_bytes",
    }


def test_report_labels_agree_with_the_registry() -> None:
    from lnnmeta.report.labels import HEADERS

    for name, m in TRAINING_MEASURES.items():
        assert HEADERS.get(name, m.label) == m.label, name
        assert ("diagnostic" in m.label) == m.diagnostic


def test_memory_sign_test_counts_every_memory_and_parameter_column() -> None:
    from lnnmeta.stats.bias import MEMORY_METRICS

    sized = {n for n, m in TRAINING_MEASURES.items() if m.dimension in ("memory", "parameters")}
    assert sized == {"n_params", "model_bytes", "peak_train_mem_bytes", "saved_for_backward_bytes"}
    assert sized <= set(MEMORY_METRICS)
    assert not set(MEMORY_METRICS) & set(DIAGNOSTIC_MEASURES)
