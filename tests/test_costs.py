"""Tests of the cost benchmark (lnnmeta.costs): schemas and units, the exponent fit, the comparisons."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lnnmeta import costs as C
from lnnmeta.config import config_schema, load_config
from lnnmeta.errors import InputError
from lnnmeta.models import build_model, count_trainable
from lnnmeta.tables import read_table, write_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny() -> tuple[C.CostGrid, pd.DataFrame, pd.DataFrame]:
    """A real measurement: 1 round, T in {10, 20}, H in {4, 8}, full design."""
    grid = C.CostGrid(
        steps=(10, 20),
        units=(4, 8),
        anchor_steps=20,
        anchor_units=8,
        design="full",
        models=("lstm", "cfc", "ltc"),
        rounds=1,
        batch=4,
        bootstrap=100,
    )
    rounds, costs = C.measure(grid)
    return grid, rounds, costs


def test_tiny_measurement_matches_schemas_and_units(
    tiny: tuple[C.CostGrid, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    _, rounds, costs = tiny
    for df, schema, name in ((rounds, C.COST_ROUNDS, "r"), (costs, C.COSTS, "c")):
        write_table(df, tmp_path / f"{name}.parquet", schema)
        assert len(read_table(tmp_path / f"{name}.parquet", schema)) == len(df)
    contenders = {
        ("lstm", "torch"),
        ("cfc", "ncps"),
        ("cfc", "fast"),
        ("ltc", "ncps"),
        ("ltc", "fast"),
    }
    assert set(zip(costs["model"], costs["backend"], strict=True)) == contenders
    # every cell x contender x measure once, each with its declared unit and dimension
    per_round = {m for m, spec in C.MEASURES.items() if spec.per_round}
    measured = set(C.MEASURES) if C.rss_supported() else set(C.MEASURES) - {"peak_rss_bytes"}
    assert len(costs) == 4 * len(contenders) * len(measured)
    assert set(rounds["measure"]) == per_round & measured
    for m, spec in C.MEASURES.items():
        sel = costs[costs["measure"] == m]
        assert set(sel["unit"]) <= {spec.unit} and set(sel["dimension"]) <= {spec.dimension}
    assert (costs["n"] == 1).all()  # one round; once-per-cell measures have n = 1 anyway
    assert (costs["q25"] <= costs["median"]).all() and (costs["median"] <= costs["q75"]).all()
    times = costs[costs["dimension"] == "time"]["median"]
    assert (times > 0).all() and (times < 60).all()  # seconds, not milliseconds or nanoseconds


def test_tiny_measurement_values(tiny: tuple[C.CostGrid, pd.DataFrame, pd.DataFrame]) -> None:
    _, _, costs = tiny
    val = costs.set_index(["model", "backend", "steps", "units", "measure"])["median"]
    # parameters: the registry model's own count; the fast kernels are ncps-compatible (same count)
    for model in ("lstm", "cfc", "ltc"):
        expected = count_trainable(build_model(model, 8, 1, 8))
        backend = "torch" if model == "lstm" else "fast"
        assert val[(model, backend, 20, 8, "n_params")] == expected
    for model in ("cfc", "ltc"):
        assert val[(model, "ncps", 10, 8, "n_params")] == val[(model, "fast", 10, 8, "n_params")]
    # memory: ncps' LTC keeps every ODE unfold for backward; doubling T doubles its saved bytes
    ltc10 = val[("ltc", "ncps", 10, 8, "saved_bytes")]
    assert val[("ltc", "ncps", 20, 8, "saved_bytes")] == pytest.approx(2 * ltc10, rel=0.1)
    assert val[("ltc", "ncps", 20, 8, "saved_bytes")] > val[("ltc", "fast", 20, 8, "saved_bytes")]
    assert (costs[costs["measure"] == "peak_alloc_bytes"]["median"] > 0).all()


def test_fit_recovers_known_exponents() -> None:
    """Synthetic costs c * T^1.3 * H^1.8 with 5% log-normal noise: estimates near, intervals cover."""
    rng = np.random.default_rng(1)
    rows = []
    for t in (25, 50, 100, 200, 400):
        for h in (8, 16, 32, 64, 128):
            value = 2e-6 * t**1.3 * h**1.8 * float(np.exp(rng.normal(0, 0.05)))
            rows.append(C._row("ltc", "fast", steps=t, units=h, batch=8, inputs=8,
                               measure="train_step_s", dimension="time", unit="s", n=3,
                               median=value, q25=value, q75=value, clock="process_time",
                               threads=1, torch_version="x", ncps_version="x"))  # fmt: skip
    fit = C.fit_exponents(C._frame(rows, C.COSTS)).iloc[0]
    assert fit["exponent_steps"] == pytest.approx(1.3, abs=0.05)
    assert fit["exponent_units"] == pytest.approx(1.8, abs=0.05)
    assert fit["steps_low"] < 1.3 < fit["steps_high"]
    assert fit["units_low"] < 1.8 < fit["units_high"]
    assert fit["n_cells"] == 25 and fit["r_squared"] > 0.99


def test_fit_exact_and_degenerate_cases() -> None:
    rows = []
    for t, h in ((10, 4), (20, 4), (10, 8)):  # three cells, three coefficients: no interval
        v = float(t * h**2)
        rows.append(C._row("lstm", "torch", steps=t, units=h, batch=1, inputs=1,
                           measure="saved_bytes", dimension="memory", unit="bytes", n=1,
                           median=v, q25=v, q75=v, clock="c", threads=1, torch_version="x",
                           ncps_version="x"))  # fmt: skip
    fit = C.fit_exponents(C._frame(rows, C.COSTS)).iloc[0]
    assert fit["exponent_steps"] == pytest.approx(1.0) and fit["exponent_units"] == pytest.approx(
        2.0
    )
    assert pd.isna(fit["steps_low"]) and fit["fit"] == "no_interval" and fit["zero_cells"] == 0
    assert fit["interval_level"] == 0.95
    # a memory increase of 0 cannot be logged: the cell is left out and counted, and with two
    # cells left no exponent can be fitted
    rows[0] = {**rows[0], "median": 0.0}
    fit = C.fit_exponents(C._frame(rows, C.COSTS), level=0.9).iloc[0]
    assert fit["zero_cells"] == 1 and fit["fit"] == "too_few_cells" and fit["interval_level"] == 0.9
    assert pd.isna(fit["exponent_steps"]) and pd.isna(fit["exponent_units"])


def _synthetic(
    measure_values: dict[str, dict[tuple[str, str], list[float]]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rounds and summary tables at T=50, H=32 from {measure: {(model, backend): values}}."""
    rounds, summary = [], []
    for m, by in measure_values.items():
        spec = C.MEASURES[m]
        for (model, backend), values in by.items():
            if spec.per_round:
                rounds += [C._row(model, backend, steps=50, units=32, round=i, measure=m,
                                  unit=spec.unit, value=v) for i, v in enumerate(values)]  # fmt: skip
            q25, med, q75 = np.quantile(values, [0.25, 0.5, 0.75])
            summary.append(C._row(model, backend, steps=50, units=32, batch=8, inputs=8,
                                  measure=m, dimension=spec.dimension, unit=spec.unit,
                                  n=len(values), median=med, q25=q25, q75=q75, clock="c",
                                  threads=1, torch_version="x", ncps_version="x"))  # fmt: skip
    return C._frame(rounds, C.COST_ROUNDS), C._frame(summary, C.COSTS)


def test_comparisons_never_mix_measures(tmp_path: Path) -> None:
    rounds, costs = _synthetic(
        {
            "train_step_s": {
                ("ltc", "ncps"): [1.0, 1.1, 0.9, 1.05, 0.95],
                ("ltc", "fast"): [0.1, 0.11, 0.09, 0.1, 0.1],
                ("lstm", "torch"): [0.2, 0.21, 0.19, 0.2, 0.2],
                ("gru", "torch"): [0.1, 0.1, 0.1, 0.1, 0.1],
            },
            "n_params": {
                ("ltc", "ncps"): [1000],
                ("ltc", "fast"): [1000],
                ("lstm", "torch"): [4000],
                ("gru", "torch"): [3000],
            },
            "saved_bytes": {
                ("ltc", "ncps"): [5e8],
                ("ltc", "fast"): [1e7],
                ("lstm", "torch"): [1e7],
                ("gru", "torch"): [8e6],
            },
        }
    )
    cmp = C.compare_costs(costs, rounds, steps=50, units=32, resamples=500)
    write_table(cmp, tmp_path / "comparisons.parquet", C.COST_COMPARISONS)
    assert len(C.read_comparisons(tmp_path / "comparisons.parquet")) == 3 * 2 * 2
    by = costs.set_index(["model", "backend", "measure"])["median"]
    for _, r in cmp.iterrows():
        # both sides of every row come from the row's own measure, in its own unit and dimension
        assert r["lnn_median"] == by[(r["lnn_model"], r["backend"], r["measure"])]
        assert r["rnn_median"] == by[(r["rnn_model"], "torch", r["measure"])]
        assert r["unit"] == C.MEASURES[r["measure"]].unit
        assert r["dimension"] == C.MEASURES[r["measure"]].dimension
        assert r["ratio"] == pytest.approx(r["lnn_median"] / r["rnn_median"])
        assert r["ratio_low"] <= r["ratio"] <= r["ratio_high"]
        assert r["backend"] in C.BACKENDS and r["interval_kind"] in C.INTERVAL_KINDS
        if r["interval_kind"] == "percentile_bootstrap":  # timed every round: level, resamples
            assert C.MEASURES[r["measure"]].per_round
            assert r["interval_level"] == 0.95 and r["resamples"] == 500
        else:  # measured once: exact, no level, no resamples
            assert pd.isna(r["interval_level"]) and pd.isna(r["resamples"])
    row = cmp.set_index(["measure", "lnn_model", "backend", "rnn_model"])
    assert row.loc[("train_step_s", "ltc", "ncps", "lstm"), "favours"] == "RNN"
    assert row.loc[("train_step_s", "ltc", "fast", "lstm"), "favours"] == "LNN"
    exact = row.loc[("n_params", "ltc", "fast", "lstm")]
    assert exact["ratio"] == exact["ratio_low"] == exact["ratio_high"] == pytest.approx(0.25)
    assert exact["favours"] == "LNN" and exact["interval_kind"] == "exact"
    assert row.loc[("saved_bytes", "ltc", "fast", "lstm"), "favours"] == "neither"  # ratio 1
    with pytest.raises(InputError, match="steps=100"):
        C.compare_costs(costs, rounds, steps=100, units=32)
    # one measure and one backend per claim
    one = C.comparisons_for(cmp, "train_step_s", "fast", rnn_models=["lstm"])
    assert list(one["lnn_model"]) == ["ltc"] and set(one["measure"]) == {"train_step_s"}
    assert len(C.comparisons_for(cmp, "saved_bytes", "ncps")) == 2
    with pytest.raises(InputError, match="unknown measure 'time'"):
        C.comparisons_for(cmp, "time", "fast")


def test_grid_from_config_and_schema_defaults_agree() -> None:
    schema = config_schema()["properties"]["costs"]["properties"]
    defaults = C.CostGrid()
    for key, spec in schema.items():
        value = getattr(defaults, key)
        assert (list(value) if isinstance(value, tuple) else value) == spec["default"], key
    assert set(schema) == {f.name for f in dataclasses.fields(C.CostGrid)}
    for name in ("config.yaml", "ci.yaml"):
        grid = C.CostGrid.from_config(load_config(ROOT / "config" / name)["costs"])
        assert (grid.anchor_steps, grid.anchor_units) in grid.cells()
    cross = C.CostGrid(steps=(25, 50, 100), units=(8, 32), anchor_steps=50, anchor_units=32)
    assert cross.cells() == [(25, 32), (50, 8), (50, 32), (100, 32)]


def test_grid_rejects_bad_settings() -> None:
    with pytest.raises(InputError, match="anchor_steps"):
        C.CostGrid.from_config({"steps": [10, 20], "anchor_steps": 30})
    with pytest.raises(InputError, match="unknown key"):
        C.CostGrid.from_config({"stepz": [10]})
    with pytest.raises(InputError, match="unknown model 'lsmt'"):
        C.CostGrid.from_config({"models": ["lsmt"]})


class _Sink:
    """The part of lnnmeta.report.sink.TableSink the cost section uses; records what it adds."""

    def __init__(self) -> None:
        self.tables: dict[str, pd.DataFrame] = {}
        self.captions: dict[str, str] = {}
        self.figures: list[str] = []

    def table(self, s: object, df: pd.DataFrame, caption: str, stem: str, **opts: object) -> None:
        self.tables[stem] = df
        self.captions[stem] = caption

    def figure(self, s: object, fig: object, caption: str, **opts: object) -> None:
        from lnnmeta.report import figures

        figures.embed(fig)  # type: ignore[arg-type]
        self.figures.append(caption)


def test_report_section_one_column_per_measure(
    tiny: tuple[C.CostGrid, pd.DataFrame, pd.DataFrame],
) -> None:
    from lnnmeta.report.inputs import ReportInputs
    from lnnmeta.report.sections.costs import EXPONENT_MEASURES, MEASURE_NAMES
    from lnnmeta.report.sections.costs import costs as costs_section

    _, rounds, costs = tiny
    tables = {
        "costs": costs,
        "exponents": C.fit_exponents(costs),
        "comparisons": C.compare_costs(costs, rounds, 20, 8, resamples=100),
    }
    b = _Sink()
    inp = ReportInputs(pd.DataFrame(), pd.DataFrame(), {}, [], [], {}, costs=tables)
    s = costs_section(inp, b)  # type: ignore[arg-type]
    ratios = b.tables["costs_ratios"]
    measured = set(costs["measure"])
    assert list(ratios.columns[2:]) == [MEASURE_NAMES[m] for m in C.MEASURES if m in measured]
    assert set(zip(ratios["LNN"], ratios["backend"], strict=True)) == {
        ("cfc", "ncps"), ("cfc", "fast"), ("ltc", "ncps"), ("ltc", "fast")
    }  # fmt: skip
    assert len(b.tables["costs_exponents"]) == 5
    assert len(b.figures) == len(measured)  # one scaling figure per measure
    assert any("optimised kernel" in c and "as published in ncps" in c for c in b.figures)
    # the intervals are worded from the table's typed columns, one phrase per kind
    timed = [MEASURE_NAMES[m] for m in C.MEASURES if m in measured and C.MEASURES[m].per_round]
    once = [MEASURE_NAMES[m] for m in C.MEASURES if m in measured and not C.MEASURES[m].per_round]
    caption = b.captions["costs_ratios"]
    assert f"{', '.join(timed)}: 95% percentile bootstrap over rounds (100 resamples)" in caption
    assert f"{', '.join(once)}: exact (measured once)" in caption
    assert "with 95% intervals" in b.captions["costs_exponents"]
    # the printed exponent table: time and memory measures, the noisy peak RSS left out
    assert set(EXPONENT_MEASURES) == {"train_step_s", "infer_s_per_seq", "saved_bytes",
                                      "peak_alloc_bytes"}  # fmt: skip
    assert any(blk.get("text", "").startswith("No Pareto plot") for blk in s.blocks)
    exps = tables["exponents"]
    odd = exps[(exps["fit"] != "fitted") | (exps["zero_cells"] > 0)]
    said = [b["text"] for b in s.blocks if b.get("text", "").startswith("Fits with cells left")]
    assert len(said) == (1 if len(odd) else 0)
    if len(odd):
        first = odd.iloc[0]
        assert f"{MEASURE_NAMES[first['measure']]}: " in said[0]


def test_interval_and_fit_words() -> None:
    from lnnmeta.report.labels import cost_interval_words, fit_words

    assert cost_interval_words("exact", None, None) == "exact (measured once)"
    assert cost_interval_words("percentile_bootstrap", 0.9, 2000) == (
        "90% percentile bootstrap over rounds (2000 resamples)"
    )
    with pytest.raises(ValueError, match="unknown interval kind 'bca'"):
        cost_interval_words("bca", 0.95, 10)
    assert fit_words("fitted", 0) == ""
    assert fit_words("too_few_cells", 2) == (
        "2 cell(s) with a median of 0 left out; too few cells to fit"
    )
