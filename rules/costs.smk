# What the report reads (rules/report.smk).
COST_TABLES = [
    "results/costs/costs.parquet",
    "results/costs/exponents.parquet",
    "results/costs/comparisons.parquet",
]


rule measure_costs:
    """Time, memory and parameters of every model and backend over the T x H grid (runs alone)."""
    input:
        code=code_of_script("measure_costs.py"),
    output:
        rounds="results/costs/rounds.parquet",
        costs="results/costs/costs.parquet",
    log:
        "logs/measure_costs/measure_costs.log",
    benchmark:
        "benchmarks/measure_costs/measure_costs.tsv"
    # All cores: the scheduler starts nothing else while it runs; the code itself uses one thread.
    threads: all_cores
    resources:
        mem_mb=8000,  # max RSS 6.0 GB measured on the default grid (benchmarks/measure_costs)
        runtime=30,  # minutes; about 3 on one core
    params:
        costs=CFG["costs"],
    script:
        "../workflow/scripts/measure_costs.py"


rule compare_costs:
    """Growth exponents (cost ~ T^a H^b) and LNN-vs-RNN cost ratios, one measure at a time."""
    input:
        rounds="results/costs/rounds.parquet",
        costs="results/costs/costs.parquet",
        code=code_of_script("compare_costs.py"),
    output:
        exponents="results/costs/exponents.parquet",
        comparisons="results/costs/comparisons.parquet",
    log:
        "logs/compare_costs/compare_costs.log",
    params:
        costs=CFG["costs"],
    script:
        "../workflow/scripts/compare_costs.py"
