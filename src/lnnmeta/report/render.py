"""Render the report: jinja2 (autoescape, StrictUndefined) to one self-contained HTML file, and the
same HTML to PDF with WeasyPrint (print stylesheet: page numbers, rows never cut)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

import lnnmeta
from lnnmeta.atomic import atomic_path
from lnnmeta.report.labels import Formatter, formatter, header

VERDICTS = ("supported", "contradicted", "inconclusive")
#: Cells this short are never wrapped (model names, intervals).
NOWRAP_CHARS = 24
#: Tables with more rows than this are collapsible on screen (``<details>``).
COLLAPSE_ROWS = 60
#: Cell texts that get a colour (class ``v-<slug>``).
MARKED = {
    "supported": "good",
    "contradicted": "bad",
    "inconclusive": "neutral",
    "LNN better": "good",
    "RNN better": "bad",
    "mixed": "neutral",
    "agree": "good",
    "disagree": "bad",
    "consistent": "good",
    "reproduced_worse": "bad",
    "reproduced_better": "good",
    "reproduced worse": "bad",
    "reproduced better": "good",
}


def _is_number(text: str) -> bool:
    t = text.replace(",", "").replace("−", "-").strip()
    for suffix in (" GB", " MB", " kB", " B", " ms", " µs", " s", "%"):
        if t.endswith(suffix):
            t = t[: -len(suffix)]
            break
    t = t.removeprefix("< ")
    try:
        float(t)
    except ValueError:
        return False
    return True


@dataclass
class Section:
    """One report section: an id, a title, paragraphs and blocks (tables, figures, headings)."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def heading(self, text: str, anchor: str = "") -> None:
        self.blocks.append({"kind": "heading", "text": text, "anchor": anchor})

    def text(self, text: str) -> None:
        self.blocks.append({"kind": "paragraph", "text": text})

    def notice(self, text: str) -> None:
        """A plainly visible note (for example: this data does not exist)."""
        self.blocks.append({"kind": "note", "text": text})

    def pre(self, text: str, caption: str = "") -> None:
        """Preformatted text (configuration)."""
        self.blocks.append({"kind": "pre", "text": text, "caption": caption})

    def items(self, entries: list[str], ordered: bool = False) -> None:
        self.blocks.append({"kind": "list", "items": entries, "ordered": ordered})

    def claims(self, cards: list[dict[str, Any]]) -> None:
        """Claim cards: each a dict with the keys the template's claims block reads."""
        self.blocks.append({"kind": "claims", "cards": cards})

    def figure(
        self,
        src: str,
        caption: str,
        width_in: float | None = None,
        screen_only: bool = False,
        alt: str = "",
    ) -> None:
        """An embedded figure; ``width_in`` prints it at its drawn size (fonts at their point size)."""
        self.blocks.append(
            {
                "kind": "figure",
                "src": src,
                "caption": caption,
                "alt": alt or caption,
                "width": f"{width_in:.2f}in" if width_in else "",
                "screen_only": screen_only,
            }
        )

    def table(
        self,
        df: pd.DataFrame,
        caption: str,
        max_rows: int | None = None,
        screen_only: bool = False,
        digits: int = 3,
        print_rows: int | None = None,
        headers: Mapping[str, str] | None = None,
        formats: Mapping[str, Formatter] | None = None,
        print_only: bool = False,
        full_table: str = "",
        bold: pd.DataFrame | None = None,
        links: Sequence[tuple[str, str]] = (),
    ) -> None:
        """A table; numbers formatted per column (see :mod:`lnnmeta.report.labels`), headers readable.

        ``max_rows`` cuts the table everywhere; ``print_rows`` keeps every row on screen and only
        the first ones in print; ``screen_only``/``print_only`` keep the whole table off the PDF/screen.
        ``full_table`` names where the full table is (a CSV file) in the "more rows" note.
        ``bold`` (same shape as ``df``) marks the cells set in bold (a paper's best results).
        ``links`` are (text, href) pairs printed under the table (where its numbers come from).
        """
        shown = df if max_rows is None else df.head(max_rows)
        where = full_table or "the CSV export"
        more = f"{len(df) - len(shown)} more rows in {where}." if len(shown) < len(df) else ""
        disp = display_frame(shown, digits, formats, headers)
        rows = [list(r) for r in disp.itertuples(index=False)]
        numeric = [
            bool(vals) and all(_is_number(v) for v in vals)
            for vals in ([r[i] for r in rows if r[i] != ""] for i in range(disp.shape[1]))
        ]
        hidden = 0 if print_rows is None else max(0, len(rows) - print_rows)
        self.blocks.append(
            {
                "kind": "table",
                "caption": caption,
                "columns": [str(c) for c in disp.columns],
                "numeric": numeric,
                "rows": [
                    {
                        "cells": [
                            {
                                "text": x,
                                "mark": MARKED.get(x, ""),
                                "nowrap": len(x) <= NOWRAP_CHARS,
                                "bold": bold is not None and bool(bold.iat[i, j]),
                            }
                            for j, x in enumerate(r)
                        ],
                        "print_hide": print_rows is not None and i >= print_rows,
                    }
                    for i, r in enumerate(rows)
                ],
                "more": more,
                "print_more": (
                    f"The first {print_rows} of {len(rows)} rows are printed; every row is in the "
                    f"HTML report and in {where}."
                    if hidden
                    else ""
                ),
                "screen_only": screen_only,
                "print_only": print_only,
                "collapse": len(rows) > COLLAPSE_ROWS,
                "links": [{"text": t, "href": h} for t, h in links],
            }
        )


def display_frame(
    df: pd.DataFrame,
    digits: int = 3,
    formats: Mapping[str, Formatter] | None = None,
    headers: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The table as the report shows it: every cell formatted as text, readable headers."""
    cols = [str(c) for c in df.columns]
    out = {}
    for i, c in enumerate(cols):
        f = (formats or {}).get(c) or formatter(c, digits)
        name = (headers or {}).get(c) or header(c)
        while name in out:
            name += " "
        out[name] = [f(x) for x in df.iloc[:, i]]
    return pd.DataFrame(out, columns=list(out))


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("lnnmeta", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(
    title: str,
    question: str,
    sections: list[Section],
    commit: str,
    lead: list[str] | None = None,
) -> str:
    """The report as one HTML string."""
    tpl = environment().get_template("report.html.j2")
    return tpl.render(
        title=title,
        question=question,
        lead=lead or [],
        sections=sections,
        version=lnnmeta.__version__,
        commit=commit,
    )


def html_to_pdf(html_path: str | Path, pdf_path: str | Path) -> None:
    """Print the HTML file to PDF with WeasyPrint, atomically."""
    import weasyprint

    with atomic_path(pdf_path) as tmp:
        weasyprint.HTML(filename=str(html_path)).write_pdf(tmp)


#: Elements :func:`print_overflows` lists whole (their inner boxes overflow with them).
_BLOCKS = frozenset({"table", "img", "figure", "pre"})


@dataclass(frozen=True)
class Overflow:
    """A box of the printed report that ends outside its page's content area (CSS px, 1/96 in)."""

    page: int
    tag: str
    text: str
    right: float
    bottom: float

    def __str__(self) -> str:
        return (
            f"page {self.page}: <{self.tag}> {self.right:.0f} px past the right margin, "
            f"{self.bottom:.0f} px past the bottom margin: {self.text!r}"
        )


def print_overflows(html_path: str | Path, tolerance: float = 0.5) -> list[Overflow]:
    """Boxes that WeasyPrint's layout of the printed report puts outside a page's content area.

    Lays the HTML out as the PDF prints it and walks every page's boxes (not the page-margin boxes
    that hold running headers and page numbers); a box whose border edge lies more than
    ``tolerance`` px right of or below the content area is cut in the PDF. Listed are the tables,
    images, figures and preformatted blocks that overflow, and any other overflowing box none of
    whose children overflows (the boxes around them overflow with them and are not listed).
    """
    import weasyprint
    from weasyprint.formatting_structure import boxes

    def excess(box: Any, right: float, bottom: float) -> tuple[float, float]:
        if getattr(box, "width", None) is None or getattr(box, "height", None) is None:
            return 0.0, 0.0
        return (
            box.border_box_x() + box.border_width() - right,
            box.border_box_y() + box.border_height() - bottom,
        )

    out: list[Overflow] = []
    doc = weasyprint.HTML(filename=str(html_path)).render()
    for number, page in enumerate(doc.pages, 1):
        pb = page._page_box
        right = pb.content_box_x() + pb.width
        bottom = pb.content_box_y() + pb.height
        stack = [c for c in pb.children if not isinstance(c, boxes.MarginBox)]
        while stack:
            box = stack.pop()
            over_r, over_b = excess(box, right, bottom)
            if over_r <= tolerance and over_b <= tolerance:
                stack.extend(getattr(box, "children", []))
                continue
            children = [
                c for c in getattr(box, "children", []) if max(excess(c, right, bottom)) > tolerance
            ]
            if box.element_tag in _BLOCKS or not children:
                el = box.element
                text = " ".join("".join(el.itertext()).split())[:80] if el is not None else ""
                if box.element_tag == "img" and el is not None:
                    text = el.get("alt", "")[:80]
                out.append(
                    Overflow(number, str(box.element_tag), text, max(over_r, 0), max(over_b, 0))
                )
            else:
                stack.extend(children)
    return out
