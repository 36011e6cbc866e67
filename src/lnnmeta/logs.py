"""One logging helper for every workflow script: log to the rule's log file, turn input errors into
one clear line (no traceback) and a non-zero exit."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lnnmeta.errors import InputError
from lnnmeta.tables import TableError


@contextmanager
def logged(log_file: str | Path | None) -> Iterator[logging.Logger]:
    """Route the ``lnnmeta`` loggers to ``log_file`` (and stderr); exit 1 with one line on bad input."""
    logger = logging.getLogger("lnnmeta")
    logger.setLevel(logging.INFO)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="w"))
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
    for h in handlers:
        h.setFormatter(fmt)
        logger.addHandler(h)
    try:
        yield logger
    except (InputError, TableError) as exc:
        for line in str(exc).splitlines():
            logger.error("%s", line)
        raise SystemExit(1) from None
    except Exception:
        # a bug, not bad input: its traceback belongs in the rule's log file too
        logger.exception("unexpected error (a bug in lnnmeta; please report it with this log)")
        raise
    finally:
        for h in handlers:
            logger.removeHandler(h)
            h.close()
