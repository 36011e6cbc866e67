"""The ``lnnmeta`` command: check inputs without running anything, list the registries."""

from __future__ import annotations

import argparse
import sys

from lnnmeta.errors import InputError


def _validate(args: argparse.Namespace) -> int:
    """Check every input; print every problem (one line each) and exit 1, or print a summary."""
    from lnnmeta.config import input_problems
    from lnnmeta.literature.loader import literature_files
    from lnnmeta.yamlio import load_yaml

    problems: list[str] = []
    raw: object = None
    try:
        raw = load_yaml(args.config)
    except InputError as exc:
        # An unreadable config is one problem; the other inputs are still checked (with defaults).
        problems += exc.problems
    problems += input_problems(raw, str(args.config), args.literature, check_config=not problems)
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        print(f"{len(problems)} problem(s) found; nothing was run", file=sys.stderr)
        return 1
    cfg = raw if isinstance(raw, dict) else {}
    lit = args.literature or cfg.get("literature_dir", "config/literature")
    n_files = len(literature_files(lit))
    print(f"ok: {args.config}, {n_files} literature files, the claims and the user data are valid")
    return 0


def _models(_: argparse.Namespace) -> int:
    from lnnmeta.registry import REGISTRY

    for name, spec in REGISTRY.items():
        print(f"{name:12s} {spec.family:4s} {spec.description}")
    return 0


def _tasks(_: argparse.Namespace) -> int:
    from lnnmeta.tasks import TASKS

    for name, spec in TASKS.items():
        print(f"{name:20s} {spec.description}")
    return 0


def _import_table(args: argparse.Namespace) -> int:
    """Read one table of a .tex/.csv/.md file into a draft literature block (stdout or a file)."""
    from pathlib import Path

    from lnnmeta.literature.importer import Layout, import_table, render, write_draft

    try:
        draft = import_table(
            args.source,
            args.paper,
            args.location,
            table_id=args.table_id,
            select=args.select,
            layout=Layout(args.header_rows, args.label_columns, args.models_as_columns),
        )
        if args.output is None:
            sys.stdout.write(render(draft)[1])
            return 0
        message = write_draft(draft, Path(args.output))
    except InputError as exc:
        for p in exc.problems:
            print(f"error: {p}", file=sys.stderr)
        return 1
    n = sum(len(r.cells) for r in draft.rows)
    print(
        f"{message} ({len(draft.rows)} rows, {n} numbers); fill every TODO, then `lnnmeta validate`"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lnnmeta",
        description="Liquid neural networks vs recurrent networks: reported results, reruns, statistics. "
        "The pipeline itself runs with `snakemake --cores 8`; this command checks inputs and lists registries.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser(
        "validate", help="check the config, literature files, claims and user data; run nothing"
    )
    v.add_argument(
        "--config", default="config/config.yaml", help="config file (default: %(default)s)"
    )
    v.add_argument(
        "--literature",
        default=None,
        help="literature folder (default: the config's literature_dir)",
    )
    v.set_defaults(func=_validate)
    sub.add_parser("models", help="list the model registry").set_defaults(func=_models)
    sub.add_parser("tasks", help="list the built-in tasks").set_defaults(func=_tasks)
    imp = sub.add_parser(
        "import-table",
        help="draft a literature table from a paper's LaTeX, CSV or Markdown table (TODOs to fill)",
    )
    imp.add_argument("source", help="a .tex, .csv/.tsv or .md file holding the table")
    imp.add_argument("--paper", required=True, help="the paper's key (BibTeX key, file stem)")
    imp.add_argument("--location", required=True, help='where the paper prints it ("Table 3")')
    imp.add_argument("--table-id", default=None, help="table id (default: t3 for Table 3)")
    imp.add_argument(
        "--select", default=None, help="which table of the source: a number (1-based) or a \\label"
    )
    imp.add_argument(
        "-o",
        "--output",
        default=None,
        help="literature file to create, or to append the table to (default: print the block)",
    )
    imp.add_argument(
        "--header-rows",
        type=int,
        default=None,
        help="header rows (default: rows above \\midrule, or 1)",
    )
    imp.add_argument(
        "--label-columns",
        type=int,
        default=None,
        help="leading columns naming the row (default: the leading columns without numbers)",
    )
    imp.add_argument(
        "--models-as-columns",
        action="store_true",
        help="the paper prints one column per model (recorded as orientation: models_as_columns)",
    )
    imp.set_defaults(func=_import_table)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
