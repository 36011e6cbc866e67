from lnnmeta.analysis_tables import analysis_outputs


rule train_baseline:
    """Train one model on one task for every seed (one process); evaluate each under every condition."""
    input:
        code=code_of_script("train_baseline.py"),
    output:
        expand("results/runs/{{task}}/{{model}}/seed{seed}.parquet", seed=CFG["seeds"]),
    log:
        "logs/train_baseline/{task}/{model}.log",
    benchmark:
        "benchmarks/train_baseline/{task}/{model}.tsv"
    threads: 1
    resources:
        # measured memory and time with a margin, scaling with units and seeds (lnnmeta/resources.py)
        mem_mb=lambda wc, attempt: attempt * train_resources(wc.task, wc.model)[0],
        runtime=lambda wc, attempt: attempt * train_resources(wc.task, wc.model)[1],
    params:
        seeds=CFG["seeds"],
        training=PROTOCOL,
        model_params=lambda wc: CFG["model_params"].get(wc.model, {}),
        conditions=CFG["conditions"],
        backend=CFG["backend"],
        user_tasks=lambda wc: {
            k: v for k, v in CFG["user_tasks"].items() if k == wc.task
        },
        resume_dir="results/runs/{task}/{model}/.resume",
    script:
        "../workflow/scripts/train_baseline.py"


rule fit_sanity_baseline:
    """Sanity baselines of one task (majority class or persistence, and a linear model), every seed."""
    input:
        code=code_of_script("fit_sanity_baseline.py"),
    output:
        "results/sanity/{task}.parquet",
    log:
        "logs/fit_sanity_baseline/{task}.log",
    threads: 1
    params:
        seeds=CFG["seeds"],
        training=PROTOCOL,
        alpha=CFG["analysis"]["alpha"],
        user_tasks=lambda wc: {
            k: v for k, v in CFG["user_tasks"].items() if k == wc.task
        },
    script:
        "../workflow/scripts/fit_sanity_baseline.py"


rule collect_runs:
    """Gather every rerun into one table, each run marked learned or not against its sanity baseline."""
    input:
        runs=run_paths(),
        sanity=expand("results/sanity/{task}.parquet", task=CFG["tasks"]),
        code=code_of_script("collect_runs.py"),
    output:
        **analysis_outputs("collect_runs"),
        runs="results/runs/all.parquet",
    log:
        "logs/collect_runs/collect_runs.log",
    script:
        "../workflow/scripts/collect_runs.py"
