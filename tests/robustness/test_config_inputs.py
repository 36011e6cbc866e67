"""Bad configs: unknown keys, unknown model or task names, bad types or ranges give one clear line
each, in `lnnmeta validate` and when Snakemake builds the DAG (no traceback, no schema dump)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from lnnmeta.config import config_problems, validate_config
from lnnmeta.errors import InputError
from tests.conftest import ROOT
from tests.robustness.conftest import LITERATURE, dump, run_snakemake, symlink_workflow, tiny_config

BASE = tiny_config()


def with_(path: str, value: Any) -> dict[str, Any]:
    """BASE with the dotted key ``path`` set to ``value``."""
    cfg = copy.deepcopy(BASE)
    node = cfg
    *head, last = path.split(".")
    for k in head:
        node = node.setdefault(k, {})
    node[last] = value
    return cfg


def without(key: str) -> dict[str, Any]:
    cfg = copy.deepcopy(BASE)
    cfg.pop(key)
    return cfg


CASES: dict[str, tuple[Any, list[str]]] = {
    "unknown_top_key": (
        with_("trainig", {"units": 8}),
        ["key 'trainig'", "unknown key", "did you mean 'training'?"],
    ),
    "unknown_nested_key": (
        with_("training.epoch", 3),
        ["key 'training.epoch'", "did you mean 'epochs'?"],
    ),
    "unknown_model": (
        with_("models", ["lstm", "lstmm"]),
        ["key 'models'", "unknown model 'lstmm'", "did you mean 'lstm'?", "expected one of"],
    ),
    "unknown_task": (
        with_("tasks", ["italy_power"]),
        ["key 'tasks'", "unknown task 'italy_power'", "did you mean 'italy_power_demand'?"],
    ),
    "model_params_unknown_model": (
        with_("model_params", {"ltcc": {"lr": 0.1}}),
        ["key 'model_params.ltcc'", "unknown model"],
    ),
    "missing_key": (without("models"), ["key 'models'", "missing; expected this required key"]),
    "wrong_type_seeds": (with_("seeds", "0"), ["key 'seeds'", "'0' is text; expected a list"]),
    "wrong_type_units": (
        with_("training.units", "8"),
        ["key 'training.units'", "expected a whole number"],
    ),
    "wrong_type_seed_item": (
        with_("seeds", [0, 1.5]),
        ["key 'seeds.1'", "expected a whole number"],
    ),
    "negative_seed": (
        with_("seeds", [-1]),
        ["key 'seeds.0'", "out of range; expected a value >= 0"],
    ),
    "units_out_of_range": (
        with_("training.units", 1),
        ["key 'training.units'", "expected a value >= 2"],
    ),
    "zero_learning_rate": (with_("training.lr", 0), ["key 'training.lr'", "expected a value > 0"]),
    "val_fraction_above_one": (
        with_("training.val_fraction", 1.5),
        ["key 'training.val_fraction'", "expected a value < 1"],
    ),
    "too_few_bootstraps": (
        with_("analysis.bootstrap", 10),
        ["key 'analysis.bootstrap'", "expected a value >= 100"],
    ),
    "unknown_backend": (
        with_("backend", "cuda"),
        ["key 'backend'", "'cuda' is not allowed", "expected one of fast, ncps"],
    ),
    "duplicate_seeds": (with_("seeds", [0, 0]), ["key 'seeds'", "lists an item twice"]),
    "empty_models": (with_("models", []), ["key 'models'", "too few items"]),
    "user_task_missing_file": (
        with_("user_tasks", {"mine": {"path": "no/such.csv", "kind": "classification"}})
        | {"tasks": ["mine"]},
        ["key 'user_tasks.mine.path'", "does not exist", "expected a CSV or Parquet file"],
    ),
    "user_task_bad_kind": (
        with_("user_tasks", {"mine": {"path": str(ROOT / "README.md"), "kind": "ranking"}})
        | {"tasks": ["mine"]},
        ["key 'user_tasks.mine.kind'", "expected one of classification, regression"],
    ),
    "user_task_shadows_builtin": (
        with_(
            "user_tasks", {"mnist1d": {"path": str(ROOT / "README.md"), "kind": "classification"}}
        ),
        ["key 'user_tasks.mnist1d'", "taken by a built-in task"],
    ),
    "empty_config": (None, ["the config is empty"]),
    "list_config": ([1, 2], ["top level", "expected a mapping"]),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_bad_config_gives_one_clear_line(kind: str) -> None:
    cfg, expected = CASES[kind]
    problems = config_problems(cfg, where="my.yaml")
    assert len(problems) == 1, problems
    line = problems[0]
    assert line.startswith("my.yaml: ") and "expected" in line and "\n" not in line, line
    for part in expected:
        assert part in line, f"{part!r} not in {line!r}"
    with pytest.raises(InputError):
        validate_config(cfg, where="my.yaml")


def test_all_config_problems_are_listed_together() -> None:
    cfg = with_("trainig", {}) | {"models": ["lstm", "gruu"], "seeds": [-1], "tasks": ["nope"]}
    problems = config_problems(cfg, where="c.yaml")
    assert len(problems) == 4, problems
    joined = "\n".join(problems)
    for part in ("'trainig'", "'gruu'", "'seeds.0'", "'nope'"):
        assert part in joined


def test_valid_configs_pass() -> None:
    from lnnmeta.config import load_config

    for name in ("config.yaml", "ci.yaml"):
        load_config(ROOT / "config" / name)
    assert config_problems(BASE) == []


COMMON = (ROOT / "rules" / "common.smk").read_text()


@pytest.fixture
def bad_config_workflow(tmp_path: Path) -> Path:
    work = symlink_workflow(tmp_path / "wf", BASE)
    bad = with_("trainig", {"units": 8}) | {"models": ["lstm", "transformerx"]}
    bad["training"]["units"] = 1
    (work / "bad.yaml").write_text(dump(bad))
    return work


@pytest.mark.slow
def test_snakemake_reports_registry_problems_without_traceback(tmp_path: Path) -> None:
    work = symlink_workflow(tmp_path / "wf", BASE)
    (work / "bad.yaml").write_text(dump({"models": ["lstm", "transformerx"], "tasks": ["nope"]}))
    res = run_snakemake(work, "-n", "--configfile", "bad.yaml")
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "unknown model 'transformerx'" in out and "unknown task 'nope'" in out
    assert "Traceback" not in out


@pytest.mark.slow
@pytest.mark.xfail(
    "validate(config" in COMMON,
    reason="rules/common.smk calls snakemake.utils.validate() first, which dumps the whole schema "
    "and the config before its own config_problems check can give the clear lines",
    strict=True,
)
def test_snakemake_reports_schema_problems_in_clear_lines(bad_config_workflow: Path) -> None:
    res = run_snakemake(bad_config_workflow, "-n", "--configfile", "bad.yaml")
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "Traceback" not in out
    assert "Failed validating" not in out and "On instance" not in out, out[-3000:]
    assert "key 'trainig': unknown key (did you mean 'training'?)" in out
    assert "key 'training.units': 1 is out of range; expected a value >= 2" in out
    assert "unknown model 'transformerx'" in out
    assert len(out.splitlines()) < 30


@pytest.mark.slow
@pytest.mark.xfail(
    "input_problems" not in COMMON,
    reason="rules/common.smk checks only the config when the DAG is built; a bad literature file "
    "stops only the ingest job, after other jobs may have written results",
    strict=True,
)
def test_snakemake_stops_on_bad_literature_before_any_job(tmp_path: Path) -> None:
    lit = tmp_path / "lit"
    lit.mkdir()
    for f in LITERATURE.iterdir():
        if f.is_file():
            (lit / f.name).write_bytes(f.read_bytes())
    bad = lit / "lechner2020ncp.yaml"
    bad.write_text(bad.read_text().replace("unit: none", "unit: furlongs", 1))
    work = symlink_workflow(tmp_path / "wf", BASE | {"literature_dir": str(lit)})
    res = run_snakemake(work, "-n")
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert f"{bad}: table 't1'" in out and "field 'unit': 'furlongs' is not allowed" in out
    assert "Traceback" not in out
