rule train_baseline:
    """Train one model on one task with one seed; evaluate it under every condition."""
    input:
        code=lib("training.py", "models.py", "tasks.py", "conditions.py", "pipeline.py"),
    output:
        "results/runs/{task}/{model}/seed{seed}.parquet",
    log:
        "logs/train_baseline/{task}/{model}/seed{seed}.log",
    benchmark:
        "benchmarks/train_baseline/{task}/{model}/seed{seed}.tsv"
    threads: 1
    resources:
        # measured memory and time with a margin, scaling with units (lnnmeta/resources.py)
        mem_mb=lambda wc, attempt: attempt * train_resources(wc.task, wc.model)[0],
        runtime=lambda wc, attempt: attempt * train_resources(wc.task, wc.model)[1],
    params:
        training=CFG["training"],
        model_params=lambda wc: CFG["model_params"].get(wc.model, {}),
        conditions=CFG["conditions"],
        backend=CFG["backend"],
        user_tasks=lambda wc: {
            k: v for k, v in CFG["user_tasks"].items() if k == wc.task
        },
    script:
        "../workflow/scripts/train_baseline.py"


rule collect_runs:
    """Gather every rerun into one table."""
    input:
        runs=run_paths(),
        code=lib("tables.py"),
    output:
        "results/runs/all.parquet",
    log:
        "logs/collect_runs/collect_runs.log",
    script:
        "../workflow/scripts/collect_runs.py"
