"""Errors that carry a one-line, user-facing message (file, location, what is wrong, what was expected).

Also the helpers that turn JSON-Schema violations into such lines, shared by the config, literature
and claims loaders.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Callable, Iterable
from typing import Any

import jsonschema


class InputError(ValueError):
    """Bad user input. ``problems`` holds one line per problem found."""

    def __init__(self, problems: Iterable[str] | str) -> None:
        items = [problems] if isinstance(problems, str) else list(problems)
        self.problems = [one_line(p) for p in items]
        super().__init__("\n".join(self.problems))


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters replaced by spaces."""
    return "".join(" " if (ch < " " or ch == "\x7f") else ch for ch in str(text))


_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxstring = 50
_REPR.maxother = 50
_REPR.maxlist = 4
_REPR.maxdict = 3
_REPR.maxtuple = 4
_REPR.maxset = 4


def short_repr(value: Any, limit: int = 70) -> str:
    """A bounded, one-line ``repr`` of a user value (never huge, never recursive)."""
    text = one_line(_REPR.repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


_TYPE_WORDS = {
    "object": "a mapping (key: value)",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    return f"a {type(value).__name__}"


def _expected_type(spec: Any) -> str:
    types = spec if isinstance(spec, list) else [spec]
    return " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in types)


def _close(name: Any, options: Iterable[str]) -> str:
    """The option closest to ``name`` (a likely misspelling), or ''."""
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.6)
    return close[0] if close else ""


def _suggest(name: Any, options: Iterable[str]) -> str:
    close = _close(name, options)
    return f" (did you mean {close!r}?)" if close else ""


Path_ = list[str | int]


def explain_schema_error(
    err: jsonschema.ValidationError, noun: str = "field"
) -> list[tuple[Path_, str]]:
    """One or more ``(path, 'what is wrong; expected what')`` pairs for a jsonschema error.

    The path names the offending field itself: for a missing or unknown field it ends with that
    field's name (jsonschema reports those on the enclosing mapping).
    """
    path: Path_ = list(err.absolute_path)
    v = err.validator
    inst = err.instance
    schema = err.schema if isinstance(err.schema, dict) else {}
    value = short_repr(inst)
    if v == "required" and isinstance(inst, dict):
        required = err.validator_value if isinstance(err.validator_value, list) else []
        missing = [k for k in required if k not in inst]
        return [([*path, k], f"missing; expected this required {noun}") for k in missing]
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = sorted((schema.get("properties") or {}).keys())
        extras = [k for k in inst if k not in allowed]
        expected = f"expected one of {', '.join(allowed)}" if allowed else f"expected no {noun}s"
        return [
            (
                [*path, k if isinstance(k, (str, int)) else short_repr(k)],
                f"unknown {noun}{_suggest(k, allowed)}; {expected}",
            )
            for k in extras
        ]
    if v == "enum":
        options = err.validator_value if isinstance(err.validator_value, list) else []
        return [
            (
                path,
                f"{value} is not allowed{_suggest(inst, map(str, options))}; "
                f"expected one of {', '.join(map(str, options))}",
            )
        ]
    if v == "const":
        return [(path, f"{value} is not allowed; expected {err.validator_value!r}")]
    if v == "type":
        return [(path, f"{value} is {_kind(inst)}; expected {_expected_type(err.validator_value)}")]
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        op = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[v]
        return [(path, f"{value} is out of range; expected a value {op} {err.validator_value}")]
    if v == "pattern":
        return [(path, f"{value} has the wrong form; expected text matching {err.validator_value}")]
    if v == "minLength":
        return [
            (path, f"{value} is too short; expected at least {err.validator_value} character(s)")
        ]
    if v == "minItems":
        return [(path, f"{value} has too few items; expected at least {err.validator_value}")]
    if v == "maxItems":
        return [(path, f"{value} has too many items; expected at most {err.validator_value}")]
    if v == "uniqueItems":
        return [(path, f"{value} lists an item twice; expected each item once")]
    if v == "minProperties":
        return [(path, f"{value} is empty; expected at least {err.validator_value} entr(y/ies)")]
    return [(path, f"{value}: {short_repr(err.message, 200)}")]


Explainer = Callable[[jsonschema.ValidationError], "list[tuple[Path_, str]] | None"]


def schema_errors(
    validator: jsonschema.protocols.Validator,
    data: Any,
    explain: Explainer | None = None,
    noun: str = "field",
) -> list[tuple[Path_, str]]:
    """Every violation of ``data``, explained, sorted by location, without duplicates.

    ``explain`` may give a caller's own explanation of an error (``None``: use the generic one).
    A misspelled field gives one line: the unknown name with its suggestion; the "missing" line
    of the field it was meant to be is left out.
    """
    out: dict[tuple[str, ...], tuple[Path_, str]] = {}
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    misspelled = {
        (*map(str, e.absolute_path), _close(k, e.schema.get("properties") or {}))
        for e in errors
        if e.validator == "additionalProperties"
        and isinstance(e.instance, dict)
        and isinstance(e.schema, dict)
        for k in e.instance
    }
    for err in errors:
        own = explain(err) if explain is not None else None
        for path, msg in own if own is not None else explain_schema_error(err, noun):
            if err.validator == "required" and tuple(map(str, path)) in misspelled:
                continue
            out.setdefault((*map(str, path), msg), (path, msg))
    return list(out.values())
