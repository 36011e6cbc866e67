"""Render the report: jinja2 (autoescape, StrictUndefined) to one self-contained HTML file, and the
same HTML to PDF with WeasyPrint (print stylesheet: page numbers, rows never cut)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

import lnnmeta
from lnnmeta.atomic import atomic_path

VERDICTS = ("supported", "contradicted", "inconclusive")


@dataclass
class Section:
    """One report section: an id, a title, paragraphs and blocks (tables, figures, headings)."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def heading(self, text: str) -> None:
        self.blocks.append({"kind": "heading", "text": text})

    def text(self, text: str) -> None:
        self.blocks.append({"kind": "paragraph", "text": text})

    def notice(self, text: str) -> None:
        self.blocks.append({"kind": "note", "text": text})

    def figure(self, src: str, caption: str) -> None:
        self.blocks.append({"kind": "figure", "src": src, "caption": caption})

    def table(
        self,
        df: pd.DataFrame,
        caption: str,
        max_rows: int | None = None,
        screen_only: bool = False,
        digits: int = 3,
    ) -> None:
        shown = df if max_rows is None else df.head(max_rows)
        more = (
            f"{len(df) - len(shown)} more rows in the CSV export." if len(shown) < len(df) else ""
        )
        self.blocks.append(
            {
                "kind": "table",
                "caption": caption,
                "columns": [str(c) for c in shown.columns],
                "rows": [[fmt(x, digits) for x in row] for row in shown.itertuples(index=False)],
                "more": more,
                "screen_only": screen_only,
            }
        )


def fmt(x: Any, digits: int = 3) -> str:
    """Format one cell: floats to ``digits`` significant digits, missing as an empty cell."""
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("lnnmeta", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(title: str, question: str, sections: list[Section], commit: str) -> str:
    """The report as one HTML string."""
    tpl = environment().get_template("report.html.j2")
    return tpl.render(
        title=title,
        question=question,
        sections=sections,
        version=lnnmeta.__version__,
        commit=commit,
        verdicts=VERDICTS,
    )


def html_to_pdf(html_path: str | Path, pdf_path: str | Path) -> None:
    """Print the HTML file to PDF with WeasyPrint, atomically."""
    import weasyprint

    with atomic_path(pdf_path) as tmp:
        weasyprint.HTML(filename=str(html_path)).write_pdf(tmp)
