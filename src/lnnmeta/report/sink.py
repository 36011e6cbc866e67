"""The table sink: where the report's tables and figures go, and the only place that knows the
exported tables' folder (``reports/tables/``) and formats (CSV raw; Markdown and LaTeX as displayed,
:mod:`lnnmeta.report.export`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from lnnmeta.report import effects as effects_mod
from lnnmeta.report import figures
from lnnmeta.report.export import export_csv, export_table
from lnnmeta.report.labels import Formatter, level_headers
from lnnmeta.report.render import Section, display_frame

#: The exported tables' folder as the report names it (reports/tables/ beside report.html).
TABLES_HREF = "reports/tables"


class TableSink:
    """Collects what the sections export; ``exported`` lists the stems, in order.

    Parameters
    ----------
    tables_dir : path
        The folder the exported tables are written to.
    effects : pandas.DataFrame
        The EFFECTS table, exported once (as effects.csv) when a table of pooled numbers links it.
    level : str
        The intervals' confidence level as printed (``95%``), named in the interval columns'
        headers unless a table gives its own.
    """

    def __init__(self, tables_dir: str | Path, effects: pd.DataFrame, level: str = "95%") -> None:
        self.tables_dir = Path(tables_dir)
        self.effects = effects
        self.headers = level_headers(level)
        self.exported: list[str] = []

    @staticmethod
    def href(stem: str) -> str:
        """Where the report says an exported table is: ``reports/tables/<stem>.csv``."""
        return f"{TABLES_HREF}/{stem}.csv"

    def export(
        self,
        df: pd.DataFrame,
        stem: str,
        caption: str,
        formats: Mapping[str, Formatter] | None = None,
        headers: Mapping[str, str] | None = None,
        **style: Any,
    ) -> str:
        """Export a table (CSV raw; Markdown and LaTeX as displayed); returns where the CSV is.

        ``style``: ``bold`` and ``marks`` of :func:`lnnmeta.report.export.export_table`; with them
        the frame is exported as it is (survey tables are text already).
        """
        shown = {**self.headers, **(headers or {})}
        display = None if style else display_frame(df, formats=formats, headers=shown)
        export_table(df, self.tables_dir, stem, caption, display=display, **style)
        self.exported.append(stem)
        return self.href(stem)

    def table(
        self,
        s: Section,
        df: pd.DataFrame,
        caption: str,
        stem: str | None = None,
        **opts: Any,
    ) -> None:
        """Add a table to a section (and export it when ``stem`` is given); a note if it is empty."""
        if df.empty:
            s.notice(f"{caption}: no rows in this data.")
            return
        opts["headers"] = {**self.headers, **(opts.get("headers") or {})}
        if stem:
            opts["full_table"] = self.export(
                df, stem, caption, opts.get("formats"), opts.get("headers")
            )
        if "effects" in df.columns:  # pooled numbers: link the effects they pool
            opts.setdefault("links", [self.effects_link()])
        s.table(df, caption, **opts)

    def effects_link(self) -> tuple[str, str]:
        """Export the per-comparison effect table once; the link text and target under a table."""
        if effects_mod.EFFECTS_STEM not in self.exported:
            export_csv(
                effects_mod.effects_table(self.effects), self.tables_dir, effects_mod.EFFECTS_STEM
            )
            self.exported.append(effects_mod.EFFECTS_STEM)
        return (
            f"The effects behind each pooled number: {self.href(effects_mod.EFFECTS_STEM)}, one "
            "row per LNN-RNN pair; its 'pools' column holds the id in this table's Effects column",
            effects_mod.EFFECTS_HREF,
        )

    def figure(self, s: Section, fig: Any, caption: str, screen_only: bool = False) -> None:
        """Embed a matplotlib figure in a section."""
        uri, width = figures.embed(fig)
        s.figure(uri, caption, width_in=width, screen_only=screen_only)
