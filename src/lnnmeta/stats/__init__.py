"""Statistics library: literature meta-analysis, rerun comparisons, rank tests, reproduction checks.

Pure functions on pandas DataFrames (no workflow imports). Every table returned follows a
pyarrow schema declared in :mod:`lnnmeta.stats.schemas` and registered in
:data:`lnnmeta.tables.SCHEMAS` (names ``stats_*``). Effects are signed so that a positive value
means "the liquid network (LNN) is better than the recurrent network (RNN)".
"""

from lnnmeta.stats.bias import (
    MEMORY_METRICS,
    cluster_directions,
    egger_regression,
    egger_test,
    memory_sign_test,
    sign_test,
)
from lnnmeta.stats.counts import effect_counts
from lnnmeta.stats.effect_sizes import hedges_g, log_ratio, spread_to_sd, spread_to_se
from lnnmeta.stats.literature import literature_effects
from lnnmeta.stats.meta import (
    Pooled,
    cluster_effects,
    copies_sensitivity,
    leave_one_paper_out,
    literature_sensitivity,
    pool_effects,
    pool_multilevel,
    prediction_interval,
    random_effects,
)
from lnnmeta.stats.plots import forest_plot, forest_plots, funnel_plot
from lnnmeta.stats.ranks import RankTests, cd_diagram, nemenyi_cd, rank_tests
from lnnmeta.stats.reproduce import ReportedVsReproduced, reported_vs_reproduced
from lnnmeta.stats.reruns import (
    long_measures,
    prob_outperform,
    rerun_comparisons,
    rerun_cost_ratios,
    rerun_costs,
    rerun_effects,
    rerun_summary,
    two_sample_test,
)
from lnnmeta.stats.schemas import TABLE_NAMES

__all__ = [
    "MEMORY_METRICS",
    "TABLE_NAMES",
    "Pooled",
    "RankTests",
    "ReportedVsReproduced",
    "cd_diagram",
    "cluster_directions",
    "cluster_effects",
    "copies_sensitivity",
    "effect_counts",
    "egger_regression",
    "egger_test",
    "forest_plot",
    "forest_plots",
    "funnel_plot",
    "hedges_g",
    "leave_one_paper_out",
    "literature_effects",
    "literature_sensitivity",
    "log_ratio",
    "long_measures",
    "memory_sign_test",
    "nemenyi_cd",
    "pool_effects",
    "pool_multilevel",
    "prediction_interval",
    "prob_outperform",
    "random_effects",
    "rank_tests",
    "reported_vs_reproduced",
    "rerun_comparisons",
    "rerun_cost_ratios",
    "rerun_costs",
    "rerun_effects",
    "rerun_summary",
    "sign_test",
    "spread_to_sd",
    "spread_to_se",
    "two_sample_test",
]
