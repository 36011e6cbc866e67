"""The report as a person sees it: the HTML in headless Chromium, the PDF through poppler.

Built once per session from the real workflow run on config/ci.yaml (tests/conftest.py).
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import snakemake
from tests.report.browser import (
    chromium,
    console_lines,
    need,
    pdf_pages,
    pdf_text,
    run,
    with_checker,
)
from tests.report.conftest import HOSTILE, Report

pytestmark = pytest.mark.slow

SECTIONS = (
    "0. Claims under test",
    "1. Summary: one verdict per dimension",
    "2. The literature",
    "3. The reruns",
    "4. Reported vs reproduced",
    "5. Data quality",
    "6. Methods",
)


def printed_figures(html: str) -> int:
    """Figures that print: every <figure> but the screen-only ones."""
    return len(re.findall(r"<figure>", html))


# -- the HTML in a browser -----------------------------------------------------------------------


def test_html_is_self_contained(ci_report: Report) -> None:
    html = ci_report.html.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    srcs = re.findall(r'\s(?:src|href)="([^"]*)"', html)
    # Links to the exported tables beside the report (tables/*.csv) are navigation, not content.
    exported = {s for s in srcs if s.startswith("tables/") and (ci_report.html.parent / s).exists()}
    assert srcs and all(
        s.startswith(("data:image/png;base64,", "#")) or s in exported for s in srcs
    ), {s[:40] for s in srcs if not s.startswith(("data:", "#")) and s not in exported}


def test_screenshot_is_not_blank(ci_report: Report, tmp_path: Path) -> None:
    png = tmp_path / "shot.png"
    res = chromium(
        ci_report.html.resolve().as_uri(), f"--screenshot={png}", "--window-size=1280,4000"
    )
    assert png.exists() and png.stat().st_size > 10_000, res.stderr[-3000:]
    assert not console_lines(res.stderr), console_lines(res.stderr)
    with Image.open(png) as im:
        assert im.size == (1280, 4000)
        grey = im.convert("L")
        hist = grey.histogram()
        ink = sum(hist[:200]) / (im.size[0] * im.size[1])
        colours = len(set(im.convert("RGB").resize((320, 1000)).getdata()))
    assert ink > 0.02, f"only {ink:.1%} of the page is ink"
    assert colours > 50, f"only {colours} colours: no figure or verdict colour visible"


def test_images_decode_tables_render_and_console_is_clean(
    ci_report: Report, tmp_path: Path
) -> None:
    page = with_checker(ci_report.html, tmp_path / "checked.html")
    res = chromium(page.as_uri(), "--dump-dom", "--virtual-time-budget=10000")
    dom = res.stdout
    assert "<html" in dom[:200], res.stderr[-3000:]
    root = re.search(r"<html[^>]*>", dom).group(0)  # type: ignore[union-attr]
    html = ci_report.html.read_text(encoding="utf-8")
    n_img = html.count("<img ")
    assert n_img >= 8
    assert f'data-images="{n_img}/{n_img}"' in root, root
    assert "data-errors" not in root, root
    n_tables = int(re.search(r'data-tables="(\d+)"', root).group(1))  # type: ignore[union-attr]
    assert n_tables == html.count("<table>") and n_tables >= 15
    assert not console_lines(res.stderr), console_lines(res.stderr)
    for title in SECTIONS:
        assert title in dom


# -- the PDF -------------------------------------------------------------------------------------


def test_pdf_has_page_numbers_on_every_page(ci_report: Report) -> None:
    n = pdf_pages(ci_report.pdf)
    assert 10 <= n <= 40
    pages = pdf_text(ci_report.pdf).split("\f")
    for i, text in enumerate(pages[:n], start=1):
        assert f"page {i} of {n}" in text, f"page {i} has no page number"


def test_pdf_sections_tables_and_figures(ci_report: Report) -> None:
    text = " ".join(pdf_text(ci_report.pdf).split())
    positions = [text.find(t) for t in SECTIONS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    for caption in (
        "Verdict per dimension",
        "Pooled effects behind the verdicts",
        "Survey tables regenerated from the data",
        "Random-effects pooling of the reported LNN-vs-RNN effects",
        "Forest plot, reported accuracy effects",
        "Critical-difference diagram, test score",
        "Per-task results",
        "Cost per model, median over tasks and seeds",
        "Accuracy against cost",
        "test metric under each kind of shift",
        "Irregular sampling",
        "Reproduced values",
        "Software versions, commit and exported tables",
        "References",
    ):
        assert caption in text, caption
    assert ("Funnel plot" in text) or ("No funnel plot" in text)
    for raw in ("p_holm", "ci_low", "peak_train_mem_bytes", "n_papers"):
        assert raw not in text.split("Configuration")[0], f"raw column name {raw} printed"


def test_pdf_images_are_the_printed_figures(ci_report: Report) -> None:
    listing = run(need("pdfimages"), "-list", str(ci_report.pdf)).splitlines()[2:]
    images = [ln for ln in listing if ln.split()[2] == "image"]
    html = ci_report.html.read_text(encoding="utf-8")
    assert len(images) == printed_figures(html) >= 8


def test_pdf_fits_the_page_width(ci_report: Report) -> None:
    """No table or figure runs off the page: every word lies inside the page."""
    xml = run(need("pdftotext"), "-bbox", str(ci_report.pdf), "-")
    overflow = []
    for m in re.finditer(r'<page width="([\d.]+)"(.*?)</page>', xml, re.S):
        width = float(m.group(1))
        for w in re.finditer(r'xMax="([\d.]+)"[^>]*>([^<]*)<', m.group(2)):
            if float(w.group(1)) > width - 5:
                overflow.append(w.group(2))
    assert not overflow, f"words beyond the right margin: {overflow[:10]}"


def test_pdf_headings_are_not_orphaned(ci_report: Report) -> None:
    """No page ends with a section heading, a subsection heading or a table caption."""
    html = ci_report.html.read_text(encoding="utf-8")

    def clean(text: str) -> str:
        return unescape(re.sub(r"\s+", " ", text)).strip()

    headings = {clean(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html, re.S)}
    captions = [
        clean(c) for c in re.findall(r'<caption class="tcap[^"]*">(.*?)</caption>', html, re.S)
    ]
    assert len(headings) >= 15 and len(captions) >= 15
    pages = pdf_text(ci_report.pdf).split("\f")
    for i, page in enumerate(pages, start=1):
        lines = [clean(ln) for ln in page.splitlines() if ln.strip()]
        body = [ln for ln in lines if not re.fullmatch(r"page \d+ of \d+", ln)]
        if not body:
            continue
        last = body[-1]
        assert last not in headings, f"page {i} ends with the heading {last!r}"
        assert not any(len(last) > 12 and c.endswith(last) for c in captions), (
            f"page {i} ends with a table caption: {last!r}"
        )


def test_pdf_is_readable_text_not_pictures(ci_report: Report, tmp_path: Path) -> None:
    run(
        need("pdftoppm"),
        "-png",
        "-r",
        "30",
        "-f",
        "1",
        "-l",
        "2",
        str(ci_report.pdf),
        str(tmp_path / "p"),
    )
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == 2
    with Image.open(pngs[0]) as im:
        assert im.convert("L").getextrema()[0] < 100  # dark text on the first page


# -- markup in the inputs ------------------------------------------------------------------------


def test_script_in_a_paper_title_is_escaped(hostile_report: Report, tmp_path: Path) -> None:
    html = hostile_report.html.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "Liquid &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; networks" in html
    assert "Results &lt;script&gt;" in html
    dom = chromium(hostile_report.html.as_uri(), "--dump-dom").stdout
    assert "<script" not in dom.lower() and "&lt;script&gt;alert" in dom
    text = " ".join(pdf_text(hostile_report.pdf).split())
    assert f"Liquid {HOSTILE} networks" in text
    md = (hostile_report.tables / "survey_hasani2021ltc_t2.md").read_text(encoding="utf-8")
    tex = (hostile_report.tables / "survey_hasani2021ltc_t2.tex").read_text(encoding="utf-8")
    assert "<script>" not in md and r"\textless{}script\textgreater{}" in tex


# -- Snakemake's own report links to this one ----------------------------------------------------


def test_snakemake_report_links_the_report(ci_report: Report) -> None:
    out = ci_report.root / "snakemake-report.html"
    res = snakemake(ci_report.root, "--report", str(out), "--configfile", "config/ci.yaml")
    assert res.returncode == 0, res.stderr[-3000:]
    text = out.read_text(encoding="utf-8", errors="replace")
    for name in ("report.html", "report.pdf", "data_quality.csv"):
        assert name in text, name


def test_tables_exported_in_three_formats(ci_report: Report) -> None:
    csvs = sorted(ci_report.tables.glob("*.csv"))
    assert len(csvs) >= 20
    # The per-comparison effect table (thousands of rows) is exported as CSV only.
    assert (ci_report.tables / "effects.csv").exists()
    for c in (c for c in csvs if c.stem != "effects"):
        assert c.with_suffix(".md").exists() and c.with_suffix(".tex").exists()
        assert r"\toprule" in c.with_suffix(".tex").read_text(encoding="utf-8")
