"""Null simulation: do the per-task tests reject at their nominal level?

Two identical models (same distribution of scores over seeds) are compared many times with the
test rule of :func:`lnnmeta.stats.reruns.two_sample_test` (Welch or Mann-Whitney). Under the null
the rejection rate should be close to ``alpha``; the Monte Carlo standard error of a rate ``p``
over ``r`` replications is ``sqrt(p (1 - p) / r)``.

Run as a script for a larger simulation::

    python -m lnnmeta.stats.simulation --replications 20000 --seeds 10
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from lnnmeta.stats.reruns import prob_outperform, two_sample_test


@dataclass(frozen=True)
class NullResult:
    """Outcome of :func:`null_rejection_rate`."""

    replications: int
    n_seeds: int
    alpha: float
    rejection_rate: float
    mc_se: float
    share_welch: float
    mean_p_outperform: float


def _draw(rng: np.random.Generator, n: int, distribution: str) -> np.ndarray:
    if distribution == "normal":
        return rng.normal(0.9, 0.02, n)
    # Skewed scores (e.g. an error rate): log-normal.
    return rng.lognormal(-3.0, 0.5, n)


def null_rejection_rate(
    replications: int = 2000,
    n_seeds: int = 10,
    alpha: float = 0.05,
    distribution: str = "normal",
    seed: int = 0,
    with_outperform: bool = False,
) -> NullResult:
    """Rejection rate of the per-task test when both models have the same score distribution.

    Parameters
    ----------
    replications : int
        Number of simulated comparisons.
    n_seeds : int
        Seeds per model.
    alpha : float
        Level of the test.
    distribution : {"normal", "lognormal"}
        Distribution of the scores over seeds.
    seed : int
        Seed of the generator.
    with_outperform : bool
        Also average ``P(A > B)`` (slower: one bootstrap per replication, 200 resamples).

    Returns
    -------
    NullResult
        Rejection rate, its Monte Carlo SE, the share of comparisons that used Welch's t-test and
        the mean estimated ``P(A > B)`` (NaN unless ``with_outperform``).
    """
    rng = np.random.default_rng(seed)
    rejections = welch = 0
    p_out = []
    for _ in range(replications):
        a, b = _draw(rng, n_seeds, distribution), _draw(rng, n_seeds, distribution)
        res = two_sample_test(a, b)
        rejections += int(res.p_value < alpha)
        welch += int(res.test == "welch")
        if with_outperform:
            p_out.append(prob_outperform(a, b, n_boot=200, rng=rng)[0])
    rate = rejections / replications
    return NullResult(
        replications=replications,
        n_seeds=n_seeds,
        alpha=alpha,
        rejection_rate=rate,
        mc_se=float(np.sqrt(rate * (1 - rate) / replications)),
        share_welch=welch / replications,
        mean_p_outperform=float(np.mean(p_out)) if p_out else float("nan"),
    )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point; prints the simulation result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--replications", type=int, default=20000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--distribution", choices=["normal", "lognormal"], default="normal")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    res = null_rejection_rate(args.replications, args.seeds, 0.05, args.distribution, args.seed)
    print(res)


if __name__ == "__main__":
    main()
