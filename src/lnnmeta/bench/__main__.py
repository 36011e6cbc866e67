"""Entry point of ``python -m lnnmeta.bench``."""

from lnnmeta.bench import main

raise SystemExit(main())
