"""Cluster resource requests grow with the model's cost."""

from __future__ import annotations

import math

import pytest

from lnnmeta.resources import train_resources

TRAINING = {"units": 16, "epochs": 40, "batch_size": 32, "max_train_samples": 400}


def test_ltc_asks_for_more_than_lstm() -> None:
    lstm = train_resources("elec_demand", "lstm", TRAINING, {})
    ltc = train_resources("elec_demand", "ltc", TRAINING, {})
    assert lstm[0] == 2000 and ltc[0] > lstm[0] and ltc[1] > lstm[1]


def test_requests_scale_with_units_and_cap() -> None:
    small = train_resources("elec_demand", "ltc", TRAINING, {})
    big = train_resources("elec_demand", "ltc", TRAINING, {"units": 64})
    assert big[0] > 4 * (small[0] - 2000) and big[1] > small[1]
    uncapped = train_resources("mnist1d", "cfc", {**TRAINING, "max_train_samples": None}, {})
    capped = train_resources("mnist1d", "cfc", TRAINING, {})
    assert uncapped[1] > capped[1]


def test_user_task_gets_a_generous_default() -> None:
    mem, minutes = train_resources("my_data", "gru", TRAINING, {})
    assert mem == 2000 and minutes > 5


def test_time_scales_with_the_seeds_of_one_job() -> None:
    one = train_resources("taylor", "ltc", TRAINING, {})
    five = train_resources("taylor", "ltc", TRAINING, {}, n_seeds=5)
    assert five[0] == one[0]  # one seed's memory: the seeds run one after another
    assert five[1] > one[1] and five[1] - 5 >= 5 * (one[1] - 5) - 4  # five seeds' time (ceil)


def test_requests_come_from_the_registries() -> None:
    from lnnmeta.registry import get_spec
    from lnnmeta.tasks import TASKS

    # a built-in task's shape is its registry entry; a user task's is the generous default
    spec = TASKS["mnist1d"]
    training = {**TRAINING, "max_train_samples": None, "epochs": 100}
    minutes = train_resources("mnist1d", "cfc", training, {})[1]
    expect = 100 * get_spec("cfc").epoch_s * spec.train_sequences * spec.steps / (400 * 48 * 60)
    assert minutes == 5 + math.ceil(expect)
    with pytest.raises(KeyError, match="unknown model 'lstn'"):
        train_resources("mnist1d", "lstn", TRAINING, {})
