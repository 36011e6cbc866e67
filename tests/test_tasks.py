"""Task loaders: shapes, standardization, splits, and a user's own CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lnnmeta.errors import InputError
from lnnmeta.tasks import (
    BUILTIN,
    TASKS,
    load_bitstream_xor,
    load_italy_power_demand,
    load_task,
    load_user_task,
)


def test_italy_power_demand_shapes() -> None:
    d = load_italy_power_demand(0)
    assert d.train.x.shape == (67, 24, 1) and d.test.x.shape == (1029, 24, 1)
    assert d.n_outputs == 2 and d.metric == "accuracy" and d.higher_is_better
    assert abs(float(d.train.x.mean())) < 1e-5  # standardized with training statistics


def test_bitstream_labels_are_parity_of_dense_stream() -> None:
    d = load_bitstream_xor(0, bits=8, n_train=50, n_test=10)
    x, dt, y = d.train.x[..., 0], d.train.dt, d.train.y
    ones = ((x > 0) * dt).sum(axis=1)  # each event stands for `gap` equal bits
    np.testing.assert_array_equal(ones.astype(int) % 2, y)
    np.testing.assert_allclose(dt.sum(axis=1), 8.0)


def test_elec_demand_has_shifted_test_set() -> None:
    d = load_task("elec_demand", 0)
    assert d.shift is not None and len(d.shift) > 0
    assert d.metric == "mse" and not d.higher_is_better


def _user_csv(tmp_path: Path) -> Path:
    rows = []
    rng = np.random.default_rng(0)
    for sid in range(30):
        for step in range(int(rng.integers(5, 9))):
            rows.append(
                {
                    "sequence_id": sid,
                    "step": step,
                    "target": sid % 3,
                    "x_a": rng.normal(),
                    "x_b": step,
                }
            )
    path = tmp_path / "mine.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_user_task_from_csv(tmp_path: Path) -> None:
    d = load_user_task("mine", {"path": str(_user_csv(tmp_path)), "kind": "classification"}, seed=0)
    assert d.train.x.shape[1:] == (8, 2) and len(d.train) + len(d.test) == 30
    assert d.n_outputs == 3
    assert set(np.unique(d.train.dt)) <= {0.0, 1.0}  # left padding has gap 0


def test_user_task_bad_file_is_one_clear_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("sequence_id,step,target,x_a\n0,0,1,abc\n")
    with pytest.raises(
        InputError, match=r"bad.csv: row 2: a feature value is empty or not a number"
    ):
        load_user_task("bad", {"path": str(p), "kind": "classification"}, seed=0)


@pytest.mark.parametrize("name", list(TASKS))
def test_registry_shape_is_the_loaded_training_data(name: str) -> None:
    # TaskSpec.steps/train_sequences size the cluster jobs (lnnmeta.resources)
    spec = TASKS[name]
    d = spec.loader(0)
    assert d.train.x.shape[:2] == (spec.train_sequences, spec.steps)
    assert d.name == name and BUILTIN[name] is spec.loader
    assert spec.description and "\n" not in spec.description
