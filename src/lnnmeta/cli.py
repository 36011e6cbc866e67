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
    from lnnmeta.models import REGISTRY

    for name, spec in REGISTRY.items():
        print(f"{name:12s} {spec.family:4s} {spec.description}")
    return 0


def _tasks(_: argparse.Namespace) -> int:
    from lnnmeta.tasks import BUILTIN

    for name, loader in BUILTIN.items():
        doc = (loader.__doc__ or "").strip().splitlines()
        print(f"{name:20s} {doc[0] if doc else ''}")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
