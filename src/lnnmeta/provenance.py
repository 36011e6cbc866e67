"""Provenance of the numbers: the package versions and the commit that produced them.

Stamped on every rerun row (lnnmeta.pipeline) and printed in the report. Provenance only: neither
is a rerun trigger (the rules declare their code as inputs for that).
"""

from __future__ import annotations

import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version

import lnnmeta

#: The installed packages whose versions produce the numbers (besides Python and lnnmeta).
PACKAGES = ("torch", "ncps")


def versions() -> dict[str, str]:
    """Versions of Python, lnnmeta and the packages that produce the numbers (``unknown`` when a
    package is not installed)."""

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "unknown"

    return {
        "python": platform.python_version(),
        **{name: installed(name) for name in PACKAGES},
        "lnnmeta": lnnmeta.__version__,
    }


def git_commit() -> str:
    """The commit of the working tree the job runs in, or ``unknown`` outside a git checkout."""
    try:
        res = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return res.stdout.strip() if res.returncode == 0 else "unknown"
