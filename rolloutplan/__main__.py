"""``python -m rolloutplan`` and the ``rolloutplan`` console script."""

from __future__ import annotations

import gc
from typing import NoReturn


def main() -> NoReturn:
    # Importing the CLI's modules allocates tens of thousands of objects (classes, functions,
    # dataclass methods) that live until the process ends: collecting cycles among them is
    # pure cost (about a tenth of a one-file run), so the collector is off from the start.
    gc.disable()
    from rolloutplan.cli import entry_point

    entry_point()


if __name__ == "__main__":
    main()
