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


# --- lists of measures on the report side and in the rerun statistics ----------------------------
# Each test below is written so that a measure added to the registry, and forgotten by a list that
# should name it, fails here.


def test_every_dimension_of_each_source_has_one_headline_measure() -> None:
    from lnnmeta.measures import headline_measure

    for table, source in ((TRAINING_MEASURES, "training"), (COST_REGISTRY, "benchmark")):
        for dim in {m.dimension for m in table.values()}:
            name = headline_measure(source, dim)  # type: ignore[arg-type]
            assert table[name].dimension == dim
        assert all(m.source == source for m in table.values())
    assert headline_measure("training", "time") in DIAGNOSTIC_MEASURES  # shown, never judged
    with pytest.raises(ValueError, match="0 headline measures"):
        headline_measure("training", "energy")  # type: ignore[arg-type]


def test_efficiency_rows_take_their_orientation_from_the_registry() -> None:
    import pandas as pd

    from lnnmeta.stats.reruns import long_measures

    ident = {"task": "t", "model": "lstm", "family": "RNN", "seed": 0, "condition": "id",
             "condition_kind": "id", "condition_level": 0.0, "metric": "mse",
             "higher_is_better": False, "value": 1.0}  # fmt: skip
    runs = pd.DataFrame([{**ident, **{n: 1 for n in TRAINING_MEASURES}}])
    long = long_measures(runs).set_index("measure")
    for name, m in TRAINING_MEASURES.items():
        assert bool(long.loc[name, "higher_is_better"]) == (not m.lower_is_better), name
    assert set(long.index) == {"value", *TRAINING_MEASURES}


def test_report_cost_lists_derive_from_the_registry() -> None:
    from lnnmeta.costs import BACKENDS
    from lnnmeta.report.labels import BACKEND_LABELS
    from lnnmeta.report.sections.costs import EXPONENT_MEASURES, MEASURE_NAMES

    assert {n: m.label for n, m in COST_REGISTRY.items()} == MEASURE_NAMES
    assert set(EXPONENT_MEASURES) == {
        n for n, m in COST_REGISTRY.items() if m.dimension != "parameters" and not m.noisy
    }
    assert set(BACKEND_LABELS) == set(BACKENDS)


def test_rerun_memory_ratios_and_their_words_cover_registry_measures() -> None:
    from lnnmeta.report.answer import RATIO_WORDS
    from lnnmeta.stats.reruns import MEMORY_RATIO_MEASURES

    sized = {n for n, m in TRAINING_MEASURES.items() if m.dimension != "time"}
    assert set(MEMORY_RATIO_MEASURES) <= sized
    assert set(MEMORY_RATIO_MEASURES) <= set(RATIO_WORDS)


def test_no_measure_name_is_typed_in_the_report_layer() -> None:
    """The report names measures only through the registry (lnnmeta.measures): a quoted measure
    name in a report module is a hand-written list that a new measure would not join."""
    import re

    from tests.conftest import ROOT

    names = set(TRAINING_MEASURES) | set(COST_REGISTRY)
    allowed = {"answer.py": {"n_params", "peak_train_mem_bytes", "saved_for_backward_bytes"},
               "figures.py": {"n_params"}}  # fmt: skip
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "src/lnnmeta/report").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        quoted = {n for n in names if re.search(rf"[\"']{n}[\"']", text)}
        extra = quoted - allowed.get(path.name, set())
        if extra:
            found[str(path.relative_to(ROOT))] = extra
    assert not found, found
