"""Every output schema is registered and round-trips through the validated Parquet I/O."""

from __future__ import annotations

from pathlib import Path

from stats_builders import reported_frame, scores_to_runs

from lnnmeta.stats import literature_effects, rerun_comparisons
from lnnmeta.stats.schemas import TABLE_NAMES, typed_frame
from lnnmeta.tables import SCHEMAS, conform, read_table, write_table


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
