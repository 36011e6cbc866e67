"""The model registry is torch-free and the only place of model facts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lnnmeta.registry import REGISTRY, TRADITIONAL, canonical_name, get_spec, liquid_models

ROOT = Path(__file__).resolve().parents[1]
#: Modules the DAG build imports: every lnnmeta import of the Snakefile and the rule files.
DAG_TIME_MODULES = sorted(
    {
        m
        for f in [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]
        for m in re.findall(r"^\s*from (lnnmeta[\w.]*) import", f.read_text("utf-8"), re.M)
    }
)


def test_the_dag_imports_the_config_and_the_resources() -> None:
    assert {"lnnmeta.config", "lnnmeta.codedeps", "lnnmeta.resources"} <= set(DAG_TIME_MODULES)


@pytest.mark.parametrize("module", DAG_TIME_MODULES)
def test_dag_time_modules_do_not_import_torch(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.'))\n"
        "print(len(bad))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "0", f"importing {module} imports torch"


def test_models_reexport_the_registry() -> None:
    from lnnmeta import models

    assert models.REGISTRY is REGISTRY and models.get_spec is get_spec


def test_traditional_rnns_are_the_discrete_time_registry_models() -> None:
    from lnnmeta.verdicts import TRADITIONAL as in_verdicts

    assert in_verdicts == TRADITIONAL == ("rnn", "lstm", "gru")
    assert all(REGISTRY[n].family == "RNN" for n in TRADITIONAL)
    assert "ctrnn" not in TRADITIONAL  # an RNN, but continuous-time (the LTC paper's baseline)


def test_liquid_models_are_the_lnn_family() -> None:
    assert liquid_models() == {n for n, s in REGISTRY.items() if s.family == "LNN"}
    assert canonical_name("cfc_mm") == "CfC-mmRNN"
    with pytest.raises(KeyError, match="unknown model 'lstn'; expected one of rnn, lstm"):
        get_spec("lstn")


def test_epoch_times_follow_the_measured_order() -> None:
    # measured at 16 units (lnnmeta.resources): LSTM 0.03 s < CfC 0.2-0.6 < CfC-NCP 0.6-1.2 < LTC 1.2-2.5
    s = {n: spec.epoch_s for n, spec in REGISTRY.items()}
    assert s["lstm"] < s["cfc"] < s["cfc_ncp"] < s["ltc"] == s["ltc_ncp"]
    measured_high = {"lstm": 0.03, "cfc": 0.6, "cfc_ncp": 1.2, "ltc": 2.5}
    for name, high in measured_high.items():
        assert high * 1.2 <= s[name] <= 4 * high, name  # 1.2x to 4x the measured upper end
