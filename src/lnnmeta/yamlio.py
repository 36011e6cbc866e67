"""Safe YAML loading: UTF-8 only, size-capped, duplicate keys rejected, clear one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lnnmeta.errors import InputError

#: Largest input file accepted (a curated paper is a few hundred KB at most).
MAX_BYTES = 5_000_000


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def load_yaml(path: str | Path) -> Any:
    """Load one YAML document from ``path`` safely.

    Raises
    ------
    InputError
        With one line naming the file (and line) and what is wrong.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"{p}: cannot read file ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise InputError(f"{p}: file is {size:,} bytes; expected at most {MAX_BYTES:,}")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{p}: line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8; expected UTF-8 text"
        ) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{p}: {where}malformed YAML: {problem}") from None
