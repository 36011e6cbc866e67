"""Section 6: methods, the configuration, software and provenance, and the references."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from lnnmeta import verdicts
from lnnmeta.provenance import git_commit, versions
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.render import Section
from lnnmeta.report.sink import TABLES_HREF, TableSink


def methods(inp: ReportInputs, out: TableSink) -> Section:
    """Section 6 (last: it lists every table exported before it)."""
    s = Section("methods", "6. Methods")
    s.heading("Effect sizes and pooling")
    s.text(
        "Effect sizes are signed so that positive means the LNN is better: Hedges' g (Hedges & "
        "Olkin 1985) where both sides have a spread and a run count; the log ratio of means for "
        "positive error and cost metrics, never for the drops under a shifted condition (a drop is "
        "a difference that can be zero or negative; its ratio explodes near zero), which are "
        "compared on Hedges' g only. Pairs within one comparison (same paper, table, task and "
        "metric) are averaged into one effect before pooling, with correlation 0.5 between pairs "
        "that share a row; copied numbers are counted once. Pooling: random effects with REML and "
        "DerSimonian-Laird (DerSimonian & Laird 1986), Knapp-Hartung intervals (Knapp & Hartung "
        "2003), I² clipped at 0, Cochran's Q and prediction intervals (Higgins et al. 2009). "
        "Comparisons without spread enter a binomial sign test. Egger's test (Egger et al. 1997) "
        "only when k ≥ 10."
    )
    s.heading("Tests on the reruns and corrections for multiple testing")
    s.text(
        f"Per task and model: mean and {inp.level} t interval over seeds. Per task, LNN vs RNN: P(LNN > RNN) "
        "over seeds with a percentile bootstrap interval (Bouthillier et al. 2021); Welch's t-test, "
        "or Mann-Whitney U when the seeds are not normal, Holm-corrected over all pairs. Across "
        "tasks: Friedman test, pairwise Wilcoxon signed-rank tests with Holm correction (Benavoli "
        "et al. 2016; Demšar 2006) and Bayesian signed-rank tests with a region of practical "
        f"equivalence of ±{inp.config.get('analysis', {}).get('rope', 0.01)} (relative; Benavoli "
        "et al. 2017). Generalization effects are the drops of the test metric under each "
        "shifted condition."
    )
    s.heading("Verdicts")
    s.items(verdicts.rules(inp.alpha))
    s.heading("Configuration")
    s.pre(
        yaml.safe_dump(inp.config, sort_keys=True, default_flow_style=None, width=88).strip(),
        "The configuration of this run (defaults filled in)",
    )
    s.heading("Software and provenance")
    v = versions()
    info = pd.DataFrame(
        [{"item": k, "value": val} for k, val in v.items()]
        + [
            {"item": "commit", "value": git_commit()},
            {
                "item": "inputs",
                "value": "results/literature/reported.parquet, results/runs/all.parquet, results/analysis/*.parquet",
            },
            {
                "item": f"tables exported to {TABLES_HREF}/ (CSV, Markdown, LaTeX)",
                "value": ", ".join(sorted(set(out.exported))),
            },
        ]
    )
    s.table(info, "Software versions, commit and exported tables", formats={"value": str})
    s.heading("References")
    if inp.refs:
        s.items(list(inp.refs), ordered=True)
    else:
        s.notice("No references: config/literature/references.bib is empty.")
    return s


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[{}]", "", text).replace("\\&", "&").split())


def format_authors(field: str, max_authors: int = 6) -> str:
    """BibTeX authors (``Last, First and ...`` or ``First Last and ...``) as ``Last F., ...``."""
    names = [n.strip() for n in _clean(field).split(" and ") if n.strip()]
    out = []
    for n in names:
        if "," in n:
            last, first = (p.strip() for p in n.split(",", 1))
        else:
            parts = n.split()
            last, first = parts[-1], " ".join(parts[:-1])
        initials = " ".join(p[0] + "." for p in re.split(r"[\s-]+", first) if p)
        out.append(f"{last} {initials}".strip())
    if len(out) > max_authors:
        return ", ".join(out[:max_authors]) + " et al."
    return ", ".join(out)


def references(bib_path: str | Path) -> list[str]:
    """The BibTeX entries rendered as one plain-text reference each, sorted by key."""
    import bibtexparser

    with open(bib_path, encoding="utf-8") as f:
        db = bibtexparser.load(f)
    out = []
    for e in sorted(db.entries, key=lambda e: e["ID"]):
        venue = _clean(e.get("journal") or e.get("booktitle") or e.get("howpublished") or "")
        if not venue and e.get("publisher"):  # a book: "Publisher, Address"
            venue = ", ".join(_clean(e[k]) for k in ("publisher", "address") if e.get(k))
        parts = [f"[{e['ID']}] {format_authors(e.get('author', ''))} ({e.get('year', 'n.d.')})."]
        title = _clean(e.get("title", ""))
        parts.append(title if title.endswith(("?", "!", ".")) else f"{title}.")
        if venue:
            vol = e.get("volume", "")
            pages = e.get("pages", "").replace("--", "–")
            parts.append(venue + (f" {vol}" if vol else "") + (f", {pages}" if pages else "") + ".")
        if e.get("doi"):
            parts.append(f"doi:{e['doi']}.")
        if e.get("eprint"):
            parts.append(f"arXiv:{e['eprint']}.")
        out.append(" ".join(parts))
    return out
