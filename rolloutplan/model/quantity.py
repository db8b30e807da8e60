"""Kubernetes resource quantities (``100m``, ``64Mi``, ``1.5``, ``2e3``) as exact numbers."""

from __future__ import annotations

import functools
import re
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rolloutplan.model.objects import PodTemplate

_SUFFIXES = {
    "": Fraction(1), "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
    "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
    "P": Fraction(10**15), "E": Fraction(10**18),
    "Ki": Fraction(2**10), "Mi": Fraction(2**20), "Gi": Fraction(2**30), "Ti": Fraction(2**40),
    "Pi": Fraction(2**50), "Ei": Fraction(2**60),
}  # fmt: skip
_QUANTITY = re.compile(
    r"([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)\Z"
)
_MEMORY_UNITS = (
    ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10),
    ("G", 10**9), ("M", 10**6), ("k", 10**3),
)  # fmt: skip


def parse_quantity(text: str | int | float) -> Fraction | None:
    """The exact value of a quantity, or None when it is not one."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return Fraction(text)
    return _parse_text(str(text))


@functools.lru_cache(maxsize=1024)  # manifests repeat a few quantities ("100m", "128Mi")
def _parse_text(text: str) -> Fraction | None:
    match = _QUANTITY.match(text.strip())
    if match is None:
        return None
    number, exponent, suffix = match.groups()
    value = Fraction(number)
    if exponent:
        return value * Fraction(10) ** int(exponent[1:])
    return value * _SUFFIXES[suffix or ""]


def pod_requests(template: PodTemplate, pods: int) -> dict[str, str]:
    """CPU and memory requests of ``pods`` pods of ``template`` (init containers count as the
    pod's effective request when larger, as the scheduler does)."""
    totals: dict[str, str] = {}
    for resource, render in (("cpu", _cpu), ("memory", _memory)):
        running = sum(_request(c.requests, resource) for c in template.containers)
        init = max((_request(c.requests, resource) for c in template.init_containers), default=0)
        per_pod = max(running, init)
        if per_pod:
            totals[resource] = render(per_pod * pods)
    return totals


def _request(requests: tuple[tuple[str, str], ...], resource: str) -> Fraction:
    value = dict(requests).get(resource)
    parsed = parse_quantity(value) if value is not None else None
    return parsed or Fraction(0)


def _cpu(cores: Fraction) -> str:
    millis = cores * 1000
    if millis.denominator == 1 and millis % 1000:
        return f"{millis.numerator}m"
    return f"{float(cores):g}"


def _memory(size: Fraction) -> str:
    for suffix, unit in _MEMORY_UNITS:
        if size >= unit and (size / unit).denominator == 1:
            return f"{int(size / unit)}{suffix}"
    return f"{float(size):g}"
