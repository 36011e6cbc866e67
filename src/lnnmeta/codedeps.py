"""The library code a rule runs, read from the import graph (the ``code=`` inputs of the rules).

Snakemake reruns a script rule when its script changes, not when a module the script imports
changes; so every rule declares the lnnmeta files its script reaches as inputs. They are derived
here instead of written by hand: the script's ``lnnmeta`` imports, followed transitively through
the package's sources, with every package ``__init__.py`` on the way and the non-Python files the
modules load (``schemas/*.yaml``, ``templates/*.j2``, ``kernels/csrc/*``).

Only source text is read (:mod:`ast` and two regular expressions); nothing is imported, so this
is cheap at DAG build time (about 0.15 s for every rule of the workflow, each file parsed once) and
never imports torch. What counts as an import:

* ``import lnnmeta.x``, ``from lnnmeta.x import y`` (``y`` a submodule or a name), relative imports
  inside the package, and ``importlib.import_module("lnnmeta.x")`` with a literal name -- wherever
  they stand (module level or inside a function: a lazy import still runs in the job);
* not the imports under ``if TYPE_CHECKING:`` (they never run).

A string literal in a module (anywhere in its text) that names an existing non-Python file, or a
directory without ``__init__.py``, relative to the package root or to the module's own directory, is
a file the module loads (``resources.files("lnnmeta").joinpath("schemas/config.schema.yaml")``,
``PackageLoader("lnnmeta", "templates")``, ``Path(__file__).with_name("csrc")``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = "lnnmeta"
#: A string literal on one line, and a literal module name given to ``importlib.import_module``.
_STRING = re.compile(r"""(["'])([^"'\\\n]{1,200})\1""")
_IMPORT_MODULE = re.compile(r"""import_module\(\s*["']([\w.]+)["']""")
#: Files never counted as code (build and cache outputs).
IGNORED_SUFFIXES = (".pyc", ".so", ".o")


class CodeDepsError(ValueError):
    """A script or module imports an lnnmeta module that does not exist."""


def code_of(*scripts: str | Path, src: str | Path = "src") -> list[str]:
    """Every lnnmeta file the given scripts (or lnnmeta modules) run or load, sorted.

    Parameters
    ----------
    *scripts : str or Path
        Rule scripts (``workflow/scripts/rank_models.py``) or files inside the package.
    src : str or Path
        The directory that holds the ``lnnmeta`` package; returned paths start with it
        (``src/lnnmeta/analysis.py``), as the rules' other inputs are relative paths.

    Raises
    ------
    CodeDepsError
        When an import names an lnnmeta module that has no source file, naming the file and line.
    """
    root = Path(src) / PACKAGE
    seen: set[Path] = set()
    todo = [Path(s) for s in scripts]
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo.extend(_imported_files(path, root))
    files = {p for p in seen if _inside(p, root)}
    for path in list(files):
        files.update(_resources(path, root))
    return sorted(str(f) for f in files)


def _inside(path: Path, root: Path) -> bool:
    return path.parts[: len(root.parts)] == root.parts


def _source_of(module: str, root: Path) -> Path | None:
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _module_files(module: str, root: Path) -> list[Path]:
    parts = module.split(".")
    out = []
    for i in range(1, len(parts) + 1):
        found = _source_of(".".join(parts[:i]), root)
        if found is not None:
            out.append(found)
    return out


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _scan(
    path: Path,
) -> tuple[tuple[ast.Import | ast.ImportFrom, ...], tuple[str, ...], tuple[str, ...]]:
    """A source file's import statements, ``import_module`` names and string literals.

    Statements come from the syntax tree (walking statements only is cheap); the literal names
    from the text: a quoted string inside a docstring counts too, which can only add a file
    of the package, never miss one.
    """
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    imports = tuple(s for s in _statements(tree.body) if isinstance(s, ast.Import | ast.ImportFrom))
    return imports, tuple(_IMPORT_MODULE.findall(text)), tuple(m[1] for m in _STRING.findall(text))


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included, except those under ``if TYPE_CHECKING:``."""
    for stmt in body:
        if isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            yield from _statements(stmt.orelse)
            continue
        yield stmt
        for name in ("body", "orelse", "finalbody"):
            sub = getattr(stmt, name, None)
            if isinstance(sub, list):
                yield from _statements(sub)
        for handler in getattr(stmt, "handlers", None) or ():
            yield from _statements(handler.body)
        for case in getattr(stmt, "cases", None) or ():
            yield from _statements(case.body)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


@cache
def _imported_files(path: Path, root: Path) -> tuple[Path, ...]:
    """The lnnmeta source files that importing or running ``path`` executes directly."""
    out: dict[Path, None] = {}
    for module in _modules_imported(path, root):
        out.update(dict.fromkeys(_module_files(module, root)))
    return tuple(out)


def _modules_imported(path: Path, root: Path) -> Iterator[str]:
    """The lnnmeta modules ``path`` imports; raises :class:`CodeDepsError` for a missing one."""
    package = ""
    if _inside(path, root):
        name = _module_name(path, root)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    statements, dynamic, _ = _scan(path)
    targets = [(node.lineno, t) for node in statements for t in _import_targets(node, package)]
    targets += [(0, (name, [])) for name in dynamic]
    for line, (module, names) in targets:
        if module.split(".")[0] != PACKAGE:
            continue
        if _source_of(module, root) is None:
            raise CodeDepsError(
                f"{path}:{line or '?'}: imports {module!r}, which has no source under {root}; "
                "expected an existing lnnmeta module"
            )
        yield module
        for name in names:  # ``from package import submodule``
            if _source_of(f"{module}.{name}", root) is not None:
                yield f"{module}.{name}"


def _import_targets(node: ast.Import | ast.ImportFrom, package: str) -> list[tuple[str, list[str]]]:
    """(module, names imported from it) of one import statement, relative ones resolved."""
    if isinstance(node, ast.Import):
        return [(alias.name, []) for alias in node.names]
    names = [alias.name for alias in node.names]
    if node.level == 0:
        return [(node.module or "", names)]
    if not package:
        return []
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return [(".".join([*base, *([node.module] if node.module else [])]), names)]


@cache
def _resources(path: Path, root: Path) -> frozenset[Path]:
    """Non-Python files a module names by a string literal (relative to the package or to itself)."""
    data = _data_files(root)
    out: set[Path] = set()
    for text in _scan(path)[2]:
        for base in (root, path.parent):
            out.update(data.get(base / text, ()))
    return frozenset(out)


@cache
def _data_files(root: Path) -> dict[Path, tuple[Path, ...]]:
    """Each non-Python file of the package, and each directory that is not a package, mapped to
    the non-Python files it names (a directory: every such file under it)."""
    found: dict[Path, list[Path]] = {}
    for f in sorted(root.rglob("*")):
        if (
            not f.is_file()
            or f.suffix == ".py"
            or f.suffix in IGNORED_SUFFIXES
            or "__pycache__" in f.parts
        ):
            continue
        found.setdefault(f, []).append(f)
        for d in f.parents:
            if d == root or not _inside(d, root):
                break
            if not (d / "__init__.py").exists():
                found.setdefault(d, []).append(f)
    return {k: tuple(v) for k, v in found.items()}
