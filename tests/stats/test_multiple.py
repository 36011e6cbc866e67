"""Holm's correction (lnnmeta.stats.multiple) against a published example, and its single use."""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lnnmeta.stats.multiple import holm, holm_rows

# Published example (Wikipedia, "Holm-Bonferroni method", section Example, read 2026-12): four
# hypotheses with unadjusted p = 0.01, 0.03, 0.04, 0.005 tested at alpha = 0.05. 0.005 < 0.05/4
# and 0.01 < 0.05/3 are rejected; 0.03 is not < 0.05/2, so it and 0.04 are not.
EXAMPLE_P = [0.01, 0.03, 0.04, 0.005]
EXAMPLE_REJECT = [True, False, False, True]


def test_holm_matches_published_example() -> None:
    res = holm(EXAMPLE_P, alpha=0.05)
    assert res.reject.tolist() == EXAMPLE_REJECT
    # Adjusted p-values by the documented definition max_{j<=i} (m - j + 1) p_(j) (e.g.
    # metricgate.com/docs/holm-bonferroni-correction; R's p.adjust "holm"): sorted p = 0.005, 0.01,
    # 0.03, 0.04 -> 4*0.005, 3*0.01, 2*0.03, max(0.06, 1*0.04).
    assert res.adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_alpha_changes_the_decisions() -> None:
    # At alpha = 0.10 every step passes: 0.005 < 0.025, 0.01 < 0.0333, 0.03 < 0.05, 0.04 < 0.10.
    assert holm(EXAMPLE_P, alpha=0.10).reject.all()
    # At alpha = 0.01 the smallest p (0.005) is not below 0.01/4: nothing is rejected.
    assert not holm(EXAMPLE_P, alpha=0.01).reject.any()


def test_holm_leaves_non_finite_out_of_the_family() -> None:
    res = holm([0.01, math.nan, 0.03, 0.04, 0.005], alpha=0.05)
    assert res.tested.tolist() == [True, False, True, True, True]
    assert math.isnan(float(res.adjusted[1])) and not res.reject[1]
    # The NaN does not count as a fifth test: same family as the published example.
    assert res.adjusted[[0, 2, 3, 4]] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    with pytest.raises(ValueError, match="alpha"):
        holm(EXAMPLE_P, alpha=1.5)


def test_holm_rows_fills_only_tested_rows() -> None:
    rows: list[dict[str, Any]] = [{"p_value": p} for p in [*EXAMPLE_P, None]]
    holm_rows(rows, alpha=0.05)
    assert [r["reject_holm"] for r in rows[:4]] == EXAMPLE_REJECT
    assert "p_holm" not in rows[4] and "reject_holm" not in rows[4]
    assert np.isclose(rows[3]["p_holm"], 0.02)


def test_holm_is_written_once() -> None:
    """No module of the statistics layer calls multipletests or defines a Holm helper of its own."""
    stats_dir = Path(__file__).resolve().parents[2] / "src" / "lnnmeta" / "stats"
    offenders = []
    for path in sorted(stats_dir.glob("*.py")):
        if path.name == "multiple.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and "holm" in node.name.lower():
                offenders.append(f"{path.name}: def {node.name}")
            if isinstance(node, ast.ImportFrom) and node.module == "statsmodels.stats.multitest":
                offenders.append(f"{path.name}: imports statsmodels.stats.multitest")
    assert offenders == []
