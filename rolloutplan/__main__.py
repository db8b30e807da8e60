from __future__ import annotations

from rolloutplan.cli import main

raise SystemExit(main())
