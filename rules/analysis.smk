from lnnmeta.analysis_tables import analysis_outputs


rule pool_effects:
    """Effect sizes (reported and rerun), random-effects pooling, sign tests, sensitivity, Egger."""
    input:
        reported="results/literature/reported.parquet",
        runs="results/runs/all.parquet",
        code=code_of_script("pool_effects.py"),
    output:
        **analysis_outputs("pool_effects"),
    log:
        "logs/pool_effects/pool_effects.log",
    params:
        alpha=CFG["analysis"]["alpha"],
    script:
        "../workflow/scripts/pool_effects.py"


rule rank_models:
    """Per-task rerun summaries and comparisons; LNN-vs-RNN family and pairwise rank tests across tasks."""
    input:
        runs="results/runs/all.parquet",
        code=code_of_script("rank_models.py"),
    output:
        **analysis_outputs("rank_models"),
    log:
        "logs/rank_models/rank_models.log",
    params:
        alpha=CFG["analysis"]["alpha"],
        bootstrap=CFG["analysis"]["bootstrap"],
        rope=CFG["analysis"]["rope"],
    script:
        "../workflow/scripts/rank_models.py"


rule check_reproduction:
    """Reported vs reproduced: directions model pair by model pair, and means on the papers' own tasks."""
    input:
        reported="results/literature/reported.parquet",
        runs="results/runs/all.parquet",
        code=code_of_script("check_reproduction.py"),
    output:
        **analysis_outputs("check_reproduction"),
    log:
        "logs/check_reproduction/check_reproduction.log",
    params:
        stand_ins=CFG["analysis"]["stand_ins"],
        own_tasks=CFG["analysis"]["own_tasks"],
        alpha=CFG["analysis"]["alpha"],
    script:
        "../workflow/scripts/check_reproduction.py"


rule judge_claims:
    """Each claim judged on its own evidence: literature, reruns (design limits), cost benchmark."""
    input:
        claims=CFG["claims"],
        effects="results/analysis/effects.parquet",
        meta="results/analysis/meta.parquet",
        pairwise="results/analysis/rank_pairwise.parquet",
        family="results/analysis/rank_family.parquet",
        comparisons="results/costs/comparisons.parquet",
        code=code_of_script("judge_claims.py"),
    output:
        **analysis_outputs("judge_claims"),
    log:
        "logs/judge_claims/judge_claims.log",
    params:
        models=CFG["models"],
        alpha=CFG["analysis"]["alpha"],
    script:
        "../workflow/scripts/judge_claims.py"
