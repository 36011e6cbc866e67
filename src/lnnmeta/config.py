"""The workflow configuration: JSON-Schema validation with defaults, and checks against the registries."""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from lnnmeta.errors import InputError
from lnnmeta.models import REGISTRY
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


def config_problems(cfg: Any, where: str = "config") -> list[str]:
    """Every problem of a config: schema violations, then unknown task and model names."""
    if not isinstance(cfg, dict):
        return [f"{where}: top level is {type(cfg).__name__}; expected a mapping"]
    validator = jsonschema.Draft202012Validator(config_schema())
    problems = []
    for err in sorted(validator.iter_errors(cfg), key=lambda e: list(map(str, e.absolute_path))):
        key = ".".join(str(p) for p in err.absolute_path) or "top level"
        problems.append(f"{where}: key {key!r}: {err.message}")
    if problems:
        return problems
    user = cfg.get("user_tasks") or {}
    for t in cfg["tasks"]:
        if t not in BUILTIN and t not in user:
            problems.append(
                f"{where}: key 'tasks': unknown task {t!r}; expected one of {', '.join(BUILTIN)} "
                "or a name declared under user_tasks"
            )
    for m in cfg["models"]:
        if m not in REGISTRY:
            problems.append(
                f"{where}: key 'models': unknown model {m!r}; expected one of {', '.join(REGISTRY)}"
            )
    for m in cfg.get("model_params") or {}:
        if m not in REGISTRY:
            problems.append(
                f"{where}: key 'model_params.{m}': unknown model; expected one of {', '.join(REGISTRY)}"
            )
    for name, spec in user.items():
        if not Path(spec["path"]).exists():
            problems.append(
                f"{where}: key 'user_tasks.{name}.path': file {spec['path']!r} does not exist"
            )
    return problems


def validate_config(cfg: Any, where: str = "config") -> dict[str, Any]:
    """Validate ``cfg`` and return a copy with defaults filled in; raises :class:`InputError`."""
    problems = config_problems(cfg, where)
    if problems:
        raise InputError(problems)
    out = copy.deepcopy(cfg)
    _fill_defaults(config_schema(), out)
    return out


def load_config(path: str | Path) -> dict[str, Any]:
    """Load and validate a config file."""
    return validate_config(load_yaml(path), where=str(path))
