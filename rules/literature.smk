rule ingest_literature:
    """Validate and normalize the curated paper files into one table of reported numbers."""
    input:
        papers=literature_files(),
        schema="workflow/schemas/literature.schema.yaml",
        code=lib("literature/loader.py", "literature/vocabulary.py", "tables.py"),
    output:
        "results/literature/reported.parquet",
    params:
        literature_dir=CFG["literature_dir"],
    log:
        "logs/ingest_literature/ingest_literature.log",
    script:
        "../workflow/scripts/ingest_literature.py"
