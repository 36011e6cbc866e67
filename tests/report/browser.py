"""Helpers for looking at the report as a person would: headless Chromium and poppler."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)

#: Injected into a copy of the page (the report itself has no script): records resource and
#: script errors as they happen and, once the page has loaded, how many images decoded.
CHECKER = """<script>
(function () {
  var root = document.documentElement;
  function note(text) { root.setAttribute('data-errors', (root.getAttribute('data-errors') || '') + '|' + text); }
  window.addEventListener('error', function (e) {
    note(e.message || ((e.target && e.target.tagName) + ' failed to load'));
  }, true);
  window.addEventListener('load', function () {
    var imgs = Array.prototype.slice.call(document.images);
    var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
    root.setAttribute('data-images', ok + '/' + imgs.length);
    root.setAttribute('data-tables', String(document.querySelectorAll('table').length));
  });
})();
</script>"""


def need(tool: str) -> str:
    """The path of a system tool, or skip the test (``make test`` installs them)."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (make system-deps installs it)")
    return path


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return str(shutil.which(name))
    pytest.skip("headless Chromium is not installed (make system-deps installs it)")


def chromium(url: str, *args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``url`` with a fresh profile; stdout and stderr captured."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run(
            [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def console_lines(stderr: str) -> list[str]:
    """Messages the page wrote to the console (Chromium logs them as ``CONSOLE`` lines)."""
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln or "Uncaught" in ln]


def with_checker(html: Path, dest: Path) -> Path:
    """A copy of the page with :data:`CHECKER` injected at the top of ``<head>``."""
    text = html.read_text(encoding="utf-8")
    dest.write_text(text.replace("<head>", "<head>\n" + CHECKER, 1), encoding="utf-8")
    return dest


def run(*cmd: str, timeout: int = 120) -> str:
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    assert res.returncode == 0, f"{' '.join(cmd)} failed: {res.stderr[-2000:]}"
    return res.stdout


def pdf_pages(pdf: Path) -> int:
    out = run(need("pdfinfo"), str(pdf))
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))  # type: ignore[union-attr]


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = [need("pdftotext"), "-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return run(*args, str(pdf), "-")
