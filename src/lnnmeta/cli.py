"""The ``lnnmeta`` command: check inputs without running anything, list the registries."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lnnmeta.errors import InputError


def _validate(args: argparse.Namespace) -> int:
    from lnnmeta.config import config_problems
    from lnnmeta.literature.loader import load_literature
    from lnnmeta.tasks import read_user_frame
    from lnnmeta.yamlio import load_yaml

    problems: list[str] = []
    cfg: dict[str, object] = {}
    try:
        raw = load_yaml(args.config)
        problems += config_problems(raw, where=str(args.config))
        cfg = raw if isinstance(raw, dict) else {}
    except InputError as exc:
        problems += exc.problems
    lit_dir = Path(args.literature or str(cfg.get("literature_dir", "config/literature")))
    n_numbers = 0
    try:
        df, papers = load_literature(lit_dir)
        n_numbers = len(df)
    except InputError as exc:
        problems += exc.problems
        papers = []
    user = cfg.get("user_tasks")
    if isinstance(user, dict):
        for name, spec in user.items():
            if isinstance(spec, dict) and Path(str(spec.get("path", ""))).exists():
                try:
                    read_user_frame(Path(str(spec["path"])))
                except InputError as exc:
                    problems += [f"user task {name!r}: {p}" for p in exc.problems]
    claims = Path(str(cfg.get("claims", "config/claims.yaml")))
    if claims.exists():
        from lnnmeta.claims import load_claims

        try:
            load_claims(claims)
        except InputError as exc:
            problems += exc.problems
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(
        f"ok: {args.config} and {len(papers)} literature files ({n_numbers} reported numbers) are valid"
    )
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
