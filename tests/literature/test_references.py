"""The bibliography holds every work the report cites: the curated papers, the seed study behind the
claims, and the statistics papers named (author, year) in the Methods text."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import bibtexparser
import pytest

from lnnmeta.claims import load_claims
from lnnmeta.config import load_config
from lnnmeta.literature.loader import literature_files, load_literature
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.sections.methods import methods, references
from lnnmeta.report.sink import TableSink
from lnnmeta.tables import empty_frame
from tests.conftest import ROOT

BIB = ROOT / "config/literature/references.bib"

#: An author-year citation as the report writes it: "Demšar 2006", "Knapp & Hartung 2003",
#: "Egger et al. 1997" (the first author's surname and the year are captured).
CITATION = re.compile(
    r"\b([A-Z][^\W\d_]+(?:[-'][A-Z]?[^\W\d_]+)*)(?: (?:&|and) [A-Z][^\W\d_-]+| et al\.)? "
    r"((?:18|19|20)\d{2})[a-z]?\b"
)


def _fold(name: str) -> str:
    """Surname without accents or case (Demšar -> demsar)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def _first_surname(author_field: str) -> str:
    first = author_field.split(" and ")[0].strip()
    return first.split(",")[0].strip() if "," in first else first.split()[-1]


@pytest.fixture(scope="module")
def bib_entries() -> list[dict[str, str]]:
    with open(BIB, encoding="utf-8") as f:
        entries: list[dict[str, str]] = bibtexparser.load(f).entries
    return entries


@pytest.fixture(scope="module")
def methods_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    reported, _ = load_literature(ROOT / "config/literature")
    inp = ReportInputs(
        reported,
        empty_frame("runs"),
        {},
        load_claims(ROOT / "config/claims.yaml"),
        references(BIB),
        load_config(ROOT / "config/ci.yaml"),
    )
    texts: list[str] = []
    for block in methods(
        inp, TableSink(tmp_path_factory.mktemp("tables"), inp.get("effects"))
    ).blocks:
        if block["kind"] == "heading" and block["text"] == "References":
            break  # the bibliography itself, not text citing it
        if block["kind"] in ("paragraph", "note"):
            texts.append(block["text"])
        elif block["kind"] == "list":
            texts.extend(block["items"])
    return "\n".join(texts)


def test_citation_pattern_reads_the_report_styles() -> None:
    text = "(Benavoli et al. 2016; Demšar 2006), (Knapp & Hartung 2003), DerSimonian & Laird 1986"
    assert CITATION.findall(text) == [
        ("Benavoli", "2016"),
        ("Demšar", "2006"),
        ("Knapp", "2003"),
        ("DerSimonian", "1986"),
    ]


def test_every_methods_citation_is_in_the_bibliography(
    methods_text: str, bib_entries: list[dict[str, str]]
) -> None:
    cited = set(CITATION.findall(methods_text))
    # The Methods text names these works today; the test must not pass on an empty scan.
    assert {("DerSimonian", "1986"), ("Knapp", "2003"), ("Demšar", "2006")} <= cited
    have = {(_fold(_first_surname(e.get("author", ""))), e.get("year", "")) for e in bib_entries}
    missing = sorted(f"{a} {y}" for a, y in cited if (_fold(a), y) not in have)
    assert not missing, f"cited in Methods but not in {BIB.name}: {missing}"


def test_claim_sources_and_curated_papers_are_in_the_bibliography(
    bib_entries: list[dict[str, str]],
) -> None:
    keys = {e["ID"] for e in bib_entries}
    sources = {c["source"].split(",")[0].strip() for c in load_claims(ROOT / "config/claims.yaml")}
    assert "zong2025comparative" in sources
    assert sources <= keys
    assert {p.stem for p in literature_files(ROOT / "config/literature")} <= keys


def test_rendered_bibliography_lists_the_seed_study_and_a_book() -> None:
    refs = references(BIB)
    zong = next(r for r in refs if r.startswith("[zong2025comparative]"))
    assert (
        "Zong S., Bierly A., Boker A., Eldardiry H. (2025)" in zong and "arXiv:2510.07578" in zong
    )
    # A book has no journal or booktitle: its publisher stands in for the venue.
    (book,) = (r for r in refs if r.startswith("[hedges1985statistical]"))
    assert book.endswith("Statistical Methods for Meta-Analysis. Academic Press, Orlando, FL.")


def test_a_title_ending_in_a_question_mark_gets_no_extra_period(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(
        "@article{a2016q, author={Doe, Jane}, title={Should we?}, journal={J}, year={2016}}\n",
        encoding="utf-8",
    )
    assert references(bib) == ["[a2016q] Doe J. (2016). Should we? J."]
