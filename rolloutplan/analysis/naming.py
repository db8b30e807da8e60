"""Naming a few of many objects in a message, so that a finding about one object's relation
to n others stays short: output linear in the input, however many objects share a selector,
a nodePort or a label; and counting things in words that agree with the number."""

from __future__ import annotations

NAMED = 3  # names a message lists; the rest are counted


def listed(names: list[str], total: int) -> str:
    """``a``, ``a and b``, ``a, b and c``, ``a, b, c and 4 more``: ``names`` are the first
    of ``total``."""
    more = total - len(names)
    if more > 0:
        return f"{', '.join(names)} and {more} more"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 replica``, ``3 replicas``, ``0 replicas``; ``many`` for irregular plurals."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many or noun + 's'}"
