"""The report's sections, in order: each a function of the read-only :class:`ReportInputs` that
returns a :class:`~lnnmeta.report.render.Section` and sends its exported tables to the
:class:`~lnnmeta.report.sink.TableSink`.

Methods comes last: it lists every table exported before it. The cost section is left out when
the report was given no cost benchmark.
"""

from __future__ import annotations

from collections.abc import Callable

from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.render import Section
from lnnmeta.report.sections.claims import claims
from lnnmeta.report.sections.costs import costs
from lnnmeta.report.sections.literature import literature
from lnnmeta.report.sections.methods import methods
from lnnmeta.report.sections.quality import quality
from lnnmeta.report.sections.reproduction import reproduction
from lnnmeta.report.sections.reruns import reruns
from lnnmeta.report.sections.summary import lead, limitations, summary
from lnnmeta.report.sink import TableSink

SectionFn = Callable[[ReportInputs, TableSink], Section]

#: Every section in report order.
SECTIONS: tuple[SectionFn, ...] = (
    claims,
    summary,
    limitations,
    literature,
    reruns,
    costs,
    reproduction,
    quality,
    methods,
)


def build_sections(inp: ReportInputs, out: TableSink) -> list[Section]:
    """Every section of the report, in order (no cost section without a cost benchmark)."""
    return [f(inp, out) for f in SECTIONS if f is not costs or inp.costs]


__all__ = ["SECTIONS", "build_sections", "lead"]
