"""The peak-memory probe measures each stretch of work on its own, in a process that did more before."""

from __future__ import annotations

import numpy as np
import pytest

from lnnmeta import memprobe

MB = 1 << 20


def _touch(nbytes: int) -> None:
    a = np.ones(nbytes // 8)  # written, so every page is resident
    assert a.sum() > 0
    del a


@pytest.mark.skipif(not memprobe.reset_high_water_mark(), reason="no /proc/self/clear_refs")
def test_a_later_smaller_stretch_reads_its_own_peak() -> None:
    first = memprobe.start_peak()
    _touch(120 * MB)
    big = first.increase()
    second = memprobe.start_peak()
    _touch(40 * MB)
    small = second.increase()
    # without the reset the second stretch would read 0: the process's mark is already higher
    assert 100 * MB < big < 200 * MB
    assert 30 * MB < small < 80 * MB


def test_without_a_reset_the_probe_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memprobe, "reset_high_water_mark", lambda: False)
    probe = memprobe.start_peak()
    assert not probe.reset and probe.increase() >= 0
