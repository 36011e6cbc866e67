"""Multiple testing: Holm's step-down correction, the one copy used across the statistics layer.

Holm (1979) controls the family-wise error rate at ``alpha`` without assumptions on the dependence
between the tests: sort the ``m`` p-values, reject the ``i``-th smallest while
``p_(i) <= alpha / (m - i + 1)`` and stop at the first that fails. The adjusted p-value of the
``i``-th smallest is ``max_{j <= i} min(1, (m - j + 1) p_(j))``; a hypothesis is rejected when its
adjusted p-value is at most ``alpha``. statsmodels' ``multipletests(method="holm")`` computes both.

Used by the pairwise rank tests (:mod:`lnnmeta.stats.ranks`), the LNN-vs-RNN family test
(:mod:`lnnmeta.stats.family`) and the per-task rerun comparisons (:mod:`lnnmeta.stats.reruns`).
Non-finite p-values (no test was possible) are left out of the family and get no adjustment.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Holm:
    """Outcome of :func:`holm`: per input p-value, the adjusted p-value and the decision.

    ``adjusted`` is NaN and ``tested`` false where the input was not finite (not part of the
    family); ``reject`` is false there.
    """

    adjusted: FloatArray
    reject: BoolArray
    tested: BoolArray


def holm(p_values: npt.ArrayLike, alpha: float = 0.05) -> Holm:
    """Holm's (1979) step-down correction of a family of p-values.

    Parameters
    ----------
    p_values : array_like
        Raw p-values; non-finite entries are left out of the family.
    alpha : float
        Family-wise error rate.

    Returns
    -------
    Holm
        Adjusted p-values and rejections in the input order.
    """
    from statsmodels.stats.multitest import multipletests

    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    p = np.asarray(p_values, dtype=np.float64).reshape(-1)
    tested = np.isfinite(p)
    adjusted = np.full(p.shape, np.nan)
    reject = np.zeros(p.shape, dtype=bool)
    if tested.any():
        rej, adj, _, _ = multipletests(p[tested], alpha=alpha, method="holm")  # Holm 1979
        adjusted[tested] = adj
        reject[tested] = rej
    return Holm(adjusted, reject, tested)


def holm_rows(
    rows: Sequence[MutableMapping[str, Any]],
    alpha: float = 0.05,
    p_key: str = "p_value",
) -> None:
    """Add ``p_holm`` and ``reject_holm`` to each row whose ``p_key`` is finite (in place).

    The rows form one family (:func:`holm`); rows without a finite p-value are left without the
    two keys, so that the table's columns stay null there.
    """
    res = holm([r.get(p_key, np.nan) for r in rows], alpha)
    for r, adj, rej, ok in zip(rows, res.adjusted, res.reject, res.tested, strict=True):
        if ok:
            r["p_holm"], r["reject_holm"] = float(adj), bool(rej)
