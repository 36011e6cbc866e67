rule ingest_literature:
    """Validate and normalize the curated paper files into one table of reported numbers."""
    input:
        papers=literature_files(),
        schema="workflow/schemas/literature.schema.yaml",
        bib=f"{CFG['literature_dir']}/references.bib",
        code=code_of_script("ingest_literature.py"),
    output:
        "results/literature/reported.parquet",
    log:
        "logs/ingest_literature/ingest_literature.log",
    params:
        literature_dir=lambda wildcards, input: os.path.dirname(input.bib),
    script:
        "../workflow/scripts/ingest_literature.py"
