"""Peak resident memory of a stretch of work, in a process that has done other work before.

``getrusage``'s ``ru_maxrss`` is the high-water mark of the whole process: once one seed of a
multi-seed training job has reached it, later seeds read an increase of 0. Linux lets a process
reset its own mark (writing 5 to ``/proc/self/clear_refs``, then reading ``VmHWM`` from
``/proc/self/status``); freed heap memory is first returned to the system (glibc ``malloc_trim``)
so that the base is the memory actually in use. Where the reset is not available the probe falls
back to ``ru_maxrss`` and says so (:attr:`PeakProbe.reset` is false): the value is then only
meaningful for the first stretch measured in the process.

Torch-free; used by :mod:`lnnmeta.training` (each seed's ``peak_train_mem_bytes``) and
:mod:`lnnmeta.costs` (``peak_rss_bytes`` of a training step).
"""

from __future__ import annotations

import contextlib
import ctypes
import resource
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def _libc() -> Any:
    with contextlib.suppress(OSError):
        return ctypes.CDLL("libc.so.6")
    return None


_LIBC = _libc()


def status_bytes(key: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in bytes."""
    with open(_STATUS, encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"{_STATUS} has no {key}")


def release_free_memory() -> None:
    """Return freed heap memory to the system (glibc ``malloc_trim``), so that it does not pile up."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def reset_high_water_mark() -> bool:
    """Reset this process's resident high-water mark; false where Linux does not allow it."""
    try:
        _CLEAR_REFS.write_text("5")
        status_bytes("VmHWM")
    except OSError:
        return False
    return True


def _rss() -> int:
    try:
        return status_bytes("VmRSS")
    except OSError:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()


@dataclass(frozen=True)
class PeakProbe:
    """A started measurement: the resident bytes at the start and whether the mark was reset."""

    base: int
    reset: bool

    def increase(self) -> int:
        """Bytes by which the resident high-water mark rose above :attr:`base` since the start."""
        if self.reset:
            peak = status_bytes("VmHWM")
        else:
            peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
        return max(0, peak - self.base)


def start_peak() -> PeakProbe:
    """Start measuring the peak resident memory of what follows (see the module docstring)."""
    release_free_memory()
    reset = reset_high_water_mark()
    return PeakProbe(_rss(), reset)
