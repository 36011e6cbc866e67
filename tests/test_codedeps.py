"""The code a rule runs, from the import graph (lnnmeta.codedeps)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lnnmeta.codedeps import CodeDepsError, code_of
from tests.conftest import ROOT

SCRIPTS = sorted((ROOT / "workflow" / "scripts").glob("*.py"))


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A small lnnmeta package under tmp_path/src with every kind of import and resource."""
    _write(
        tmp_path / "src",
        {
            "lnnmeta/__init__.py": "",
            "lnnmeta/a.py": (
                "from typing import TYPE_CHECKING\n"
                "from lnnmeta import b\n"
                "from lnnmeta.sub import c\n"
                "if TYPE_CHECKING:\n"
                "    from lnnmeta.typing_only import T\n"
                "else:\n"
                "    import lnnmeta.runtime_else\n"
            ),
            "lnnmeta/b.py": "def f():\n    from .lazy import g\n    return g\n",
            "lnnmeta/lazy.py": "import importlib\nK = importlib.import_module('lnnmeta.dyn')\n",
            "lnnmeta/dyn.py": "",
            "lnnmeta/runtime_else.py": "",
            "lnnmeta/typing_only.py": "import lnnmeta.never\n",
            "lnnmeta/never.py": "",
            "lnnmeta/sub/__init__.py": "",
            "lnnmeta/sub/c.py": (
                "from pathlib import Path\n"
                "from ..d import X\n"
                "SCHEMA = 'schemas/x.yaml'\n"
                "NATIVE = Path(__file__).with_name('csrc')\n"
            ),
            "lnnmeta/d.py": "try:\n    import numpy\nexcept ImportError:\n    from lnnmeta import e\n",
            "lnnmeta/e.py": "",
            "lnnmeta/schemas/x.yaml": "a: 1\n",
            "lnnmeta/schemas/unused.yaml": "b: 2\n",
            "lnnmeta/sub/csrc/k.cpp": "",
            "lnnmeta/sub/csrc/k.h": "",
            "lnnmeta/sub/csrc/build/k.so": "",
            "script.py": "from lnnmeta.a import something\n",
        },
    )
    return tmp_path / "src"


def test_transitive_lazy_relative_dynamic_and_resources(package: Path) -> None:
    got = {
        Path(p).relative_to(package).as_posix() for p in code_of(package / "script.py", src=package)
    }
    assert got == {
        "lnnmeta/__init__.py",  # every import runs the package's __init__
        "lnnmeta/a.py",
        "lnnmeta/b.py",  # ``from lnnmeta import b``: a submodule
        "lnnmeta/lazy.py",  # imported inside a function: still runs in the job
        "lnnmeta/dyn.py",  # importlib.import_module("lnnmeta.dyn")
        "lnnmeta/runtime_else.py",  # the else branch of ``if TYPE_CHECKING`` runs
        "lnnmeta/sub/__init__.py",
        "lnnmeta/sub/c.py",
        "lnnmeta/d.py",  # ``from ..d import X``
        "lnnmeta/e.py",  # inside except
        "lnnmeta/schemas/x.yaml",  # named relative to the package root
        "lnnmeta/sub/csrc/k.cpp",  # a directory named relative to the module
        "lnnmeta/sub/csrc/k.h",
    }  # not typing_only.py / never.py (TYPE_CHECKING), unused.yaml, build outputs


def test_missing_module_is_one_clear_line(package: Path) -> None:
    (package / "script.py").write_text("import os\nfrom lnnmeta.nothere import x\n", "utf-8")
    with pytest.raises(CodeDepsError, match=r"script\.py:2: imports 'lnnmeta.nothere', which has"):
        code_of(package / "script.py", src=package)


def test_known_dependencies_of_the_rules() -> None:
    """The inputs the hand-written lists missed (issue 15) are derived."""
    src = ROOT / "src"

    def deps(script: str) -> set[str]:
        paths = code_of(ROOT / "workflow" / "scripts" / script, src=src)
        return {Path(p).relative_to(src / "lnnmeta").as_posix() for p in paths}

    assert {"stats/ranks.py", "stats/reruns.py", "stats/family.py"} <= deps("rank_models.py")
    assert {"stats/reproduce.py", "stats/reruns.py"} <= deps("check_reproduction.py")
    train = deps("train_baseline.py")
    kernels = {
        p.relative_to(src / "lnnmeta").as_posix() for p in (src / "lnnmeta/kernels").rglob("*")
    }
    assert {k for k in kernels if k.endswith((".py", ".h", ".cpp"))} <= train
    assert "sanity.py" not in train and "literature/loader.py" not in train  # training only
    assert "templates/report.html.j2" in deps("render_report_html.py")
    assert "schemas/literature.schema.yaml" in deps("ingest_literature.py")


def _runtime_modules(script: Path) -> set[str]:
    """The lnnmeta files Python loads when it imports what ``script`` imports (a fresh process)."""
    code = (
        "import ast, importlib, json, sys\n"
        f"tree = ast.parse(open({str(script)!r}).read())\n"
        "for node in tree.body:\n"
        "    if isinstance(node, ast.ImportFrom) and (node.module or '').startswith('lnnmeta'):\n"
        "        mod = importlib.import_module(node.module)\n"
        "        for a in node.names:\n"
        "            getattr(mod, a.name)\n"
        "    elif isinstance(node, ast.Import):\n"
        "        [importlib.import_module(a.name) for a in node.names if a.name.startswith('lnnmeta')]\n"
        "print(json.dumps(sorted(m.__file__ for n, m in list(sys.modules.items())\n"
        "      if (n == 'lnnmeta' or n.startswith('lnnmeta.')) and getattr(m, '__file__', None))))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(res.stdout))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_derived_code_holds_every_module_python_loads(script: Path) -> None:
    """Python's own import machinery is the reference: every lnnmeta module loaded by importing
    the script's imports is among the derived files (lazy imports come on top)."""
    derived = {str((ROOT / p).resolve()) for p in code_of(script, src=ROOT / "src")}
    loaded = {str(Path(f).resolve()) for f in _runtime_modules(script)}
    assert loaded, script
    assert loaded <= derived, sorted(loaded - derived)
