"""Property-based fuzzing of the literature loader: whatever the input, it is either accepted (and
then conforms to the REPORTED table schema) or rejected with an InputError whose every line starts
with the file's path. Never another exception."""

from __future__ import annotations

import copy
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lnnmeta.errors import InputError
from lnnmeta.literature.loader import literature_schema, load_paper
from lnnmeta.tables import REPORTED, conform
from tests.robustness.conftest import LITERATURE, curated, dump

#: A small curated file keeps each example fast.
SMALL = LITERATURE / "lechner2020ncp.yaml"
SMALL_DATA = curated(SMALL)
SMALL_TEXT = SMALL.read_text(encoding="utf-8")

#: Examples per property; raise it for a longer hunt (LNNMETA_FUZZ_EXAMPLES=5000 pytest ...).
EXAMPLES = int(os.environ.get("LNNMETA_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _field_names() -> list[str]:
    """Every property name of the literature schema, so random mappings often look like papers."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update((node.get("properties") or {}).keys())
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(literature_schema())
    return sorted(names)


NAMES = _field_names()
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["LSTM", "CfC", "percent", "accuracy", "t1", "lechner2020ncp", "std", ""])
)
keys = st.sampled_from(NAMES) | st.text(max_size=8) | st.integers(-3, 3)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=25,
)


def check(path: Path) -> None:
    """The property: accepted and conforming, or an InputError with file-prefixed lines."""
    try:
        paper = load_paper(path)
    except InputError as exc:
        assert exc.problems, "an InputError without a problem"
        for line in exc.problems:
            assert line.startswith(f"{path}: "), line
            assert "\n" not in line
        return
    df = pd.DataFrame(paper.rows, columns=REPORTED.names)
    conform(df, "reported", where=str(path))
    assert all(math.isfinite(v) for v in df["value"])


def _write(tmp_path: Path, content: bytes) -> Path:
    p = tmp_path / SMALL.name
    p.write_bytes(content)
    return p


@FUZZ
@given(doc=values)
def test_random_yaml_documents(doc: Any, tmp_path: Path) -> None:
    check(_write(tmp_path, yaml.safe_dump(doc, allow_unicode=True).encode()))


@FUZZ
@given(doc=st.dictionaries(keys, values, max_size=10), base=st.booleans())
def test_random_papers(doc: dict[Any, Any], base: bool, tmp_path: Path) -> None:
    """Random mappings, alone or laid over the curated file's top level."""
    data = {**copy.deepcopy(SMALL_DATA), **doc} if base else doc
    check(_write(tmp_path, dump(data).encode()))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


ALL_PATHS = _paths(SMALL_DATA)[1:]


@FUZZ
@given(
    where=st.sampled_from(ALL_PATHS),
    action=st.sampled_from(["delete", "replace", "rename", "duplicate", "nullify"]),
    new=values,
    new_key=keys,
)
def test_mutations_of_a_curated_file(
    where: tuple[Any, ...], action: str, new: Any, new_key: Any, tmp_path: Path
) -> None:
    data = copy.deepcopy(SMALL_DATA)
    parent: Any = data
    for k in where[:-1]:
        parent = parent[k]
    last = where[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = new
    elif action == "nullify":
        parent[last] = None
    elif action == "rename":
        assume(isinstance(parent, dict) and new_key not in parent)
        parent[new_key] = parent.pop(last)
    elif isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    else:
        parent[new_key] = copy.deepcopy(parent[last])
    check(_write(tmp_path, dump(data).encode()))


@FUZZ
@given(
    pos=st.integers(0, len(SMALL_TEXT.encode())),
    cut=st.integers(0, 40),
    insert=st.binary(max_size=12)
    | st.sampled_from([b": ", b"\t", b"- ", b"[", b"&a ", b"*a", b"!!", b"\n  "]),
)
def test_byte_mutations_of_a_curated_file(
    pos: int, cut: int, insert: bytes, tmp_path: Path
) -> None:
    raw = SMALL_TEXT.encode()
    check(_write(tmp_path, raw[:pos] + insert + raw[pos + cut :]))


@FUZZ
@given(text=st.text(max_size=200))
def test_random_text(text: str, tmp_path: Path) -> None:
    check(_write(tmp_path, text.encode("utf-8", "surrogatepass")))
