"""Every setting a rule passes to the analysis stage is used there (no silently ignored parameter).

pool_all once took ``bootstrap`` from rule pool_effects and never used it; nothing in the pooling
resamples, so the parameter is gone from both. These tests catch the class of bug: a rule param the
script does not pass on, or a function parameter its body never reads.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from lnnmeta import analysis

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = {
    "pool_effects": analysis.pool_all,
    "rank_models": analysis.rank_all,
    "check_reproduction": analysis.reproduction_all,
}


def _rule_params(rule: str) -> set[str]:
    text = (ROOT / "rules" / "analysis.smk").read_text(encoding="utf-8")
    block = re.search(rf"^rule {rule}:\n(.*?)(?=^rule |\Z)", text, re.S | re.M)
    assert block, f"rule {rule} not in rules/analysis.smk"
    params = re.search(r"^    params:\n((?:        .*\n)+)", block.group(1), re.M)
    return set(re.findall(r"^        (\w+)=", params.group(1), re.M)) if params else set()


def _script_params(rule: str) -> set[str]:
    text = (ROOT / "workflow" / "scripts" / f"{rule}.py").read_text(encoding="utf-8")
    return set(re.findall(r"snakemake\.params\.(\w+)", text))


@pytest.mark.parametrize("rule", sorted(ENTRY_POINTS))
def test_rule_params_reach_the_library(rule: str) -> None:
    params = _rule_params(rule)
    assert params == _script_params(rule)  # the adapter passes every param, and only those
    signature = inspect.signature(ENTRY_POINTS[rule]).parameters
    assert params <= set(signature), f"{rule}: {params - set(signature)} not accepted"


@pytest.mark.parametrize("func", list(ENTRY_POINTS.values()), ids=lambda f: f.__name__)
def test_every_parameter_is_read(func: object) -> None:
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))  # type: ignore[arg-type]
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    read = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    unused = [a.arg for a in fn.args.args + fn.args.kwonlyargs if a.arg not in read]
    assert unused == [], f"{fn.name} ignores {unused}"


def test_pooling_takes_no_bootstrap() -> None:
    assert "bootstrap" not in inspect.signature(analysis.pool_all).parameters
    assert "bootstrap" not in _rule_params("pool_effects")
    assert "bootstrap" in _rule_params("rank_models")  # the P(LNN > RNN) interval over seeds
