"""Sanity baselines: what a task gives without learning anything from the sequences.

For every task and seed, on exactly the splits the recurrent models see
(:func:`lnnmeta.training.prepare_splits`):

* **naive** (the floor a run must beat to count as *learned*):
  classification: the training set's majority class; regression: the better, on the training
  split, of the training mean and (forecasting tasks) persistence, the last observed value of the
  target (a random-walk forecast).
* **threshold**: classification: the accuracy that a predictor without skill (right with the
  majority rate ``p``) exceeds with probability at most ``alpha`` on the ``n`` test sequences,
  ``100 * binom.ppf(1 - alpha, n, p) / n`` (a one-sided binomial test); regression: the naive
  predictor's test MSE. A run is *learned* when its in-distribution test metric is strictly better
  than the threshold.
* **linear** (a reference, not a floor): logistic regression (classification) or ridge
  regression (regression) on the flattened inputs and time gaps, scikit-learn defaults.

Runs that are not learned are marked in the runs table (``learned``) and left out of the
reproduction verdicts and the across-task rank tests (:mod:`lnnmeta.stats`), with counts.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats as sps

from lnnmeta.tasks import Split, TaskData
from lnnmeta.training import Protocol, prepare_splits


def _flat(split: Split) -> np.ndarray:
    return np.concatenate([split.x.reshape(len(split), -1), split.dt], axis=1)


def _classification(fit: Split, test: Split, alpha: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    classes, counts = np.unique(fit.y, return_counts=True)
    majority = classes[np.argmax(counts)]
    p = float(np.mean(test.y == majority))
    n = len(test)
    threshold = 100.0 * float(sps.binom.ppf(1.0 - alpha, n, p)) / n
    if len(classes) < 2:
        linear = 100.0 * p
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = LogisticRegression(max_iter=2000).fit(_flat(fit), fit.y)
        linear = 100.0 * float(np.mean(clf.predict(_flat(test)) == test.y))
    return {
        "naive": "majority class",
        "naive_value": 100.0 * p,
        "threshold": threshold,
        "linear": "logistic regression",
        "linear_value": linear,
    }


def _regression(fit: Split, test: Split, channel: int | None) -> dict[str, Any]:
    from sklearn.linear_model import Ridge

    mean = float(np.mean(fit.y))
    candidates: dict[str, tuple[np.ndarray, np.ndarray]] = {
        "training mean": (np.full(len(fit), mean), np.full(len(test), mean))
    }
    if channel is not None:
        candidates["persistence"] = (fit.x[:, -1, channel], test.x[:, -1, channel])
    name = min(candidates, key=lambda k: float(np.mean((candidates[k][0] - fit.y) ** 2)))
    naive = float(np.mean((candidates[name][1] - test.y) ** 2))
    ridge = Ridge().fit(_flat(fit), fit.y)
    linear = float(np.mean((ridge.predict(_flat(test)) - test.y) ** 2))
    return {
        "naive": name,
        "naive_value": naive,
        "threshold": naive,
        "linear": "ridge regression",
        "linear_value": linear,
    }


def sanity_baseline(
    data: TaskData, seed: int, protocol: Protocol, alpha: float = 0.05
) -> dict[str, Any]:
    """The sanity baselines of one task and seed (one SANITY row).

    Parameters
    ----------
    data : TaskData
        The task as loaded for ``seed``.
    seed : int
        The seed (caps and validation split as in training).
    protocol : Protocol
        The training protocol (its sample caps and validation fraction).
    alpha : float
        Level of the binomial test behind the classification threshold.

    Returns
    -------
    dict
        ``task``, ``seed``, ``metric``, ``higher_is_better``, ``n_test``, ``naive``,
        ``naive_value``, ``threshold``, ``linear``, ``linear_value``.
    """
    fit, val, test = prepare_splits(data, seed, protocol)
    train = Split(
        np.concatenate([fit.x, val.x]),
        np.concatenate([fit.dt, val.dt]),
        np.concatenate([fit.y, val.y]),
    )
    if data.kind == "classification":
        rec = _classification(train, test, alpha)
    else:
        rec = _regression(train, test, data.target_channel)
    return {
        "task": data.name,
        "seed": seed,
        "metric": data.metric,
        "higher_is_better": data.higher_is_better,
        "n_test": len(test),
        **rec,
    }


def is_learned(value: float, threshold: float, higher_is_better: bool) -> bool:
    """Whether a run's in-distribution metric is strictly better than the sanity threshold."""
    if not (np.isfinite(value) and np.isfinite(threshold)):
        return False
    return bool(value > threshold) if higher_is_better else bool(value < threshold)
