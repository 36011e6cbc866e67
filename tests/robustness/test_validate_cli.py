"""`lnnmeta validate` checks every input (config, literature, BibTeX, claims, user data) without
running anything, and lists ALL problems, one line each, before exiting non-zero."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lnnmeta.cli import main
from tests.conftest import ROOT
from tests.robustness.conftest import LITERATURE, dump, tiny_config


def broken_inputs(root: Path) -> tuple[Path, dict[str, str]]:
    """A config naming broken inputs of every kind; returns it and the expected problem parts."""
    lit = root / "lit"
    lit.mkdir()
    for f in LITERATURE.iterdir():
        if f.is_file():
            (lit / f.name).write_bytes(f.read_bytes())
    ncp = lit / "lechner2020ncp.yaml"
    ncp.write_text(ncp.read_text().replace("unit: none", "unit: furlongs", 1))
    ltc = lit / "hasani2021ltc.yaml"
    ltc.write_text(ltc.read_text().replace("year: 2021", "year: twenty", 1))
    (lit / "extra2024new.yaml").write_text(
        (lit / "hasani2022cfc.yaml").read_text().replace("key: hasani2022cfc", "key: extra2024new")
    )  # valid, but has no BibTeX entry
    claims = root / "claims.yaml"
    claims.write_text(
        (ROOT / "config/claims.yaml")
        .read_text()
        .replace("    direction: lnn_better", "    direction: lnn_best", 1)
    )
    data = root / "mine.csv"
    data.write_text(
        "sequence_id,step,target,x_a,split\n"
        "1,0,a,0.1,train\n1,1,b,0.2,train\n"  # the target changes within sequence 1
        "2,0,a,0.3,validation\n2,1,a,0.4,validation\n"  # an unknown split
    )
    cfg = tiny_config() | {
        "literature_dir": str(lit),
        "claims": str(claims),
        "tasks": ["italy_power_demand", "mine"],
        "models": ["lstm", "cfc", "transformerx"],
        "user_tasks": {"mine": {"path": str(data), "kind": "classification"}},
        "analysys": {"rope": 0.01},
    }
    cfg_path = root / "bad.yaml"
    cfg_path.write_text(dump(cfg))
    expected = {
        "config key": f"{cfg_path}: key 'analysys': unknown key (did you mean 'analysis'?)",
        "config model": f"{cfg_path}: key 'models': unknown model 'transformerx'",
        "literature unit": f"{ncp}: table 't1' (Table 1), column 0 ('train_error'), field 'unit': "
        "'furlongs' is not allowed",
        "literature type": f"{ltc}: field 'year': 'twenty' is text; expected a whole number",
        "bibtex": f"{lit / 'references.bib'}: no entry for paper 'extra2024new'",
        "claims": f"{claims}: claim 0 ('zong_noise'), field 'direction': 'lnn_best' is not allowed "
        "(did you mean 'lnn_better'?)",
        "user target": f"{data} (user task 'mine'): column 'target': differs within sequence 1",
        "user split": f"{data} (user task 'mine'): row 4: column 'split' is 'validation'; expected train or test",
    }
    return cfg_path, expected


def test_validate_lists_every_problem_and_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg, expected = broken_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    for name, part in expected.items():
        assert part in err, f"{name}: {part!r} not in\n{err}"
    problems = [ln for ln in lines if ln.startswith("error: ")]
    assert len(problems) == 8, err  # one line per problem, no more
    assert lines[-1] == "8 problem(s) found; nothing was run"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.yaml",
        "claims.yaml",
        "lit",
        "mine.csv",
    ]


def test_validate_unreadable_config_still_checks_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    cfg = tmp_path / "c.yaml"
    cfg.write_bytes(b"tasks: [a\n")
    lit = tmp_path / "lit"
    lit.mkdir()
    (lit / "references.bib").write_text("")
    assert main(["validate", "--config", str(cfg), "--literature", str(lit)]) == 1
    err = capsys.readouterr().err
    assert f"{cfg}: line 2, column 1: malformed YAML" in err
    assert f"{lit}: no literature files" in err


def test_validate_command_exit_code_and_no_traceback(tmp_path: Path) -> None:
    cfg, expected = broken_inputs(tmp_path)
    exe = Path(sys.executable).with_name("lnnmeta")
    res = subprocess.run(
        [str(exe), "validate", "--config", str(cfg)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert all(part in res.stderr for part in expected.values())


def test_validate_ok(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate", "--config", "config/ci.yaml"]) == 0
    assert capsys.readouterr().out.startswith("ok: config/ci.yaml")


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        (
            "1,0,a,0.1\n1,1,a,0.2\n2,0,a,0.3\n2,1,a,0.4\n",
            "column 'target': one class only ('a'); expected at least two classes",
        ),
        (
            "1,0,a,0.1,train\n2,0,b,0.2,train\n3,0,c,0.3,test\n4,0,a,0.4,test\n",
            "column 'target': class 'c' occurs in test sequences but in no train sequence",
        ),
        (
            "1,0,a,0.1,train\n2,0,a,0.2,train\n3,0,b,0.3,test\n4,0,a,0.4,test\n",
            "column 'target': class 'b' occurs in test sequences but in no train sequence",
        ),
    ],
)
def test_validate_refuses_classification_data_it_cannot_learn(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rows: str,
    problem: str,
) -> None:
    data = tmp_path / "mine.csv"
    header = "sequence_id,step,target,x_a" + (",split" if "train" in rows else "")
    data.write_text(header + "\n" + rows)
    cfg = tiny_config() | {
        "tasks": ["mine"],
        "user_tasks": {"mine": {"path": str(data), "kind": "classification"}},
    }
    cfg_path = tmp_path / "c.yaml"
    cfg_path.write_text(dump(cfg))
    monkeypatch.chdir(ROOT)
    assert main(["validate", "--config", str(cfg_path)]) == 1
    err = capsys.readouterr().err
    assert f"{data} (user task 'mine'): {problem}" in err, err
