"""Section 4: reported vs reproduced (rule check_reproduction)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.labels import number
from lnnmeta.report.render import Section
from lnnmeta.report.sections.literature import PRINT_ROWS
from lnnmeta.report.sink import TableSink


def reproduction(inp: ReportInputs, out: TableSink) -> Section:
    """Section 4: directions and values of the reruns against the papers (check_reproduction)."""
    s = Section("reproduction", "4. Reported vs reproduced")
    d, v = inp.get("rvr_directions"), inp.get("rvr_values")
    stand = inp.config.get("analysis", {}).get("stand_ins", {}) or {}
    s.paragraphs.append(
        "A rerun task stands in for a paper's task where the config says so (analysis.stand_ins: "
        + (", ".join(f"{k} → {val}" for k, val in sorted(stand.items())) or "none")
        + "). Directions compare the sign of each LNN-vs-RNN difference; values test whether the "
        "reproduced mean is consistent with the reported mean ± spread (Welch's test from summary "
        "statistics)."
    )
    exc = inp.get("rvr_excluded")
    if not exc.empty:
        bad = exc[exc["n_not_learned"] > 0]
        s.paragraphs.append(
            f"Runs that did not beat their task's sanity baseline are not reproduction results "
            f"and are left out here: {int(exc['n_not_learned'].sum())} of {int(exc['n_runs'].sum())} "
            f"runs"
            + (
                " ("
                + ", ".join(
                    f"{m} on {t}: {n_bad} of {n}"
                    for m, t, n_bad, n in zip(
                        bad["model"].head(12),
                        bad["task"].head(12),
                        bad["n_not_learned"].head(12),
                        bad["n_runs"].head(12),
                        strict=True,
                    )
                )
                + (", ..." if len(bad) > 12 else "")
                + ")."
                if len(bad)
                else "."
            )
        )
    s.heading("Directions of LNN-vs-RNN differences")
    if d.empty:
        s.notice(
            "No direction comparisons: no rerun task stands in for a paper task on which the paper "
            "reports both an LNN and an RNN that we also reran."
        )
    else:
        cols = [
            "rerun_task",
            "paper_task",
            "paper_key",
            "location",
            "lnn_model",
            "rnn_model",
            "reported_direction",
            "reproduced_direction",
            "agreement",
        ]
        agree = int((d["agreement"] == "agree").sum())
        s.text(f"Directions agree in {agree} of {len(d)} model pairs.")
        out.table(
            s,
            d[cols],
            "Direction of each LNN-vs-RNN difference: paper vs rerun (+1 = LNN better)",
            "reported_vs_reproduced_directions",
            print_rows=PRINT_ROWS,
            formats={"reported_direction": str, "reproduced_direction": str},
        )
    s.heading("Reproduced values")
    if v.empty:
        s.notice(
            "No value comparisons: no rerun task is the paper's own task (analysis.own_tasks)."
        )
    else:
        counts = v["verdict"].value_counts()
        s.text(
            "Verdicts: "
            + ", ".join(f"{int(n)} {str(k).replace('_', ' ')}" for k, n in counts.items())
            + f" of {len(v)} reported numbers."
        )

        def msd(m: Any, sd: Any, n: Any) -> str:
            text = number(m)
            if pd.notna(sd):
                text += f" ± {number(sd)}"
            return text + (f" (n = {n})" if pd.notna(n) else "")

        shown = pd.DataFrame(
            {
                "task": v["task"],
                "paper_key": v["paper_key"],
                "location": v["location"],
                "model": v["model"],
                "metric": v["metric"],
                "reported": [
                    msd(*x)
                    for x in zip(
                        v["reported_value"], v["reported_sd"], v["reported_n"], strict=True
                    )
                ],
                "reproduced": [
                    msd(*x)
                    for x in zip(
                        v["reproduced_mean"],
                        v["reproduced_sd"],
                        v["reproduced_n"],
                        strict=True,
                    )
                ],
                "p_value": v["p_value"],
                "verdict": [str(x).replace("_", " ") for x in v["verdict"]],
            }
        )
        href = out.export(
            v, "reported_vs_reproduced_values", "Reported vs reproduced values (full table)"
        )
        out.table(
            s,
            shown,
            "Reproduced mean vs reported mean ± SD on the paper's own task (Welch's test; "
            "'consistent' = no significant difference)",
            print_rows=PRINT_ROWS,
            headers={"reported": "Reported mean ± SD", "reproduced": "Reproduced mean ± SD"},
            full_table=href,
        )
    return s
