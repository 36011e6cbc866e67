"""Rendering: escaping, strict templates, readable headers, number formats, print-only rows."""

from __future__ import annotations

import re

import jinja2
import pandas as pd
import pytest

from lnnmeta.report.figures import embed, png_width_in
from lnnmeta.report.labels import header, interval, nbytes, number, p_value, seconds
from lnnmeta.report.render import Section, display_frame, environment, render_html
from lnnmeta.report.sections.literature import distinct_column_labels, drop_repeated_families
from lnnmeta.report.sections.methods import format_authors, references
from lnnmeta.report.sections.reruns import condition_header


def render(*sections: Section, title: str = "T") -> str:
    return render_html(title, "Q?", list(sections), "abc123", lead=["lead"])


def test_autoescape_everywhere() -> None:
    s = Section("x", "<script>alert('h2')</script>")
    s.paragraphs.append("<b>p</b>")
    s.table(pd.DataFrame({"<th>": ["<script>alert(1)</script>"]}), "<i>cap</i>")
    s.figure("data:image/png;base64,AAAA", 'cap" onerror="alert(1)')
    s.notice("<img src=x>")
    s.pre("<pre>")
    s.items(["<li>"])
    html = render(s, title="<script>t</script>")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'onerror="alert(1)' not in html
    assert "&lt;img src=x&gt;" in html


def test_strict_undefined() -> None:
    env = environment()
    assert env.autoescape is True
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_table_headers_formats_and_marks() -> None:
    s = Section("x", "X")
    s.table(
        pd.DataFrame(
            {
                "ci_low": [0.123456, -2.0],
                "p_holm": [0.0001, 0.04321],
                "infer_latency_s": [0.000148, 2.5],
                "verdict": ["supported", "contradicted"],
            }
        ),
        "cap",
    )
    block = s.blocks[0]
    latency = "Inference latency per sequence (measured under contention, diagnostic)"
    assert block["columns"] == ["CI low", "p (Holm)", latency, "Verdict"]
    cells = [[c["text"] for c in r["cells"]] for r in block["rows"]]
    assert cells == [
        ["0.123", "< 0.001", "148 µs", "supported"],
        ["-2.00", "0.043", "2.50 s", "contradicted"],
    ]
    assert block["numeric"] == [True, True, True, False]
    assert [r["cells"][3]["mark"] for r in block["rows"]] == ["good", "bad"]


def test_print_rows_hide_rows_in_print_only() -> None:
    s = Section("x", "X")
    s.table(pd.DataFrame({"a": range(20)}), "cap", print_rows=5, full_table="t.csv")
    html = render(s)
    assert len(re.findall(r'<tr class="print-hide">', html)) == 15
    assert "The first 5 of 20 rows are printed" in html and "t.csv" in html
    assert re.search(r"tr\.print-hide[^{]*\{[^}]*display: none", html)


def test_max_rows_and_screen_only() -> None:
    s = Section("x", "X")
    s.table(pd.DataFrame({"a": range(10)}), "cap", max_rows=3, screen_only=True)
    assert len(s.blocks[0]["rows"]) == 3 and s.blocks[0]["more"] == "7 more rows in the CSV export."
    assert 'class="tbl screen-only"' in render(s)


def test_print_stylesheet() -> None:
    html = render(Section("x", "X"))
    assert 'counter(page) " of " counter(pages)' in html
    assert "break-inside: avoid" in html and "break-after: avoid" in html
    assert "target-counter(attr(href), page)" in html


def test_number_formats() -> None:
    assert number(0.0) == "0" and number(float("nan")) == "" and number(None) == ""
    assert number(3.14159) == "3.14" and number(-0.000123) == "-1.23e-04"
    assert number(199729.55) == "199,730" and number(1.5e7) == "1.50e+07"
    assert number(12) == "12" and number(12345) == "12,345" and number(True) == "yes"
    assert p_value(0.0004) == "< 0.001" and p_value(0.0123) == "0.012"
    assert nbytes(512) == "512 B" and nbytes(2.5e6) == "2.50 MB"
    assert seconds(0.02) == "20.0 ms" and seconds(3e-6) == "3.00 µs" and seconds(12) == "12.0 s"
    assert interval(0.1, 2) == "[0.100, 2.00]" and interval(float("nan"), 1) == ""


def test_headers() -> None:
    assert header("n_papers") == "Papers"
    assert header("some_new_column") == "Some new column"
    assert header("Hand gesture (Wagner et al.)") == "Hand gesture (Wagner et al.)"
    assert list(display_frame(pd.DataFrame({"k": [1], "k ": [2]})).columns) == ["k", "k "]
    assert condition_header("noise_0.3") == "noise 0.3" and condition_header("task") == "task"


def test_format_authors_and_references(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert format_authors("Hasani, Ramin and Lechner, Mathias") == "Hasani R., Lechner M."
    assert format_authors("Ramin Hasani and Tsun-Hsuan Wang") == "Hasani R., Wang T. H."
    assert format_authors(" and ".join(f"A{i}, B" for i in range(8))).endswith("et al.")
    bib = tmp_path / "r.bib"
    bib.write_text(
        "@article{k1, author={Doe, Jane}, title={{A <script>x</script> Title}}, "
        "journal={J}, year={2020}, volume={2}, pages={1--9}, doi={10.1/x}}\n"
    )
    (ref,) = references(bib)
    assert ref == "[k1] Doe J. (2020). A <script>x</script> Title. J 2, 1–9. doi:10.1/x."


def test_distinct_column_labels() -> None:
    rep = pd.DataFrame(
        {
            "paper_key": ["p", "p", "p"],
            "table_id": ["t", "t", "t"],
            "dataset": ["D", "D", "E"],
            "column_id": ["auc", "time_per_epoch", "acc"],
        }
    )
    out = distinct_column_labels(rep)
    assert list(out["dataset"]) == ["D [auc]", "D [time per epoch]", "E"]


def test_drop_repeated_families() -> None:
    base = {
        "source": "reported",
        "scope": "overall",
        "dimension": "a",
        "scale": "smd",
        "method": "REML",
    }
    meta = pd.DataFrame(
        [
            {**base, "metric_family": "all", "k": 5},
            {**base, "metric_family": "error", "k": 5},
            {**base, "metric_family": "score", "k": 3},
        ]
    )
    assert list(drop_repeated_families(meta)["metric_family"]) == ["all", "score"]


def test_embed_keeps_print_width() -> None:
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(4, 2))
    fig.add_subplot().plot([0, 1], [0, 1])
    uri, width = embed(fig)
    assert uri.startswith("data:image/png;base64,")
    assert 3.0 < width <= 4.0
    import base64

    assert png_width_in(base64.b64decode(uri.split(",", 1)[1])) == pytest.approx(width, abs=0.01)
