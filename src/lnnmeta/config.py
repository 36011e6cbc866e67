"""The workflow configuration: JSON-Schema validation with defaults, and checks against the registries."""

from __future__ import annotations

import copy
import difflib
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import yaml

from lnnmeta.errors import InputError, schema_errors, short_repr
from lnnmeta.registry import REGISTRY
from lnnmeta.tasks import BUILTIN
from lnnmeta.yamlio import load_yaml


@cache
def config_schema() -> dict[str, Any]:
    """The JSON Schema of the workflow config (shipped in the package; workflow/schemas links to it)."""
    text = resources.files("lnnmeta").joinpath("schemas/config.schema.yaml").read_text("utf-8")
    schema: dict[str, Any] = yaml.safe_load(text)
    return schema


def _fill_defaults(schema: dict[str, Any], node: dict[str, Any]) -> None:
    for key, sub in (schema.get("properties") or {}).items():
        if key not in node and "default" in sub:
            node[key] = copy.deepcopy(sub["default"])
        if isinstance(node.get(key), dict) and sub.get("type") == "object":
            _fill_defaults(sub, node[key])


def _key(path: list[str | int]) -> str:
    return ".".join(str(p) for p in path) or "top level"


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def config_problems(cfg: Any, where: str = "config") -> list[str]:
    """Every problem of a config: schema violations and unknown task and model names.

    One line per problem: ``<where>: key '<dotted.key>': what is wrong; expected what``.
    """
    if cfg is None:
        return [f"{where}: the config is empty; expected a mapping with tasks, models and seeds"]
    if not isinstance(cfg, dict):
        return [f"{where}: top level is {short_repr(cfg)}; expected a mapping (key: value)"]
    validator = jsonschema.Draft202012Validator(config_schema())
    problems = [
        f"{where}: key {_key(path)!r}: {msg}"
        for path, msg in schema_errors(validator, cfg, noun="key")
    ]
    user_raw = cfg.get("user_tasks")
    user: dict[Any, Any] = user_raw if isinstance(user_raw, dict) else {}
    for t in _names(cfg.get("tasks")):
        if t not in BUILTIN and t not in user:
            problems.append(
                f"{where}: key 'tasks': unknown task {t!r}{_suggest(t, [*BUILTIN, *user])}; "
                f"expected one of {', '.join(BUILTIN)} or a name declared under user_tasks"
            )
    for m in _names(cfg.get("models")):
        if m not in REGISTRY:
            problems.append(
                f"{where}: key 'models': unknown model {m!r}{_suggest(m, REGISTRY)}; "
                f"expected one of {', '.join(REGISTRY)}"
            )
    params = cfg.get("model_params")
    for m in params if isinstance(params, dict) else {}:
        if m not in REGISTRY:
            problems.append(
                f"{where}: key 'model_params.{m}': unknown model{_suggest(m, REGISTRY)}; "
                f"expected one of {', '.join(REGISTRY)}"
            )
    for name, spec in user.items():
        if name in BUILTIN:
            problems.append(
                f"{where}: key 'user_tasks.{name}': the name is taken by a built-in task; "
                "expected another name"
            )
        path = spec.get("path") if isinstance(spec, dict) else None
        if isinstance(path, str) and not Path(path).is_file():
            problems.append(
                f"{where}: key 'user_tasks.{name}.path': file {path!r} does not exist; "
                "expected a CSV or Parquet file"
            )
    return problems


def _suggest(name: str, options: Any) -> str:
    close = difflib.get_close_matches(name, [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def user_data_problems(name: str, spec: dict[str, Any]) -> list[str]:
    """Problems of one user task's data file (layout in the README); reads it, trains nothing."""
    from lnnmeta.tasks import read_user_frame

    path = Path(str(spec.get("path", "")))
    try:
        df = read_user_frame(path)
    except InputError as exc:
        return [f"{p} (user task {name!r})" for p in exc.problems]
    out: list[str] = []
    where = f"{path} (user task {name!r})"
    feats = [c for c in df.columns if str(c).startswith("x_")]
    values = df[feats].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
        out.append(f"{where}: row {row + 2}: a feature value is infinite; expected finite numbers")
    if df.duplicated(["sequence_id", "step"]).any():
        row = int(np.flatnonzero(df.duplicated(["sequence_id", "step"]).to_numpy())[0])
        out.append(
            f"{where}: row {row + 2}: step given twice in one sequence; expected each "
            "(sequence_id, step) once"
        )
    varying = df.groupby("sequence_id", sort=True)["target"].nunique(dropna=False)
    if (varying > 1).any():
        out.append(
            f"{where}: column 'target': differs within sequence {varying[varying > 1].index[0]}; "
            "expected one target per sequence"
        )
    if df["target"].isna().any():
        row = int(np.flatnonzero(df["target"].isna().to_numpy())[0])
        out.append(f"{where}: row {row + 2}: column 'target' is empty; expected a value")
    if spec.get("kind") == "regression":
        bad = pd.to_numeric(df["target"], errors="coerce").isna() & df["target"].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            out.append(
                f"{where}: row {row + 2}: column 'target' is not a number; expected numbers "
                "for a regression task"
            )
    if "split" in df.columns:
        odd = ~df["split"].astype(str).isin(["train", "test"])
        if odd.any():
            row = int(np.flatnonzero(odd.to_numpy())[0])
            out.append(
                f"{where}: row {row + 2}: column 'split' is {short_repr(df['split'].iloc[row])}; "
                "expected train or test"
            )
        elif not {"train", "test"} <= set(df["split"].astype(str)):
            out.append(f"{where}: column 'split': expected both train and test sequences")
    if spec.get("kind") == "classification" and not out:  # only once the layout is sound
        out += _class_problems(df, where)
    if "time" in df.columns:
        t = pd.to_numeric(df["time"], errors="coerce")
        if t.isna().any():
            row = int(np.flatnonzero(t.isna().to_numpy())[0])
            out.append(
                f"{where}: row {row + 2}: column 'time' is not a number; expected time stamps"
            )
    return out


def _class_problems(df: pd.DataFrame, where: str) -> list[str]:
    """A classification task needs two classes, and (with a ``split`` column) every test class
    among the training sequences: a class never trained on can only be guessed wrong."""
    per_seq = df.groupby("sequence_id", sort=True).first()
    classes = per_seq["target"].dropna().astype(str)
    if classes.nunique() < 2:
        only = classes.iloc[0] if len(classes) else "none"
        return [
            f"{where}: column 'target': one class only ({short_repr(only)}); expected at least "
            "two classes for a classification task"
        ]
    if "split" not in per_seq.columns:
        return []
    split = per_seq["split"].astype(str)
    train = set(classes[split == "train"])
    missing = sorted(set(classes[split == "test"]) - train)
    if missing:
        return [
            f"{where}: column 'target': class {short_repr(missing[0])} occurs in test sequences "
            "but in no train sequence; expected every test class in the training split"
        ]
    if len(train) < 2:
        return [
            f"{where}: column 'target': the train sequences hold one class only; expected at "
            "least two classes in the training split"
        ]
    return []


def input_problems(
    cfg: Any,
    where: str = "config",
    literature_dir: str | None = None,
    check_config: bool = True,
) -> list[str]:
    """Every problem of the config and of every input it names, without running anything.

    The config (schema, registries; skipped when ``check_config`` is false), every literature
    file, references.bib, the claims file and the user data files. All problems are collected;
    the list is empty when everything is valid. Settings the config lacks take their defaults.
    """
    from lnnmeta.claims import load_claims
    from lnnmeta.literature.loader import literature_files, load_literature

    problems = config_problems(cfg, where) if check_config else []
    c = cfg if isinstance(cfg, dict) else {}

    def setting(key: str) -> str:
        value = c.get(key)
        return (
            value if isinstance(value, str) else str(config_schema()["properties"][key]["default"])
        )

    lit = Path(literature_dir or setting("literature_dir"))
    try:
        load_literature(lit)
    except InputError as exc:
        problems += exc.problems
    if lit.is_dir():  # every paper's key is its file stem (checked above)
        problems += bibliography_problems(
            lit / "references.bib", [f.stem for f in literature_files(lit)]
        )
    claims = Path(setting("claims"))
    if not claims.is_file():
        problems.append(
            f"{where}: key 'claims': file {str(claims)!r} does not exist; expected the claims YAML"
        )
    else:
        try:
            load_claims(claims)
        except InputError as exc:
            problems += exc.problems
    user = c.get("user_tasks")
    for name, spec in (user if isinstance(user, dict) else {}).items():
        if (
            isinstance(spec, dict)
            and isinstance(spec.get("path"), str)
            and Path(spec["path"]).is_file()
        ):
            problems += user_data_problems(str(name), spec)
    return problems


def bibliography_problems(bib: Path, keys: list[str]) -> list[str]:
    """``references.bib`` must exist and hold an entry for every paper file."""
    if not bib.is_file():
        return [f"{bib}: file does not exist; expected the BibTeX entries of the literature files"]
    try:
        text = bib.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{bib}: cannot read ({short_repr(str(exc), 80)}); expected UTF-8 BibTeX"]
    found = set(re.findall(r"@\s*\w+\s*\{\s*([^,\s]+)\s*,", text))
    return [
        f"{bib}: no entry for paper {k!r} ({bib.parent / (k + '.yaml')}); expected @article{{{k}, ...}}"
        for k in keys
        if k not in found
    ]


def validate_config(cfg: Any, where: str = "config") -> dict[str, Any]:
    """Validate ``cfg`` and return a copy with defaults filled in; raises :class:`InputError`."""
    problems = config_problems(cfg, where)
    if problems:
        raise InputError(problems)
    out: dict[str, Any] = copy.deepcopy(cfg)
    _fill_defaults(config_schema(), out)
    return out


def load_config(path: str | Path) -> dict[str, Any]:
    """Load and validate a config file."""
    return validate_config(load_yaml(path), where=str(path))
