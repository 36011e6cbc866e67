"""One printed table cell, read as the paper prints it: value, spread, marks.

The printed strings are kept (``"100.00"`` stays ``"100.00"``); nothing is rounded, converted or
guessed. A cell that is not a number, ``value ± spread``, ``value (spread)`` or an empty marker
(``-``, ``—``, ``n/a``) is an error, so that no number is ever made up or silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: Symbols a paper prints next to a value or a model name (copied, significance, footnote).
SYMBOL_MARKS = "†‡*§¶⋆∗"
#: Formatting marks (read from the markup, not from the text).
STYLE_MARKS = ("bold", "underline", "italic")
#: How a symbol mark is written in the draft: the curated files use the dagger for every copy mark.
_CANONICAL_SYMBOL = {"⋆": "*", "∗": "*"}

#: What a cell the paper leaves empty looks like (after marks and spaces are removed).
EMPTY_TEXTS = frozenset(
    {"", "-", "--", "---", "–", "—", "−", "n/a", "N/A", "NA", "na", "N.A.", "n.a.", "–/–", "-/-"}
)

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
#: A whole number with thousands separators (5,068,900): groups of exactly three digits.
_GROUPED = r"[-+]?\d{1,3}(?:,\d{3})+"
#: Count suffixes as printed in parameter-count columns (481K, 26.2M).
SUFFIX_POWER = {"K": 3, "k": 3, "M": 6, "G": 9, "B": 9}
_VALUE = rf"(?P<v>{_GROUPED}|{_NUM})(?P<sfx>[KkMGB])?\s*(?P<vpct>%)?"
_SPREAD_PM = rf"(?:±|\+/-|\+-)\s*(?P<s>{_NUM})\s*(?P<spct>%)?"
_SPREAD_PAREN = rf"\(\s*(?:±\s*)?(?P<p>{_NUM})\s*(?P<ppct>%)?\s*\)"
_CELL = re.compile(rf"^{_VALUE}\s*(?:{_SPREAD_PM}|{_SPREAD_PAREN})?$")
_MARK_TAIL = re.compile(rf"[\s^{re.escape(SYMBOL_MARKS)}]+$")
_MARK_HEAD = re.compile(rf"^[\s^{re.escape(SYMBOL_MARKS)}]+(?=[\d.+\-])")
_MINUS = str.maketrans({"−": "-", "–": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "})


class CellError(ValueError):
    """A printed cell that cannot be read as a value; the message says what was expected."""


@dataclass(frozen=True)
class Cell:
    """A printed value with its optional spread, as strings exactly as printed.

    ``value``/``spread`` are plain decimal strings (a count suffix such as ``26.2M`` is expanded
    exactly to ``26200000``; ``printed`` then keeps the text as printed).
    """

    value: str
    spread: str | None
    printed: str
    percent: bool = False
    marks: tuple[str, ...] = ()
    #: how the paper prints the whole number: ``si`` (26.2M), ``thousands`` (5,068,900) or ``None``
    number_format: str | None = None


def split_marks(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` without the symbol marks printed after (or before) it, and those marks in order.

    ``"LSTM †"`` gives ``("LSTM", ("†",))``; a superscript caret (``^*``) counts as part of the mark.
    """
    t = text.translate(_MINUS).strip()
    marks: list[str] = []
    tail = _MARK_TAIL.search(t)
    if tail and tail.start() > 0:
        marks += [c for c in tail.group() if c in SYMBOL_MARKS]
        t = t[: tail.start()].rstrip()
    head = _MARK_HEAD.match(t)
    if head:
        marks = [c for c in head.group() if c in SYMBOL_MARKS] + marks
        t = t[head.end() :]
    return t, tuple(_CANONICAL_SYMBOL.get(m, m) for m in marks)


def expand_suffix(number: str, suffix: str | None) -> str:
    """``number`` times the count suffix, exactly (Decimal arithmetic): ``("26.2", "M")`` ->
    ``"26200000"``."""
    if not suffix:
        return number
    scaled = Decimal(number).scaleb(SUFFIX_POWER[suffix])
    return format(scaled.normalize() if scaled == scaled.to_integral() else scaled, "f")


def parse_cell(text: str, style: tuple[str, ...] = ()) -> Cell | None:
    """Read one printed data cell; ``None`` for a cell the paper leaves empty.

    Raises :class:`CellError` for anything else than a number, ``value ± spread`` (also ``+-``,
    ``+/-``), ``value (spread)`` or an empty marker; symbol marks (†, ‡, *, §) may follow.
    """
    body, symbols = split_marks(" ".join(text.split()))
    if body in EMPTY_TEXTS:
        return None
    m = _CELL.match(body)
    if m is None:
        raise CellError(
            f"{text.strip()!r} is not a value; expected a number, 'value ± spread', "
            "'value (spread)' or an empty cell (-, —, n/a)"
        )
    grouped = "," in m["v"]
    if grouped and m["sfx"]:
        raise CellError(f"{text.strip()!r} mixes separators and a suffix; expected one of them")
    try:
        value = expand_suffix(m["v"].replace(",", ""), m["sfx"])
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise CellError(f"{text.strip()!r} is not a decimal number") from exc
    spread = m["s"] if m["s"] is not None else m["p"]
    if spread is not None and spread.startswith("-"):
        raise CellError(f"{text.strip()!r} has a negative spread; expected a spread >= 0")
    percent = bool(m["vpct"] or m["spct"] or m["ppct"])
    fmt = "si" if m["sfx"] else ("thousands" if grouped else None)
    return Cell(value, spread, body, percent, tuple(style) + symbols, fmt)
