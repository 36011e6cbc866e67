"""Every rule with a script declares, as inputs, the lnnmeta code its script runs (lnnmeta.codedeps)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from lnnmeta.codedeps import code_of
from tests.conftest import ROOT, snakemake


def _rule_scripts() -> dict[str, tuple[str, str]]:
    """rule name -> (its script's file name, the script its ``code=`` input is derived from)."""
    out = {}
    for smk in sorted((ROOT / "rules").glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        for block in re.split(r"^rule ", text, flags=re.M)[1:]:
            name = block.split(":", 1)[0].strip()
            script = re.search(r'^\s+script:\s*\n\s+"\.\./workflow/scripts/(\w+\.py)"', block, re.M)
            code = re.search(r'^\s+code=code_of_script\("(\w+\.py)"\),$', block, re.M)
            if script or code:
                out[name] = (script.group(1) if script else "", code.group(1) if code else "")
    return out


def test_each_rule_derives_its_code_from_its_own_script() -> None:
    rules = _rule_scripts()
    assert len(rules) >= 12
    assert {n: (s, c) for n, (s, c) in rules.items() if s != c} == {}


def test_dag_inputs_hold_the_derived_code() -> None:
    """In the DAG of config/ci.yaml, every job of a script rule has its script's derived code as
    inputs (the input function runs where Snakemake plans the job)."""
    res = snakemake(ROOT, "-n", "--configfile", "config/ci.yaml", "--cores", "1")
    assert res.returncode == 0, res.stderr[-4000:]
    inputs: dict[str, list[set[str]]] = defaultdict(list)
    for block in re.split(r"^rule ", res.stdout, flags=re.M)[1:]:
        name = block.split(":", 1)[0]
        found = re.search(r"^\s+input: (.*)$", block, re.M)
        inputs[name].append(set(found.group(1).split(", ")) if found else set())
    rules = _rule_scripts()
    assert set(rules) <= set(inputs), set(rules) - set(inputs)
    for rule, (script, _) in rules.items():
        derived = code_of(ROOT / "workflow" / "scripts" / script, src=ROOT / "src")
        want = {str(Path(p).relative_to(ROOT)) for p in derived}
        assert want, rule
        for job_inputs in inputs[rule]:
            assert want <= job_inputs, (rule, sorted(want - job_inputs))
