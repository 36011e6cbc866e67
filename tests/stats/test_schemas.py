"""Every output schema is registered and round-trips through the validated Parquet I/O."""

from __future__ import annotations

from pathlib import Path

from lnnmeta.stats import literature_effects, rerun_comparisons
from lnnmeta.stats.schemas import TABLE_NAMES, typed_frame
from lnnmeta.tables import SCHEMAS, conform, read_table, write_table
from tests.stats.builders import reported_frame, scores_to_runs


def test_all_schemas_registered_and_empty_frames_conform() -> None:
    for name, schema in TABLE_NAMES.items():
        assert SCHEMAS[name] is schema
        conform(typed_frame([], schema), name)


def test_outputs_round_trip_through_parquet(tmp_path: Path) -> None:
    reported = reported_frame(
        [
            {"model": "LTC", "family": "LNN", "value": 91.0},
            {"model": "LSTM", "family": "RNN", "value": 90.0},
        ]
    )
    eff = literature_effects(reported)
    write_table(eff, tmp_path / "effects.parquet", "stats_effects")
    back = read_table(tmp_path / "effects.parquet", "stats_effects")
    assert back["effect"].tolist() == eff["effect"].tolist()
    comp = rerun_comparisons(scores_to_runs({"t": {"LTC": [1.0, 2.0], "GRU": [1.5, 2.5]}}))
    write_table(comp, tmp_path / "comp.parquet", "stats_rerun_comparisons")


def test_statistics_tables_have_machine_column_names() -> None:
    """Columns leaving the statistics layer are snake_case; wording belongs to the report."""
    import re

    bad = [
        f"{name}.{col}"
        for name, schema in TABLE_NAMES.items()
        for col in schema.names
        if not re.fullmatch(r"[a-z][a-z0-9_]*", col)
    ]
    assert bad == []


def test_copy_variants_are_keys_with_report_wording() -> None:
    from lnnmeta.report.labels import COPY_VARIANT_LABELS
    from lnnmeta.stats.meta import COPY_VARIANTS, copies_sensitivity

    assert set(COPY_VARIANT_LABELS) == set(COPY_VARIANTS)
    rows = []
    for i, val in enumerate([91.0, 92.5, 90.5]):
        sp = {"paper_key": f"p{i}", "spread": 1.0, "spread_kind": "std", "n_runs": 5}
        rows += [
            {"model": "LTC", "family": "LNN", "value": val, **sp},
            {"model": "LSTM", "family": "RNN", "value": 90.0, **sp},
        ]
    sens = copies_sensitivity(literature_effects(reported_frame(rows)))
    conform(sens, "stats_sensitivity_copies")
    assert list(dict.fromkeys(sens["variant"])) == list(COPY_VARIANTS)
