"""What the report is built from: every table, the config, the claims and the bibliography, read once.

:class:`ReportInputs` is frozen: the sections read it and never change it. The analysis tables are
read against their declared schemas through the registry :mod:`lnnmeta.analysis_tables`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lnnmeta.analysis_tables import ANALYSIS_TABLES, table_name
from lnnmeta.tables import read_table


@dataclass(frozen=True)
class ReportInputs:
    """The data of one report.

    ``analysis`` holds the analysis tables by registry name; ``authors`` the surnames per paper
    key (:func:`lnnmeta.report.answer.bib_authors`); ``costs`` the cost benchmark's tables
    (:func:`lnnmeta.report.sections.costs.read_cost_tables`), empty when there is none.
    """

    reported: pd.DataFrame
    runs: pd.DataFrame
    analysis: Mapping[str, pd.DataFrame]
    claims: Sequence[Mapping[str, Any]]
    refs: Sequence[str]
    config: Mapping[str, Any]
    authors: Mapping[str, Sequence[str]] = field(default_factory=dict)
    costs: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame:
        """The analysis table ``name`` (an empty frame when the report was not given it)."""
        return self.analysis.get(name, pd.DataFrame())

    @property
    def alpha(self) -> float:
        """The significance level of every test and interval (config ``analysis.alpha``)."""
        return float(self.config.get("analysis", {}).get("alpha", 0.05))

    @property
    def level(self) -> str:
        """The confidence level of the intervals as printed: ``95%`` for alpha 0.05."""
        return f"{100 * (1 - self.alpha):.4g}%"

    def cost_medians(self, per_task: bool) -> pd.DataFrame:
        """The reruns' cost medians (``rerun_costs``) wide: one column per measure, in the
        measures' order; per task and model (``per_task``) or per model over every task."""
        costs = self.get("rerun_costs")
        keys = ["task", "model", "family"] if per_task else ["model", "family"]
        if costs.empty:
            return pd.DataFrame(columns=keys)
        sel = costs[costs["task"] != "all"] if per_task else costs[costs["task"] == "all"]
        order = list(dict.fromkeys(costs["measure"]))
        wide = sel.pivot(index=keys, columns="measure", values="median")
        wide = wide.reindex(columns=order).reset_index()
        wide.columns.name = None
        return wide

    def summary_values(self) -> pd.DataFrame:
        """The rerun summaries of the test metric itself (measure ``value``)."""
        summ = self.get("rerun_summary")
        return summ[summ["measure"] == "value"] if not summ.empty else summ


def read_analysis(paths: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Read the analysis tables, each against its declared schema, keyed by registry name."""
    import lnnmeta.stats.schemas  # noqa: F401 - registers the stats_* schemas

    out = {}
    for p in paths:
        name = table_name(p)
        out[name] = read_table(p, ANALYSIS_TABLES[name].schema)
    return out
