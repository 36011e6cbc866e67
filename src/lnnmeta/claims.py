"""Claims under test (``config/claims.yaml``): loading and validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from lnnmeta.errors import InputError, schema_errors, short_repr
from lnnmeta.measures import cost_measure_names, training_measure_names
from lnnmeta.yamlio import load_yaml

#: The cost benchmark's measures (the registry lnnmeta.measures, torch-free).
COST_MEASURES = cost_measure_names()

CLAIMS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["claims"],
    "properties": {
        "claims": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "claim", "source", "dimension", "direction", "quantifier"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                    "claim": {"type": "string", "minLength": 1},
                    "quote": {"type": "string"},
                    "source": {"type": "string", "minLength": 1},
                    "dimension": {"enum": ["accuracy", "efficiency", "generalization"]},
                    "direction": {"enum": ["lnn_better", "rnn_better", "lnn_not_better"]},
                    "quantifier": {"enum": ["overall", "some"]},
                    # The LNNs the claim is about (canonical names: "LTC", "CfC-mmRNN", ...);
                    # absent = every LNN. Literature effects are kept by name, rerun effects by
                    # the canonical name of their registry model (lnnmeta.models).
                    "lnn_models": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"type": "string", "minLength": 1},
                    },
                    "literature": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "dimension": {"enum": ["accuracy", "efficiency", "generalization"]},
                            "metric_family": {"enum": ["score", "error", "cost"]},
                            "metrics": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                            },
                        },
                    },
                    "rerun": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "condition_kinds": {
                                "type": "array",
                                "items": {"enum": ["id", "noise", "shift", "irregular", "length"]},
                            },
                            # Training-job measures (rank tests / pooled rerun effects). Their
                            # timing columns are measured under contention (diagnostics) and
                            # cannot be named: time is judged on the cost benchmark.
                            "measures": {
                                "type": "array",
                                "items": {"enum": list(training_measure_names(diagnostic=False))},
                            },
                            # Cost-benchmark measures (lnnmeta.measures.COST_MEASURES), judged one at a
                            # time on results/costs/comparisons.parquet, per backend.
                            "cost_measures": {
                                "type": "array",
                                "minItems": 1,
                                "uniqueItems": True,
                                "items": {"enum": list(COST_MEASURES)},
                            },
                        },
                    },
                },
            },
        }
    },
}


def _where(data: Any, path: list[str | int]) -> str:
    """'claim 2 ('lnn_accuracy'), field 'direction'' from a JSON path."""
    if len(path) >= 2 and path[0] == "claims" and isinstance(path[1], int):
        items = data.get("claims") if isinstance(data, dict) else None
        item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        cid = item.get("id") if isinstance(item, dict) else None
        head = f"claim {path[1]}" + (f" ({short_repr(cid)})" if cid else "")
        rest = ".".join(map(str, path[2:]))
        return head + (f", field {rest!r}" if rest else "")
    return f"field {'.'.join(map(str, path))!r}" if path else "top level"


def load_claims(path: str | Path) -> list[dict[str, Any]]:
    """Load and validate the claims file; raises :class:`InputError` listing every problem."""
    data = load_yaml(path)
    if data is None:
        raise InputError(f"{path}: the file is empty; expected a mapping with a 'claims' list")
    validator = jsonschema.Draft202012Validator(CLAIMS_SCHEMA)
    problems = [f"{path}: {_where(data, p)}: {msg}" for p, msg in schema_errors(validator, data)]
    if problems:
        raise InputError(problems)
    ids = [c["id"] for c in data["claims"]]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(
            [
                f"{path}: claim {ids.index(d, ids.index(d) + 1)} ({d!r}), field 'id': duplicate id; "
                "expected unique ids"
                for d in dup
            ]
        )
    problems = [
        f"{path}: claim {i} ({c['id']!r}), field 'lnn_models': {why}"
        for i, c in enumerate(data["claims"])
        for name in c.get("lnn_models", [])
        if (why := lnn_name_problem(name))
    ]
    if problems:
        raise InputError(problems)
    claims: list[dict[str, Any]] = data["claims"]
    return claims


def lnn_name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a claim's LNN (``None`` if it is a canonical LNN name)."""
    from lnnmeta.literature.vocabulary import canonical_model

    known = canonical_model(name)
    if known == (name, "LNN"):
        return None
    if known is not None and known[1] == "LNN":
        return f"{name!r} is spelled {known[0]!r} in the data; expected the canonical name"
    return (
        f"{name!r} is not a liquid network of the vocabulary; expected a canonical LNN name "
        "such as 'LTC', 'CfC', 'CfC-mmRNN', 'LTC-NCP' (lnnmeta.literature.vocabulary)"
    )
