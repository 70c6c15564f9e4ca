"""Count tables: the shape most insights take (rows × columns of counts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GroupedCount:
    """One grouped count as the database returns it: (row, column) → count."""

    row: str
    column: str
    count: int


@dataclass(frozen=True, slots=True)
class CountTable:
    """Counts laid out on fixed rows and columns; missing cells are zero.

    ``rows`` and ``columns`` decide the order; counts outside them are dropped (they belong
    to no period or category shown).
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]

    def cell(self, row: str, column: str) -> int:
        return self.cells[self.rows.index(row)][self.columns.index(column)]

    def row_total(self, row: str) -> int:
        return sum(self.cells[self.rows.index(row)])

    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(row[i] for row in self.cells) for i in range(len(self.columns)))

    @property
    def total(self) -> int:
        return sum(sum(row) for row in self.cells)


def count_table(
    counts: Iterable[GroupedCount], rows: Sequence[str], columns: Sequence[str]
) -> CountTable:
    """Lay grouped counts out on the given rows and columns, adding duplicates.

    >>> t = count_table([GroupedCount("2026-01", "SEV1", 2)], ["2026-01"], ["SEV1", "SEV2"])
    >>> t.cells
    ((2, 0),)
    """
    row_index = {row: i for i, row in enumerate(rows)}
    column_index = {column: i for i, column in enumerate(columns)}
    grid = [[0] * len(columns) for _ in rows]
    for entry in counts:
        r, c = row_index.get(entry.row), column_index.get(entry.column)
        if r is not None and c is not None:
            grid[r][c] += entry.count
    return CountTable(tuple(rows), tuple(columns), tuple(tuple(row) for row in grid))
