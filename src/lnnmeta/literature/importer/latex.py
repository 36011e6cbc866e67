"""Read a table from LaTeX source: ``tabular``, ``tabular*``, ``tabularx``, ``tabulary``,
``longtable`` (booktabs or ``\\hline`` rules), with ``\\multicolumn``, ``\\multirow``, ``\\makecell``,
``\\pm``, ``\\textbf``/``\\bf``, ``\\underline``, daggers, asterisks and citations.

The source is tokenized by pylatexenc's :class:`~pylatexenc.latexwalker.LatexWalker` (comments,
escapes, math, groups and macro arguments, with the line of every node, and a strict mode that
reports unbalanced braces or environments); symbols it knows but this module does not (accents,
Greek letters) are turned into Unicode by its ``LatexNodes2Text``. This module only splits rows
at ``\\\\`` and cells at ``&`` and reads the formatting marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pylatexenc import latexwalker as lw
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.macrospec import EnvironmentSpec, MacroSpec

from lnnmeta.errors import InputError
from lnnmeta.literature.importer.grid import RawCell, RawTable

TABULAR_ENVS = {
    "tabular": "[{",
    "tabular*": "{[{",
    "tabularx": "{[{",
    "tabulary": "{[{",
    "longtable": "[{",
    "longtable*": "[{",
}
_FLOATS = ("table", "table*", "sidewaystable", "threeparttable", "wraptable")
_MACROS = {
    "multicolumn": "{{{",
    "multirow": "[{[{[{",
    "makecell": "[{",
    "thead": "[{",
    "shortstack": "[{",
    "cmidrule": "[{",
    "cline": "{",
    "Xhline": "{",
    "specialrule": "{{{",
    "addlinespace": "[",
    "toprule": "[",
    "midrule": "[",
    "bottomrule": "[",
    "caption": "*[{",
    "label": "{",
    "resizebox": "*{{{",
    "scalebox": "{[{",
    "adjustbox": "{{",
    "rowcolor": "[{",
    "cellcolor": "[{",
    "textcolor": "[{{",
    "color": "[{",
    "uline": "{",
    "num": "[{",
    "SI": "[{[{{",
    "textsuperscript": "{",
    "textsubscript": "{",
    "mathbf": "{",
    "boldsymbol": "{",
    "bm": "{",
    "tnote": "{",
    "footnote": "[{",
    "footnotemark": "[",
    "citep": "*[[{",
    "citet": "*[[{",
    "citealp": "*[[{",
    "parencite": "*[[{",
    "hspace": "*{",
    "vspace": "*{",
    "phantom": "{",
}
#: Rules that end a header (a \cmidrule or \cline under a spanning header does not).
_HEADER_RULES = {"midrule", "hline", "specialrule", "Xhline", "hhline"}
_RULES = _HEADER_RULES | {"toprule", "bottomrule", "cmidrule", "cline", "addlinespace"}
_BOLD_ARG = {"textbf", "mathbf", "boldsymbol", "bm"}
_BOLD_DECL = {"bf", "bfseries", "boldmath"}
_UNDERLINE = {"underline", "uline", "ul", "underbar"}
_ITALIC_ARG = {"textit", "emph", "mathit", "textsl"}
_ITALIC_DECL = {"it", "itshape", "em", "sl", "slshape"}
_CITES = {"cite", "citep", "citet", "citealp", "parencite"}
_DROP = {
    "label",
    "ref",
    "footnote",
    "footnotemark",
    "tnote",
    "hspace",
    "vspace",
    "phantom",
    "rowcolor",
    "cellcolor",
    "color",
    "caption",
    "centering",
    "raggedright",
    "raggedleft",
    "small",
    "footnotesize",
    "scriptsize",
    "tiny",
    "normalsize",
    "large",
    "Large",
    "strut",
    *_RULES,
}
_SYMBOLS = {
    "pm": "±",
    "mp": "∓",
    "dagger": "†",
    "dag": "†",
    "textdagger": "†",
    "ddagger": "‡",
    "ddag": "‡",
    "textdaggerdbl": "‡",
    "S": "§",
    "textsection": "§",
    "P": "¶",
    "ast": "*",
    "star": "⋆",
    "textasteriskcentered": "*",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textasciicircum": "^",
    "textasciitilde": "~",
    "textbackslash": "\\",
    "uparrow": "↑",
    "downarrow": "↓",
    "textuparrow": "↑",
    "textdownarrow": "↓",
    "times": "×",
    "%": "%",
    "&": "&",
    "_": "_",
    "#": "#",
    "$": "$",
    "{": "{",
    "}": "}",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    " ": " ",
    "quad": " ",
    "qquad": " ",
    "\\": " ",
    "newline": " ",
}
_SPECIALS = {"~": " ", "--": "–", "---": "—", "``": '"', "''": '"', "&": " "}
_CMIDRULE_TRIM = re.compile(r"(\\cmidrule\s*)(\([^)\n]*\))")
_TO_TEXT = LatexNodes2Text(math_mode="text")


def _context() -> lw.LatexContextDb:
    db = lw.get_default_latex_context_db()
    db.add_context_category(
        "lnnmeta-tables",
        macros=[MacroSpec(name, spec) for name, spec in _MACROS.items()],
        environments=[EnvironmentSpec(name, spec) for name, spec in TABULAR_ENVS.items()],
        prepend=True,
    )
    return db


@dataclass
class _Text:
    """Text rendered from LaTeX nodes, with the formatting marks and citations seen on the way."""

    parts: list[str] = field(default_factory=list)
    style: set[str] = field(default_factory=set)
    cites: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def _arg_nodes(node: lw.LatexNode, index: int = -1) -> list[lw.LatexNode]:
    """The nodes of a macro's argument (the last one by default); ``[]`` when absent."""
    args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
    if not args:
        return []
    arg = args[index] if -len(args) <= index < len(args) else None
    if arg is None:
        return []
    return list(arg.nodelist) if isinstance(arg, lw.LatexGroupNode) else [arg]


def _render(nodes: list[lw.LatexNode], out: _Text) -> None:
    for node in nodes:
        if node is None or isinstance(node, lw.LatexCommentNode):
            continue
        if isinstance(node, lw.LatexCharsNode):
            out.parts.append(node.chars)
        elif isinstance(node, lw.LatexSpecialsNode):
            out.parts.append(_SPECIALS.get(node.specials_chars, node.specials_chars))
        elif isinstance(node, lw.LatexGroupNode | lw.LatexMathNode):
            _render(list(node.nodelist), out)
        elif isinstance(node, lw.LatexEnvironmentNode):
            _render(list(node.nodelist), out)
            out.parts.append(" ")
        elif isinstance(node, lw.LatexMacroNode):
            _render_macro(node, out)


def _render_macro(node: lw.LatexMacroNode, out: _Text) -> None:
    name = node.macroname
    if name in _BOLD_DECL:
        out.style.add("bold")
    elif name in _ITALIC_DECL:
        out.style.add("italic")
    elif name in _CITES:
        keys = "".join(n.chars for n in _arg_nodes(node) if isinstance(n, lw.LatexCharsNode))
        out.cites += [k.strip() for k in keys.split(",") if k.strip()]
    elif name in _DROP:
        pass
    elif name in _SYMBOLS:
        out.parts.append(_SYMBOLS[name])
    else:
        if name in _BOLD_ARG:
            out.style.add("bold")
        elif name in _UNDERLINE:
            out.style.add("underline")
        elif name in _ITALIC_ARG:
            out.style.add("italic")
        elif node.nodeargd is None or not node.nodeargd.argnlist:
            out.parts.append(_TO_TEXT.nodelist_to_text([node]))
            return
        _render(_arg_nodes(node), out)


def _int_arg(node: lw.LatexMacroNode, index: int) -> int:
    text = _render_text(_arg_nodes(node, index))
    try:
        return max(1, abs(int(text)))
    except ValueError:
        return 1


def _render_text(nodes: list[lw.LatexNode]) -> str:
    t = _Text()
    _render(nodes, t)
    return t.text


def _strip_ws(nodes: list[lw.LatexNode]) -> list[lw.LatexNode]:
    return [
        n
        for n in nodes
        if not (isinstance(n, lw.LatexCharsNode) and not n.chars.strip())
        and not isinstance(n, lw.LatexCommentNode)
    ]


class _TableReader:
    """Splits a tabular environment's nodes into rows and cells."""

    def __init__(self, walker: lw.LatexWalker, source: Path) -> None:
        self.walker = walker
        self.source = source
        self.rows: list[list[RawCell]] = []
        self.header_rows: int | None = None
        self.caption: str | None = None
        self.first_head = -1
        self.rules_before: set[int] = set()
        self.mark = 0
        self._row: list[RawCell] = []
        self._cell: list[lw.LatexNode] = []

    def line(self, node: lw.LatexNode) -> int:
        """The line of the first printed character of ``node``."""
        pos = node.pos
        if isinstance(node, lw.LatexCharsNode):
            pos += len(node.chars) - len(node.chars.lstrip())
        return int(self.walker.pos_to_lineno_colno(pos)[0])

    def read(self, env: lw.LatexEnvironmentNode) -> None:
        for node in env.nodelist:
            if isinstance(node, lw.LatexSpecialsNode) and node.specials_chars == "&":
                self._end_cell(node)
            elif isinstance(node, lw.LatexMacroNode) and node.macroname in ("\\", "tabularnewline"):
                self._end_row(node)
            elif (
                isinstance(node, lw.LatexMacroNode)
                and node.macroname.startswith("end")
                and (node.macroname in ("endfirsthead", "endhead", "endfoot", "endlastfoot"))
            ):
                self._end_row(node)
                self._longtable_part(node.macroname)
            elif isinstance(node, lw.LatexMacroNode) and node.macroname in _RULES:
                if node.macroname in _HEADER_RULES and not self._row and not _strip_ws(self._cell):
                    self.rules_before.add(len(self.rows))
                if (
                    node.macroname in _HEADER_RULES
                    and self.header_rows is None
                    and self.rows
                    and not self._row
                    and not _strip_ws(self._cell)
                ):
                    self.header_rows = len(self.rows)
            else:
                self._cell.append(node)
        self._end_row(env, final=True)

    def _longtable_part(self, name: str) -> None:
        if name == "endfirsthead":
            self.header_rows, self.first_head = len(self.rows), len(self.rows)
        elif name == "endhead" and self.first_head < 0:
            self.header_rows = len(self.rows)
        else:  # the repeated header, or a foot ("continued on the next page"): not data
            del self.rows[self.mark :]
        self.mark = len(self.rows)

    def _end_cell(self, at: lw.LatexNode) -> None:
        nodes = _strip_ws(self._cell)
        first = nodes[0] if nodes else at
        colspan = rowspan = 1
        if len(nodes) == 1 and isinstance(first, lw.LatexMacroNode):
            if first.macroname == "multicolumn":
                colspan = _int_arg(first, 0)
                nodes = _arg_nodes(first, 2)
            elif first.macroname == "multirow":
                rowspan = _int_arg(first, _first_braced(first))
                nodes = _arg_nodes(first, -1)
        t = _Text()
        _render(nodes, t)
        self._row.append(
            RawCell(
                t.text,
                self.line(first),
                tuple(s for s in ("bold", "underline", "italic") if s in t.style),
                colspan,
                rowspan,
                tuple(t.cites),
            )
        )
        self._cell = []

    def _end_row(self, at: lw.LatexNode, final: bool = False) -> None:
        nodes = _strip_ws(self._cell)
        captions = [
            n for n in nodes if isinstance(n, lw.LatexMacroNode) and n.macroname == "caption"
        ]
        if captions and not self._row:
            self.caption = _render_text(_arg_nodes(captions[0]))
        if final and not self._row and not nodes:
            return
        self._end_cell(at)
        row, self._row = self._row, []
        if any(c.text for c in row):
            self.rows.append(row)


def _first_braced(node: lw.LatexMacroNode) -> int:
    """Index of the row count among ``\\multirow``'s arguments ``[vpos]{n}[struts]{width}[move]{text}``."""
    args = node.nodeargd.argnlist
    return 1 if args and args[0] is not None else 0


def _find(
    nodes: list[lw.LatexNode],
    float_env: lw.LatexEnvironmentNode | None,
    found: list[tuple[lw.LatexEnvironmentNode, lw.LatexEnvironmentNode | None]],
) -> None:
    for node in nodes:
        if node is None:
            continue
        if isinstance(node, lw.LatexEnvironmentNode) and node.environmentname in TABULAR_ENVS:
            found.append((node, float_env))
            continue  # a tabular inside a cell belongs to that cell
        inner = (
            node.environmentname in _FLOATS if isinstance(node, lw.LatexEnvironmentNode) else False
        )
        here = node if inner and isinstance(node, lw.LatexEnvironmentNode) else float_env
        if getattr(node, "nodeargd", None) is not None:
            _find([a for a in node.nodeargd.argnlist if a is not None], here, found)
        if getattr(node, "nodelist", None):
            _find(list(node.nodelist), here, found)


def _float_text(env: lw.LatexEnvironmentNode | None, macro: str) -> str | None:
    """The text of the first ``\\caption`` (or ``\\label``) of a float, outside its tabulars."""
    if env is None:
        return None
    stack: list[lw.LatexNode] = list(env.nodelist)
    while stack:
        node = stack.pop(0)
        if isinstance(node, lw.LatexMacroNode) and node.macroname == macro:
            if macro == "label":
                return "".join(
                    n.chars for n in _arg_nodes(node) if isinstance(n, lw.LatexCharsNode)
                ).strip()
            return _render_text(_arg_nodes(node))
        if isinstance(node, lw.LatexEnvironmentNode) and node.environmentname in TABULAR_ENVS:
            continue
        stack[0:0] = [n for n in getattr(node, "nodelist", None) or [] if n is not None]
        if getattr(node, "nodeargd", None) is not None:
            stack[0:0] = [a for a in node.nodeargd.argnlist if a is not None]
    return None


def _parse(text: str, source: Path) -> lw.LatexWalker:
    walker = lw.LatexWalker(
        _CMIDRULE_TRIM.sub(lambda m: m[1] + " " * len(m[2]), text),
        latex_context=_context(),
        tolerant_parsing=False,
    )
    return walker


def read_latex(source: Path, text: str, select: str | None = None) -> RawTable:
    """The table of a LaTeX source (the one selected by number, 1-based, or by ``\\label`` when
    the source holds several). Raises :class:`InputError` naming the line of a problem."""
    walker = _parse(text, source)
    try:
        nodes, _, _ = walker.get_latex_nodes()
    except lw.LatexWalkerParseError as exc:
        raise _parse_error(source, exc) from None
    except lw.LatexWalkerError as exc:
        raise InputError(
            f"{source}: cannot read the LaTeX ({' '.join(str(exc).split())})"
        ) from None
    found: list[tuple[lw.LatexEnvironmentNode, lw.LatexEnvironmentNode | None]] = []
    _find(list(nodes), None, found)
    env, float_env = _choose(found, walker, source, select)
    reader = _TableReader(walker, source)
    reader.read(env)
    line = reader.line(env)
    if not reader.rows:
        raise InputError(
            f"{source}, line {line}: the table has no rows; expected rows ending in \\\\"
        )
    return RawTable(
        source,
        line,
        reader.rows,
        reader.header_rows,
        reader.caption or _float_text(float_env, "caption"),
        _float_text(float_env, "label"),
        frozenset(reader.rules_before),
    )


def _parse_error(source: Path, exc: lw.LatexWalkerParseError) -> InputError:
    """One line naming where the unclosed brace, ``$`` or environment was opened (or, for a stray
    closing one, where it is)."""
    msg = str(getattr(exc, "msg", "") or "").split("\n")[0].strip().rstrip(".")
    opened = [c for c in getattr(exc, "open_contexts", None) or [] if c and len(c) >= 3]
    expected = "expected balanced braces, $...$ and \\begin/\\end"
    if opened and "closing brace" not in msg:
        what, _pos, line = max(opened, key=lambda c: c[1])[:3]
        return InputError(
            f"{source}, line {line}: {what} is not closed (parser stopped at line {exc.lineno}: "
            f"{msg}); {expected}"
        )
    return InputError(f"{source}, line {exc.lineno}: {msg}; {expected}")


def _choose(
    found: list[tuple[lw.LatexEnvironmentNode, lw.LatexEnvironmentNode | None]],
    walker: lw.LatexWalker,
    source: Path,
    select: str | None,
) -> tuple[lw.LatexEnvironmentNode, lw.LatexEnvironmentNode | None]:
    if not found:
        raise InputError(
            f"{source}: no table found; expected a tabular, tabularx, tabular* or longtable environment"
        )

    def where(i: int) -> str:
        env, fl = found[i]
        label = _float_text(fl, "label")
        return f"{i + 1}: line {walker.pos_to_lineno_colno(env.pos)[0]}" + (
            f" ({label})" if label else ""
        )

    if select is None:
        if len(found) == 1:
            return found[0]
        raise InputError(
            f"{source}: holds {len(found)} tables ({'; '.join(where(i) for i in range(len(found)))}); "
            "expected --select N or --select LABEL"
        )
    if select.isdigit() and 1 <= int(select) <= len(found):
        return found[int(select) - 1]
    for env, fl in found:
        if _float_text(fl, "label") == select:
            return env, fl
    raise InputError(
        f"{source}: no table {select!r}; expected one of "
        f"{'; '.join(where(i) for i in range(len(found)))}"
    )
