"""Safe YAML loading: UTF-8 only, size-capped, duplicate keys rejected, clear one-line errors.

Only plain YAML is accepted (``yaml.SafeLoader``): a ``!!python/...`` tag is an error, never code.
Before any Python object is built, the node graph is checked, so that a hostile file cannot make
the loader recurse without end or expand aliases into billions of values ("billion laughs").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lnnmeta.errors import InputError

#: Largest input file accepted (a curated paper is a few hundred KB at most).
MAX_BYTES = 5_000_000
#: Deepest nesting accepted (a literature file nests about 7 levels; the config 4).
MAX_DEPTH = 40
#: Most values (after alias expansion) accepted in one document.
MAX_NODES = 1_000_000


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping and names the line of a value it
    cannot build (a date such as 2021-13-45, ``!!int`` on text)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            kind = str(node.tag).rsplit(":", 1)[-1]
            value = node.value if isinstance(node, yaml.ScalarNode) else kind
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{value!r} cannot be read as {kind} ({' '.join(str(exc).split())}); "
                "expected a valid value (quote it to keep it as text)",
                node.start_mark,
            ) from None


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a {type(key).__name__} cannot be a key; expected a name or a number",
                key_node.start_mark,
            ) from None
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


class PrintedFloat(float):
    """A float that remembers the text it was written as (``0.10`` stays ``"0.10"``).

    It is a float everywhere (arithmetic, comparisons, JSON Schema ``number``); ``text`` keeps the
    digits a curator typed from the paper, which ``float`` would drop (trailing zeros, ``1.0e-3``).
    """

    text: str

    def __new__(cls, value: float, text: str) -> PrintedFloat:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (PrintedFloat, (float(self), self.text))


class _PrintedNumberLoader(_UniqueKeyLoader):
    """:class:`_UniqueKeyLoader` that loads floats as :class:`PrintedFloat`."""


def _construct_printed_float(loader: _PrintedNumberLoader, node: yaml.ScalarNode) -> Any:
    value = loader.construct_yaml_float(node)
    return PrintedFloat(value, str(node.value).strip())


_PrintedNumberLoader.add_constructor("tag:yaml.org,2002:float", _construct_printed_float)


def printed_text(x: Any) -> str | None:
    """The text a number was written as in YAML: a :class:`PrintedFloat`'s digits, an int's
    decimal form; ``None`` for anything else."""
    if isinstance(x, PrintedFloat):
        return x.text
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_node_graph(root: yaml.Node) -> str | None:
    """What is wrong with a composed YAML node graph (too deep, too big, recursive), or ``None``.

    Iterative, so that it cannot itself run out of stack. Aliases share nodes: sizes and heights
    are memoized per node, so the check costs one pass over the distinct nodes.
    """
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            kids = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in kids)
            height[key] = 1 + max((height[id(c)] for c in kids), default=0)
            on_path.discard(key)
            if height[key] > MAX_DEPTH:
                line = node.start_mark.line + 1
                return f"line {line}: nesting is deeper than {MAX_DEPTH} levels; expected a flatter document"
            if size[key] > MAX_NODES:
                return (
                    f"the document expands to more than {MAX_NODES:,} values (anchors and aliases "
                    "included); expected a smaller document"
                )
            continue
        if key in size:
            continue
        if key in on_path:
            line = node.start_mark.line + 1
            return f"line {line}: an alias refers to a node that contains it; expected no recursive aliases"
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                line = child.start_mark.line + 1
                return f"line {line}: an alias refers to a node that contains it; expected no recursive aliases"
            if id(child) not in size:
                stack.append((child, False))
    return None


def _char(c: object) -> str:
    code = c if isinstance(c, int) else ord(c) if isinstance(c, str) and len(c) == 1 else None
    return f"U+{code:04X}" if code is not None else repr(c)


def _yaml_error_line(p: Path, exc: yaml.YAMLError, text: str) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        return (
            f"{p}: line {line}: malformed YAML: character {_char(exc.character)} is not allowed; "
            "expected printable text"
        )
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["unreadable"])[0]
    if "; expected " in problem:
        return f"{p}: {where}malformed YAML: {problem}"
    if "python/" in problem:
        hint = "expected plain YAML (Python tags are never loaded)"
    elif "'\\t'" in problem:
        hint = "expected valid YAML (indent with spaces, not tabs)"
    elif "duplicate key" in problem:
        hint = "expected each key once"
    else:
        hint = (
            "expected valid YAML (quote text that contains ': ' or starts with a special character)"
        )
    return f"{p}: {where}malformed YAML: {problem}; {hint}"


def parse_yaml(text: str, p: Path, keep_printed: bool = False) -> Any:
    """Parse YAML ``text`` (read from ``p``) safely; raises :class:`InputError` with one line.

    With ``keep_printed``, floats are :class:`PrintedFloat` (they keep the digits as written).
    """
    try:
        loader = (_PrintedNumberLoader if keep_printed else _UniqueKeyLoader)(text)
    except yaml.YAMLError as exc:
        raise InputError(_yaml_error_line(p, exc, text)) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problem = check_node_graph(node)
        if problem:
            raise InputError(f"{p}: {problem}")
        return loader.construct_document(node)
    except InputError:
        raise
    except yaml.YAMLError as exc:
        raise InputError(_yaml_error_line(p, exc, text)) from None
    except RecursionError:
        raise InputError(
            f"{p}: nesting is too deep to read; expected at most {MAX_DEPTH} levels"
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # e.g. a date such as 2021-13-45, or an explicit !!int tag on text
        msg = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(f"{p}: malformed YAML: a value cannot be read ({msg})") from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path, keep_printed: bool = False) -> Any:
    """Load one YAML document from ``path`` safely (``keep_printed``: see :func:`parse_yaml`).

    Raises
    ------
    InputError
        With one line naming the file (and line) and what is wrong.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{p}: is a folder; expected a YAML file")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{p}: file is {size:,} bytes; expected at most {MAX_BYTES:,}")
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{p}: cannot read file ({exc.strerror or exc}); expected a readable file"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{p}: line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8; expected UTF-8 text"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse_yaml(text, p, keep_printed=keep_printed)
