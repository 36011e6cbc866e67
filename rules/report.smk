ANALYSIS = [
    "results/analysis/effects.parquet",
    "results/analysis/meta.parquet",
    "results/analysis/leave_one_out.parquet",
    "results/analysis/sign_test.parquet",
    "results/analysis/egger.parquet",
    "results/analysis/rerun_summary.parquet",
    "results/analysis/rerun_comparisons.parquet",
    "results/analysis/rank_friedman.parquet",
    "results/analysis/rank_means.parquet",
    "results/analysis/rank_pairwise.parquet",
    "results/analysis/rvr_directions.parquet",
    "results/analysis/rvr_values.parquet",
    "results/analysis/rank_family.parquet",
    "results/analysis/rvr_excluded.parquet",
    "results/analysis/claim_verdicts.parquet",
    "results/analysis/effect_counts.parquet",
    "results/analysis/sensitivity_copies.parquet",
    "results/runs/sanity.parquet",
]


rule render_report_html:
    """The comparison report as one self-contained HTML file, and its tables as CSV/Markdown/LaTeX."""
    input:
        reported="results/literature/reported.parquet",
        runs="results/runs/all.parquet",
        analysis=ANALYSIS,
        costs=COST_TABLES,
        claims=CFG["claims"],
        bib=f"{CFG['literature_dir']}/references.bib",
        code=lib(
            "report/build.py",
            "report/render.py",
            "report/figures.py",
            "report/export.py",
            "templates/report.html.j2",
            "report/labels.py",
            "report/answer.py",
            "report/effects.py",
            "report/costs_section.py",
            "literature/survey.py",
            "claims.py",
            "verdicts.py",
            "stats/meta.py",
            "stats/plots.py",
            "stats/ranks.py",
        ),
    output:
        html=report(
            "reports/report.html",
            caption="../workflow/report/report.rst",
            category="Report",
            labels={"format": "HTML"},
        ),
        tables=report(
            directory("reports/tables"),
            patterns=["{name}.csv"],
            caption="../workflow/report/tables.rst",
            category="Tables",
        ),
    log:
        "logs/render_report_html/render_report_html.log",
    params:
        config=CFG,
    script:
        "../workflow/scripts/render_report_html.py"


rule render_report_pdf:
    """The same HTML printed to PDF by WeasyPrint (print stylesheet, page numbers)."""
    input:
        html="reports/report.html",
    output:
        report(
            "reports/report.pdf",
            caption="../workflow/report/report.rst",
            category="Report",
            labels={"format": "PDF"},
        ),
    log:
        "logs/render_report_pdf/render_report_pdf.log",
    script:
        "../workflow/scripts/render_report_pdf.py"
