"""Section 5: data quality of the curated literature (per paper, conflicts, unit fixes, copies)."""

from __future__ import annotations

from lnnmeta.literature.survey import conflicts, quality_summary
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.render import Section
from lnnmeta.report.sink import TableSink


def quality(inp: ReportInputs, out: TableSink) -> Section:
    """Section 5: the curated data per paper, conflicts between papers, unit fixes, copies."""
    s = Section("quality", "5. Data quality")
    if inp.reported.empty:
        s.notice("No reported numbers to check.")
        return s
    q = quality_summary(inp.reported)
    out.table(
        s,
        q,
        "Per paper: tables, numbers, numbers without spread, copied numbers, unit fixes, rows by "
        "family, conflicts with other papers",
        "data_quality",
    )
    c = conflicts(inp.reported)
    s.heading("Same task, model and metric, different values in two papers")
    if c.empty:
        s.notice("None: no task, model and metric is reported with different values by two papers.")
    else:
        out.table(
            s,
            c,
            "One column of one paper against one column of another paper (never two columns of "
            "one table): same task name, model, metric and unit, different values. Columns with "
            "the same id are paired when both papers have them; a difference can mean two setups "
            "under one task name, not an error",
            "conflicts",
            print_rows=6,
            formats={"value_a": str, "value_b": str},
        )
    s.heading("Unit fixes")
    fixes = inp.reported[inp.reported["unit_fixed_from"].notna()]
    fixes = fixes.assign(
        printed=[
            printed_unit(v, p, u)
            for v, p, u in zip(
                fixes["value"], fixes["value_as_printed"], fixes["unit"], strict=True
            )
        ]
    )[["source", "unit_fixed_from", "printed", "unit"]]
    if fixes.empty:
        s.notice("No unit fixes: every table's header matches its values.")
    else:
        out.table(
            s,
            fixes,
            "The header claims one unit, the values are in another (corrected before analysis)",
            "unit_fixes",
            print_rows=6,
            headers={
                "unit_fixed_from": "Header said",
                "printed": "Values are",
                "unit": "Analysed in",
            },
        )
    copied = inp.reported[inp.reported["copied_from"].notna()]
    s.text(
        f"Copied numbers: {len(copied)} of {len(inp.reported)} reported numbers were copied from "
        "another paper (marked † in the survey tables); each is counted once in the statistics."
    )
    return s


def printed_unit(value: float, printed: float, unit: str) -> str:
    """The unit the printed values are really in, from the scaling applied on ingest."""
    if printed == 0 or value == printed:
        return unit
    ratio = round(value / printed, 6)
    return {100.0: "fraction", 60.0: "minutes", 3600.0: "hours", 0.001: "milliseconds"}.get(
        ratio, unit
    )
