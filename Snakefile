# lnnmeta: do liquid neural networks (LTC, CfC, NCP) beat recurrent networks (RNN, LSTM, GRU)?
#
# Output paths:
#   results/literature/reported.parquet            every number the curated papers report
#   results/runs/{task}/{model}/seed{seed}.parquet one rerun: a row per generalization condition
#   results/runs/all.parquet                       every rerun row
#   results/analysis/*.parquet                     effects, pooled meta-analyses, rank tests, checks
#   results/costs/*.parquet                        cost benchmark: rounds, medians, exponents, LNN/RNN ratios
#   reports/report.html, reports/report.pdf        the comparison report; reports/tables/ its tables
# Logs mirror outputs under logs/<rule>/..., benchmarks under benchmarks/<rule>/...


from snakemake.utils import min_version

min_version("9.10")


configfile: "config/config.yaml"


include: "rules/common.smk"
include: "rules/literature.smk"
include: "rules/baselines.smk"
include: "rules/analysis.smk"
include: "rules/costs.smk"
include: "rules/report.smk"


rule all:
    """The HTML and PDF comparison reports (and everything they are built from)."""
    input:
        final_outputs(),
