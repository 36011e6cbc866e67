"""Micro-benchmarks of lnnmeta components (``python -m lnnmeta.bench <command>``).

Commands
--------
kernels
    Fast liquid kernels (:mod:`lnnmeta.kernels`) against ncps 1.0.1 and ``nn.LSTM``.
ctrnn
    The CT-RNN baseline: eager Euler loop against the native scan, and ``nn.LSTM``.
curves
    Learning curves of the rerun grid, and the training protocol (epochs, patience) they support.
pipeline
    Wall time of the whole pipeline on a config, in a fresh working folder.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from lnnmeta.bench import ctrnn, curves, kernels, pipeline


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with one sub-command per benchmark."""
    parser = argparse.ArgumentParser(prog="python -m lnnmeta.bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    kernels.add_arguments(
        commands.add_parser(
            "kernels", help="fast liquid kernels vs ncps and nn.LSTM", description=kernels.__doc__
        )
    )
    ctrnn.add_arguments(
        commands.add_parser(
            "ctrnn", help="CT-RNN: eager loop vs native scan", description=ctrnn.__doc__
        )
    )
    curves.add_arguments(
        commands.add_parser(
            "curves", help="learning curves -> epochs and patience", description=curves.__doc__
        )
    )
    pipeline.add_arguments(
        commands.add_parser(
            "pipeline", help="wall time of the whole pipeline", description=pipeline.__doc__
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark named on the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "kernels":
        return kernels.run(args)
    if args.command == "ctrnn":
        return ctrnn.run(args)
    if args.command == "curves":
        return curves.run(args)
    if args.command == "pipeline":
        return pipeline.run(args)
    raise AssertionError(f"unhandled command {args.command!r}")  # pragma: no cover
