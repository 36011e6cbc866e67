STATS = lib(
    "analysis.py",
    "stats/__init__.py",
    "stats/effect_sizes.py",
    "stats/literature.py",
    "stats/meta.py",
    "stats/bias.py",
    "stats/schemas.py",
    "stats/multilevel.py",
    "stats/counts.py",
)


rule pool_effects:
    """Effect sizes (reported and rerun), random-effects pooling, sign tests, sensitivity, Egger."""
    input:
        reported="results/literature/reported.parquet",
        runs="results/runs/all.parquet",
        code=STATS,
    output:
        effects="results/analysis/effects.parquet",
        meta="results/analysis/meta.parquet",
        leave_one_out="results/analysis/leave_one_out.parquet",
        sign_test="results/analysis/sign_test.parquet",
        egger="results/analysis/egger.parquet",
        effect_counts="results/analysis/effect_counts.parquet",
        sensitivity_copies="results/analysis/sensitivity_copies.parquet",
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
        code=STATS + lib("stats/ranks.py", "stats/reruns.py", "stats/family.py"),
    output:
        summary="results/analysis/rerun_summary.parquet",
        comparisons="results/analysis/rerun_comparisons.parquet",
        friedman="results/analysis/rank_friedman.parquet",
        means="results/analysis/rank_means.parquet",
        pairwise="results/analysis/rank_pairwise.parquet",
        family="results/analysis/rank_family.parquet",
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
        code=STATS + lib("stats/reproduce.py", "stats/reruns.py"),
    output:
        directions="results/analysis/rvr_directions.parquet",
        values="results/analysis/rvr_values.parquet",
        excluded="results/analysis/rvr_excluded.parquet",
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
        code=STATS
        + lib(
            "verdicts.py",
            "claims.py",
            "literature/vocabulary.py",
            "costs.py",
            "models.py",
            "tables.py",
        ),
    output:
        verdicts="results/analysis/claim_verdicts.parquet",
    log:
        "logs/judge_claims/judge_claims.log",
    params:
        models=CFG["models"],
        alpha=CFG["analysis"]["alpha"],
    script:
        "../workflow/scripts/judge_claims.py"
