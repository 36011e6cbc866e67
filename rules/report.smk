from lnnmeta.analysis_tables import report_inputs

ANALYSIS = report_inputs()


rule render_report_html:
    """The comparison report as one self-contained HTML file, and its tables as CSV/Markdown/LaTeX."""
    input:
        reported="results/literature/reported.parquet",
        runs="results/runs/all.parquet",
        analysis=ANALYSIS,
        costs=COST_TABLES,
        claims=CFG["claims"],
        bib=f"{CFG['literature_dir']}/references.bib",
        code=code_of_script("render_report_html.py"),
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
        code=code_of_script("render_report_pdf.py"),
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
