"""Plain-text tables; the only module that imports tabulate.  Each cell is escaped
(escape.shown): a newline in a name would split its row."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate

from rolloutplan.report.escape import shown


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[cell if isinstance(cell, int) else shown(str(cell)) for cell in row] for row in rows]
    return tabulate(cells, headers=headers, tablefmt="plain", disable_numparse=True)
