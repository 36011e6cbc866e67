"""Generalization conditions transform the test split as documented."""

from __future__ import annotations

import numpy as np

from lnnmeta.conditions import Condition, apply, conditions_for, drop_steps, resample
from lnnmeta.tasks import Split, load_bitstream_xor


def _split(n: int = 4, t: int = 10, c: int = 2) -> Split:
    x = np.arange(n * t * c, dtype=np.float32).reshape(n, t, c)
    return Split(x, np.ones((n, t), dtype=np.float32), np.zeros(n, dtype=np.int64))


def test_drop_steps_keeps_total_time_and_last_step() -> None:
    s = _split()
    out = drop_steps(s, 0.3, np.random.default_rng(0))
    assert out.x.shape == (4, 7, 2)
    np.testing.assert_allclose(out.dt.sum(axis=1), 10.0)  # gaps add up to the original span
    np.testing.assert_array_equal(out.x[:, -1], s.x[:, -1])  # the last step is never dropped
    assert (out.dt >= 1).all() and (out.dt > 1).any()


def test_resample_halves_length_and_doubles_gaps() -> None:
    out = resample(_split(), 0.5)
    assert out.x.shape == (4, 5, 2)
    np.testing.assert_allclose(out.dt, 2.0)
    np.testing.assert_allclose(out.x[:, 0], _split().x[:, 0])
    np.testing.assert_allclose(out.x[:, -1], _split().x[:, -1])


def test_noise_is_seeded_and_spares_padding() -> None:
    s = _split()
    s.dt[:, :3] = 0.0  # left padding
    a = apply(Condition("noise_0.5", "noise", 0.5), s, seed=1)
    b = apply(Condition("noise_0.5", "noise", 0.5), s, seed=1)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.x[:, :3], s.x[:, :3])
    assert not np.allclose(a.x[:, 3:], s.x[:, 3:])


def test_irregular_native_task_has_no_drop_or_length_conditions() -> None:
    names = [
        c.name for c in conditions_for(load_bitstream_xor(0, n_train=8, n_test=8), {"noise": [0.1]})
    ]
    assert names == ["id", "noise_0.1"]
