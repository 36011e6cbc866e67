"""Claims under test (``config/claims.yaml``): loading and validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from lnnmeta.errors import InputError
from lnnmeta.yamlio import load_yaml

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
                    "literature": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "dimension": {"enum": ["accuracy", "efficiency", "generalization"]},
                            "metric_family": {"enum": ["score", "error", "cost"]},
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
                            "measures": {
                                "type": "array",
                                "items": {
                                    "enum": [
                                        "n_params",
                                        "model_bytes",
                                        "peak_train_mem_bytes",
                                        "saved_for_backward_bytes",
                                        "train_time_per_epoch_s",
                                        "infer_latency_s",
                                    ]
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}


def load_claims(path: str | Path) -> list[dict[str, Any]]:
    """Load and validate the claims file; raises :class:`InputError` listing every problem."""
    data = load_yaml(path)
    errors = sorted(
        jsonschema.Draft202012Validator(CLAIMS_SCHEMA).iter_errors(data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    problems = [
        f"{path}: {'.'.join(map(str, e.absolute_path)) or 'top level'}: {e.message}" for e in errors
    ]
    if problems:
        raise InputError(problems)
    ids = [c["id"] for c in data["claims"]]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"{path}: claims: duplicate id(s) {', '.join(dup)}; expected unique ids")
    claims: list[dict[str, Any]] = data["claims"]
    return claims
